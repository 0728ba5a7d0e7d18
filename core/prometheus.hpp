#pragma once
// Prometheus text exposition (format 0.0.4): a pure renderer plus a fixed-bucket
// histogram, so the telemetry actor only aggregates and this file owns the format.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tdmaker::prom {

using labels = std::vector<std::pair<std::string, std::string>>;

/// A cumulative histogram over integer observations. Bucket bounds and the sum are
/// rendered divided by 10^scale_decimals, so latencies kept in nanoseconds come
/// out in seconds with no floating point.
class histogram {
public:
  histogram(std::vector<std::int64_t> upper_bounds, int scale_decimals);

  void observe(std::int64_t value);
  /// Adds another histogram with the same bounds (a delta from one actor).
  void merge(const histogram& other);

  const std::vector<std::int64_t>& bounds() const { return bounds_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; } // per bucket, +Inf last
  std::uint64_t count() const { return count_; }
  std::int64_t sum() const { return sum_; }
  int scale() const { return scale_; }
  bool empty() const { return count_ == 0; }
  void clear();

  // Raw access for message transport.
  std::vector<std::uint64_t>& mutable_counts() { return counts_; }
  void set_totals(std::uint64_t count, std::int64_t sum) { count_ = count; sum_ = sum; }

private:
  std::vector<std::int64_t> bounds_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::int64_t sum_ = 0;
  int scale_;
};

/// Latency buckets in nanoseconds, 1 us .. 10 s.
std::vector<std::int64_t> latency_bounds_ns();
/// Size buckets (messages, records): 1 .. 4096, powers of two.
std::vector<std::int64_t> size_bounds();

/// Accumulates one exposition document. Families must be declared before their samples.
class exposition {
public:
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, const labels& l, std::string_view value);
  void sample(std::string_view name, const labels& l, std::int64_t value);
  void sample(std::string_view name, const labels& l, std::uint64_t value);
  void hist(std::string_view name, const labels& l, const histogram& h);
  const std::string& text() const { return out_; }

private:
  std::string out_;
};

std::string escape_label_value(std::string_view v);

} // namespace tdmaker::prom
