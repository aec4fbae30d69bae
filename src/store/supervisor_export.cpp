#include "overseer/store/supervisor_export.hpp"

#include <cmath>
#include <sstream>

#include "overseer/core/csv.hpp"
#include "overseer/store/results_export.hpp"

namespace overseer {
namespace {

struct Generation {
  std::size_t evaluations = 0;  // results told by the end of it
  std::vector<TrialId> members;
};

std::vector<Generation> ga_generations(const std::vector<json>& search_events) {
  std::vector<Generation> generations;
  for (const auto& event : search_events) {
    if (event.value("algorithm", "") != "ga" || !event.contains("generation")) continue;
    Generation g;
    g.evaluations = event.value("evaluations", std::size_t{0});
    if (event.contains("members")) {
      for (const auto& m : event.at("members")) {
        if (m.is_number_integer() && m.get<TrialId>() >= 0) g.members.push_back(m.get<TrialId>());
      }
    }
    generations.push_back(std::move(g));
  }
  return generations;
}

std::string result_text(const TrialRecord& t) {
  const bool valued = t.result.status == TrialStatus::Ok || t.result.status == TrialStatus::Stopped;
  return valued && std::isfinite(t.result.value) ? csv_number(t.result.value) : "NaN";
}

}  // namespace

std::map<std::string, std::string> supervisor_files(const Campaign& campaign,
                                                    const std::vector<TrialRecord>& finished,
                                                    const std::vector<json>& search_events) {
  const std::vector<Generation> generations = ga_generations(search_events);
  const ResultColumns columns = result_columns(campaign.space, finished);
  const std::string metric =
      campaign.objective.metric.empty() ? "value" : campaign.objective.metric;

  std::ostringstream hpo;
  hpo << "iteration,sample";
  for (const auto& p : columns.params) hpo << ',' << csv_field(p);
  hpo << ",metric,result,walltime\n";
  std::size_t generation = 0, sample = 0;
  for (std::size_t i = 0; i < finished.size(); ++i) {
    // The i-th result belongs to the first generation that had told more than i by its end;
    // results after the last generation's end belong to the one still open.
    while (generation < generations.size() && i >= generations[generation].evaluations) {
      ++generation;
      sample = 0;
    }
    const TrialRecord& t = finished[i];
    hpo << (generations.empty() ? 0 : generation) << ',' << sample++;
    for (const auto& p : columns.params) {
      hpo << ',' << csv_field(t.params.contains(p) ? param_text(t.params.at(p)) : "");
    }
    hpo << ',' << csv_field(metric) << ',' << result_text(t) << ','
        << csv_number(std::max(0.0, t.result.end - t.result.start)) << '\n';
  }
  std::map<std::string, std::string> files = {{"hpo.csv", hpo.str()}};

  std::map<TrialId, const TrialRecord*> by_id;
  for (const auto& t : finished) by_id[t.id] = &t;
  for (std::size_t g = 0; g < generations.size(); ++g) {
    std::ostringstream population, fitnesses;
    for (const TrialId id : generations[g].members) {
      const auto it = by_id.find(id);
      if (it == by_id.end()) continue;
      population << it->second->params.dump() << '\n';
      fitnesses << result_text(*it->second) << '\n';
    }
    files["population-" + std::to_string(g) + ".txt"] = population.str();
    files["fitnesses-" + std::to_string(g) + ".txt"] = fitnesses.str();
  }
  return files;
}

}  // namespace overseer
