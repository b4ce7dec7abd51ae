//===- Harness.h - Timing, statistics, sensors and provenance --*- C++ -*-===//
//
// The backend-independent half of a measurement: how a runnable layer is timed (warm-up, calibrated batches,
// repetitions until a minimum measured time, outlier rejection, median and spread), where energy comes from (RAPL
// powercap when readable, otherwise nothing: a missing sensor is reported, never estimated), and the provenance
// written above every measurement table. MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MEASURE_HARNESS_H
#define FLYDEL_MEASURE_HARNESS_H

#include "flydel/Model/Expected.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flydel::measure {

/// Robust summary of repeated samples. Outliers lie beyond median ± max(3·1.4826·MAD, 5 % of the median) (a
/// normal sample's 3 sigma, floored);
/// timing noise is mostly upward (preemption by other processes, page faults), and the median of what is kept is
/// the latency.
struct SampleSummary {
  double median = 0;  // of the kept samples
  double iqrPct = 0;  // interquartile range / median, in %
  double madPct = 0;  // median absolute deviation / median, in % (of all samples)
  int kept = 0, rejected = 0;
};
/// Quantile q in [0,1] of sorted values, linear interpolation.
double quantile(const std::vector<double> &sorted, double q);
SampleSummary summarize(std::vector<double> samples);

struct TimingOptions {
  double warmupSeconds = 0.05; // at least one call, then until this much time has passed
  double minSeconds = 0.2;     // measured time to accumulate
  double minSampleSeconds = 1e-3; // calls are batched so that one sample lasts at least this long
  int minSamples = 7;
  int maxSamples = 200;
};

struct Timing {
  SampleSummary latency; // seconds per call
  long calls = 0;        // timed calls, all samples
  double measuredSeconds = 0;
  std::optional<double> energyJoulesPerCall; // from the energy sensor over the timed calls; empty without one
};

/// An energy counter, in joules, monotonic between two reads (wrap-around handled by the reader).
class EnergySensor {
public:
  virtual ~EnergySensor() = default;
  virtual double readJoules() = 0;
  virtual std::string describe() const = 0;
};

/// RAPL package domains under /sys/class/powercap (intel-rapl:N, not their sub-zones), summed; nullptr when none is
/// readable (no such directory in most VMs and containers, or energy_uj restricted to root). `why` says which.
std::unique_ptr<EnergySensor> openRaplSensor(std::string &why);

/// Times `run` as TimingOptions says. `sensor` may be null.
Timing timeCall(const std::function<void()> &run, const TimingOptions &options, EnergySensor *sensor);

/// Facts about this machine for the provenance header: "key: value" lines.
struct HostInfo {
  std::string cpuModel, governor, date, loadAverage, kernel;
  /// "family F model M stepping S; vector ISA" from /proc/cpuinfo, or empty where it says nothing: a VM's model
  /// name ("AMD EPYC") does not tell processor generations apart, and a library's drift follows them.
  std::string cpuIdentity;
  int cores = 0;
};
HostInfo readHostInfo();
/// Current 1/5/15-minute load averages as "a b c", or "unavailable".
std::string readLoadAverage();

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so a reader (or a crash)
/// never sees a half-written file.
Expected<bool> writeFileAtomically(const std::string &path, const std::string &text) noexcept;

} // namespace flydel::measure

#endif // FLYDEL_MEASURE_HARNESS_H
