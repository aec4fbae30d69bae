#include "overseer/report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace overseer::report {
namespace {

constexpr std::size_t kMaxCategoryLabel = 14;

// The first `limit` characters of UTF-8 text, never cutting a character in two.
std::string shortened(const std::string& text, std::size_t limit) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool starts_character = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_character && characters++ == limit) return text.substr(0, i) + "…";
  }
  return text;
}

// 1, 2 or 5 times a power of ten, near `raw`.
double nice_step(double raw) {
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * magnitude;
}

std::string px(double v) {
  return fmt::format("{:.1f}", v);
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  return fmt::format("{:.4g}", value);
}

void Extent::add(double value) {
  if (!std::isfinite(value)) return;
  lo = empty ? value : std::min(lo, value);
  hi = empty ? value : std::max(hi, value);
  empty = false;
}

Scale::Scale(Extent e, double pixel_from, double pixel_to, bool log)
    : from_(pixel_from), to_(pixel_to), log_(log && !e.empty && e.lo > 0) {
  if (e.empty) e.lo = 0, e.hi = 1;
  if (log_) {
    lo_ = std::log10(e.lo), hi_ = std::log10(e.hi);
  } else {
    lo_ = e.lo, hi_ = e.hi;
  }
  if (hi_ - lo_ < 1e-12 * std::max(1.0, std::abs(lo_))) {
    const double half = log_ ? 0.5 : std::max(0.5, std::abs(lo_) * 0.1);
    lo_ -= half, hi_ += half;
  }
}

double Scale::operator()(double value) const {
  const double v = log_ ? std::log10(value) : value;
  return from_ + (v - lo_) / (hi_ - lo_) * (to_ - from_);
}

std::vector<double> Scale::ticks() const {
  std::vector<double> out;
  if (log_ && hi_ - lo_ >= 1) {
    const double step = std::max(1.0, std::ceil((hi_ - lo_) / 6));
    for (double k = std::ceil(lo_); k <= hi_ + 1e-9; k += step) out.push_back(std::pow(10, k));
    return out;
  }
  const double step = nice_step((hi_ - lo_) / 5);
  for (double k = std::ceil(lo_ / step - 1e-9); k * step <= hi_ + step * 1e-9; ++k) {
    // Rounded to 12 digits, so that 3 x 0.2 is 0.6; and 0, never -0.
    double v = std::stod(fmt::format("{:.12g}", k * step));
    if (v == 0) v = 0;
    out.push_back(log_ ? std::pow(10, v) : v);
  }
  return out;
}

std::string svg_open(const Frame& f, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\"><title>{2}</title>",
      px(f.width), px(f.height), escape(title));
}

std::string axes(const Frame& f, const Scale& x, const Scale& y, const std::string& x_label,
                 const std::string& y_label, const std::vector<std::string>& x_categories) {
  std::string out = fmt::format(
      "<rect class=\"plot\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", px(f.plot_left()),
      px(f.plot_top()), px(f.plot_right() - f.plot_left()), px(f.plot_bottom() - f.plot_top()));
  for (double t : y.ticks()) {
    const double py = y(t);
    out += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>",
                       px(f.plot_left()), px(f.plot_right()), px(py));
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                       px(f.plot_left() - 6), px(py + 4), escape(format_number(t)));
  }
  const auto x_tick = [&](double position, const std::string& label) {
    const double p = x(position);
    out += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>", px(p),
                       px(f.plot_top()), px(f.plot_bottom()));
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                       px(p), px(f.plot_bottom() + 16), escape(label));
  };
  if (x_categories.empty()) {
    for (double t : x.ticks()) x_tick(t, format_number(t));
  } else {
    for (std::size_t i = 0; i < x_categories.size(); ++i) {
      x_tick(static_cast<double>(i), shortened(x_categories[i], kMaxCategoryLabel));
    }
  }
  out += fmt::format("<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                     px((f.plot_left() + f.plot_right()) / 2), px(f.height - 8), escape(x_label));
  const double mid_y = (f.plot_top() + f.plot_bottom()) / 2;
  out += fmt::format(
      "<text class=\"label\" x=\"14\" y=\"{0}\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 14 {0})\">{1}</text>",
      px(mid_y), escape(y_label));
  return out;
}

std::string legend(const Frame& f,
                   const std::vector<std::pair<std::string, std::string>>& name_and_colour) {
  std::string out;
  double y = f.plot_top() + 6;
  for (const auto& [name, colour] : name_and_colour) {
    const std::string text = shortened(name, 24);
    const double x = f.plot_right() - 12 - 7.0 * static_cast<double>(text.size());
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
        "<text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>",
        px(x - 14), px(y), colour, px(x), px(y + 9), escape(text));
    y += 16;
  }
  return out;
}

std::size_t mark_stride(std::size_t count) {
  return count / kMaxMarks + 1;
}

const std::string& series_colour(std::size_t index) {
  static const std::array<std::string, 8> colours = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                                     "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
  return colours[index % colours.size()];
}

std::string sequential_colour(double t) {
  static const std::array<std::array<double, 3>, 9> viridis = {{{68, 1, 84},
                                                                {71, 44, 122},
                                                                {59, 81, 139},
                                                                {44, 113, 142},
                                                                {33, 144, 141},
                                                                {39, 173, 129},
                                                                {92, 200, 99},
                                                                {170, 220, 50},
                                                                {253, 231, 37}}};
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (viridis.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(t), viridis.size() - 2);
  const double w = t - static_cast<double>(i);
  const auto channel = [&](std::size_t c) {
    return static_cast<int>(std::lround(viridis[i][c] * (1 - w) + viridis[i + 1][c] * w));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2));
}

}  // namespace overseer::report
