// Plain reference implementations (see reference.h).
#include "testing/reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace minitorch::testing {

namespace {

int64_t count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// The multi-index of flat position `flat` in row-major `shape`.
std::vector<int64_t> unravel(int64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  return index;
}

int64_t ravel(const std::vector<int64_t>& index, const std::vector<int64_t>& shape) {
  int64_t flat = 0;
  for (size_t i = 0; i < shape.size(); ++i) flat = flat * shape[i] + index[i];
  return flat;
}

// Value of `a` at `index` of a broadcast shape of rank >= a's rank.
double at_broadcast(const RefArray& a, const std::vector<int64_t>& index) {
  const size_t lead = index.size() - a.shape.size();
  std::vector<int64_t> own(a.shape.size());
  for (size_t i = 0; i < a.shape.size(); ++i) own[i] = a.shape[i] == 1 ? 0 : index[lead + i];
  return a.values[ravel(own, a.shape)];
}

std::vector<int64_t> broadcast(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<bool> dim_mask(std::vector<int64_t> dims, size_t rank) {
  std::vector<bool> mask(rank, dims.empty());
  for (int64_t d : dims) mask[d < 0 ? d + static_cast<int64_t>(rank) : d] = true;
  return mask;
}

}  // namespace

RefArray to_ref(const Tensor& t) {
  return {std::vector<int64_t>(t.shape().begin(), t.shape().end()), t.to_vector()};
}

RefArray ref_unary(const RefArray& a, const Unary& f) {
  RefArray out = a;
  for (double& v : out.values) v = f(v);
  return out;
}

RefArray ref_binary(const RefArray& a, const RefArray& b, const Binary& f) {
  RefArray out{broadcast(a.shape, b.shape), {}};
  const int64_t n = count(out.shape);
  for (int64_t flat = 0; flat < n; ++flat) {
    const auto index = unravel(flat, out.shape);
    out.values.push_back(f(at_broadcast(a, index), at_broadcast(b, index)));
  }
  return out;
}

RefArray ref_reduce(const RefArray& a, std::vector<int64_t> dims, bool keepdim, double init,
                    const Binary& f, const Binary& finish) {
  const std::vector<bool> mask = dim_mask(dims, a.shape.size());
  std::vector<int64_t> kept;
  int64_t reduced = 1;
  for (size_t i = 0; i < a.shape.size(); ++i) {
    kept.push_back(mask[i] ? 1 : a.shape[i]);
    if (mask[i]) reduced *= a.shape[i];
  }
  std::vector<double> acc(count(kept), init);
  for (int64_t flat = 0; flat < count(a.shape); ++flat) {
    auto index = unravel(flat, a.shape);
    for (size_t i = 0; i < index.size(); ++i) {
      if (mask[i]) index[i] = 0;
    }
    double& slot = acc[ravel(index, kept)];
    slot = f(slot, a.values[flat]);
  }
  for (double& v : acc) v = finish(v, static_cast<double>(reduced));
  RefArray out{{}, acc};
  for (size_t i = 0; i < a.shape.size(); ++i) {
    if (!mask[i] || keepdim) out.shape.push_back(kept[i]);
  }
  return out;
}

RefArray ref_logsumexp(const RefArray& a, std::vector<int64_t> dims, bool keepdim) {
  const RefArray max = ref_reduce(
      a, dims, true, -INFINITY, [](double m, double v) { return std::max(m, v); },
      [](double m, double) { return m; });
  RefArray shifted = ref_binary(a, max, [](double v, double m) { return std::exp(v - m); });
  RefArray sums =
      ref_reduce(shifted, dims, true, 0.0, std::plus<double>(), [](double s, double) { return s; });
  RefArray out = ref_binary(sums, max, [](double s, double m) { return std::log(s) + m; });
  return ref_reduce(out, dims, keepdim, 0.0, std::plus<double>(),
                    [](double s, double) { return s; });
}

RefArray ref_matmul(const RefArray& a_in, const RefArray& b_in) {
  RefArray a = a_in, b = b_in;
  const bool a_vec = a.shape.size() == 1, b_vec = b.shape.size() == 1;
  if (a_vec) a.shape.insert(a.shape.begin(), 1);
  if (b_vec) b.shape.push_back(1);
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(), n = b.shape.back();
  const std::vector<int64_t> batch_a(a.shape.begin(), a.shape.end() - 2);
  const std::vector<int64_t> batch_b(b.shape.begin(), b.shape.end() - 2);
  const std::vector<int64_t> batch = broadcast(batch_a, batch_b);
  RefArray out;
  out.shape = batch;
  out.shape.push_back(m);
  out.shape.push_back(n);
  for (int64_t flat = 0; flat < count(out.shape); ++flat) {
    const auto index = unravel(flat, out.shape);
    double acc = 0;
    for (int64_t p = 0; p < k; ++p) {
      auto ia = index, ib = index;
      ia[ia.size() - 1] = p;
      ib[ib.size() - 2] = p;
      acc += at_broadcast(a, ia) * at_broadcast(b, ib);
    }
    out.values.push_back(acc);
  }
  if (a_vec) out.shape.erase(out.shape.end() - 2);
  if (b_vec) out.shape.pop_back();
  return out;
}

RefArray ref_permute(const RefArray& a, const std::vector<int64_t>& dims) {
  RefArray out;
  for (int64_t d : dims) out.shape.push_back(a.shape[d]);
  for (int64_t flat = 0; flat < count(out.shape); ++flat) {
    const auto index = unravel(flat, out.shape);
    std::vector<int64_t> source(index.size());
    for (size_t i = 0; i < dims.size(); ++i) source[dims[i]] = index[i];
    out.values.push_back(a.values[ravel(source, a.shape)]);
  }
  return out;
}

RefArray ref_expand(const RefArray& a, const std::vector<int64_t>& shape) {
  RefArray out{shape, {}};
  for (int64_t flat = 0; flat < count(shape); ++flat) {
    out.values.push_back(at_broadcast(a, unravel(flat, shape)));
  }
  return out;
}

RefArray ref_softmax(const RefArray& a, int64_t dim, bool log) {
  const RefArray lse = ref_logsumexp(a, {dim}, true);
  return ref_binary(a, lse, [log](double v, double l) { return log ? v - l : std::exp(v - l); });
}

RefArray ref_cross_entropy(const RefArray& logits, const RefArray& target, bool class_target) {
  const RefArray logp = ref_softmax(logits, -1, true);
  const int64_t classes = logits.shape.back();
  const int64_t rows = count(logits.shape) / classes;
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < classes; ++c) {
      const double w = class_target ? (target.values[r] == static_cast<double>(c) ? 1.0 : 0.0)
                                    : target.values[r * classes + c];
      total -= w * logp.values[r * classes + c];
    }
  }
  return {{}, {total / static_cast<double>(rows)}};
}

}  // namespace minitorch::testing
