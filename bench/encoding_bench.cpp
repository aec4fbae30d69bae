// Wire encodings for task messages, side by side: JSON text against nlohmann's CBOR and
// MessagePack, for a Uno-sized hyperparameter tuple.
#include <benchmark/benchmark.h>

#include "overseer/core/json_view.hpp"

namespace {

using overseer::json;

json task_message() {
  return {{"trial", 123456},
          {"attempt", 1},
          {"run_dir", "/lus/grand/projects/CSC249/runs/uno-hpo/trials/123456"},
          {"params",
           {{"learning_rate", 0.000734512},
            {"batch_size", 64},
            {"epochs", 50},
            {"dense", json::array({1000, 1000, 1000})},
            {"dense_feature_layers", json::array({1000, 1000, 1000})},
            {"dropout", 0.1},
            {"activation", "relu"},
            {"optimizer", "adam"},
            {"batch_normalization", false},
            {"residual", true}}}};
}

template <typename Encode, typename Decode>
void round_trip(benchmark::State& state, Encode encode, Decode decode) {
  const json message = task_message();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto wire = encode(message);
    bytes = wire.size();
    json back = decode(wire);
    benchmark::DoNotOptimize(back);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

void BM_JsonText(benchmark::State& state) {
  round_trip(
      state, [](const json& j) { return j.dump(); },
      [](const std::string& s) { return json::parse(s); });
}
void BM_Cbor(benchmark::State& state) {
  round_trip(
      state, [](const json& j) { return json::to_cbor(j); },
      [](const std::vector<std::uint8_t>& b) { return json::from_cbor(b); });
}
void BM_MessagePack(benchmark::State& state) {
  round_trip(
      state, [](const json& j) { return json::to_msgpack(j); },
      [](const std::vector<std::uint8_t>& b) { return json::from_msgpack(b); });
}

BENCHMARK(BM_JsonText);
BENCHMARK(BM_Cbor);
BENCHMARK(BM_MessagePack);

}  // namespace
