#include "overseer/data/morgan_fingerprint.hpp"

#include <memory>

#include <DataStructs/ExplicitBitVect.h>
#include <GraphMol/Fingerprints/MorganFingerprints.h>
#include <GraphMol/GraphMol.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <RDGeneral/RDLog.h>

namespace overseer::data {

bool morgan_fingerprint(const std::string& smiles, unsigned radius, unsigned bits, float* out) {
  // RDKit logs every sanitization complaint to stderr; a bad SMILES is reported by the caller.
  RDLog::LogStateSetter quiet;
  std::unique_ptr<RDKit::ROMol> molecule;
  try {
    molecule.reset(RDKit::SmilesToMol(smiles));
  } catch (const std::exception&) {
    return false;
  }
  if (!molecule) return false;
  std::unique_ptr<ExplicitBitVect> fingerprint(
      RDKit::MorganFingerprints::getFingerprintAsBitVect(*molecule, radius, bits));
  for (unsigned i = 0; i < bits; ++i) out[i] = fingerprint->getBit(i) ? 1.0f : 0.0f;
  return true;
}

}  // namespace overseer::data
