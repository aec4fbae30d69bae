#include "overseer/search/searcher.hpp"

#include "overseer/core/error.hpp"

namespace overseer {

std::unique_ptr<Searcher> make_searcher(const Campaign& campaign) {
  JsonView search(campaign.search.options, campaign.file.string(), json::json_pointer("/search"));
  const SearcherEntry* entry = SearcherRegistry::instance().find(campaign.search.algorithm);
  if (entry == nullptr) {
    search.at("algorithm")
        .fail("unknown algorithm \"" + campaign.search.algorithm +
              "\"; available: " + SearcherRegistry::instance().names_joined());
  }
  std::vector<std::string> allowed = {"algorithm", "budget", "seed", "on_failure"};
  allowed.insert(allowed.end(), entry->options.begin(), entry->options.end());
  search.only_keys(allowed);
  return entry->create(campaign, search);
}

}  // namespace overseer
