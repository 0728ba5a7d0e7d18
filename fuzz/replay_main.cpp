// The replay driver: a main that feeds every file of the given corpus directories
// (or single files) to the target's LLVMFuzzerTestOneInput, so the normal build's
// tests run each corpus without clang or libFuzzer. A missing or empty directory
// fails: a renamed corpus must not pass silently by replaying nothing.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.hpp"

namespace fs = std::filesystem;

namespace {

bool replay_file(const fs::path& p) {
  // Named before it runs: when an input crashes the process, the last line names it.
  std::printf("replay: %s\n", p.c_str());
  std::fflush(stdout);
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy in its own allocation, as libFuzzer passes it, so ASan sees a read past the end.
  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.data(), input.size());
  return true;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::size_t total = 0;
  for (int i = 1; i < argc; ++i) {
    fs::path arg(argv[i]);
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (auto& e : fs::directory_iterator(arg, ec))
        if (e.is_regular_file())
          files.push_back(e.path());
      if (files.empty()) {
        std::fprintf(stderr, "replay: %s holds no inputs\n", argv[i]);
        return 1;
      }
    } else if (fs::is_regular_file(arg, ec)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
      return 1;
    }
    std::sort(files.begin(), files.end()); // the same order on every run
    for (auto& f : files) {
      if (!replay_file(f))
        return 1;
      ++total;
    }
  }
  std::printf("replayed %zu inputs\n", total);
  return 0;
}
