#include <limits>

#include "overseer/core/error.hpp"
#include "overseer/search/searcher.hpp"

namespace overseer {
namespace {

// Cartesian product of every parameter's grid values; the last parameter varies fastest.
class GridSearcher : public Searcher {
 public:
  GridSearcher(const Campaign& campaign, const JsonView& /*search*/) {
    if (campaign.space.parameters().empty()) {
      throw InputError(campaign.file.string(), "/space", "grid search needs a search space");
    }
    for (const auto& p : campaign.space.parameters()) {
      names_.push_back(p.name);
      axes_.push_back(p.grid_values());
      const auto n = static_cast<std::int64_t>(axes_.back().size());
      if (size_ > std::numeric_limits<std::int64_t>::max() / n) {
        p.fail("the grid has more than 2^63 points; give fewer values or num");
      }
      size_ *= n;
    }
  }

  Suggestion ask() override {
    if (next_ >= size_) return Suggestion::exhausted();
    json point = json::object();
    std::int64_t index = next_++;
    for (std::size_t i = axes_.size(); i-- > 0;) {
      const auto n = static_cast<std::int64_t>(axes_[i].size());
      point[names_[i]] = axes_[i][static_cast<std::size_t>(index % n)];
      index /= n;
    }
    return Suggestion::point(std::move(point));
  }

  std::optional<std::int64_t> size() const override { return size_; }

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<json>> axes_;
  std::int64_t size_ = 1;
  std::int64_t next_ = 0;
};

const bool registered =
    SearcherRegistry::instance().add("grid", {{}, [](const Campaign& c, const JsonView& s) {
                                                return std::make_unique<GridSearcher>(c, s);
                                              }});

}  // namespace
}  // namespace overseer
