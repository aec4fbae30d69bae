#include "overseer/store/results_h5.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "overseer/data/h5_support.hpp"
#include "overseer/store/results_export.hpp"

namespace overseer {
namespace {

using data::h5::Handle;

constexpr const char* kFormatName = "overseer-results";
constexpr int kFormatVersion = 1;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// numpy's bool as h5py stores it: an 8-bit enum with members FALSE and TRUE.
Handle bool_type() {
  Handle type(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
  const std::int8_t no = 0, yes = 1;
  H5Tenum_insert(type.get(), "FALSE", &no);
  H5Tenum_insert(type.get(), "TRUE", &yes);
  return type;
}

// HDF5 reads `/` in a name as a path separator: it is written %2F, and `%` as %25, so that
// urllib.parse.unquote gives results.csv's column name back.
std::string dataset_name(const std::string& column) {
  std::string out;
  for (char c : column) {
    if (c == '/') {
      out += "%2F";
    } else if (c == '%') {
      out += "%25";
    } else {
      out += c;
    }
  }
  return out;
}

// Datasets of one length under one HDF5 location: the file's root, or a group in it.
class Table {
 public:
  Table(std::filesystem::path path, hid_t location, std::string prefix, std::size_t rows)
      : path_(std::move(path)), location_(location), prefix_(std::move(prefix)), rows_(rows) {}

  void numbers(const std::string& name, const std::vector<double>& values) {
    column(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data());
  }
  void integers(const std::string& name, const std::vector<std::int64_t>& values) {
    column(name, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data());
  }
  void booleans(const std::string& name, const std::vector<std::int8_t>& values) {
    Handle type = bool_type();
    column(name, type.get(), type.get(), values.data());
  }
  void strings(const std::string& name, const std::vector<std::string>& values) {
    std::vector<const char*> pointers;
    for (const auto& v : values) pointers.push_back(v.c_str());
    Handle type = data::h5::string_type();
    column(name, type.get(), type.get(), pointers.data());
  }

  void attribute(const char* name, const std::vector<std::string>& values, bool scalar) {
    const hsize_t count = values.size();
    Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr), H5Sclose);
    Handle type = data::h5::string_type();
    Handle a(H5Acreate2(location_, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose);
    std::vector<const char*> pointers;
    for (const auto& v : values) pointers.push_back(v.c_str());
    if (!a.valid() || H5Awrite(a.get(), type.get(), pointers.data()) < 0) {
      fail(std::string("@") + name, "cannot write the attribute");
    }
  }
  void attribute(const char* name, int value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate2(location_, name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose);
    if (!a.valid() || H5Awrite(a.get(), H5T_NATIVE_INT, &value) < 0) {
      fail(std::string("@") + name, "cannot write the attribute");
    }
  }

  const std::vector<std::string>& names() const { return names_; }

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    throw std::runtime_error(path_.string() + ": " + prefix_ +
                             (object.empty() ? "" : "/" + object + ": ") + what);
  }

 private:
  void column(const std::string& column_name, hid_t file_type, hid_t memory_type,
              const void* values) {
    const std::string name = dataset_name(column_name);
    const hsize_t count = rows_;
    Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose);
    Handle d(H5Dcreate2(location_, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose);
    if (!d.valid()) fail(name, "cannot create the dataset");
    if (rows_ > 0 && H5Dwrite(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) {
      fail(name, "cannot write the dataset");
    }
    names_.push_back(name);
  }

  std::filesystem::path path_;
  hid_t location_;
  std::string prefix_;  // the location's path in the file, for messages
  std::size_t rows_;
  std::vector<std::string> names_;
};

// One parameter column with the narrowest type that holds every trial's value.
void write_param(Table& file, const std::string& column, const std::string& name,
                 const std::vector<const TrialRecord*>& trials) {
  bool all_present = true, all_bool = true, all_numbers = true, all_integers = true;
  for (const TrialRecord* t : trials) {
    const auto it = t->params.find(name);
    if (it == t->params.end() || it->is_null()) {
      all_present = false;
      continue;
    }
    all_bool = all_bool && it->is_boolean();
    all_numbers = all_numbers && it->is_number();
    all_integers = all_integers && it->is_number_integer();
  }
  const auto value = [&](const TrialRecord* t) {
    return t->params.contains(name) ? t->params[name] : json();
  };
  if (all_present && all_bool) {
    std::vector<std::int8_t> out;
    for (const TrialRecord* t : trials) out.push_back(value(t).get<bool>() ? 1 : 0);
    file.booleans(column, out);
  } else if (all_present && all_integers) {
    std::vector<std::int64_t> out;
    for (const TrialRecord* t : trials) out.push_back(value(t).get<std::int64_t>());
    file.integers(column, out);
  } else if (all_numbers) {
    std::vector<double> out;
    for (const TrialRecord* t : trials) {
      const json v = value(t);
      out.push_back(v.is_number() ? v.get<double>() : kMissing);
    }
    file.numbers(column, out);
  } else {
    std::vector<std::string> out;
    for (const TrialRecord* t : trials) out.push_back(param_text(value(t)));
    file.strings(column, out);
  }
}

template <typename T, typename Get>
std::vector<T> each(const std::vector<const TrialRecord*>& trials, Get get) {
  std::vector<T> out;
  out.reserve(trials.size());
  for (const TrialRecord* t : trials) out.push_back(get(*t));
  return out;
}

void write_columns(Table& file, const Campaign& campaign, const std::vector<TrialRecord>& trials) {
  const ResultColumns columns = result_columns(campaign.space, trials);
  const auto rows = sorted_by_id(trials);
  using Row = const TrialRecord&;
  file.integers("trial_id", each<std::int64_t>(rows, [](Row t) { return t.id; }));
  if (columns.labelled)
    file.strings("label", each<std::string>(rows, [](Row t) { return t.label; }));
  file.strings("status", each<std::string>(rows, [](Row t) { return to_string(t.result.status); }));
  file.numbers("value", each<double>(rows, [](Row t) {
                 return std::isfinite(t.result.value) ? t.result.value : kMissing;
               }));
  for (const auto& p : columns.params) write_param(file, "param_" + p, p, rows);
  for (const auto& m : columns.metrics) {
    file.numbers("metric_" + m, each<double>(rows, [&](Row t) {
                   const auto it = t.result.metrics.find(m);
                   return it == t.result.metrics.end() ? kMissing : it->second;
                 }));
  }
  file.integers("attempts", each<std::int64_t>(rows, [](Row t) { return t.attempts; }));
  // A float column, so that a trial that reported no progress reads as NaN, as in the CSV.
  file.numbers("step", each<double>(rows, [](Row t) {
                 return t.result.step >= 0 ? static_cast<double>(t.result.step) : kMissing;
               }));
  file.integers("rank", each<std::int64_t>(rows, [](Row t) { return t.result.rank; }));
  file.strings("host", each<std::string>(rows, [](Row t) { return t.result.host; }));
  file.strings("devices", each<std::string>(rows, [](Row t) { return t.result.devices; }));
  file.numbers("start", each<double>(rows, [](Row t) { return t.result.start; }));
  file.numbers("end", each<double>(rows, [](Row t) { return t.result.end; }));
  file.numbers("duration_s",
               each<double>(rows, [](Row t) { return t.result.end - t.result.start; }));
  file.strings("message", each<std::string>(rows, [](Row t) { return t.result.message; }));
}

// The progress records as progress.csv has them.
void write_progress(Table& table, const std::vector<ProgressRecord>& progress) {
  const ProgressRows rows = progress_rows(progress);
  using Row = const ProgressRecord*;
  const auto each_row = [&rows](auto get) {
    std::vector<decltype(get(rows.rows.front()))> out;
    out.reserve(rows.rows.size());
    for (Row p : rows.rows) out.push_back(get(p));
    return out;
  };
  table.integers("trial_id", each_row([](Row p) -> std::int64_t { return p->trial; }));
  table.integers("attempt", each_row([](Row p) -> std::int64_t { return p->attempt; }));
  table.integers("step", each_row([](Row p) -> std::int64_t { return p->step; }));
  table.numbers("time", each_row([](Row p) { return p->time; }));
  for (const auto& m : rows.metrics) {
    table.numbers("metric_" + m, each_row([&m](Row p) {
                    const auto it = p->metrics.find(m);
                    return it == p->metrics.end() ? kMissing : it->second;
                  }));
  }
}

}  // namespace

void write_results_h5(const std::filesystem::path& path, const Campaign& campaign,
                      const std::vector<TrialRecord>& trials,
                      const std::vector<ProgressRecord>& progress) {
  data::h5::silence_errors();
  auto temporary = path;
  temporary += ".tmp";
  {
    Handle file(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    Table root(temporary, file.get(), "", trials.size());
    if (!file.valid()) root.fail("", "cannot create the file");
    write_columns(root, campaign, trials);
    root.attribute("format", {kFormatName}, true);
    root.attribute("version", kFormatVersion);
    root.attribute("campaign", {campaign.name}, true);
    root.attribute("objective", {campaign.objective.metric}, true);
    root.attribute("mode", {campaign.objective.mode == ObjectiveMode::Min ? "min" : "max"}, true);
    root.attribute("columns", root.names(), false);
    if (!progress.empty()) {
      Handle group(H5Gcreate2(file.get(), "progress", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   H5Gclose);
      Table table(temporary, group.get(), "/progress", progress.size());
      if (!group.valid()) table.fail("", "cannot create the group");
      write_progress(table, progress);
      table.attribute("columns", table.names(), false);
    }
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace overseer
