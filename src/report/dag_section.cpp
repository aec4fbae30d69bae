// A dag campaign's trials as the tree of their first parents (the incremental-learning tree),
// each node coloured by its objective, as CANDLE/Supervisor's incremental-learning study draws
// it; a node with several parents names the others beside it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

constexpr std::size_t kMostNodes = 2000;

struct Tree {
  std::map<TrialId, std::vector<TrialId>> children;  // by first parent
  std::map<TrialId, double> value;                   // successful nodes only
  double best = 0, worst = 0;
};

std::string node_html(const ReportContext& c, const Tree& tree, TrialId id, std::size_t& shown) {
  if (shown++ >= kMostNodes) return {};
  const CreatedRecord& node = c.history.created[static_cast<std::size_t>(id)];
  const auto value = tree.value.find(id);
  std::string style = "background:#eee";
  std::string text = "not ok";
  if (value != tree.value.end()) {
    const double span = tree.worst - tree.best;  // negative when the objective is maximized
    const double t = span != 0 ? (value->second - tree.best) / span : 0;
    // Viridis from its bright end: the best nodes yellow, the worst dark.
    style = "background:" + sequential_colour(1 - t) + (t > 0.6 ? ";color:#fff" : "");
    text = format_number(value->second);
  }
  const auto name = [&](TrialId t) {
    const std::string& label = c.history.created[static_cast<std::size_t>(t)].label;
    return escape(label.empty() ? std::to_string(t) : label);
  };
  std::string html =
      fmt::format("<li><span class=\"node\" style=\"{}\" title=\"trial {}\">{} <b>{}</b></span>",
                  style, id, name(id), escape(text));
  if (node.parents.size() > 1) {
    std::vector<std::string> others;
    for (auto p = node.parents.begin() + 1; p != node.parents.end(); ++p)
      others.push_back(name(*p));
    html += fmt::format(" <small>also from {}</small>", fmt::join(others, ", "));
  }
  const auto kids = tree.children.find(id);
  if (kids != tree.children.end()) {
    html += "<ul>";
    for (TrialId child : kids->second) html += node_html(c, tree, child, shown);
    html += "</ul>";
  }
  return html + "</li>";
}

}  // namespace

std::string dag_section(const ReportContext& c) {
  if (c.history.campaign.search.algorithm != "dag") return {};
  const auto& created = c.history.created;
  if (std::none_of(created.begin(), created.end(),
                   [](const CreatedRecord& r) { return !r.parents.empty(); })) {
    return {};
  }
  Tree tree;
  std::vector<TrialId> roots;
  for (const auto& r : created) {
    (r.parents.empty() ? roots : tree.children[r.parents.front()]).push_back(r.trial);
  }
  for (const TrialRecord* t : c.succeeded) tree.value[t->id] = t->result.value;
  if (!tree.value.empty()) {
    const auto [low, high] =
        std::minmax_element(tree.value.begin(), tree.value.end(),
                            [](const auto& a, const auto& b) { return a.second < b.second; });
    tree.best = c.minimize() ? low->second : high->second;
    tree.worst = c.minimize() ? high->second : low->second;
  }
  std::size_t shown = 0;
  std::string html = "<ul class=\"tree\">";
  for (TrialId root : roots) html += node_html(c, tree, root, shown);
  html += "</ul>";
  return note("Each trial under its first parent (the others named beside it), with its " +
              escape(c.objective()) + ": the best bright yellow, the worst dark" +
              (shown > kMostNodes ? fmt::format("; the first {} nodes", kMostNodes) : "") +
              ". A node that starts from its parent's weights shows how its change of data moved "
              "the metric; tree.csv holds every node's metrics.") +
         "<style>.tree,.tree ul{list-style:none;padding-left:18px;margin:2px 0}"
         ".tree .node{display:inline-block;padding:1px 6px;margin:1px "
         "0;border-radius:3px}</style>" +
         html;
}

}  // namespace overseer::report
