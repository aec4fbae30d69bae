#include "overseer/balancer/protocol.hpp"

namespace overseer {

Payload encode(const json& body) {
  return json::to_cbor(body);
}

json decode(const Payload& payload) {
  return json::from_cbor(payload);
}

}  // namespace overseer
