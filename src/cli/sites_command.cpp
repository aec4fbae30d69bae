#include "overseer/cli/sites_command.hpp"

#include <iostream>
#include <memory>

#include "overseer/cli/input_errors.hpp"
#include "overseer/core/error.hpp"
#include "overseer/sites/site.hpp"

namespace overseer::cli {
namespace {

std::string gpus(const sites::Site& s) {
  if (s.gpus == 0) return "no GPUs";
  static const char* runtimes[] = {"", "CUDA", "ROCm", "Level Zero"};
  return std::to_string(s.gpus) + " x " + s.gpu_kind + " (" +
         runtimes[static_cast<int>(s.gpu_runtime)] + ", " + s.visible_devices + ")";
}

void describe(const sites::Site& s, std::ostream& out) {
  out << s.name << ": " << s.description << "\n"
      << "  file:       " << s.file.string() << "\n"
      << "  scheduler:  " << sites::to_string(s.scheduler) << "\n"
      << "  node:       " << gpus(s) << "; " << s.ranks_per_node << " ranks per node";
  if (s.gpus > 0) {
    out << " (" << s.workers_per_gpu << " per GPU, " << s.gpus_per_worker << " GPU(s) each)";
  }
  out << "\n  threads:    "
      << (s.threads_per_worker ? std::to_string(*s.threads_per_worker)
                               : std::string("cores / ranks on the node"))
      << " per worker\n"
      << "  scratch:    " << (s.scratch.empty() ? "$TMPDIR or /tmp" : s.scratch) << "\n";
}

}  // namespace

Subcommand add_sites_command(CLI::App& app) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "sites", "List the known sites, or check and describe site names or files");
  command->add_option("site", *names, "Site names or site files (default: every known site)");
  return {command, [names] {
            return exit_on_input_error([&] {
              if (!names->empty()) {
                for (const auto& name : *names) describe(sites::load_site(name), std::cout);
                return kExitOk;
              }
              // Every file is checked, so one broken site does not hide the others' state.
              int code = kExitOk;
              for (const auto& file : sites::known_site_files()) {
                try {
                  const auto s = sites::load_site(file.string());
                  std::cout << s.name << "\t" << sites::to_string(s.scheduler) << "\t" << gpus(s)
                            << "\t" << s.description << "\n";
                } catch (const InputError& e) {
                  std::cerr << "error: " << e.what() << "\n";
                  code = kExitInputError;
                }
              }
              return code;
            });
          }};
}

}  // namespace overseer::cli
