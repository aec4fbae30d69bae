// A UPF file (JSON lines, one tuple each) as the upf searcher of a campaign reads it; every
// tuple of an accepted file is asked for once.
#include "fuzz_input.hpp"
#include "overseer/search/searcher.hpp"

using namespace overseer;

namespace {

Campaign upf_campaign() {
  const json raw = {{"name", "upf-fuzz"},
                    {"model", {{"name", "branin"}}},
                    {"search", {{"algorithm", "upf"}, {"file", "tuples.jsonl"}}}};
  return parse_campaign(raw, fuzz::scratch_dir() / "campaign.json");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Campaign campaign = upf_campaign();
  fuzz::write_input("tuples.jsonl", data, size);
  const auto searcher = fuzz::unless_rejected([&] { return make_searcher(campaign); });
  if (!searcher) return 0;
  const std::int64_t tuples = (*searcher)->size().value_or(0);
  std::int64_t asked = 0;
  while ((*searcher)->ask().kind == Suggestion::Kind::Point) ++asked;
  if (asked != tuples) fuzz::property_failed("the searcher's size is not what it hands out");
  return 0;
}
