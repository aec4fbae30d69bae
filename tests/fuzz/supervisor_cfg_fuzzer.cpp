// A Supervisor cfg file as `overseer import supervisor` reads it (core/shell_assignments.cpp,
// campaign/supervisor_import.cpp): never run, only read; whatever it holds, the import either
// writes a campaign or rejects the file with an input error.
#include "fuzz_input.hpp"
#include "overseer/campaign/supervisor_import.hpp"
#include "overseer/core/shell_assignments.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_input("cfg.sh", data, size);
  ShellAssignments assignments;
  read_shell_assignments(file, assignments);
  for (const auto& skipped : assignments.skipped) {
    if (skipped.line < 1 || skipped.reason.empty()) {
      fuzz::property_failed("a skipped line without its place or reason: " + skipped.text);
    }
  }
  SupervisorImportOptions options;
  options.files = {file};
  options.model_dir = fuzz::scratch_dir();
  options.space_file = fuzz::scratch_dir() / "space.json";
  fuzz::unless_rejected([&] { return import_supervisor(options).campaign.size(); });
  return 0;
}
