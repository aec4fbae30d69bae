#pragma once

#include <map>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// A run's results in the files CANDLE/Supervisor's workflows write, for the analysis scripts
// that read them (`overseer export --format supervisor`). File name -> content:
//   hpo.csv            iteration,sample,<hyperparameters>,metric,result,walltime: a row per
//                      finished trial in the order the results arrived. `iteration` is the GA
//                      generation the result arrived in (0 for other searches), `sample` the
//                      row's place within it, `metric` the objective's name, `result` its value
//                      (NaN for a failed trial), `walltime` the seconds the trial ran.
//   population-N.txt   (GA runs) generation N's population after selection: one member per
//                      line, its hyperparameters as a JSON object
//   fitnesses-N.txt    (GA runs) the same members' objective values, one per line
// `finished` is in arrival order (RunHistory::finished); `search_events` are the journal's
// search records, whose GA generations say where each generation ends and who survived it.
std::map<std::string, std::string> supervisor_files(const Campaign& campaign,
                                                    const std::vector<TrialRecord>& finished,
                                                    const std::vector<json>& search_events);

}  // namespace overseer
