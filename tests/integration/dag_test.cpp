// Campaigns of trials that depend on trials (search algorithm dag) through the real binary: the
// order in which they run, warm starts from a parent's checkpoint, failed parents, the
// incremental-learning tree and its tree.csv, and a resume in the middle of a tree.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "input_error.hpp"
#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;
namespace fs = std::filesystem;

namespace {

json curve_campaign(const json& search, double step_s = 0) {
  return {{"name", "dag"},
          {"model",
           {{"name", "curve"}, {"params", {{"target", 0.5}, {"epochs", 4}, {"step_s", step_s}}}}},
          {"search", search}};
}

fs::path write_campaign(const ScratchDir& dir, const json& campaign) {
  write_text(dir / "c.json", campaign.dump(2));
  return dir / "c.json";
}

ProcessResult run_campaign(const ScratchDir& dir, const json& campaign, int workers,
                           std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run",       write_campaign(dir, campaign).string(),
                                   "--workers", std::to_string(workers),
                                   "--out",     (dir / "run").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(overseer_command(args), dir.path());
}

struct Node {
  std::int64_t trial = -1;
  json created, result;
  std::map<std::int64_t, double> loss;  // by step, the last attempt's
};

// By node id (the trial's label).
std::map<std::string, Node> nodes_of(const fs::path& run) {
  std::map<std::string, Node> nodes;
  std::map<std::int64_t, std::string> label;
  for (const auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "created") {
      label[r["trial"]] = r["label"];
      nodes[r["label"]].trial = r["trial"];
      nodes[r["label"]].created = r;
    }
    if (r["event"] == "progress") {
      nodes[label.at(r["trial"])].loss[r["step"]] = r["metrics"]["val_loss"];
    }
    if (r["event"] == "result" && r["final"]) {
      EXPECT_TRUE(nodes[label.at(r["trial"])].result.is_null()) << "finished twice: " << r;
      nodes[label.at(r["trial"])].result = r;
    }
  }
  return nodes;
}

// The run's report.html, written by `overseer report`; empty when the command failed.
std::string report_html(const ScratchDir& dir) {
  const ProcessResult report =
      run(overseer_command({"report", (dir / "run").string()}), dir.path());
  EXPECT_EQ(report.exit_code, 0) << report.err;
  return report.exit_code == 0 ? read_text(dir / "run" / "report.html") : std::string();
}

int run_status(const ScratchDir& dir) {
  return run(overseer_command({"status", (dir / "run").string()}), dir.path()).exit_code;
}

}  // namespace

TEST(Dag, AChildStartsAsSoonAsItsParentsFinishWhileASiblingSubtreeStillRuns) {
  ScratchDir dir;
  const json search = {{"algorithm", "dag"},
                       {"nodes",
                        {{{"id", "root"}},
                         {{"id", "quick"}, {"parents", {"root"}}, {"params", {{"epochs", 2}}}},
                         {{"id", "slow"}, {"parents", {"root"}}, {"params", {{"epochs", 40}}}},
                         {{"id", "after-quick"}, {"parents", {"quick"}}},
                         {{"id", "after-both"}, {"parents", {"quick", "slow"}}}}}};
  const ProcessResult r = run_campaign(dir, curve_campaign(search, 0.05), 2);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto nodes = nodes_of(dir / "run");
  ASSERT_EQ(nodes.size(), 5u);
  const auto start = [&](const char* id) { return nodes.at(id).result["start"].get<double>(); };
  const auto end = [&](const char* id) { return nodes.at(id).result["end"].get<double>(); };
  for (const auto& [id, node] : nodes) EXPECT_EQ(node.result["status"], "ok") << id;
  EXPECT_GE(start("quick"), end("root"));
  EXPECT_GE(start("slow"), end("root"));
  // Dataflow, not stages: the quick branch's child runs while the slow sibling trains.
  EXPECT_LT(start("after-quick"), end("slow"));
  EXPECT_GE(start("after-both"), end("slow"));
  EXPECT_EQ(nodes.at("after-both").created["parents"],
            json({nodes.at("quick").trial, nodes.at("slow").trial}));
  // tree.csv lists each node with its parents and stage.
  std::map<std::string, std::map<std::string, std::string>> tree;
  for (const auto& row : csv_rows(dir / "run" / "tree.csv")) tree[row.at("node")] = row;
  ASSERT_EQ(tree.size(), 5u);
  EXPECT_EQ(tree.at("after-both").at("parents"), "quick slow");
  EXPECT_EQ(tree.at("after-both").at("stage"), "2");
  EXPECT_EQ(tree.at("root").at("stage"), "0");
  EXPECT_EQ(tree.at("slow").at("status"), "ok");
  // The report draws it under its first parent and names the other.
  const std::string html = report_html(dir);
  EXPECT_NE(html.find("after-both <b>"), std::string::npos);
  EXPECT_NE(html.find("</span> <small>also from slow</small>"), std::string::npos);
}

TEST(Dag, AWarmStartBeginsFromTheParentsFinalState) {
  ScratchDir dir;
  const json search = {
      {"algorithm", "dag"},
      {"nodes",
       {{{"id", "parent"}, {"params", {{"target", 0.1}, {"rate", 0.5}}}},
        {{"id", "child"},
         {"parents", {"parent"}},
         {"warm_start", "parent"},
         {"params", {{"target", 0.9}, {"rate", 0.2}}}},
        {{"id", "cold"}, {"parents", {"parent"}}, {"params", {{"target", 0.9}}}}}}};
  const ProcessResult r = run_campaign(dir, curve_campaign(search), 2);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto nodes = nodes_of(dir / "run");
  const double final_value = nodes.at("parent").result["value"];
  // The child's value before its first step is the parent's final one, and from there it
  // follows its own curve.
  ASSERT_TRUE(nodes.at("child").loss.count(0));
  EXPECT_DOUBLE_EQ(nodes.at("child").loss.at(0), final_value);
  EXPECT_NEAR(nodes.at("child").loss.at(1), 0.9 + (final_value - 0.9) * std::exp(-0.2), 1e-12);
  EXPECT_EQ(nodes.at("child").created["warm_start"], nodes.at("parent").trial);
  // Without a warm start a child starts from its own beginning.
  EXPECT_FALSE(nodes.at("cold").loss.count(0));
  EXPECT_DOUBLE_EQ(nodes.at("cold").loss.at(1), 0.9 + 1.0 * std::exp(-0.3));
}

TEST(Dag, AFailedParentSkipsOrFailsItsSubtree) {
  const json nodes = {{{"id", "root"}},
                      {{"id", "bad"}, {"parents", {"root"}}, {"params", {{"rate", -1}}}},
                      {{"id", "under-bad"}, {"parents", {"bad"}}},
                      {{"id", "deep"}, {"parents", {"under-bad"}}},
                      {{"id", "good"}, {"parents", {"root"}}, {"params", {{"step_s", 0.05}}}},
                      {{"id", "both"}, {"parents", {"bad", "good"}}}};
  for (const char* policy : {"skip", "fail"}) {
    ScratchDir dir;
    const json search = {{"algorithm", "dag"}, {"nodes", nodes}, {"failed_parent", policy}};
    const ProcessResult r = run_campaign(dir, curve_campaign(search), 2);
    ASSERT_EQ(r.exit_code, 0) << policy << r.err;
    const auto run = nodes_of(dir / "run");
    EXPECT_EQ(run.at("bad").result["status"], "failed") << policy;
    EXPECT_EQ(run.at("good").result["status"], "ok") << policy;
    std::map<std::string, std::map<std::string, std::string>> tree;
    for (const auto& row : csv_rows(dir / "run" / "tree.csv")) tree[row.at("node")] = row;
    ASSERT_EQ(tree.size(), 6u) << policy;
    // A node under a failed and a slower good parent is settled once both are: the journal
    // names both, and replays (status reads it).
    EXPECT_EQ(run_status(dir), 0) << policy;
    if (std::string(policy) == "skip") {
      EXPECT_FALSE(run.count("under-bad"));
      EXPECT_EQ(tree.at("under-bad").at("status"), "skipped");
      EXPECT_EQ(tree.at("deep").at("status"), "skipped");
      EXPECT_EQ(tree.at("deep").at("parents"), "under-bad");
      EXPECT_EQ(tree.at("deep").at("stage"), "3");
    } else {
      // Failed without running: no progress, and a message naming the failed parent.
      for (const char* id : {"under-bad", "deep"}) {
        EXPECT_EQ(run.at(id).result["status"], "failed") << id;
        EXPECT_TRUE(run.at(id).loss.empty()) << id;
      }
      EXPECT_EQ(run.at("under-bad").result["message"], "its parent \"bad\" failed");
      EXPECT_EQ(run.at("both").created["parents"],
                json({run.at("bad").trial, run.at("good").trial}));
      EXPECT_EQ(run.at("both").result["status"], "failed");
      EXPECT_EQ(run.at("deep").result["message"], "its parent \"under-bad\" failed");
    }
  }
}

TEST(Dag, TheIncrementalTreeOfThreeSubsetsAndTwoStages) {
  ScratchDir dir;
  const json search = {{"algorithm", "dag"},
                       {"generator", {{"kind", "incremental"}, {"subsets", 3}, {"stages", 2}}}};
  const ProcessResult r = run_campaign(dir, curve_campaign(search), 3);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::map<std::string, std::string>> tree;
  for (const auto& row : csv_rows(dir / "run" / "tree.csv")) tree[row.at("node")] = row;
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"root", {"", ""}},    {"1", {"root", "1"}},  {"2", {"root", "2"}},  {"3", {"root", "3"}},
      {"1.2", {"1", "1 2"}}, {"1.3", {"1", "1 3"}}, {"2.1", {"2", "2 1"}}, {"2.3", {"2", "2 3"}},
      {"3.1", {"3", "3 1"}}, {"3.2", {"3", "3 2"}}};
  ASSERT_EQ(tree.size(), expected.size());
  for (const auto& [node, parent_and_held] : expected) {
    ASSERT_TRUE(tree.count(node)) << node;
    const auto& row = tree.at(node);
    EXPECT_EQ(row.at("parents"), parent_and_held.first) << node;
    EXPECT_EQ(row.at("held_out"), parent_and_held.second) << node;
    EXPECT_EQ(row.at("stage"),
              std::to_string(std::count(node.begin(), node.end(), '.') + (node == "root" ? 0 : 1)))
        << node;
    EXPECT_EQ(row.at("status"), "ok") << node;
  }
  // The report draws the tree, each node with its value.
  const std::string html = report_html(dir);
  EXPECT_NE(html.find("id=\"dag\""), std::string::npos);
  EXPECT_NE(html.find("\">3.2 <b>"), std::string::npos);
  // Every child starts from its parent's final value.
  const auto nodes = nodes_of(dir / "run");
  for (const auto& [node, parent_and_held] : expected) {
    if (node == "root") continue;
    EXPECT_DOUBLE_EQ(nodes.at(node).loss.at(0),
                     nodes.at(parent_and_held.first).result["value"].get<double>())
        << node;
  }
}

TEST(Dag, AResumeInTheMiddleOfATreeFinishesItAsAnUninterruptedRunDoes) {
  ScratchDir dir;
  const json search = {{"algorithm", "dag"},
                       {"generator", {{"kind", "incremental"}, {"subsets", 3}, {"stages", 2}}}};
  ScratchDir whole;
  ASSERT_EQ(run_campaign(whole, curve_campaign(search, 0.05), 3).exit_code, 0);
  const ProcessResult cut =
      run_campaign(dir, curve_campaign(search, 0.05), 3, {"--set", "limits.walltime_s=0.5"});
  ASSERT_EQ(cut.exit_code, 3) << cut.err;
  EXPECT_LT(csv_rows(dir / "run" / "results.csv").size(), 10u);
  const ProcessResult resumed = run(mpirun_command(4, {"run", (dir / "c.json").string(), "--out",
                                                       (dir / "run").string(), "--resume"}),
                                    dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto a = nodes_of(dir / "run"), b = nodes_of(whole / "run");
  ASSERT_EQ(a.size(), 10u);
  for (const auto& [node, n] : b) {
    ASSERT_TRUE(a.count(node)) << node;
    EXPECT_EQ(a.at(node).result["status"], "ok") << node;
    EXPECT_DOUBLE_EQ(a.at(node).result["value"].get<double>(), n.result["value"].get<double>())
        << node;
  }
}

TEST(Dag, BadDagsAndGeneratorsNameTheField) {
  const auto error = [](const json& search, const json& output = json::object()) {
    ScratchDir dir;
    json campaign = curve_campaign(search);
    campaign["output"] = output;
    const ProcessResult r =
        run(overseer_command({"validate", write_campaign(dir, campaign).string()}), dir.path());
    EXPECT_EQ(r.exit_code, 2) << search << r.err;
    // From the file's name on: the scratch directory in front of it differs from run to run.
    const auto at = r.err.find("c.json: ");
    return at == std::string::npos ? r.err : r.err.substr(at);
  };
  const auto nodes = [](json list) { return json{{"algorithm", "dag"}, {"nodes", list}}; };
  const auto generator = [](json g) { return json{{"algorithm", "dag"}, {"generator", g}}; };
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"algorithm", "dag"}},
       "c.json: /search: a dag search needs either nodes (a list) or a generator (an object)"},
      {nodes({{{"id", "a"}}, {{"id", "a"}}}), "c.json: /search/nodes: node \"a\" appears twice"},
      {nodes({{{"id", "a"}, {"parents", {"b"}}}}),
       "c.json: /search/nodes: node \"a\" follows \"b\", which is no node"},
      {nodes({{{"id", "a"}, {"parents", {"b"}}}, {{"id", "b"}}}),
       "c.json: /search/nodes: node \"a\" follows \"b\", which does not come before it"},
      {nodes({{{"id", "a"}, {"warm_start", "parent"}}}),
       "c.json: /search/nodes/0/warm_start: a node without parents"},
      {nodes({{{"id", "a"}, {"warm_start", "sibling"}}}),
       "c.json: /search/nodes/0/warm_start: must be \"parent\" or \"none\""},
      {nodes({{{"id", "a"}, {"after", "b"}}}),
       "c.json: /search/nodes/0/after: unknown field \"after\""},
      {generator({{"kind", "pyramid"}}),
       "c.json: /search/generator/kind: unknown generator \"pyramid\"; available: incremental, "
       "learning_curve"},
      {generator({{"kind", "incremental"}, {"subsets", 1}}),
       "c.json: /search/generator/subsets: subsets must be between 2 and 1000"},
      {generator({{"kind", "incremental"}, {"subsets", 3}, {"stages", 3}}),
       "c.json: /search/generator/stages: stages must be between 1 and subsets - 1 (2)"},
      {{{"algorithm", "dag"}, {"nodes", {{{"id", "a"}}}}, {"failed_parent", "retry"}},
       "c.json: /search/failed_parent: must be \"skip\" or \"fail\""},
      {generator({{"kind", "learning_curve"}, {"sizes", {0.5, 0.2}}}),
       "c.json: /search/generator/sizes/1: sizes must grow"},
      {generator({{"kind", "learning_curve"}, {"sizes", {0.5, 2.5}}}),
       "c.json: /search/generator/sizes/1: a size is a share of the training rows above 0 and "
       "at most 1, or a whole number of rows"},
      {generator({{"kind", "learning_curve"}, {"sizes", {0.5}}, {"num", 3}}),
       "c.json: /search/generator/num: give sizes or num, not both"},
      {generator({{"kind", "learning_curve"}, {"num", 1}}),
       "c.json: /search/generator/num: num must be between 2 and 100"},
      {generator({{"kind", "learning_curve"}, {"smallest", 1}}),
       "c.json: /search/generator/smallest: smallest must be a share above 0 and below 1"},
      {generator({{"kind", "learning_curve"}, {"repeats", 0}}),
       "c.json: /search/generator/repeats: repeats must be between 1 and 1000"},
      {generator({{"kind", "learning_curve"}, {"step", 2}}),
       "c.json: /search/generator/step: unknown field \"step\""}};
  for (const auto& [search, message] : cases) {
    EXPECT_EQ(error(search).rfind(message, 0), 0u) << error(search);
  }
  // Warm starts read the parents' final checkpoints from their trial directories.
  const json incremental = generator({{"kind", "incremental"}, {"subsets", 2}});
  EXPECT_EQ(error(incremental, {{"trial_dirs", false}}),
            "c.json: /output/trial_dirs: warm starts continue from the parents' final "
            "checkpoints in their trial directories: it must be true\n");
  // Only models that can start from another trial's state.
  ScratchDir dir;
  json branin = curve_campaign(incremental);
  branin["model"] = {{"name", "branin"}};
  const ProcessResult r =
      run(overseer_command({"validate", write_campaign(dir, branin).string()}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("c.json: /search: model \"branin\" cannot start from another trial's "
                       "state"),
            std::string::npos)
      << r.err;
}

TEST(Dag, ALearningCurveTrainsGrowingSharesOnOneFixedTestSet) {
  ScratchDir dir;
  const json campaign = {
      {"name", "learning-curve"},
      {"model",
       {{"name", "xgboost"},
        {"params", {{"tree_method", "hist"}, {"nthread", 1}, {"n_estimators", 30}}},
        {"data",
         {{"file", (source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}}}},
      {"search",
       {{"algorithm", "dag"},
        {"generator",
         {{"kind", "learning_curve"}, {"num", 3}, {"smallest", 0.1}, {"repeats", 2}}}}}};
  write_text(dir / "c.json", campaign.dump());
  const ProcessResult r =
      run(mpirun_command(3, {"run", (dir / "c.json").string(), "--out", (dir / "run").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = csv_rows(dir / "run" / "learning_curve.csv");
  ASSERT_EQ(rows.size(), 6u);
  std::map<std::string, std::vector<double>> by_size;  // the two repeats' validation loss
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("status"), "ok");
    by_size[row.at("size")].push_back(std::stod(row.at("metric_val_loss")));
  }
  // Log-spaced from a tenth to all of the training rows.
  ASSERT_EQ(by_size.size(), 3u);
  EXPECT_TRUE(by_size.count("0.1") && by_size.count("1.0"));
  EXPECT_NEAR(std::stod(std::next(by_size.begin())->first), std::sqrt(0.1), 1e-9);
  // More rows, a better model; and every trial is scored on the same validation rows.
  const auto mean = [](const std::vector<double>& v) { return (v[0] + v[1]) / 2; };
  EXPECT_LT(mean(by_size.at("1.0")), mean(by_size.at("0.1")));
  std::set<std::string> val_rows;
  for (const auto& entry : fs::directory_iterator(dir / "run" / "trials")) {
    std::string ids;
    for (const auto& p : csv_rows(entry.path() / "predictions_val.csv")) {
      ids += p.at("cell") + "/" + p.at("drug") + " ";
    }
    val_rows.insert(ids);
  }
  EXPECT_EQ(val_rows.size(), 1u);
  // The report draws the curve with its fitted power law.
  const std::string html = report_html(dir);
  EXPECT_NE(html.find("id=\"training-size\""), std::string::npos);
  EXPECT_NE(html.find("The fitted power law is"), std::string::npos);
}
