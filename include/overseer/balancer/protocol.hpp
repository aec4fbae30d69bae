#pragma once

#include "overseer/balancer/transport.hpp"
#include "overseer/core/json_view.hpp"

namespace overseer {

// Message tags of the master/worker protocol (docs/protocol.md).
enum class Tag : int {
  Ready = 1,  // worker -> master: {host}; sent once at start
  Setup = 2,  // master -> worker: {campaign (resolved), campaign_file}
  Task = 3,   // master -> worker: {trial, attempt, params, run_dir (when trial_dirs)}
  Result =
      4,  // worker -> master: {trial, attempt, status, value, metrics, message, start, end, host}
  Shutdown = 5,  // master -> worker: {}
};

// Payloads are CBOR-encoded JSON objects.
Payload encode(const json& body);
json decode(const Payload& payload);

inline void send(Transport& transport, int destination, Tag tag, const json& body) {
  transport.send(destination, static_cast<int>(tag), encode(body));
}

}  // namespace overseer
