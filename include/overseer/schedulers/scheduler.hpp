#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/json_view.hpp"
#include "overseer/core/registry.hpp"
#include "overseer/core/tournament.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// What a scheduler answers a running trial's report with. Exploit (PBT): the trial stops, and
// continues from another trial's newest checkpoint with that trial's hyperparameters perturbed
// (see Scheduler::explore); when the source is the trial itself (ltfb's perturb), from its own.
// Wait: the answer comes later, from Scheduler::released(). Tournament (LTFB): the trial meets
// why["partner"], whose snapshot of the same step the master names in its answer.
enum class Verdict { Continue, Stop, Exploit, Wait, Tournament };

std::string to_string(Verdict verdict);

// When a trial's reports wait for the scheduler's verdict: at every step, or at the first step
// at or after each of `milestones`. Sent with the task (see TrialReporter).
struct AnswerSteps {
  bool every = false;
  std::vector<std::int64_t> milestones;
  json to_json() const;
  // Milestones at every multiple of `interval` below `max_resource`.
  static AnswerSteps every_interval(std::int64_t interval, std::int64_t max_resource);
};

// The options every scheduler shares, from the campaign's `scheduler` object.
struct SchedulerOptions {
  std::string name;
  std::string resource = "epochs";  // the model parameter that says how long a trial trains
  std::int64_t min_resource = 1;
  std::int64_t max_resource = 0;
  std::int64_t reduction_factor = 3;
  std::int64_t grace_steps = 0;
  bool minimize = true;
  // From the campaign, for schedulers that change hyperparameters (pbt).
  SearchSpace space;
  std::uint64_t seed = 0;
  std::int64_t checkpoint_every = 0;  // the campaign's checkpoint.every_steps
  std::int64_t budget = 0;            // the campaign's search.budget
};

// A verdict that a scheduler held back (Verdict::Wait) and gives now.
struct ReleasedVerdict {
  TrialId trial = 0;
  std::int64_t step = 0;
  Verdict verdict = Verdict::Continue;
  json why;
};

// Decides on running trials from their progress (docs/schedulers.md). Its state must be a
// function of what it observed, in order: --resume rebuilds it by replaying the journal's
// progress records through observe(), and never asks decide() again for what was decided.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual AnswerSteps answer_steps(TrialId trial) const = 0;
  // Takes in a report (the objective's value after `step`); a NaN value is ignored.
  virtual void observe(TrialId trial, std::int64_t step, double value) = 0;
  // The verdict on the report just observed, when the trial waits for one at `step`. Returns a
  // description of why (the rung, the median) in `why`, for the journal.
  virtual Verdict decide(TrialId trial, std::int64_t step, double value, json& why) = 0;
  // The trial has its final result (replayed on --resume as well): it takes part in no more
  // decisions.
  virtual void ended(TrialId /*trial*/) {}
  // After an Exploit verdict for `trial` at `step`: the hyperparameters it continues with, from
  // those of the trial it copies (why["source"]). A function of its arguments, so that the
  // journal's record of it is what a replay would compute.
  virtual json explore(const json& source_params, TrialId trial, std::int64_t step) const {
    (void)trial;
    (void)step;
    return source_params;
  }
  // The verdicts held back by decide() that are due now, after an observe() or ended().
  virtual std::vector<ReleasedVerdict> released() { return {}; }
  // The trial's part in a tournament (ltfb), sent with its task; none for other schedulers.
  virtual std::optional<TournamentPlan> tournament_plan(TrialId /*trial*/) const {
    return std::nullopt;
  }
  // How many trials must train at the same time, or the campaign waits forever; 0: any.
  virtual std::int64_t trains_together() const { return 0; }
  // The search ended after `created` trials: no trial beyond them will report.
  virtual void no_more_trials(std::int64_t /*created*/) {}
  // A trial's tournament at `step` ended (won: it kept its own weights). Exploit, with
  // why["source"] the trial itself, makes it go on with hyperparameters from explore().
  virtual Verdict after_tournament(TrialId /*trial*/, std::int64_t /*step*/, bool /*won*/,
                                   json& /*why*/) {
    return Verdict::Continue;
  }
};

struct SchedulerEntry {
  // Option names the scheduler accepts besides the common ones.
  std::vector<std::string> options;
  // Builds the scheduler; throws InputError (through `view`) for bad options.
  std::function<std::unique_ptr<Scheduler>(const SchedulerOptions&, const JsonView& view)> create;
};

using SchedulerRegistry = Registry<SchedulerEntry>;

// The campaign's scheduler, or null for none (no `scheduler`, or name "none"). Checks the
// options against the registry and the model's resource parameter against the campaign: it must
// not be searched, and a fixed value must equal max_resource. Throws InputError.
std::unique_ptr<Scheduler> make_scheduler(const Campaign& campaign);
// The `interval` option of a scheduler that acts every `interval` steps on the trials'
// checkpoints (pbt, ltfb): 1 to max_resource - 1, a multiple of checkpoint.every_steps.
// `needs` says why checkpoints are needed, for the error. Throws InputError.
std::int64_t interval_option(const SchedulerOptions& options, const JsonView& view,
                             std::int64_t default_interval, const std::string& needs);
// The common options of the campaign's scheduler, checked as make_scheduler checks them.
SchedulerOptions scheduler_options(const Campaign& campaign);

}  // namespace overseer
