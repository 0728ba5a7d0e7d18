#include "core/prometheus.hpp"

#include <algorithm>

#include "core/decimal.hpp"

namespace tdmaker::prom {

histogram::histogram(std::vector<std::int64_t> upper_bounds, int scale_decimals)
  : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0), scale_(scale_decimals) {
}

void histogram::observe(std::int64_t value) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += value;
}

void histogram::merge(const histogram& other) {
  if (other.counts_.size() != counts_.size())
    return; // different layout: refuse rather than corrupt the buckets
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
}

void histogram::clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
}

std::vector<std::int64_t> latency_bounds_ns() {
  return {1'000,       5'000,       10'000,      25'000,        50'000,        100'000,
          250'000,     500'000,     1'000'000,   2'500'000,     5'000'000,     10'000'000,
          25'000'000,  50'000'000,  100'000'000, 250'000'000,   500'000'000,   1'000'000'000,
          2'500'000'000, 5'000'000'000, 10'000'000'000};
}

std::vector<std::int64_t> size_bounds() {
  std::vector<std::int64_t> b;
  for (std::int64_t v = 1; v <= 4096; v *= 2)
    b.push_back(v);
  return b;
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

namespace {

void write_labels(std::string& out, const labels& l, std::string_view extra_key = {},
                  std::string_view extra_value = {}) {
  if (l.empty() && extra_key.empty())
    return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : l) {
    if (!first)
      out += ',';
    first = false;
    out += k;
    out += "=\"";
    out += escape_label_value(v);
    out += '"';
  }
  if (!extra_key.empty()) {
    if (!first)
      out += ',';
    out += extra_key;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

} // namespace

void exposition::family(std::string_view name, std::string_view help, std::string_view type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void exposition::sample(std::string_view name, const labels& l, std::string_view value) {
  out_ += name;
  write_labels(out_, l);
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void exposition::sample(std::string_view name, const labels& l, std::int64_t value) {
  sample(name, l, std::to_string(value));
}

void exposition::sample(std::string_view name, const labels& l, std::uint64_t value) {
  sample(name, l, std::to_string(value));
}

void exposition::hist(std::string_view name, const labels& l, const histogram& h) {
  std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.bounds().size(); ++i) {
    cumulative += h.counts()[i];
    out_ += bucket;
    write_labels(out_, l, "le", format_fixed(h.bounds()[i], h.scale()));
    out_ += ' ';
    out_ += std::to_string(cumulative);
    out_ += '\n';
  }
  cumulative += h.counts().back();
  out_ += bucket;
  write_labels(out_, l, "le", "+Inf");
  out_ += ' ';
  out_ += std::to_string(cumulative);
  out_ += '\n';
  sample(std::string(name) + "_sum", l, format_fixed(h.sum(), h.scale()));
  sample(std::string(name) + "_count", l, h.count());
}

} // namespace tdmaker::prom
