// ember's archive file format, version 1.
//
//   header (40 bytes, little-endian):
//     char[8]  magic "EMBERARC"
//     u32      format version (1)
//     u32      byte-order mark 0x01020304, as written by the saving machine
//     u32      flags: bit 0 = payload is zlib-compressed
//     u32      CRC-32 of the uncompressed payload
//     u64      uncompressed payload size
//     u64      stored payload size (the bytes that follow the header)
//   payload: one archive
//     archive := u32 count, then count x (string key, u8 kind, body)
//       kind 0 tensor : u8 is_buffer, tensor
//       kind 1 value  : ivalue
//       kind 2 archive: archive
//     tensor  := u8 defined; if defined: u8 dtype, u8 requires_grad, u32 ndim,
//                i64 sizes[ndim], u64 nbytes, raw row-major data
//     ivalue  := u8 tag (0 None, 1 Bool, 2 Int, 3 Double, 4 String, 5 Tensor,
//                6 TensorList, 7 IntList, 8 DoubleList), then the value
//                (lists: u64 count, then the items)
//     string  := u64 length, bytes
#include <zlib.h>

#include <cstring>
#include <limits>

#include "ember/ops.h"
#include "src/serialize/archive_node.h"

namespace ember::serialize::detail {
namespace {

constexpr char kMagic[8] = {'E', 'M', 'B', 'E', 'R', 'A', 'R', 'C'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kByteOrderMark = 0x01020304;
constexpr uint32_t kFlagZlib = 1;
constexpr size_t kHeaderSize = 40;
constexpr uint32_t kMaxDims = 64;

// ---- writing ---------------------------------------------------------------------

class Writer {
 public:
  template <class T>
  void pod(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void str(const std::string& s) {
    pod<uint64_t>(s.size());
    bytes(s.data(), s.size());
  }
  void tensor(const Tensor& t) {
    pod<uint8_t>(t.defined());
    if (!t.defined()) return;
    Tensor c = t.detach().cpu().contiguous();
    pod<uint8_t>(static_cast<uint8_t>(c.dtype()));
    pod<uint8_t>(t.requires_grad());
    pod<uint32_t>(static_cast<uint32_t>(c.dim()));
    for (int64_t s : c.sizes()) pod<int64_t>(s);
    pod<uint64_t>(static_cast<uint64_t>(c.nbytes()));
    if (c.nbytes() > 0) bytes(c.data_ptr(), static_cast<size_t>(c.nbytes()));
  }
  template <class T>
  void list(const std::vector<T>& v) {
    pod<uint64_t>(v.size());
    for (const T& x : v) {
      if constexpr (std::is_same_v<T, Tensor>) tensor(x);
      else pod<T>(x);
    }
  }
  void value(const ArchiveValue& v) {
    pod<uint8_t>(static_cast<uint8_t>(v.storage().index()));
    std::visit(
        [this](const auto& x) {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<X, std::monostate>) {
          } else if constexpr (std::is_same_v<X, bool>) {
            pod<uint8_t>(x);
          } else if constexpr (std::is_same_v<X, int64_t> || std::is_same_v<X, double>) {
            pod<X>(x);
          } else if constexpr (std::is_same_v<X, std::string>) {
            str(x);
          } else if constexpr (std::is_same_v<X, Tensor>) {
            tensor(x);
          } else {
            list(x);
          }
        },
        v.storage());
  }
  void archive(const ArchiveNode& node) {
    pod<uint32_t>(static_cast<uint32_t>(node.entries.size()));
    for (const auto& [key, e] : node.entries) {
      str(key);
      pod<uint8_t>(static_cast<uint8_t>(e.kind));
      switch (e.kind) {
        case Entry::Kind::Tensor:
          pod<uint8_t>(e.is_buffer);
          tensor(e.tensor);
          break;
        case Entry::Kind::Value:
          value(e.value);
          break;
        case Entry::Kind::Archive:
          archive(*e.archive);
          break;
      }
    }
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// ---- reading ---------------------------------------------------------------------

class Reader {
 public:
  Reader(const char* data, size_t size, const std::string& source)
      : p_(data), end_(data + size), source_(source) {}

  [[noreturn]] void corrupt(const std::string& what) const {
    ::ember::detail::throw_error<Error>("load", "'", source_, "' is corrupt: ", what);
  }
  void need(size_t n, const char* what) const {
    if (static_cast<size_t>(end_ - p_) < n)
      corrupt(::ember::detail::concat("the payload ends inside ", what));
  }
  template <class T>
  T pod(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string str(const char* what) {
    uint64_t n = pod<uint64_t>(what);
    need(n, what);
    std::string s(p_, p_ + n);
    p_ += n;
    return s;
  }
  Tensor tensor() {
    if (!pod<uint8_t>("a tensor")) return Tensor();
    uint8_t dt = pod<uint8_t>("a tensor's dtype");
    if (dt >= static_cast<uint8_t>(ScalarType::Undefined)) corrupt(::ember::detail::concat("unknown dtype code ", int(dt)));
    auto dtype = static_cast<ScalarType>(dt);
    bool requires_grad = pod<uint8_t>("a tensor");
    uint32_t ndim = pod<uint32_t>("a tensor's rank");
    if (ndim > kMaxDims) corrupt(::ember::detail::concat("a tensor with ", ndim, " dims"));
    std::vector<int64_t> sizes(ndim);
    uint64_t numel = 1;
    for (auto& s : sizes) {
      s = pod<int64_t>("a tensor's sizes");
      if (s < 0) corrupt(::ember::detail::concat("a negative tensor size ", s));
      if (s != 0 && numel > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(s))
        corrupt("tensor sizes overflow");
      numel *= static_cast<uint64_t>(s);
    }
    uint64_t nbytes = pod<uint64_t>("a tensor's byte count");
    if (nbytes / element_size(dtype) != numel || nbytes % element_size(dtype) != 0)
      corrupt(::ember::detail::concat("a tensor of sizes ", IntArrayRef(sizes), " and dtype ", dtype,
                                      " holds ", nbytes, " bytes"));
    need(nbytes, "a tensor's data");
    Tensor t = empty(sizes, TensorOptions().dtype(dtype));
    if (nbytes > 0) std::memcpy(t.data_ptr(), p_, nbytes);
    p_ += nbytes;
    if (requires_grad && isFloatingType(dtype)) t.requires_grad_(true);
    return t;
  }
  template <class T>
  std::vector<T> list(const char* what) {
    uint64_t n = pod<uint64_t>(what);
    if (n > static_cast<uint64_t>(end_ - p_)) corrupt(::ember::detail::concat("a list of ", n, " items"));
    std::vector<T> v;
    v.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, Tensor>) v.push_back(tensor());
      else v.push_back(pod<T>(what));
    }
    return v;
  }
  ArchiveValue value() {
    uint8_t tag = pod<uint8_t>("a value");
    switch (tag) {
      case 0: return ArchiveValue();
      case 1: return ArchiveValue(pod<uint8_t>("a bool") != 0);
      case 2: return ArchiveValue(pod<int64_t>("an int"));
      case 3: return ArchiveValue(pod<double>("a double"));
      case 4: return ArchiveValue(str("a string"));
      case 5: return ArchiveValue(tensor());
      case 6: return ArchiveValue(list<Tensor>("a tensor list"));
      case 7: return ArchiveValue(list<int64_t>("an int list"));
      case 8: return ArchiveValue(list<double>("a double list"));
      default: corrupt(::ember::detail::concat("unknown value tag ", int(tag)));
    }
  }
  std::shared_ptr<ArchiveNode> archive(int depth) {
    if (depth > 1000) corrupt("archives nested too deeply");
    auto node = std::make_shared<ArchiveNode>();
    uint32_t n = pod<uint32_t>("an archive");
    for (uint32_t i = 0; i < n; ++i) {
      std::string key = str("a key");
      Entry e;
      uint8_t kind = pod<uint8_t>("an entry");
      switch (kind) {
        case 0:
          e.kind = Entry::Kind::Tensor;
          e.is_buffer = pod<uint8_t>("an entry");
          e.tensor = tensor();
          break;
        case 1:
          e.kind = Entry::Kind::Value;
          e.value = value();
          break;
        case 2:
          e.kind = Entry::Kind::Archive;
          e.archive = archive(depth + 1);
          break;
        default:
          corrupt(::ember::detail::concat("unknown entry kind ", int(kind), " for key '", key, "'"));
      }
      node->put(key, std::move(e));
    }
    return node;
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
  const std::string& source_;
};

template <class T>
void put_le(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <class T>
T get_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

std::string encode_archive(const ArchiveNode& root, int compression_level) {
  Writer w;
  w.archive(root);
  std::string& payload = w.out();
  const uint32_t crc = static_cast<uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(payload.data()), payload.size()));

  std::string stored;
  uint32_t flags = 0;
  if (compression_level > 0) {
    uLongf bound = compressBound(static_cast<uLong>(payload.size()));
    stored.resize(bound);
    int rc = compress2(reinterpret_cast<Bytef*>(stored.data()), &bound,
                       reinterpret_cast<const Bytef*>(payload.data()), payload.size(), compression_level);
    EMBER_CHECK(rc == Z_OK, Error, "save", "zlib compression failed (code ", rc, ")");
    stored.resize(bound);
    flags |= kFlagZlib;
  }
  std::string file;
  file.reserve(kHeaderSize + (flags ? stored.size() : payload.size()));
  file.append(kMagic, sizeof(kMagic));
  put_le<uint32_t>(file, kVersion);
  put_le<uint32_t>(file, kByteOrderMark);
  put_le<uint32_t>(file, flags);
  put_le<uint32_t>(file, crc);
  put_le<uint64_t>(file, payload.size());
  put_le<uint64_t>(file, flags ? stored.size() : payload.size());
  file.append(flags ? stored : payload);
  return file;
}

std::shared_ptr<ArchiveNode> decode_archive(const std::string& bytes, const std::string& source) {
  EMBER_CHECK(bytes.size() >= sizeof(kMagic) && std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) == 0,
              Error, "load", "'", source, "' is not an ember archive (no \"EMBERARC\" magic at its start",
              bytes.size() < sizeof(kMagic) ? "; the file is too short" : "", ")");
  EMBER_CHECK(bytes.size() >= kHeaderSize, Error, "load", "'", source, "' is truncated: ", bytes.size(),
              " bytes, shorter than the ", kHeaderSize, "-byte header");
  const char* h = bytes.data();
  const uint32_t version = get_le<uint32_t>(h + 8);
  const uint32_t bom = get_le<uint32_t>(h + 12);
  const uint32_t flags = get_le<uint32_t>(h + 16);
  const uint32_t crc = get_le<uint32_t>(h + 20);
  const uint64_t payload_size = get_le<uint64_t>(h + 24);
  const uint64_t stored_size = get_le<uint64_t>(h + 32);
  EMBER_CHECK(bom == kByteOrderMark, Error, "load", "'", source,
              "' was written on a machine with a different byte order");
  EMBER_CHECK(version == kVersion, Error, "load", "'", source, "' has archive format version ", version,
              " but this build of ember reads version ", kVersion);
  EMBER_CHECK((flags & ~kFlagZlib) == 0, Error, "load", "'", source, "' has unknown header flags ", flags);
  const uint64_t available = bytes.size() - kHeaderSize;
  EMBER_CHECK(available >= stored_size, Error, "load", "'", source, "' is truncated: the header announces ",
              stored_size, " payload bytes but only ", available, " follow it");
  EMBER_CHECK(available == stored_size, Error, "load", "'", source, "' is corrupt: ",
              available - stored_size, " unexpected bytes after the payload");

  std::string inflated;
  const char* payload = h + kHeaderSize;
  if (flags & kFlagZlib) {
    inflated.resize(payload_size);
    uLongf out_size = static_cast<uLongf>(payload_size);
    int rc = uncompress(reinterpret_cast<Bytef*>(inflated.data()), &out_size,
                        reinterpret_cast<const Bytef*>(payload), stored_size);
    EMBER_CHECK(rc == Z_OK && out_size == payload_size, Error, "load", "'", source,
                "' is corrupt: its compressed payload does not inflate to ", payload_size,
                " bytes (zlib code ", rc, ")");
    payload = inflated.data();
  } else {
    EMBER_CHECK(payload_size == stored_size, Error, "load", "'", source,
                "' is corrupt: payload sizes in the header disagree");
  }
  const uint32_t actual_crc =
      static_cast<uint32_t>(crc32_z(0L, reinterpret_cast<const Bytef*>(payload), payload_size));
  EMBER_CHECK(actual_crc == crc, Error, "load", "'", source, "' is corrupt: checksum mismatch");

  Reader r(payload, payload_size, source);
  auto root = r.archive(0);
  if (!r.at_end()) r.corrupt("trailing bytes after the archive");
  return root;
}

}  // namespace ember::serialize::detail
