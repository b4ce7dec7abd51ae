//===- OnnxLoader.h - parse, check and shape-infer an ONNX model -*- C++ -*-===//
//
// The only code that calls into ONNX's C++ library, which reports errors by throwing: it is compiled with
// exceptions and turns every exception into an error message, so the MLIR side never sees one.
//
//===----------------------------------------------------------------------===//

#ifndef FLYDEL_LIB_TARGET_ONNX_ONNXLOADER_H
#define FLYDEL_LIB_TARGET_ONNX_ONNXLOADER_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace mlir::flydel::detail {

/// Parses `bytes` into `model`, runs the ONNX checker, applies `inputShapes` to the graph inputs (every other
/// input must already be static) and runs ONNX shape inference. Returns an error message, empty on success.
std::string loadOnnxModel(llvm::StringRef bytes, const llvm::StringMap<llvm::SmallVector<int64_t, 4>> &inputShapes,
                          onnx::ModelProto &model);

} // namespace mlir::flydel::detail

#endif // FLYDEL_LIB_TARGET_ONNX_ONNXLOADER_H
