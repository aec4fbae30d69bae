// A campaign file as `overseer validate` and `run` read it, and the campaign.json a run writes,
// which `status`, `report` and `--resume` read back: it must parse to the same campaign.
#include "fuzz_input.hpp"
#include "overseer/core/campaign.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_input("campaign.json", data, size);
  const auto campaign = fuzz::unless_rejected([&] { return load_campaign(file); });
  if (!campaign) return 0;
  const Campaign again = parse_campaign(campaign->resolved(), file);
  if (again.identity_hash() != campaign->identity_hash()) {
    fuzz::property_failed("the resolved campaign hashes differently: " +
                          campaign->resolved().dump());
  }
  return 0;
}
