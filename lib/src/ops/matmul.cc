// matmul with LibTorch's semantics. 1-D operands get a unit dim (recorded as
// unsqueeze/squeeze views, so their gradients come for free); the core
// multiplies stacks of matrices with broadcast batch dims through OpenBLAS.
#include "kernels/gemm.h"
#include "ops/op_util.h"

namespace minitorch {

namespace {

// Batch strides of `t` (all dims but the last two) broadcast to `batch`.
Shape batch_strides(const Tensor& t, const Shape& batch) {
  const TensorImpl& impl = *t.impl();
  const size_t lead = batch.size() - (impl.shape.size() - 2);
  Shape strides(batch.size(), 0);
  for (size_t i = lead; i < batch.size(); ++i) {
    strides[i] = impl.shape[i - lead] == 1 ? 0 : impl.strides[i - lead];
  }
  return strides;
}

// out[batch] = a[batch] @ b[batch] for every index of the broadcast batch
// shape, one GEMM per matrix pair.
void multiply_batches(const Tensor& a, const Tensor& b, const Shape& batch, Tensor& out) {
  const TensorImpl& ai = *a.impl();
  const TensorImpl& bi = *b.impl();
  const size_t ra = ai.shape.size(), rb = bi.shape.size();
  const int64_t m = ai.shape[ra - 2], k = ai.shape[ra - 1], n = bi.shape[rb - 1];
  const Shape a_batch = batch_strides(a, batch);
  const Shape b_batch = batch_strides(b, batch);
  Shape out_batch_strides = contiguous_strides(batch);
  for (int64_t& s : out_batch_strides) s *= m * n;
  dispatch_float(a.dtype(), "matmul", [&]<class T>() {
    const T* pa = ai.data<T>();
    const T* pb = bi.data<T>();
    T* po = out.impl()->data<T>();
    StridedLoop<3> loop(batch, {&out_batch_strides, &a_batch, &b_batch});
    loop.for_each_row([&](const auto& off, int64_t rows, const auto& st) {
      for (int64_t i = 0; i < rows; ++i) {
        const MatrixRef<T> ma{pa + off[1] + i * st[1], m, k, ai.strides[ra - 2],
                              ai.strides[ra - 1]};
        const MatrixRef<T> mb{pb + off[2] + i * st[2], k, n, bi.strides[rb - 2],
                              bi.strides[rb - 1]};
        gemm<T>(ma, mb, po + off[0] + i * st[0]);
      }
    });
    return 0;
  });
}

// a (..., m, k) times b (..., k, n), both of rank >= 2.
Tensor matmul_2d_or_batched(const Tensor& a, const Tensor& b) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const size_t ra = sa.size(), rb = sb.size();
  const int64_t m = sa[ra - 2], k = sa[ra - 1], n = sb[rb - 1];
  MT_CHECK(sb[rb - 2] == k, "matmul: shapes ", sa.to_string(), " and ", sb.to_string(),
           " cannot be multiplied (", k, " columns against ", sb[rb - 2], " rows)");
  const Shape batch = broadcast_shapes(absl::MakeConstSpan(sa).subspan(0, ra - 2),
                                       absl::MakeConstSpan(sb).subspan(0, rb - 2), "matmul");
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor out = empty(out_shape, a.dtype(), "matmul");
  // An empty result needs no work (and sizes beside its zero dim may be too
  // large to multiply).
  if (out.numel() > 0) multiply_batches(a, b, batch, out);
  if (should_record({&a, &b})) {
    record(
        Op::kMatmul, out, {&a, &b},
        [sa = SavedTensor(a), sb = SavedTensor(b)](const Tensor& grad, const BackwardContext& ctx) {
          const Tensor a = sa.unpack(ctx);
          const Tensor b = sb.unpack(ctx);
          // The transposes are views: BLAS reads them as transposed operands.
          return GradList{
              ctx.needs[0] ? sum_to(matmul(grad, transpose(b, -1, -2)), a.shape()) : Tensor(),
              ctx.needs[1] ? sum_to(matmul(transpose(a, -1, -2), grad), b.shape()) : Tensor()};
        });
  }
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_float(a, "matmul", "operand a");
  check_float(b, "matmul", "operand b");
  // LibTorch promotes elementwise ops but not matmul: a float64 input to a
  // float32 layer is a mistake to report, not a silent float64 result.
  MT_CHECK(a.dtype() == b.dtype(), "matmul: operands must have the same dtype, got ",
           dtype_name(a.dtype()), " ", a.shape().to_string(), " and ", dtype_name(b.dtype()), " ",
           b.shape().to_string(), "; convert one with to()");
  MT_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got shapes ",
           a.shape().to_string(), " and ", b.shape().to_string());
  if (a.dim() == 1 || b.dim() == 1) {
    MT_CHECK(a.size(-1) == b.size(b.dim() == 1 ? 0 : -2), "matmul: shapes ", a.shape().to_string(),
             " and ", b.shape().to_string(), " cannot be multiplied (", a.size(-1), " against ",
             b.size(b.dim() == 1 ? 0 : -2), ")");
  }
  const Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0) : a;
  const Tensor b2 = b.dim() == 1 ? unsqueeze(b, 1) : b;
  Tensor out = matmul_2d_or_batched(a2, b2);
  if (a.dim() == 1) out = squeeze(out, -2);
  if (b.dim() == 1) out = squeeze(out, -1);
  return out;
}

}  // namespace minitorch
