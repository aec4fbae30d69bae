#include "overseer/balancer/protocol.hpp"

namespace overseer {

Payload encode(const json& body) {
  return json::to_cbor(body);
}

json decode(const Payload& payload) {
  return json::from_cbor(payload);
}

void shutdown_others(Transport& transport) {
  for (int r = 0; r < transport.size(); ++r) {
    if (r != transport.rank()) send(transport, r, Tag::Shutdown, json::object());
  }
}

}  // namespace overseer
