#include "overseer/store/run_directory.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "overseer/core/error.hpp"

namespace overseer {

namespace {

// The run directory, or the directory it would be created in, must take new files: found now,
// a read-only file system or a directory of someone else's is one clear message rather than a
// master that fails at its first write.
void require_writable(const std::filesystem::path& path) {
  std::filesystem::path existing = std::filesystem::absolute(path);
  while (!std::filesystem::exists(existing) && existing.has_relative_path()) {
    existing = existing.parent_path();
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    throw InputError(
        path.string(), "",
        "cannot write the run directory here: " + existing.string() + ": " + std::strerror(errno));
  }
}

}  // namespace

RunDirectory RunDirectory::open(const std::filesystem::path& path, const Campaign& campaign,
                                bool resume, bool force) {
  RunDirectory dir;
  dir.path_ = path;
  dir.resume_ = resume;
  const bool has_journal = std::filesystem::exists(dir.journal_file());
  if (std::filesystem::exists(path) && !std::filesystem::is_directory(path)) {
    throw InputError(path.string(), "", "the run directory path exists and is not a directory");
  }
  require_writable(path);
  if (!resume) {
    if (has_journal) {
      throw InputError(path.string(), "",
                       "already holds a run; add --resume to continue it, or choose another --out");
    }
    return dir;
  }
  if (!has_journal) {
    throw InputError(path.string(), "", "nothing to resume: no journal.jsonl in this directory");
  }
  if (!std::filesystem::exists(dir.campaign_file())) {
    throw InputError(path.string(), "", "cannot resume: campaign.json is missing");
  }
  const json stored = read_json_file(dir.campaign_file());
  dir.stored_hash_ = stored.value("hash", "");
  if (dir.stored_hash_ != campaign.identity_hash() && !force) {
    throw InputError(campaign.file.string(), "",
                     "differs from the campaign in " + dir.campaign_file().string() +
                         " (name, model, space, search or objective changed); resuming would "
                         "mix results of two campaigns. Use --force to resume anyway");
  }
  return dir;
}

void RunDirectory::initialize(const Campaign& campaign) const {
  std::filesystem::create_directories(path_);
  json resolved = campaign.resolved();
  resolved["hash"] = campaign.identity_hash();
  write_file_atomically(campaign_file(), resolved.dump(2) + "\n");
}

std::filesystem::path RunDirectory::trial_dir(TrialId id) const {
  return path_ / "trials" / std::to_string(id);
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  auto temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace overseer
