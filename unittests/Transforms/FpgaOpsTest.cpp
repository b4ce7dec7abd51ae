//===- FpgaOpsTest.cpp - IR types as the FPGA capability rule sees them ---===//
//
// describeFpgaTensor leaves the text of a static f32 tensor to TensorShape::typeText (printing a type on every op
// of a large graph cost a tenth of --assign-devices); the text a message shows must still be the printer's.
//
//===----------------------------------------------------------------------===//

#include "flydel/Target/Verilog/FpgaOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

TEST(FpgaOpsTest, TensorTextIsThePrintersText) {
  MLIRContext context;
  for (const char *text :
       {"tensor<1x12x12x4xf32>", "tensor<1x?x12x4xf32>", "tensor<*xf32>", "tensor<1x2x3x4xi8>", "tensor<1x2x3x4xf16>",
        "tensor<7xf32>", "tensor<f32>", "tensor<2x3xf32, 5 : i64>", "f32", "memref<1x2x3x4xf32>"}) {
    Type type = parseType(text, &context);
    ASSERT_TRUE(type) << text;
    std::string printed;
    llvm::raw_string_ostream os(printed);
    type.print(os);
    ::flydel::fpga::TensorShape shape = mlir::flydel::describeFpgaTensor(type);
    EXPECT_EQ(shape.typeText(), printed) << text;
  }
  // The common case builds no text of its own.
  EXPECT_TRUE(mlir::flydel::describeFpgaTensor(parseType("tensor<1x12x12x4xf32>", &context)).text.empty());
}

} // namespace
