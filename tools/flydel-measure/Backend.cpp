//===- Backend.cpp - shared backend helpers -------------------------------===//
#include "Backend.h"

namespace flydel::measure {

StridedInput stridedInput(const Layer &l) {
  auto fit = [](int64_t in, int64_t pad, int64_t kernel, int64_t stride, int64_t dilation, int64_t &inOut,
                int64_t &padAfter) {
    int64_t rem = (in - 1 + 2 * pad - (kernel - 1) * dilation) % stride;
    padAfter = pad - std::min(rem, pad);
    inOut = in - (rem - (pad - padAfter));
  };
  StridedInput s{};
  fit(l.in_h, l.pad_h, l.kernel_h, l.stride_h, l.dilation_h, s.h, s.padBottom);
  fit(l.in_w, l.pad_w, l.kernel_w, l.stride_w, l.dilation_w, s.w, s.padRight);
  return s;
}

} // namespace flydel::measure
