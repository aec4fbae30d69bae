// A run directory's journal.jsonl, next to a valid campaign.json, as `--resume` reads the journal
// and `status`, `report` and `export` read the run (store/journal.cpp, store/run_history.cpp).
#include "fuzz_input.hpp"
#include "overseer/store/journal.hpp"
#include "overseer/store/run_directory.hpp"
#include "overseer/store/run_history.hpp"

using namespace overseer;

// The campaign.json every input's journal goes with, written once as a run writes it.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const json raw = {{"name", "journal-fuzz"},
                    {"model", {{"name", "branin"}}},
                    {"space",
                     {{{"name", "x1"}, {"type", "float"}, {"lower", -5}, {"upper", 10}},
                      {{"name", "x2"}, {"type", "float"}, {"lower", 0}, {"upper", 15}}}},
                    {"search", {{"algorithm", "random"}, {"budget", 8}}}};
  const Campaign campaign = parse_campaign(raw, "journal-fuzz.json");
  RunDirectory::open(fuzz::scratch_dir(), campaign, false, false).initialize(campaign);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto journal = fuzz::write_input("journal.jsonl", data, size);
  fuzz::unless_rejected([&] { return read_journal(journal).records.size(); });
  fuzz::unless_rejected([&] { return read_run_history(fuzz::scratch_dir()).finished.size(); });
  return 0;
}
