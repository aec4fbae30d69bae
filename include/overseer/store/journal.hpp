#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// What a journal file holds: every complete record, and how many bytes they span. A last line
// cut short by a crash is dropped (`torn_tail`); damage anywhere else is an error.
struct JournalContents {
  std::vector<json> records;
  std::uint64_t valid_bytes = 0;
  bool torn_tail = false;
};

JournalContents read_journal(const std::filesystem::path& path);

// Whether a running campaign holds the journal's lock (see Journal). Probing takes a shared
// lock for an instant, so a campaign starting in that very instant is refused as if the
// directory were in use.
bool journal_in_use(const std::filesystem::path& path);

// Append-only JSON-lines log, the campaign's source of truth. Records are collected in memory
// and handed to the kernel (write(2)) by `flush`, which the master calls whenever no message is
// waiting, before it writes anything derived from the journal, and which `append` calls itself
// once `kFlushBytes` are waiting. A burst of results thus costs one system call, while a
// campaign whose trials take longer than a message has each record written as it arrives.
// `Always` writes and fsyncs every record at once; `Group` fsyncs at most every
// `group_commit_ms` (via `sync_if_due`). The file is locked for the writer's lifetime so two
// runs cannot share one journal. A write that fails (a full disk) throws, leaves the file as
// it was before that write, and makes every later flush throw too.
class Journal {
 public:
  Journal(const std::filesystem::path& path, FsyncPolicy policy,
          std::chrono::milliseconds group_interval);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Cuts a torn last line off before new records are appended.
  void truncate(std::uint64_t size);
  void append(const json& record);
  // One record made of the members of `head` followed by those of `object_text`, the JSON text
  // of an object with at least one member (e.g. a worker's result, as it arrived).
  void append(const json& head, std::string_view object_text);
  // A record whose loss in a crash costs nothing that a resume needs (a point of a learning
  // curve): written with the next batch and synced by group commit, whatever the policy.
  void append_lazily(const json& record);
  void flush();
  void sync_if_due();
  void sync();

  static constexpr std::size_t kFlushBytes = 64 * 1024;

 private:
  // Writes now what the policy or the amount waiting asks for.
  void written();

  std::filesystem::path path_;
  int fd_ = -1;
  std::string pending_;     // records not yet written
  std::uint64_t size_ = 0;  // bytes of complete records in the file
  std::string failure_;     // why a write failed; once it has, nothing more is written
  FsyncPolicy policy_;
  std::chrono::milliseconds group_interval_;
  std::chrono::steady_clock::time_point last_sync_;
  bool dirty_ = false;
};

}  // namespace overseer
