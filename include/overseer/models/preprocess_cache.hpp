#pragma once

#include <filesystem>
#include <functional>

#include "overseer/core/campaign.hpp"

namespace overseer {

// Directories of preprocessed data, each made once for its inputs and shared by every trial
// that needs them: IMPROVE models preprocess once per (data, split, preprocessing parameters),
// not once per trial. Entries live under `root`, named by a hash of their key, with the key in
// `key.json` so that two keys never share one. Safe across the threads of one worker and across
// processes on every node that sees `root`: the maker holds an open-file-description lock
// (fcntl F_OFD_SETLK, which NFS and Lustre mounted with locking also honour) and fills a
// temporary directory that is renamed into place when complete, so an entry is whole or absent.
class PreprocessCache {
 public:
  explicit PreprocessCache(std::filesystem::path root) : root_(std::move(root)) {}

  // The entry for `key`. When there is none, `make(directory)` fills a new, empty directory,
  // which becomes the entry once make returns; a caller that asks for the same key meanwhile
  // waits for it (polling `cancelled`, which ends the wait with an exception). When make throws,
  // nothing is kept and the exception passes on; the next caller tries again.
  std::filesystem::path obtain(const json& key,
                               const std::function<void(const std::filesystem::path&)>& make,
                               const std::function<bool()>& cancelled) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace overseer
