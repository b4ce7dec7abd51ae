//===- FpgaYosysBackend.cpp - resources and cycles of generated engines ---===//
#include "FpgaYosysBackend.h"
#include "Backend.h"

#include "flydel/Fpga/Engine.h"
#include "flydel/Identify/Table.h"
#include "flydel/Measure/Harness.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace flydel::measure {

namespace {

// Result columns, in this order, after the plan's own columns. synth_s is the Yosys run time (provenance).
const std::vector<std::string> kColumns = {"lut", "ff", "dsp", "bram36", "cycles", "latency_ms", "energy_j",
                                           "synth_s"};

int fail(const std::string &message) {
  llvm::errs() << "flydel-measure: error: " << message << "\n";
  return 1;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

} // namespace

int runFpgaYosys(const FpgaYosysOptions &o) {
  for (const char *tool : {"yosys", "verilator"})
    if (!fpga::haveProgram(tool))
      return fail(std::string("fpga-yosys needs ") + tool + " on PATH (scripts/setup.sh installs it)");
  if (!(o.clockMhz > 0))
    return fail("--fpga-clock-mhz: expected a positive clock");
  auto table = MeasurementTable::loadCsv(o.plan);
  if (!table)
    return fail(table.error());
  RawCsv planCsv;
  if (!readRawCsv(o.plan, planCsv) || planCsv.rows.size() != table->layers.size())
    return fail(o.plan + ": cannot be read");
  // The plan's rows in file order, aligned with the table's layers.
  const std::vector<std::string> &planHeader = planCsv.header;
  std::vector<std::pair<int, std::vector<std::string>>> planRows(planCsv.rows.begin(), planCsv.rows.end());
  auto column = [&](const std::string &name) {
    auto it = std::find(planHeader.begin(), planHeader.end(), name);
    return it == planHeader.end() ? -1 : static_cast<int>(it - planHeader.begin());
  };
  int peCol = column("pe"), simdCol = column("simd");
  std::vector<int> kept;
  std::vector<std::string> header;
  for (size_t c = 0; c < planHeader.size(); ++c)
    if (std::find(kColumns.begin(), kColumns.end(), planHeader[c]) == kColumns.end() &&
        planHeader[c].rfind("latency_", 0) != 0) {
      kept.push_back(static_cast<int>(c));
      header.push_back(planHeader[c]);
    }
  size_t keyColumns = header.size();
  header.insert(header.end(), kColumns.begin(), kColumns.end());

  // Every layer is checked before anything runs: an unsupported layer or folding is an error with its line.
  std::vector<fpga::EngineConfig> configs;
  for (size_t i = 0; i < planRows.size(); ++i) {
    auto &[line, cells] = planRows[i];
    long long pe = o.pe, simd = o.simd;
    if ((peCol >= 0 && llvm::StringRef(cells[peCol]).getAsInteger(10, pe)) ||
        (simdCol >= 0 && llvm::StringRef(cells[simdCol]).getAsInteger(10, simd)))
      return fail(o.plan + ":" + std::to_string(line) + ": pe and simd must be integers");
    auto config = fpga::engineForLayer(table->layers[i], static_cast<int>(pe), static_cast<int>(simd));
    if (!config)
      return fail(o.plan + ":" + std::to_string(line) + ": backend fpga-yosys cannot run " +
                  opKindName(table->layers[i].op) + " layer: " + config.error());
    configs.push_back(*config);
  }

  // Resume: rows of an existing output with counts are kept.
  std::map<std::string, std::string> done;
  std::vector<std::string> comments;
  RawCsv previous;
  if (llvm::sys::fs::exists(o.output)) {
    if (!readRawCsv(o.output, previous) || previous.header != header)
      return fail(o.output + ": exists with other columns than this plan gives; choose another -o or remove it");
    for (auto &[line, cells] : previous.rows)
      if (cells.size() == header.size() && !cells[keyColumns].empty())
        done[joinCells({cells.begin(), cells.begin() + keyColumns})] = joinCells(cells);
    comments = previous.comments;
  }
  HostInfo host = readHostInfo();
  if (comments.empty())
    comments = {"# flydel-measure: backend fpga-yosys, plan " + o.plan,
                "# target: Xilinx 7-series, yosys synth_xilinx -family xc7 -flatten (Yosys 0.23); lut = LUT1..6 + "
                "LUTs of distributed RAM, ff = FD*, dsp = DSP48E1, bram36 = RAMB36E1 + RAMB18E1/2",
                "# cycles: Verilator 5, reset release to the last output beat of one image, input always valid, "
                "output always ready (the same run checks the outputs bit-exactly against the C++ reference)",
                "# latency_ms = cycles / " + fmt(o.clockMhz) +
                    " MHz: a stated clock, not a timed one (no open timing analysis exists for 7-series here)",
                "# energy: unavailable (not measured by this flow)",
                "# host: " + host.cpuModel + ", " + std::to_string(host.cores) + " cores"};
  comments.push_back("# session " + host.date + ": load average " + host.loadAverage);

  std::string work = o.workDir.empty() ? o.output + ".work" : o.workDir;
  llvm::sys::fs::create_directories(work);
  std::vector<std::string> out(planRows.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < planRows.size(); ++i) {
    std::vector<std::string> key;
    for (int c : kept)
      key.push_back(planRows[i].second[c]);
    auto it = done.find(joinCells(key));
    if (it != done.end())
      out[i] = it->second;
    else
      todo.push_back(i);
  }
  auto render = [&] {
    std::string text;
    for (auto &c : comments)
      text += c + "\n";
    text += joinCells(header) + "\n";
    for (auto &r : out)
      if (!r.empty())
        text += r + "\n";
    return text;
  };
  auto start = std::chrono::steady_clock::now();
  for (size_t t = 0; t < todo.size(); ++t) {
    size_t i = todo[t];
    const fpga::EngineConfig &c = configs[i];
    std::string dir = work + "/" + c.id();
    auto written = fpga::writeEngine(c, fpga::randomData(c, 1), dir);
    if (!written)
      return fail(written.error());
    // Synthesis and simulation are independent child processes: run them side by side.
    Expected<fpga::SimResult> sim = makeError("not run");
    std::thread simThread([&] { sim = fpga::simulate(dir, work + "/verilator-cache", 1); });
    auto syn = fpga::synthesize(dir);
    simThread.join();
    std::string line = o.plan + ":" + std::to_string(planRows[i].first) + ": " + c.id() + ": ";
    if (!syn)
      return (void)writeFileAtomically(o.output, render()), fail(line + syn.error());
    if (!sim)
      return (void)writeFileAtomically(o.output, render()), fail(line + sim.error());
    if (sim->mismatches)
      return (void)writeFileAtomically(o.output, render()),
             fail(line + "the engine disagrees with the reference (" + std::to_string(sim->mismatches) +
                  " beats), see " + dir + "/sim.log");
    std::vector<std::string> row;
    for (int col : kept)
      row.push_back(planRows[i].second[col]);
    row.insert(row.end(), {std::to_string(syn->lut), std::to_string(syn->ff), std::to_string(syn->dsp),
                           fmt(syn->bram), std::to_string(sim->cycles),
                           fmt(static_cast<double>(sim->cycles) / o.clockMhz / 1e3), "", fmt(syn->seconds)});
    out[i] = joinCells(row);
    if (auto w = writeFileAtomically(o.output, render()); !w)
      return fail(w.error());
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    llvm::errs() << "[" << t + 1 << "/" << todo.size() << "] " << c.id() << ": lut " << syn->lut << " ff "
                 << syn->ff << " dsp " << syn->dsp << " bram36 " << fmt(syn->bram) << " cycles " << sim->cycles
                 << " (yosys " << fmt(syn->seconds) << " s)  elapsed " << static_cast<long>(elapsed) << " s, ETA "
                 << static_cast<long>(elapsed / (t + 1) * (todo.size() - t - 1)) << " s\n";
  }
  if (todo.empty())
    (void)writeFileAtomically(o.output, render());
  return 0;
}

} // namespace flydel::measure
