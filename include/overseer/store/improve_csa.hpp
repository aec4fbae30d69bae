#pragma once

#include <map>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// The split a cross-study trial trained on: its split_seed (a trial parameter, else the
// campaign's model.params, else model.data), or the "k" of an IMPROVE split object; 0 without
// one.
std::int64_t split_number(const Campaign& campaign, const json& trial_params);

// IMPROVE's cross-study output (improvelib's csa_postprocess), by file name, from the same
// per-study test metrics as cross_study.csv, so that IMPROVE's analysis and plotting code reads
// an Overseer run unchanged:
//   all_scores.csv            met,split,value,src,trg,model: one row per trial, target, metric
//   <met>_mean_csa_table.csv  src,<targets>: the mean over the splits of each (src, trg)
//   <met>_std_csa_table.csv   likewise the sample standard deviation (empty for one split)
//   densed_csa_table.csv      met,mean,std,summary,model: every within-study (src = trg) score
//                             pooled, then every cross-study one
// Metrics go by IMPROVE's names (mse, rmse, mae, r2, pcc, scc); `model` is model.data.model_name
// (an IMPROVE-curated model's name) when given, else the campaign's model. Empty when no trial
// reported per-study test metrics.
std::map<std::string, std::string> improve_csa_files(const Campaign& campaign,
                                                     const std::vector<TrialRecord>& trials);

}  // namespace overseer
