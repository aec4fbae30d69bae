#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "overseer/core/trial.hpp"

namespace overseer {

// A result record as workers send it and the journal holds it: the trial and attempt it
// answers and what the attempt produced.
struct ResultRecord {
  TrialId trial = -1;
  int attempt = 0;
  TrialResult result;
  std::vector<int> group;  // the world ranks of a trial's rank group; empty for one rank
};

// Reads a result record from its CBOR encoding (of to_json's form) event by event, without
// building a document: several times cheaper, which is what the master's per-trial path needs.
// Members it does not know are skipped; a missing or unknown status reads as failed, a value
// that is null, missing or not a number as NaN, and a trial, attempt or rank that its type cannot
// hold as absent. Throws std::invalid_argument when the bytes are not one CBOR map.
ResultRecord read_result(const std::uint8_t* cbor, std::size_t size);

TrialResult trial_result_from_json(const json& body);

}  // namespace overseer
