//===- Sanity.cpp - Physical sanity of a library's models -----------------===//
#include "flydel/Model/Sanity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace flydel {

namespace {

/// A random valid layer of the model's op kind and variant: sizes log-uniform from 1 to well past any excitation
/// (maps to 2048, channels to 16384, batch to 64), kernels 1-11, strides 1-4, FPGA foldings dividing nothing in
/// particular. Invalid draws (empty outputs) are redrawn.
Layer drawLayer(const KpiModel &m, std::mt19937_64 &rng) {
  auto logUniform = [&rng](int64_t lo, int64_t hi) {
    std::uniform_real_distribution<double> u(std::log(double(lo)), std::log(double(hi) + 1.0));
    return std::clamp<int64_t>(static_cast<int64_t>(std::exp(u(rng))), lo, hi);
  };
  auto pick = [&rng](std::initializer_list<int64_t> values) {
    std::uniform_int_distribution<size_t> u(0, values.size() - 1);
    return *(values.begin() + u(rng));
  };
  for (int attempt = 0; attempt < 100; ++attempt) {
    Layer l;
    l.op = m.op;
    l.batch = pick({1, 1, 1, 2, 8, 64});
    l.in_h = l.in_w = logUniform(1, 2048);
    if (pick({0, 0, 1}))
      l.in_w = logUniform(1, 2048);
    l.c_in = logUniform(1, 16384);
    l.c_out = logUniform(1, 16384);
    switch (m.op) {
    case OpKind::Conv2d:
    case OpKind::Pool2d:
      l.kernel_h = l.kernel_w = pick({1, 2, 3, 5, 7, 11});
      l.stride_h = l.stride_w = pick({1, 1, 2, 4});
      l.pad_h = l.pad_w = std::uniform_int_distribution<int64_t>(0, l.kernel_h / 2)(rng);
      break;
    case OpKind::MatMul:
      l.in_h = l.in_w = pick({1, 1, 1, 7, 64});
      break;
    default:
      break;
    }
    if (m.op != OpKind::Conv2d && m.op != OpKind::MatMul)
      l.c_out = l.c_in;
    if (m.op == OpKind::Conv2d) {
      if (m.variant == ModelVariant::Depthwise || (m.variant == ModelVariant::Any && pick({0, 0, 0, 1})))
        l.c_out = l.groups = l.c_in = std::max<int64_t>(2, l.c_in);
    }
    if (m.op == OpKind::Pool2d && (m.variant == ModelVariant::Global ||
                                   (m.variant == ModelVariant::Any && pick({0, 0, 0, 1})))) {
      l.kernel_h = l.in_h, l.kernel_w = l.in_w, l.stride_h = l.stride_w = 1, l.pad_h = l.pad_w = 0;
    }
    l.pe = logUniform(1, std::min<int64_t>(l.c_out, 64));
    l.simd = logUniform(1, std::min<int64_t>(l.c_in / std::max<int64_t>(l.groups, 1), 64));
    if (m.variant != ModelVariant::Any && !variantMatches(m.variant, l))
      continue;
    if (l.check().empty())
      return l;
  }
  return Layer{}; // a 1x1 conv: always valid
}

/// A random layer inside the model's training domain (each recorded base feature drawn within its range), for the
/// reference cost per unit of work; false when 50 draws found none (a domain the grid's layers cannot hit).
bool drawInside(const KpiModel &m, std::mt19937_64 &rng, Layer &out) {
  auto range = [&m](Feature f, double &lo, double &hi) {
    for (const DomainRange &r : m.model.domain)
      if (r.feature == f) {
        lo = r.min, hi = r.max;
        return true;
      }
    return false;
  };
  auto draw = [&](Feature f, int64_t fallback) {
    double lo, hi;
    if (!range(f, lo, hi) || !(lo >= 0.5) || !(hi >= lo))
      return fallback;
    std::uniform_real_distribution<double> u(std::log(lo), std::log(hi));
    return std::max<int64_t>(1, std::llround(std::exp(u(rng))));
  };
  for (int attempt = 0; attempt < 50; ++attempt) {
    Layer l = drawLayer(m, rng);
    l.batch = draw(Feature::Batch, l.batch);
    l.in_h = l.in_w = draw(Feature::InHW, l.in_h);
    l.c_in = draw(Feature::CIn, l.c_in);
    l.c_out = m.op == OpKind::Conv2d || m.op == OpKind::MatMul ? draw(Feature::COut, l.c_out) : l.c_in;
    if (m.op == OpKind::Conv2d || m.op == OpKind::Pool2d) {
      l.kernel_h = l.kernel_w = draw(Feature::Kernel, l.kernel_h);
      l.stride_h = l.stride_w = draw(Feature::Stride, l.stride_h);
      double lo, hi;
      l.pad_h = l.pad_w = range(Feature::Pad, lo, hi) ? std::llround(lo + (hi - lo) * std::uniform_real_distribution<double>(0, 1)(rng)) : 0;
    }
    l.groups = 1;
    if (m.op == OpKind::Conv2d && (m.variant == ModelVariant::Depthwise || draw(Feature::Groups, 1) > 1))
      l.c_out = l.groups = l.c_in = std::max<int64_t>(2, l.c_in);
    l.pe = std::min(draw(Feature::Pe, 1), l.c_out);
    l.simd = std::min(draw(Feature::Simd, 1), l.c_in / l.groups);
    if (!l.check().empty() || (m.variant != ModelVariant::Any && !variantMatches(m.variant, l)))
      continue;
    if (!m.model.predict(l).extrapolated) {
      out = l;
      return true;
    }
  }
  return false;
}

std::string describe(const Layer &l, double value) {
  char text[256];
  std::snprintf(text, sizeof text,
                "%s batch %lld, %lldx%lld, c_in %lld, c_out %lld, kernel %lld, stride %lld, pad %lld, groups %lld, "
                "pe %lld, simd %lld -> %.6g",
                opKindName(l.op), (long long)l.batch, (long long)l.in_h, (long long)l.in_w, (long long)l.c_in,
                (long long)l.c_out, (long long)l.kernel_h, (long long)l.stride_h, (long long)l.pad_h,
                (long long)l.groups, (long long)l.pe, (long long)l.simd, value);
  return text;
}

} // namespace

SanityReport checkSanity(const KpiModel &model, const Device &device, const SanityOptions &options) noexcept {
  SanityReport report;
  try {
    std::mt19937_64 rng(options.seed);
    struct Sample {
      Layer layer;
      double value, work;
      bool extrapolated;
    };
    std::vector<Sample> samples;
    // A model of what an FPGA engine's lanes take grows with pe x simd as a layer's cost grows with its work.
    const bool laneModel = model.model.readsLanes();
    auto evaluate = [&](const Layer &drawn) {
      Layer l = deviceView(device, drawn);
      FeatureVector features = computeFeatures(l);
      Prediction p = model.model.predict(features);
      // The bound scales with the lanes of such a model (DSP48 = pe * simd + 3 pe).
      double work = workOf(features);
      if (laneModel)
        work *= std::max(1.0, features[static_cast<int>(Feature::Pe)] * features[static_cast<int>(Feature::Simd)]);
      samples.push_back({l, p.value, work, p.extrapolated});
      ++report.samples;
      const char *problem = !std::isfinite(p.value) ? "not finite" : !(p.value > 0) ? "not positive" : nullptr;
      if (!problem)
        return;
      ++(std::isfinite(p.value) ? report.nonPositive : report.nonFinite);
      if (report.example.empty())
        report.example = std::string(problem) + (p.extrapolated ? "" : " inside the training domain") + ": " +
                         describe(l, p.value);
    };
    // Layers inside the training domain (each recorded base feature drawn within its range), then the wide grid.
    for (int i = 0; i < options.samples / 2; ++i) {
      Layer l;
      if (!drawInside(model, rng, l))
        break;
      evaluate(l);
    }
    for (int i = 0; i < options.samples; ++i)
      evaluate(drawLayer(model, rng));
    // The physical bound out of the domain: what the model's own predictions inside it cost (WorkBound, as the
    // bounded physics form's training rows do).
    std::vector<std::pair<double, double>> inside;
    for (const Sample &s : samples)
      if (!s.extrapolated && std::isfinite(s.value) && s.value > 0)
        inside.push_back({s.work, s.value});
    report.inDomain = static_cast<int>(inside.size());
    WorkBound bound = WorkBound::of(std::move(inside));
    if (!bound.empty())
      for (const Sample &s : samples) {
        if (!s.extrapolated || !std::isfinite(s.value) || !(s.value > 0))
          continue;
        double growth = s.value / bound.at(s.work);
        report.worstGrowth = std::max(report.worstGrowth, growth);
        if (growth > options.growthLimit) {
          if (report.example.empty()) {
            char ratio[64];
            std::snprintf(ratio, sizeof ratio, "%.3g x", growth);
            report.example = std::string("grows faster than its work (") + ratio +
                             " the in-domain bound): " + describe(s.layer, s.value);
          }
          ++report.tooSteep;
        }
      }
  } catch (...) {
    report.example = "the check failed";
    ++report.nonFinite;
  }
  return report;
}

} // namespace flydel
