//===- PipelinedMip.h - pipelined assignment as a MIP (CBC) ------*- C++ -*-===//
//
// Internal to the solver. Pipelined latency and weighted objectives as a mixed-integer program: a binary per
// (node, device), a shipment variable per (producer, from, to) forced up by each consumer placed on `to`, the
// period above every device's and link's load, budgets as rows. CBC's cuts close on real CNNs what the stage-weight
// relaxation leaves open (MobileNetV2 on tx2-c10gx, pipelined latency: proven in 0.08 s, where the stage weights
// stopped at the 10 s limit with a 5 % gap).
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_LIB_PARTITION_PIPELINEDMIP_H
#define FLYDEL_LIB_PARTITION_PIPELINEDMIP_H

#include "flydel/Partition/Assignment.h"

#include <string>
#include <vector>

namespace flydel {

struct MipResult {
  bool ran = false;           // the build has CBC and the problem is one the MIP models
  bool solution = false;      // an integer solution was found (`devices`)
  bool provenOptimal = false; // CBC closed its gap (ratio 1e-9)
  std::vector<int> devices;
  double bound = 0; // CBC's best possible objective: a lower bound, when finite
};

/// Pipelined latency or weighted objective (others: ran = false). `consumers`: each node's consumers without
/// duplicates (the solver's graph view). `start`: an assignment to start from (empty: none). Stops after `seconds`
/// of wall time.
MipResult solvePipelinedMip(const AssignmentProblem &p, const std::vector<std::vector<int>> &consumers,
                            const std::vector<int> &start, double seconds);

} // namespace flydel

#endif // FLYDEL_LIB_PARTITION_PIPELINEDMIP_H
