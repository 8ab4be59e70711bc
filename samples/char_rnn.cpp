// A character-level language model: an embedding, a one-layer nn::LSTM and a linear
// read-out, trained briefly on samples/data/char_rnn.txt (a few paragraphs) to predict
// each next character. Prints the falling loss, then text sampled from the model one
// character at a time, feeding the LSTM's state forward.
//
//   char_rnn [--steps N] [--text PATH]      (defaults: 100 steps, the shipped text)
#include <ember/ember.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifndef CHAR_RNN_TEXT
#define CHAR_RNN_TEXT "samples/data/char_rnn.txt"
#endif

namespace nn = ember::nn;
namespace F = ember::nn::functional;
using ember::Tensor;

struct CharModelImpl : nn::Module {
  CharModelImpl(int64_t vocab, int64_t embed, int64_t hidden)
      : embedding(register_module("embedding", nn::Embedding(vocab, embed))),
        lstm(register_module("lstm", nn::LSTM(nn::LSTMOptions(embed, hidden).batch_first(true)))),
        head(register_module("head", nn::Linear(hidden, vocab))) {}

  // chars: int64 [batch, time]; returns logits [batch, time, vocab] and the LSTM's state.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(
      const Tensor& chars, std::optional<std::tuple<Tensor, Tensor>> state = std::nullopt) {
    auto [out, new_state] = lstm(embedding(chars), state);
    return {head(out), new_state};
  }

  nn::Embedding embedding;
  nn::LSTM lstm;
  nn::Linear head;
};
EMBER_MODULE(CharModel);

int main(int argc, char** argv) {
  int steps = 100;
  std::string path = CHAR_RNN_TEXT;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc && std::atoi(argv[i + 1]) > 0) {
      steps = std::atoi(argv[++i]);
    } else if (a == "--text" && i + 1 < argc) {
      path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--steps N] [--text PATH]\n", argv[0]);
      return 2;
    }
  }
  std::ifstream file(path);
  if (!file) {
    std::fprintf(stderr, "%s: cannot read %s\n", argv[0], path.c_str());
    return 1;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();

  // The vocabulary: every byte value that occurs in the text.
  std::vector<int> index_of(256, -1);
  std::string vocab;
  for (unsigned char c : text) {
    if (index_of[c] < 0) {
      index_of[c] = static_cast<int>(vocab.size());
      vocab.push_back(static_cast<char>(c));
    }
  }
  std::vector<int64_t> ids;
  for (unsigned char c : text) ids.push_back(index_of[c]);
  const Tensor encoded = ember::tensor(ids);
  std::printf("%zu characters, %zu distinct\n", text.size(), vocab.size());

  ember::manual_seed(0);
  const int64_t V = static_cast<int64_t>(vocab.size()), batch = 32, seq = 64;
  CharModel model(V, 32, 128);
  ember::optim::Adam optimizer(model->parameters(), ember::optim::AdamOptions(1e-2));

  // Each step: `batch` random windows of seq + 1 characters; predict characters 1..seq from 0..seq-1.
  double loss_sum = 0;
  const int report_every = steps >= 10 ? steps / 10 : 1;
  for (int step = 1; step <= steps; ++step) {
    Tensor starts = ember::randint(static_cast<int64_t>(text.size()) - seq - 1, {batch, 1});
    Tensor windows = encoded.index_select(0, (starts + ember::arange(seq + 1)).reshape({-1})).reshape({batch, seq + 1});
    Tensor inputs = windows.slice(1, 0, seq), targets = windows.slice(1, 1, seq + 1);

    optimizer.zero_grad();
    Tensor logits = std::get<0>(model->forward(inputs));
    Tensor loss = F::cross_entropy(logits.reshape({-1, V}), targets.reshape({-1}));
    loss.backward();
    ember::nn::utils::clip_grad_norm_(model->parameters(), 5.0);
    optimizer.step();
    loss_sum += loss.item<double>();
    if (step % report_every == 0) {
      std::printf("step %4d  loss %.3f\n", step, loss_sum / report_every);
      std::fflush(stdout);
      loss_sum = 0;
    }
  }

  // Sampling: feed a prompt, then draw each next character from softmax(logits / 0.7).
  ember::NoGradGuard no_grad;
  model->eval();
  std::mt19937 rng(1);
  std::string sample = "The keeper";
  std::optional<std::tuple<Tensor, Tensor>> state;
  Tensor logits;
  for (char c : sample) {
    std::tie(logits, state) = model->forward(ember::tensor({int64_t{index_of[static_cast<unsigned char>(c)]}}).reshape({1, 1}), state);
  }
  for (int i = 0; i < 200; ++i) {
    Tensor probs = ember::softmax(logits.reshape({V}) / 0.7, 0).to(ember::kDouble).contiguous();
    std::vector<double> p(probs.data_ptr<double>(), probs.data_ptr<double>() + V);
    const int next = std::discrete_distribution<int>(p.begin(), p.end())(rng);
    sample.push_back(vocab[static_cast<size_t>(next)]);
    std::tie(logits, state) = model->forward(ember::tensor({int64_t{next}}).reshape({1, 1}), state);
  }
  std::printf("\nsample:\n%s\n", sample.c_str());
  return 0;
}
