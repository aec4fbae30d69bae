#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "overseer/balancer/inprocess_transport.hpp"
#include "overseer/balancer/layout.hpp"
#include "overseer/balancer/protocol.hpp"
#include "overseer/balancer/server.hpp"
#include "overseer/balancer/simulator.hpp"
#include "overseer/balancer/task_queue.hpp"
#include "overseer/core/error.hpp"

using namespace overseer;

TEST(Layout, ServersFromWorkersPerServerAndContiguousBlocks) {
  EXPECT_EQ(Layout(2, 256).servers(), 1);
  EXPECT_EQ(Layout(257, 256).servers(), 1);
  EXPECT_EQ(Layout(258, 256).servers(), 2);
  const Layout layout(11, 256, 3);  // 3 servers, 8 workers
  EXPECT_EQ(layout.workers(), 8);
  std::vector<int> seen;
  for (int s = 0; s < 3; ++s) {
    auto [first, last] = layout.workers_of(s);
    for (int w = first; w < last; ++w) {
      EXPECT_EQ(layout.server_of(w), s);
      seen.push_back(w);
    }
  }
  EXPECT_EQ(seen, (std::vector<int>{3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_THROW(Layout(3, 256, 3), std::invalid_argument);
  EXPECT_THROW(Layout(5, 256, 3), std::invalid_argument);  // a server without workers
  EXPECT_EQ(Layout(5, 1).servers(), 2);                    // never more servers than workers
}

TEST(Protocol, AResultTravelsAsCborAndAsTheJournalsText) {
  const json body = {{"trial", 7}, {"status", "ok"}, {"value", 0.5}, {"message", "é\n\"x\""}};
  const Payload payload = encode_result(body);
  const ResultPayload parts = split_result(payload);
  EXPECT_EQ(json::from_cbor(parts.cbor, parts.cbor + parts.cbor_size), body);
  EXPECT_EQ(json::parse(parts.text), body);

  Payload truncated(payload.begin(), payload.begin() + 3);
  EXPECT_THROW(split_result(truncated), std::invalid_argument);
  Payload lying = payload;
  lying[3] = 0xff;  // a CBOR part longer than the message
  EXPECT_THROW(split_result(lying), std::invalid_argument);
  for (const char* text : {"", "{}", "[1]", "{\"a\":1}\n{\"b\":2}"}) {
    Payload broken(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(
                                                          payload.size() - parts.text.size()));
    broken.insert(broken.end(), text, text + std::strlen(text));
    EXPECT_THROW(split_result(broken), std::invalid_argument) << text;
  }
}

TEST(TaskQueue, OffersHighestPriorityFirstThenArrivalOrder) {
  TaskQueue q;
  q.push({{"trial", 0}});
  q.push({{"trial", 1}, {"priority", 2}});
  q.push({{"trial", 2}});
  q.push({{"trial", 3}, {"priority", 2}});
  std::vector<int> order;
  q.offer([&](json& t) {
    order.push_back(t["trial"]);
    return t["trial"] == 3 ? TaskQueue::Offer::Take : TaskQueue::Offer::Keep;
  });
  EXPECT_EQ(order, (std::vector<int>{1, 3, 0, 2}));
  EXPECT_EQ(q.size(), 3u);
  order.clear();
  q.offer([&](json& t) {
    order.push_back(t["trial"]);
    return TaskQueue::Offer::Stop;
  });
  EXPECT_EQ(order, (std::vector<int>{1}));
}

TEST(Server, ATaskAvoidingAWorkerWaitsForAnother) {
  InProcessNetwork network(3);
  const Layout layout(3, 256);  // workers 1 and 2
  Server server(network.endpoint(0), layout, ServerOptions{}, [](int) {});
  server.add({{{"trial", 7}, {"priority", 1}, {"avoid", {1}}}, {{"trial", 8}}}, true);
  server.worker_idle(1);
  auto message = network.endpoint(1).receive(std::chrono::microseconds(1000));
  ASSERT_TRUE(message);
  EXPECT_EQ(decode(message->payload)["trial"], 8);
  server.worker_idle(2);
  message = network.endpoint(2).receive(std::chrono::microseconds(1000));
  ASSERT_TRUE(message);
  EXPECT_EQ(decode(message->payload)["trial"], 7);
}

TEST(Server, HandsOutTasksByPriorityAndAsksTheMasterForMore) {
  InProcessNetwork network(2);
  const Layout layout(2, 256);
  int asked = 0;
  Server server(network.endpoint(0), layout, ServerOptions{}, [&](int n) { asked += n; });
  server.add({{{"trial", 0}}, {{"trial", 1}, {"priority", 5}}, {{"trial", 2}, {"priority", 1}}},
             true);
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    server.worker_idle(1);
    auto message = network.endpoint(1).receive(std::chrono::microseconds(1000));
    ASSERT_TRUE(message);
    ASSERT_EQ(message->tag, static_cast<int>(Tag::Task));
    order.push_back(decode(message->payload)["trial"]);
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 0}));
  server.worker_idle(1);  // nothing left: the worker waits and the server asks for more
  EXPECT_GE(asked, 1);
  EXPECT_FALSE(network.endpoint(1).receive(std::chrono::microseconds(1000)));
}

TEST(Server, StolenTasksArrivingAfterCancelGoBackToTheMaster) {
  InProcessNetwork network(4);
  const Layout layout(4, 256, 2);  // server 0 (the master) and server 1, one worker each
  Server server(network.endpoint(1), layout, ServerOptions{}, [](int) {});
  server.cancel();
  Message batch{0, static_cast<int>(Tag::Batch),
                encode({{"tasks", {{{"trial", 4}}, {{"trial", 9}}}}, {"stolen", true}})};
  server.handle(batch);
  auto message = network.endpoint(0).receive(std::chrono::microseconds(1000));
  ASSERT_TRUE(message);
  EXPECT_EQ(message->tag, static_cast<int>(Tag::Cancelled));
  const json body = decode(message->payload);
  EXPECT_EQ(body["tasks"], json::array({4, 9}));
  EXPECT_FALSE(body.contains("reply"));  // not the answer to Cancel
}

namespace {

// The Task messages waiting at each of `ranks`, as (rank, body).
std::vector<std::pair<int, json>> tasks_at(InProcessNetwork& network, std::vector<int> ranks) {
  std::vector<std::pair<int, json>> out;
  for (int r : ranks) {
    while (auto m = network.endpoint(r).receive(std::chrono::microseconds(200))) {
      if (m->tag == static_cast<int>(Tag::Task)) out.emplace_back(r, decode(m->payload));
    }
  }
  return out;
}

}  // namespace

TEST(Server, AGroupTaskGoesToIdleWorkersOfOneNodeEachToldTheGroup) {
  InProcessNetwork network(7);
  const Layout layout(7, 256);  // workers 1..6
  Server server(network.endpoint(0), layout, ServerOptions{}, [](int) {});
  for (int w : {1, 2, 3, 4, 5, 6}) server.worker_idle(w, w <= 2 ? "a" : w <= 5 ? "b" : "c");
  server.add({{{"trial", 0}, {"ranks", 3}}, {{"trial", 1}, {"ranks", 2}}}, true);
  const auto sent = tasks_at(network, {1, 2, 3, 4, 5, 6});
  ASSERT_EQ(sent.size(), 5u);
  // Three on node b for the first; node a holds the second whole, so it goes there, not
  // across a and c.
  std::vector<int> first, second;
  for (const auto& [rank, task] : sent) {
    (task["trial"] == 0 ? first : second).push_back(rank);
    const auto& group = task["group"];
    EXPECT_EQ(group.at(task["member"].get<std::size_t>()), rank);
  }
  EXPECT_EQ(first, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(second, (std::vector<int>{1, 2}));
  EXPECT_EQ(server.stats().groups, 2);
}

TEST(Server, AWaitingGroupKeepsIdleWorkersFromLaterTasksUntilItForms) {
  InProcessNetwork network(5);
  const Layout layout(5, 256);  // workers 1..4
  Server server(network.endpoint(0), layout, ServerOptions{}, [](int) {});
  server.add({{{"trial", 0}}, {{"trial", 1}}}, true);
  server.worker_idle(1);
  server.worker_idle(2);
  ASSERT_EQ(tasks_at(network, {1, 2}).size(), 2u);  // both busy with single-rank trials
  server.add({{{"trial", 2}, {"ranks", 3}}, {{"trial", 3}}, {{"trial", 4}}}, true);
  server.worker_idle(3);
  server.worker_idle(4);
  // Two idle workers are not enough for trial 2, and trials 3 and 4 must not take them, or a
  // steady stream of single-rank work would keep the group from ever forming.
  EXPECT_TRUE(tasks_at(network, {3, 4}).empty());
  server.worker_idle(1);  // trial 0 done
  const auto group = tasks_at(network, {1, 3, 4});
  ASSERT_EQ(group.size(), 3u);
  for (const auto& [rank, task] : group) EXPECT_EQ(task["trial"], 2);
  server.worker_idle(2);  // trial 1 done: the single-rank work goes on
  const auto single = tasks_at(network, {2});
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].second["trial"], 3);
}

// The retry of a group's failed attempt: none of its members while enough others are idle,
// and them too when the server has no others.
TEST(Server, AGroupTaskAvoidingAFailedGroupFormsFromOtherWorkers) {
  {
    InProcessNetwork network(5);
    const Layout layout(5, 256);  // workers 1..4
    Server server(network.endpoint(0), layout, ServerOptions{}, [](int) {});
    for (int w : {1, 2, 3}) server.worker_idle(w);
    server.add({{{"trial", 0}, {"ranks", 2}, {"avoid", {1, 2}}}}, true);
    EXPECT_TRUE(tasks_at(network, {1, 2, 3}).empty()) << "3 alone is not a group";
    server.worker_idle(4);
    const auto group = tasks_at(network, {1, 2, 3, 4});
    ASSERT_EQ(group.size(), 2u);
    EXPECT_EQ(group[0].first, 3);
    EXPECT_EQ(group[1].first, 4);
  }
  InProcessNetwork network(4);
  const Layout layout(4, 256);  // workers 1..3
  Server server(network.endpoint(0), layout, ServerOptions{}, [](int) {});
  for (int w : {1, 2, 3}) server.worker_idle(w);
  server.add({{{"trial", 0}, {"ranks", 2}, {"avoid", {1, 2}}}}, true);
  EXPECT_EQ(tasks_at(network, {1, 2, 3}).size(), 2u);
}

TEST(Server, AWorkerHoldingATaskIsNotPutInAGroup) {
  InProcessNetwork network(4);
  const Layout layout(4, 256);  // workers 1..3
  Server server(network.endpoint(0), layout, ServerOptions{}, [](int) {});
  server.handle(Message{1, static_cast<int>(Tag::Request), encode({{"slots", 2}})});
  server.add({{{"trial", 0}}}, true);
  ASSERT_EQ(tasks_at(network, {1}).size(), 1u);  // worker 1 runs it, one slot still free
  server.worker_idle(2);
  server.add({{{"trial", 1}, {"ranks", 2}}}, true);
  // Worker 1 would start the group's part only after trial 0, holding worker 2 meanwhile.
  EXPECT_TRUE(tasks_at(network, {1, 2}).empty());
  server.worker_idle(3);
  const auto group = tasks_at(network, {1, 2, 3});
  ASSERT_EQ(group.size(), 2u);
  EXPECT_EQ(group[0].first, 2);
  EXPECT_EQ(group[1].first, 3);
}

namespace {

SimulationSpec spec(int workers, std::int64_t tasks, int servers) {
  SimulationSpec s;
  s.workers = workers;
  s.servers = servers;
  s.tasks = tasks;
  s.duration = DurationModel::parse("lognormal:0,0.5");
  s.seed = 3;
  return s;
}

}  // namespace

TEST(Simulator, TenThousandWorkersRunEveryTaskExactlyOnceAndStop) {
  const SimulationReport r = simulate(spec(10000, 50000, 40));
  EXPECT_EQ(r.tasks_run, 50000);
  EXPECT_EQ(r.workers_used, 10000);
  EXPECT_GT(r.makespan_s, 0);
  EXPECT_GT(r.utilization, 0.5);
  EXPECT_LE(r.utilization, 1.0);
}

TEST(Simulator, IsDeterministicForASeed) {
  EXPECT_EQ(simulate(spec(500, 3000, 4)).to_json(), simulate(spec(500, 3000, 4)).to_json());
  SimulationSpec other = spec(500, 3000, 4);
  other.seed = 4;
  EXPECT_NE(simulate(other).to_json(), simulate(spec(500, 3000, 4)).to_json());
}

TEST(Simulator, StealingSpreadsWorkInjectedAtOneServer) {
  SimulationSpec one = spec(1024, 20000, 4);
  one.inject_at_one_server = true;
  const SimulationReport stealing = simulate(one);
  EXPECT_EQ(stealing.tasks_run, 20000);
  EXPECT_EQ(stealing.workers_used, 1024);  // every server's workers ran tasks
  EXPECT_GT(stealing.steals, 0);
  // Every answered probe moves at least one task, including those answered by server 0.
  EXPECT_GE(stealing.stolen_tasks, stealing.steals);

  one.steal = false;
  const SimulationReport stuck = simulate(one);
  EXPECT_EQ(stuck.tasks_run, 20000);
  EXPECT_EQ(stuck.workers_used, 256);  // only server 0's block
  EXPECT_LT(stuck.utilization, 0.3);
  EXPECT_GT(stealing.utilization, 2 * stuck.utilization) << stealing.to_json() << stuck.to_json();
}

// Tasks of 10.5 s reporting every 2 s send 5 reports each (at 2, 4, 6, 8 and 10 s); their cost
// is the master's, at 1 ms each: 100 tasks on 10 workers take 105 s, 0.5 s of it the master's.
TEST(Simulator, ProgressReportsReachTheMasterAndCostItsTime) {
  SimulationSpec s = spec(10, 100, 1);
  s.duration = DurationModel::parse("fixed:10.5");
  const SimulationReport quiet = simulate(s);
  EXPECT_EQ(quiet.progress_reports, 0);
  s.report_every_s = 2;
  s.progress_s = 1e-3;
  const SimulationReport reporting = simulate(s);
  EXPECT_EQ(reporting.progress_reports, 500);
  EXPECT_EQ(reporting.tasks_run, 100);
  EXPECT_NEAR(reporting.master_busy_fraction - quiet.master_busy_fraction,
              500 * 1e-3 / reporting.makespan_s, 1e-3);
}

TEST(Simulator, DurationSpecsAreChecked) {
  EXPECT_NO_THROW(DurationModel::parse("uniform:1,2"));
  EXPECT_THROW(DurationModel::parse("uniform:2,1"), std::exception);
  EXPECT_THROW(DurationModel::parse("gamma:1,2"), std::exception);
  EXPECT_THROW(DurationModel::parse("fixed:abc"), std::exception);
  Rng rng(1);
  EXPECT_EQ(DurationModel::parse("fixed:2.5").sample(rng), 2.5);
}

TEST(Simulator, TasksOnSeveralWorkersRunOnceEachAndKeepWorkersBusy) {
  SimulationSpec s = spec(2048, 20000, 8);
  s.ranks = RanksMix::parse("1:0.6,4:0.3,8:0.1");
  const SimulationReport r = simulate(s);
  EXPECT_EQ(r.tasks_run, 20000);
  EXPECT_GT(r.group_tasks, 6000);
  EXPECT_LT(r.group_tasks, 9000);
  EXPECT_GT(r.utilization_while_work_remains, 0.9);
  EXPECT_THROW(RanksMix::parse("0"), InputError);
  EXPECT_THROW(RanksMix::parse("2:-1"), InputError);
  EXPECT_THROW(RanksMix::parse("1.5"), InputError);
  s.ranks = RanksMix::parse("512");
  EXPECT_THROW(simulate(s), InputError);  // 256 workers per server
}
