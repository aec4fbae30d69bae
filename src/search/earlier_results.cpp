#include "overseer/search/earlier_results.hpp"

#include <limits>
#include <map>

#include "overseer/core/csv.hpp"
#include "overseer/core/error.hpp"

namespace overseer {

std::vector<TrialRecord> read_earlier_results(const std::filesystem::path& run_dir,
                                              const SearchSpace& space) {
  const std::filesystem::path file = run_dir / "results.csv";
  const CsvTable table = read_csv_table(file);
  const auto fail = [&](int line, const std::string& message) {
    throw InputError(file.string(), "", "line " + std::to_string(line) + ": " + message);
  };
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < table.header.size(); ++i) column[table.header[i]] = i;
  for (const char* name : {"status", "value"}) {
    if (!column.count(name)) fail(1, std::string("no column \"") + name + "\"");
  }
  for (const auto& p : space.parameters()) {
    if (!column.count("param_" + p.name)) {
      fail(1, "no column \"param_" + p.name + "\": that run searched another space");
    }
  }
  std::vector<TrialRecord> trials;
  for (const auto& row : table.rows) {
    const auto cell = [&](const std::string& name) -> const std::string& {
      return row.fields[column.at(name)];
    };
    TrialRecord t;
    t.id = -static_cast<TrialId>(trials.size()) - 1;
    const auto status = parse_trial_status(cell("status"));
    if (!status) fail(row.line, "status \"" + cell("status") + "\" is not a trial status");
    t.result.status = *status;
    try {
      t.result.value = cell("value").empty() ? std::numeric_limits<double>::quiet_NaN()
                                             : std::stod(cell("value"));
      if (column.count("step") && !cell("step").empty()) t.result.step = std::stoll(cell("step"));
    } catch (const std::exception&) {
      fail(row.line, "value or step is not a number");
    }
    t.params = json::object();
    for (const auto& p : space.parameters()) {
      try {
        t.params[p.name] = p.value_from_text(cell("param_" + p.name));
      } catch (const std::invalid_argument& e) {
        fail(row.line, "param_" + p.name + ": " + e.what());
      }
    }
    trials.push_back(std::move(t));
  }
  return trials;
}

}  // namespace overseer
