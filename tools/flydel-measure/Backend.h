//===- Backend.h - flydel-measure backends ----------------------*- C++ -*-===//
//
// A backend turns a layer into something runnable on one device library; the harness (flydel/Measure/Harness.h)
// times it. Both CPU backends run the same layer: same shapes, NHWC activations, f32, "rows a strided window never
// reads" trimmed the same way (see stridedInput()).
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_TOOLS_MEASURE_BACKEND_H
#define FLYDEL_TOOLS_MEASURE_BACKEND_H

#include "flydel/Model/Expected.h"
#include "flydel/Model/Layer.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace flydel::measure {

/// A CSV as flydel-measure's plans and outputs are written: '#' provenance lines, a header, and data rows by
/// 1-based line number (blank lines skipped). Cells are split on ',' and trimmed; no quoting (the schema has none).
struct RawCsv {
  std::vector<std::string> comments, header;
  std::map<int, std::vector<std::string>> rows;
};
RawCsv parseRawCsv(const std::string &text);
/// Reads and parses a file; false when it cannot be read.
bool readRawCsv(const std::string &path, RawCsv &csv);
std::vector<std::string> splitCells(const std::string &line);
std::string joinCells(const std::vector<std::string> &cells);

/// A layer ready to run: inputs allocated and filled, code compiled. run() executes it once.
class Runnable {
public:
  virtual ~Runnable() = default;
  virtual void run() = 0;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  /// Library versions for the provenance header.
  virtual std::string version() const = 0;
  /// Empty when the backend can run the layer, else why not (checked for the whole plan before measuring).
  virtual std::string supports(const Layer &layer) const = 0;
  virtual Expected<std::unique_ptr<Runnable>> prepare(const Layer &layer) = 0;
  /// A whole network: the public function of an imported model (flydel-translate --import-onnx, with or without
  /// --elide-weights; annotations are ignored), every argument filled with data, compiled as one piece. Backends
  /// that run single layers only say so.
  virtual Expected<std::unique_ptr<Runnable>> prepareNetwork(const std::string &path) {
    return makeError("the " + name() + " backend runs single layers only, not whole networks");
  }
  /// Where to write what the backend runs per layer (cpu-mlir: the TOSA function), for reproduction; empty: off.
  virtual void setDumpDir(const std::string &) {}
};

std::unique_ptr<Backend> createCpuMlirBackend();
std::unique_ptr<Backend> createOneDnnBackend(int threads);

/// Input rows and columns a convolution or pooling window reads, and the bottom/right padding that goes with them.
/// TOSA requires (in - 1 + pad_before + pad_after - (kernel - 1) * dilation) to be a multiple of the stride; a
/// PyTorch-style layer (floor division) satisfies it after reducing the trailing padding, and, where that is not
/// enough, after dropping trailing input rows the window never reads. The output shape is unchanged.
struct StridedInput {
  int64_t h, w, padBottom, padRight;
};
StridedInput stridedInput(const Layer &layer);

} // namespace flydel::measure

#endif
