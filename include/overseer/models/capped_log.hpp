#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace overseer {

// A program's log file that cannot fill the disk: the first `limit_bytes` of the output are
// written as they come, then only the last `tail_bytes` (at most `limit_bytes`) are kept in
// memory and written, after a line saying how much was dropped, by `close`. The end of a log is
// where a program's result and its last error are, so it always survives.
class CappedLog {
 public:
  CappedLog(const std::filesystem::path& path, std::uint64_t limit_bytes,
            std::size_t tail_bytes = kDefaultTailBytes);
  ~CappedLog();
  CappedLog(const CappedLog&) = delete;
  CappedLog& operator=(const CappedLog&) = delete;

  void write(std::string_view data);
  // Writes the kept tail; further writes are dropped.
  void close();

  static constexpr std::size_t kDefaultTailBytes = 1 << 20;

 private:
  void write_file(std::string_view data);

  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t limit_;
  std::size_t tail_bytes_;
  std::uint64_t written_ = 0;
  std::uint64_t past_limit_ = 0;  // bytes after the first limit_
  std::string tail_;              // the last output past the limit, at most 2 * tail_bytes_
};

}  // namespace overseer
