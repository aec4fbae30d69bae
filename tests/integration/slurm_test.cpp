// A real scheduler: a single-node Slurm (Debian's slurmctld, slurmd and munge) configured in a
// temporary directory, a campaign submitted with `overseer submit --site laptop-slurm`, the job
// waited for and its results read. Skipped, with the reason, only where slurmctld cannot run.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <regex>
#include <thread>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;

namespace {

std::string find_program(const std::string& name) {
  for (const char* dir :
       {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
    const auto path = std::filesystem::path(dir) / name;
    if (::access(path.c_str(), X_OK) == 0) return path.string();
  }
  return "";
}

// A TCP port nothing listens on now; the kernel picks it from its ephemeral range, away from
// Slurm's defaults (6817/6818), so a test never meets a real Slurm on the machine.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string short_host_name() {
  char buffer[256] = {};
  ::gethostname(buffer, sizeof buffer - 1);
  std::string name = buffer;
  return name.substr(0, name.find('.'));
}

std::string tail(const std::filesystem::path& file, std::size_t chars = 1500) {
  const std::string text = read_text(file);
  return text.size() > chars ? text.substr(text.size() - chars) : text;
}

// munged, slurmctld and slurmd as children of the test, with every file in one directory. The
// destructor stops them, whatever happened in between.
class SlurmCluster {
 public:
  SlurmCluster() {
    std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));  // munged needs it
    for (const char* name : {"munged", "munge", "unmunge", "slurmctld", "slurmd", "sbatch", "sinfo",
                             "scontrol", "scancel"}) {
      if (find_program(name).empty()) {
        skip_reason_ = std::string(name) +
                       " is not installed (scripts/install-deps.sh installs slurmctld slurmd "
                       "slurm-client munge)";
        return;
      }
    }
    if (::geteuid() != 0) {
      skip_reason_ = "the test's Slurm runs its daemons as root (SlurmUser=root)";
      return;
    }
    if (!start_munge()) return;
    write_config();
    ::setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);
    controller_ =
        spawn({find_program("slurmctld"), "-D", "-i", "-f", (dir_ / "slurm.conf").string()},
              dir_.path(), dir_ / "slurmctld.out", dir_ / "slurmctld.err");
    node_ = spawn({find_program("slurmd"), "-D", "-f", (dir_ / "slurm.conf").string()}, dir_.path(),
                  dir_ / "slurmd.out", dir_ / "slurmd.err");
    wait_for_idle_node();
  }

  ~SlurmCluster() {
    if (controller_ > 0) run({"timeout", "5", find_program("scancel"), "--user=root"}, dir_.path());
    for (pid_t* pid : {&node_, &controller_, &munged_}) {
      if (*pid <= 0) continue;
      kill_tree(*pid);
      wait_for(*pid);
    }
    ::unsetenv("SLURM_CONF");
  }

  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& failure() const { return failure_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // The job's state from scontrol once it has ended, or "" after `timeout`.
  std::string wait_for_job(const std::string& id, std::chrono::seconds timeout) const {
    std::string state;
    const std::regex kState("JobState=([A-Z_]+)");
    wait_until(
        [&] {
          const auto r =
              run({"timeout", "5", find_program("scontrol"), "show", "job", id}, dir_.path());
          std::smatch m;
          if (!std::regex_search(r.out, m, kState)) return false;
          state = m[1];
          return state != "PENDING" && state != "RUNNING" && state != "CONFIGURING" &&
                 state != "COMPLETING";
        },
        timeout);
    return state;
  }

  std::string logs() const {
    return "slurmctld.log:\n" + tail(dir_ / "slurmctld.log") + "\nslurmd.log:\n" +
           tail(dir_ / "slurmd.log");
  }

 private:
  bool start_munge() {
    std::mt19937_64 random(std::random_device{}());
    std::string key(1024, '\0');
    for (auto& c : key) c = static_cast<char>(random());
    write_text(dir_ / "munge.key", key);
    std::filesystem::permissions(dir_ / "munge.key", std::filesystem::perms::owner_read);
    const auto socket = (dir_ / "munge.socket").string();
    munged_ = spawn({find_program("munged"), "--foreground", "--force",
                     "--key-file=" + (dir_ / "munge.key").string(), "--socket=" + socket,
                     "--pid-file=" + (dir_ / "munged.pid").string(),
                     "--log-file=" + (dir_ / "munged.log").string(),
                     "--seed-file=" + (dir_ / "munge.seed").string()},
                    dir_.path(), dir_ / "munged.out", dir_ / "munged.err");
    // A broken munge makes every Slurm command hang, so it is checked on its own first.
    const bool works = wait_until(
        [&] {
          const auto credential =
              run({"timeout", "5", find_program("munge"), "-n", "-S", socket}, dir_.path());
          if (credential.exit_code != 0) return false;
          write_text(dir_ / "credential", credential.out);
          return run({"timeout", "5", find_program("unmunge"), "-S", socket, "-i",
                      (dir_ / "credential").string()},
                     dir_.path())
                     .exit_code == 0;
        },
        std::chrono::seconds(15));
    if (!works)
      failure_ =
          "munged did not start:\n" + tail(dir_ / "munged.log") + read_text(dir_ / "munged.err");
    return works;
  }

  void write_config() const {
    const auto d = dir_.path().string();
    std::filesystem::create_directories(dir_ / "state");
    std::filesystem::create_directories(dir_ / "spool");
    const std::string host = short_host_name();
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    write_text(dir_ / "slurm.conf",
               "ClusterName=overseertest\n"
               "SlurmctldHost=" +
                   host +
                   "\n"
                   "SlurmUser=root\nSlurmdUser=root\n"
                   "AuthType=auth/munge\nCredType=cred/munge\n"
                   "AuthInfo=socket=" +
                   d +
                   "/munge.socket\n"
                   "SlurmctldPort=" +
                   std::to_string(free_port()) +
                   "\n"
                   "SlurmdPort=" +
                   std::to_string(free_port()) +
                   "\n"
                   "StateSaveLocation=" +
                   d +
                   "/state\n"
                   "SlurmdSpoolDir=" +
                   d +
                   "/spool\n"
                   "SlurmctldPidFile=" +
                   d +
                   "/slurmctld.pid\n"
                   "SlurmdPidFile=" +
                   d +
                   "/slurmd.pid\n"
                   "SlurmctldLogFile=" +
                   d +
                   "/slurmctld.log\n"
                   "SlurmdLogFile=" +
                   d +
                   "/slurmd.log\n"
                   "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
                   "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
                   "MpiDefault=pmix\nJobAcctGatherType=jobacct_gather/none\n"
                   "JobCompType=jobcomp/filetxt\nJobCompLoc=" +
                   d +
                   "/jobcomp.txt\n"
                   "ReturnToService=2\n"
                   "NodeName=" +
                   host + " CPUs=" + std::to_string(cpus) +
                   " State=UNKNOWN\n"
                   "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n");
  }

  void wait_for_idle_node() {
    const bool idle = wait_until(
        [&] {
          int status = 0;
          if (::waitpid(controller_, &status, WNOHANG) == controller_) {
            controller_ = -1;
            skip_reason_ = "slurmctld cannot start here:\n" + tail(dir_ / "slurmctld.log") +
                           read_text(dir_ / "slurmctld.err");
            return true;
          }
          const auto r =
              run({"timeout", "5", find_program("sinfo"), "-h", "-o", "%T"}, dir_.path());
          return r.out.find("idle") != std::string::npos;
        },
        std::chrono::seconds(60));
    if (!idle) failure_ = "the node did not become idle within 60 s\n" + logs();
  }

  ScratchDir dir_;
  pid_t munged_ = -1;
  pid_t controller_ = -1;
  pid_t node_ = -1;
  std::string skip_reason_;
  std::string failure_;
};

// Submits `campaign` with `overseer submit --site laptop-slurm` into work/run; the job id.
std::string submit_job(const ScratchDir& work, const json& campaign) {
  write_text(work / "campaign.json", campaign.dump());
  const auto submitted = run(
      overseer_command({"submit", (work / "campaign.json").string(), "--site", "laptop-slurm",
                        "--nodes", "1", "--time", "00:05:00", "--out", (work / "run").string()}),
      work.path());
  EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
  std::smatch match;
  if (!std::regex_search(submitted.out, match, std::regex("submitted job ([0-9]+)\n"))) {
    ADD_FAILURE() << submitted.out << submitted.err;
    return "";
  }
  return match[1];
}

}  // namespace

TEST(Slurm, SubmitRunsACampaignAsABatchJob) {
  SlurmCluster slurm;
  if (!slurm.skip_reason().empty()) GTEST_SKIP() << slurm.skip_reason();
  ASSERT_EQ(slurm.failure(), "");

  ScratchDir work;
  const std::string id = submit_job(
      work,
      {{"name", "slurm-test"},
       {"model", {{"name", "sleep"}}},
       {"space", {{{"name", "duration"}, {"type", "float"}, {"lower", 0.01}, {"upper", 0.05}}}},
       {"search", {{"algorithm", "random"}, {"budget", 8}, {"seed", 3}}}});
  ASSERT_FALSE(id.empty());
  const auto run_dir = work / "run";

  const std::string state = slurm.wait_for_job(id, std::chrono::seconds(180));
  const auto job_output = run_dir / ("slurm-" + id + ".out");
  ASSERT_EQ(state, "COMPLETED") << read_text(job_output) << "\n" << slurm.logs();

  const auto journal = read_journal(run_dir / "journal.jsonl").records;
  ASSERT_FALSE(journal.empty());
  EXPECT_EQ(journal.front()["event"], "start");
  EXPECT_EQ(journal.front()["ranks"], 3) << "srun started " << journal.front()["ranks"] << " ranks";
  int ok = 0;
  for (const auto& r : journal) ok += r["event"] == "result" && r["final"] && r["status"] == "ok";
  EXPECT_EQ(ok, 8) << read_text(job_output);
  EXPECT_EQ(journal.back()["event"], "end");
  EXPECT_TRUE(std::filesystem::exists(run_dir / "results.csv"));
}

// The early signal that `submit` asks for (--signal=USR1@N), sent now with scancel: every rank
// gets SIGUSR1, the master pauses the running trials at a checkpoint and ends the journal; the
// resumed run continues them from there and trains no step twice.
TEST(Slurm, SigusrOneDrainsTheCampaignAndResumeContinuesItsTrials) {
  SlurmCluster slurm;
  if (!slurm.skip_reason().empty()) GTEST_SKIP() << slurm.skip_reason();
  ASSERT_EQ(slurm.failure(), "");

  ScratchDir work;
  const std::string id = submit_job(
      work, {{"name", "slurm-drain"},
             {"model", {{"name", "curve"}, {"params", {{"epochs", 30}, {"step_s", 0.1}}}}},
             {"space",
              {{{"name", "target"}, {"type", "float"}, {"lower", 0}, {"upper", 1}},
               {{"name", "rate"}, {"type", "float"}, {"lower", 0.1}, {"upper", 1}}}},
             {"search", {{"algorithm", "random"}, {"budget", 4}, {"seed", 5}}},
             {"checkpoint", {{"every_steps", 100}}}});
  ASSERT_FALSE(id.empty());
  const auto run_dir = work / "run";
  EXPECT_NE(read_text(run_dir / "submit.sh").find("#SBATCH --signal=USR1@120\n"),
            std::string::npos);

  // Once both workers are a few steps into their trials.
  const auto journal_file = run_dir / "journal.jsonl";
  const bool training = wait_until(
      [&] {
        return std::filesystem::exists(journal_file) &&
               read_text(journal_file).find("\"step\":3,") != std::string::npos;
      },
      std::chrono::seconds(120));
  ASSERT_TRUE(training) << read_text(run_dir / ("slurm-" + id + ".out")) << slurm.logs();
  ASSERT_EQ(run({"scancel", "--signal=USR1", id}, work.path()).exit_code, 0);
  slurm.wait_for_job(id, std::chrono::seconds(60));
  const std::string output = read_text(run_dir / ("slurm-" + id + ".out"));
  EXPECT_NE(output.find("--resume"), std::string::npos) << output;

  const auto drained = read_journal(journal_file).records;
  ASSERT_EQ(drained.back()["event"], "end") << output;
  EXPECT_EQ(drained.back()["reason"], "drained");
  std::map<std::int64_t, std::int64_t> paused_at;  // trial: step of its checkpoint
  for (const auto& r : drained) {
    if (r["event"] == "checkpoint") paused_at[r["trial"]] = r["step"];
    EXPECT_NE(r["event"], "result") << "a trial of 3 s finished before the signal: " << r;
  }
  ASSERT_EQ(paused_at.size(), 2u) << output;
  for (const auto& [trial, step] : paused_at) {
    EXPECT_TRUE(std::filesystem::is_directory(run_dir / "trials" / std::to_string(trial) / "state" /
                                              ("step-" + std::to_string(step))));
  }
  const auto status = run(overseer_command({"status", run_dir.string()}), work.path());
  EXPECT_NE(status.out.find("state: paused"), std::string::npos) << status.out;

  const auto resumed = run(overseer_command({"run", (work / "campaign.json").string(), "--out",
                                             run_dir.string(), "--resume", "--workers", "2"}),
                           work.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  std::map<std::int64_t, std::vector<std::int64_t>> steps;
  int ok = 0;
  for (const auto& r : read_journal(journal_file).records) {
    if (r["event"] == "progress") steps[r["trial"]].push_back(r["step"]);
    ok += r["event"] == "result" && r["status"] == "ok";
  }
  EXPECT_EQ(ok, 4);
  for (const auto& [trial, trained] : steps) {
    std::vector<std::int64_t> every(30);
    std::iota(every.begin(), every.end(), 1);
    EXPECT_EQ(trained, every) << "trial " << trial << " (paused at " << paused_at[trial] << ")";
  }
}
