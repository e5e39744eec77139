// Tensor's methods, creation functions, and in-place ops.
#include "minitorch/tensor.h"

#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "autograd/node.h"
#include "check.h"
#include "kernels/elementwise.h"
#include "kernels/fast_math.h"
#include "kernels/loops.h"
#include "minitorch/autograd.h"
#include "minitorch/memory.h"
#include "minitorch/ops.h"
#include "ops/op_util.h"
#include "tensor_impl.h"

namespace minitorch {

Tensor::Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

const TensorImpl& Tensor::checked_impl() const {
  if (!impl_)
    throw Error("Tensor: this tensor is undefined (default-constructed or an absent grad)");
  return *impl_;
}

const Shape& Tensor::shape() const { return checked_impl().shape; }
const Shape& Tensor::strides() const { return checked_impl().strides; }
int64_t Tensor::dim() const { return static_cast<int64_t>(checked_impl().shape.size()); }
int64_t Tensor::numel() const { return checked_impl().numel(); }
DType Tensor::dtype() const { return checked_impl().dtype; }
bool Tensor::is_contiguous() const { return checked_impl().is_contiguous(); }

int64_t Tensor::size(int64_t d) const {
  const TensorImpl& impl = checked_impl();
  MT_CHECK(!impl.shape.empty(), "size: dim ", d, " of a 0-dim tensor does not exist");
  return impl.shape[wrap_dim(d, static_cast<int64_t>(impl.shape.size()), "size")];
}

bool Tensor::requires_grad() const {
  const TensorImpl& impl = checked_impl();
  return impl.requires_grad || impl.grad_fn != nullptr;
}

bool Tensor::is_leaf() const { return checked_impl().grad_fn == nullptr; }

Tensor& Tensor::requires_grad_(bool requires_grad) {
  const TensorImpl& impl = checked_impl();
  MT_CHECK(impl.grad_fn == nullptr,
           "requires_grad_: only leaf tensors can change requires_grad; "
           "this one was produced by ",
           impl.grad_fn->name(), " (use detach() for a new leaf)");
  MT_CHECK(!requires_grad || is_floating(impl.dtype), "requires_grad_: a tensor of shape ",
           impl.shape.to_string(), " and dtype int64 cannot require grad (only float dtypes can)");
  impl_->requires_grad = requires_grad;
  if (requires_grad && !impl_->grad_accumulator) {
    impl_->grad_accumulator = std::make_shared<AccumulateGrad>(impl_);
  } else if (!requires_grad) {
    impl_->grad_accumulator.reset();
  }
  return *this;
}

Tensor Tensor::grad() const { return checked_impl().grad; }

void clear_grads(const std::vector<Tensor>& tensors, bool set_to_none) {
  for (Tensor p : tensors) {
    if (set_to_none || !p.grad().defined()) {
      p.set_grad(Tensor());
    } else {
      p.grad().zero_();
    }
  }
}

void replace_data(const Tensor& tensor, const Tensor& data) {
  TensorImpl& impl = *tensor.impl();
  const TensorImpl& from = *data.impl();
  MT_INTERNAL_ASSERT(impl.grad_fn == nullptr && from.storage != impl.storage,
                     "replace_data takes a leaf and new storage");
  // The new storage starts past the old one's version, so a backward that
  // saved this tensor before the change refuses, as after any in-place write.
  from.storage->version.store(impl.storage->version.load() + 1);
  impl.storage = from.storage;
  impl.shape = from.shape;
  impl.strides = from.strides;
  impl.offset = from.offset;
  impl.dtype = from.dtype;
  // The accumulator knows its leaf's dtype; graphs recorded from now on
  // deposit through a new one.
  if (impl.requires_grad) impl.grad_accumulator = std::make_shared<AccumulateGrad>(tensor.impl());
}

void Tensor::set_grad(const Tensor& grad) {
  const TensorImpl& impl = checked_impl();
  if (grad.defined()) {
    MT_CHECK(grad.shape() == impl.shape && grad.dtype() == impl.dtype,
             "set_grad: gradient of shape ", grad.shape().to_string(), " ",
             dtype_name(grad.dtype()), " does not match tensor of shape ", impl.shape.to_string(),
             " ", dtype_name(impl.dtype));
  }
  impl_->grad = grad;
}

std::string Tensor::grad_fn_name() const {
  const TensorImpl& impl = checked_impl();
  return impl.grad_fn ? impl.grad_fn->name() : "";
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  const TensorImpl& impl = checked_impl();
  MT_CHECK(requires_grad(), "backward: tensor of shape ", impl.shape.to_string(),
           " does not require grad (no input of it requires grad, or grad mode was off)");
  Tensor seed = gradient;
  if (!seed.defined()) {
    MT_CHECK(impl.numel() == 1, "backward: tensor of shape ", impl.shape.to_string(),
             " is not a scalar; pass a gradient of that shape to backward(gradient)");
    seed = ones(impl.shape, impl.dtype);
  }
  MT_CHECK(seed.shape() == impl.shape, "backward: gradient of shape ", seed.shape().to_string(),
           " does not match the tensor's shape ", impl.shape.to_string());
  check_float(seed, "backward", "gradient");
  run_backward(gradient_edge(*this), seed.to(impl.dtype), retain_graph, create_graph);
}

Tensor Tensor::detach() const {
  const TensorImpl& impl = checked_impl();
  return make_view(*this, impl.shape, impl.strides, impl.offset);
}

double Tensor::item() const {
  const TensorImpl& impl = checked_impl();
  MT_CHECK(impl.numel() == 1, "item: tensor of shape ", impl.shape.to_string(), " has ",
           impl.numel(), " elements, not 1");
  return to_vector()[0];
}

template <class T>
T Tensor::item() const {
  const TensorImpl& impl = checked_impl();
  MT_CHECK(impl.numel() == 1, "item: tensor of shape ", impl.shape.to_string(), " has ",
           impl.numel(), " elements, not 1");
  return dispatch_all(impl.dtype,
                      [&]<class From>() { return static_cast<T>(impl.data<From>()[0]); });
}

template <class T>
T* Tensor::data_ptr() const {
  const TensorImpl& impl = checked_impl();
  MT_CHECK(impl.dtype == dtype_of<T>(), "data_ptr: the tensor is ", dtype_name(impl.dtype),
           ", not ", dtype_name(dtype_of<T>()));
  return impl.data<T>();
}

template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template bool Tensor::item<bool>() const;
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;
template bool* Tensor::data_ptr<bool>() const;

std::vector<double> Tensor::to_vector() const {
  const TensorImpl& impl = checked_impl();
  // An expanded view can hold far more elements than memory: check before
  // allocating the copy.
  MT_CHECK(static_cast<uint64_t>(impl.numel()) <= max_tensor_bytes() / sizeof(double),
           "to_vector: ", impl.numel(), " elements of shape ", impl.shape.to_string(),
           " exceed the per-tensor ceiling of ", max_tensor_bytes(), " bytes as doubles");
  std::vector<double> values(static_cast<size_t>(impl.numel()));
  dispatch_all(impl.dtype, [&]<class T>() {
    const Tensor flat =
        map_unary<T, double>(*this, kFloat64, [](T v) { return static_cast<double>(v); });
    const double* p = flat.impl()->data<double>();
    std::copy(p, p + values.size(), values.begin());
    return 0;
  });
  return values;
}

std::string Tensor::to_string() const {
  if (!impl_) return "Tensor(undefined)";
  std::ostringstream os;
  os << "Tensor(shape=" << impl_->shape << ", dtype=" << dtype_name(impl_->dtype) << ", values=[";
  const std::vector<double> values = to_vector();
  constexpr size_t kShown = 16;
  for (size_t i = 0; i < values.size() && i < kShown; ++i) os << (i ? ", " : "") << values[i];
  if (values.size() > kShown) os << ", ...";
  os << "]";
  if (requires_grad()) os << ", requires_grad";
  os << ")";
  return os.str();
}

// --- Creation -----------------------------------------------------------------

Tensor tensor(const std::vector<double>& values, Shape shape, DType dtype) {
  const int64_t n = checked_numel(shape, "tensor");
  MT_CHECK(static_cast<int64_t>(values.size()) == n, "tensor: ", values.size(),
           " values do not fill shape ", shape.to_string(), " (", n, " elements)");
  Tensor out = empty(shape, dtype, "tensor");
  dispatch_all(dtype, [&]<class T>() {
    T* p = out.impl()->data<T>();
    for (size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_same_v<T, int64_t>) {
        const double v = values[i];
        MT_CHECK(std::isfinite(v) && v == std::trunc(v) && std::abs(v) < 9.2e18, "tensor: value ",
                 v, " at index ", i, " is not an int64");
        p[i] = static_cast<int64_t>(v);
      } else if constexpr (std::is_same_v<T, bool>) {
        MT_CHECK(values[i] == 0 || values[i] == 1, "tensor: value ", values[i], " at index ", i,
                 " is not a bool (0 or 1)");
        p[i] = values[i] != 0;
      } else {
        p[i] = static_cast<T>(values[i]);
      }
    }
    return 0;
  });
  return out;
}

namespace {

// full() under the name of the function the user called, for its errors.
Tensor filled(const Shape& shape, double value, DType dtype, const char* op) {
  Tensor out = empty(shape, dtype, op);
  out.fill_(value);
  return out;
}

}  // namespace

Tensor scalar_tensor(double value, DType dtype) {
  return filled({}, value, dtype, "scalar_tensor");
}
Tensor full(Shape shape, double value, DType dtype) { return filled(shape, value, dtype, "full"); }
Tensor zeros(Shape shape, DType dtype) { return filled(shape, 0.0, dtype, "zeros"); }
Tensor ones(Shape shape, DType dtype) { return filled(shape, 1.0, dtype, "ones"); }

Tensor from_blob(void* data, Shape shape, std::function<void(void*)> deleter, DType dtype) {
  const int64_t n = checked_numel(shape, "from_blob");
  MT_CHECK(data != nullptr || n == 0, "from_blob: data is null for shape ", shape.to_string());
  MT_CHECK(static_cast<uint64_t>(n) <= std::numeric_limits<size_t>::max() / element_size(dtype),
           "from_blob: shape ", shape.to_string(), " of ", dtype_name(dtype),
           " spans more bytes than memory has");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(data, static_cast<size_t>(n) * element_size(dtype),
                                            std::move(deleter));
  impl->strides = contiguous_strides(shape);
  impl->shape = std::move(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor from_blob(void* data, Shape shape, DType dtype) {
  return from_blob(data, std::move(shape), nullptr, dtype);
}

Tensor arange(int64_t n, DType dtype) {
  MT_CHECK(n >= 0, "arange: n must be >= 0, got ", n);
  Tensor out = empty({n}, dtype, "arange");
  dispatch_all(dtype, [&]<class T>() {
    T* p = out.impl()->data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i);
    return 0;
  });
  return out;
}

// --- In-place ops ------------------------------------------------------------

namespace {

// The rules every in-place op enforces before writing into `self`.
void check_inplace(const Tensor& self, const char* op) {
  const TensorImpl& impl = *self.impl();
  if (is_grad_enabled()) {
    MT_CHECK(!self.requires_grad(), op, ": in-place write into a tensor of shape ",
             impl.shape.to_string(),
             " that requires grad; wrap it in NoGradGuard (as optimizer "
             "updates do) or use the out-of-place op");
  }
  for (size_t i = 0; i < impl.shape.size(); ++i) {
    MT_CHECK(impl.strides[i] != 0 || impl.shape[i] <= 1, op, ": cannot write into an expanded ",
             "tensor of shape ", impl.shape.to_string(), " (several elements share memory)");
  }
}

// self[i] = f(self[i], other[i]) with other broadcast to self's shape and
// converted to its dtype. When other has self's shape and both are dense,
// flat(self_data, other_data, n) runs instead (on ranges, split over the
// caller's threads).
template <class F, class Flat>
void inplace_binary(Tensor& self, const Tensor& other_in, const char* op, F f, Flat flat) {
  MT_CHECK(self.defined() && other_in.defined(), op, ": undefined tensor");
  check_inplace(self, op);
  const Shape& shape = self.shape();
  const Shape joint = broadcast_shapes(shape, other_in.shape(), op);
  MT_CHECK(joint == shape, op, ": shape ", other_in.shape().to_string(),
           " does not broadcast to the destination's shape ", shape.to_string());
  // Only read: no detached copy needed unless the dtype differs.
  const Tensor other =
      other_in.dtype() == self.dtype() ? other_in : other_in.detach().to(self.dtype());
  TensorImpl& si = *self.impl();
  const TensorImpl& oi = *other.impl();
  if (oi.shape == shape && si.is_contiguous() && oi.is_contiguous()) {
    // The common case (gradient accumulation, optimizer updates): one flat loop.
    dispatch_all(si.dtype, [&]<class T>() {
      T* ps = si.data<T>();
      const T* po = oi.data<T>();
      parallel_for(si.numel(), get_parallel_grain(),
                   [&](int64_t begin, int64_t end) { flat(ps + begin, po + begin, end - begin); });
      return 0;
    });
    si.storage->version.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const Shape so = broadcast_strides(oi, shape);
  dispatch_all(si.dtype, [&]<class T>() {
    T* ps = si.data<T>();
    const T* po = oi.data<T>();
    StridedLoop<2> loop(shape, {&si.strides, &so});
    loop.for_each_row_parallel([&](const auto& off, int64_t n, const auto& st) {
      T* dst = ps + off[0];
      const T* src = po + off[1];
      if (st[0] == 1 && st[1] == 1) {
        flat(dst, src, n);
      } else if (st[0] == 1 && st[1] == 0) {
        // An expanded operand (a gradient that sum's backward broadcast):
        // one value for the whole row, read once, so the loop vectorises.
        rows::map(dst, dst, *src, n, f);
      } else {
        for (int64_t i = 0; i < n; ++i) dst[i * st[0]] = f(dst[i * st[0]], src[i * st[1]]);
      }
    });
    return 0;
  });
  si.storage->version.fetch_add(1, std::memory_order_relaxed);
}

template <class F>
void inplace_binary(Tensor& self, const Tensor& other, const char* op, F f) {
  inplace_binary(self, other, op, f,
                 [f]<class T>(T* ps, const T* po, int64_t n) { rows::map(ps, ps, po, n, f); });
}

}  // namespace

Tensor& Tensor::fill_(double value) {
  checked_impl();
  check_inplace(*this, "fill_");
  TensorImpl& impl = *impl_;
  dispatch_all(impl.dtype, [&]<class T>() {
    const T v = static_cast<T>(value);
    T* p = impl.data<T>();
    if (impl.is_contiguous()) {
      parallel_for(impl.numel(), get_parallel_grain(),
                   [&](int64_t begin, int64_t end) { rows::fill(p + begin, v, end - begin); });
    } else {
      StridedLoop<1> loop(impl.shape, {&impl.strides});
      loop.for_each_row([&](const auto& off, int64_t n, const auto& st) {
        for (int64_t i = 0; i < n; ++i) p[off[0] + i * st[0]] = v;
      });
    }
    return 0;
  });
  impl.storage->version.fetch_add(1, std::memory_order_relaxed);
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0.0); }

Tensor& Tensor::copy_(const Tensor& source) {
  inplace_binary(*this, source, "copy_", [](auto, auto v) { return v; });
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  MT_CHECK(defined() && is_floating(dtype()), "add_: destination must be a float tensor");
  inplace_binary(
      *this, other, "add_",
      [alpha](auto a, auto b) { return a + static_cast<decltype(a)>(alpha) * b; },
      [alpha]<class T>(T* ps, const T* po, int64_t n) {
        if constexpr (std::is_floating_point_v<T>)
          fast::axpy(n, static_cast<T>(alpha), po, ps);  // add_ takes floats only
      });
  return *this;
}

Tensor& Tensor::sub_(const Tensor& other, double alpha) { return add_(other, -alpha); }

Tensor& Tensor::mul_(const Tensor& other) {
  MT_CHECK(defined() && is_floating(dtype()), "mul_: destination must be a float tensor");
  inplace_binary(*this, other, "mul_", [](auto a, auto b) { return a * b; });
  return *this;
}

Tensor& Tensor::mul_(double factor) { return mul_(scalar_tensor(factor, dtype())); }

// --- Methods forwarding to the ops -----------------------------------------------

Tensor Tensor::add(const Tensor& o) const { return minitorch::add(*this, o); }
Tensor Tensor::sub(const Tensor& o) const { return minitorch::sub(*this, o); }
Tensor Tensor::mul(const Tensor& o) const { return minitorch::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return minitorch::div(*this, o); }
Tensor Tensor::pow(const Tensor& e) const { return minitorch::pow(*this, e); }
Tensor Tensor::pow(double e) const { return minitorch::pow(*this, e); }
Tensor Tensor::maximum(const Tensor& o) const { return minitorch::maximum(*this, o); }
Tensor Tensor::minimum(const Tensor& o) const { return minitorch::minimum(*this, o); }
Tensor Tensor::neg() const { return minitorch::neg(*this); }
Tensor Tensor::exp() const { return minitorch::exp(*this); }
Tensor Tensor::log() const { return minitorch::log(*this); }
Tensor Tensor::sqrt() const { return minitorch::sqrt(*this); }
Tensor Tensor::abs() const { return minitorch::abs(*this); }
Tensor Tensor::tanh() const { return minitorch::tanh(*this); }
Tensor Tensor::sigmoid() const { return minitorch::sigmoid(*this); }
Tensor Tensor::relu() const { return minitorch::relu(*this); }
Tensor Tensor::clamp(std::optional<double> lo, std::optional<double> hi) const {
  return minitorch::clamp(*this, lo, hi);
}
Tensor Tensor::sum() const { return minitorch::sum(*this); }
Tensor Tensor::sum(absl::Span<const int64_t> dims, bool keepdim) const {
  return minitorch::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const { return minitorch::mean(*this); }
Tensor Tensor::mean(absl::Span<const int64_t> dims, bool keepdim) const {
  return minitorch::mean(*this, dims, keepdim);
}
Tensor Tensor::amax() const { return minitorch::amax(*this); }
Tensor Tensor::amax(absl::Span<const int64_t> dims, bool keepdim) const {
  return minitorch::amax(*this, dims, keepdim);
}
Tensor Tensor::logsumexp(absl::Span<const int64_t> dims, bool keepdim) const {
  return minitorch::logsumexp(*this, dims, keepdim);
}
Tensor Tensor::matmul(const Tensor& o) const { return minitorch::matmul(*this, o); }
Tensor Tensor::reshape(absl::Span<const int64_t> s) const { return minitorch::reshape(*this, s); }
Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  return minitorch::transpose(*this, d0, d1);
}
Tensor Tensor::t() const {
  MT_CHECK(dim() <= 2, "t: expects a tensor of at most 2 dims, got shape ", shape().to_string());
  return dim() < 2 ? *this : minitorch::transpose(*this, 0, 1);
}
Tensor Tensor::permute(absl::Span<const int64_t> d) const { return minitorch::permute(*this, d); }
Tensor Tensor::expand(absl::Span<const int64_t> s) const { return minitorch::expand(*this, s); }
Tensor Tensor::squeeze() const { return minitorch::squeeze(*this); }
Tensor Tensor::squeeze(int64_t d) const { return minitorch::squeeze(*this, d); }
Tensor Tensor::unsqueeze(int64_t d) const { return minitorch::unsqueeze(*this, d); }
Tensor Tensor::softmax(int64_t d) const { return minitorch::softmax(*this, d); }
Tensor Tensor::log_softmax(int64_t d) const { return minitorch::log_softmax(*this, d); }

}  // namespace minitorch
