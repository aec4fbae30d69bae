#include "overseer/core/stable_hash.hpp"

#include <cstdio>

namespace overseer {

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string stable_hash_hex(std::string_view text) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx",
                static_cast<unsigned long long>(stable_hash(text)));
  return buffer;
}

}  // namespace overseer
