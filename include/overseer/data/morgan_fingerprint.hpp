#pragma once

#include <string>

namespace overseer::data {

// Morgan (ECFP-style; radius 2 is ECFP4) fingerprint bits of a molecule computed with RDKit,
// written as 0/1 into out[0, bits). False when RDKit cannot parse the SMILES.
bool morgan_fingerprint(const std::string& smiles, unsigned radius, unsigned bits, float* out);

}  // namespace overseer::data
