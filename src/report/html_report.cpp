#include "overseer/report/html_report.hpp"

#include <fmt/format.h>

#include "overseer/core/error.hpp"
#include "overseer/report/svg.hpp"
#include "overseer/store/results_export.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 32px;color:#222}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:12px 0 4px}nav a{margin-right:12px}.note{color:#555;max-width:900px}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #eee;padding:4px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}.running{color:#b35c00}.failed{color:#b00020}
svg text{font:11px system-ui,sans-serif;fill:#333}svg .label{font-size:12px;fill:#111}
svg .cell{font-size:11px;text-anchor:middle}svg .count{font-size:9px;text-anchor:middle}
svg text.on-dark{fill:#fff}
svg .plot{fill:#fcfcfc;stroke:#bbb}svg .grid{stroke:#eee}svg .series{fill:none;stroke-width:1.8}
svg .series.faded{stroke-width:1;stroke-opacity:.45}
svg .reference{stroke:#888;stroke-dasharray:4 3}svg .empty{fill:#f1f1f1}svg .point{fill-opacity:.75}
)css";

// The values each searched parameter took in the successful trials, for its axis.
std::vector<ParameterAxis> parameter_axes(const RunHistory& h,
                                          const std::vector<const TrialRecord*>& succeeded) {
  std::vector<ParameterAxis> axes;
  for (const auto& name : result_columns(h.campaign.space, h.finished).params) {
    std::vector<json> observed;
    for (const TrialRecord* t : succeeded) {
      if (t->params.contains(name)) observed.push_back(t->params[name]);
    }
    ParameterAxis axis(name, h.campaign.space.find(name), observed);
    if (axis.labels().size() >= 2) axes.push_back(std::move(axis));
  }
  return axes;
}

void check_pairs(const ReportContext& c) {
  const auto known = [&](const std::string& name) {
    for (const auto& a : c.parameters) {
      if (a.name() == name) return true;
    }
    return false;
  };
  std::string names;
  for (const auto& a : c.parameters) names += (names.empty() ? "" : ", ") + a.name();
  for (const auto& [x, y] : c.requested_pairs) {
    for (const auto& name : {x, y}) {
      if (!known(name)) {
        throw InputError("--pair", "",
                         "no parameter \"" + name + "\" with two or more values in this run " +
                             "(parameters: " + (names.empty() ? "none" : names) + ")");
      }
    }
  }
}

std::string header(const ReportContext& c) {
  const Campaign& campaign = c.history.campaign;
  std::string out = "<h1>" + escape(campaign.name) + "</h1>";
  if (!campaign.description.empty()) {
    out += "<p class=\"note\">" + escape(campaign.description) + "</p>";
  }
  if (c.statistics.state == RunState::Running) {
    out += "<p class=\"running\">This campaign is still running. The report shows the " +
           std::to_string(c.statistics.finished) +
           " results journaled so far; run <code>overseer report</code> again for newer "
           "ones.</p>";
  }
  return out;
}

}  // namespace

std::string note(const std::string& html) {
  return "<p class=\"note\">" + html + "</p>";
}

std::string chart(const std::string& svg) {
  return "<div class=\"chart\">" + svg + "</div>";
}

std::string html_page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\">"
      "<title>{}</title><style>{}</style></head>\n<body>{}</body></html>\n",
      escape(title), kStyle, body);
}

std::string html_report(const RunHistory& history, const RunStatistics& statistics,
                        const ReportOptions& options) {
  ReportContext context{history, statistics, {}, {}, options.pairs};
  for (const auto& t : history.finished) {
    if (t.result.status == TrialStatus::Ok) context.succeeded.push_back(&t);
  }
  context.parameters = parameter_axes(history, context.succeeded);
  check_pairs(context);

  struct Section {
    const char* id;
    const char* title;
    std::string (*render)(const ReportContext&);
  };
  const Section sections[] = {
      {"summary", "Summary", summary_section},
      {"convergence", "Convergence", convergence_section},
      {"learning-curves", "Learning curves", learning_curve_section},
      {"training-size", "Learning curve over the training size", training_size_section},
      {"dag", "Trials that depend on trials", dag_section},
      {"errors", "Errors of the best trial", errors_section},
      {"rungs", "Rungs", rung_section},
      {"population", "Population (pbt, ltfb)", population_section},
      {"heatmaps", "Parameter pairs", heatmap_section},
      {"parameters", "Parameters", parameter_section},
      {"generations", "GA generations", generations_section},
      {"workers", "Workers", occupancy_section},
      {"cmp", "Model comparison", cmp_section},
      {"cross-study", "Cross-study", cross_study_section}};
  std::string nav, body;
  for (const Section& s : sections) {
    const std::string html = s.render(context);
    if (html.empty()) continue;
    nav += fmt::format("<a href=\"#{}\">{}</a>", s.id, s.title);
    body += fmt::format("<section id=\"{}\"><h2>{}</h2>{}</section>\n", s.id, s.title, html);
  }
  return html_page(
      history.campaign.name + " — Overseer report",
      fmt::format("{}<nav>{}</nav>\n{}<footer class=\"note\">Written by overseer report from {} "
                  "at {}.</footer>",
                  header(context), nav, body, escape((history.dir / "journal.jsonl").string()),
                  iso8601(unix_time_now())));
}

}  // namespace overseer::report
