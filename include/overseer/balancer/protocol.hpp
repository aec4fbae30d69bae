#pragma once

#include <string_view>

#include "overseer/balancer/transport.hpp"
#include "overseer/core/json_view.hpp"

namespace overseer {

// Rank 0 is the master (and server 0).
inline constexpr int kMasterRank = 0;

// Message tags of the balancer protocol (docs/protocol.md). Bodies are CBOR-encoded JSON; a
// Result carries its body twice (see encode_result).
enum class Tag : int {
  Setup = 2,       // master -> worker: {campaign, campaign_file}
  Task = 3,        // server -> worker: a task {trial, attempt, priority, params, ...}
  Result = 4,      // worker -> master: {trial, attempt, status, value, metrics, ..., host}
  Shutdown = 5,    // master -> every rank: {}
  Request = 6,     // worker -> its server: {} (idle, wants a task)
  Need = 7,        // server -> master: {n} more tasks wanted
  Batch = 8,       // master -> server: {tasks: [...]}; server -> thief: {tasks, stolen: true}
  Steal = 9,       // server -> peer server: {queued}
  Cancel = 10,     // master -> server: drop queued tasks, hand out no more
  Cancelled = 11,  // server -> master: {tasks: [trial ids of dropped tasks], reply: true when
                   // answering Cancel; absent for stolen tasks that arrived after it}
  Progress = 12,   // worker -> master: {items: [...]}, what its running task reported
  Control = 13     // master -> worker: an answer to its running task's progress, or a drain
};

Payload encode(const json& body);
json decode(const Payload& payload);

// A Result body as CBOR, which the master reads without building a document, followed by the
// same body as JSON text, which the master appends to the journal untouched: the two cheapest
// forms for the two things the master does with every result.
Payload encode_result(const json& body);
struct ResultPayload {
  const std::uint8_t* cbor;
  std::size_t cbor_size;
  std::string_view text;
};
// Throws std::invalid_argument when the payload is not in encode_result's form (the text part is
// only checked for the shape of a one-line object).
ResultPayload split_result(const Payload& payload);

inline void send(Transport& transport, int destination, Tag tag, const json& body) {
  transport.send(destination, static_cast<int>(tag), encode(body));
}

// Tells every rank but this one (rank 0) to exit.
void shutdown_others(Transport& transport);

}  // namespace overseer
