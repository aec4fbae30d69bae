#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "overseer/data/data_options.hpp"
#include "overseer/data/dataset.hpp"
#include "overseer/data/prepared_data.hpp"

namespace overseer::data {

// A process's datasets (by file) and prepared data (by DataOptions::preparation_key), so a
// worker that evaluates many trials reads and prepares each only once. Thread-safe: concurrent
// requests for one entry wait for a single load; a failed load is not kept. Prepared entries
// beyond `capacity` are dropped oldest first (trials holding them keep them alive).
class DataCache {
 public:
  explicit DataCache(std::size_t capacity = 16);
  ~DataCache();
  static DataCache& process();

  std::shared_ptr<const Dataset> dataset(const std::filesystem::path& file);
  std::shared_ptr<const PreparedData> prepared(const DataOptions& options);

  std::size_t files_read() const { return files_read_.load(); }
  std::size_t preparations() const { return preparations_.load(); }
  void clear();

 private:
  struct Entries;
  std::unique_ptr<Entries> entries_;
  std::atomic<std::size_t> files_read_{0};
  std::atomic<std::size_t> preparations_{0};
};

}  // namespace overseer::data
