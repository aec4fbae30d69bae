#include "overseer/store/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "overseer/core/error.hpp"

namespace overseer {
namespace {

[[noreturn]] void fail_errno(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

JournalContents read_journal(const std::filesystem::path& path) {
  JournalContents contents;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), "", "cannot open journal");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  std::size_t pos = 0;
  int line = 0;
  while (pos < text.size()) {
    ++line;
    const std::size_t newline = text.find('\n', pos);
    const bool last = newline == std::string::npos || newline + 1 == text.size();
    const std::string body =
        text.substr(pos, newline == std::string::npos ? std::string::npos : newline - pos);
    json record = json::parse(body, nullptr, false);
    const bool complete =
        newline != std::string::npos && !record.is_discarded() && record.is_object();
    if (!complete) {
      if (last) {
        contents.torn_tail = true;
        break;
      }
      throw InputError(path.string() + ":" + std::to_string(line), "",
                       "damaged journal record (only the last line may be incomplete)");
    }
    contents.records.push_back(std::move(record));
    pos = newline + 1;
    contents.valid_bytes = pos;
  }
  return contents;
}

bool journal_in_use(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

Journal::Journal(const std::filesystem::path& path, FsyncPolicy policy,
                 std::chrono::milliseconds group_interval)
    : path_(path),
      policy_(policy),
      group_interval_(group_interval),
      last_sync_(std::chrono::steady_clock::now()) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_errno("cannot open journal", path);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw InputError(path.parent_path().string(), "",
                     "the run directory is in use by another overseer process");
  }
  const off_t end = ::lseek(fd_, 0, SEEK_END);
  if (end < 0) fail_errno("cannot seek", path);
  size_ = static_cast<std::uint64_t>(end);
}

void Journal::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail_errno("cannot truncate", path_);
  if (::lseek(fd_, 0, SEEK_END) < 0) fail_errno("cannot seek", path_);
  size_ = size;
}

Journal::~Journal() {
  if (fd_ < 0) return;
  try {
    sync();
  } catch (const std::exception&) {
    // A destructor cannot report it; the next run's read_journal drops a torn last record.
  }
  ::close(fd_);
}

void Journal::append(const json& record) {
  pending_ += record.dump(-1, ' ', false, json::error_handler_t::replace);
  pending_ += '\n';
  written();
}

void Journal::append(const json& head, std::string_view object_text) {
  std::string members = head.dump(-1, ' ', false, json::error_handler_t::replace);
  members.back() = ',';
  pending_ += members;
  pending_ += object_text.substr(1);
  pending_ += '\n';
  written();
}

void Journal::append_lazily(const json& record) {
  pending_ += record.dump(-1, ' ', false, json::error_handler_t::replace);
  pending_ += '\n';
  if (pending_.size() >= kFlushBytes) flush();
}

void Journal::written() {
  if (policy_ == FsyncPolicy::Always) {
    sync();
  } else if (pending_.size() >= kFlushBytes) {
    flush();
  }
}

void Journal::flush() {
  if (!failure_.empty()) throw std::runtime_error(failure_);
  const char* data = pending_.data();
  std::size_t left = pending_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      failure_ = "cannot write journal " + path_.string() + ": " + std::strerror(errno);
      // A full disk takes part of a write: cut it off, so the file stays the records the master
      // acted on, each complete, and writes nothing more.
      if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
        failure_ += " (and cannot cut its incomplete last record off: the next run drops it)";
      }
      pending_.clear();
      throw std::runtime_error(failure_);
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (!pending_.empty()) dirty_ = true;
  size_ += pending_.size();
  pending_.clear();
}

void Journal::sync_if_due() {
  flush();
  if (dirty_ && std::chrono::steady_clock::now() - last_sync_ >= group_interval_) sync();
}

void Journal::sync() {
  flush();
  if (!dirty_) return;
  if (::fdatasync(fd_) != 0) {
    failure_ = "cannot sync journal " + path_.string() + ": " + std::strerror(errno);
    throw std::runtime_error(failure_);
  }
  dirty_ = false;
  last_sync_ = std::chrono::steady_clock::now();
}

}  // namespace overseer
