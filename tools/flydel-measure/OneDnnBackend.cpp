//===- OneDnnBackend.cpp - layers through oneDNN primitives ---------------===//
//
// The same layers as cpu-mlir, through oneDNN (Debian's libdnnl, a production CPU library). Convolution and matmul
// let oneDNN choose its memory formats (format_tag::any), as a framework does: weights and inputs are reordered
// once, outside the timed region, because in a network they stay in the chosen layout from layer to layer. Pooling,
// binary add and the NHWC -> NCHW reorder work on plain NHWC tensors like the TOSA functions.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"

#include <dnnl.hpp>
#include <omp.h>

#include <random>
#include <unordered_map>

namespace flydel::measure {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

class DnnlRunnable : public Runnable {
public:
  DnnlRunnable(dnnl::engine &engine) : stream_(engine) {}
  void run() override {
    primitive_.execute(stream_, args_);
    stream_.wait();
  }
  dnnl::stream stream_;
  dnnl::primitive primitive_;
  std::unordered_map<int, dnnl::memory> args_;
};

void fill(dnnl::memory &m) {
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> dist(-1, 1);
  float *data = static_cast<float *>(m.get_data_handle());
  size_t count = m.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < count; ++i)
    data[i] = dist(gen);
}

class OneDnnBackend : public Backend {
public:
  explicit OneDnnBackend(int threads) : engine_(dnnl::engine::kind::cpu, 0), threads_(threads) {
    omp_set_num_threads(threads);
  }
  std::string name() const override { return "cpu-onednn"; }
  std::string version() const override {
    const dnnl_version_t *v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
           std::to_string(v->patch) + " (" + v->hash + ", cpu runtime " +
           (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other") + "), " + std::to_string(threads_) +
           " thread(s)";
  }
  std::string supports(const Layer &l) const override {
    if (l.dtype != DType::F32)
      return std::string("data type ") + dtypeName(l.dtype) + " (cpu-onednn measures f32 only)";
    if (l.op == OpKind::Conv2d && (l.c_in % l.groups || l.c_out % l.groups))
      return "channels not divisible by the groups";
    return {};
  }

  /// Memory in the primitive's chosen format, filled from a plain user tensor (reordered outside the timing).
  dnnl::memory prepared(const dnnl::memory::desc &chosen, const dnnl::memory::dims &dims, tag userTag) {
    dnnl::memory user({dims, dt::f32, userTag}, engine_);
    fill(user);
    if (chosen == user.get_desc())
      return user;
    dnnl::memory m(chosen, engine_);
    dnnl::stream s(engine_);
    dnnl::reorder(user, m).execute(s, user, m);
    s.wait();
    return m;
  }

  Expected<std::unique_ptr<Runnable>> prepare(const Layer &l) override {
    try {
      auto r = std::make_unique<DnnlRunnable>(engine_);
      StridedInput in = stridedInput(l);
      dnnl::memory::dim n = l.batch, oh = l.outH(), ow = l.outW();
      dnnl::memory::dims padL = {l.pad_h, l.pad_w}, padR = {in.padBottom, in.padRight};
      dnnl::memory::dims strides = {l.stride_h, l.stride_w};
      switch (l.op) {
      case OpKind::Conv2d: {
        dnnl::memory::dims src = {n, l.c_in, in.h, in.w}, dst = {n, l.c_out, oh, ow}, bias = {l.c_out};
        dnnl::memory::dims wei = l.groups == 1
                                     ? dnnl::memory::dims{l.c_out, l.c_in, l.kernel_h, l.kernel_w}
                                     : dnnl::memory::dims{l.groups, l.c_out / l.groups, l.c_in / l.groups,
                                                          l.kernel_h, l.kernel_w};
        dnnl::convolution_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, {src, dt::f32, tag::any},
            {wei, dt::f32, tag::any}, {bias, dt::f32, tag::x}, {dst, dt::f32, tag::any}, strides,
            {l.dilation_h - 1, l.dilation_w - 1}, padL, padR);
        dnnl::convolution_forward::primitive_desc pd(d, engine_);
        r->primitive_ = dnnl::convolution_forward(pd);
        r->args_[DNNL_ARG_SRC] = prepared(pd.src_desc(), src, tag::nhwc);
        r->args_[DNNL_ARG_WEIGHTS] = prepared(pd.weights_desc(), wei, l.groups == 1 ? tag::oihw : tag::goihw);
        r->args_[DNNL_ARG_BIAS] = prepared(pd.bias_desc(), bias, tag::x);
        r->args_[DNNL_ARG_DST] = dnnl::memory(pd.dst_desc(), engine_);
        break;
      }
      case OpKind::Pool2d: {
        dnnl::memory::dims src = {n, l.c_in, in.h, in.w}, dst = {n, l.c_in, oh, ow};
        dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                      {src, dt::f32, tag::nhwc}, {dst, dt::f32, tag::nhwc}, strides,
                                      {l.kernel_h, l.kernel_w}, padL, padR);
        dnnl::pooling_forward::primitive_desc pd(d, engine_);
        r->primitive_ = dnnl::pooling_forward(pd);
        r->args_[DNNL_ARG_SRC] = prepared(pd.src_desc(), src, tag::nhwc);
        r->args_[DNNL_ARG_DST] = dnnl::memory(pd.dst_desc(), engine_);
        break;
      }
      case OpKind::MatMul: {
        dnnl::memory::dim rows = l.batch * l.in_h * l.in_w;
        dnnl::memory::dims a = {rows, l.c_in}, b = {l.c_in, l.c_out}, c = {rows, l.c_out};
        dnnl::matmul::desc d({a, dt::f32, tag::ab}, {b, dt::f32, tag::any}, {c, dt::f32, tag::ab});
        dnnl::matmul::primitive_desc pd(d, engine_);
        r->primitive_ = dnnl::matmul(pd);
        r->args_[DNNL_ARG_SRC] = prepared(pd.src_desc(), a, tag::ab);
        r->args_[DNNL_ARG_WEIGHTS] = prepared(pd.weights_desc(), b, tag::ab);
        r->args_[DNNL_ARG_DST] = dnnl::memory(pd.dst_desc(), engine_);
        break;
      }
      case OpKind::Elementwise: {
        dnnl::memory::dims t = {n, l.c_in, l.in_h, l.in_w};
        dnnl::memory::desc md(t, dt::f32, tag::nhwc);
        dnnl::binary::desc d(dnnl::algorithm::binary_add, md, md, md);
        dnnl::binary::primitive_desc pd(d, engine_);
        r->primitive_ = dnnl::binary(pd);
        r->args_[DNNL_ARG_SRC_0] = prepared(md, t, tag::nhwc);
        r->args_[DNNL_ARG_SRC_1] = prepared(md, t, tag::nhwc);
        r->args_[DNNL_ARG_DST] = dnnl::memory(md, engine_);
        break;
      }
      case OpKind::DataMovement: {
        dnnl::memory::dims t = {n, l.c_in, l.in_h, l.in_w};
        dnnl::memory src = prepared({t, dt::f32, tag::nhwc}, t, tag::nhwc);
        dnnl::memory dst({t, dt::f32, tag::nchw}, engine_);
        r->primitive_ = dnnl::reorder(src, dst);
        r->args_[DNNL_ARG_FROM] = src;
        r->args_[DNNL_ARG_TO] = dst;
        break;
      }
      }
      return std::unique_ptr<Runnable>(std::move(r));
    } catch (const dnnl::error &e) {
      return makeError(std::string("oneDNN: ") + e.what() + " (status " + std::to_string(e.status) + ")");
    }
  }

private:
  dnnl::engine engine_;
  int threads_;
};

} // namespace

std::unique_ptr<Backend> createOneDnnBackend(int threads) { return std::make_unique<OneDnnBackend>(threads); }

} // namespace flydel::measure
