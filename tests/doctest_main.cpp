// doctest's main, plus a guard: a run whose filters select no test case fails.
// ctest runs each case by name, so a name doctest cannot match (a comma or
// semicolon in it) would otherwise "pass" without running anything.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdio>

#include <doctest/doctest.h>

namespace {

unsigned selected = 0;
bool finished = false;

struct zero_guard : doctest::IReporter {
  explicit zero_guard(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& s) override {
    selected = s.numTestCasesPassingFilters;
    finished = true;
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("zero_guard", 1, zero_guard);

} // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  int rc = context.run();
  if (context.shouldExit())
    return rc;
  if (finished && selected == 0) {
    std::fprintf(stderr, "doctest: the filters selected no test case\n");
    return 1;
  }
  return rc;
}
