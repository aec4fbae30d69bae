// `overseer sites`, `overseer submit --dry-run`, and `overseer run --site` under mpirun: device
// binding recorded per trial, per-rank directories, staging to node-local storage, and the
// site's container runtime for external models.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <sstream>

#include "input_error.hpp"
#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;

namespace {

// Final result records of a run, by trial id.
std::map<std::int64_t, json> final_results(const std::filesystem::path& run) {
  std::map<std::int64_t, json> out;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "result" && r["final"]) out[r["trial"].get<std::int64_t>()] = r;
  }
  return out;
}

// A sleep campaign of `budget` short trials in `dir`, with extra top-level fields.
std::filesystem::path sleep_campaign(const ScratchDir& dir, int budget,
                                     json extra = json::object()) {
  json doc = {{"name", "sites-test"},
              {"model", {{"name", "sleep"}, {"params", {{"duration", 0.02}}}}},
              {"search", {{"algorithm", "random"}, {"budget", budget}, {"seed", 1}}},
              {"space", {{{"name", "value"}, {"type", "float"}, {"lower", 0}, {"upper", 1}}}}};
  doc.update(extra);
  write_text(dir / "campaign.json", doc.dump(2));
  return dir / "campaign.json";
}

// A site without GPUs whose node-local storage is `node_local`: on one machine, every rank's.
void write_staging_site(const ScratchDir& dir, const std::filesystem::path& node_local) {
  write_text(dir / "staging-site.json", json({{"name", "staging"},
                                              {"scheduler", "none"},
                                              {"layout", {{"ranks_per_node", 3}}},
                                              {"launcher", {"mpirun"}},
                                              {"scratch", node_local.string()}})
                                            .dump());
}

std::vector<std::string> nul_separated(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::istringstream in(read_text(file));
  for (std::string item; std::getline(in, item, '\0');) out.push_back(item);
  return out;
}

}  // namespace

TEST(SitesCommand, ListsEveryBundledSite) {
  const auto r = run(overseer_command({"sites"}), source_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name :
       {"aurora", "frontier", "laptop", "laptop-slurm", "perlmutter", "polaris"}) {
    EXPECT_NE(r.out.find(std::string(name) + "\t"), std::string::npos) << name << "\n" << r.out;
  }
  const auto frontier = run(overseer_command({"sites", "frontier"}), source_dir());
  EXPECT_EQ(frontier.exit_code, 0) << frontier.err;
  EXPECT_NE(frontier.out.find("8 x AMD Instinct MI250X GCD (ROCm, ROCR_VISIBLE_DEVICES)"),
            std::string::npos)
      << frontier.out;
}

TEST(SitesCommand, ABrokenSiteFileIsAnInputError) {
  ScratchDir dir;
  write_text(dir / "bad.json",
             R"({"name": "bad", "scheduler": "slurm", "node": {"gpus": 4, "gpu_runtime": "cuda"},
                 "binding": {"variable": "CUDA_VISIBLE_DEVICES"}, "launcher": ["srun", "{rank}"]})");
  expect_input_error(run(overseer_command({"sites", (dir / "bad.json").string()}), dir.path()),
                     (dir / "bad.json").string() + ": /launcher/1: unknown placeholder {rank}");
  expect_input_error(
      run(overseer_command({"submit", workflow("sleep.json").string(), "--site", "summit",
                            "--nodes", "1", "--time", "00:10:00", "--dry-run"}),
          dir.path()),
      "<command line>: --site: unknown site \"summit\"");
}

// Slurm tells the job ahead of its end with a signal; PBS cannot, so the campaign is given a
// wall time of its own that ends --drain-before seconds ahead of the job's.
TEST(Submit, TheJobAsksToBeToldBeforeItsWallTime) {
  ScratchDir dir;
  const auto submit = [&](const std::string& site, const std::string& out,
                          std::vector<std::string> extra) {
    std::vector<std::string> args = {"submit",
                                     workflow("sleep.json").string(),
                                     "--site",
                                     site,
                                     "--nodes",
                                     "1",
                                     "--time",
                                     "01:30:00",
                                     "--dry-run",
                                     "--out",
                                     (dir / out).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run(overseer_command(args), dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_text(dir / out / "submit.sh");
  };
  EXPECT_NE(
      submit("perlmutter", "a", {"--drain-before", "300"}).find("#SBATCH --signal=USR1@300\n"),
      std::string::npos);
  EXPECT_EQ(submit("perlmutter", "b", {"--drain-before", "0"}).find("--signal"), std::string::npos);
  EXPECT_NE(submit("polaris", "c", {}).find(" --set limits.walltime_s=5280\n"), std::string::npos);
  EXPECT_EQ(submit("polaris", "d", {"--drain-before", "0"}).find("walltime_s"), std::string::npos);
}

TEST(Submit, DryRunWritesTheScriptAndTheSiteIntoTheRunDirectory) {
  ScratchDir dir;
  const auto out = dir / "run";
  const auto r = run(
      overseer_command({"submit", workflow("sleep.json").string(), "--site", "frontier", "--nodes",
                        "2", "--time", "02:00:00", "--account", "ABC123", "--out", out.string(),
                        "--dry-run", "--set", "search.budget=20", "--workers-per-gpu", "2"}),
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, (out / "submit.sh").string() + ": 2 node(s), 32 ranks on site frontier\n");
  const std::string script = read_text(out / "submit.sh");
  for (const std::string line :
       {"#SBATCH --nodes=2", "#SBATCH --time=02:00:00", "#SBATCH --account=ABC123",
        "#SBATCH --partition=batch", "#SBATCH --constraint=nvme", "module load PrgEnv-gnu",
        "srun --nodes=2 --ntasks=32 --ntasks-per-node=16 --cpus-per-task=3"}) {
    EXPECT_NE(script.find(line), std::string::npos) << line << "\n" << script;
  }
  EXPECT_NE(script.find(" run " + workflow("sleep.json").string() + " --out " + out.string() +
                        " --site " + (out / "site.json").string() + " --set search.budget=20\n"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("#SBATCH --signal=USR1@120\n"), std::string::npos) << script;
  EXPECT_EQ(json::parse(read_text(out / "site.json"))["layout"]["workers_per_gpu"], 2);
  EXPECT_EQ(run({"bash", "-n", (out / "submit.sh").string()}, dir.path()).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(out / "journal.jsonl"));

  expect_input_error(
      run(overseer_command({"submit", workflow("sleep.json").string(), "--site", "polaris",
                            "--nodes", "1", "--time", "01:00:00", "--dry-run", "--out",
                            (dir / "r2").string(), "--gpus-per-worker", "3"}),
          dir.path()),
      (source_dir() / "sites" / "polaris.json").string() +
          ": /layout/gpus_per_worker: 4 GPUs per node cannot be split into groups of 3");
}

namespace {

// A made-up node with two GPUs on this CPU-only machine: the variables are set, nothing reads
// them, and the journal shows which device each trial's worker had.
void write_two_gpu_site(const ScratchDir& dir) {
  write_text(dir / "two-gpus.json",
             json({{"name", "two-gpus"},
                   {"scheduler", "none"},
                   {"node", {{"gpus", 2}, {"gpu_runtime", "cuda"}, {"gpu_kind", "test"}}},
                   {"binding", {{"variable", "CUDA_VISIBLE_DEVICES"}, {"devices", {"7", "5"}}}},
                   {"rank_env", {{"OVERSEER_RANK_DIR", (dir / "rank-{local_rank}").string()}}},
                   {"rank_dirs", {"OVERSEER_RANK_DIR"}},
                   {"launcher", {"mpirun"}}})
                 .dump());
}

// Runs the campaign on 3 ranks (a master and two workers) on that site; the final results.
auto run_on_two_gpu_site(const ScratchDir& dir, const std::filesystem::path& campaign) {
  const auto r = run(mpirun_command(3, {"run", campaign.string(), "--out", (dir / "run").string(),
                                        "--site", (dir / "two-gpus.json").string()}),
                     dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return final_results(dir / "run");
}

}  // namespace

TEST(RunWithSite, EachTrialRecordsItsWorkersDevices) {
  ScratchDir dir;
  write_two_gpu_site(dir);
  const auto results = run_on_two_gpu_site(dir, sleep_campaign(dir, 12));
  ASSERT_EQ(results.size(), 12u);
  std::set<int> ranks;
  for (const auto& [id, record] : results) {
    // Local ranks 1 and 2 (the workers) get slots 1 and 0: devices "5" and "7".
    const int rank = record["rank"];
    EXPECT_EQ(record["devices"], rank == 1 ? "5" : "7") << record.dump();
    ranks.insert(rank);
  }
  EXPECT_EQ(ranks, (std::set<int>{1, 2}));
  for (int local = 0; local < 3; ++local) {
    EXPECT_TRUE(std::filesystem::is_directory(dir / ("rank-" + std::to_string(local)))) << local;
  }
  EXPECT_NE(read_text(dir / "run" / "results.csv").find(",host,devices,"), std::string::npos);
}

// The worker sees its GPU as cuda:0; an external program must still get the node's GPU 5 or 7
// in CUDA_VISIBLE_DEVICES, or every rank's trials would share GPU 0.
TEST(RunWithSite, AnExternalProgramGetsItsWorkersGpu) {
  ScratchDir dir;
  write_two_gpu_site(dir);
  write_text(dir / "train.sh",
             "#!/bin/sh\necho \"IMPROVE_RESULT $CUDA_VISIBLE_DEVICES\"\nexit $(( $1 != "
             "$CUDA_VISIBLE_DEVICES ))\n");
  ::chmod((dir / "train.sh").c_str(), 0755);
  const auto campaign =
      sleep_campaign(dir, 6,
                     {{"model",
                       {{"name", "command"},
                        {"data", {{"argv", {(dir / "train.sh").string(), "{visible_devices}"}}}}}},
                      {"space", {{{"name", "x"}, {"type", "int"}, {"lower", 1}, {"upper", 9}}}}});
  const auto results = run_on_two_gpu_site(dir, campaign);
  ASSERT_EQ(results.size(), 6u);
  for (const auto& [id, record] : results) {
    ASSERT_EQ(record["status"], "ok") << record.dump();
    EXPECT_EQ(std::to_string(record["value"].get<int>()), record["devices"].get<std::string>())
        << record.dump();
  }
}

TEST(Staging, FilesAndDirectoriesReachNodeLocalStorageAndTrialsUseTheCopies) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "inputs" / "deep");
  write_text(dir / "inputs" / "deep" / "table.txt", "a b c\n");
  std::filesystem::copy_file(source_dir() / "data" / "nci60.h5", dir / "nci60.h5");
  const auto node_local = dir / "node-local";
  write_staging_site(dir, node_local);
  const auto campaign = sleep_campaign(
      dir, 6,
      {{"model",
        {{"name", "sleep"},
         {"params",
          {{"duration", 0.02}, {"table", "inputs/deep/table.txt"}, {"data", "nci60.h5"}}}}},
       {"stage", {"nci60.h5", "inputs"}}});
  const auto r = run(mpirun_command(3, {"run", campaign.string(), "--out", (dir / "run").string(),
                                        "--site", (dir / "staging-site.json").string()}),
                     dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto staged = node_local / "overseer-sites-test";
  EXPECT_EQ(read_text(staged / "nci60.h5"), read_text(dir / "nci60.h5"));
  EXPECT_EQ(read_text(staged / "inputs" / "deep" / "table.txt"), "a b c\n");
  ASSERT_EQ(final_results(dir / "run").size(), 6u);
  for (const auto& [id, record] : final_results(dir / "run")) {
    EXPECT_EQ(record["status"], "ok") << record.dump();
    const json params =
        json::parse(read_text(dir / "run" / "trials" / std::to_string(id) / "params.json"));
    EXPECT_EQ(params["table"], (staged / "inputs" / "deep" / "table.txt").string());
    EXPECT_EQ(params["data"], (staged / "nci60.h5").string());
  }
  // The campaign as stored keeps the paths as written: staging is no part of its identity.
  const json stored = json::parse(read_text(dir / "run" / "campaign.json"));
  EXPECT_EQ(stored["model"]["params"]["data"], "nci60.h5");
  EXPECT_EQ(stored["stage"], json({"nci60.h5", "inputs"}));
}

TEST(Staging, DrugResponseTrialsTrainOnTheStagedDataset) {
  ScratchDir dir;
  std::filesystem::copy_file(source_dir() / "data" / "nci60.h5", dir / "nci60.h5");
  const auto node_local = dir / "node-local";
  write_staging_site(dir, node_local);
  const auto campaign = sleep_campaign(
      dir, 2,
      {{"model",
        {{"name", "xgboost"},
         {"params", {{"n_estimators", 5}, {"nthread", 1}}},
         {"data", {{"file", "nci60.h5"}, {"split", "original"}}}}},
       {"space", {{{"name", "max_depth"}, {"type", "int"}, {"lower", 2}, {"upper", 4}}}},
       {"stage", {"nci60.h5"}}});
  const auto r = run(mpirun_command(3, {"run", campaign.string(), "--out", (dir / "run").string(),
                                        "--site", (dir / "staging-site.json").string()}),
                     dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(node_local / "overseer-sites-test" / "nci60.h5"),
            read_text(dir / "nci60.h5"));
  for (const auto& [id, record] : final_results(dir / "run")) {
    EXPECT_EQ(record["status"], "ok") << record.dump();
  }
}

// A site whose container runtime is tests/support/fake-apptainer, which records its argv and
// runs the program after the image. A campaign that names only an image runs its program
// through it, on MPI ranks and on worker threads; a launcher of the campaign's own wins.
TEST(RunWithSite, AnImageWithoutALauncherRunsInTheSitesContainerRuntime) {
  ScratchDir dir;
  const auto fake_apptainer = source_dir() / "tests" / "support" / "fake-apptainer";
  write_text(dir / "containers.json",
             json({{"name", "containers"},
                   {"scheduler", "none"},
                   {"layout", {{"ranks_per_node", 3}}},
                   {"launcher", {"mpirun"}},
                   {"container",
                    {{"runtime", "apptainer"},
                     {"exec", {fake_apptainer.string(), "exec", "--nv", "{image}"}}}}})
                 .dump());
  write_text(dir / "model.sif", "an image");
  write_text(dir / "train.sh",
             "#!/bin/sh\necho \"launched by: ${LAUNCHED_BY:-the site}\"\necho \"IMPROVE_RESULT "
             "$1\"\n");
  ::chmod((dir / "train.sh").c_str(), 0755);
  const auto campaign = sleep_campaign(
      dir, 4,
      {{"model",
        {{"name", "command"},
         {"data", {{"image", "model.sif"}, {"argv", {(dir / "train.sh").string(), "{x}"}}}}}},
       {"space", {{{"name", "x"}, {"type", "int"}, {"lower", 1}, {"upper", 9}}}}});
  const auto trial_dir = [&](const std::string& run, std::int64_t id) {
    return dir / run / "trials" / std::to_string(id);
  };
  const auto expect_launched_by_the_site = [&](const std::string& run) {
    const auto results = final_results(dir / run);
    ASSERT_EQ(results.size(), 4u) << run;
    for (const auto& [id, record] : results) {
      ASSERT_EQ(record["status"], "ok") << record.dump();
      const std::string x = std::to_string(record["value"].get<int>());
      EXPECT_EQ(nul_separated(trial_dir(run, id) / "launcher_argv"),
                (std::vector<std::string>{"exec", "--nv", (dir / "model.sif").string(),
                                          (dir / "train.sh").string(), x}));
      EXPECT_NE(read_text(trial_dir(run, id) / "model.log").find("launched by: the site"),
                std::string::npos);
    }
  };

  const std::string site = (dir / "containers.json").string();
  auto r = run(mpirun_command(
                   3, {"run", campaign.string(), "--out", (dir / "mpi").string(), "--site", site}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_launched_by_the_site("mpi");
  r = run(overseer_command({"run", campaign.string(), "--out", (dir / "threads").string(),
                            "--workers", "2", "--site", site}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_launched_by_the_site("threads");

  r = run(
      overseer_command({"run", campaign.string(), "--out", (dir / "own").string(), "--site", site,
                        "--set", R"(model.data.launcher=["env", "LAUNCHED_BY=campaign"])"}),
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(final_results(dir / "own").size(), 4u);
  for (const auto& [id, record] : final_results(dir / "own")) {
    EXPECT_EQ(record["status"], "ok") << record.dump();
    EXPECT_FALSE(std::filesystem::exists(trial_dir("own", id) / "launcher_argv"));
    EXPECT_NE(read_text(trial_dir("own", id) / "model.log").find("launched by: campaign"),
              std::string::npos);
  }

  // Without a site (or on one that runs no containers) the image has nothing to run it.
  EXPECT_EQ(
      run(overseer_command({"validate", campaign.string(), "--site", site}), dir.path()).exit_code,
      0);
  expect_input_error(run(overseer_command({"validate", campaign.string()}), dir.path()),
                     campaign.string() +
                         ": /model/data/image: an image needs a launcher: \"launcher\" here, "
                         "e.g. [\"apptainer\", \"exec\", \"{image}\"], or a --site whose site "
                         "file has container.exec");
  expect_input_error(run(overseer_command({"run", campaign.string(), "--out",
                                           (dir / "none").string(), "--site", "laptop"}),
                         dir.path()),
                     campaign.string() + ": /model/data/image: an image needs a launcher");
}
