//===- Parallel.h - deterministic parallel loops for identification -*- C++ -*-===//
//
// Cross-validation folds and candidate structures are independent fits: they run on every core. Each index writes
// only its own result slot and results are combined in index order afterwards, so what identification returns
// does not depend on the number of threads.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_IDENTIFY_PARALLEL_H
#define FLYDEL_IDENTIFY_PARALLEL_H

#include <cstddef>
#include <functional>

namespace flydel {

/// The worker count for `threads` (0: every core the machine reports, at least 1).
int resolveThreads(int threads);

/// Runs fn(0), ..., fn(count - 1) on up to `threads` workers (0: every core). A call made from inside a worker
/// runs sequentially, so nested loops do not multiply threads. If calls throw, the exception of the lowest index
/// is rethrown after every worker has stopped.
void parallelFor(size_t count, int threads, const std::function<void(size_t)> &fn);

} // namespace flydel

#endif // FLYDEL_IDENTIFY_PARALLEL_H
