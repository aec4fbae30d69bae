#include "overseer/balancer/protocol.hpp"

namespace overseer {

Payload encode(const json& body) {
  // Room for a typical task or result up front: growing the buffer byte by byte costs more
  // than the encoding itself.
  Payload out;
  out.reserve(512);
  json::to_cbor(body, out);
  return out;
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
