// RNN, LSTM, GRU and their cells, written as compositions of ember ops so that the tape
// differentiates through time.
#include "ember/nn/modules/rnn.h"

#include <cmath>
#include <ostream>

#include "ember/autograd.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {
namespace {

using Mode = detail::RNNOptionsBase::Mode;

int64_t chunks_of(Mode mode) { return mode == Mode::kLSTM ? 4 : mode == Mode::kGRU ? 3 : 1; }

const char* name_of(Mode mode) {
  switch (mode) {
    case Mode::kLSTM: return "nn::LSTM";
    case Mode::kGRU: return "nn::GRU";
    default: return "nn::RNN";
  }
}

Tensor maybe_add(const Tensor& a, const Tensor& b) { return b.defined() ? a + b : a; }

// One step given the input projection xg = x W_ih^T + b_ih (already computed).
Tensor simple_step(const Tensor& xg, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh, bool relu_act) {
  Tensor pre = maybe_add(xg + matmul(h, w_hh.t()), b_hh);
  return relu_act ? relu(pre) : tanh(pre);
}

std::tuple<Tensor, Tensor> lstm_step(const Tensor& xg, const Tensor& h, const Tensor& c, const Tensor& w_hh,
                                     const Tensor& b_hh) {
  auto g = maybe_add(xg + matmul(h, w_hh.t()), b_hh).chunk(4, -1);
  Tensor c_new = sigmoid(g[1]) * c + sigmoid(g[0]) * tanh(g[2]);
  Tensor h_new = sigmoid(g[3]) * tanh(c_new);
  return {h_new, c_new};
}

Tensor gru_step(const Tensor& xg, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh) {
  auto x = xg.chunk(3, -1);
  auto hg = maybe_add(matmul(h, w_hh.t()), b_hh).chunk(3, -1);
  Tensor r = sigmoid(x[0] + hg[0]);
  Tensor z = sigmoid(x[1] + hg[1]);
  Tensor n = tanh(x[2] + r * hg[2]);
  return n + z * (h - n);
}

Tensor input_projection(const Tensor& x, const Tensor& w_ih, const Tensor& b_ih) {
  return maybe_add(matmul(x, w_ih.t()), b_ih);
}

void check_cell_sizes(const char* name, const Tensor& input, int64_t input_size) {
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, ShapeError, name,
              "expected input to be 1-D or 2-D, got input of shape ", input.sizes());
  EMBER_CHECK(input.size(-1) == input_size, ShapeError, name, "input of shape ", input.sizes(),
              " does not end in input_size=", input_size);
}

}  // namespace

namespace detail {

template <class Derived>
int64_t RNNImplBase<Derived>::gate_size() const {
  return chunks_of(options_base.mode) * options_base.hidden_size;
}

template <class Derived>
void RNNImplBase<Derived>::reset() {
  const auto& o = options_base;
  const char* name = name_of(o.mode);
  EMBER_CHECK(o.input_size > 0 && o.hidden_size > 0 && o.num_layers > 0, ShapeError, name,
              "input_size, hidden_size and num_layers must be positive, got ", o.input_size, ", ", o.hidden_size,
              " and ", o.num_layers);
  EMBER_CHECK(o.dropout >= 0 && o.dropout <= 1, Error, name, "dropout must be in [0, 1], got ", o.dropout);
  flat_weights_.clear();
  flat_weights_names_.clear();
  const int64_t dirs = o.bidirectional ? 2 : 1;
  for (int64_t layer = 0; layer < o.num_layers; ++layer) {
    for (int64_t dir = 0; dir < dirs; ++dir) {
      const int64_t in = layer == 0 ? o.input_size : o.hidden_size * dirs;
      const std::string suffix = "_l" + std::to_string(layer) + (dir == 1 ? "_reverse" : "");
      std::vector<std::pair<std::string, Tensor>> ws = {{"weight_ih" + suffix, empty({gate_size(), in})},
                                                        {"weight_hh" + suffix, empty({gate_size(), o.hidden_size})}};
      if (o.bias) {
        ws.push_back({"bias_ih" + suffix, empty({gate_size()})});
        ws.push_back({"bias_hh" + suffix, empty({gate_size()})});
      }
      for (auto& [n, t] : ws) {
        flat_weights_.push_back(this->register_parameter(n, t));
        flat_weights_names_.push_back(n);
      }
    }
  }
  reset_parameters();
}

template <class Derived>
void RNNImplBase<Derived>::reset_parameters() {
  const double stdv = 1.0 / std::sqrt(static_cast<double>(options_base.hidden_size));
  for (auto& p : this->parameters()) init::uniform_(p, -stdv, stdv);
}

template <class Derived>
void RNNImplBase<Derived>::pretty_print(std::ostream& stream) const {
  const auto& o = options_base;
  stream << std::boolalpha << "ember::" << name_of(o.mode) << "(input_size=" << o.input_size
         << ", hidden_size=" << o.hidden_size << ", num_layers=" << o.num_layers << ", bias=" << o.bias
         << ", batch_first=" << o.batch_first << ", dropout=" << o.dropout << ", bidirectional=" << o.bidirectional
         << ")";
}

template <class Derived>
std::vector<Tensor> RNNImplBase<Derived>::all_weights() const {
  std::vector<Tensor> out;
  auto named = this->named_parameters(false);
  for (const auto& n : flat_weights_names_) out.push_back(named[n]);
  return out;
}

template <class Derived>
std::tuple<Tensor, Tensor, Tensor> RNNImplBase<Derived>::run(const Tensor& input, const Tensor& hx,
                                                             const Tensor& cx) {
  const auto& o = options_base;
  const int64_t dirs = o.bidirectional ? 2 : 1;
  const int64_t seq = input.size(0);
  auto named = this->named_parameters(false);
  Tensor layer_input = input;
  std::vector<Tensor> h_n, c_n;
  for (int64_t layer = 0; layer < o.num_layers; ++layer) {
    std::vector<Tensor> dir_outputs;
    for (int64_t dir = 0; dir < dirs; ++dir) {
      const std::string suffix = "_l" + std::to_string(layer) + (dir == 1 ? "_reverse" : "");
      const Tensor& w_ih = named["weight_ih" + suffix];
      const Tensor& w_hh = named["weight_hh" + suffix];
      Tensor b_ih = o.bias ? named["bias_ih" + suffix] : Tensor();
      Tensor b_hh = o.bias ? named["bias_hh" + suffix] : Tensor();
      // All time steps' input projections in one matmul; only the recurrence is sequential.
      std::vector<Tensor> xg = input_projection(layer_input, w_ih, b_ih).unbind(0);
      const int64_t idx = layer * dirs + dir;
      Tensor h = hx.select(0, idx);
      Tensor c = cx.defined() ? cx.select(0, idx) : Tensor();
      std::vector<Tensor> outs(static_cast<size_t>(seq));
      for (int64_t s = 0; s < seq; ++s) {
        const int64_t t = dir == 0 ? s : seq - 1 - s;
        switch (o.mode) {
          case Mode::kLSTM: std::tie(h, c) = lstm_step(xg[t], h, c, w_hh, b_hh); break;
          case Mode::kGRU: h = gru_step(xg[t], h, w_hh, b_hh); break;
          default: h = simple_step(xg[t], h, w_hh, b_hh, o.mode == Mode::kRNN_RELU);
        }
        outs[static_cast<size_t>(t)] = h;
      }
      h_n.push_back(h);
      if (c.defined()) c_n.push_back(c);
      dir_outputs.push_back(seq > 0 ? stack(outs, 0) : empty({0, input.size(1), o.hidden_size}, input.options()));
    }
    layer_input = dirs == 1 ? dir_outputs[0] : cat(dir_outputs, -1);
    if (o.dropout > 0 && this->is_training() && layer + 1 < o.num_layers)
      layer_input = ember::dropout(layer_input, o.dropout, true);
  }
  return {layer_input, stack(h_n, 0), c_n.empty() ? Tensor() : stack(c_n, 0)};
}

template class RNNImplBase<RNNImpl>;
template class RNNImplBase<LSTMImpl>;
template class RNNImplBase<GRUImpl>;

}  // namespace detail

namespace {

// Normalises input to (seq, batch, feature); returns whether it was unbatched.
bool prepare_input(const char* name, const detail::RNNOptionsBase& o, Tensor& input) {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, ShapeError, name,
              "expected input to be 2-D (unbatched) or 3-D, got input of shape ", input.sizes());
  EMBER_CHECK(input.size(-1) == o.input_size, ShapeError, name, "input of shape ", input.sizes(),
              " does not end in input_size=", o.input_size);
  if (input.dim() == 2) {
    input = input.unsqueeze(1);
    return true;
  }
  if (o.batch_first) input = input.transpose(0, 1);
  return false;
}

// Returns hx as (layers * directions, batch, hidden), zeros when undefined.
Tensor prepare_hidden(const char* name, const detail::RNNOptionsBase& o, const Tensor& input, Tensor hx,
                      bool unbatched, const char* what) {
  const int64_t layers = o.num_layers * (o.bidirectional ? 2 : 1);
  if (!hx.defined()) return zeros({layers, input.size(1), o.hidden_size}, input.options());
  EMBER_CHECK(hx.dim() == (unbatched ? 2 : 3), ShapeError, name, "expected ", what, " to be ",
              unbatched ? "2-D for unbatched input" : "3-D for batched input", ", got shape ", hx.sizes());
  if (unbatched) hx = hx.unsqueeze(1);
  EMBER_CHECK(hx.size(0) == layers && hx.size(1) == input.size(1) && hx.size(2) == o.hidden_size, ShapeError,
              name, "expected ", what, " of shape [", layers, ", ", input.size(1), ", ", o.hidden_size, "], got ",
              hx.sizes());
  return hx;
}

Tensor finish_output(const detail::RNNOptionsBase& o, Tensor out, bool unbatched) {
  if (unbatched) return out.squeeze(1);
  return o.batch_first ? out.transpose(0, 1) : out;
}

detail::RNNOptionsBase base_of(Mode mode, int64_t in, int64_t hidden, int64_t layers, bool bias, bool batch_first,
                               double dropout, bool bidirectional) {
  return {mode, in, hidden, layers, bias, batch_first, dropout, bidirectional};
}

}  // namespace

RNNImpl::RNNImpl(const RNNOptions& o)
    : RNNImplBase(base_of(o.nonlinearity() == kReLU ? Mode::kRNN_RELU : Mode::kRNN_TANH, o.input_size(),
                          o.hidden_size(), o.num_layers(), o.bias(), o.batch_first(), o.dropout(),
                          o.bidirectional())),
      options(o) {
  EMBER_CHECK(o.nonlinearity() == kTanh || o.nonlinearity() == kReLU, Error, "nn::RNN",
              "nonlinearity must be kTanh or kReLU");
  reset();
}

// The recurrent modules run their hooks with the inputs as given and the output sequence
// as the output (a backward hook sees the gradient of that sequence).
std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor& input_, Tensor hx_) {
  std::tuple<Tensor, Tensor> result;
  call_with_hooks({input_, hx_}, [&] {
    Tensor input = input_;
    const bool unbatched = prepare_input("nn::RNN", options_base, input);
    Tensor hx = prepare_hidden("nn::RNN", options_base, input, hx_, unbatched, "hx");
    auto [out, h, c] = run(input, hx, Tensor());
    (void)c;
    result = {finish_output(options_base, out, unbatched), unbatched ? h.squeeze(1) : h};
    return std::get<0>(result);
  });
  return result;
}

LSTMImpl::LSTMImpl(const LSTMOptions& o)
    : RNNImplBase(base_of(Mode::kLSTM, o.input_size(), o.hidden_size(), o.num_layers(), o.bias(), o.batch_first(),
                          o.dropout(), o.bidirectional())),
      options(o) {
  reset();
}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward(const Tensor& input_,
                                                                 std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> result;
  Tensor h0 = hx_opt ? std::get<0>(*hx_opt) : Tensor();
  Tensor c0 = hx_opt ? std::get<1>(*hx_opt) : Tensor();
  call_with_hooks({input_, h0, c0}, [&] {
    Tensor input = input_;
    const bool unbatched = prepare_input("nn::LSTM", options_base, input);
    Tensor h0p = prepare_hidden("nn::LSTM", options_base, input, h0, unbatched, "h_0");
    Tensor c0p = prepare_hidden("nn::LSTM", options_base, input, c0, unbatched, "c_0");
    auto [out, h, c] = run(input, h0p, c0p);
    if (unbatched) {
      h = h.squeeze(1);
      c = c.squeeze(1);
    }
    result = {finish_output(options_base, out, unbatched), {h, c}};
    return std::get<0>(result);
  });
  return result;
}

GRUImpl::GRUImpl(const GRUOptions& o)
    : RNNImplBase(base_of(Mode::kGRU, o.input_size(), o.hidden_size(), o.num_layers(), o.bias(), o.batch_first(),
                          o.dropout(), o.bidirectional())),
      options(o) {
  reset();
}

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input_, Tensor hx_) {
  std::tuple<Tensor, Tensor> result;
  call_with_hooks({input_, hx_}, [&] {
    Tensor input = input_;
    const bool unbatched = prepare_input("nn::GRU", options_base, input);
    Tensor hx = prepare_hidden("nn::GRU", options_base, input, hx_, unbatched, "hx");
    auto [out, h, c] = run(input, hx, Tensor());
    (void)c;
    result = {finish_output(options_base, out, unbatched), unbatched ? h.squeeze(1) : h};
    return std::get<0>(result);
  });
  return result;
}

// ---- cells ----

namespace detail {

template <class Derived>
void RNNCellImplBase<Derived>::reset() {
  EMBER_CHECK(input_size_ > 0 && hidden_size_ > 0, ShapeError, name(),
              "input_size and hidden_size must be positive, got ", input_size_, " and ", hidden_size_);
  const int64_t g = num_chunks_ * hidden_size_;
  weight_ih = this->register_parameter("weight_ih", empty({g, input_size_}));
  weight_hh = this->register_parameter("weight_hh", empty({g, hidden_size_}));
  if (bias_) {
    bias_ih = this->register_parameter("bias_ih", empty({g}));
    bias_hh = this->register_parameter("bias_hh", empty({g}));
  } else {
    bias_ih = this->register_parameter("bias_ih", Tensor(), false);
    bias_hh = this->register_parameter("bias_hh", Tensor(), false);
  }
  reset_parameters();
}

template <class Derived>
void RNNCellImplBase<Derived>::reset_parameters() {
  const double stdv = 1.0 / std::sqrt(static_cast<double>(hidden_size_));
  for (auto& p : this->parameters()) init::uniform_(p, -stdv, stdv);
}

template <class Derived>
void RNNCellImplBase<Derived>::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "ember::" << name() << "(" << input_size_ << ", " << hidden_size_;
  if (!bias_) stream << ", bias=false";
  stream << ")";
}

template <class Derived>
void RNNCellImplBase<Derived>::check_forward_input(const Tensor& input, const char* name) const {
  check_cell_sizes(name, input, input_size_);
}

template <class Derived>
void RNNCellImplBase<Derived>::check_forward_hidden(const Tensor& input, const Tensor& hx, const char* name,
                                                    const char* hx_name) const {
  EMBER_CHECK(hx.dim() == input.dim() && (input.dim() == 1 || hx.size(0) == input.size(0)) &&
                  hx.size(-1) == hidden_size_,
              ShapeError, name, "input of shape ", input.sizes(), " needs ", hx_name, " of shape ",
              input.dim() == 2 ? "[" + std::to_string(input.size(0)) + ", " + std::to_string(hidden_size_) + "]"
                               : "[" + std::to_string(hidden_size_) + "]",
              ", got ", hx.sizes());
}

template class RNNCellImplBase<RNNCellImpl>;
template class RNNCellImplBase<LSTMCellImpl>;
template class RNNCellImplBase<GRUCellImpl>;

}  // namespace detail

namespace {
Tensor zero_state(const Tensor& input, int64_t hidden) {
  return input.dim() == 2 ? zeros({input.size(0), hidden}, input.options()) : zeros({hidden}, input.options());
}
}  // namespace

RNNCellImpl::RNNCellImpl(const RNNCellOptions& o)
    : RNNCellImplBase(o.input_size(), o.hidden_size(), o.bias(), 1), options(o) {
  EMBER_CHECK(o.nonlinearity() == kTanh || o.nonlinearity() == kReLU, Error, "nn::RNNCell",
              "nonlinearity must be kTanh or kReLU");
  reset();
}

Tensor RNNCellImpl::forward(const Tensor& input, Tensor hx_) {
  return call_with_hooks({input, hx_}, [&] {
    check_forward_input(input, "nn::RNNCell");
    Tensor hx = hx_.defined() ? hx_ : zero_state(input, hidden_size_);
    check_forward_hidden(input, hx, "nn::RNNCell", "hx");
    return simple_step(input_projection(input, weight_ih, bias_ih), hx, weight_hh, bias_hh,
                       options.nonlinearity() == kReLU);
  });
}

LSTMCellImpl::LSTMCellImpl(const LSTMCellOptions& o)
    : RNNCellImplBase(o.input_size(), o.hidden_size(), o.bias(), 4), options(o) {
  reset();
}

std::tuple<Tensor, Tensor> LSTMCellImpl::forward(const Tensor& input,
                                                 std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  // The hooks see the new hidden state h' as the output.
  std::tuple<Tensor, Tensor> result;
  Tensor h0 = hx_opt ? std::get<0>(*hx_opt) : Tensor();
  Tensor c0 = hx_opt ? std::get<1>(*hx_opt) : Tensor();
  call_with_hooks({input, h0, c0}, [&] {
    check_forward_input(input, "nn::LSTMCell");
    Tensor h = hx_opt ? h0 : zero_state(input, hidden_size_);
    Tensor c = hx_opt ? c0 : zero_state(input, hidden_size_);
    check_forward_hidden(input, h, "nn::LSTMCell", "hx[0]");
    check_forward_hidden(input, c, "nn::LSTMCell", "hx[1]");
    result = lstm_step(input_projection(input, weight_ih, bias_ih), h, c, weight_hh, bias_hh);
    return std::get<0>(result);
  });
  return result;
}

GRUCellImpl::GRUCellImpl(const GRUCellOptions& o)
    : RNNCellImplBase(o.input_size(), o.hidden_size(), o.bias(), 3), options(o) {
  reset();
}

Tensor GRUCellImpl::forward(const Tensor& input, Tensor hx_) {
  return call_with_hooks({input, hx_}, [&] {
    check_forward_input(input, "nn::GRUCell");
    Tensor hx = hx_.defined() ? hx_ : zero_state(input, hidden_size_);
    check_forward_hidden(input, hx, "nn::GRUCell", "hx");
    return gru_step(input_projection(input, weight_ih, bias_ih), hx, weight_hh, bias_hh);
  });
}

}  // namespace ember::nn
