// The file format of ember archives: safetensors (https://github.com/huggingface/safetensors).
//
//   u64 (little-endian)  N, the length of the JSON header
//   N bytes              the JSON header, padded with spaces to a multiple of 8 bytes
//   the rest             the tensors' raw little-endian row-major data, back to back
//
// The header maps each tensor's name to {"dtype", "shape", "data_offsets": [begin, end]}
// (offsets into the data section). Names are an archive's keys joined with '.', which is
// how PyTorch names a module's parameters ("features.0.weight"), so a module saved here
// loads with Python's safetensors package and a state dict saved there loads here.
//
// The header's "__metadata__" (string -> string) holds "format": "pt" and, under "__ember__",
// a JSON description of what safetensors cannot say by itself: the archive's entries in
// write order, each with its key path (so keys containing '.' stay unambiguous), whether a
// tensor is a buffer or requires grad, undefined tensors, non-tensor values (numbers,
// strings, lists: optimizer state) and empty nested archives. Files without "__ember__"
// (written by other programs) load as nested archives split at the dots of the names.
//
// Reading validates everything before touching the data: the header length against the
// file size and a 100 MB cap, the JSON, each dtype and shape, and that the tensors' byte
// ranges tile the data section exactly (no overlap, gap, or range past the end).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_map>

#include "ember/ops.h"
#include "src/serialize/archive_node.h"

namespace ember::serialize::detail {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data; ember reads and writes it as memory is laid out");

using Json = nlohmann::ordered_json;
using ::ember::detail::concat;

constexpr uint64_t kMaxHeaderSize = 100'000'000;  // the safetensors reference reader's limit
constexpr int64_t kDescriptionVersion = 1;

struct DtypeName {
  ScalarType dtype;
  const char* name;
};
constexpr DtypeName kDtypeNames[] = {
    {ScalarType::Float, "F32"},  {ScalarType::Double, "F64"}, {ScalarType::Half, "F16"},
    {ScalarType::BFloat16, "BF16"}, {ScalarType::Long, "I64"}, {ScalarType::Int, "I32"},
    {ScalarType::Byte, "U8"},    {ScalarType::Bool, "BOOL"},
};

const char* safetensors_dtype(ScalarType t) {
  for (const auto& d : kDtypeNames)
    if (d.dtype == t) return d.name;
  ::ember::detail::throw_error<Error>("save", "dtype ", t, " has no safetensors name");
}

std::optional<ScalarType> dtype_from_safetensors(const std::string& name) {
  for (const auto& d : kDtypeNames)
    if (name == d.name) return d.dtype;
  return std::nullopt;
}

std::string join_path(const std::vector<std::string>& path) {
  std::string s;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) s += '.';
    s += path[i];
  }
  return s;
}

// Doubles go to JSON as numbers; the non-finite ones, which JSON lacks, as strings.
Json double_to_json(double v) {
  if (std::isfinite(v)) return v;
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

// ---- writing ---------------------------------------------------------------------

class Encoder {
 public:
  void archive(const ArchiveNode& node, std::vector<std::string>& path) {
    for (const auto& [key, e] : node.entries) {
      path.push_back(key);
      Json d;
      d["path"] = path;
      switch (e.kind) {
        case Entry::Kind::Tensor:
          d["kind"] = "tensor";
          describe_tensor(d, e.tensor, path);
          if (e.is_buffer) d["buffer"] = true;
          entries_.push_back(std::move(d));
          break;
        case Entry::Kind::Value:
          if (e.value.isTensor()) {
            d["kind"] = "tensor";
            d["value"] = true;
            describe_tensor(d, e.value.toTensor(), path);
          } else {
            d["kind"] = "value";
            d["value"] = value(e.value, path);
          }
          entries_.push_back(std::move(d));
          break;
        case Entry::Kind::Archive:
          d["kind"] = "archive";
          entries_.push_back(std::move(d));
          archive(*e.archive, path);
          break;
      }
      path.pop_back();
    }
  }

  std::string file() {
    // The data holds larger elements first, which keeps every tensor aligned to its element
    // size; the header lists the tensors in the archive's order.
    std::vector<Pending*> layout;
    for (Pending& p : tensors_) layout.push_back(&p);
    std::stable_sort(layout.begin(), layout.end(), [](const Pending* a, const Pending* b) {
      return a->data.element_size() > b->data.element_size();
    });
    uint64_t data_size = 0;
    for (Pending* p : layout) {
      p->begin = data_size;
      data_size += static_cast<uint64_t>(p->data.nbytes());
    }
    Json description;
    description["version"] = kDescriptionVersion;
    description["entries"] = std::move(entries_);
    Json header;
    header["__metadata__"] = {{"format", "pt"}, {"__ember__", description.dump()}};
    for (const Pending& p : tensors_) {
      const uint64_t end = p.begin + static_cast<uint64_t>(p.data.nbytes());
      header[p.name] = {{"dtype", safetensors_dtype(p.data.scalar_type())},
                        {"shape", p.data.sizes().vec()},
                        {"data_offsets", {p.begin, end}}};
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');

    std::string out;
    out.reserve(8 + text.size() + data_size);
    const uint64_t n = text.size();
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out += text;
    for (const Pending* p : layout)
      if (p->data.nbytes() > 0) out.append(static_cast<const char*>(p->data.data_ptr()), p->data.nbytes());
    return out;
  }

 private:
  struct Pending {
    std::string name;
    Tensor data;         // contiguous, on the CPU
    uint64_t begin = 0;  // offset of its bytes in the data section
  };

  void add_tensor(const Tensor& t, const std::string& name) {
    EMBER_CHECK(name != "__metadata__", Error, "save", "'__metadata__' is reserved by the safetensors format and cannot name a tensor");
    EMBER_CHECK(names_.insert(name).second, Error, "save", "two tensors would both be named '", name,
                "' in the file (keys are joined with '.'); rename one of them");
    tensors_.push_back({name, t.detach().cpu().contiguous()});
  }

  void describe_tensor(Json& d, const Tensor& t, const std::vector<std::string>& path) {
    if (!t.defined()) {
      d["defined"] = false;
      return;
    }
    if (t.requires_grad()) d["requires_grad"] = true;
    add_tensor(t, join_path(path));
  }

  Json value(const ArchiveValue& v, const std::vector<std::string>& path) {
    Json j;
    const std::string kind = v.tagKind();
    if (v.isNone()) j[kind] = nullptr;
    else if (v.isBool()) j[kind] = v.toBool();
    else if (v.isInt()) j[kind] = v.toInt();
    else if (v.isDouble()) j[kind] = double_to_json(v.toDouble());
    else if (v.isString()) j[kind] = v.toStringRef();
    else if (v.isIntList()) j[kind] = v.toIntVector();
    else if (v.isDoubleList()) {
      Json list = Json::array();
      for (double x : v.toDoubleVector()) list.push_back(double_to_json(x));
      j[kind] = std::move(list);
    } else if (v.isTensorList()) {
      // The list's tensors are stored as "<path>.0", "<path>.1", ...
      const auto list = v.toTensorVector();
      Json defined = Json::array();
      for (size_t i = 0; i < list.size(); ++i) {
        defined.push_back(list[i].defined());
        if (list[i].defined()) add_tensor(list[i], join_path(path) + "." + std::to_string(i));
      }
      j[kind] = std::move(defined);
    }
    return j;
  }

  std::vector<Pending> tensors_;
  std::set<std::string> names_;
  Json entries_ = Json::array();
};

// ---- reading ---------------------------------------------------------------------

/// One tensor of the header, validated against the data section.
struct StoredTensor {
  ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
  bool used = false;
};

class Decoder {
 public:
  Decoder(const std::string& bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  std::shared_ptr<ArchiveNode> decode() {
    parse_header();
    auto root = std::make_shared<ArchiveNode>();
    if (description_.is_null()) {
      for (auto& [name, st] : tensors_) {
        Entry e;
        e.kind = Entry::Kind::Tensor;
        e.tensor = load(st);
        put(*root, split(name), std::move(e), name);
      }
      return root;
    }
    for (const Json& d : description_.at("entries")) entry(*root, d);
    for (const auto& [name, st] : tensors_)
      if (!st.used) corrupt(concat("tensor '", name, "' is not described by the \"__ember__\" metadata"));
    return root;
  }

 private:
  [[noreturn]] void corrupt(const std::string& what) const {
    ::ember::detail::throw_error<Error>("load", "'", source_, "' is not a valid safetensors file: ", what);
  }

  void parse_header() {
    EMBER_CHECK(bytes_.size() >= 8, Error, "load", "'", source_, "' is truncated: ", bytes_.size(),
                " bytes, shorter than the 8-byte header length of a safetensors file");
    uint64_t n;
    std::memcpy(&n, bytes_.data(), sizeof n);
    EMBER_CHECK(n <= kMaxHeaderSize, Error, "load", "'", source_, "' announces a header of ", n,
                " bytes, more than the ", kMaxHeaderSize, "-byte limit (not a safetensors file, or corrupt)");
    EMBER_CHECK(n <= bytes_.size() - 8, Error, "load", "'", source_, "' is truncated: its header length is ", n,
                " bytes but only ", bytes_.size() - 8, " bytes follow it");
    const char* text = bytes_.data() + 8;
    if (n == 0 || text[0] != '{') corrupt("the header does not start with '{'");
    Json header;
    try {
      header = Json::parse(text, text + n);
    } catch (const std::exception& e) {
      corrupt(concat("its JSON header does not parse (", e.what(), ")"));
    }
    if (!header.is_object()) corrupt("the header is not a JSON object");
    data_ = text + n;
    data_size_ = bytes_.size() - 8 - n;

    for (auto& [name, info] : header.items()) {
      if (name == "__metadata__") {
        metadata(info);
        continue;
      }
      index_.emplace(name, tensors_.size());
      tensors_.emplace_back(name, tensor_info(name, info));
    }
    check_tiling();
  }

  void metadata(const Json& m) {
    if (!m.is_object()) corrupt("\"__metadata__\" is not an object");
    for (auto& [key, value] : m.items())
      if (!value.is_string()) corrupt(concat("metadata '", key, "' is not a string"));
    auto it = m.find("__ember__");
    if (it == m.end()) return;
    try {
      description_ = Json::parse(it->get<std::string>());
    } catch (const std::exception& e) {
      corrupt(concat("its \"__ember__\" metadata does not parse (", e.what(), ")"));
    }
    if (!description_.is_object() || !description_.contains("entries") || !description_["entries"].is_array())
      corrupt("its \"__ember__\" metadata has no list of entries");
    const Json version = description_.value("version", Json());
    if (!version.is_number_integer() || version.get<int64_t>() != kDescriptionVersion)
      ::ember::detail::throw_error<Error>("load", "'", source_, "' was written with ember metadata version ",
                                          version.dump(), " but this build of ember reads version ",
                                          kDescriptionVersion);
  }

  StoredTensor tensor_info(const std::string& name, const Json& info) {
    auto where = [&] { return concat("tensor '", name, "'"); };
    if (!info.is_object()) corrupt(concat(where(), " is not described by an object"));
    const Json dtype = info.value("dtype", Json());
    if (!dtype.is_string()) corrupt(concat(where(), " has no \"dtype\" string"));
    auto dt = dtype_from_safetensors(dtype.get<std::string>());
    EMBER_CHECK(dt.has_value(), Error, "load", "'", source_, "': ", where(), " has dtype '",
                dtype.get<std::string>(), "', which ember does not support (it reads F32, F64, F16, BF16, I64, I32, U8 and BOOL)");
    StoredTensor st{*dt, {}, 0, 0};
    const Json shape = info.value("shape", Json());
    if (!shape.is_array() || shape.size() > 64) corrupt(concat(where(), " has no valid \"shape\""));
    uint64_t numel = 1;
    for (const Json& s : shape) {
      if (!s.is_number_integer() || s.get<int64_t>() < 0) corrupt(concat(where(), " has shape ", shape.dump()));
      const auto v = static_cast<uint64_t>(s.get<int64_t>());
      if (v != 0 && numel > std::numeric_limits<uint64_t>::max() / v / 8)
        corrupt(concat(where(), " has shape ", shape.dump(), ", too large"));
      numel *= v;
      st.shape.push_back(static_cast<int64_t>(v));
    }
    const Json off = info.value("data_offsets", Json());
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      corrupt(concat(where(), " has no valid \"data_offsets\" pair"));
    st.begin = off[0].get<uint64_t>();
    st.end = off[1].get<uint64_t>();
    if (st.begin > st.end) corrupt(concat(where(), " has data_offsets ", off.dump(), " that end before they begin"));
    const uint64_t nbytes = numel * static_cast<uint64_t>(element_size(st.dtype));
    if (st.end - st.begin != nbytes)
      corrupt(concat(where(), " of dtype ", dtype.get<std::string>(), " and shape ", shape.dump(), " needs ", nbytes,
                     " bytes but its data_offsets ", off.dump(), " span ", st.end - st.begin));
    EMBER_CHECK(st.end <= data_size_, Error, "load", "'", source_, "' is truncated: ", where(), " ends at byte ",
                st.end, " of the data section, which holds only ", data_size_, " bytes");
    return st;
  }

  // The byte ranges must cover the data section exactly, in some order.
  void check_tiling() const {
    std::vector<const std::pair<std::string, StoredTensor>*> order;
    for (const auto& t : tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) {
      return a->second.begin != b->second.begin ? a->second.begin < b->second.begin : a->second.end < b->second.end;
    });
    uint64_t at = 0;
    const std::string* prev = nullptr;
    for (auto* t : order) {
      const StoredTensor& st = t->second;
      if (st.begin < at)
        corrupt(concat("the data of tensors '", *prev, "' and '", t->first, "' overlap (offsets ", st.begin,
                       " < ", at, ")"));
      if (st.begin > at) corrupt(concat(st.begin - at, " bytes of the data section before tensor '", t->first,
                                        "' belong to no tensor"));
      at = st.end;
      prev = &t->first;
    }
    if (at != data_size_)
      corrupt(concat(data_size_ - at, " bytes after the last tensor's data belong to no tensor"));
  }

  Tensor load(StoredTensor& st) {
    st.used = true;
    Tensor t = empty(st.shape, TensorOptions().dtype(st.dtype));
    if (st.end > st.begin) std::memcpy(t.data_ptr(), data_ + st.begin, st.end - st.begin);
    return t;
  }

  Tensor tensor_named(const std::string& name) {
    auto it = index_.find(name);
    if (it == index_.end())
      corrupt(concat("the \"__ember__\" metadata names tensor '", name, "', which the header lacks"));
    StoredTensor& st = tensors_[it->second].second;
    if (st.used) corrupt(concat("tensor '", name, "' is described twice"));
    return load(st);
  }

  static std::vector<std::string> split(const std::string& name) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1)
      parts.push_back(name.substr(start, dot - start));
    parts.push_back(name.substr(start));
    return parts;
  }

  // Puts `e` at `path`, creating the nested archives on the way.
  void put(ArchiveNode& root, const std::vector<std::string>& path, Entry e, const std::string& name) {
    ArchiveNode* node = &root;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      const Entry* child = node->find(path[i]);
      if (!child) {
        Entry a;
        a.kind = Entry::Kind::Archive;
        a.archive = std::make_shared<ArchiveNode>();
        node->put(path[i], a);
        child = node->find(path[i]);
      }
      if (child->kind != Entry::Kind::Archive)
        corrupt(concat("'", name, "' lies inside '", join_path({path.begin(), path.begin() + i + 1}),
                       "', which is not a nested archive"));
      node = child->archive.get();
    }
    if (node->find(path.back())) corrupt(concat("'", name, "' appears twice"));
    node->put(path.back(), std::move(e));
  }

  void entry(ArchiveNode& root, const Json& d) {
    if (!d.is_object() || !d.contains("path") || !d["path"].is_array() || d["path"].empty())
      corrupt("an \"__ember__\" entry has no key path");
    std::vector<std::string> path;
    for (const Json& k : d["path"]) {
      if (!k.is_string()) corrupt("an \"__ember__\" key path holds a non-string");
      path.push_back(k.get<std::string>());
    }
    const std::string name = join_path(path);
    const std::string kind = d.value("kind", "");
    Entry e;
    if (kind == "archive") {
      e.kind = Entry::Kind::Archive;
      e.archive = std::make_shared<ArchiveNode>();
    } else if (kind == "tensor") {
      Tensor t;
      if (d.value("defined", true)) {
        t = tensor_named(name);
        if (d.value("requires_grad", false) && isFloatingType(t.scalar_type())) t.requires_grad_(true);
      }
      if (d.value("value", false)) {
        e.kind = Entry::Kind::Value;
        e.value = ArchiveValue(std::move(t));
      } else {
        e.kind = Entry::Kind::Tensor;
        e.tensor = std::move(t);
        e.is_buffer = d.value("buffer", false);
      }
    } else if (kind == "value") {
      e.kind = Entry::Kind::Value;
      e.value = value(d.value("value", Json()), name);
    } else {
      corrupt(concat("entry '", name, "' has unknown kind '", kind, "'"));
    }
    put(root, path, std::move(e), name);
  }

  double to_double(const Json& j, const std::string& name) const {
    if (j.is_number()) return j.get<double>();
    if (j == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (j == "inf") return std::numeric_limits<double>::infinity();
    if (j == "-inf") return -std::numeric_limits<double>::infinity();
    corrupt(concat("value '", name, "' holds ", j.dump(), " where a number belongs"));
  }

  ArchiveValue value(const Json& v, const std::string& name) {
    if (!v.is_object() || v.size() != 1) corrupt(concat("value '", name, "' is not a one-key object"));
    const std::string& kind = v.begin().key();
    const Json& x = v.begin().value();
    auto expect = [&](bool ok) {
      if (!ok) corrupt(concat("value '", name, "' of kind ", kind, " holds ", x.dump()));
    };
    if (kind == "None") return ArchiveValue();
    if (kind == "Bool") return expect(x.is_boolean()), ArchiveValue(x.get<bool>());
    if (kind == "Int") return expect(x.is_number_integer()), ArchiveValue(x.get<int64_t>());
    if (kind == "Double") return ArchiveValue(to_double(x, name));
    if (kind == "String") return expect(x.is_string()), ArchiveValue(x.get<std::string>());
    expect(x.is_array());
    if (kind == "IntList") {
      std::vector<int64_t> list;
      for (const Json& i : x) expect(i.is_number_integer()), list.push_back(i.get<int64_t>());
      return ArchiveValue(std::move(list));
    }
    if (kind == "DoubleList") {
      std::vector<double> list;
      for (const Json& i : x) list.push_back(to_double(i, name));
      return ArchiveValue(std::move(list));
    }
    if (kind == "TensorList") {
      std::vector<Tensor> list;
      for (size_t i = 0; i < x.size(); ++i) {
        expect(x[i].is_boolean());
        list.push_back(x[i].get<bool>() ? tensor_named(name + "." + std::to_string(i)) : Tensor());
      }
      return ArchiveValue(std::move(list));
    }
    corrupt(concat("value '", name, "' has unknown kind '", kind, "'"));
  }

  const std::string& bytes_;
  const std::string& source_;
  const char* data_ = nullptr;
  uint64_t data_size_ = 0;
  std::vector<std::pair<std::string, StoredTensor>> tensors_;
  std::unordered_map<std::string, size_t> index_;
  Json description_;
};

}  // namespace

std::string encode_archive(const ArchiveNode& root) {
  Encoder enc;
  std::vector<std::string> path;
  enc.archive(root, path);
  return enc.file();
}

std::shared_ptr<ArchiveNode> decode_archive(const std::string& bytes, const std::string& source) {
  return Decoder(bytes, source).decode();
}

}  // namespace ember::serialize::detail
