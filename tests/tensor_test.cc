// Tensors: creation, dtypes, views and strides, conversions, in-place ops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "minitorch/minitorch.h"
#include "test_util.h"

namespace minitorch::testing {
namespace {

TEST(Tensor, CreationShapesAndDtypes) {
  const Tensor z = zeros({2, 3}, kFloat32);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dim(), 2);
  EXPECT_EQ(z.size(-1), 3);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.dtype(), kFloat32);
  EXPECT_EQ(z.strides(), (Shape{3, 1}));
  EXPECT_EQ(ones({2}).to_vector(), (std::vector<double>{1, 1}));
  EXPECT_EQ(full({2}, 7.5).to_vector(), (std::vector<double>{7.5, 7.5}));
  const std::vector<int64_t> dims = {4, 1};
  EXPECT_EQ(zeros(dims).shape(), (Shape{4, 1}));
  const Tensor s = scalar_tensor(3.0);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item(), 3.0);
  EXPECT_EQ(tensor({1, 2, 3}, {3}, kInt64).to_vector(), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(arange(4).to_vector(), (std::vector<double>{0, 1, 2, 3}));
}

TEST(Tensor, RandomIsSeededAndReproducible) {
  EXPECT_EQ(randn({5}, 42).to_vector(), randn({5}, 42).to_vector());
  EXPECT_NE(randn({5}, 42).to_vector(), randn({5}, 43).to_vector());
  for (double v : rand({1000}, 1).to_vector()) {
    EXPECT_GE(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
  const Tensor n = randn({20000}, 7);
  EXPECT_NEAR(mean(n).item(), 0.0, 0.03);
  EXPECT_NEAR(mean(n * n).item(), 1.0, 0.05);
}

TEST(Tensor, GlobalGeneratorDrawsAfreshAndManualSeedRepeats) {
  manual_seed(11);
  const std::vector<double> first = randn({6}).to_vector();
  const std::vector<double> second = randn({6}).to_vector();
  EXPECT_NE(first, second);
  manual_seed(11);
  EXPECT_EQ(randn({6}).to_vector(), first);
  EXPECT_EQ(randn({6}).to_vector(), second);
  manual_seed(12);
  EXPECT_NE(randn({6}).to_vector(), first);
  // A seeded draw neither reads nor moves the global generator.
  manual_seed(11);
  EXPECT_EQ(randn({6}, 11).to_vector(), randn({6}, 11).to_vector());
  EXPECT_EQ(randn({6}).to_vector(), first);
  EXPECT_EQ(rand({3}, kFloat32).dtype(), kFloat32);
}

TEST(Tensor, RandintStaysInItsRangeAndHitsEveryValue) {
  manual_seed(3);
  const Tensor r = randint(-2, 3, {4000});
  EXPECT_EQ(r.dtype(), kInt64);
  std::vector<int> counts(5, 0);
  for (double v : r.to_vector()) {
    ASSERT_GE(v, -2);
    ASSERT_LT(v, 3);
    ++counts[static_cast<size_t>(v + 2)];
  }
  for (int c : counts) EXPECT_GT(c, 600);  // 800 expected each
  for (double v : randint(7, {100}, kFloat32).to_vector()) {
    EXPECT_EQ(v, std::floor(v));
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 7);
  }
  // The whole int64 range is one draw's span without overflow.
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(randint(lowest, lowest + 1, {2}).to_vector(),
            (std::vector<double>{static_cast<double>(lowest), static_cast<double>(lowest)}));
}

TEST(Tensor, RandpermIsAPermutationAndShuffles) {
  manual_seed(5);
  const std::vector<double> p = randperm(50).to_vector();
  std::vector<double> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, arange(50, kFloat64).to_vector());
  EXPECT_NE(p, sorted);
  EXPECT_NE(randperm(50).to_vector(), p);
  EXPECT_EQ(randperm(0).numel(), 0);
  EXPECT_EQ(randperm(1).to_vector(), (std::vector<double>{0}));
  // Every one of the 6 orders of 3 appears, each about a sixth of the time.
  std::map<std::vector<double>, int> orders;
  for (int i = 0; i < 1200; ++i) ++orders[randperm(3).to_vector()];
  EXPECT_EQ(orders.size(), 6u);
  for (const auto& [order, count] : orders) EXPECT_GT(count, 140);  // 200 expected
}

TEST(Tensor, BoolTensorsFromComparisonsCountSelectAndConvert) {
  const Tensor x = tensor({0.5, -1, 2, 0.1}, {4}, kFloat32);
  const Tensor positive = x > 0.0;
  EXPECT_EQ(positive.dtype(), kBool);
  EXPECT_EQ(positive.to_vector(), (std::vector<double>{1, 0, 1, 1}));
  // A number is compared in the tensor's dtype: 0.1f is 0.1 in float32.
  EXPECT_EQ((x == 0.1).to_vector(), (std::vector<double>{0, 0, 0, 1}));
  const Tensor count = sum(positive);
  EXPECT_EQ(count.dtype(), kInt64);
  EXPECT_EQ(count.item(), 3);
  EXPECT_EQ(positive.to(kFloat32).mean().item(), 0.75);
  EXPECT_EQ(where(positive, x, zeros({4}, kFloat32)).to_vector(),
            (std::vector<double>{0.5, 0, 2, static_cast<float>(0.1)}));
  EXPECT_EQ(tensor({0, -2, NAN}, {3}).to(kBool).to_vector(), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(tensor({1, 0}, {2}, kBool).to(kInt64).to_vector(), (std::vector<double>{1, 0}));
  EXPECT_EQ(element_size(kBool), 1u);
  EXPECT_EQ(dtype_name(kBool), std::string("bool"));
  EXPECT_FALSE(is_floating(kBool));
  // Accuracy as a LibTorch user writes it.
  const Tensor logits = tensor({0.1, 0.9, 0.8, 0.2, 0.3, 0.3}, {3, 2});
  const Tensor labels = tensor({1, 0, 1}, {3}, kInt64);
  EXPECT_EQ(argmax(logits, 1).to_vector(), (std::vector<double>{1, 0, 0}));  // the first of a tie
  EXPECT_NEAR(logits.argmax(1).eq(labels).to(kFloat64).mean().item(), 2.0 / 3, 1e-15);
}

TEST(Tensor, SplitAndChunkAreViewsAndCatUndoesThem) {
  Tensor x = arange(10, kFloat64).reshape({2, 5});
  std::vector<Tensor> parts = split(x, 2, 1);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].shape(), (Shape{2, 1}));
  EXPECT_EQ(cat(parts, 1).to_vector(), x.to_vector());
  EXPECT_EQ(chunk(x, 3, 1).size(), 3u);  // parts of 2, 2, 1
  EXPECT_EQ(chunk(x, 2, 0)[1].to_vector(), (std::vector<double>{5, 6, 7, 8, 9}));
  EXPECT_EQ(chunk(zeros({4}), 3).size(), 2u);  // parts of 2, as LibTorch
  parts[0].fill_(-1);                          // views: the write reaches x
  EXPECT_EQ(x.to_vector()[1], -1);
  EXPECT_EQ(stack({x, x}, 1).shape(), (Shape{2, 2, 5}));
  // dtypes promote, and cat skips 1-D empty tensors.
  EXPECT_EQ(cat({tensor({1}, {1}, kInt64), tensor({0.5}, {1}, kFloat32)}).dtype(), kFloat32);
  EXPECT_EQ(cat({zeros({0}), x}).shape(), x.shape());
  EXPECT_EQ(cat({zeros({0}), zeros({0}, kFloat32)}, 3).shape(), (Shape{0}));  // any dim
  // A gradient reaches every input of a cat of many tensors.
  std::vector<Tensor> leaves;
  for (int i = 0; i < 40; ++i) leaves.push_back(full({1}, i).requires_grad_());
  (cat(leaves) * arange(40, kFloat64)).sum().backward();
  EXPECT_EQ(leaves[39].grad().item(), 39);
}

TEST(Tensor, FromBlobSharesTheCallersBufferAndCallsTheDeleter) {
  std::vector<float> buffer = {1, 2, 3, 4, 5, 6};
  int deleted = 0;
  {
    Tensor t = from_blob(
        buffer.data(), {2, 3}, [&deleted](void*) { ++deleted; }, kFloat32);
    EXPECT_EQ(t.to_vector(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
    buffer[4] = 50;  // the caller's writes show
    EXPECT_EQ(t.select(1, 1).to_vector(), (std::vector<double>{2, 50}));
    Tensor row = t.select(0, 0);
    t.mul_(2.0);  // and the tensor's reach the buffer
    EXPECT_EQ(buffer[0], 2);
    EXPECT_EQ(row.data_ptr<float>(), buffer.data());
    EXPECT_EQ(t.select(0, 1).data_ptr<float>(), buffer.data() + 3);
    EXPECT_THROW(t.data_ptr<double>(), Error);
    EXPECT_EQ(deleted, 0);
  }
  EXPECT_EQ(deleted, 1);  // when the last view went
  // Without a deleter the buffer is left alone; gradients flow as for any leaf.
  std::vector<double> values = {1, 2};
  Tensor x = from_blob(values.data(), {2}).requires_grad_();
  (x * x).sum().backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2, 4}));
  EXPECT_EQ(from_blob(nullptr, {0, 3}).numel(), 0);
}

TEST(Tensor, ItemOfEachDtypeIsExact) {
  const int64_t big = (int64_t{1} << 60) + 1;  // not a double
  int64_t value = big;
  EXPECT_EQ(from_blob(&value, {}, kInt64).item<int64_t>(), big);
  EXPECT_EQ(scalar_tensor(0.1, kFloat32).item<float>(), 0.1f);
  EXPECT_EQ((scalar_tensor(3) > 2.0).item<bool>(), true);
  EXPECT_THROW(zeros({2}).item<double>(), Error);
}

TEST(Tensor, CopiesAliasLikeLibTorch) {
  Tensor a = zeros({2});
  Tensor b = a;
  {
    NoGradGuard no_grad;
    b.add_(ones({2}));
  }
  EXPECT_EQ(a.to_vector(), (std::vector<double>{1, 1}));
  Tensor c = a.clone();
  c.add_(ones({2}));
  EXPECT_EQ(a.to_vector(), (std::vector<double>{1, 1}));
}

TEST(Tensor, ViewsShareStorageAndHaveStrides) {
  Tensor x = tensor({0, 1, 2, 3, 4, 5}, {2, 3});
  Tensor t = x.transpose(0, 1);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.strides(), (Shape{1, 3}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.to_vector(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  Tensor e = tensor({1, 2, 3}, {3}).expand({2, 3});
  EXPECT_EQ(e.strides(), (Shape{0, 1}));
  EXPECT_EQ(e.to_vector(), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  Tensor p = zeros({2, 3, 4}).permute({2, 0, 1});
  EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.strides(), (Shape{1, 12, 4}));
  Tensor r = x.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  x.fill_(9);  // a view of contiguous data sees the write
  EXPECT_EQ(r.to_vector()[0], 9);
  EXPECT_EQ(zeros({1, 3, 1}).squeeze().shape(), (Shape{3}));
  EXPECT_EQ(zeros({1, 3, 1}).squeeze(0).shape(), (Shape{3, 1}));
  EXPECT_EQ(zeros({1, 3, 1}).squeeze(1).shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(zeros({3}).unsqueeze(0).shape(), (Shape{1, 3}));
  EXPECT_EQ(zeros({3}).unsqueeze(-1).shape(), (Shape{3, 1}));
}

TEST(Tensor, ReshapeCopiesWhereNoViewGivesTheShape) {
  Tensor base = tensor({0, 1, 2, 3, 4, 5}, {2, 3});
  Tensor x = base.transpose(0, 1);
  Tensor r = x.reshape({-1});
  EXPECT_EQ(r.to_vector(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(r.is_contiguous());
  r.fill_(7);  // a copy: the base keeps its values
  EXPECT_EQ(base.to_vector(), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  // Splitting a dim of a transposed tensor needs no copy, as in LibTorch.
  Tensor split = x.reshape({3, 2, 1});
  EXPECT_EQ(split.strides(), (Shape{1, 3, 3}));
  split.fill_(8);
  EXPECT_EQ(base.to_vector(), (std::vector<double>(6, 8)));
}

TEST(Tensor, ViewSharesStorageOrRefuses) {
  Tensor base = tensor({0, 1, 2, 3, 4, 5}, {2, 3});
  Tensor v = base.view({3, 2});
  v.fill_(1);
  EXPECT_EQ(base.to_vector(), (std::vector<double>(6, 1)));
  EXPECT_THROW(base.t().view({6}), Error);
  EXPECT_THROW(base.t().view({-1}), Error);
  // Dims of size 1 and splits within a contiguous run are views of a
  // transposed tensor too.
  Tensor t = zeros({4, 3}).t();  // strides [1, 3]
  EXPECT_EQ(t.view({3, 2, 2}).strides(), (Shape{1, 6, 3}));
  EXPECT_EQ(t.view({3, 1, 4}).strides(), (Shape{1, 12, 3}));
  // An expanded dim keeps its zero stride.
  Tensor e = tensor({1, 2}, {2, 1}).expand({2, 4});
  EXPECT_EQ(e.view({2, 2, 2}).strides(), (Shape{1, 0, 0}));
  EXPECT_THROW(e.view({8}), Error);
  EXPECT_EQ(e.reshape({8}).to_vector(), (std::vector<double>{1, 1, 1, 1, 2, 2, 2, 2}));
  // Gradients flow through a view as through reshape.
  Tensor leaf = tensor({1, 2, 3, 4}, {2, 2}).requires_grad_();
  (leaf.view({4}) * tensor({1, 2, 3, 4}, {4})).sum().backward();
  EXPECT_EQ(leaf.grad().to_vector(), (std::vector<double>{1, 2, 3, 4}));
}

TEST(Tensor, KernelsReadAnyStrides) {
  // The same op on a contiguous tensor and on a strided view of equal values.
  Tensor base = randn({4, 6}, 3);
  Tensor strided = base.transpose(0, 1);
  Tensor packed = strided.contiguous();
  EXPECT_TRUE(all_close(exp(strided), exp(packed), 0, 0));
  EXPECT_TRUE(
      all_close(strided * tensor({1, 2, 3, 4}, {4}), packed * tensor({1, 2, 3, 4}, {4}), 0, 0));
  EXPECT_TRUE(all_close(sum(strided, {0}), sum(packed, {0}), 1e-15, 1e-15));
  EXPECT_TRUE(all_close(softmax(strided, 0), softmax(packed, 0), 1e-15, 0));
  EXPECT_TRUE(all_close(matmul(strided, base), matmul(packed, base), 1e-14, 1e-14));
  Tensor expanded = tensor({1, 2}, {2, 1}).expand({2, 3});
  EXPECT_EQ((expanded + zeros({2, 3})).to_vector(), (std::vector<double>{1, 1, 1, 2, 2, 2}));
}

TEST(Tensor, DtypeConversionsAndPromotion) {
  Tensor f = tensor({1.5, -2.25}, {2}, kFloat32);
  EXPECT_EQ(f.to(kFloat64).dtype(), kFloat64);
  EXPECT_EQ(f.to(kInt64).to_vector(), (std::vector<double>{1, -2}));
  EXPECT_EQ((f + tensor({1, 1}, {2})).dtype(), kFloat64);  // float32 + float64 -> float64
  Tensor x = tensor({1, 2}, {2}, kFloat32).requires_grad_();
  (x.to(kFloat64) * 3.0).sum().backward();
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{3, 3}));
}

// add_ and copy_ from an expanded, a sliced and a contiguous operand into a
// contiguous and a transposed destination: every row kind of the in-place
// loop (contiguous, broadcast value, strided) gives what the element-by-
// element formula gives, at both dtypes.
TEST(Tensor, InPlaceAddOfEveryOperandLayoutIsTheElementwiseFormula) {
  for (const DType dtype : {kFloat32, kFloat64}) {
    const Tensor row = randn({5}, 1, dtype);
    const Tensor wide = randn({4, 10}, 2, dtype);
    const std::vector<Tensor> operands = {row.expand({4, 5}),
                                          scalar_tensor(1.5, dtype).expand({4, 5}),
                                          wide.slice(1, 0, 10, 2), randn({4, 5}, 3, dtype)};
    for (const Tensor& operand : operands) {
      for (const bool transposed : {false, true}) {
        for (const double alpha : {1.0, -0.5}) {
          const Tensor base = randn({4, 5}, 4, dtype);
          Tensor destination = transposed ? base.t().contiguous().t() : base.clone();
          destination.add_(operand, alpha);
          const std::vector<double> d = base.to_vector(), o = operand.to_vector(),
                                    got = destination.to_vector();
          for (size_t i = 0; i < d.size(); ++i) {
            const double want =
                dtype == kFloat32
                    ? static_cast<double>(static_cast<float>(d[i]) +
                                          static_cast<float>(alpha) * static_cast<float>(o[i]))
                    : d[i] + alpha * o[i];
            ASSERT_EQ(got[i], want)
                << dtype_name(dtype) << " operand " << operand.strides().to_string()
                << " transposed " << transposed << " alpha " << alpha << " at " << i;
          }
          destination.copy_(operand);
          EXPECT_EQ(destination.to_vector(), o);
        }
      }
    }
  }
}

// A float32 sum over an outer dim adds its rows in float by groups of at
// most 8 and accumulates the groups in double: each column is within float32
// rounding of its double sum plus 7 roundings of each group's magnitudes
// (the bound of fast::accumulate_rows_in_double). Rows beyond one block of
// the split (kRowBlock) and values that a float accumulator would lose
// (0.1 added 3000 times drifts by about 1e-4 relative in float) test both.
TEST(Tensor, Float32SumOverAnOuterDimIsWithinTheDoubleSumsRounding) {
  const int64_t rows = 3000, cols = 17;
  const Tensor x = randn({rows, cols}, 5, kFloat32) * 1000.0 + 0.1;
  const std::vector<double> v = x.to_vector(), got = sum(x, {0}).to_vector();
  const double u = std::ldexp(1.0, -24);
  for (int64_t c = 0; c < cols; ++c) {
    double total = 0, magnitudes = 0;
    for (int64_t r = 0; r < rows; ++r) {
      total += v[static_cast<size_t>(r * cols + c)];
      magnitudes += std::fabs(v[static_cast<size_t>(r * cols + c)]);
    }
    EXPECT_LE(std::fabs(got[static_cast<size_t>(c)] - total),
              u * std::fabs(total) + 7 * u * magnitudes)
        << c;
  }
  const Tensor tenths = full({rows, 3}, 0.1, kFloat32);
  for (const double column : sum(tenths, {0}).to_vector()) {
    EXPECT_NEAR(column, rows * static_cast<double>(0.1f), 8 * u * rows * 0.1);
  }
}

// Reducing an outer dim of size 0 leaves every kept element at the fold's
// start: 0 for a sum, NaN for a mean (0 / 0), as in LibTorch.
TEST(Tensor, ReducingAnEmptyOuterDimGivesTheFoldsStart) {
  for (const DType dtype : {kFloat32, kFloat64}) {
    const Tensor x = zeros({0, 5}, dtype);
    EXPECT_EQ(sum(x, {0}).to_vector(), std::vector<double>(5, 0.0)) << dtype_name(dtype);
    for (const double m : mean(x, {0}).to_vector()) EXPECT_TRUE(std::isnan(m));
  }
}

TEST(Tensor, InPlaceOpsBumpVersionsAndBackwardNotices) {
  Tensor x = tensor({1, 2}, {2}).requires_grad_();
  Tensor w = tensor({3, 4}, {2});
  Tensor y = (x * w).sum();
  w.mul_(2.0);  // w was saved by mul for x's gradient
  try {
    y.backward();
    FAIL() << "backward used a tensor modified in place";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mul"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("modified in place"), std::string::npos) << e.what();
  }
}

// cross_entropy's backward reads the probabilities it kept, not the logits,
// as LibTorch's log_softmax keeps its result: an optimizer step on the
// logits between forward and backward is allowed (once per target kind),
// and the gradient is that of the logits the forward saw.
TEST(Tensor, CrossEntropyAllowsItsLogitsToChangeBeforeBackward) {
  const Tensor class_target = tensor({2, 0}, {2}, kInt64);
  const Tensor probability_target = tensor({0, 0.25, 0.75, 1, 0, 0}, {2, 3});
  for (const Tensor& target : {class_target, probability_target}) {
    Tensor logits = tensor({0.5, -1, 2, 0, 1, -0.5}, {2, 3}).requires_grad_();
    const Tensor expected = grad(cross_entropy(logits, target), {logits})[0];
    const Tensor loss = cross_entropy(logits, target);
    {
      NoGradGuard no_grad;
      logits.mul_(3.0);
    }
    loss.backward();
    EXPECT_EQ(logits.grad().to_vector(), expected.to_vector());
  }
}

// index_put_ writes through a view of the base, whose storage (and version
// counter) it shares: a backward that saved the base notices, as LibTorch's.
TEST(Tensor, IndexPutBumpsTheBasesVersion) {
  using indexing::None;
  using indexing::Slice;
  const Tensor x = tensor({1, 2, 3}, {3}).requires_grad_();
  for (const bool through_slice : {false, true}) {
    Tensor y = exp(x);  // exp saves its result for backward
    const Tensor loss = y.sum();
    NoGradGuard no_grad;  // in-place writes into a tensor requiring grad need it
    if (through_slice) {
      y.index_put_({Slice(1, None)}, tensor({5, 6}, {2}));
    } else {
      y.index_put_({0}, 7.0);
    }
    try {
      EnableGradGuard grad;
      loss.backward();
      FAIL() << "backward used a result written by index_put_";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("exp"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("modified in place"), std::string::npos) << e.what();
    }
  }
}

TEST(Tensor, InPlaceOnLeafRequiringGradNeedsNoGrad) {
  Tensor w = ones({2}).requires_grad_();
  EXPECT_THROW(w.add_(ones({2})), Error);
  {
    NoGradGuard no_grad;
    w.sub_(ones({2}), 0.5);
  }
  EXPECT_EQ(w.to_vector(), (std::vector<double>{0.5, 0.5}));
  EXPECT_THROW(ones({3}).expand({2, 3}).zero_(), Error);
}

TEST(Tensor, ToStringShowsShapeAndValues) {
  EXPECT_EQ(tensor({1, 2}, {2}).to_string(), "Tensor(shape=[2], dtype=float64, values=[1, 2])");
  EXPECT_EQ(Tensor().to_string(), "Tensor(undefined)");
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Found by fuzz_api: a zero dim next to dims whose product overflows int64
// is a valid empty tensor; nothing may multiply the other dims unchecked.
TEST(Tensor, ZeroDimBesideHugeDims) {
  const int64_t huge = int64_t{1} << 32;
  Tensor t = full({huge, huge, 0}, 1.0);
  EXPECT_EQ(t.numel(), 0);
  t.fill_(2.0);
  EXPECT_EQ(sum(t).item(), 0.0);
  EXPECT_THROW(reshape(zeros({4}), {huge, huge, 4}), Error);
  EXPECT_TRUE(t.transpose(0, 2).is_contiguous());
  EXPECT_EQ(t.unsqueeze(1).shape(), (Shape{huge, 1, huge, 0}));
  EXPECT_EQ(softmax(t, 0).numel(), 0);
  EXPECT_EQ(mean(t, {0, 1}).numel(), 0);
  EXPECT_EQ(matmul(full({0, huge, 2}, 1.0), ones({2, 1}).expand({2, huge})).numel(), 0);
}

}  // namespace
}  // namespace minitorch::testing
