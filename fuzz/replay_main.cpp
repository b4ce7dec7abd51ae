//===- replay_main.cpp - Replays fuzzer inputs without libFuzzer ----------===//
//
// Links against a harness's LLVMFuzzerTestOneInput and feeds it every file named on the command line (directories
// are read one level deep, in name order), so the inputs that once crashed a harness stay regression tests under
// the regular compiler, the sanitizer build and CI (test/Fuzz/replay.test). A crash, a sanitizer report or a
// __builtin_trap in the harness ends the process with a signal, which fails the test.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path path(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> entries;
      for (const auto &entry : std::filesystem::directory_iterator(path, ec))
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
          entries.push_back(entry.path());
      std::sort(entries.begin(), entries.end());
      files.insert(files.end(), entries.begin(), entries.end());
    } else if (std::filesystem::is_regular_file(path, ec)) {
      files.push_back(path);
    } else {
      std::fprintf(stderr, "error: '%s' is neither a file nor a directory\n", argv[i]);
      return 2;
    }
  }
  for (const auto &file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "error: cannot read '%s'\n", file.c_str());
      return 2;
    }
    // The harness owns a copy of exactly the input's size, as under libFuzzer: reads past it are ASan findings.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
