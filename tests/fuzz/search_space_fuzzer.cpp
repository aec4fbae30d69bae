// A search space (the CANDLE Supervisor GA format) as a space file holds it: parsed, each
// parameter's grid and random draws, and the space as campaign.json stores it, which must parse
// back to the same space.
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "overseer/core/search_space.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const json document = json::parse(data, data + size, nullptr, false);
  if (document.is_discarded()) return 0;
  const auto space =
      fuzz::unless_rejected([&] { return SearchSpace::parse(JsonView(document, "space.json")); });
  if (!space) return 0;
  Rng rng(size);
  for (const auto& p : space->parameters()) {
    fuzz::unless_rejected([&] { return p.grid_values().size(); });
    for (int i = 0; i < 4; ++i) p.sample(rng);
  }
  const json stored = space->to_json();
  if (SearchSpace::parse(JsonView(stored, "campaign.json")).to_json() != stored) {
    fuzz::property_failed("the stored space reads back differently: " + stored.dump());
  }
  return 0;
}
