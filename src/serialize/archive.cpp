// OutputArchive / InputArchive over the in-memory tree, file and stream I/O, and the
// tensor operator<< / operator>>.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>

#include "ember/autograd.h"
#include "ember/ops.h"
#include "src/serialize/archive_node.h"

namespace ember {
namespace serialize {

// ---- OutputArchive ---------------------------------------------------------------

OutputArchive::OutputArchive() : root_(std::make_shared<detail::ArchiveNode>()) {}
OutputArchive::~OutputArchive() = default;
OutputArchive::OutputArchive(OutputArchive&&) noexcept = default;
OutputArchive& OutputArchive::operator=(OutputArchive&&) noexcept = default;

void OutputArchive::write(const std::string& key, const ArchiveValue& ivalue) {
  detail::Entry e;
  e.kind = detail::Entry::Kind::Value;
  e.value = ivalue;
  root_->put(key, std::move(e));
}

void OutputArchive::write(const std::string& key, const Tensor& tensor, bool is_buffer) {
  detail::Entry e;
  e.kind = detail::Entry::Kind::Tensor;
  e.tensor = tensor;
  e.is_buffer = is_buffer;
  root_->put(key, std::move(e));
}

void OutputArchive::write(const std::string& key, OutputArchive& nested_archive) {
  EMBER_CHECK(nested_archive.root_ != root_, Error, "save", "cannot write an archive into itself (key '",
              key, "')");
  detail::Entry e;
  e.kind = detail::Entry::Kind::Archive;
  e.archive = nested_archive.root_;
  root_->put(key, std::move(e));
}

std::vector<std::string> OutputArchive::keys() const {
  std::vector<std::string> k;
  for (const auto& e : root_->entries) k.push_back(e.first);
  return k;
}

void OutputArchive::save_to(const std::string& filename) {
  const std::string bytes = detail::encode_archive(*root_);
  std::ofstream f(filename, std::ios::binary | std::ios::trunc);
  EMBER_CHECK(f.is_open(), Error, "save", "cannot open '", filename, "' for writing: ", std::strerror(errno));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  EMBER_CHECK(!f.fail(), Error, "save", "writing ", bytes.size(), " bytes to '", filename, "' failed: ",
              std::strerror(errno));
}

void OutputArchive::save_to(std::ostream& stream) {
  const std::string bytes = detail::encode_archive(*root_);
  stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EMBER_CHECK(stream.good(), Error, "save", "writing ", bytes.size(), " bytes to the stream failed");
}

void OutputArchive::save_to(const std::function<size_t(const void*, size_t)>& func) {
  const std::string bytes = detail::encode_archive(*root_);
  const size_t written = func(bytes.data(), bytes.size());
  EMBER_CHECK(written == bytes.size(), Error, "save", "the writer function wrote ", written, " of ",
              bytes.size(), " bytes");
}

// ---- InputArchive ----------------------------------------------------------------

InputArchive::InputArchive() : root_(std::make_shared<detail::ArchiveNode>()), source_("<empty archive>") {}
InputArchive::~InputArchive() = default;
InputArchive::InputArchive(InputArchive&&) noexcept = default;
InputArchive& InputArchive::operator=(InputArchive&&) noexcept = default;

namespace {
const char* kind_name(const detail::Entry& e) {
  switch (e.kind) {
    case detail::Entry::Kind::Tensor: return "tensor";
    case detail::Entry::Kind::Archive: return "nested archive";
    default: return e.value.tagKind();
  }
}
}  // namespace

bool InputArchive::try_read(const std::string& key, ArchiveValue& ivalue) {
  const detail::Entry* e = root_->find(key);
  if (!e) return false;
  EMBER_CHECK(e->kind != detail::Entry::Kind::Archive, Error, "load", "'", source_, "': entry '", prefix_, key,
              "' is a nested archive, not a value");
  if (e->kind == detail::Entry::Kind::Tensor) {
    Tensor t = e->tensor;
    if (device_ && t.defined() && t.device() != *device_) t = t.to(*device_);
    ivalue = ArchiveValue(std::move(t));
  } else {
    ivalue = e->value;
  }
  return true;
}

void InputArchive::read(const std::string& key, ArchiveValue& ivalue) {
  EMBER_CHECK(try_read(key, ivalue), Error, "load", "'", source_, "' has no entry '", prefix_, key, "'");
}

bool InputArchive::try_read(const std::string& key, Tensor& tensor, bool is_buffer) {
  (void)is_buffer;  // parameters and buffers share one namespace of keys
  const detail::Entry* e = root_->find(key);
  if (!e) return false;
  Tensor loaded;
  if (e->kind == detail::Entry::Kind::Tensor) {
    loaded = e->tensor;
  } else if (e->kind == detail::Entry::Kind::Value && (e->value.isTensor() || e->value.isNone())) {
    if (e->value.isTensor()) loaded = e->value.toTensor();
  } else {
    EMBER_CHECK(false, Error, "load", "'", source_, "': entry '", prefix_, key, "' is a ", kind_name(*e),
                ", not a tensor");
  }
  if (loaded.defined() && device_ && loaded.device() != *device_) {
    const bool rg = loaded.requires_grad();
    loaded = loaded.detach().to(*device_);
    if (rg) loaded.requires_grad_(true);
  }
  if (tensor.defined() && loaded.defined() && tensor.sizes() == loaded.sizes() &&
      tensor.dtype() == loaded.dtype() && tensor.device() == loaded.device()) {
    NoGradGuard no_grad;
    tensor.copy_(loaded);
  } else {
    tensor = loaded;
  }
  return true;
}

void InputArchive::read(const std::string& key, Tensor& tensor, bool is_buffer) {
  EMBER_CHECK(try_read(key, tensor, is_buffer), Error, "load", "'", source_, "' has no tensor '", prefix_, key,
              "'");
}

bool InputArchive::try_read(const std::string& key, InputArchive& archive) {
  const detail::Entry* e = root_->find(key);
  if (!e) return false;
  EMBER_CHECK(e->kind == detail::Entry::Kind::Archive, Error, "load", "'", source_, "': entry '", prefix_, key,
              "' is a ", kind_name(*e), ", not a nested archive");
  archive.root_ = e->archive;
  archive.source_ = source_;
  archive.prefix_ = prefix_ + key + ".";
  archive.device_ = device_;
  return true;
}

void InputArchive::read(const std::string& key, InputArchive& archive) {
  EMBER_CHECK(try_read(key, archive), Error, "load", "'", source_, "' has no nested archive '", prefix_, key,
              "'");
}

void InputArchive::load_from(const std::string& filename, std::optional<Device> device) {
  std::ifstream f(filename, std::ios::binary);
  EMBER_CHECK(f.is_open(), Error, "load", "cannot open '", filename, "': ", std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EMBER_CHECK(!f.bad(), Error, "load", "reading '", filename, "' failed: ", std::strerror(errno));
  root_ = detail::decode_archive(bytes, filename);
  source_ = filename;
  prefix_.clear();
  device_ = device;
}

void InputArchive::load_from(std::istream& stream, std::optional<Device> device) {
  std::string bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  root_ = detail::decode_archive(bytes, "<stream>");
  source_ = "<stream>";
  prefix_.clear();
  device_ = device;
}

void InputArchive::load_from(const char* data, size_t size, std::optional<Device> device) {
  root_ = detail::decode_archive(std::string(data, size), "<buffer>");
  source_ = "<buffer>";
  prefix_.clear();
  device_ = device;
}

std::vector<std::string> InputArchive::keys() {
  std::vector<std::string> k;
  for (const auto& e : root_->entries) k.push_back(e.first);
  return k;
}

}  // namespace serialize

serialize::OutputArchive& operator<<(serialize::OutputArchive& archive, const Tensor& tensor) {
  archive.write("0", tensor);
  return archive;
}

serialize::InputArchive& operator>>(serialize::InputArchive& archive, Tensor& tensor) {
  archive.read("0", tensor);
  return archive;
}

}  // namespace ember
