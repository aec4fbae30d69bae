#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/json_view.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// What a searcher does with a trial that produced no usable value (failed, timed out, NaN):
// `search.on_failure` is "ignore" (the default: learn nothing from it) or "worst" (count it as
// the worst value seen so far, which steers model-based and evolutionary searches away from
// regions that crash).
enum class FailurePolicy { Ignore, Worst };

// Reads `on_failure` from the `search` object (a common option of every algorithm).
FailurePolicy failure_policy(const JsonView& search);

// The finished trials a model-based or evolutionary searcher learns from, with the objective as
// a loss to minimize whatever the campaign's mode. A trial a scheduler stopped counts with the
// value it had reached, at the step it had reached. Failures are dropped or imputed per the
// policy; a failure that arrives before any success waits until the first success gives it a
// value to take.
class Observations {
 public:
  struct Entry {
    json params;
    double loss;
    bool imputed;
    TrialId trial;           // lets a searcher tie a value that arrives late (imputed) to its point
    std::int64_t step = -1;  // the last step the trial reported; -1: it reported none
  };

  Observations(ObjectiveMode mode, FailurePolicy policy) : mode_(mode), policy_(policy) {}

  void add(const TrialRecord& trial);
  const std::vector<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // The best loss among real (not imputed) values; absent until one arrives.
  std::optional<double> best_loss() const { return best_; }
  std::optional<double> worst_loss() const { return worst_; }
  // The loss a value of the campaign's objective stands for.
  double loss_of(double objective) const;
  // The step an entry must have reached to be compared with the others: the highest step that at
  // least `min_points` real entries reached (as BOHB fits its model on the largest budget with
  // enough results), so that a value after 3 epochs is not taken for one after 50 while enough
  // trials trained longer. -1 when none did: every entry counts.
  std::int64_t comparable_step(std::size_t min_points) const;
  // Whether `entry` counts at `comparable_step`: it reached it, or carries no step (an imputed
  // failure, a model that reports no progress).
  static bool counts_at(const Entry& entry, std::int64_t step) {
    return entry.imputed || entry.step < 0 || entry.step >= step;
  }

 private:
  ObjectiveMode mode_;
  FailurePolicy policy_;
  std::vector<Entry> entries_;
  std::vector<TrialRecord> waiting_;  // failures with nothing to impute yet
  std::optional<double> best_, worst_;
};

}  // namespace overseer
