#include "overseer/search/ga_initial_population.hpp"

#include <set>

#include "overseer/core/csv.hpp"
#include "overseer/core/error.hpp"

namespace overseer::ga {

std::vector<json> read_initial_population(const std::filesystem::path& file,
                                          const SearchSpace& space, std::int64_t population_size) {
  const CsvTable table = read_csv_table(file);
  const auto fail = [&](int line, const std::string& message) {
    throw InputError(file.string(), "", "line " + std::to_string(line) + ": " + message);
  };
  std::vector<const Parameter*> columns;
  std::set<std::string> seen;
  for (const auto& name : table.header) {
    const Parameter* p = space.find(name);
    if (p == nullptr) fail(1, "column \"" + name + "\" is not a parameter of the space");
    if (!seen.insert(name).second) fail(1, "column \"" + name + "\" appears twice");
    columns.push_back(p);
  }
  for (const auto& p : space.parameters()) {
    if (!seen.count(p.name)) fail(1, "no column for parameter \"" + p.name + "\"");
  }
  std::vector<json> individuals;
  for (const auto& row : table.rows) {
    json individual = json::object();
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
      try {
        individual[columns[i]->name] = columns[i]->value_from_text(row.fields[i]);
      } catch (const std::invalid_argument& e) {
        fail(row.line, "column \"" + columns[i]->name + "\": " + e.what());
      }
    }
    individuals.push_back(std::move(individual));
  }
  if (static_cast<std::int64_t>(individuals.size()) > population_size) {
    throw InputError(file.string(), "",
                     std::to_string(individuals.size()) +
                         " individuals, more than population_size (" +
                         std::to_string(population_size) + ")");
  }
  return individuals;
}

}  // namespace overseer::ga
