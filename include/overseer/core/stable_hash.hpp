#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace overseer {

// FNV-1a, 64 bits: the same value for the same text in every process and build, for names of
// files and identities in the journal (std::hash promises neither).
std::uint64_t stable_hash(std::string_view text);
// The hash as 16 lowercase hexadecimal digits.
std::string stable_hash_hex(std::string_view text);

}  // namespace overseer
