// safetensors reading and writing (minitorch/serialize.h). The header is
// parsed by nlohmann::json without exceptions; every field is checked
// before a byte of tensor data is allocated or read.
#include "minitorch/serialize.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "check.h"
#include "minitorch/autograd.h"
#include "tensor_impl.h"

namespace minitorch {

namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian, and so must the machine be");

// The safetensors specification's ceiling on the header.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

struct DTypeCode {
  DType dtype;
  const char* code;
};
constexpr DTypeCode kDTypeCodes[] = {
    {kFloat32, "F32"}, {kFloat64, "F64"}, {kInt64, "I64"}, {kBool, "BOOL"}};

const char* dtype_code(DType dtype) {
  for (const DTypeCode& c : kDTypeCodes) {
    if (c.dtype == dtype) return c.code;
  }
  MT_INTERNAL_ASSERT(false, "no safetensors code for ", dtype_name(dtype));
  return "";
}

// The first byte of a tensor's elements (its offset counts elements).
char* first_byte(const Tensor& t) {
  return static_cast<char*>(t.impl()->storage->data) +
         t.impl()->offset * static_cast<int64_t>(element_size(t.dtype()));
}

// One tensor's header entry, checked.
struct Entry {
  std::string name;
  DType dtype = kFloat32;
  Shape shape;
  uint64_t begin = 0, end = 0;  // byte range within the data section
};

// Reads a checked entry named `name` from its JSON value.
Entry parse_entry(const std::string& file, const std::string& name, const nlohmann::json& value,
                  uint64_t data_bytes) {
  const std::string where = absl::StrCat("load: ", file, ": tensor \"", name, "\"");
  MT_CHECK(value.is_object(), where, " is not a JSON object");
  for (const auto& [field, unused] : value.items()) {
    MT_CHECK(field == "dtype" || field == "shape" || field == "data_offsets", where,
             " has an unknown field \"", field, "\"");
  }
  Entry e;
  e.name = name;
  const auto dtype = value.find("dtype");
  MT_CHECK(dtype != value.end() && dtype->is_string(), where,
           ": field dtype is missing or not a string");
  const std::string code = dtype->get<std::string>();
  const auto known = std::find_if(std::begin(kDTypeCodes), std::end(kDTypeCodes),
                                  [&](const DTypeCode& c) { return code == c.code; });
  MT_CHECK(known != std::end(kDTypeCodes), where, ": field dtype \"", code,
           "\" is not one minitorch loads (F32, F64, I64, BOOL)");
  e.dtype = known->dtype;

  const auto shape = value.find("shape");
  MT_CHECK(shape != value.end() && shape->is_array(), where,
           ": field shape is missing or not an array");
  // The element count, saturating: a product past the data section is refused below.
  uint64_t numel = 1;
  for (const nlohmann::json& dim : *shape) {
    MT_CHECK(dim.is_number_unsigned(), where, ": field shape holds a ", dim.type_name(),
             ", not a non-negative integer");
    const auto size = dim.get<uint64_t>();
    MT_CHECK(size <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), where,
             ": field shape holds ", size, ", past int64");
    e.shape.push_back(static_cast<int64_t>(size));
    numel = (size != 0 && numel > data_bytes / size) ? data_bytes + 1 : numel * size;
  }

  const auto offsets = value.find("data_offsets");
  MT_CHECK(offsets != value.end() && offsets->is_array() && offsets->size() == 2 &&
               (*offsets)[0].is_number_unsigned() && (*offsets)[1].is_number_unsigned(),
           where, ": field data_offsets is missing or not two non-negative integers");
  e.begin = (*offsets)[0].get<uint64_t>();
  e.end = (*offsets)[1].get<uint64_t>();
  MT_CHECK(e.begin <= e.end && e.end <= data_bytes, where, ": field data_offsets [", e.begin, ", ",
           e.end, "] is outside the data section of ", data_bytes, " bytes");
  const uint64_t itemsize = element_size(e.dtype);
  MT_CHECK(numel <= data_bytes && numel * itemsize == e.end - e.begin, where, ": shape ",
           e.shape.to_string(), " of ", code, " needs ",
           numel <= data_bytes ? absl::StrCat(numel * itemsize) : std::string("more"),
           " bytes, but data_offsets [", e.begin, ", ", e.end, "] hold ", e.end - e.begin);
  return e;
}

// The header's entries, checked one by one and together: their byte ranges
// tile the data section from its start to its end, in some order, as the
// safetensors specification requires (no overlap, no gap, nothing after).
std::vector<Entry> parse_header(const std::string& file, const std::string& header,
                                uint64_t data_bytes, std::map<std::string, std::string>* metadata) {
  const nlohmann::json json = nlohmann::json::parse(header, nullptr, /*allow_exceptions=*/false);
  MT_CHECK(!json.is_discarded(), "load: ", file, ": the header is not valid JSON");
  MT_CHECK(json.is_object(), "load: ", file, ": the header is not a JSON object");
  std::vector<Entry> entries;
  for (const auto& [name, value] : json.items()) {
    if (name == kMetadataKey) {
      MT_CHECK(value.is_object(), "load: ", file, ": field __metadata__ is not a JSON object");
      for (const auto& [key, text] : value.items()) {
        MT_CHECK(text.is_string(), "load: ", file, ": field __metadata__.", key,
                 " is not a string");
        if (metadata != nullptr) (*metadata)[key] = text.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(file, name, value, data_bytes));
  }
  std::vector<const Entry*> by_offset;
  by_offset.reserve(entries.size());
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t covered = 0;
  for (const Entry* e : by_offset) {
    MT_CHECK(e->begin >= covered, "load: ", file, ": tensor \"", e->name, "\"'s data_offsets [",
             e->begin, ", ", e->end, "] overlap another tensor's, which ends at ", covered);
    MT_CHECK(e->begin == covered, "load: ", file, ": tensor \"", e->name, "\"'s data_offsets [",
             e->begin, ", ", e->end, "] leave bytes [", covered, ", ", e->begin,
             ") of the data section to no tensor");
    covered = e->end;
  }
  MT_CHECK(covered == data_bytes, "load: ", file, ": the data section has ", data_bytes,
           " bytes, but its tensors end at ", covered);
  return entries;
}

// A tensor's contiguous little-endian bytes.
std::vector<char> bytes_of(const Tensor& t) {
  NoGradGuard no_grad;
  const Tensor c = t.contiguous();
  const auto n = static_cast<size_t>(c.numel()) * element_size(c.dtype());
  std::vector<char> out(n);
  if (n > 0) std::memcpy(out.data(), first_byte(c), n);
  return out;
}

}  // namespace

void save_stream(const std::map<std::string, Tensor>& tensors, std::ostream& out,
                 const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::vector<std::vector<char>> data;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    MT_CHECK(t.defined(), "save: tensor \"", name, "\" is undefined");
    MT_CHECK(name != kMetadataKey, "save: the name __metadata__ is reserved for the metadata");
    data.push_back(bytes_of(t));
    const uint64_t end = offset + data.back().size();
    header[name] = {{"dtype", dtype_code(t.dtype())},
                    {"shape", std::vector<int64_t>(t.shape().begin(), t.shape().end())},
                    {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text = header.dump();
  // Spaces pad the header so the data section starts 8-byte aligned, as
  // the safetensors package writes it.
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t length = text.size();
  out.write(reinterpret_cast<const char*>(&length), sizeof length);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const std::vector<char>& bytes : data)
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void save_file(const std::map<std::string, Tensor>& tensors, const std::string& path,
               const std::map<std::string, std::string>& metadata) {
  const std::string temporary = path + ".tmp";
  std::error_code error;
  try {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    MT_CHECK(out.good(), "save: cannot open ", temporary, " for writing");
    save_stream(tensors, out, metadata);
    out.flush();
    MT_CHECK(out.good(), "save: writing ", temporary, " failed");
  } catch (const Error&) {
    std::filesystem::remove(temporary, error);
    throw;
  }
  std::filesystem::rename(temporary, path, error);
  MT_CHECK(!error, "save: cannot rename ", temporary, " to ", path, ": ", error.message());
}

std::map<std::string, Tensor> load_stream(std::istream& in, const std::string& name,
                                          std::map<std::string, std::string>* metadata) {
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  MT_CHECK(in.good() && size >= 0, "load: ", name, ": cannot be read");
  const auto file_bytes = static_cast<uint64_t>(size);
  MT_CHECK(file_bytes >= 8, "load: ", name, ": ", file_bytes,
           " bytes, too short for the 8-byte header length");
  uint64_t header_bytes = 0;
  in.read(reinterpret_cast<char*>(&header_bytes), sizeof header_bytes);
  MT_CHECK(header_bytes <= file_bytes - 8 && header_bytes <= kMaxHeaderBytes, "load: ", name,
           ": header length ", header_bytes, " exceeds the file's remaining ", file_bytes - 8,
           " bytes (or the format's ceiling of ", kMaxHeaderBytes, ")");
  std::string header(header_bytes, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_bytes));
  MT_CHECK(in.good(), "load: ", name, ": reading the header failed");
  const uint64_t data_start = 8 + header_bytes;
  std::map<std::string, std::string> read_metadata;
  const std::vector<Entry> entries =
      parse_header(name, header, file_bytes - data_start, &read_metadata);
  std::map<std::string, Tensor> tensors;
  for (const Entry& e : entries) {
    Tensor t = empty(e.shape, e.dtype, "load");
    if (e.end == e.begin) {
      tensors.emplace(e.name, std::move(t));
      continue;
    }
    char* to = first_byte(t);
    in.seekg(static_cast<std::streamoff>(data_start + e.begin));
    in.read(to, static_cast<std::streamsize>(e.end - e.begin));
    MT_CHECK(in.good(), "load: ", name, ": reading tensor \"", e.name, "\" failed");
    if (e.dtype == kBool) {
      // A byte other than 0 or 1 is no bool.
      const auto* bytes = reinterpret_cast<const unsigned char*>(to);
      const auto bad =
          std::find_if(bytes, bytes + (e.end - e.begin), [](unsigned char b) { return b > 1; });
      MT_CHECK(bad == bytes + (e.end - e.begin), "load: ", name, ": BOOL tensor \"", e.name,
               "\" holds the byte ", static_cast<int>(*bad), " at element ", bad - bytes);
    }
    tensors.emplace(e.name, std::move(t));
  }
  if (metadata != nullptr) *metadata = std::move(read_metadata);
  return tensors;
}

std::map<std::string, Tensor> load_file(const std::string& path,
                                        std::map<std::string, std::string>* metadata) {
  std::ifstream in(path, std::ios::binary);
  MT_CHECK(in.good(), "load: cannot open ", path);
  return load_stream(in, path, metadata);
}

namespace {

// A module's parameters, then its buffers ("running_mean", ...), by name.
std::vector<std::pair<std::string, Tensor>> named_state(const nn::Module& module) {
  std::vector<std::pair<std::string, Tensor>> out = module.named_parameters();
  for (auto& entry : module.named_buffers()) out.push_back(std::move(entry));
  return out;
}

optim::StateDict load_state(const std::string& path) {
  optim::StateDict state;
  state.tensors = load_file(path, &state.metadata);
  return state;
}

// Runs load_state_dict, naming the file in its Error.
template <class Stateful>
void load_state_from(Stateful& stateful, const std::string& path) {
  const optim::StateDict state = load_state(path);
  try {
    stateful.load_state_dict(state);
  } catch (const Error& e) {
    throw Error(absl::StrCat("load: ", path, ": ", e.what()));
  }
}

}  // namespace

void save(const nn::Module& module, const std::string& path) {
  std::map<std::string, Tensor> tensors;
  for (const auto& [name, t] : named_state(module)) {
    MT_CHECK(tensors.emplace(name, t.detach()).second, "save: ", path,
             ": the module has two parameters or buffers named \"", name, "\"");
  }
  save_file(tensors, path);
}

void load(nn::Module& module, const std::string& path) {
  const std::map<std::string, Tensor> tensors = load_file(path);
  const std::vector<std::pair<std::string, Tensor>> targets = named_state(module);
  // Every check before any copy: a failed load changes nothing.
  for (const auto& [name, t] : targets) {
    const auto found = tensors.find(name);
    MT_CHECK(found != tensors.end(), "load: ", path, " has no tensor \"", name,
             "\" for the module's parameter or buffer of shape ", t.shape().to_string());
    MT_CHECK(found->second.shape() == t.shape() && found->second.dtype() == t.dtype(),
             "load: ", path, ": tensor \"", name, "\" is ", dtype_name(found->second.dtype()),
             " of shape ", found->second.shape().to_string(), ", but the module's is ",
             dtype_name(t.dtype()), " of shape ", t.shape().to_string());
  }
  for (const auto& entry : tensors) {
    const std::string& name = entry.first;
    const bool known = std::any_of(targets.begin(), targets.end(),
                                   [&name](const auto& t) { return t.first == name; });
    MT_CHECK(known, "load: ", path, ": tensor \"", name,
             "\" is no parameter or buffer of the module");
  }
  NoGradGuard no_grad;
  for (auto [name, t] : targets) t.copy_(tensors.at(name));
}

void save(const optim::Optimizer& optimizer, const std::string& path) {
  const optim::StateDict state = optimizer.state_dict();
  save_file(state.tensors, path, state.metadata);
}

void load(optim::Optimizer& optimizer, const std::string& path) {
  load_state_from(optimizer, path);
}

void save(const optim::LRScheduler& scheduler, const std::string& path) {
  const optim::StateDict state = scheduler.state_dict();
  save_file(state.tensors, path, state.metadata);
}

void load(optim::LRScheduler& scheduler, const std::string& path) {
  load_state_from(scheduler, path);
}

}  // namespace minitorch
