// Storage allocation and the constructors of tensors and views.
#include "tensor_impl.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <new>
#include <vector>

#include "check.h"
#include "minitorch/memory.h"

namespace minitorch {

namespace {
constexpr std::align_val_t kAlignment{64};  // a cache line; AVX-512 loads
thread_local size_t t_max_tensor_bytes = kDefaultMaxTensorBytes;
std::atomic<int64_t> g_buffers{0}, g_buffer_bytes{0};
}  // namespace

AllocationStats allocation_stats() {
  return {g_buffers.load(std::memory_order_relaxed),
          g_buffer_bytes.load(std::memory_order_relaxed)};
}

size_t max_tensor_bytes() { return t_max_tensor_bytes; }

MaxTensorBytesGuard::MaxTensorBytesGuard(size_t max_bytes) : previous_(t_max_tensor_bytes) {
  t_max_tensor_bytes = max_bytes;
}

MaxTensorBytesGuard::~MaxTensorBytesGuard() { t_max_tensor_bytes = previous_; }

namespace {

// Recently freed large buffers of this thread, by capacity. Bounded in count
// and bytes; what does not fit is freed at once.
class BufferCache {
 public:
  static constexpr size_t kMaxBuffers = 16;
  static constexpr size_t kMaxBytes = size_t{256} << 20;

  ~BufferCache() {
    for (const Entry& e : entries_) ::operator delete(e.data, kAlignment);
    destroyed_ = true;
  }
  // A cached buffer of exactly `capacity` bytes, or null.
  void* take(size_t capacity) {
    for (size_t i = entries_.size(); i-- > 0;) {
      if (entries_[i].capacity == capacity) {
        void* data = entries_[i].data;
        bytes_ -= capacity;
        entries_[i] = entries_.back();
        entries_.pop_back();
        return data;
      }
    }
    return nullptr;
  }
  // Keeps `data` for reuse, or frees it.
  void give(void* data, size_t capacity) {
    if (destroyed_ || entries_.size() == kMaxBuffers || bytes_ + capacity > kMaxBytes) {
      ::operator delete(data, kAlignment);
      return;
    }
    entries_.push_back({data, capacity});
    bytes_ += capacity;
  }
  static bool destroyed() { return destroyed_; }

 private:
  struct Entry {
    void* data;
    size_t capacity;
  };
  std::vector<Entry> entries_;
  size_t bytes_ = 0;
  // Storages freed during thread exit, after the cache, free directly.
  static thread_local bool destroyed_;
};
thread_local bool BufferCache::destroyed_ = false;
thread_local BufferCache t_buffer_cache;

// Capacity class of a recycled buffer: sizes within 1/16 of a power of two
// share one, so slightly different shapes reuse each other's buffers.
size_t capacity_class(size_t nbytes) {
  if (nbytes < Storage::kRecycledBytes) return std::max<size_t>(nbytes, 1);
  size_t step = size_t{1} << (63 - __builtin_clzll(nbytes));
  step = std::max<size_t>(step / 16, 4096);
  return (nbytes + step - 1) / step * step;
}

// A 64-byte aligned buffer of `capacity` bytes (a capacity_class), from this
// thread's cache where it holds one.
void* take_buffer(size_t capacity) {
  void* data = nullptr;
  if (capacity >= Storage::kRecycledBytes && !BufferCache::destroyed()) {
    data = t_buffer_cache.take(capacity);
  }
  return data != nullptr ? data : ::operator new(capacity, kAlignment);
}

// Gives a take_buffer() buffer back to this thread's cache, or frees it.
void give_buffer(void* data, size_t capacity) {
  if (capacity >= Storage::kRecycledBytes && !BufferCache::destroyed()) {
    t_buffer_cache.give(data, capacity);
  } else {
    ::operator delete(data, kAlignment);
  }
}

}  // namespace

Storage::Storage(size_t nbytes) : nbytes(nbytes), capacity(capacity_class(nbytes)) {
  g_buffers.fetch_add(1, std::memory_order_relaxed);
  g_buffer_bytes.fetch_add(static_cast<int64_t>(nbytes), std::memory_order_relaxed);
  data = capacity <= kInlineBytes ? inline_ : take_buffer(capacity);
}

Storage::Storage(void* external, size_t nbytes, std::function<void(void*)> deleter)
    : data(external),
      nbytes(nbytes),
      capacity(nbytes),
      external_deleter_(std::make_unique<std::function<void(void*)>>(std::move(deleter))) {}

Storage::~Storage() {
  if (external_deleter_) {
    if (*external_deleter_) (*external_deleter_)(data);
    return;
  }
  if (data != inline_) give_buffer(data, capacity);
}

ScratchBuffer::ScratchBuffer(size_t nbytes)
    : capacity_(nbytes == 0 ? 0 : capacity_class(std::max(nbytes, Storage::kRecycledBytes))),
      data_(nbytes == 0 ? nullptr : take_buffer(capacity_)) {}

ScratchBuffer::~ScratchBuffer() {
  if (data_ != nullptr) give_buffer(data_, capacity_);
}

bool TensorImpl::is_contiguous() const {
  // An empty tensor reads nothing (and its other dims may be too large to multiply).
  if (numel() == 0) return true;
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;  // the stride of a size-1 dim is never used
    if (strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

namespace {

// Every per-dtype fact in one row, in the enum's order.
struct DTypeFacts {
  DType dtype;
  const char* name;        // dtype_name
  size_t size;             // element_size
  const char* torch_type;  // LibTorch's legacy type name, which printing shows
};

constexpr DTypeFacts kDTypeFacts[] = {
    {kFloat32, "float32", 4, "CPUFloatType"},
    {kFloat64, "float64", 8, "CPUDoubleType"},
    {kInt64, "int64", 8, "CPULongType"},
    {kBool, "bool", 1, "CPUBoolType"},
};

const DTypeFacts& facts(DType dtype) {
  const auto row = static_cast<size_t>(dtype);
  MT_CHECK(row < std::size(kDTypeFacts) && kDTypeFacts[row].dtype == dtype,
           "dtype: unknown dtype value ", static_cast<int>(row));
  return kDTypeFacts[row];
}

}  // namespace

const char* dtype_name(DType dtype) { return facts(dtype).name; }

size_t element_size(DType dtype) { return facts(dtype).size; }

const char* torch_type_name(DType dtype) { return facts(dtype).torch_type; }

std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_name(dtype); }

Tensor empty(const Shape& shape, DType dtype, const char* op) {
  const int64_t n = checked_numel(shape, op);
  const size_t esize = element_size(dtype);
  MT_CHECK(static_cast<uint64_t>(n) <= t_max_tensor_bytes / esize, op, ": shape ",
           shape.to_string(), " of ", dtype_name(dtype), " needs ", n, " x ", esize,
           " bytes, over the per-tensor ceiling of ", t_max_tensor_bytes,
           " bytes (see minitorch/memory.h)");
  auto impl = std::make_shared<TensorImpl>();
  try {
    impl->storage = std::make_shared<Storage>(static_cast<size_t>(n) * esize);
  } catch (const std::bad_alloc&) {
    throw Error(absl::StrCat(op, ": cannot allocate ", n, " ", dtype_name(dtype),
                             " elements for shape ", shape.to_string()));
  }
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.impl()->dtype;
  return Tensor(std::move(impl));
}

Shape broadcast_strides(const TensorImpl& t, absl::Span<const int64_t> shape) {
  const size_t rank = shape.size();
  const size_t lead = rank - t.shape.size();
  Shape strides(rank, 0);
  for (size_t i = lead; i < rank; ++i) {
    const int64_t d = t.shape[i - lead];
    MT_INTERNAL_ASSERT(d == shape[i] || d == 1, "broadcast_strides: ", t.shape.to_string(),
                       " does not broadcast to ", Shape(shape).to_string());
    strides[i] = d == 1 ? 0 : t.strides[i - lead];
  }
  return strides;
}

}  // namespace minitorch
