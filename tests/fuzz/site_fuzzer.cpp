// A site file as `--site FILE` reads it, then what `run` and `submit` make of an accepted one:
// each node-local rank's binding and the batch script.
#include <algorithm>

#include "fuzz_input.hpp"
#include "overseer/sites/batch_script.hpp"
#include "overseer/sites/binding.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_input("site.json", data, size);
  const auto site = fuzz::unless_rejected([&] { return sites::load_site(file.string()); });
  if (!site) return 0;
  // One rank past the layout too: slots wrap when a node runs more ranks than the site says.
  const int ranks = std::min(site->ranks_per_node, 16) + 1;
  for (int local = 0; local < ranks; ++local) {
    sites::bind_rank(*site, {local, local, ranks, 2, "user"});
  }
  sites::JobRequest job;
  job.name = "fuzz";
  job.nodes = 2;
  job.time = "00:10:00";
  job.run_dir = fuzz::scratch_dir();
  job.command = {"overseer", "run", "campaign.json"};
  sites::render_batch_script(*site, job);
  return 0;
}
