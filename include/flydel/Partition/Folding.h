//===- Folding.h - FPGA engine folding under a resource budget --*- C++ -*-===//
//
// MLIR-free. Chooses the folding (PE output channels x SIMD input channels per cycle) of every streaming engine of
// an FPGA partition so that the engines fit the device's resources while the slowest engine is as fast as possible:
// in a streaming dataflow the slowest engine's initiation interval sets the throughput (objective throughput); the
// sum of the engines' times is the other objective (latency, layers run one after another).
//
// A problem is a list of layers, each with its candidate foldings already evaluated (time and use of every
// budgeted resource) — evaluateFoldings() does that with a platform library's FPGA flydels — so the search itself
// knows nothing about models and is tested on synthetic costs against exhaustive search.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_PARTITION_FOLDING_H
#define FLYDEL_PARTITION_FOLDING_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Layer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace flydel {

class Library;

struct Folding {
  int64_t pe = 1, simd = 1;
  bool operator==(const Folding &o) const { return pe == o.pe && simd == o.simd; }
};

/// Channel-wise engines (depthwise convolution, pooling, elementwise) process PE channels per cycle, one MAC or
/// comparison each: their SIMD equals their PE.
bool isChannelWise(const Layer &layer);
/// Whether a layer kind has a streaming engine to fold (conv2d, matmul as a 1x1 convolution, pool2d,
/// elementwise; not data movement).
bool isFoldable(const Layer &layer);
/// Empty when `folding` is legal for the layer (PE divides the output channels, SIMD the input channels per group,
/// SIMD = PE for channel-wise layers), else why not.
std::string checkFolding(const Layer &layer, Folding folding);
/// Every legal folding, by increasing PE x SIMD, then PE.
std::vector<Folding> legalFoldings(const Layer &layer);

/// One way to implement a layer: its folding, its time (cycles, or latency at a stated clock) and its use of every
/// budgeted resource, in the problem's resource order.
struct FoldingCandidate {
  Folding folding;
  double time = 0;
  std::vector<double> use;
  bool extrapolated = false; // some prediction lies outside its model's training domain
};

struct FoldingLayer {
  std::string name;
  std::vector<FoldingCandidate> candidates; // a single one when the folding is given
  bool fixed = false;                       // the folding was given by the user
};

enum class FoldingObjective { Throughput, Latency };
const char *foldingObjectiveName(FoldingObjective objective);
bool parseFoldingObjective(const std::string &text, FoldingObjective &objective);

struct FoldingProblem {
  std::vector<std::string> resources; // budgeted resources, e.g. lut, ff, dsp, bram36
  std::vector<double> budget;         // per resource: what the layers may use together
  std::vector<FoldingLayer> layers;
  FoldingObjective objective = FoldingObjective::Throughput;
  /// Empty when well formed (sizes agree, every layer has a candidate, finite non-negative numbers).
  std::string check() const;
};

struct FoldingSolution {
  bool feasible = false;
  std::string infeasibility; // names the budget and the layers
  std::vector<int> choice;   // candidate index per layer
  double maxTime = 0, totalTime = 0;
  int slowest = -1;        // layer with the largest time
  std::vector<double> use; // per resource
  bool optimal = false;    // proven optimal for the objective
  size_t nodes = 0;        // search nodes visited
};

/// Objective value of a complete choice: the slowest layer's time (throughput) or the sum (latency).
double foldingObjectiveValue(const FoldingProblem &problem, const std::vector<int> &choice);
/// Time, use and feasibility of a complete choice.
FoldingSolution evaluateFolding(const FoldingProblem &problem, const std::vector<int> &choice);

/// Exact search: throughput by bisection over the candidate times with a depth-first feasibility search (each layer
/// tries its least-resource candidates first, so layers take the cheapest folding meeting the bottleneck time);
/// latency by branch and bound. Both start from the greedy solution; past `nodeLimit` search nodes the best
/// solution found is returned with optimal = false.
FoldingSolution solveFolding(const FoldingProblem &problem, size_t nodeLimit = size_t(1) << 22);
/// The FINN-style heuristic: start from every layer's least-resource candidate, repeatedly move the slowest layer
/// (throughput) or the best time saved per resource added (latency) to a faster candidate while everything fits.
FoldingSolution greedyFolding(const FoldingProblem &problem);
/// Every combination (for tests); refuses more than 2^22 combinations.
FoldingSolution solveFoldingExhaustively(const FoldingProblem &problem);

/// The time KPI column of a device: "cycles" when any model of the device predicts it, else the first latency
/// column (latency_ms, latency_us, latency_s, latency_ns). Empty when the device has neither.
std::string foldingTimeKpi(const Library &library, const std::string &device);

/// Evaluates the library's models of `device` for `layer` at every folding in `foldings`: the time column
/// `timeKpi` and each resource of `resources`. A resource without a model for the layer is not counted (0) and
/// listed in `*unmodeled`; a folding whose prediction is not a finite non-negative number, or sits at a model's
/// saturation bound (the device capacity: "at least all of it"), is dropped and noted in `*notes`. Error when the
/// layer has no time model or no folding survives.
Expected<std::vector<FoldingCandidate>> evaluateFoldings(const Library &library, const std::string &device,
                                                        const Layer &layer, const std::vector<Folding> &foldings,
                                                        const std::string &timeKpi,
                                                        const std::vector<std::string> &resources,
                                                        std::vector<std::string> *unmodeled,
                                                        std::vector<std::string> *notes);

} // namespace flydel

#endif // FLYDEL_PARTITION_FOLDING_H
