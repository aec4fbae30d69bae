#include "overseer/data/smiles_drugs.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "overseer/data/morgan_fingerprint.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {
namespace {

std::size_t smiles_column(const HeaderedReader& in, const std::string& named) {
  if (!named.empty()) return in.column(named);
  std::vector<std::size_t> found;
  for (std::size_t j = 0; j < in.header().size(); ++j) {
    if (names_smiles(in.header()[j])) found.push_back(j);
  }
  if (found.size() != 1) {
    std::string names;
    for (const auto& h : in.header()) names += (names.empty() ? "" : ", ") + h;
    in.fail(std::string(found.empty() ? "no" : "more than one") +
            " column named like \"smiles\" (columns: " + names + "); name it with --smiles-column");
  }
  return found.front();
}

}  // namespace

bool names_smiles(const std::string& column) {
  std::string lower = column;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("smiles") != std::string::npos;
}

std::string describe(const MorganOptions& options) {
  return "Morgan bits (radius " + std::to_string(options.radius) + ", " +
         std::to_string(options.bits) + " bits, RDKit)";
}

MorganTable::MorganTable(MorganOptions options) : options_(options) {
  for (unsigned b = 0; b < options_.bits; ++b) {
    table_.columns.push_back("morgan_" + std::to_string(b));
  }
}

bool MorganTable::add(const std::string& id, const std::string& smiles) {
  std::vector<float> bits(options_.bits);
  if (!morgan_fingerprint(smiles, options_.radius, options_.bits, bits.data())) return false;
  table_.ids.push_back(id);
  table_.values.insert(table_.values.end(), bits.begin(), bits.end());
  return true;
}

FeatureTable MorganTable::take() {
  table_.mark_binary();
  return std::move(table_);
}

SmilesDrugs read_smiles_drugs(const SmilesFile& file) {
  HeaderedReader in(file.path);
  const std::size_t id = file.id_column.empty() ? 0 : in.column(file.id_column);
  const std::size_t smiles = smiles_column(in, file.smiles_column);
  if (id == smiles) in.fail("the id column and the SMILES column are the same column");
  MorganTable table(file.morgan);
  SmilesDrugs out;
  std::unordered_set<std::string> seen;
  std::vector<std::string> fields;
  while (in.next(fields)) {
    if (!seen.insert(fields[id]).second) in.fail("drug \"" + fields[id] + "\" appears twice");
    if (!fields[smiles].empty() && table.add(fields[id], fields[smiles])) continue;
    if (!file.skip_bad) {
      in.fail("drug \"" + fields[id] + "\": " +
              (fields[smiles].empty()
                   ? std::string("empty SMILES")
                   : "RDKit cannot parse the SMILES \"" + fields[smiles] + "\"") +
              " (--skip-bad-smiles leaves such drugs out)");
    }
    out.skipped.push_back(fields[id]);
  }
  out.drugs = table.take();
  return out;
}

}  // namespace overseer::data
