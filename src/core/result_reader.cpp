#include "overseer/core/result_reader.hpp"

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace overseer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// `v` as an Int, or `current` when Int cannot hold it: casting such a double is undefined
// behaviour, and a member that far off says no more than a missing one.
template <typename Int>
Int whole_or(double v, Int current) {
  constexpr double kBound = -static_cast<double>(std::numeric_limits<Int>::min());  // 2^(bits-1)
  return v >= -kBound && v < kBound ? static_cast<Int>(v) : current;
}

// Fills a ResultRecord from nlohmann's parse events. Only the top-level members and the numbers
// directly inside "metrics" matter; anything nested elsewhere is passed over by depth.
class ResultReader : public nlohmann::json_sax<json> {
 public:
  explicit ResultReader(ResultRecord& out) : out_(out) { out_.result.value = kNaN; }

  // Whatever is not a number reads as NaN where a number belongs.
  bool null() override { return not_a_number(); }
  bool boolean(bool) override { return not_a_number(); }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool binary(binary_t&) override { return true; }

  bool string(string_t& v) override {
    if (depth_ == 1) {
      if (key_ == "status") {
        out_.result.status = parse_trial_status(v).value_or(TrialStatus::Failed);
      } else if (key_ == "message") {
        out_.result.message = std::move(v);
      } else if (key_ == "host") {
        out_.result.host = std::move(v);
      } else if (key_ == "devices") {
        out_.result.devices = std::move(v);
      }
    }
    return not_a_number();
  }

  bool start_object(std::size_t) override {
    not_a_number();
    if (depth_ == 0) is_object_ = true;
    if (depth_ == 1 && key_ == "metrics") metrics_open_ = true;
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    if (depth_ == 1) metrics_open_ = false;
    return true;
  }
  bool start_array(std::size_t) override {
    not_a_number();
    if (depth_ == 1 && key_ == "group") group_open_ = true;
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    if (depth_ == 1) group_open_ = false;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1 || in_metrics()) key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  bool is_object() const { return is_object_; }

 private:
  bool in_metrics() const { return metrics_open_ && depth_ == 2; }

  bool not_a_number() {
    if (in_metrics()) {
      out_.result.metrics[key_] = kNaN;
    } else if (depth_ == 1 && key_ == "value") {
      out_.result.value = kNaN;
    }
    return true;
  }

  bool number(double v) {
    if (group_open_ && depth_ == 2) {
      out_.group.push_back(whole_or(v, -1));
    } else if (in_metrics()) {
      out_.result.metrics[key_] = v;
    } else if (depth_ == 1) {
      if (key_ == "value") {
        out_.result.value = v;
      } else if (key_ == "trial") {
        out_.trial = whole_or(v, out_.trial);
      } else if (key_ == "attempt") {
        out_.attempt = whole_or(v, out_.attempt);
      } else if (key_ == "start") {
        out_.result.start = v;
      } else if (key_ == "end") {
        out_.result.end = v;
      } else if (key_ == "rank") {
        out_.result.rank = whole_or(v, out_.result.rank);
      } else if (key_ == "step") {
        out_.result.step = whole_or(v, out_.result.step);
      }
    }
    return true;
  }

  ResultRecord& out_;
  std::string key_;
  int depth_ = 0;
  bool metrics_open_ = false;
  bool group_open_ = false;
  bool is_object_ = false;
};

}  // namespace

ResultRecord read_result(const std::uint8_t* cbor, std::size_t size) {
  ResultRecord out;
  ResultReader reader(out);
  if (!json::sax_parse(cbor, cbor + size, &reader, json::input_format_t::cbor) ||
      !reader.is_object()) {
    throw std::invalid_argument("a result must be one CBOR-encoded JSON object");
  }
  return out;
}

TrialResult trial_result_from_json(const json& body) {
  const std::vector<std::uint8_t> cbor = json::to_cbor(body);
  return read_result(cbor.data(), cbor.size()).result;
}

}  // namespace overseer
