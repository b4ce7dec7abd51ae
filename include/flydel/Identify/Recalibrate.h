//===- Recalibrate.h - adapting a library to a drifted platform -*- C++ -*-===//
//
// A platform library is bound to the day it was measured: another host generation, clock or driver moves every
// prediction. A few probe layers measured today say how far, per model (device, op, variant, KPI): the ratio of
// measured to predicted. Recalibration multiplies a model by the median ratio of its probes when that lowers the
// leave-one-out error on them, and a model without probes of its own by the device's median ratio for its KPI; the
// identified parameters stay as they were and the factor is recorded (Model::scale, Library::calibrations).
// MLIR-free.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_IDENTIFY_RECALIBRATE_H
#define FLYDEL_IDENTIFY_RECALIBRATE_H

#include "flydel/Identify/Table.h"
#include "flydel/Model/Library.h"

#include <string>
#include <vector>

namespace flydel {

/// How the probes of one model (or, with op = none, of a device's KPI) compare with the library.
struct ProbeComparison {
  std::string kpi;
  std::string model; // "conv2d", "conv2d/depthwise", ... or "all ops"
  int probes = 0;
  double ratioMedian = 1, ratioP10 = 1, ratioP90 = 1; // measured / predicted
  double mapeBefore = 0;                              // % on the probes, as the library stands
  /// The scale chosen (1: unchanged), its leave-one-out MAPE on the probes (%), and why.
  double scale = 1, mapeLeaveOneOut = 0;
  std::string decision;
  /// When a ridge refit toward the scaled old parameters won the leave-one-out comparison: its parameters and
  /// penalty (the model's bounded form and data bound then take the median ratio).
  std::vector<double> params;
  double alpha = 0;
  /// The model's cross-validated MAPE on its own excitation (% ; 0: not recorded), and whether the probes say the
  /// drift changed the model's shape: after the best adaptation, their leave-one-out MAPE is still more than twice
  /// that figure and 10 points above it. A factor or a refit toward the old parameters cannot follow such a drift
  /// (a new instruction set re-blocks the kernels); the model's excitation needs measuring again.
  double cvMape = 0;
  bool shapeDrift = false;
};

struct ProbeReport {
  std::string device;
  std::vector<ProbeComparison> models; // one per model with probes, then one per KPI over all its probes
  int rowsWithoutModel = 0;            // probe rows no model of the device predicts
  /// The largest |median ratio - 1| over the per-KPI rows, in %.
  double largestDriftPct = 0;
};

struct RecalibrationOptions {
  int minProbes = 3; // per model; fewer: the device's ratio for that KPI
  bool refit = true; // also try ridge refits (at least 5 probes of the model)
};

/// Compares the device's models with measured probe rows (every KPI column the library has a model for).
Expected<ProbeReport> compareWithProbes(const Library &library, const std::string &device,
                                        const MeasurementTable &probes, const RecalibrationOptions &options = {});

/// The library with the device's models rescaled from the probes, and a calibration record appended (`provenance`
/// adds fields to it: source library, probe files, machine, date). Other devices are unchanged.
Expected<Library> recalibrate(const Library &library, const std::string &device, const MeasurementTable &probes,
                              const std::string &provenanceJson, ProbeReport &report,
                              const RecalibrationOptions &options = {});

/// Up to `count` rows of `candidates` (e.g. the device's excitation plans) to measure as probes: spread over the
/// device's models (at least `minProbes` each where the count allows, the rest in proportion to the square root of
/// the rows each model has) and, within a model, the rows that tell most about its parameters' relative changes (a
/// greedy D-optimal design on the sensitivities of the prediction to the parameter changes the ridge refit
/// estimates), or for a model without such parameters or with fewer than 5 probes, rows spread over its predicted
/// value (evenly spaced quantiles of its log). Indices into candidates.layers, in table order.
Expected<std::vector<size_t>> chooseProbes(const Library &library, const std::string &device,
                                           const MeasurementTable &candidates, int count,
                                           const RecalibrationOptions &options = {});

} // namespace flydel

#endif // FLYDEL_IDENTIFY_RECALIBRATE_H
