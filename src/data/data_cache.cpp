#include "overseer/data/data_cache.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>

#include "overseer/data/h5_file.hpp"

namespace overseer::data {
namespace {

// Values by key, each computed once even when several threads ask for it at the same time.
template <typename T>
class OnceMap {
 public:
  using Value = std::shared_ptr<const T>;

  explicit OnceMap(std::size_t capacity) : capacity_(capacity) {}

  Value get(const std::string& key, const std::function<Value()>& make) {
    std::promise<Value> promise;
    std::shared_future<Value> future;
    bool owner = false;
    {
      std::lock_guard lock(mutex_);
      const auto it = values_.find(key);
      if (it != values_.end()) {
        future = it->second;
      } else {
        future = promise.get_future().share();
        values_.emplace(key, future);
        order_.push_back(key);
        owner = true;
        if (order_.size() > capacity_) {
          values_.erase(order_.front());
          order_.pop_front();
        }
      }
    }
    if (owner) {
      try {
        promise.set_value(make());
      } catch (...) {
        promise.set_exception(std::current_exception());
        std::lock_guard lock(mutex_);
        values_.erase(key);
        order_.erase(std::remove(order_.begin(), order_.end(), key), order_.end());
      }
    }
    return future.get();
  }

  void clear() {
    std::lock_guard lock(mutex_);
    values_.clear();
    order_.clear();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::map<std::string, std::shared_future<Value>> values_;
  std::deque<std::string> order_;
};

}  // namespace

struct DataCache::Entries {
  explicit Entries(std::size_t capacity) : datasets(capacity), prepared(capacity) {}
  OnceMap<Dataset> datasets;
  OnceMap<PreparedData> prepared;
};

DataCache::DataCache(std::size_t capacity) : entries_(std::make_unique<Entries>(capacity)) {}

DataCache::~DataCache() = default;

DataCache& DataCache::process() {
  static DataCache cache;
  return cache;
}

std::shared_ptr<const Dataset> DataCache::dataset(const std::filesystem::path& file) {
  return entries_->datasets.get(file_identity(file), [&] {
    ++files_read_;
    return std::make_shared<const Dataset>(read_h5(file));
  });
}

std::shared_ptr<const PreparedData> DataCache::prepared(const DataOptions& options) {
  return entries_->prepared.get(options.preparation_key(), [&] {
    ++preparations_;
    return prepare_data(dataset(options.file), options);
  });
}

void DataCache::clear() {
  entries_->datasets.clear();
  entries_->prepared.clear();
}

}  // namespace overseer::data
