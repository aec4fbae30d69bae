#include <fstream>
#include <set>

#include "overseer/core/error.hpp"
#include "overseer/core/input_file.hpp"
#include "overseer/search/searcher.hpp"

namespace overseer {
namespace {

// Supervisor's "unrolled parameter file": JSON lines, one tuple per line, each with an "id"
// that labels the trial; the other members are the hyperparameters.
class UpfSearcher : public Searcher {
 public:
  UpfSearcher(const Campaign& campaign, const JsonView& search) {
    auto file = search.at("file");
    const auto path = campaign.resolve_path(file.string());
    if (const std::string problem = file_problem(path); !problem.empty()) {
      file.fail("UPF file " + path.string() + ": " + problem);
    }
    std::ifstream in(path);
    if (!in) file.fail("cannot open UPF file " + path.string());
    std::string line;
    std::set<std::string> labels;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = path.string() + ":" + std::to_string(number);
      json tuple = json::parse(line, nullptr, false);
      if (tuple.is_discarded()) throw InputError(where, "", "malformed JSON line");
      if (!tuple.is_object()) {
        throw InputError(where, "", "expected a JSON object, found " + json_type_name(tuple));
      }
      if (!tuple.contains("id")) throw InputError(where, "/id", "required field is missing");
      const json& id = tuple["id"];
      if (!id.is_string() && !id.is_number_integer()) {
        throw InputError(where, "/id", "expected a string or an integer");
      }
      std::string label = id.is_string() ? id.get<std::string>() : id.dump();
      if (!labels.insert(label).second) throw InputError(where, "/id", "duplicate id " + label);
      tuple.erase("id");
      tuples_.push_back(Suggestion::point(std::move(tuple), std::move(label)));
    }
    if (tuples_.empty()) file.fail("UPF file " + path.string() + " holds no tuples");
  }

  Suggestion ask() override {
    if (next_ >= tuples_.size()) return Suggestion::exhausted();
    return tuples_[next_++];
  }

  std::optional<std::int64_t> size() const override {
    return static_cast<std::int64_t>(tuples_.size());
  }

 private:
  std::vector<Suggestion> tuples_;
  std::size_t next_ = 0;
};

const bool registered =
    SearcherRegistry::instance().add("upf", {{"file"}, [](const Campaign& c, const JsonView& s) {
                                               return std::make_unique<UpfSearcher>(c, s);
                                             }});

}  // namespace
}  // namespace overseer
