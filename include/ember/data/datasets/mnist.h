#pragma once
// MNIST-format datasets (torch::data::datasets::MNIST): the IDX files
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte in `root`, each optionally gzip-compressed (name + ".gz"). This
// reads MNIST and Fashion-MNIST alike.
#include <optional>
#include <string>

#include "ember/data/datasets/base.h"
#include "ember/data/example.h"

namespace ember::data::datasets {

class MNIST : public Dataset<MNIST> {
 public:
  /// The training set (60000 images) or the test set (10000 images).
  enum class Mode { kTrain, kTest };

  /// Loads the whole split into memory; raises ember::Error naming the file when a file
  /// is missing, is not an IDX file of the expected kind, or is truncated.
  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);

  /// Image `index` as float [1, rows, cols] in [0, 1] and its label as an int64 scalar.
  Example<> get(size_t index) override;
  std::optional<size_t> size() const override;
  bool is_train() const noexcept;
  /// All images, float [N, 1, rows, cols].
  const Tensor& images() const;
  /// All labels, int64 [N].
  const Tensor& targets() const;

 private:
  Tensor images_, targets_;
};

/// The Fashion-MNIST directory: $EMBER_FASHION_MNIST when set, else where the Debian
/// package dataset-fashion-mnist installs it (/usr/share/datasets/fashion-mnist).
std::string fashion_mnist_root();

}  // namespace ember::data::datasets
