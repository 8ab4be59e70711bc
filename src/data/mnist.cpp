// Reading MNIST-format IDX files, plain or gzip-compressed.
#include "ember/data/datasets/mnist.h"

#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ember/ops.h"

namespace ember::data::datasets {
namespace {

constexpr uint32_t kImageMagicNumber = 2051;
constexpr uint32_t kTargetMagicNumber = 2049;

/// The whole (decompressed) content of `path`, or of `path`.gz when `path` is absent.
std::vector<uint8_t> read_idx_file(const std::string& path, std::string& opened) {
  namespace fs = std::filesystem;
  opened = path;
  if (!fs::exists(opened) && fs::exists(path + ".gz")) opened = path + ".gz";
  EMBER_CHECK(fs::exists(opened), Error, "data::MNIST", "cannot find '", path, "' (nor '", path,
              ".gz'); point the dataset root at a directory with the MNIST IDX files");
  // gzread reads gzip-compressed and plain files alike.
  gzFile f = gzopen(opened.c_str(), "rb");
  EMBER_CHECK(f != nullptr, Error, "data::MNIST", "cannot open '", opened, "': ", std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  int n;
  while ((n = gzread(f, chunk, sizeof(chunk))) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  int err = 0;
  const char* msg = n < 0 ? gzerror(f, &err) : nullptr;
  const std::string why = msg ? msg : "";
  gzclose(f);
  EMBER_CHECK(n == 0, Error, "data::MNIST", "reading '", opened, "' failed: ", why);
  return bytes;
}

uint32_t big_endian_u32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) | uint32_t(b[at + 3]);
}

Tensor read_images(const std::string& root, bool train) {
  const std::string path = root + (train ? "/train-images-idx3-ubyte" : "/t10k-images-idx3-ubyte");
  std::string opened;
  const std::vector<uint8_t> b = read_idx_file(path, opened);
  EMBER_CHECK(b.size() >= 16, Error, "data::MNIST", "'", opened, "' is truncated: ", b.size(),
              " bytes, shorter than the 16-byte IDX image header");
  const uint32_t magic = big_endian_u32(b, 0);
  EMBER_CHECK(magic == kImageMagicNumber, Error, "data::MNIST", "'", opened, "' has magic number ", magic,
              ", expected ", kImageMagicNumber, " (an IDX image file)");
  const int64_t count = big_endian_u32(b, 4), rows = big_endian_u32(b, 8), cols = big_endian_u32(b, 12);
  const uint64_t expected = 16 + static_cast<uint64_t>(count) * rows * cols;
  EMBER_CHECK(b.size() >= expected, Error, "data::MNIST", "'", opened, "' is truncated: ", count, " images of ",
              rows, "x", cols, " need ", expected, " bytes but the file has ", b.size());
  Tensor bytes = empty({count, 1, rows, cols}, kByte);
  std::memcpy(bytes.data_ptr(), b.data() + 16, static_cast<size_t>(count * rows * cols));
  return bytes.to(kFloat32).div_(255);
}

Tensor read_targets(const std::string& root, bool train) {
  const std::string path = root + (train ? "/train-labels-idx1-ubyte" : "/t10k-labels-idx1-ubyte");
  std::string opened;
  const std::vector<uint8_t> b = read_idx_file(path, opened);
  EMBER_CHECK(b.size() >= 8, Error, "data::MNIST", "'", opened, "' is truncated: ", b.size(),
              " bytes, shorter than the 8-byte IDX label header");
  const uint32_t magic = big_endian_u32(b, 0);
  EMBER_CHECK(magic == kTargetMagicNumber, Error, "data::MNIST", "'", opened, "' has magic number ", magic,
              ", expected ", kTargetMagicNumber, " (an IDX label file)");
  const int64_t count = big_endian_u32(b, 4);
  EMBER_CHECK(b.size() >= 8 + static_cast<uint64_t>(count), Error, "data::MNIST", "'", opened,
              "' is truncated: ", count, " labels need ", 8 + count, " bytes but the file has ", b.size());
  Tensor bytes = empty({count}, kByte);
  std::memcpy(bytes.data_ptr(), b.data() + 8, static_cast<size_t>(count));
  return bytes.to(kInt64);
}

}  // namespace

MNIST::MNIST(const std::string& root, Mode mode)
    : images_(read_images(root, mode == Mode::kTrain)), targets_(read_targets(root, mode == Mode::kTrain)) {
  EMBER_CHECK(images_.size(0) == targets_.size(0), Error, "data::MNIST", "'", root, "' holds ", images_.size(0),
              " images but ", targets_.size(0), " labels for the ", mode == Mode::kTrain ? "training" : "test",
              " set");
}

Example<> MNIST::get(size_t index) {
  EMBER_CHECK(index < static_cast<size_t>(images_.size(0)), IndexError, "data::MNIST", "index ", index,
              " is out of range for a dataset of ", images_.size(0), " examples");
  const auto i = static_cast<int64_t>(index);
  return {images_[i], targets_[i]};
}

std::optional<size_t> MNIST::size() const { return static_cast<size_t>(images_.size(0)); }

bool MNIST::is_train() const noexcept { return images_.size(0) == 60000; }

const Tensor& MNIST::images() const { return images_; }
const Tensor& MNIST::targets() const { return targets_; }

std::string fashion_mnist_root() {
  const char* env = std::getenv("EMBER_FASHION_MNIST");
  if (env && *env) return env;
  return "/usr/share/datasets/fashion-mnist";
}

}  // namespace ember::data::datasets
