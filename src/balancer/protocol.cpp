#include "overseer/balancer/protocol.hpp"

#include <stdexcept>

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

namespace {

// The CBOR part's length, before it, in this many little-endian bytes.
constexpr std::size_t kLengthBytes = 4;

}  // namespace

Payload encode_result(const json& body) {
  Payload out(kLengthBytes);
  out.reserve(1024);
  json::to_cbor(body, out);
  const std::size_t cbor_size = out.size() - kLengthBytes;
  for (std::size_t i = 0; i < kLengthBytes; ++i) {
    out[i] = static_cast<std::uint8_t>(cbor_size >> (8 * i));
  }
  const std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

ResultPayload split_result(const Payload& payload) {
  std::size_t cbor_size = 0;
  if (payload.size() >= kLengthBytes) {
    for (std::size_t i = 0; i < kLengthBytes; ++i) {
      cbor_size |= static_cast<std::size_t>(payload[i]) << (8 * i);
    }
  }
  if (payload.size() < kLengthBytes || cbor_size > payload.size() - kLengthBytes) {
    throw std::invalid_argument("a result message is shorter than its header says");
  }
  const std::uint8_t* cbor = payload.data() + kLengthBytes;
  const std::string_view text(reinterpret_cast<const char*>(cbor + cbor_size),
                              payload.size() - kLengthBytes - cbor_size);
  // The text goes into the journal unparsed: at least make sure it is shaped like an object
  // with members, so that a broken message cannot break the journal's line structure.
  if (text.size() < 3 || text.front() != '{' || text.back() != '}' ||
      text.find('\n') != std::string_view::npos) {
    throw std::invalid_argument("a result message's text is not a JSON object on one line");
  }
  return {cbor, cbor_size, text};
}

void shutdown_others(Transport& transport) {
  for (int r = 0; r < transport.size(); ++r) {
    if (r != transport.rank()) send(transport, r, Tag::Shutdown, json::object());
  }
}

}  // namespace overseer
