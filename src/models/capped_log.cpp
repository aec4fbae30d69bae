#include "overseer/models/capped_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace overseer {

CappedLog::CappedLog(const std::filesystem::path& path, std::uint64_t limit_bytes,
                     std::size_t tail_bytes)
    : path_(path),
      limit_(limit_bytes),
      tail_bytes_(static_cast<std::size_t>(std::min<std::uint64_t>(tail_bytes, limit_bytes))) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  }
}

CappedLog::~CappedLog() {
  close();
}

void CappedLog::write(std::string_view data) {
  if (fd_ < 0) return;
  if (written_ < limit_) {
    const auto room =
        static_cast<std::size_t>(std::min<std::uint64_t>(limit_ - written_, data.size()));
    write_file(data.substr(0, room));
    written_ += room;
    data.remove_prefix(room);
  }
  if (data.empty()) return;
  past_limit_ += data.size();
  tail_.append(data);
  // Trimmed in bulk, so that each byte is moved at most about twice.
  if (tail_.size() > 2 * tail_bytes_) tail_.erase(0, tail_.size() - tail_bytes_);
}

void CappedLog::close() {
  if (fd_ < 0) return;
  if (past_limit_ > 0) {
    const std::size_t kept = std::min(tail_.size(), tail_bytes_);
    const std::string note = "\n[overseer] the log reached its limit of " + std::to_string(limit_) +
                             " bytes: " + std::to_string(past_limit_ - kept) +
                             " bytes were dropped; the last " + std::to_string(kept) +
                             " bytes follow\n";
    write_file(note);
    write_file(std::string_view(tail_).substr(tail_.size() - kept));
  }
  ::close(fd_);
  fd_ = -1;
}

void CappedLog::write_file(std::string_view data) {
  // On a full disk log lines are lost (and a result read from the log with them), but the
  // output must still be read, or the program would block on a full pipe.
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace overseer
