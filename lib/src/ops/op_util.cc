// Helpers shared by the op definitions (see op_util.h).
#include "ops/op_util.h"

#include <string>
#include <utility>
#include <vector>

namespace minitorch {

namespace {

std::string dims_string(absl::Span<const int64_t> dims) { return Shape(dims).to_string(); }

}  // namespace

void check_defined(const Tensor& t, const char* op, const char* role) {
  MT_CHECK(t.defined(), op, ": ", role, " is an undefined tensor");
}

void check_has_dims(const Tensor& t, const char* op) {
  check_defined(t, op);
  MT_CHECK(t.dim() > 0, op, ": cannot be applied to a 0-dim tensor");
}

void check_float(const Tensor& t, const char* op, const char* role) {
  check_defined(t, op, role);
  MT_CHECK(is_floating(t.dtype()), op, ": ", role, " of shape ", t.shape().to_string(), " is ",
           dtype_name(t.dtype()),
           "; this op needs float32 or float64 (convert with .to(kFloat64))");
}

DType promote_types(DType a, DType b) {
  const auto rank = [](DType d) {
    switch (d) {
      case kBool:
        return 0;
      case kInt64:
        return 1;
      case kFloat32:
        return 2;
      case kFloat64:
        break;
    }
    return 3;
  };
  return rank(a) >= rank(b) ? a : b;
}

DType result_type(const Tensor& a, const Tensor& b) {
  if ((a.dim() == 0) == (b.dim() == 0)) return promote_types(a.dtype(), b.dtype());
  const Tensor& dimensioned = a.dim() == 0 ? b : a;
  const Tensor& zero_dim = a.dim() == 0 ? a : b;
  const auto category = [](DType d) { return is_floating(d) ? 2 : d == kInt64 ? 1 : 0; };
  return category(dimensioned.dtype()) >= category(zero_dim.dtype())
             ? dimensioned.dtype()
             : promote_types(dimensioned.dtype(), zero_dim.dtype());
}

Promoted::Promoted(const Tensor& a, const Tensor& b, const char* op) {
  check_float(a, op, "operand a");
  check_float(b, op, "operand b");
  const DType common = result_type(a, b);
  if (a.dtype() == common) {
    a_ = &a;
  } else {
    converted_a_ = a.to(common);
  }
  if (b.dtype() == common) {
    b_ = &b;
  } else {
    converted_b_ = b.to(common);
  }
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  MT_INTERNAL_ASSERT(lead >= 0, "sum_to: ", grad.shape().to_string(), " to ", shape.to_string());
  absl::InlinedVector<int64_t, kInlineRank> dims;
  for (int64_t i = 0; i < grad.dim(); ++i) {
    // Dropped leading dims, and dims the shape had as 1, were broadcast.
    if (i < lead || (shape[i - lead] == 1 && grad.size(i) != 1)) {
      dims.push_back(i);
    } else {
      MT_INTERNAL_ASSERT(shape[i - lead] == grad.size(i), "sum_to: ", grad.shape().to_string(),
                         " to ", shape.to_string());
    }
  }
  const Tensor summed = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return reshape(summed, shape);
}

Tensor scalar_like(double value, const Tensor& like) { return scalar_tensor(value, like.dtype()); }

Tensor weighted_grad(const Tensor& grad, const Tensor& weight) {
  return where(weight, grad * weight, scalar_like(0, grad));
}

#define MINITORCH_DEFINE_MASK(name, expr)                                                \
  Tensor name(const Tensor& a_in, const Tensor& b_in) {                                  \
    const Promoted promoted(a_in, b_in, #name);                                          \
    return binary_forward(#name, promoted.a(), promoted.b(),                             \
                          [](auto x, auto y) -> decltype(x) { return (expr) ? 1 : 0; }); \
  }
MINITORCH_DEFINE_MASK(gt_mask, x > y)
MINITORCH_DEFINE_MASK(ge_mask, x >= y)
MINITORCH_DEFINE_MASK(le_mask, x <= y)
MINITORCH_DEFINE_MASK(eq_mask, x == y)
#undef MINITORCH_DEFINE_MASK

absl::InlinedVector<bool, kInlineRank> reduction_mask(absl::Span<const int64_t> dims, int64_t rank,
                                                      const char* op) {
  absl::InlinedVector<bool, kInlineRank> mask(rank, dims.empty());
  // A scalar reduces over dim 0 (or -1) to itself, named once as in LibTorch.
  bool scalar_dim_named = false;
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, rank, op);
    bool& named = rank == 0 ? scalar_dim_named : mask[w];
    MT_CHECK(!named, op, ": dim ", d, " appears more than once in dims ", dims_string(dims));
    named = true;
  }
  return mask;
}

Shape reduced_shape(const Shape& shape, absl::Span<const bool> mask, bool keepdim) {
  Shape out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!mask[i]) {
      out.push_back(shape[i]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

Tensor expand_reduced(const Tensor& grad, const Shape& shape, absl::Span<const bool> mask) {
  return fused_unless_recorded(
      [&] {
        // The same view in one step, stride 0 on the reduced dims and grad's
        // own strides on the kept ones (grad has the reduced shape, with or
        // without the reduced dims).
        const bool kept_reduced_dims = grad.dim() == static_cast<int64_t>(shape.size());
        Shape strides(shape.size(), 0);
        int64_t g = 0;
        for (size_t d = 0; d < shape.size(); ++d) {
          if (!mask[d]) {
            strides[d] = grad.strides()[g];
          } else if (!kept_reduced_dims) {
            continue;
          }
          ++g;
        }
        return make_view(grad, shape, std::move(strides), grad.impl()->offset);
      },
      [&] { return expand(reshape(grad, reduced_shape(shape, mask, /*keepdim=*/true)), shape); });
}

std::vector<int64_t> positions_along(const Shape& shape, int64_t dim,
                                     const std::vector<int64_t>& picked) {
  const auto [outer, size, inner] = around_dim(shape, dim);
  std::vector<int64_t> positions;
  positions.reserve(static_cast<size_t>(outer) * picked.size() * static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; ++o) {
    for (const int64_t p : picked) {
      for (int64_t i = 0; i < inner; ++i) positions.push_back((o * size + p) * inner + i);
    }
  }
  return positions;
}

Tensor take(const Tensor& x_in, const std::vector<int64_t>& positions, const Shape& shape) {
  NoGradGuard no_grad;
  const Tensor x = x_in.contiguous();
  Tensor out = empty(shape, x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* from = x.impl()->data<T>();
    T* to = out.impl()->data<T>();
    for (size_t k = 0; k < positions.size(); ++k) to[k] = from[positions[k]];
    return 0;
  });
  return out;
}

void add_at(Tensor& into, const std::vector<int64_t>& positions, const Tensor& values_in) {
  NoGradGuard no_grad;
  const Tensor values = values_in.contiguous();
  dispatch_all(into.dtype(), [&]<class T>() {
    const T* from = values.impl()->data<T>();
    T* to = into.impl()->data<T>();
    for (size_t k = 0; k < positions.size(); ++k) to[positions[k]] += from[k];
    return 0;
  });
}

}  // namespace minitorch
