#include "overseer/models/preprocess_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "overseer/core/stable_hash.hpp"

namespace overseer {
namespace {

namespace fs = std::filesystem;

constexpr auto kPoll = std::chrono::milliseconds(50);
const char* const kKeyFile = "key.json";

std::string read_all(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An exclusive lock on a file, held while the object lives. Open-file-description locks
// belong to the descriptor, not the process, so two threads of one worker exclude each other
// as two processes do.
class FileLock {
 public:
  FileLock(const fs::path& file, const std::function<bool()>& cancelled)
      : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) {
      throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
    }
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    while (::fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
      if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
        const std::string reason = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("cannot lock " + file.string() + ": " + reason);
      }
      if (cancelled && cancelled()) {
        ::close(fd_);
        throw std::runtime_error("cancelled while waiting for " + file.string());
      }
      std::this_thread::sleep_for(kPoll);
    }
  }
  ~FileLock() { ::close(fd_); }  // closing the descriptor releases the lock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

fs::path PreprocessCache::obtain(const json& key, const std::function<void(const fs::path&)>& make,
                                 const std::function<bool()>& cancelled) const {
  const std::string text = key.dump();
  const std::string hash = stable_hash_hex(text);
  fs::create_directories(root_);
  const FileLock lock(root_ / (hash + ".lock"), cancelled);
  // Under the lock: an entry is either complete (renamed into place) or absent. A name taken
  // by another key (a hash collision) moves this key on to the next free suffix.
  fs::path entry;
  for (int n = 0;; ++n) {
    entry = root_ / (n == 0 ? hash : hash + "-" + std::to_string(n));
    if (!fs::exists(entry)) break;
    if (read_all(entry / kKeyFile) == text) return entry;
  }
  // A maker that died (SIGKILL, a lost node) leaves its temporary directory; it is made again.
  const fs::path temporary = entry.string() + ".partial";
  fs::remove_all(temporary);
  fs::create_directories(temporary);
  try {
    make(temporary);
    std::ofstream out(temporary / kKeyFile);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + (temporary / kKeyFile).string());
    std::error_code error;
    fs::rename(temporary, entry, error);
    if (error) {
      // Made meanwhile by a maker the lock did not hold off (a file system that does not honour
      // it): that entry is as good as this one.
      if (read_all(entry / kKeyFile) != text)
        throw fs::filesystem_error("rename", temporary, entry, error);
      fs::remove_all(temporary);
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
    throw;
  }
  return entry;
}

}  // namespace overseer
