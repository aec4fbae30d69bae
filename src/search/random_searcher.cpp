#include "overseer/core/error.hpp"
#include "overseer/search/searcher.hpp"

namespace overseer {
namespace {

// Independent draws from the space (log-uniform where a range says `log`); the n-th point
// depends only on the seed, so runs and resumed runs see the same sequence.
class RandomSearcher : public Searcher {
 public:
  RandomSearcher(const Campaign& campaign, const JsonView& search)
      : space_(campaign.space), rng_(mix_seed(campaign.search.seed, 0x72616e646f6dULL)) {
    if (space_.parameters().empty()) {
      throw InputError(campaign.file.string(), "/space", "random search needs a search space");
    }
    if (!campaign.search.budget) search.fail("random search needs \"budget\" (number of trials)");
  }

  Suggestion ask() override {
    json point = json::object();
    for (const auto& p : space_.parameters()) point[p.name] = p.sample(rng_);
    return Suggestion::point(std::move(point));
  }

 private:
  SearchSpace space_;
  Rng rng_;
};

const bool registered =
    SearcherRegistry::instance().add("random", {{}, [](const Campaign& c, const JsonView& s) {
                                                  return std::make_unique<RandomSearcher>(c, s);
                                                }});

}  // namespace
}  // namespace overseer
