#include <functional>

#include "overseer/core/error.hpp"
#include "overseer/schedulers/scheduler.hpp"

namespace overseer {
namespace {

const std::vector<std::string> kCommonOptions = {"name",         "resource",         "min_resource",
                                                 "max_resource", "reduction_factor", "grace_steps"};

JsonView scheduler_view(const Campaign& campaign) {
  return JsonView(campaign.scheduler, campaign.file.string(), json::json_pointer("/scheduler"));
}

const SchedulerEntry& find_entry(const JsonView& view, const std::string& name) {
  const SchedulerEntry* entry = SchedulerRegistry::instance().find(name);
  if (entry == nullptr) {
    view.at("name").fail("unknown scheduler \"" + name + "\"; available: none, " +
                         SchedulerRegistry::instance().names_joined());
  }
  return *entry;
}

}  // namespace

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Stop:
      return "stop";
    case Verdict::Exploit:
      return "exploit";
    case Verdict::Wait:
      return "wait";
    case Verdict::Tournament:
      return "tournament";
    case Verdict::Continue:
      break;
  }
  return "continue";
}

json AnswerSteps::to_json() const {
  if (every) return "every";
  return milestones;
}

AnswerSteps AnswerSteps::every_interval(std::int64_t interval, std::int64_t max_resource) {
  AnswerSteps steps;
  for (std::int64_t s = interval; s < max_resource; s += interval) steps.milestones.push_back(s);
  return steps;
}

SchedulerOptions scheduler_options(const Campaign& campaign) {
  SchedulerOptions o;
  o.minimize = campaign.objective.mode == ObjectiveMode::Min;
  o.space = campaign.space;
  o.seed = campaign.search.seed;
  o.checkpoint_every = campaign.checkpoint.every_steps;
  o.budget = campaign.search.budget.value_or(0);
  if (campaign.scheduler.is_null()) {
    o.name = "none";
    return o;
  }
  const JsonView view = scheduler_view(campaign);
  view.require_object();
  o.name = view.at("name").string();
  if (o.name == "none") return o;
  const SchedulerEntry& entry = find_entry(view, o.name);
  std::vector<std::string> allowed = kCommonOptions;
  allowed.insert(allowed.end(), entry.options.begin(), entry.options.end());
  view.only_keys(allowed);

  o.resource = view.string_or("resource", o.resource);
  if (o.resource.empty()) view.at("resource").fail("must name a model parameter");
  for (const auto& p : campaign.space.parameters()) {
    if (p.name == o.resource) {
      throw InputError(p.file, p.pointer,
                       "\"" + o.resource +
                           "\" is the scheduler's resource (/scheduler/resource): the scheduler "
                           "decides how long each trial trains, so it cannot be searched");
    }
  }
  const json& fixed = campaign.model.params;
  const auto it = fixed.find(o.resource);
  if (it != fixed.end() && !it->is_number_integer()) {
    throw InputError(campaign.file.string(), "/model/params/" + o.resource,
                     "the scheduler's resource must be a whole number");
  }
  o.max_resource = view.integer_or("max_resource", it != fixed.end() ? it->get<std::int64_t>() : 0);
  if (o.max_resource < 1) {
    (view.find("max_resource") ? view.at("max_resource") : view)
        .fail("max_resource must be at least 1 (or set model.params." + o.resource + ")");
  }
  if (it != fixed.end() && it->get<std::int64_t>() != o.max_resource) {
    throw InputError(campaign.file.string(), "/model/params/" + o.resource,
                     "is " + it->dump() + " but /scheduler/max_resource is " +
                         std::to_string(o.max_resource) + ": trials train to max_resource");
  }
  o.min_resource = view.integer_or("min_resource", o.min_resource);
  if (o.min_resource < 1 || o.min_resource > o.max_resource) {
    view.at("min_resource")
        .fail("min_resource must be between 1 and max_resource (" + std::to_string(o.max_resource) +
              ")");
  }
  o.reduction_factor = view.integer_or("reduction_factor", o.reduction_factor);
  if (o.reduction_factor < 2)
    view.at("reduction_factor").fail("reduction_factor must be at least 2");
  o.grace_steps = view.integer_or("grace_steps", o.grace_steps);
  if (o.grace_steps < 0) view.at("grace_steps").fail("grace_steps must not be negative");
  return o;
}

std::int64_t interval_option(const SchedulerOptions& o, const JsonView& view,
                             std::int64_t default_interval, const std::string& needs) {
  const std::int64_t interval = view.integer_or("interval", default_interval);
  if (interval < 1 || interval >= o.max_resource) {
    (view.find("interval") ? view.at("interval") : view)
        .fail("interval must be between 1 and max_resource - 1 (" +
              std::to_string(o.max_resource - 1) + ")");
  }
  if (o.checkpoint_every < 1 || interval % o.checkpoint_every != 0) {
    view.fail(needs + ": set checkpoint.every_steps to a divisor of the interval (" +
              std::to_string(interval) + ")");
  }
  return interval;
}

std::unique_ptr<Scheduler> make_scheduler(const Campaign& campaign) {
  const SchedulerOptions options = scheduler_options(campaign);
  if (options.name == "none") return nullptr;
  const JsonView view = scheduler_view(campaign);
  return find_entry(view, options.name).create(options, view);
}

}  // namespace overseer
