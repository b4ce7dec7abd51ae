//===- Model.h - Evaluation of identified KPI models ------------*- C++ -*-===//
//
// A Model predicts one KPI of one op kind on one device from a layer's features. Three structures exist:
//  - Paper:   y = prod_i w_i(x_i / s_i), one weak regressor w_i per feature (the flydeling paper's strong regressor);
//  - Frols:   sparse polynomial in raw and log features, terms chosen by FROLS/ERR, usually on log(y);
//  - Physics: linear combination of physical terms (MACs, bytes moved, vector-quantised counts).
// Frols and Physics are both "linear in the parameters over terms" with a target transform; Paper is a product.
// Everything here is precomputed at load time: evaluating allocates nothing and never throws.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_MODEL_MODEL_H
#define FLYDEL_MODEL_MODEL_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Layer.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flydel {

/// One factor of a term: x^p, log(x)^p, ceil(x / divisor)^p (the number of hardware vectors of width divisor
/// needed to hold x, the quantisation effect of SIMD lanes and tiles), the step [x >= divisor] (1 at and above
/// the threshold, else 0: a switch of algorithm, e.g. cuDNN's for large kernels; text "[kernel>=11]"), or the
/// waves of a GPU GEMM, "waves(TM,TN,UNITS)": ceil(groups * ceil(M / TM) * ceil(N / TN) / UNITS) with
/// M = batch * out_pixels and N = c_out / groups, the rounds in which UNITS streaming multiprocessors run the
/// TM x TN output tiles of an implicit GEMM (one per unit at a time). Its feature is OutPixels (for the domain).
struct Factor {
  enum class Op { Power, LogPower, CeilDiv, AtLeast, Waves };
  Feature feature = Feature::Count;
  Op op = Op::Power;
  int power = 1;
  double divisor = 1.0;        // CeilDiv: the divisor; AtLeast: the threshold; Waves: the units (SMs)
  double tileM = 1, tileN = 1; // Waves: the output tile
};

/// A product of factors; no factors means the constant 1.
struct Term {
  std::vector<Factor> factors;
};
/// The same factor (every field) / the same product of factors, in order.
inline bool operator==(const Factor &a, const Factor &b) {
  return a.feature == b.feature && a.op == b.op && a.power == b.power && a.divisor == b.divisor && a.tileM == b.tileM &&
         a.tileN == b.tileN;
}
inline bool operator==(const Term &a, const Term &b) { return a.factors == b.factors; }

double evaluateTerm(const Term &term, const FeatureVector &features);
/// Text form used in the library JSON: "1", "macs", "c_in^2", "log(c_in)*log(out_hw)", "out_pixels*ceil(c_out/8)",
/// "[kernel>=11]*macs".
std::string formatTerm(const Term &term);
Expected<Term> parseTerm(std::string_view text);

/// The paper's weak regressors (per feature, x already divided by its scale):
///   linear a+bx, quadratic a+bx+cx^2, logarithmic a+b ln x, exponential a e^{bx}, reciprocal a+b/x,
///   cubic a+bx+cx^2+dx^3.
enum class WeakKind { Linear, Quadratic, Logarithmic, Exponential, Reciprocal, Cubic };
constexpr int kNumWeakKinds = 6;
const char *weakKindName(WeakKind kind);
bool parseWeakKind(std::string_view text, WeakKind &kind);
int weakParamCount(WeakKind kind);
double evaluateWeak(WeakKind kind, const double *params, double x);

/// One factor of the paper's product.
struct ProductFactor {
  Feature feature = Feature::Count;
  WeakKind kind = WeakKind::Linear;
  double scale = 1.0; // the regressor sees x / scale (keeps the cubic and exponential well conditioned)
};

enum class Structure { Paper, Frols, Physics };
const char *structureName(Structure structure);
bool parseStructure(std::string_view text, Structure &structure);

/// Target transform of a linear-in-parameters model: y = sum(theta_j t_j) or y = exp(sum(theta_j t_j)).
enum class Target { Identity, Log };

/// What a model's values cost per unit of work (workOf: MACs + bytes + 1): the largest value, and the largest value
/// per unit of work over the larger half of the layers (the small ones are all fixed cost). The physics bound of a
/// model's extrapolation: the training rows set it for the bounded physics form, a model's own predictions
/// inside its domain for flydel-identify --check-library.
struct WorkBound {
  double maxValue = 0.0, maxPerWork = 0.0;
  /// From (work, value) pairs with positive values.
  static WorkBound of(std::vector<std::pair<double, double>> workAndValue);
  double at(double work) const { return maxValue + maxPerWork * work; }
  bool empty() const { return !(maxValue > 0); }
};

/// Range of one feature in the training data.
struct DomainRange {
  Feature feature = Feature::Count;
  double min = 0.0, max = 0.0;
};

/// A prediction with its domain status. When extrapolated, feature/featureValue/min/max name the first feature
/// (in domain order) outside its training range, e.g. "c_in = 1024 outside training range [3, 512]".
struct Prediction {
  double value = 0.0;
  bool extrapolated = false;
  Feature feature = Feature::Count;
  double featureValue = 0.0, min = 0.0, max = 0.0;
  /// The value comes from the model's bounded physics form (Model::outside): the layer is outside the identified
  /// model's domain, or (notPositive) that model gave no finite positive number for it. Always flagged extrapolated.
  bool handedOver = false, notPositive = false;
};

struct Model {
  Structure structure = Structure::Physics;
  Target target = Target::Identity;
  std::vector<Term> terms;            // Frols, Physics
  std::vector<ProductFactor> factors; // Paper
  std::vector<double> params;         // Frols/Physics: one per term; Paper: the factors' parameters in order
  std::vector<DomainRange> domain;
  /// When > 0 the measured KPI saturates there (a KPI bounded by a device capacity, e.g. M20K blocks): evaluate()
  /// gives min(y, bound), what a synthesis report would show and what cross-validation compares with; predict()
  /// gives the unclipped demand y, so that a design above the capacity is reported as not fitting.
  double upperBound = 0.0;
  /// When > 0 the output never falls below it: max(y, floor). A fitted parameter: the rate at which a host thread
  /// issues back-to-back calls, which hides any kernel shorter than it (GPU ops at batch 1).
  double floor = 0.0;
  /// The bounded physics form (0 or 1 model: a floor, non-negative parameters over non-negative terms, so positive
  /// and no steeper than its terms) that predicts outside the domain, or where this model's own output is not a
  /// finite positive number: polynomials in log features fit their data but explode beyond it.
  std::vector<Model> outside;
  /// Its fit to the training rows (MAPE, %), for the record.
  double outsideFitMape = 0.0;
  /// A calibration factor (flydel-identify --recalibrate): every output, bounded form included, is multiplied by
  /// it, so the identified parameters stay as they were fitted and the adaptation stays visible. 1 when never
  /// recalibrated.
  double scale = 1.0;
  /// What the training rows cost. Beyond its domain a physics model is trusted while below kBeyondItsData times
  /// dataBound.at(work) and kSteeperThanPhysics times its bounded form.
  WorkBound dataBound;
  /// Beyond its domain a physics model is trusted while below kSteeperThanPhysics times its bounded form and
  /// kBeyondItsData times what its data cost (half the property check's 10x: the check measures the bound on the
  /// model's own in-domain predictions, which sit a little below the data's extremes); a physics model of an FPGA
  /// engine's lanes (readsLanes()) is trusted wherever it is positive.
  static constexpr double kSteeperThanPhysics = 10.0, kBeyondItsData = 5.0;

  int parameterCount() const { return static_cast<int>(params.size()) + (floor > 0 ? 1 : 0); }
  /// Structural consistency (parameter count matches terms/factors, finite parameters). Empty when fine.
  std::string check() const;
  /// The model's raw output (no domain check), clipped at upperBound. Allocation-free, noexcept.
  double evaluate(const FeatureVector &features) const noexcept;
  /// As evaluate(), without the clip at upperBound: the demand.
  double evaluateDemand(const FeatureVector &features) const noexcept;
  /// evaluate() of a Frols or Physics model from its terms' values on the layer (termValues[j] =
  /// evaluateTerm(terms[j], features)): the same number, for a caller that evaluates many models sharing terms.
  double evaluateFromTerms(const double *termValues) const noexcept;
  /// The demand (never clipped at upperBound) with its domain status.
  Prediction predict(const FeatureVector &features) const noexcept;
  Prediction predict(const Layer &layer) const noexcept { return predict(computeFeatures(layer)); }
  /// Features the model reads, in first-use order.
  std::vector<Feature> featuresUsed() const;
  /// Whether it reads an FPGA engine's lanes (pe, simd, or the weight ROM blocks they set): a model of the resources
  /// the lanes take (DSP48 = pe * simd + 3 pe), which grow with the lanes for the same layer, as neither the
  /// bounded form nor the layer's work can. Cycles read only the folds and beats the lanes set and fall as they
  /// grow. Allocation-free.
  bool readsLanes() const noexcept;
  /// "c_in = 1024 outside training range [3, 512]" (empty when not extrapolated), and how the value was made when
  /// the bounded physics form took over.
  static std::string describeDomain(const Prediction &prediction);
  /// Whether the model is positive and bounded by its terms by construction: identity target, every parameter >= 0
  /// and a positive floor (the GPU pool's models and every bounded physics form).
  bool boundedByConstruction() const;

private:
  /// A Frols or Physics model's output from its linear combination of terms (target, floor, scale).
  double linearOutput(double sum) const noexcept;
};

} // namespace flydel

#endif // FLYDEL_MODEL_MODEL_H
