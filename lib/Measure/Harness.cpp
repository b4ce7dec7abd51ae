//===- Harness.cpp - Timing, statistics, sensors and provenance -----------===//
#include "flydel/Measure/Harness.h"
#include "flydel/Model/Library.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <dirent.h>
#include <fstream>
#include <memory>
#include <sstream>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace flydel::measure {

double quantile(const std::vector<double> &sorted, double q) {
  if (sorted.empty())
    return 0;
  double pos = q * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

SampleSummary summarize(std::vector<double> samples) {
  SampleSummary s;
  if (samples.empty())
    return s;
  std::sort(samples.begin(), samples.end());
  double median = quantile(samples, 0.5);
  std::vector<double> deviations;
  for (double x : samples)
    deviations.push_back(std::fabs(x - median));
  std::sort(deviations.begin(), deviations.end());
  double mad = quantile(deviations, 0.5);
  // 3 sigma of a normal sample, but never tighter than 5 % of the median: a very steady layer would otherwise
  // lose half its samples to sub-percent jitter that is not an outlier.
  double limit = std::max(3 * 1.4826 * mad, 0.05 * median);
  std::vector<double> kept;
  for (double x : samples)
    if (std::fabs(x - median) <= limit)
      kept.push_back(x);
  s.kept = static_cast<int>(kept.size());
  s.rejected = static_cast<int>(samples.size() - kept.size());
  s.median = quantile(kept, 0.5);
  if (s.median > 0) {
    s.iqrPct = 100 * (quantile(kept, 0.75) - quantile(kept, 0.25)) / s.median;
    s.madPct = 100 * mad / s.median;
  }
  return s;
}

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string readFirstLine(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line))
    return {};
  return line;
}

class RaplSensor : public EnergySensor {
public:
  struct Zone {
    std::string path;
    double maxJoules;
    double lastRaw = 0, accumulated = 0;
  };
  explicit RaplSensor(std::vector<Zone> zones) : zones_(std::move(zones)) {
    for (Zone &z : zones_)
      z.lastRaw = raw(z);
  }
  double readJoules() override {
    double total = 0;
    for (Zone &z : zones_) {
      double now = raw(z);
      double delta = now - z.lastRaw;
      if (delta < 0) // the counter wrapped
        delta += z.maxJoules;
      z.accumulated += delta;
      z.lastRaw = now;
      total += z.accumulated;
    }
    return total;
  }
  std::string describe() const override {
    std::string d = "RAPL powercap (";
    for (size_t i = 0; i < zones_.size(); ++i)
      d += (i ? ", " : "") + zones_[i].path;
    return d + ")";
  }

private:
  static double raw(const Zone &z) { return std::strtod(readFirstLine(z.path).c_str(), nullptr) * 1e-6; }
  std::vector<Zone> zones_;
};
} // namespace

std::unique_ptr<EnergySensor> openRaplSensor(std::string &why) {
  const std::string root = "/sys/class/powercap";
  DIR *dir = opendir(root.c_str());
  if (!dir) {
    why = "no sensor (" + root + " does not exist)";
    return nullptr;
  }
  std::vector<RaplSensor::Zone> zones;
  bool unreadable = false;
  while (dirent *entry = readdir(dir)) {
    std::string name = entry->d_name;
    // Package zones are intel-rapl:N; intel-rapl:N:M are their sub-zones (cores, uncore, dram), already counted.
    if (name.rfind("intel-rapl:", 0) != 0 || name.find(':', 11) != std::string::npos)
      continue;
    std::string energy = root + "/" + name + "/energy_uj";
    std::string value = readFirstLine(energy);
    if (value.empty()) {
      unreadable = true;
      continue;
    }
    double maxJoules = std::strtod(readFirstLine(root + "/" + name + "/max_energy_range_uj").c_str(), nullptr) * 1e-6;
    zones.push_back({energy, maxJoules > 0 ? maxJoules : 1e300});
  }
  closedir(dir);
  if (zones.empty()) {
    why = unreadable ? "no readable sensor (RAPL energy_uj is not readable by this user)"
                     : "no sensor (no RAPL package zone under " + root + ")";
    return nullptr;
  }
  std::sort(zones.begin(), zones.end(), [](const auto &a, const auto &b) { return a.path < b.path; });
  return std::make_unique<RaplSensor>(std::move(zones));
}

Timing timeCall(const std::function<void()> &run, const TimingOptions &options, EnergySensor *sensor) {
  // Warm-up: caches, page faults of fresh buffers, lazy initialisation in the backend.
  auto warmStart = Clock::now();
  long warmCalls = 0;
  do {
    run();
    ++warmCalls;
  } while (secondsSince(warmStart) < options.warmupSeconds);
  double perCall = secondsSince(warmStart) / static_cast<double>(warmCalls);
  // Batch short calls so one sample is well above the clock's resolution and call overhead.
  long batch = std::max(1L, static_cast<long>(std::ceil(options.minSampleSeconds / std::max(perCall, 1e-9))));

  Timing t;
  std::vector<double> samples;
  double energyStart = sensor ? sensor->readJoules() : 0;
  while (static_cast<int>(samples.size()) < options.maxSamples &&
         (static_cast<int>(samples.size()) < options.minSamples || t.measuredSeconds < options.minSeconds)) {
    auto start = Clock::now();
    for (long i = 0; i < batch; ++i)
      run();
    double elapsed = secondsSince(start);
    t.measuredSeconds += elapsed;
    t.calls += batch;
    samples.push_back(elapsed / static_cast<double>(batch));
  }
  if (sensor && t.calls > 0)
    t.energyJoulesPerCall = (sensor->readJoules() - energyStart) / static_cast<double>(t.calls);
  t.latency = summarize(std::move(samples));
  return t;
}

std::string readLoadAverage() {
  std::string line = readFirstLine("/proc/loadavg");
  if (line.empty())
    return "unavailable";
  std::istringstream in(line);
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

HostInfo readHostInfo() {
  HostInfo info;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, family, model, stepping, flags;
  // The first processor's block only; every core of a machine reports the same identity.
  while (std::getline(cpuinfo, line) && !line.empty()) {
    size_t colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name")
      info.cpuModel = value;
    else if (key == "cpu family")
      family = value;
    else if (key == "model")
      model = value;
    else if (key == "stepping")
      stepping = value;
    else if (key == "flags" || key == "Features") // x86, Arm
      flags = " " + value + " ";
  }
  if (info.cpuModel.empty())
    info.cpuModel = "unknown";
  if (!family.empty())
    info.cpuIdentity = "family " + family + " model " + model + " stepping " + stepping;
  // The widest vector extension: what the kernels of oneDNN or LLVM pick at run time.
  for (const char *isa : {"avx512f", "avx2", "sse4_2", "asimd"})
    if (flags.find(std::string(" ") + isa + " ") != std::string::npos) {
      info.cpuIdentity += (info.cpuIdentity.empty() ? "" : "; ") + std::string(isa);
      break;
    }
  info.cores = static_cast<int>(std::thread::hardware_concurrency());
  info.governor = readFirstLine("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  if (info.governor.empty())
    info.governor = "unavailable (no cpufreq)";
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  info.date = date;
  info.loadAverage = readLoadAverage();
  utsname u;
  info.kernel = uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
  return info;
}

Expected<bool> writeFileAtomically(const std::string &path, const std::string &text) noexcept {
  std::string error;
  if (!::flydel::writeFileAtomically(path, text, &error))
    return makeError(error);
  return true;
}

} // namespace flydel::measure
