//===- Parallel.cpp - deterministic parallel loops for identification -----===//

#include "flydel/Identify/Parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace flydel {

namespace {
thread_local bool insideWorker = false;
} // namespace

int resolveThreads(int threads) {
  if (threads > 0)
    return threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void parallelFor(size_t count, int threads, const std::function<void(size_t)> &fn) {
  size_t workers = std::min<size_t>(count, static_cast<size_t>(resolveThreads(threads)));
  if (workers <= 1 || insideWorker) {
    for (size_t i = 0; i < count; ++i)
      fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> errors(count);
  auto work = [&] {
    insideWorker = true;
    for (size_t i = next++; i < count; i = next++) {
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
    insideWorker = false;
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (size_t w = 1; w < workers; ++w)
    pool.emplace_back(work);
  work(); // the calling thread is a worker too
  for (std::thread &t : pool)
    t.join();
  for (const std::exception_ptr &e : errors)
    if (e)
      std::rethrow_exception(e);
}

} // namespace flydel
