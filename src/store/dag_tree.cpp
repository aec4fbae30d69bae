#include "overseer/store/dag_tree.hpp"

#include <map>
#include <set>
#include <sstream>

#include "overseer/core/csv.hpp"

namespace overseer {
namespace {

std::string held_out_of(const json& params) {
  std::string out;
  for (const auto& subset : params.value("held_out_subsets", json::array())) {
    out += (out.empty() ? "" : " ") + subset.dump();
  }
  return out;
}

}  // namespace

std::string dag_tree_csv(const std::vector<CreatedRecord>& created,
                         const std::vector<TrialRecord>& finished,
                         const std::vector<json>& search_events) {
  std::map<TrialId, const TrialRecord*> result;
  std::set<std::string> metrics;
  for (const auto& f : finished) {
    result[f.id] = &f;
    for (const auto& [name, value] : f.result.metrics) metrics.insert(name);
  }
  std::ostringstream out;
  out << "node,parents,stage,held_out,trial,status,value";
  for (const auto& m : metrics) out << ',' << csv_field("metric_" + m);
  out << '\n';
  std::map<std::string, std::int64_t> stage;  // by node id
  for (const auto& c : created) {
    std::string parents;
    std::int64_t depth = 0;
    for (TrialId p : c.parents) {
      const std::string& parent = created[static_cast<std::size_t>(p)].label;
      parents += (parents.empty() ? "" : " ") + parent;
      depth = std::max(depth, stage[parent] + 1);
    }
    stage[c.label] = depth;
    out << csv_field(c.label) << ',' << csv_field(parents) << ',' << depth << ','
        << csv_field(held_out_of(c.params)) << ',' << c.trial;
    const auto it = result.find(c.trial);
    if (it == result.end()) {
      out << ",unfinished,";
      for (std::size_t i = 0; i < metrics.size(); ++i) out << ',';
    } else {
      const TrialResult& r = it->second->result;
      out << ',' << to_string(r.status) << ',' << csv_number(r.value);
      for (const auto& m : metrics) {
        const auto value = r.metrics.find(m);
        out << ',' << (value == r.metrics.end() ? "" : csv_number(value->second));
      }
    }
    out << '\n';
  }
  std::set<std::string> skipped;  // a resume may skip a node again
  for (const auto& event : search_events) {
    if (event.value("kind", "") != "skipped") continue;
    const std::string node = event.value("node", ""), parent = event.value("because", "");
    if (!skipped.insert(node).second) continue;
    stage[node] = stage[parent] + 1;
    out << csv_field(node) << ',' << csv_field(parent) << ',' << stage[node] << ",,,skipped,";
    for (std::size_t i = 0; i < metrics.size(); ++i) out << ',';
    out << '\n';
  }
  return out.str();
}

}  // namespace overseer
