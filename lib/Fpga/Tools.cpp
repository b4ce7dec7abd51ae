//===- Tools.cpp - running Yosys and Verilator on generated engines ------===//
//
// The tools run as child processes in the engine's directory (the ROM files are named relative to it); their logs
// stay there for inspection.
//
//===----------------------------------------------------------------------===//
#include "flydel/Fpga/Engine.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FLYDEL_HW_DIR
#define FLYDEL_HW_DIR "hw"
#endif

namespace flydel::fpga {

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string quote(const std::string &s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

int shell(const std::string &command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string absolute(const std::string &path) {
  if (!path.empty() && path[0] == '/')
    return path;
  char *cwd = ::getcwd(nullptr, 0);
  std::string a = std::string(cwd ? cwd : ".") + "/" + path;
  std::free(cwd);
  return a;
}

uint64_t fnv1a(const std::string &text, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : text)
    h = (h ^ c) * 1099511628211ULL;
  return h;
}

const char *const kEngineSources[] = {"flydel_window_engine.sv", "flydel_add_engine.sv", "flydel_stream.sv"};

// The engine sources, quoted for the shell or (yosys script) in double quotes.
std::string engineSources(bool forYosys = false) {
  std::string s;
  for (const char *f : kEngineSources)
    s += " " + (forYosys ? "\"" + hwDir() + "/" + f + "\"" : quote(hwDir() + "/" + f));
  return s;
}

} // namespace

std::string hwDir() {
  if (const char *env = std::getenv("FLYDEL_HW_DIR"))
    return env;
  return FLYDEL_HW_DIR;
}

bool haveProgram(const std::string &name) { return shell("command -v " + quote(name) + " >/dev/null 2>&1") == 0; }

Expected<SynthResult> synthesize(const std::string &dirIn, const std::string &yosys) {
  std::string dir = absolute(dirIn);
  // -flatten: one module to count; -nowidelut keeps the LUT counts in LUT1..6 (no MUXF7/8 trees counted twice).
  std::string script = "read_verilog -defer -sv" + engineSources(true) + " top.sv; synth_xilinx -family xc7 -flatten "
                       "-top top; tee -o stat.txt stat";
  auto start = std::chrono::steady_clock::now();
  int rc = shell("cd " + quote(dir) + " && " + quote(yosys) + " -q -l yosys.log -p " + quote(script) +
                 " >/dev/null 2>&1");
  SynthResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rc != 0)
    return makeError("yosys failed (exit " + std::to_string(rc) + "), see " + dir + "/yosys.log");
  std::string stat = readFile(dir + "/stat.txt");
  // Cell lines of the flattened top: "     LUT6      207".
  static const std::regex cell(R"(^\s+(\w+)\s+(\d+)\s*$)");
  std::map<std::string, int> cells;
  std::istringstream lines(stat);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, cell))
      cells[m[1]] += std::stoi(m[2]);
  }
  if (cells.empty())
    return makeError("no cell counts in " + dir + "/stat.txt");
  // LUTs a distributed-RAM primitive occupies in a 7-series slice.
  static const std::map<std::string, int> lutram = {{"RAM32M", 4},    {"RAM64M", 4},    {"RAM32X1D", 2},
                                                    {"RAM64X1D", 2},  {"RAM128X1D", 4}, {"RAM32X1S", 1},
                                                    {"RAM64X1S", 1},  {"RAM128X1S", 2}, {"RAM256X1S", 4},
                                                    {"SRL16E", 1},    {"SRLC32E", 1}};
  for (auto &[name, n] : cells) {
    if (name.size() == 4 && name.rfind("LUT", 0) == 0)
      r.lut += n;
    else if (auto it = lutram.find(name); it != lutram.end())
      r.lut += n * it->second;
    else if (name == "FDRE" || name == "FDSE" || name == "FDCE" || name == "FDPE")
      r.ff += n;
    else if (name == "DSP48E1")
      r.dsp += n;
    else if (name == "RAMB36E1")
      r.bram += n;
    else if (name == "RAMB18E1")
      r.bram += 0.5 * n;
  }
  return r;
}

Expected<SimResult> simulate(const std::string &dirIn, const std::string &cacheIn, uint64_t seed,
                             const std::string &verilator) {
  std::string dir = absolute(dirIn), cacheDir = absolute(cacheIn);
  std::string top = readFile(dir + "/top.sv");
  if (top.empty())
    return makeError(dir + "/top.sv: missing or empty");
  // The testbench drives a second input stream when the top has one (an add engine, or a partition with two).
  bool twoInputs = top.find("in2_valid") != std::string::npos;
  std::string tb = hwDir() + "/tb/flydel_tb.cpp";
  // The model depends on the parameters (top.sv), the engines and the testbench, not on the data files.
  std::string key = top + readFile(tb);
  for (const char *f : kEngineSources)
    key += readFile(hwDir() + "/" + f);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(key)));
  std::string model = cacheDir + "/" + hash;
  SimResult r;
  if (!exists(model + "/Vtop")) {
    shell("mkdir -p " + quote(model));
    auto start = std::chrono::steady_clock::now();
    // -O1 C++: small designs simulate in milliseconds, so compile time dominates.
    std::string cmd = "cd " + quote(model) + " && cp " + quote(dir + "/top.sv") + " top.sv && " + quote(verilator) +
                      " --cc --exe --build -j 2 -Wno-fatal -Wno-lint -Wno-style --top-module top -Mdir obj" +
                      engineSources() + " top.sv " + quote(tb) + " -CFLAGS '-O1" +
                      (twoInputs ? " -DFLYDEL_TB_ADD" : "") + "' -o " + quote(model + "/Vtop") +
                      " > verilator.log 2>&1";
    int rc = shell(cmd);
    r.buildSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (rc != 0 || !exists(model + "/Vtop"))
      return makeError("verilator failed (exit " + std::to_string(rc) + "), see " + model + "/verilator.log");
    shell("rm -rf " + quote(model + "/obj"));
  }
  int rc = shell("cd " + quote(dir) + " && " + quote(model + "/Vtop") + " . " + std::to_string(seed) +
                 " > sim.log 2>&1");
  std::string log = readFile(dir + "/sim.log");
  auto field = [&](const std::string &name) -> long {
    size_t at = log.find("\n" + name + " ");
    if (at == std::string::npos && log.rfind(name + " ", 0) == 0)
      at = 0;
    else if (at != std::string::npos)
      ++at;
    else
      return -1;
    return std::stol(log.substr(at + name.size() + 1));
  };
  r.cycles = field("cycles");
  r.beats = field("beats");
  r.mismatches = field("mismatches");
  if (r.cycles < 0 || r.mismatches < 0)
    return makeError("simulation failed (exit " + std::to_string(rc) + "), see " + dir + "/sim.log");
  return r;
}

} // namespace flydel::fpga
