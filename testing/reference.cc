// The reference's index arithmetic and its plain double entry points (see
// reference.h).
#include "testing/reference.h"

namespace minitorch::testing {

namespace ref_index {

int64_t count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t ravel(const std::vector<int64_t>& index, const std::vector<int64_t>& shape) {
  int64_t flat = 0;
  for (size_t i = 0; i < shape.size(); ++i) flat = flat * shape[i] + index[i];
  return flat;
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

int64_t at_broadcast(const std::vector<int64_t>& shape, const std::vector<int64_t>& index) {
  const size_t lead = index.size() - shape.size();
  int64_t flat = 0;
  for (size_t i = 0; i < shape.size(); ++i)
    flat = flat * shape[i] + (shape[i] == 1 ? 0 : index[lead + i]);
  return flat;
}

int64_t wrap(int64_t d, size_t rank) { return d < 0 ? d + static_cast<int64_t>(rank) : d; }

std::vector<bool> dim_mask(const std::vector<int64_t>& dims, size_t rank) {
  std::vector<bool> mask(rank, dims.empty());
  if (rank == 0) return mask;  // a 0-d tensor's dims 0 and -1 name itself: nothing to fold
  for (int64_t d : dims) mask[static_cast<size_t>(wrap(d, rank))] = true;
  return mask;
}

}  // namespace ref_index

RefArray to_ref(const Tensor& t) { return to_ref_as<double>(t); }

RefIndices to_ref_indices(const Tensor& t) {
  RefIndices out{std::vector<int64_t>(t.shape().begin(), t.shape().end()), {}};
  for (double v : t.to_vector()) out.values.push_back(static_cast<int64_t>(v));
  return out;
}

RefArray ref_unary(const RefArray& a, const Unary& f) { return ref::map(a, f); }

RefArray ref_binary(const RefArray& a, const RefArray& b, const Binary& f) {
  return ref::zip(a, b, f);
}

RefArray ref_reduce(const RefArray& a, std::vector<int64_t> dims, bool keepdim, double init,
                    const Binary& f, const Binary& finish) {
  return ref::reduce(a, dims, keepdim, [&](std::span<const double> group) {
    double acc = init;
    for (double v : group) acc = f(acc, v);
    return finish(acc, static_cast<double>(group.size()));
  });
}

RefArray ref_logsumexp(const RefArray& a, std::vector<int64_t> dims, bool keepdim) {
  return ref::logsumexp(a, dims, keepdim);
}

RefArray ref_matmul(const RefArray& a, const RefArray& b) { return ref::matmul(a, b); }

RefArray ref_permute(const RefArray& a, const std::vector<int64_t>& dims) {
  return ref::permute(a, dims);
}

RefArray ref_expand(const RefArray& a, const std::vector<int64_t>& shape) {
  return ref::expand(a, shape);
}

RefArray ref_softmax(const RefArray& a, int64_t dim, bool log) {
  return log ? ref::log_softmax(a, dim) : ref::softmax(a, dim);
}

RefArray ref_cross_entropy(const RefArray& logits, const RefArray& target, bool class_target) {
  if (!class_target) return ref::cross_entropy(logits, target);
  RefIndices indices{target.shape, {}};
  for (double v : target.values) indices.values.push_back(static_cast<int64_t>(v));
  return ref::cross_entropy(logits, indices);
}

}  // namespace minitorch::testing
