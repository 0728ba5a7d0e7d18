#include <doctest/doctest.h>

#include "core/process_stats.hpp"
#include "core/prometheus.hpp"

using namespace tdmaker;

TEST_CASE("histograms are cumulative and rendered in scaled units") {
  prom::histogram h({1'000, 1'000'000}, 9); // 1 us, 1 ms in ns
  h.observe(500);
  h.observe(1'000);
  h.observe(2'000'000);
  prom::exposition e;
  e.family("x_seconds", "help", "histogram");
  e.hist("x_seconds", {{"kind", "a\"b"}}, h);
  CHECK(e.text().find("# HELP x_seconds help\n# TYPE x_seconds histogram\n") == 0);
  CHECK(e.text().find("le=\"0.000001\"} 2\n") != std::string::npos);
  CHECK(e.text().find("le=\"0.001\"} 2\n") != std::string::npos);
  CHECK(e.text().find("le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(e.text().find("x_seconds_sum{kind=\"a\\\"b\"} 0.0020015\n") != std::string::npos);
  CHECK(e.text().find("x_seconds_count{kind=\"a\\\"b\"} 3\n") != std::string::npos);
}

TEST_CASE("merging a delta adds bucket by bucket - mismatched layouts are refused") {
  prom::histogram a({10, 20}, 0), b({10, 20}, 0), c({10}, 0);
  a.observe(5);
  b.observe(15);
  b.observe(25);
  a.merge(b);
  CHECK(a.count() == 3);
  CHECK(a.counts() == std::vector<std::uint64_t>{1, 1, 1});
  c.observe(1);
  a.merge(c);
  CHECK(a.count() == 3);
}

TEST_CASE("proc parsers") {
  CHECK(parse_statm_resident_pages("1000 250 30 1 0 100 0\n") == 250);
  CHECK(parse_statm_resident_pages("garbage") == -1);
  CHECK(parse_status_threads("Name:\ttdmaker\nThreads:\t7\n") == 7);
  CHECK(parse_status_threads("Name:\tx\n") == -1);
}
