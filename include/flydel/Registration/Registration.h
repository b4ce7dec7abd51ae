//===- Registration.h - register flydel into a tool -------------*- C++ -*-===//
//
// Entry points for tools that embed flydel (an mlir-opt-like driver, a compiler): one call,
// mlir::flydel::registerFlydel(registry), makes the flydel dialect, its external models and every flydel pass available.
//
//===----------------------------------------------------------------------===//
#ifndef FLYDEL_REGISTRATION_REGISTRATION_H
#define FLYDEL_REGISTRATION_REGISTRATION_H

namespace mlir {
class DialectRegistry;

namespace flydel {

/// Adds the flydel dialect (and the interfaces flydel attaches to upstream ops) to `registry`.
void registerFlydelDialects(mlir::DialectRegistry &registry);

/// Registers every flydel pass and pipeline with the global pass registry.
void registerFlydelPasses();

/// Both of the above; safe to call more than once.
void registerFlydel(mlir::DialectRegistry &registry);

} // namespace flydel
} // namespace mlir

#endif // FLYDEL_REGISTRATION_REGISTRATION_H
