// The command model with real processes: small sh programs stand in for external models.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "overseer/core/error.hpp"
#include "overseer/models/capped_log.hpp"
#include "overseer/models/child_process.hpp"
#include "overseer/models/external_result.hpp"
#include "overseer/models/trial_runner.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::read_text;
using overseer::test::ScratchDir;
using overseer::test::source_dir;
using overseer::test::write_text;
namespace fs = std::filesystem;

namespace {

// Writes an executable sh script.
fs::path script(const fs::path& path, const std::string& body) {
  write_text(path, "#!/bin/sh\n" + body);
  ::chmod(path.c_str(), 0755);
  return path;
}

// A program that records its argv (NUL-separated, so newlines survive) and reports a result.
fs::path argv_recorder(const ScratchDir& dir) {
  return script(dir / "record-argv.sh",
                "printf '%s\\0' \"$@\" > \"$OVERSEER_RUN_DIR/argv\"\n"
                "echo 'IMPROVE_RESULT 1.5'\n");
}

std::vector<std::string> nul_separated(const fs::path& file) {
  std::vector<std::string> out;
  std::istringstream in(read_text(file));
  for (std::string item; std::getline(in, item, '\0');) out.push_back(item);
  return out;
}

Campaign command_campaign(const ScratchDir& dir, json data, json limits = json::object()) {
  json doc = {{"name", "t"},
              {"model", {{"name", "command"}, {"data", std::move(data)}}},
              {"search", {{"algorithm", "random"}, {"budget", 1}}},
              {"objective", {{"metric", "val_loss"}}},
              {"limits", std::move(limits)}};
  return parse_campaign(doc, dir / "campaign.json");
}

std::unique_ptr<Model> command_model(const Campaign& campaign) {
  return ModelRegistry::instance().find("command")->create(campaign);
}

RunContext context_in(const fs::path& run_dir, TrialId trial = 7) {
  RunContext context;
  context.trial = trial;
  context.run_dir = run_dir;
  context.cancel = std::make_shared<std::atomic<bool>>(false);
  return context;
}

Metrics evaluate(const ScratchDir& dir, json data, const json& params = json::object()) {
  const Campaign campaign = command_campaign(dir, std::move(data));
  return command_model(campaign)->evaluate(params, context_in(dir / "trial"));
}

// Runs a program through TrialRunner, as a worker does.
TrialResult run_trial(const ScratchDir& dir, json data, json limits = json::object()) {
  const Campaign campaign = command_campaign(dir, std::move(data), std::move(limits));
  TrialRunner runner(campaign);
  return runner.run(TrialTask{3, 1, json::object(), dir / "trial"});
}

void expect_failure(const TrialResult& r, std::initializer_list<const char*> message_parts) {
  EXPECT_EQ(r.status, TrialStatus::Failed);
  for (const char* part : message_parts) {
    EXPECT_NE(r.message.find(part), std::string::npos) << r.message;
  }
}

// Running, as opposed to gone or a zombie waiting for a parent that may never reap it.
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const char state = line[line.rfind(')') + 2];
  return state != 'Z' && state != 'X';
}

pid_t pid_in(const fs::path& file) {
  return static_cast<pid_t>(std::stol(read_text(file)));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string input_error_pointer(const ScratchDir& dir, json data, json limits = json::object()) {
  try {
    command_model(command_campaign(dir, std::move(data), std::move(limits)));
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), (dir / "campaign.json").string());
    return e.pointer();
  }
  return "no error";
}

}  // namespace

TEST(ExternalResult, TheLastImproveResultLineWinsInEitherSpelling) {
  std::istringstream log(
      "epoch 1\nIMPROVE_RESULT 0.5\n[info] IMPROVE_RESULT val_loss:\t0.25 (best epoch 3)\n"
      "done\n");
  EXPECT_EQ(last_improve_result(log), 0.25);
  std::istringstream plain("IMPROVE_RESULT val_loss:\t9\nIMPROVE_RESULT 3e-2xyz\n");
  EXPECT_EQ(last_improve_result(plain), 0.03);
  std::istringstream colon("IMPROVE_RESULT: -7 trailing words");
  EXPECT_EQ(last_improve_result(colon), -7);
}

TEST(ExternalResult, NoLineIsNoneAndALastLineWithoutANumberIsAnError) {
  std::istringstream none("training\nval_loss 0.3\n");
  EXPECT_EQ(last_improve_result(none), std::nullopt);
  std::istringstream broken("IMPROVE_RESULT 0.5\nIMPROVE_RESULT val_loss: oops\n");
  EXPECT_NE(error_of([&] { last_improve_result(broken); }).find("IMPROVE_RESULT val_loss: oops"),
            std::string::npos);
}

TEST(ExternalResult, NumericFieldsOfAResultFile) {
  ScratchDir dir;
  write_text(dir / "scores.json", R"({"val_loss": 0.5, "pcc": 0.75, "name": "x", "per": [1]})");
  EXPECT_EQ(numeric_fields(dir / "scores.json"),
            (std::map<std::string, double>{{"pcc", 0.75}, {"val_loss", 0.5}}));
  write_text(dir / "list.json", "[1, 2]");
  EXPECT_NE(error_of([&] { numeric_fields(dir / "list.json"); }).find("not a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              numeric_fields(dir / "val_scores.json");
            }).find("the program wrote no val_scores.json"),
            std::string::npos);
}

TEST(ExternalResult, FileTailStartsAtALine) {
  ScratchDir dir;
  write_text(dir / "log", "first line\nsecond line\nthird\n");
  EXPECT_EQ(file_tail(dir / "log", 12), "third\n");
  EXPECT_EQ(file_tail(dir / "log", 1000), "first line\nsecond line\nthird\n");
  EXPECT_EQ(file_tail(dir / "missing", 10), "");
}

TEST(CommandModel, ReadsTheLastImproveResultOfStdoutAndStderr) {
  ScratchDir dir;
  const auto program = script(dir / "train.sh",
                              "echo 'IMPROVE_RESULT 9'\n"
                              "printf 'IMPROVE_RESULT val_loss:\\t0.125 (best)\\n' >&2\n");
  const Metrics m = evaluate(dir, {{"argv", {program.string()}}});
  EXPECT_EQ(m, (Metrics{{"val_loss", 0.125}}));
  EXPECT_NE(read_text(dir / "trial" / "model.log").find("IMPROVE_RESULT 9"), std::string::npos);
}

TEST(CommandModel, ReadsValScoresJson) {
  ScratchDir dir;
  const auto program =
      script(dir / "train.sh",
             "echo '{\"val_loss\": 0.3, \"pcc\": 0.9, \"model\": \"x\"}' > val_scores.json\n");
  const Metrics m = evaluate(dir, {{"argv", {program.string()}}, {"result", "val_scores"}});
  EXPECT_EQ(m, (Metrics{{"val_loss", 0.3}, {"pcc", 0.9}}));
}

TEST(CommandModel, ReadsANamedResultFileUnderTheObjectivesName) {
  ScratchDir dir;
  const auto program = script(dir / "train.sh",
                              "mkdir -p out\n"
                              "echo '{\"loss\": 2.5, \"r2\": 0.1}' > out/result.json\n");
  const Metrics m = evaluate(dir, {{"argv", {program.string()}},
                                   {"result", {{"file", "out/result.json"}, {"key", "loss"}}}});
  EXPECT_EQ(m, (Metrics{{"val_loss", 2.5}, {"loss", 2.5}, {"r2", 0.1}}));
}

TEST(CommandModel, AMissingResultFailsTheTrialWithTheEndOfTheLog) {
  ScratchDir dir;
  const auto program = script(dir / "train.sh", "echo 'epoch 9: loss 0.4'\n");
  expect_failure(run_trial(dir, {{"argv", {program.string()}}}),
                 {"no IMPROVE_RESULT", "epoch 9: loss 0.4"});

  // A result file left by an earlier attempt does not count for this one.
  write_text(dir / "trial" / "val_scores.json", R"({"val_loss": 1})");
  expect_failure(run_trial(dir, {{"argv", {program.string()}}, {"result", "val_scores"}}),
                 {"wrote no val_scores.json"});
}

TEST(CommandModel, ANonZeroExitFailsTheTrialWithTheEndOfTheLog) {
  ScratchDir dir;
  const auto program = script(dir / "train.sh",
                              "echo 'IMPROVE_RESULT 0.1'\n"
                              "echo 'Traceback: CUDA out of memory' >&2\nexit 3\n");
  expect_failure(run_trial(dir, {{"argv", {program.string()}}}),
                 {"exit code 3", "Traceback: CUDA out of memory"});
}

// The program is checked when the campaign is; one that goes missing later fails its trials.
TEST(CommandModel, AMissingProgramIsAnInputErrorOrAFailedTrial) {
  ScratchDir dir;
  write_text(dir / "notes.txt", "not a program");
  EXPECT_EQ(error_of([&] {
              command_model(command_campaign(dir, {{"argv", {"./train.sh"}}}));
            }),
            (dir / "campaign.json").string() +
                ": /model/data/argv/0: " + (dir / "train.sh").string() + ": file does not exist");
  EXPECT_EQ(error_of([&] {
              command_model(command_campaign(dir, {{"argv", {"./notes.txt"}}}));
            }),
            (dir / "campaign.json").string() + ": /model/data/argv/0: " +
                (dir / "notes.txt").string() + ": not an executable file");
  EXPECT_EQ(error_of([&] {
              command_model(command_campaign(dir, {{"argv", {"train.sh"}},
                                                   {"image", "x.sif"},
                                                   {"launcher", {"apptainer", "{image}"}}}));
            }),
            (dir / "campaign.json").string() + ": /model/data/image: " + (dir / "x.sif").string() +
                ": file does not exist");
  // Looked up in the trial's PATH, or in the container, or pulled by the runtime: not checked.
  for (const json& data :
       {json{{"argv", {"no-such-program-on-path"}}},
        json{{"argv", {"/opt/in-the-image/train.sh"}}, {"launcher", {"apptainer", "exec", "x"}}},
        json{{"argv", {"train.sh"}},
             {"image", "docker://ghcr.io/example/model:1"},
             {"launcher", {"apptainer", "exec", "{image}"}}}}) {
    EXPECT_EQ(error_of([&] { command_model(command_campaign(dir, data)); }), "") << data.dump();
  }

  const auto program = script(dir / "train.sh", "echo 'IMPROVE_RESULT 0.1'\n");
  const Campaign campaign = command_campaign(dir, {{"argv", {program.string()}}});
  TrialRunner runner(campaign);
  fs::remove(program);
  expect_failure(runner.run(TrialTask{3, 1, json::object(), dir / "trial"}), {"cannot start"});
}

TEST(CommandModel, ATimeoutEndsTheWholeProcessGroupEvenWhenSigtermIsIgnored) {
  ScratchDir dir;
  const auto program = script(dir / "train.sh",
                              "trap '' TERM\n"
                              "sleep 300 &\n"
                              "echo $! > grandchild.pid\n"
                              "echo $$ > child.pid\n"
                              "while :; do sleep 0.1; done\n");
  const TrialResult r = run_trial(dir, {{"argv", {program.string()}}, {"grace_s", 0.5}},
                                  {{"task_timeout_s", 1}, {"cancel_grace_s", 5}});
  EXPECT_EQ(r.status, TrialStatus::Timeout) << r.message;
  EXPECT_EQ(r.message.find("abandoned"), std::string::npos) << r.message;
  const pid_t child = pid_in(dir / "trial" / "child.pid");
  const pid_t grandchild = pid_in(dir / "trial" / "grandchild.pid");
  EXPECT_FALSE(running(child));
  EXPECT_FALSE(running(grandchild));
  EXPECT_FALSE(process_group_running(child));
}

TEST(ChildProcess, WhatAProgramLeavesInItsGroupIsEndedWhenItExits) {
  ScratchDir dir;
  const auto program = script(dir / "p.sh", "sleep 300 &\necho $! > grandchild.pid\nexit 4\n");
  ChildProcess child({program.string()}, {}, dir.path(), dir / "log");
  const auto exit = child.wait([] { return false; }, std::chrono::seconds(1));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->describe(), "exit code 4");
  EXPECT_FALSE(running(pid_in(dir / "grandchild.pid")));
  EXPECT_FALSE(process_group_running(child.pid()));
}

TEST(ChildProcess, TheProgramInheritsOnlyTheStandardStreams) {
  ScratchDir dir;
  const int open_here = ::open(dir.path().c_str(), O_RDONLY);  // not close-on-exec
  ASSERT_GE(open_here, 3);
  const auto program = script(dir / "p.sh",
                              "test -e /proc/$$/fd/$1 && echo inherited || echo closed\n"
                              "test -e /proc/$$/fd/2 && echo stderr\n");
  ChildProcess child({program.string(), std::to_string(open_here)}, {}, dir.path(), dir / "log");
  ASSERT_TRUE(child.wait([] { return false; }, std::chrono::seconds(1)).has_value());
  ::close(open_here);
  EXPECT_EQ(read_text(dir / "log"), "closed\nstderr\n");
}

TEST(CappedLog, KeepsTheBeginningAndTheEndAndSaysWhatItDropped) {
  ScratchDir dir;
  {
    CappedLog log(dir / "short", 10, 4);
    log.write("0123");
    log.write("456789");
  }
  EXPECT_EQ(read_text(dir / "short"), "0123456789");
  {
    CappedLog log(dir / "long", 10, 4);
    log.write("01234567");
    for (int i = 0; i < 100; ++i) log.write("abc");
    log.write("wxyz");
  }
  EXPECT_EQ(read_text(dir / "long"),
            "01234567ab\n[overseer] the log reached its limit of 10 bytes: 298 bytes were "
            "dropped; the last 4 bytes follow\nwxyz");
}

TEST(ChildProcess, AProgramPrintingWithoutEndHasItsLogCappedAndItsLastLineKept) {
  ScratchDir dir;
  const auto program = script(dir / "p.sh",
                              "yes 'a line of output' | head -c 200000000\n"
                              "echo 'IMPROVE_RESULT 0.25'\n");
  ChildProcess child({program.string()}, {}, dir.path(), dir / "log", 1 << 20);
  const auto exit = child.wait([] { return false; }, std::chrono::seconds(1));
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->success());
  EXPECT_LT(fs::file_size(dir / "log"), 2u * (1 << 20) + 200);
  std::ifstream log(dir / "log");
  EXPECT_EQ(last_improve_result(log), 0.25);
}

TEST(ChildProcess, AnEscapedProcessHoldingTheOutputOpenDoesNotKeepWaitFromReturning) {
  ScratchDir dir;
  // setsid leaves the program's group, so ending the group cannot reach it; it keeps the
  // pipe's write end open for as long as it sleeps.
  const auto program = script(dir / "p.sh",
                              "setsid sh -c 'echo $$ > escaped.pid; exec sleep 600' &\n"
                              "while [ ! -s escaped.pid ]; do sleep 0.01; done\n"
                              "echo done\n");
  ChildProcess child({program.string()}, {}, dir.path(), dir / "log");
  const auto start = std::chrono::steady_clock::now();
  const auto exit = child.wait([] { return false; }, std::chrono::seconds(1));
  const auto waited = std::chrono::steady_clock::now() - start;
  const pid_t escaped = pid_in(dir / "escaped.pid");
  ::kill(escaped, SIGKILL);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->success());
  EXPECT_LT(waited, std::chrono::seconds(300)) << "wait() read until the escaped process ended";
  EXPECT_EQ(read_text(dir / "log"), "done\n");
}

TEST(ChildProcess, StopSendsSigtermFirst) {
  ScratchDir dir;
  const auto program = script(dir / "p.sh",
                              "trap 'echo got TERM; exit 0' TERM\n"
                              "echo $$ > pid\n"
                              "while :; do sleep 0.05; done\n");
  ChildProcess child({program.string()}, {}, dir.path(), dir / "log");
  ASSERT_TRUE(overseer::test::wait_until([&] { return fs::exists(dir / "pid"); }));
  EXPECT_FALSE(child.wait([] { return true; }, std::chrono::seconds(30)).has_value());
  EXPECT_FALSE(running(pid_in(dir / "pid")));
  EXPECT_NE(read_text(dir / "log").find("got TERM"), std::string::npos) << read_text(dir / "log");
}

TEST(CommandModel, ShellMetacharactersArriveVerbatimAndRunNothing) {
  ScratchDir dir;
  const std::string nasty =
      "; rm -rf x $(touch pwned) `touch backquoted` 'single' \"double\" | tee piped\n"
      "second line && touch and";
  fs::create_directories(dir / "trial");
  write_text(dir / "trial" / "x", "keep");
  write_text(dir / "x", "keep");
  evaluate(dir,
           {{"argv",
             {argv_recorder(dir).string(), "--choice", "{choice}", "--also={choice}!",
              "{params_json}"}}},
           {{"choice", nasty}});
  const auto argv = nul_separated(dir / "trial" / "argv");
  ASSERT_EQ(argv.size(), 4u);
  EXPECT_EQ(argv[1], nasty);
  EXPECT_EQ(argv[2], "--also=" + nasty + "!");
  EXPECT_EQ(json::parse(read_text(argv[3])).at("choice"), nasty);
  EXPECT_TRUE(fs::exists(dir / "x"));
  EXPECT_TRUE(fs::exists(dir / "trial" / "x"));
  for (const auto& where : {dir.path(), dir / "trial", fs::current_path()}) {
    for (const char* made : {"pwned", "backquoted", "piped", "and"}) {
      EXPECT_FALSE(fs::exists(where / made)) << where / made;
    }
  }
}

TEST(CommandModel, PlaceholdersAndEnvironment) {
  ScratchDir dir;
  fs::create_directories(dir / "data");
  const auto program = script(dir / "train.sh",
                              "env -0 > env\n"
                              "printf '%s\\0' \"$@\" > argv\n"
                              "echo 'IMPROVE_RESULT 1'\n");
  const json data = {{"argv",
                      {program.string(), "{device}", "{visible_devices}", "{data_dir}", "{run_dir}",
                       "{trial_id}", "{lr}", "{layers}", "{x}", "{}", "{\"a\": 1}"}},
                     {"data_dir", "data"},
                     {"env", {{"MY_TAG", "trial-{trial_id}-{device}"}}}};
  const Campaign campaign = command_campaign(dir, data);
  auto model = command_model(campaign);
  RunContext context = context_in(dir / "trial");
  context.device = "cuda:1";
  model->evaluate({{"lr", 0.001}, {"layers", 3}, {"x", "a b"}}, context);

  const auto argv = nul_separated(dir / "trial" / "argv");
  // The program sees only the trial's GPU, as device 0.
  const std::vector<std::string> expected = {"cuda:0",
                                             "1",
                                             (dir / "data").string(),
                                             (dir / "trial").string(),
                                             "7",
                                             "0.001",
                                             "3",
                                             "a b",
                                             "{}",
                                             "{\"a\": 1}"};
  EXPECT_EQ(argv, expected);
  std::map<std::string, std::string> env;
  for (const auto& entry : nul_separated(dir / "trial" / "env")) {
    env[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
  }
  EXPECT_EQ(env["CANDLE_DATA_DIR"], (dir / "data").string());
  EXPECT_EQ(env["OVERSEER_RUN_DIR"], (dir / "trial").string());
  EXPECT_EQ(env["OVERSEER_TRIAL_ID"], "7");
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "1");
  EXPECT_EQ(env["MY_TAG"], "trial-7-cuda:0");
  EXPECT_EQ(env["PATH"], std::getenv("PATH"));

  // A `device` parameter overrides the worker's device; ROCm has its own variable.
  model->evaluate({{"lr", 0.1}, {"layers", 1}, {"x", ""}, {"device", "rocm:2"}}, context);
  env.clear();
  for (const auto& entry : nul_separated(dir / "trial" / "env")) {
    env[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
  }
  EXPECT_EQ(env["ROCR_VISIBLE_DEVICES"], "2");
  EXPECT_EQ(nul_separated(dir / "trial" / "argv")[0], "rocm:0");

  // Parameters named in model.data are required; check() names the missing one.
  try {
    model->check({{"lr", 0.1}, {"layers", 1}});
    ADD_FAILURE() << "no error";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "x");
  }
}

// A worker bound by a site sees only its own GPUs, renumbered from 0; the program's variable
// replaces the worker's, so it must name the physical device, as IMPROVE's train.sh expects.
TEST(CommandModel, VisibleDeviceNamesTheDeviceTheWorkerSees) {
  ScratchDir dir;
  const auto program =
      script(dir / "train.sh",
             "printf '%s\\0' \"$@\" > argv\n"
             "echo \"IMPROVE_RESULT ${CUDA_VISIBLE_DEVICES}${ZE_AFFINITY_MASK}\"\n");
  auto model =
      command_model(command_campaign(dir, {{"argv", {program.string(), "{visible_devices}"}}}));
  RunContext context = context_in(dir / "trial");
  struct Case {
    const char* variable;
    const char* ours;
    const char* device;
    const char* theirs;
  };
  for (const Case& c : {Case{"CUDA_VISIBLE_DEVICES", "3,2", "cuda:1", "2"},
                        Case{"CUDA_VISIBLE_DEVICES", "3,2", "cuda:0", "3"},
                        Case{"CUDA_VISIBLE_DEVICES", "", "cuda:1", "1"},
                        Case{"ZE_AFFINITY_MASK", "5.0,5.1", "xpu:1", "5.1"}}) {
    SCOPED_TRACE(std::string(c.variable) + "=" + c.ours + " " + c.device);
    ::setenv(c.variable, c.ours, 1);
    context.device = c.device;
    const Metrics metrics = model->evaluate(json::object(), context);
    ::unsetenv(c.variable);
    EXPECT_EQ(nul_separated(dir / "trial" / "argv"), std::vector<std::string>{c.theirs});
    EXPECT_DOUBLE_EQ(metrics.at("val_loss"), std::stod(c.theirs));
  }

  // An index past the worker's list is the trial's error, not another rank's GPU.
  ::setenv("CUDA_VISIBLE_DEVICES", "3", 1);
  context.device = "cuda:1";
  try {
    model->evaluate(json::object(), context);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA_VISIBLE_DEVICES=3 shows 1 device"),
              std::string::npos)
        << e.what();
  }
  ::unsetenv("CUDA_VISIBLE_DEVICES");
}

TEST(CommandModel, ContainerLauncherPrefixGetsItsPlaceholders) {
  ScratchDir dir;
  fs::create_directories(dir / "data");
  write_text(dir / "model.sif", "not really an image");
  const auto program = argv_recorder(dir);
  const fs::path launcher = source_dir() / "tests" / "support" / "fake-apptainer";
  const Metrics m = evaluate(
      dir,
      {{"launcher",
        {launcher.string(), "exec", "--nv", "--bind", "{data_dir}:/candle_data_dir", "{image}"}},
       {"image", "model.sif"},
       {"data_dir", "data"},
       {"argv", {program.string(), "{trial_id}", "/candle_data_dir"}}});
  EXPECT_EQ(m, (Metrics{{"val_loss", 1.5}}));
  const std::vector<std::string> launched = {"exec",
                                             "--nv",
                                             "--bind",
                                             (dir / "data").string() + ":/candle_data_dir",
                                             (dir / "model.sif").string(),
                                             program.string(),
                                             "7",
                                             "/candle_data_dir"};
  EXPECT_EQ(nul_separated(dir / "trial" / "launcher_argv"), launched);
  EXPECT_EQ(nul_separated(dir / "trial" / "argv"),
            (std::vector<std::string>{"7", "/candle_data_dir"}));
}

TEST(CommandModel, RelativeProgramPathsResolveAgainstTheCampaignFile) {
  ScratchDir dir;
  fs::create_directories(dir / "bin");
  script(dir / "bin" / "train.sh", "echo IMPROVE_RESULT 2\n");
  EXPECT_EQ(evaluate(dir, {{"argv", {"bin/train.sh"}}}), (Metrics{{"val_loss", 2}}));
}

TEST(CommandModel, WithoutTrialDirectoriesATemporaryOneIsUsedAndRemoved) {
  ScratchDir dir;
  const auto program = script(dir / "train.sh",
                              "echo \"$OVERSEER_RUN_DIR\" > \"$1\"\n"
                              "test -f params.json && echo 'IMPROVE_RESULT 4'\n");
  const Campaign campaign =
      command_campaign(dir, {{"argv", {program.string(), (dir / "where").string()}}});
  const Metrics m = command_model(campaign)->evaluate({{"a", 1}}, context_in({}));
  EXPECT_EQ(m, (Metrics{{"val_loss", 4}}));
  std::string used = read_text(dir / "where");
  used.pop_back();  // newline
  EXPECT_NE(used.find("overseer-trial-"), std::string::npos);
  EXPECT_FALSE(fs::exists(used));
}

TEST(CommandModel, BadModelDataNamesTheField) {
  ScratchDir dir;
  EXPECT_EQ(input_error_pointer(dir, nullptr), "/model/data");
  EXPECT_EQ(input_error_pointer(dir, {{"program", "x"}}), "/model/data/program");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", "train.sh"}}), "/model/data/argv");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", json::array()}}), "/model/data/argv");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh", 3}}}), "/model/data/argv/1");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh", "{data_dir}/x"}}}), "/model/data/argv/1");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh"}}, {"result", "json"}}),
            "/model/data/result");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh"}}, {"result", {{"path", "r.json"}}}}),
            "/model/data/result/path");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh"}}, {"env", {{"A", 1}}}}),
            "/model/data/env/A");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh"}}, {"image", "m.sif"}}),
            "/model/data/image");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh"}}, {"launcher", {"apptainer", "{image}"}}}),
            "/model/data/launcher/1");
  EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh"}}, {"grace_s", 10}},
                                {{"task_timeout_s", 60}, {"cancel_grace_s", 5}}),
            "/model/data/grace_s");
  for (const json& limit : {json(0), json(-1), json("1")}) {
    EXPECT_EQ(input_error_pointer(dir, {{"argv", {"t.sh"}}, {"log_limit_mb", limit}}),
              "/model/data/log_limit_mb");
  }
}

namespace {

// Answers Stop from step `stop_at` on, as a scheduler would; records what it was told.
class StoppingReporter : public ProgressReporter {
 public:
  explicit StoppingReporter(std::int64_t stop_at) : stop_at_(stop_at) {}
  ProgressDecision report(std::int64_t step, const Metrics& metrics,
                          const std::atomic<bool>*) override {
    steps.push_back(step);
    last_metrics = metrics;
    stopped_ = stopped_ || step >= stop_at_;
    return stopped_ ? ProgressDecision::Stop : ProgressDecision::Continue;
  }
  bool stopped() const override { return stopped_; }
  std::int64_t last_step() const override { return steps.empty() ? -1 : steps.back(); }

  std::vector<std::int64_t> steps;
  Metrics last_metrics;

 private:
  std::int64_t stop_at_;
  bool stopped_ = false;
};

// An IMPROVE-style training loop printing progress; `on_stop` is what it does when it sees the
// STOP file ("exit 0" for a program that heeds it, ":" for one that does not).
fs::path progress_program(const ScratchDir& dir, const std::string& on_stop) {
  return script(dir / "train.sh",
                "echo $$ > pid\n"
                "for e in 1 2 3 4 5 6 7 8 9 10; do\n"
                "  [ -f STOP ] && " +
                    on_stop +
                    "\n"
                    "  echo \"IMPROVE_PROGRESS epoch=$e val_loss=0.$((10 - e)) lr=0.01\"\n"
                    "  sleep 0.2\n"
                    "done\n"
                    "echo 'IMPROVE_RESULT 0.01'\n");
}

TrialResult run_with_reporter(const ScratchDir& dir, const fs::path& program,
                              std::shared_ptr<ProgressReporter> reporter, double grace_s) {
  const Campaign campaign =
      command_campaign(dir, {{"argv", {program.string()}}, {"grace_s", grace_s}});
  TrialRunner runner(campaign);
  TrialTask task{3, 1, json::object(), dir / "trial"};
  task.reporter = std::move(reporter);
  return runner.run(task);
}

}  // namespace

TEST(CommandModel, ProgressLinesAreReportedAndAProgramThatHeedsStopEndsStopped) {
  ScratchDir dir;
  auto reporter = std::make_shared<StoppingReporter>(3);
  const TrialResult r = run_with_reporter(dir, progress_program(dir, "exit 0"), reporter, 5);
  EXPECT_EQ(r.status, TrialStatus::Stopped) << r.message;
  EXPECT_EQ(r.step, 3);
  EXPECT_DOUBLE_EQ(r.value, 0.7);
  EXPECT_EQ(reporter->steps, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(reporter->last_metrics, (Metrics{{"val_loss", 0.7}, {"lr", 0.01}}));
  EXPECT_TRUE(fs::exists(dir / "trial" / "STOP"));
  EXPECT_FALSE(running(pid_in(dir / "trial" / "pid")));
}

TEST(CommandModel, AProgramThatIgnoresStopIsEndedAfterTheGraceLeavingNoProcess) {
  ScratchDir dir;
  auto reporter = std::make_shared<StoppingReporter>(2);
  const auto start = std::chrono::steady_clock::now();
  const TrialResult r = run_with_reporter(dir, progress_program(dir, ":"), reporter, 0.3);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, TrialStatus::Stopped) << r.message;
  // It went on past the STOP file until SIGTERM; the trial has what it reported last.
  EXPECT_GE(r.step, 2);
  EXPECT_DOUBLE_EQ(r.value, static_cast<double>(10 - r.step) / 10);
  const pid_t pid = pid_in(dir / "trial" / "pid");
  EXPECT_FALSE(running(pid));
  EXPECT_FALSE(process_group_running(pid));
  // Ten epochs would take 2 s; the stop after epoch 2 ended it well before.
  EXPECT_LT(took, std::chrono::milliseconds(1900));
}

TEST(ImproveProgress, ReadsTheStepAndTheMetricsOfAProgressLine) {
  const auto p = parse_improve_progress("[train] IMPROVE_PROGRESS epoch=3 val_loss=0.41 r2=0.5");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, 3);
  EXPECT_EQ(p->metrics, (std::map<std::string, double>{{"val_loss", 0.41}, {"r2", 0.5}}));
  EXPECT_EQ(parse_improve_progress("IMPROVE_PROGRESS step=7 loss=1e-3")->step, 7);
  for (const char* bad : {"epoch=3 val_loss=0.4", "IMPROVE_PROGRESS val_loss=0.4",
                          "IMPROVE_PROGRESS epoch=2.5 loss=1", "IMPROVE_PROGRESS epoch=3 loss=x",
                          "IMPROVE_PROGRESS epoch=3 loss", "IMPROVE_PROGRESS epoch=-1"}) {
    EXPECT_FALSE(parse_improve_progress(bad).has_value()) << bad;
  }
}

TEST(ImproveProgress, AFormattedLineReadsBackExactly) {
  const std::map<std::string, double> metrics{
      {"val_loss", 0.1 + 0.2}, {"lr", 1e-300}, {"epochs", 12}, {"r2", -0.375}};
  const std::string line = format_improve_progress(12, metrics);
  EXPECT_EQ(line.rfind("IMPROVE_PROGRESS step=12 ", 0), 0u) << line;
  const auto p = parse_improve_progress(line);
  ASSERT_TRUE(p.has_value()) << line;
  EXPECT_EQ(p->step, 12);
  EXPECT_EQ(p->metrics, metrics);
}
