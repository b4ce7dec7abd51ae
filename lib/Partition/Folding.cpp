//===- Folding.cpp - FPGA engine folding under a resource budget ----------===//

#include "flydel/Partition/Folding.h"
#include "flydel/Model/EnumNames.h"

#include "flydel/Model/Library.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace flydel {

bool isChannelWise(const Layer &layer) {
  switch (layer.op) {
  case OpKind::Conv2d:
    return layer.isDepthwise();
  case OpKind::Pool2d:
  case OpKind::Elementwise:
    return true;
  default:
    return false;
  }
}

bool isFoldable(const Layer &layer) { return layer.op != OpKind::DataMovement; }

namespace {

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> small, large;
  for (int64_t d = 1; d * d <= n; ++d)
    if (n % d == 0) {
      small.push_back(d);
      if (d != n / d)
        large.push_back(n / d);
    }
  small.insert(small.end(), large.rbegin(), large.rend());
  return small;
}

/// Channels a channel-wise engine streams: the input channels (pooling and elementwise keep them; a depthwise
/// convolution with a channel multiplier has more outputs, which the engine does not support).
int64_t channelsOf(const Layer &layer) { return layer.c_in; }

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, v >= 100 ? "%.0f" : "%.3g", v);
  return text;
}

/// Resource use relative to the budget, summed over resources: how "big" a candidate is when several resources
/// compete. A resource with no budget left counts any use as prohibitive.
double normalisedCost(const FoldingProblem &p, const std::vector<double> &use) {
  double cost = 0;
  for (size_t r = 0; r < use.size(); ++r)
    cost += p.budget[r] > 0 ? use[r] / p.budget[r] : (use[r] > 0 ? 1e12 : 0.0);
  return cost;
}

bool fits(const FoldingProblem &p, const std::vector<double> &use) {
  for (size_t r = 0; r < use.size(); ++r)
    if (use[r] > p.budget[r] + 1e-9 * std::max(1.0, p.budget[r]))
      return false;
  return true;
}

/// Why no combination fits: a resource whose smallest possible total exceeds its budget (with every layer's
/// smallest use of it), else the layers together.
std::string explainInfeasible(const FoldingProblem &p) {
  for (size_t r = 0; r < p.resources.size(); ++r) {
    std::vector<std::pair<double, size_t>> least;
    double total = 0;
    for (size_t l = 0; l < p.layers.size(); ++l) {
      double m = std::numeric_limits<double>::infinity();
      for (const FoldingCandidate &c : p.layers[l].candidates)
        m = std::min(m, c.use[r]);
      least.push_back({m, l});
      total += m;
    }
    if (total <= p.budget[r] + 1e-9 * std::max(1.0, p.budget[r]))
      continue;
    std::sort(least.begin(), least.end(), [](auto &a, auto &b) { return a.first > b.first; });
    std::string text = "even the smallest foldings need " + p.resources[r] + " " + num(total) + ", over its budget of " +
                       num(p.budget[r]) + "; layers (least " + p.resources[r] + " each): ";
    for (size_t i = 0; i < least.size(); ++i) {
      const FoldingLayer &layer = p.layers[least[i].second];
      text += (i ? ", " : "") + layer.name + (layer.fixed ? " [given folding]" : "") + " " + num(least[i].first);
    }
    return text;
  }
  std::string text = "no combination of foldings fits the budget (";
  for (size_t r = 0; r < p.resources.size(); ++r)
    text += (r ? ", " : "") + p.resources[r] + " " + num(p.budget[r]);
  text += ") although each resource alone would; layers: ";
  for (size_t l = 0; l < p.layers.size(); ++l)
    text += (l ? ", " : "") + p.layers[l].name;
  return text;
}

FoldingSolution infeasible(const FoldingProblem &p) {
  FoldingSolution s;
  s.infeasibility = explainInfeasible(p);
  s.optimal = true; // proven: the exact search found nothing
  return s;
}

/// Per layer, the least-resource candidate (ties: the faster one).
std::vector<int> cheapestChoice(const FoldingProblem &p) {
  std::vector<int> choice;
  for (const FoldingLayer &layer : p.layers) {
    int best = 0;
    for (size_t c = 1; c < layer.candidates.size(); ++c) {
      double a = normalisedCost(p, layer.candidates[c].use), b = normalisedCost(p, layer.candidates[best].use);
      if (a < b || (a == b && layer.candidates[c].time < layer.candidates[best].time))
        best = static_cast<int>(c);
    }
    choice.push_back(best);
  }
  return choice;
}

/// Depth-first search over layers with per-layer options (candidate indices, in the order to try), pruning on
/// the smallest use the remaining layers still need. Finds the first combination that fits (throughput) or the
/// one with the smallest summed time (latency, with `bound` the incumbent's sum).
struct Search {
  const FoldingProblem &p;
  std::vector<size_t> order;               // layers in search order
  std::vector<std::vector<int>> options;   // per layer (original index)
  std::vector<std::vector<double>> suffix; // [depth][r]: least use of the layers order[depth..]
  std::vector<double> suffixTime;          // least summed time of the layers order[depth..]
  bool minimiseSum = false;
  double bestSum = std::numeric_limits<double>::infinity();
  std::vector<int> current, best;
  std::vector<double> use;
  size_t nodes = 0, limit = 0;
  bool exhausted = false, found = false;

  Search(const FoldingProblem &problem, std::vector<std::vector<int>> opts, bool sum, size_t nodeLimit)
      : p(problem), options(std::move(opts)), minimiseSum(sum), limit(nodeLimit) {
    size_t n = p.layers.size(), nr = p.resources.size();
    // Layers with the largest smallest footprint first: a budget breaks early, near the root.
    std::vector<double> weight(n, 0);
    for (size_t l = 0; l < n; ++l) {
      double least = std::numeric_limits<double>::infinity();
      for (int c : options[l])
        least = std::min(least, normalisedCost(p, p.layers[l].candidates[c].use));
      weight[l] = least;
    }
    order.resize(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return weight[a] > weight[b]; });
    suffix.assign(n + 1, std::vector<double>(nr, 0.0));
    suffixTime.assign(n + 1, 0.0);
    for (size_t d = n; d-- > 0;) {
      size_t l = order[d];
      double t = std::numeric_limits<double>::infinity();
      for (size_t r = 0; r < nr; ++r) {
        double m = std::numeric_limits<double>::infinity();
        for (int c : options[l])
          m = std::min(m, p.layers[l].candidates[c].use[r]);
        suffix[d][r] = suffix[d + 1][r] + m;
      }
      for (int c : options[l])
        t = std::min(t, p.layers[l].candidates[c].time);
      suffixTime[d] = suffixTime[d + 1] + t;
    }
    current.assign(n, -1);
    use.assign(nr, 0.0);
  }

  /// Returns true to stop (a fit found when not minimising, or the node limit).
  bool visit(size_t depth, double sum) {
    if (++nodes > limit) {
      exhausted = true;
      return true;
    }
    if (depth == order.size()) {
      if (!minimiseSum || sum < bestSum) {
        bestSum = sum;
        best = current;
        found = true;
      }
      return !minimiseSum;
    }
    size_t l = order[depth];
    for (int c : options[l]) {
      const FoldingCandidate &cand = p.layers[l].candidates[c];
      if (minimiseSum && sum + cand.time + suffixTime[depth + 1] >= bestSum * (1 - 1e-12))
        continue;
      bool ok = true;
      for (size_t r = 0; r < use.size() && ok; ++r)
        ok = use[r] + cand.use[r] + suffix[depth + 1][r] <= p.budget[r] + 1e-9 * std::max(1.0, p.budget[r]);
      if (!ok)
        continue;
      for (size_t r = 0; r < use.size(); ++r)
        use[r] += cand.use[r];
      current[l] = c;
      bool stop = visit(depth + 1, sum + cand.time);
      for (size_t r = 0; r < use.size(); ++r)
        use[r] -= cand.use[r];
      if (stop)
        return true;
    }
    return false;
  }
};

/// Candidates of a layer not dominated by another one that is no slower (when `withTime`) and uses no more of
/// every resource; identical candidates keep the first (the smaller folding).
std::vector<int> undominated(const FoldingProblem &p, const FoldingLayer &layer, double maxTime, bool withTime) {
  std::vector<int> keep;
  const auto &cs = layer.candidates;
  for (size_t a = 0; a < cs.size(); ++a) {
    if (cs[a].time > maxTime)
      continue;
    bool dominated = false;
    for (size_t b = 0; b < cs.size() && !dominated; ++b) {
      if (a == b || cs[b].time > maxTime)
        continue;
      // Without time (every candidate meets the limit) equal footprints still prefer the faster one.
      bool noWorse = !withTime || cs[b].time <= cs[a].time;
      bool strictly = withTime && cs[b].time < cs[a].time;
      for (size_t r = 0; r < p.resources.size() && noWorse; ++r) {
        noWorse = cs[b].use[r] <= cs[a].use[r];
        strictly = strictly || cs[b].use[r] < cs[a].use[r];
      }
      if (!withTime && noWorse && !strictly)
        strictly = cs[b].time < cs[a].time;
      dominated = noWorse && (strictly || (b < a && cs[b].time <= cs[a].time));
    }
    if (!dominated)
      keep.push_back(static_cast<int>(a));
  }
  return keep;
}

} // namespace

const char *foldingObjectiveName(FoldingObjective objective) {
  return objective == FoldingObjective::Throughput ? "throughput" : "latency";
}

bool parseFoldingObjective(const std::string &text, FoldingObjective &objective) {
  return parseByName(text, {FoldingObjective::Throughput, FoldingObjective::Latency}, foldingObjectiveName, objective);
}

std::string checkFolding(const Layer &layer, Folding folding) {
  if (!isFoldable(layer))
    return std::string(opKindName(layer.op)) + " has no FPGA engine to fold";
  if (folding.pe < 1 || folding.simd < 1)
    return "pe and simd must be positive";
  if (isChannelWise(layer)) {
    if (layer.op == OpKind::Conv2d && layer.c_out != layer.c_in)
      return "a depthwise convolution with a channel multiplier (c_out " + std::to_string(layer.c_out) + " != c_in " +
             std::to_string(layer.c_in) + ") has no channel-wise engine";
    int64_t channels = channelsOf(layer);
    if (channels % folding.pe != 0)
      return "pe " + std::to_string(folding.pe) + " does not divide the " + std::to_string(channels) + " channels";
    if (folding.simd != folding.pe)
      return "a channel-wise layer needs simd = pe, got pe " + std::to_string(folding.pe) + ", simd " +
             std::to_string(folding.simd);
    return {};
  }
  int64_t perGroup = layer.c_in / std::max<int64_t>(layer.groups, 1);
  if (layer.c_out % folding.pe != 0)
    return "pe " + std::to_string(folding.pe) + " does not divide the " + std::to_string(layer.c_out) +
           " output channels";
  if (perGroup % folding.simd != 0)
    return "simd " + std::to_string(folding.simd) + " does not divide the " + std::to_string(perGroup) +
           " input channels" + (layer.groups > 1 ? " per group" : "");
  return {};
}

std::vector<Folding> legalFoldings(const Layer &layer) {
  std::vector<Folding> out;
  if (!isFoldable(layer))
    return out;
  if (isChannelWise(layer)) {
    if (!checkFolding(layer, {1, 1}).empty())
      return out;
    for (int64_t pe : divisors(channelsOf(layer)))
      out.push_back({pe, pe});
    return out;
  }
  for (int64_t pe : divisors(layer.c_out))
    for (int64_t simd : divisors(layer.c_in / std::max<int64_t>(layer.groups, 1)))
      out.push_back({pe, simd});
  std::stable_sort(out.begin(), out.end(), [](const Folding &a, const Folding &b) {
    return a.pe * a.simd < b.pe * b.simd || (a.pe * a.simd == b.pe * b.simd && a.pe < b.pe);
  });
  return out;
}

std::string FoldingProblem::check() const {
  if (budget.size() != resources.size())
    return "one budget per resource expected";
  for (size_t r = 0; r < budget.size(); ++r)
    if (!(budget[r] >= 0))
      return "budget of " + resources[r] + " must be a non-negative number";
  for (const FoldingLayer &layer : layers) {
    if (layer.candidates.empty())
      return "layer " + layer.name + " has no candidate folding";
    for (const FoldingCandidate &c : layer.candidates) {
      if (c.use.size() != resources.size())
        return "layer " + layer.name + ": one use per resource expected";
      if (!std::isfinite(c.time) || c.time < 0)
        return "layer " + layer.name + ": time must be a finite non-negative number";
      for (double u : c.use)
        if (!std::isfinite(u) || u < 0)
          return "layer " + layer.name + ": resource use must be a finite non-negative number";
    }
  }
  return {};
}

double foldingObjectiveValue(const FoldingProblem &problem, const std::vector<int> &choice) {
  double maxTime = 0, total = 0;
  for (size_t l = 0; l < choice.size(); ++l) {
    double t = problem.layers[l].candidates[choice[l]].time;
    maxTime = std::max(maxTime, t);
    total += t;
  }
  return problem.objective == FoldingObjective::Throughput ? maxTime : total;
}

FoldingSolution evaluateFolding(const FoldingProblem &problem, const std::vector<int> &choice) {
  FoldingSolution s;
  s.choice = choice;
  s.use.assign(problem.resources.size(), 0.0);
  for (size_t l = 0; l < choice.size(); ++l) {
    const FoldingCandidate &c = problem.layers[l].candidates[choice[l]];
    if (s.slowest < 0 || c.time > s.maxTime) {
      s.maxTime = c.time;
      s.slowest = static_cast<int>(l);
    }
    s.totalTime += c.time;
    for (size_t r = 0; r < s.use.size(); ++r)
      s.use[r] += c.use[r];
  }
  s.feasible = fits(problem, s.use);
  if (!s.feasible)
    s.infeasibility = "the chosen foldings exceed the budget";
  return s;
}

FoldingSolution greedyFolding(const FoldingProblem &problem) {
  if (std::string bad = problem.check(); !bad.empty()) {
    FoldingSolution s;
    s.infeasibility = bad;
    return s;
  }
  std::vector<int> choice = cheapestChoice(problem);
  FoldingSolution s = evaluateFolding(problem, choice);
  if (!s.feasible) {
    s.infeasibility = explainInfeasible(problem);
    // Only a resource whose least total exceeds its budget is a proof; otherwise greedy merely did not search.
    if (s.infeasibility.rfind("no combination", 0) == 0)
      s.infeasibility = "the least-resource foldings do not fit together (greedy: other combinations not searched)";
    return s;
  }
  auto swapFits = [&](size_t l, int c) {
    std::vector<double> use = s.use;
    for (size_t r = 0; r < use.size(); ++r)
      use[r] += problem.layers[l].candidates[c].use[r] - problem.layers[l].candidates[choice[l]].use[r];
    return fits(problem, use);
  };
  if (problem.objective == FoldingObjective::Throughput) {
    while (true) {
      size_t l = static_cast<size_t>(s.slowest);
      const auto &cs = problem.layers[l].candidates;
      std::vector<int> faster;
      for (size_t c = 0; c < cs.size(); ++c)
        if (cs[c].time < cs[choice[l]].time)
          faster.push_back(static_cast<int>(c));
      std::stable_sort(faster.begin(), faster.end(), [&](int a, int b) {
        double ca = normalisedCost(problem, cs[a].use), cb = normalisedCost(problem, cs[b].use);
        return ca < cb || (ca == cb && cs[a].time < cs[b].time);
      });
      auto it = std::find_if(faster.begin(), faster.end(), [&](int c) { return swapFits(l, c); });
      if (it == faster.end())
        break; // the bottleneck cannot get faster within the budget
      choice[l] = *it;
      s = evaluateFolding(problem, choice);
    }
    // Layers raised past the final bottleneck give back what they do not need.
    for (size_t l = 0; l < choice.size(); ++l) {
      const auto &cs = problem.layers[l].candidates;
      for (size_t c = 0; c < cs.size(); ++c) {
        if (cs[c].time > s.maxTime || normalisedCost(problem, cs[c].use) >= normalisedCost(problem, cs[choice[l]].use))
          continue;
        bool noMore = true;
        for (size_t r = 0; r < cs[c].use.size() && noMore; ++r)
          noMore = cs[c].use[r] <= cs[choice[l]].use[r];
        if (noMore)
          choice[l] = static_cast<int>(c);
      }
    }
    s = evaluateFolding(problem, choice);
  } else {
    while (true) {
      double bestRatio = 0;
      size_t bestLayer = 0;
      int bestCand = -1;
      for (size_t l = 0; l < choice.size(); ++l) {
        const auto &cs = problem.layers[l].candidates;
        for (size_t c = 0; c < cs.size(); ++c) {
          double saved = cs[choice[l]].time - cs[c].time;
          if (saved <= 0 || !swapFits(l, static_cast<int>(c)))
            continue;
          double added = normalisedCost(problem, cs[c].use) - normalisedCost(problem, cs[choice[l]].use);
          double ratio = added > 1e-15 ? saved / added : std::numeric_limits<double>::infinity();
          if (bestCand < 0 || ratio > bestRatio) {
            bestRatio = ratio;
            bestLayer = l;
            bestCand = static_cast<int>(c);
          }
        }
      }
      if (bestCand < 0)
        break;
      choice[bestLayer] = bestCand;
      s = evaluateFolding(problem, choice);
    }
  }
  return s;
}

FoldingSolution solveFolding(const FoldingProblem &problem, size_t nodeLimit) {
  if (std::string bad = problem.check(); !bad.empty()) {
    FoldingSolution s;
    s.infeasibility = bad;
    return s;
  }
  size_t n = problem.layers.size();
  if (n == 0) {
    FoldingSolution s = evaluateFolding(problem, {});
    s.optimal = true;
    return s;
  }
  FoldingSolution greedy = greedyFolding(problem);
  size_t nodes = 0;
  bool exact = true;

  if (problem.objective == FoldingObjective::Latency) {
    std::vector<std::vector<int>> options;
    for (const FoldingLayer &layer : problem.layers) {
      std::vector<int> o = undominated(problem, layer, std::numeric_limits<double>::infinity(), true);
      std::stable_sort(o.begin(), o.end(),
                       [&](int a, int b) { return layer.candidates[a].time < layer.candidates[b].time; });
      options.push_back(std::move(o));
    }
    Search search(problem, std::move(options), /*sum=*/true, nodeLimit);
    if (greedy.feasible) {
      search.bestSum = greedy.totalTime;
      search.best = greedy.choice;
      search.found = true;
    }
    search.visit(0, 0.0);
    if (!search.found) {
      if (!search.exhausted)
        return infeasible(problem);
      greedy.infeasibility = "no fitting combination found within the search limit of " +
                             std::to_string(nodeLimit) + " nodes (not proven infeasible)";
      return greedy;
    }
    FoldingSolution s = evaluateFolding(problem, search.best);
    s.optimal = !search.exhausted;
    s.nodes = search.nodes;
    return s;
  }

  // Throughput: the optimum is one of the candidates' times; feasibility only grows with the allowed time.
  double lower = 0;
  std::vector<double> times;
  for (const FoldingLayer &layer : problem.layers) {
    double least = std::numeric_limits<double>::infinity();
    for (const FoldingCandidate &c : layer.candidates) {
      least = std::min(least, c.time);
      times.push_back(c.time);
    }
    lower = std::max(lower, least);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  times.erase(times.begin(), std::lower_bound(times.begin(), times.end(), lower));
  if (greedy.feasible)
    times.erase(std::upper_bound(times.begin(), times.end(), greedy.maxTime), times.end());

  auto attempt = [&](double limit, std::vector<int> &found) {
    std::vector<std::vector<int>> options;
    for (const FoldingLayer &layer : problem.layers) {
      std::vector<int> o = undominated(problem, layer, limit, false);
      std::stable_sort(o.begin(), o.end(), [&](int a, int b) {
        double ca = normalisedCost(problem, layer.candidates[a].use),
               cb = normalisedCost(problem, layer.candidates[b].use);
        return ca < cb || (ca == cb && layer.candidates[a].time < layer.candidates[b].time);
      });
      options.push_back(std::move(o));
    }
    Search search(problem, std::move(options), /*sum=*/false, nodeLimit);
    search.visit(0, 0.0);
    nodes += search.nodes;
    exact = exact && !search.exhausted;
    if (search.found)
      found = search.best;
    return search.found;
  };

  std::vector<int> best;
  bool haveBest = false;
  size_t lo = 0, hi = times.size(); // the answer's index lies in [lo, hi); hi = size: "greedy's or none"
  if (greedy.feasible) {
    best = greedy.choice;
    haveBest = true;
    hi = times.size() - 1; // greedy's time is the last one kept
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    std::vector<int> found;
    if (attempt(times[mid], found)) {
      best = found;
      haveBest = true;
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (!haveBest) {
    if (!exact) {
      greedy.infeasibility = "no fitting combination found within the search limit of " +
                             std::to_string(nodeLimit) + " nodes (not proven infeasible)";
      return greedy;
    }
    return infeasible(problem);
  }
  // When greedy's solution was the only witness, search at its time once more so that every layer takes its
  // cheapest option meeting it.
  std::vector<int> found;
  if (greedy.feasible && best == greedy.choice && attempt(times[lo], found))
    best = found;
  FoldingSolution s = evaluateFolding(problem, best);
  s.optimal = exact;
  s.nodes = nodes;
  return s;
}

FoldingSolution solveFoldingExhaustively(const FoldingProblem &problem) {
  FoldingSolution s;
  if (std::string bad = problem.check(); !bad.empty()) {
    s.infeasibility = bad;
    return s;
  }
  double combinations = 1;
  for (const FoldingLayer &layer : problem.layers)
    combinations *= double(layer.candidates.size());
  if (combinations > double(size_t(1) << 22)) {
    s.infeasibility = "too many combinations for exhaustive search";
    return s;
  }
  std::vector<int> choice(problem.layers.size(), 0);
  double best = std::numeric_limits<double>::infinity();
  while (true) {
    FoldingSolution e = evaluateFolding(problem, choice);
    double value = foldingObjectiveValue(problem, choice);
    if (e.feasible && value < best) {
      best = value;
      s = e;
    }
    size_t k = 0;
    while (k < choice.size() && ++choice[k] == static_cast<int>(problem.layers[k].candidates.size()))
      choice[k++] = 0;
    if (k == choice.size())
      break;
  }
  if (!s.feasible)
    s.infeasibility = explainInfeasible(problem);
  s.optimal = true;
  return s;
}

std::string foldingTimeKpi(const Library &library, const std::string &device) {
  for (const KpiModel &m : library.models)
    if (m.device == device && m.kpi == "cycles")
      return "cycles";
  for (const char *column : {"latency_ms", "latency_us", "latency_s", "latency_ns"})
    for (const KpiModel &m : library.models)
      if (m.device == device && m.kpi == column)
        return column;
  return {};
}

Expected<std::vector<FoldingCandidate>> evaluateFoldings(const Library &library, const std::string &device,
                                                        const Layer &layer, const std::vector<Folding> &foldings,
                                                        const std::string &timeKpi,
                                                        const std::vector<std::string> &resources,
                                                        std::vector<std::string> *unmodeled,
                                                        std::vector<std::string> *notes) {
  const KpiModel *timeModel = library.findModelFor(device, layer, timeKpi);
  if (!timeModel)
    return makeError(std::string("no ") + timeKpi + " model for " + opKindName(layer.op) + " on device '" + device +
                     "'");
  std::vector<const KpiModel *> resourceModels;
  for (const std::string &r : resources) {
    resourceModels.push_back(library.findModelFor(device, layer, r));
    if (!resourceModels.back() && unmodeled)
      unmodeled->push_back(r);
  }
  std::vector<FoldingCandidate> out;
  std::string firstProblem;
  const Device *dev = library.findDevice(device);
  for (Folding f : foldings) {
    Layer folded = layer;
    folded.pe = f.pe;
    folded.simd = f.simd;
    FeatureVector features = computeFeatures(dev ? deviceView(*dev, folded) : folded);
    FoldingCandidate c;
    c.folding = f;
    std::string problem;
    auto take = [&](const KpiModel &m, double &value) {
      Prediction p = m.model.predict(features);
      if (!std::isfinite(p.value) || p.value < 0)
        problem = m.kpi + " = " + num(p.value) + " " + m.unit + " is not a valid prediction";
      else if (m.model.upperBound > 0 && p.value >= m.model.upperBound)
        problem = m.kpi + " saturates at the device capacity " + num(m.model.upperBound);
      value = p.value;
      c.extrapolated = c.extrapolated || p.extrapolated;
    };
    take(*timeModel, c.time);
    for (size_t r = 0; r < resources.size() && problem.empty(); ++r) {
      double value = 0;
      if (resourceModels[r])
        take(*resourceModels[r], value);
      c.use.push_back(value);
    }
    if (!problem.empty()) {
      if (notes)
        notes->push_back("pe " + std::to_string(f.pe) + ", simd " + std::to_string(f.simd) + ": " + problem);
      if (firstProblem.empty())
        firstProblem = problem;
      continue;
    }
    out.push_back(std::move(c));
  }
  if (out.empty())
    return makeError("no folding of this " + std::string(opKindName(layer.op)) + " has valid predictions on '" +
                     device + "' (" + (foldings.empty() ? std::string("no legal folding") : firstProblem) + ")");
  return out;
}

} // namespace flydel
