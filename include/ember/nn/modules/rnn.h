#pragma once
// RNN, LSTM, GRU and their single-step cells (torch::nn modules of the same names).
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/init.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// Options of RNN: input_size, hidden_size, num_layers (1), nonlinearity (kTanh or kReLU),
/// bias (true), batch_first (false), dropout between layers (0), bidirectional (false).
struct RNNOptions {
  RNNOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  EMBER_ARG(int64_t, input_size);
  EMBER_ARG(int64_t, hidden_size);
  EMBER_ARG(int64_t, num_layers) = 1;
  EMBER_ARG(Nonlinearity, nonlinearity) = kTanh;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(bool, batch_first) = false;
  EMBER_ARG(double, dropout) = 0.0;
  EMBER_ARG(bool, bidirectional) = false;
};

/// Options of LSTM (as RNNOptions without nonlinearity).
struct LSTMOptions {
  LSTMOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  EMBER_ARG(int64_t, input_size);
  EMBER_ARG(int64_t, hidden_size);
  EMBER_ARG(int64_t, num_layers) = 1;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(bool, batch_first) = false;
  EMBER_ARG(double, dropout) = 0.0;
  EMBER_ARG(bool, bidirectional) = false;
};

/// Options of GRU (as RNNOptions without nonlinearity).
struct GRUOptions {
  GRUOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  EMBER_ARG(int64_t, input_size);
  EMBER_ARG(int64_t, hidden_size);
  EMBER_ARG(int64_t, num_layers) = 1;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(bool, batch_first) = false;
  EMBER_ARG(double, dropout) = 0.0;
  EMBER_ARG(bool, bidirectional) = false;
};

namespace detail {
/// Shared state of RNN, LSTM and GRU: the per-layer, per-direction weights.
struct RNNOptionsBase {
  enum Mode { kRNN_TANH, kRNN_RELU, kLSTM, kGRU };
  Mode mode;
  int64_t input_size, hidden_size, num_layers;
  bool bias, batch_first;
  double dropout;
  bool bidirectional;
};

/// The weights, registration and initialisation common to RNN, LSTM and GRU.
template <class Derived>
class RNNImplBase : public Cloneable<Derived> {
 public:
  explicit RNNImplBase(const RNNOptionsBase& options) : options_base(options) {}
  void reset() override;
  /// Re-draws every weight from uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  /// Weights in libtorch's order: per layer and direction w_ih, w_hh[, b_ih, b_hh].
  std::vector<Tensor> all_weights() const;
  /// No-op: ember's weights are always usable as they are.
  void flatten_parameters() {}

  RNNOptionsBase options_base;

 protected:
  std::vector<Tensor> flat_weights_;
  std::vector<std::string> flat_weights_names_;
  /// Runs every layer over (seq, batch, feature) input with hx of shape
  /// (layers * directions, batch, hidden); returns output and the final hidden states.
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& input, const Tensor& hx, const Tensor& cx);
  int64_t gate_size() const;
};
}  // namespace detail

/// Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (torch::nn::RNN).
class RNNImpl : public detail::RNNImplBase<RNNImpl> {
 public:
  RNNImpl(int64_t input_size, int64_t hidden_size) : RNNImpl(RNNOptions(input_size, hidden_size)) {}
  explicit RNNImpl(const RNNOptions& options);
  /// Returns (output, h_n); hx defaults to zeros.
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  RNNOptions options;
};
EMBER_MODULE(RNN);

/// Long short-term memory (torch::nn::LSTM).
class LSTMImpl : public detail::RNNImplBase<LSTMImpl> {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size) : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options);
  /// Returns (output, (h_n, c_n)); hx_opt defaults to zeros.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(
      const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx_opt = {});
  LSTMOptions options;
};
EMBER_MODULE(LSTM);

/// Gated recurrent unit (torch::nn::GRU).
class GRUImpl : public detail::RNNImplBase<GRUImpl> {
 public:
  GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions& options);
  /// Returns (output, h_n); hx defaults to zeros.
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  GRUOptions options;
};
EMBER_MODULE(GRU);

/// Options of RNNCell: input_size, hidden_size, bias (true), nonlinearity (kTanh).
struct RNNCellOptions {
  RNNCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  EMBER_ARG(int64_t, input_size);
  EMBER_ARG(int64_t, hidden_size);
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(Nonlinearity, nonlinearity) = kTanh;
};

/// Options of LSTMCell: input_size, hidden_size, bias (true).
struct LSTMCellOptions {
  LSTMCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  EMBER_ARG(int64_t, input_size);
  EMBER_ARG(int64_t, hidden_size);
  EMBER_ARG(bool, bias) = true;
};

/// Options of GRUCell: input_size, hidden_size, bias (true).
struct GRUCellOptions {
  GRUCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  EMBER_ARG(int64_t, input_size);
  EMBER_ARG(int64_t, hidden_size);
  EMBER_ARG(bool, bias) = true;
};

namespace detail {
/// Weights (weight_ih, weight_hh, bias_ih, bias_hh) and init shared by the cells.
template <class Derived>
class RNNCellImplBase : public Cloneable<Derived> {
 public:
  RNNCellImplBase(int64_t input_size, int64_t hidden_size, bool bias, int64_t num_chunks)
      : input_size_(input_size), hidden_size_(hidden_size), bias_(bias), num_chunks_(num_chunks) {}
  void reset() override;
  /// Re-draws every weight from uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  Tensor weight_ih;
  Tensor weight_hh;
  Tensor bias_ih;
  Tensor bias_hh;

 protected:
  /// Checks input (batch, input_size) or (input_size) and hx against it.
  void check_forward_input(const Tensor& input, const char* name) const;
  void check_forward_hidden(const Tensor& input, const Tensor& hx, const char* name, const char* hx_name) const;
  virtual const char* name() const = 0;
  int64_t input_size_, hidden_size_;
  bool bias_;
  int64_t num_chunks_;
};
}  // namespace detail

/// One step of an Elman RNN (torch::nn::RNNCell).
class RNNCellImpl : public detail::RNNCellImplBase<RNNCellImpl> {
 public:
  RNNCellImpl(int64_t input_size, int64_t hidden_size) : RNNCellImpl(RNNCellOptions(input_size, hidden_size)) {}
  explicit RNNCellImpl(const RNNCellOptions& options);
  /// Returns h'; hx defaults to zeros.
  Tensor forward(const Tensor& input, Tensor hx = {});
  RNNCellOptions options;

 protected:
  const char* name() const override { return "nn::RNNCell"; }
};
EMBER_MODULE(RNNCell);

/// One step of an LSTM (torch::nn::LSTMCell).
class LSTMCellImpl : public detail::RNNCellImplBase<LSTMCellImpl> {
 public:
  LSTMCellImpl(int64_t input_size, int64_t hidden_size) : LSTMCellImpl(LSTMCellOptions(input_size, hidden_size)) {}
  explicit LSTMCellImpl(const LSTMCellOptions& options);
  /// Returns (h', c'); hx_opt defaults to zeros.
  std::tuple<Tensor, Tensor> forward(const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx_opt = {});
  LSTMCellOptions options;

 protected:
  const char* name() const override { return "nn::LSTMCell"; }
};
EMBER_MODULE(LSTMCell);

/// One step of a GRU (torch::nn::GRUCell).
class GRUCellImpl : public detail::RNNCellImplBase<GRUCellImpl> {
 public:
  GRUCellImpl(int64_t input_size, int64_t hidden_size) : GRUCellImpl(GRUCellOptions(input_size, hidden_size)) {}
  explicit GRUCellImpl(const GRUCellOptions& options);
  /// Returns h'; hx defaults to zeros.
  Tensor forward(const Tensor& input, Tensor hx = {});
  GRUCellOptions options;

 protected:
  const char* name() const override { return "nn::GRUCell"; }
};
EMBER_MODULE(GRUCell);

}  // namespace ember::nn
