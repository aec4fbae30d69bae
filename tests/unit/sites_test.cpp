// Site files, device binding, batch scripts and staging, without the machines: the binding and
// the rendering are pure functions of the site file and the rank's place.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "input_error.hpp"
#include "overseer/campaign/preparation.hpp"
#include "overseer/models/trial_runner.hpp"
#include "overseer/sites/batch_script.hpp"
#include "overseer/sites/binding.hpp"
#include "overseer/sites/placeholders.hpp"
#include "overseer/sites/staging.hpp"
#include "process.hpp"

using namespace overseer;
using namespace overseer::sites;
using overseer::test::input_error;

namespace {

const std::vector<std::string> kSites = {"aurora",       "frontier",   "laptop",
                                         "laptop-slurm", "perlmutter", "polaris"};

// The binding of every rank of one full node.
std::vector<DeviceBinding> bind_node(const Site& site, int ranks, int hardware_threads = 16) {
  std::vector<DeviceBinding> out;
  for (int r = 0; r < ranks; ++r)
    out.push_back(bind_rank(site, {r, r, ranks, hardware_threads, "ann"}));
  return out;
}

std::vector<std::string> visible(const std::vector<DeviceBinding>& node) {
  std::vector<std::string> out;
  for (const auto& b : node) out.push_back(b.visible);
  return out;
}

// The job every golden file renders: two nodes, with an account and the site's default queue.
JobRequest golden_job() {
  return {"demo",
          2,
          "01:30:00",
          "ABC123",
          "",
          "/runs/demo",
          {"/opt/overseer/bin/overseer", "run", "/work/demo.json", "--out", "/runs/demo", "--site",
           "/runs/demo/site.json", "--set", "search.budget=50"},
          120};
}

// Compares with tests/data/sites/FILE; OVERSEER_UPDATE_GOLDEN=1 rewrites the file instead.
void expect_golden(const std::string& file, const std::string& text) {
  const auto path = test::source_dir() / "tests" / "data" / "sites" / file;
  if (std::getenv("OVERSEER_UPDATE_GOLDEN") != nullptr) test::write_text(path, text);
  EXPECT_EQ(text, test::read_text(path))
      << "rendering changed: " << path.string() << " (OVERSEER_UPDATE_GOLDEN=1 rewrites it)";
}

json gpu_site() {
  return {{"name", "g"},
          {"scheduler", "slurm"},
          {"node", {{"gpus", 4}, {"gpu_runtime", "cuda"}, {"cpus", 8}}},
          {"binding", {{"variable", "CUDA_VISIBLE_DEVICES"}}},
          {"launcher", {"srun", "-c", "{cpus_per_rank}"}}};
}

std::string site_error(json doc) {
  return input_error([&] { parse_site(std::move(doc), "s.json"); });
}

}  // namespace

TEST(Sites, EveryBundledSiteLoadsByName) {
  std::set<std::string> known;
  for (const auto& file : known_site_files()) known.insert(file.stem().string());
  for (const auto& name : kSites) {
    EXPECT_TRUE(known.count(name)) << name;
    EXPECT_EQ(load_site(name).name, name);
  }
}

TEST(Sites, GoldenBatchScriptsAndLauncherLines) {
  for (const auto& name : kSites) {
    const Site site = load_site(name);
    const JobRequest job = golden_job();
    expect_golden(name + ".submit.sh", render_batch_script(site, job));
    expect_golden(name + ".launcher.txt",
                  command_line(launcher_argv(site, job.nodes, job.command)) + "\n");
  }
}

TEST(Sites, NodeLayoutsOfTheMachines) {
  EXPECT_EQ(load_site("frontier").ranks_per_node, 8);
  EXPECT_EQ(load_site("aurora").ranks_per_node, 12);
  EXPECT_EQ(load_site("polaris").ranks_per_node, 4);
  EXPECT_EQ(load_site("perlmutter").ranks_per_node, 4);
  EXPECT_EQ(total_ranks(load_site("frontier"), 16), 128);
}

TEST(Binding, FrontierGivesEachOfEightRanksItsClosestGcd) {
  const Site site = load_site("frontier");
  const auto node = bind_node(site, 8);
  // Rank i's 7 cores (srun -c 7) lie in L3 region i, whose GCD is 4, 5, 2, 3, 6, 7, 0, 1.
  EXPECT_EQ(visible(node), (std::vector<std::string>{"4", "5", "2", "3", "6", "7", "0", "1"}));
  const auto ids = visible(node);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 8u);
  std::set<std::string> caches;
  for (const auto& b : node) {
    EXPECT_EQ(b.env.at("ROCR_VISIBLE_DEVICES"), b.visible);
    EXPECT_EQ(b.device, "rocm:0");
    EXPECT_EQ(b.threads, 7);
    EXPECT_EQ(b.env.at("OMP_NUM_THREADS"), "7");
    EXPECT_EQ(b.env.at("MIOPEN_USER_DB_PATH"), b.env.at("MIOPEN_CUSTOM_CACHE_DIR"));
    caches.insert(b.env.at("MIOPEN_USER_DB_PATH"));
    EXPECT_EQ(b.dirs, std::vector<std::string>{b.env.at("MIOPEN_USER_DB_PATH")});
  }
  EXPECT_EQ(caches.size(), 8u);
  EXPECT_EQ(node[3].env.at("MIOPEN_USER_DB_PATH"), "/tmp/miopen-ann-3");
}

TEST(Binding, AuroraGivesTwelveRanksOneTileEach) {
  const auto node = bind_node(load_site("aurora"), 12);
  EXPECT_EQ(visible(node), (std::vector<std::string>{"0.0", "0.1", "1.0", "1.1", "2.0", "2.1",
                                                     "3.0", "3.1", "4.0", "4.1", "5.0", "5.1"}));
  for (const auto& b : node) {
    EXPECT_EQ(b.env.at("ZE_AFFINITY_MASK"), b.visible);
    EXPECT_EQ(b.device, "xpu:0");
    EXPECT_EQ(b.threads, 8);
  }
}

TEST(Binding, PolarisAndPerlmutterBindFourRanksToTheGpuNearTheirCores) {
  for (const char* name : {"polaris", "perlmutter"}) {
    const Site site = load_site(name);
    const auto node = bind_node(site, 4);
    EXPECT_EQ(visible(node), (std::vector<std::string>{"3", "2", "1", "0"})) << name;
    for (const auto& b : node) {
      EXPECT_EQ(b.env.at("CUDA_VISIBLE_DEVICES"), b.visible);
      EXPECT_EQ(b.device, "cuda:0");
    }
  }
  EXPECT_EQ(bind_node(load_site("polaris"), 4)[0].threads, 8);
  EXPECT_EQ(bind_node(load_site("perlmutter"), 4)[0].threads, 16);
}

TEST(Binding, TwoWorkersPerGpuShareIt) {
  const Site site = with_layout(load_site("frontier"), {2, std::nullopt, std::nullopt});
  EXPECT_EQ(site.ranks_per_node, 16);
  const auto node = bind_node(site, 16);
  for (int r = 0; r < 16; ++r) {
    EXPECT_EQ(node[static_cast<std::size_t>(r)].visible,
              site.devices[static_cast<std::size_t>(r / 2)]);
  }
  EXPECT_EQ(node[0].threads, 3);  // 56 cores over 16 ranks
  EXPECT_EQ(launcher_argv(site, 1, {})[4], "--cpus-per-task=3");
}

TEST(Binding, TwoGpusPerWorkerForConcurrentSubmodels) {
  const Site site = with_layout(load_site("polaris"), {std::nullopt, 2, std::nullopt});
  EXPECT_EQ(site.ranks_per_node, 2);
  const auto node = bind_node(site, 2);
  EXPECT_EQ(visible(node), (std::vector<std::string>{"3,2", "1,0"}));
  EXPECT_EQ(node[1].devices, (std::vector<std::string>{"cuda:0", "cuda:1"}));
  EXPECT_EQ(node[1].device, "cuda:0");
  EXPECT_EQ(node[1].threads, 16);
}

TEST(Binding, LaptopThreadsAreCoresOverRanksOnTheNode) {
  const Site laptop = load_site("laptop");
  EXPECT_EQ(bind_rank(laptop, {0, 0, 3, 8, "ann"}).threads, 2);
  EXPECT_EQ(bind_rank(laptop, {0, 0, 3, 2, "ann"}).threads, 1);
  const DeviceBinding b = bind_rank(laptop, {1, 1, 3, 8, "ann"});
  EXPECT_EQ(b.visible, "");
  EXPECT_EQ(b.device, "cpu");
  EXPECT_TRUE(b.devices.empty());
}

TEST(Binding, RanksBeyondTheLayoutWrapAround) {
  json doc = gpu_site();
  const Site site = parse_site(doc, "g.json");
  EXPECT_EQ(visible(bind_node(site, 6)), (std::vector<std::string>{"0", "1", "2", "3", "0", "1"}));
}

TEST(Binding, ModelsFollowTheBoundDeviceUnderAuto) {
  const Device automatic = device_param(json::object());
  EXPECT_EQ(bound_device(automatic, "cuda:1").kind, Device::Cuda);
  EXPECT_EQ(bound_device(automatic, "cuda:1").index, 1);
  EXPECT_EQ(bound_device(automatic, "rocm:0").kind, Device::Rocm);
  EXPECT_EQ(bound_device(automatic, "cpu").kind, Device::Cpu);
  EXPECT_EQ(bound_device(automatic, "xpu:0").kind, Device::Auto);
  EXPECT_EQ(bound_device(automatic, "auto").kind, Device::Auto);
  EXPECT_EQ(bound_device(device_param({{"device", "cpu"}}), "cuda:0").kind, Device::Cpu);
}

namespace {

// Reports what its RunContext carried, so the runner's hand-over can be checked.
class ContextProbe : public Model {
 public:
  void check(const json&) const override {}
  Metrics evaluate(const json&, const RunContext& context) override {
    return {{"value", context.threads},
            {"devices", static_cast<double>(context.devices.size())},
            {"cuda0", context.device == "cuda:0" ? 1.0 : 0.0}};
  }
};
const bool probe_registered = ModelRegistry::instance().add(
    "context_probe_for_sites", {{"value", "devices", "cuda0"},
                                [](const Campaign&) { return std::make_unique<ContextProbe>(); }});

}  // namespace

TEST(Binding, TrialsReceiveTheWorkersDeviceAndThreads) {
  const Campaign c = parse_campaign({{"name", "t"},
                                     {"model", {{"name", "context_probe_for_sites"}}},
                                     {"objective", {{"metric", "value"}}}},
                                    "c.json");
  TrialRunner runner(c, {"cuda:0", {"cuda:0", "cuda:1"}, 7});
  const TrialResult r = runner.run(TrialTask{0, 1, json::object(), {}});
  ASSERT_EQ(r.status, TrialStatus::Ok) << r.message;
  EXPECT_EQ(r.value, 7);
  EXPECT_EQ(r.metrics.at("devices"), 2);
  EXPECT_EQ(r.metrics.at("cuda0"), 1);
  TrialRunner unbound(c);
  EXPECT_EQ(unbound.run(TrialTask{0, 1, json::object(), {}}).value, 0);
}

TEST(SiteFiles, ErrorsNameTheFieldAndItsPointer) {
  json doc = gpu_site();
  doc["node"].erase("gpu_runtime");
  EXPECT_EQ(site_error(doc), "s.json: /node/gpu_runtime: required field is missing");

  doc = gpu_site();
  doc["binding"]["devices"] = {"0", "1"};
  EXPECT_EQ(site_error(doc), "s.json: /binding/devices: lists 2 devices, but the node has 4");

  doc = gpu_site();
  doc["binding"]["devices"] = {"0", "1", "1", "2"};
  EXPECT_EQ(
      site_error(doc),
      "s.json: /binding/devices/2: device ids must be distinct and non-empty, without commas");

  doc = gpu_site();
  doc["launcher"] = {"srun", "-n", "{rank}"};
  EXPECT_EQ(site_error(doc),
            "s.json: /launcher/2: unknown placeholder {rank}; available: {nodes, ranks, "
            "ranks_per_node, cpus_per_rank, gpus_per_node}");

  doc = gpu_site();
  doc["layout"] = {{"gpus_per_worker", 3}};
  EXPECT_EQ(site_error(doc),
            "s.json: /layout/gpus_per_worker: 4 GPUs per node cannot be split into groups of 3");

  doc = gpu_site();
  doc["layout"] = {{"ranks_per_node", 3}};
  EXPECT_EQ(site_error(doc),
            "s.json: /layout/ranks_per_node: on a node with GPUs the ranks per node follow from "
            "gpus, workers_per_gpu and gpus_per_worker");

  doc = gpu_site();
  doc["node"].erase("cpus");
  EXPECT_EQ(site_error(doc), "s.json: /launcher/2: {cpus_per_rank} needs /node/cpus");

  doc = gpu_site();
  doc["rank_env"] = {{"MIOPEN_USER_DB_PATH", "/tmp/m-{local_rank}"}};
  doc["rank_dirs"] = {"MIOPEN_CACHE"};
  EXPECT_EQ(site_error(doc),
            "s.json: /rank_dirs/0: \"MIOPEN_CACHE\" is not a variable of /rank_env");

  doc = gpu_site();
  doc["scheduler"] = "lsf";
  EXPECT_EQ(site_error(doc), "s.json: /scheduler: must be one of \"slurm\", \"pbs\", \"none\"");

  doc = gpu_site();
  doc["modles"] = json::array();
  EXPECT_EQ(site_error(doc).rfind("s.json: /modles: unknown field \"modles\" (did you mean", 0), 0u)
      << site_error(doc);

  doc = gpu_site();
  doc["container"] = {{"runtime", "apptainer"}, {"exec", {"bin/apptainer", "exec", "{image}"}}};
  EXPECT_EQ(site_error(doc),
            "s.json: /container/exec/0: the runtime must be a name looked up in PATH or an "
            "absolute path");

  EXPECT_EQ(site_error({{"name", "x"}, {"scheduler", "none"}, {"launcher", {"mpirun"}}}),
            "s.json: /layout/ranks_per_node: required field is missing");
  EXPECT_EQ(site_error({{"name", "x"},
                        {"scheduler", "none"},
                        {"layout", {{"ranks_per_node", 2}}},
                        {"launcher", {"mpirun"}},
                        {"directives", {"-C nvme"}}}),
            "s.json: /directives: a site without a scheduler takes no directives");
}

// 4096 GPUs with a million workers each overflowed the int that holds the ranks per node
// (undefined behaviour), and a GPU count beyond int's range wrapped: 2^32 + 4 read as 4.
TEST(SiteFiles, GpuCountsAndLayoutsStayWithinTheirLimits) {
  json doc = gpu_site();
  doc["launcher"] = {"srun"};
  doc["node"]["gpus"] = 4096;
  doc["binding"]["devices"] = json::array();
  for (int i = 0; i < 4096; ++i) doc["binding"]["devices"].push_back(std::to_string(i));
  doc["layout"] = {{"workers_per_gpu", 1000000}};
  EXPECT_EQ(site_error(doc),
            "s.json: /layout/workers_per_gpu: 4096 GPUs with 1000000 workers each are more than "
            "1000000 ranks per node");

  doc = gpu_site();
  doc["node"]["gpus"] = 4294967300;
  EXPECT_EQ(site_error(doc), "s.json: /node/gpus: gpus must be from 0 to 4096");
}

TEST(SiteFiles, RanksPerTrialIsADefaultThatOneRankModelsIgnore) {
  // The default reaching a torch campaign is tested under mpirun (ranks_per_trial_test.cpp).
  json doc = gpu_site();
  doc["ranks_per_trial"] = 4;
  const Site site = parse_site(doc, "g.json");
  EXPECT_EQ(site.ranks_per_trial, 4);
  EXPECT_EQ(prepare_campaign(test::workflow("nci60-xgboost-random.json"), {}, &site)
                .campaign.model.ranks_per_trial,
            1);
  doc["ranks_per_trial"] = 0;
  EXPECT_EQ(site_error(doc), "s.json: /ranks_per_trial: must be a whole number from 1 to 1000000");
}

// A site name or an environment variable's name of 50000 characters crashed with a stack
// overflow: std::regex's matcher recursed once per character.
TEST(SiteFiles, LongNamesAreCheckedWithoutRecursion) {
  const std::string very_long(100000, 'a');
  json doc = gpu_site();
  doc["name"] = very_long;
  doc["env"] = {{"A" + very_long, "1"}};
  doc["binding"]["variable"] = "B" + very_long;
  EXPECT_EQ(parse_site(doc, "s.json").name, very_long);
  doc["name"] = very_long + "A";
  EXPECT_EQ(site_error(doc),
            "s.json: /name: a site name uses lower-case letters, digits, '_' and '-'");
  doc["name"] = "g";
  doc["env"] = {{"9" + very_long, "1"}};
  EXPECT_EQ(site_error(doc).substr(0, 20), "s.json: /env/9aaaaaa");
  doc["env"] = {{"_X9", "1"}};
  doc["binding"]["variable"] = very_long + "-";
  EXPECT_EQ(site_error(doc), "s.json: /binding/variable: not an environment variable name");
}

TEST(SiteFiles, UnknownNamesListTheKnownSites) {
  const std::string message = input_error([] { load_site("summit"); });
  EXPECT_EQ(message.rfind("<command line>: --site: unknown site \"summit\"; known sites: aurora, "
                          "frontier, laptop, laptop-slurm, perlmutter, polaris",
                          0),
            0u)
      << message;
}

TEST(Placeholders, ExpandLeavesShellExpansionsAlone) {
  EXPECT_EQ(expand("-n {ranks} ${HOME}/{x} {unknown}", {{"ranks", "16"}, {"x", "y"}}),
            "-n 16 ${HOME}/y {unknown}");
  EXPECT_EQ(placeholders("{a}{b} ${c} {}"), (std::vector<std::string>{"a", "b"}));
  ::setenv("OVERSEER_SITES_TEST_VAR", "ann", 1);
  EXPECT_EQ(expand_environment("/mnt/bb/$OVERSEER_SITES_TEST_VAR/${OVERSEER_SITES_TEST_VAR}x$"),
            "/mnt/bb/ann/annx$");
  EXPECT_EQ(shell_quote("--set=a b"), "'--set=a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("--cpu-bind=list:1-8:9-16"), "--cpu-bind=list:1-8:9-16");
}

TEST(Staging, CampaignDataPathsPointAtTheStagedCopies) {
  test::ScratchDir dir;
  test::write_text(dir / "data.h5", "h5");
  std::filesystem::create_directories(dir / "splits" / "a");
  test::write_text(dir / "splits" / "a" / "train.txt", "1\n");
  test::write_text(dir / "c.json", "{}");
  const Campaign c = parse_campaign(
      {{"name", "st"},
       {"model",
        {{"name", "sleep"},
         {"params", {{"duration", 0}, {"input", "data.h5"}, {"mode", "data"}}},
         {"data",
          {{"file", (dir / "data.h5").string()},
           {"split_files", {{"train", "splits/a/train.txt"}, {"val", "other.txt"}}}}}}},
       {"stage", {"data.h5", "splits/"}}},
      dir / "c.json");
  const StagePlan plan = plan_staging(c, "/node/local");
  ASSERT_EQ(plan.entries.size(), 2u);
  EXPECT_EQ(plan.entries[1].destination, "/node/local/overseer-st/splits");

  Campaign staged = c;
  use_staged_copies(staged, plan);
  EXPECT_EQ(staged.model.data["file"], "/node/local/overseer-st/data.h5");
  EXPECT_EQ(staged.model.data["split_files"]["train"],
            "/node/local/overseer-st/splits/a/train.txt");
  EXPECT_EQ(staged.model.data["split_files"]["val"], "other.txt");
  EXPECT_EQ(staged.model.params["input"], "/node/local/overseer-st/data.h5");
  EXPECT_EQ(staged.model.params["mode"], "data");
  EXPECT_EQ(staged.model.params["duration"], 0);

  const auto files = stage_files(plan);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].destination, "/node/local/overseer-st/splits/a/train.txt");
  EXPECT_EQ(files[1].size, 2u);
  EXPECT_EQ(stage_plan_from_json(to_json(plan)).entries[1].source, plan.entries[1].source);
}

TEST(Staging, EntriesMustExistAndHaveDistinctNames) {
  test::ScratchDir dir;
  test::write_text(dir / "a.h5", "");
  std::filesystem::create_directories(dir / "other");
  test::write_text(dir / "other" / "a.h5", "");
  auto campaign = [&](json stage) {
    return input_error([&] {
      parse_campaign({{"name", "st"}, {"model", {{"name", "sleep"}}}, {"stage", stage}},
                     dir / "c.json");
    });
  };
  EXPECT_EQ(campaign({"a.h5", "missing.h5"}), (dir / "c.json").string() +
                                                  ": /stage/1: " + (dir / "missing.h5").string() +
                                                  " does not exist");
  EXPECT_EQ(campaign({"a.h5", "other/a.h5"}),
            (dir / "c.json").string() +
                ": /stage/1: another stage entry is also named \"a.h5\"; staged copies share one "
                "directory per node");
  EXPECT_EQ(campaign("a.h5"), (dir / "c.json").string() +
                                  ": /stage: expected an array of files or directories, found a "
                                  "string");
}
