// Printing a tensor as LibTorch's operator<< lays it out (ATen's
// Formatting.cpp): one number format for the whole tensor, chosen from its
// magnitudes; a 1-D tensor as a column; a matrix in rows, its columns cut
// into blocks that fit the line; higher ranks as "(i,j,.,.) = " matrices; a
// footer with the type and shape. Checked byte for byte against LibTorch by
// PrintOracle. Beyond LibTorch, a tensor of more than kSummaryThreshold
// elements prints only kEdgeItems entries at each end of every dim, with
// "..." for the rest, as Python's torch.set_printoptions defaults do.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <string>
#include <vector>

#include "kernels/elementwise.h"
#include "minitorch/tensor.h"
#include "shape_util.h"
#include "tensor_impl.h"

namespace minitorch {

namespace {

constexpr int64_t kSummaryThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kElided = -1;  // a position standing for the entries left out

// The positions along a dim of `size` that are printed, kElided between the
// two ends when summarising.
std::vector<int64_t> shown_positions(int64_t size, bool summarise) {
  std::vector<int64_t> shown;
  if (summarise && size > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) shown.push_back(i);
    shown.push_back(kElided);
    for (int64_t i = size - kEdgeItems; i < size; ++i) shown.push_back(i);
  } else {
    for (int64_t i = 0; i < size; ++i) shown.push_back(i);
  }
  return shown;
}

// How every number of one printed tensor is written.
struct NumberFormat {
  enum class Style { kDefault, kFixed, kScientific } style = Style::kDefault;
  int64_t width = 0;
  double scale = 1;  // numbers are printed divided by it, under a "scale *" line
};

// Decimal digits before the point of a magnitude (1 for 0).
double digits(double magnitude) {
  return magnitude == 0 ? 1 : std::floor(std::log10(magnitude)) + 1;
}

// LibTorch's choice: integers as integers (scientific past 9 digits); other
// values with 4 decimals, fixed when their magnitudes span at most 4 decimal
// orders (under a common power-of-ten scale when large or small), otherwise
// scientific.
NumberFormat choose_format(const std::vector<double>& values) {
  NumberFormat f;
  const bool integral = std::all_of(values.begin(), values.end(), [](double v) {
    return !std::isfinite(v) || v == std::ceil(v);
  });
  const auto first_finite =
      std::find_if(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  double low = 1, high = 1;
  if (first_finite != values.end()) {
    double smallest = std::fabs(*first_finite), largest = smallest;
    for (auto it = first_finite; it != values.end(); ++it) {
      if (!std::isfinite(*it)) continue;
      smallest = std::min(smallest, std::fabs(*it));
      // As LibTorch: the largest magnitude is taken over the first finite
      // value and the positive ones (it compares the signed value).
      if (*it > largest) largest = std::fabs(*it);
    }
    low = digits(smallest);
    high = digits(largest);
  }
  using Style = NumberFormat::Style;
  if (integral) {
    f.style = high > 9 ? Style::kScientific : Style::kDefault;
    f.width = high > 9 ? 11 : static_cast<int64_t>(high) + 1;
  } else if (high - low > 4) {
    f.style = Style::kScientific;
    f.width = std::fabs(high) > 99 || std::fabs(low) > 99 ? 12 : 11;
  } else {
    f.style = Style::kFixed;
    if (high > 5 || high < 0) {
      f.width = 7;
      f.scale = std::pow(10, high - 1);
    } else {
      f.width = high == 0 ? 7 : static_cast<int64_t>(high) + 6;
    }
  }
  return f;
}

void apply(std::ostream& os, const NumberFormat& f) {
  os.unsetf(std::ios_base::floatfield);
  if (f.style == NumberFormat::Style::kFixed) os << std::fixed << std::setprecision(4);
  if (f.style == NumberFormat::Style::kScientific) os << std::scientific << std::setprecision(4);
}

void print_scale(std::ostream& os, double scale) {
  std::ios saved(nullptr);
  saved.copyfmt(os);
  os.unsetf(std::ios_base::floatfield);
  os << scale << " *\n";
  os.copyfmt(saved);
}

// The entries a printed tensor shows, read through its strides (all of them,
// or the ends of each dim): a dense array over the shown positions, a
// kElided position holding NaN.
class Printed {
 public:
  Printed(const Tensor& t, bool summarise) {
    // Nothing is shown of an empty tensor, whose other dims may be huge.
    if (t.numel() == 0) return;
    Shape sizes;
    for (const int64_t size : t.shape()) {
      shown_.push_back(shown_positions(size, summarise));
      sizes.push_back(static_cast<int64_t>(shown_.back().size()));
    }
    strides_ = contiguous_strides(sizes);
    dispatch_all(t.dtype(), [&]<class T>() {
      collect(t.data_ptr<T>(), t.strides(), 0, 0);
      return 0;
    });
  }
  const std::vector<int64_t>& shown(size_t dim) const { return shown_[dim]; }
  int64_t stride(size_t dim) const { return strides_[dim]; }
  // The entry at a flat position over the shown positions.
  double at(int64_t flat) const { return values_[static_cast<size_t>(flat)]; }
  // The entries shown, without the elided placeholders.
  std::vector<double> numbers() const {
    std::vector<double> out;
    for (size_t i = 0; i < values_.size(); ++i) {
      if (!elided_[i]) out.push_back(values_[i]);
    }
    return out;
  }

 private:
  template <class T>
  void collect(const T* p, const Shape& strides, size_t dim, int64_t offset, bool elided = false) {
    if (dim == shown_.size()) {
      values_.push_back(elided ? NAN : static_cast<double>(p[offset]));
      elided_.push_back(elided);
      return;
    }
    for (const int64_t i : shown_[dim]) {
      collect(p, strides, dim + 1, offset + std::max<int64_t>(i, 0) * strides[dim],
              elided || i == kElided);
    }
  }
  std::vector<std::vector<int64_t>> shown_;
  Shape strides_;
  std::vector<double> values_;
  std::vector<bool> elided_;
};

void print_entry(std::ostream& os, const NumberFormat& f, const Printed& p, int64_t flat,
                 bool elided) {
  os << std::setw(static_cast<int>(f.width));
  if (elided) {
    os << "...";
  } else {
    os << p.at(flat) / f.scale;
  }
}

// The matrix of the last two dims at `base` (a flat offset), LibTorch's
// layout: `indent` spaces lead the block (and each later row), columns go
// in blocks of as many as fit `line_width`, each block after the first
// after a blank line and a "Columns a to b" label.
void print_matrix(std::ostream& os, const NumberFormat& f, const Printed& p, size_t row_dim,
                  int64_t base, int64_t indent, int64_t line_width) {
  const std::vector<int64_t>& rows = p.shown(row_dim);
  const std::vector<int64_t>& columns = p.shown(row_dim + 1);
  const auto count = static_cast<int64_t>(columns.size());
  const std::string pad(static_cast<size_t>(indent), ' ');
  const int64_t per_line = std::max<int64_t>((line_width - indent) / (f.width + 1), 1);
  os << pad;
  for (int64_t first = 0; first < count; first += per_line) {
    const int64_t last = std::min(first + per_line, count) - 1;
    if (per_line < count) {
      if (first != 0) os << "\n";
      os << "Columns " << first + 1 << " to " << last + 1 << pad;
    }
    if (f.scale != 1) {
      print_scale(os, f.scale);
      os << pad;
    }
    for (size_t r = 0; r < rows.size(); ++r) {
      for (int64_t c = first; c <= last; ++c) {
        const bool elided = rows[r] == kElided || columns[c] == kElided;
        const int64_t flat =
            base + static_cast<int64_t>(r) * p.stride(row_dim) + c * p.stride(row_dim + 1);
        print_entry(os, f, p, flat, elided);
        os << (c == last ? "\n" : " ");
      }
      if (r + 1 < rows.size()) os << pad << (f.scale != 1 ? " " : "");
    }
  }
}

// Every matrix of a tensor of rank > 2, labelled by its leading indices
// ("(2,1,.,.) = "), one blank line between them.
void print_matrices(std::ostream& os, const NumberFormat& f, const Printed& p, size_t rank,
                    int64_t line_width) {
  std::vector<size_t> at(rank - 2, 0);  // positions into each leading dim's shown list
  bool first = true;
  while (true) {
    bool elided = false;
    int64_t base = 0;
    for (size_t d = 0; d < at.size(); ++d) {
      const int64_t i = p.shown(d)[at[d]];
      elided = elided || i == kElided;
      base += static_cast<int64_t>(at[d]) * p.stride(d);
    }
    if (!first) os << "\n";
    first = false;
    if (elided) {
      os << "...\n";
    } else {
      os << "(";
      for (size_t d = 0; d < at.size(); ++d) os << p.shown(d)[at[d]] + 1 << ",";
      os << ".,.) = \n";
      print_matrix(os, f, p, rank - 2, base, 1, line_width);
    }
    // The next leading index, row-major; an elided one once per run.
    size_t d = at.size();
    while (d > 0 && ++at[d - 1] == p.shown(d - 1).size()) at[--d] = 0;
    if (d == 0) return;
  }
}

}  // namespace

std::ostream& print(std::ostream& os, const Tensor& t, int64_t line_width) {
  if (!t.defined()) return os << "[ Tensor (undefined) ]";
  std::ios saved(nullptr);
  saved.copyfmt(os);
  const Printed p(t, t.numel() > kSummaryThreshold);
  const NumberFormat f = choose_format(p.numbers());
  if (t.dim() == 0) {
    os.unsetf(std::ios_base::floatfield);
    os << p.at(0) << "\n";
  } else if (t.numel() > 0) {
    apply(os, f);
    if (t.dim() == 1) {
      if (f.scale != 1) print_scale(os, f.scale);
      for (size_t i = 0; i < p.shown(0).size(); ++i) {
        print_entry(os, f, p, static_cast<int64_t>(i), p.shown(0)[i] == kElided);
        os << "\n";
      }
    } else if (t.dim() == 2) {
      print_matrix(os, f, p, 0, 0, 0, line_width);
    } else {
      print_matrices(os, f, p, static_cast<size_t>(t.dim()), line_width);
    }
  }
  os.copyfmt(saved);
  os << "[ " << torch_type_name(t.dtype()) << "{";
  for (int64_t d = 0; d < t.dim(); ++d) os << (d ? "," : "") << t.size(d);
  return os << "} ]";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return print(os, t); }

}  // namespace minitorch
