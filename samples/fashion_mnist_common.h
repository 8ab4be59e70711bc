#pragma once
// The parts fashion_mnist_mlp.cpp and fashion_mnist_cnn.cpp share: command-line flags,
// the data loaders, one training epoch with a progress display, and test accuracy.
#include <ember/ember.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace fashion_mnist {

namespace data = ember::data;

/// Settings of a run; each sample passes its own defaults to parse_flags.
struct Flags {
  int epochs = 10;
  int batch_size = 64;
  double lr = 1e-3;
  int threads = 0;           // 0: ember's default
  std::string save_path;     // --save: write the trained weights here
  std::string eval_path;     // --eval: load weights from here and only evaluate
  std::string data_dir = data::datasets::fashion_mnist_root();
  std::string device = "cpu";  // --device: "cpu", "cuda" or "cuda:N"
};

inline void print_usage(const char* program, const Flags& d) {
  std::fprintf(stderr,
               "usage: %s [--epochs N] [--batch-size N] [--lr X] [--threads N]\n"
               "          [--save PATH] [--eval PATH] [--data DIR] [--device cpu|cuda]\n"
               "  --epochs N      training epochs (default %d)\n"
               "  --batch-size N  training batch size (default %d)\n"
               "  --lr X          peak learning rate of Adam, annealed to 0 (default %g)\n"
               "  --threads N     threads for ember's kernels (default: ember's choice)\n"
               "  --save PATH     save the trained weights to PATH\n"
               "  --eval PATH     load weights from PATH, skip training, print test accuracy\n"
               "  --data DIR      Fashion-MNIST directory (default %s)\n"
               "  --device D      where the model trains: cpu (default), cuda or cuda:N\n",
               program, d.epochs, d.batch_size, d.lr, d.data_dir.c_str());
}

/// Parses "--name value" and "--name=value" flags over `defaults`. Prints the usage and
/// exits with status 2 on an unknown flag, a missing value or a bad value (0 on --help).
inline Flags parse_flags(int argc, char** argv, const Flags& defaults) {
  Flags f = defaults;
  auto fail = [&](const std::string& why) {
    std::fprintf(stderr, "%s: %s\n", argv[0], why.c_str());
    print_usage(argv[0], defaults);
    std::exit(2);
  };
  auto positive_int = [&](const std::string& name, const std::string& v) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n <= 0 || n > 1000000) fail("bad value for " + name + ": '" + v + "'");
    return static_cast<int>(n);
  };
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i], value;
    if (name == "--help" || name == "-h") {
      print_usage(argv[0], defaults);
      std::exit(0);
    }
    if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const bool known = name == "--epochs" || name == "--batch-size" || name == "--lr" || name == "--threads" ||
                       name == "--save" || name == "--eval" || name == "--data" || name == "--device";
    if (!known) fail("unknown argument '" + std::string(argv[i]) + "'");
    if (std::string(argv[i]) == name) {  // "--name value"
      if (i + 1 >= argc) fail("missing value for " + name);
      value = argv[++i];
    }
    if (name == "--epochs") {
      f.epochs = positive_int(name, value);
    } else if (name == "--batch-size") {
      f.batch_size = positive_int(name, value);
    } else if (name == "--threads") {
      f.threads = positive_int(name, value);
    } else if (name == "--lr") {
      char* end = nullptr;
      f.lr = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(f.lr > 0 && f.lr < 10)) fail("bad value for --lr: '" + value + "'");
    } else if (name == "--save" || name == "--eval" || name == "--data" || name == "--device") {
      if (value.empty()) fail("empty value for " + name);
      (name == "--save" ? f.save_path : name == "--eval" ? f.eval_path : name == "--data" ? f.data_dir : f.device) =
          value;
    }
  }
  return f;
}

/// A split of Fashion-MNIST, normalized with the training set's pixel mean and standard
/// deviation and stacked into batches.
inline auto dataset(const std::string& dir, data::datasets::MNIST::Mode mode) {
  return data::datasets::MNIST(dir, mode)
      .map(data::transforms::Normalize<>(0.2860, 0.3530))
      .map(data::transforms::Stack<>());
}

/// Trains `model` for one epoch of `loader` with cross-entropy, showing a progress bar
/// labelled "epoch i/N"; returns the mean training loss.
template <class Model, class Loader>
double train_epoch(Model& model, ember::optim::Optimizer& optimizer, Loader& loader, int64_t steps, int epoch,
                   const Flags& f) {
  ember::ProgressBar progress(steps, "epoch " + std::to_string(epoch) + "/" + std::to_string(f.epochs));
  const ember::Device device(f.device);
  model->train();
  for (auto& batch : loader) {
    optimizer.zero_grad();
    ember::Tensor loss = ember::nn::functional::cross_entropy(model->forward(batch.data.to(device)),
                                                              batch.target.to(device));
    loss.backward();
    optimizer.step();
    progress.update(loss.item<double>(), batch.data.size(0));
  }
  progress.finish();
  return progress.mean_loss();
}

/// How many of `loader`'s images `model` classifies correctly, counted in eval mode
/// (dropout off, batch norm on its running statistics) and without a tape.
struct Accuracy {
  int64_t correct = 0, total = 0;
  double percent() const { return total > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(total) : 0; }
};

template <class Model, class Loader>
Accuracy evaluate(Model& model, Loader& loader, const ember::Device& device) {
  model->eval();
  ember::NoGradGuard no_grad;
  Accuracy acc;
  for (auto& batch : loader) {
    acc.correct +=
        model->forward(batch.data.to(device)).argmax(1).eq(batch.target.to(device)).sum().template item<int64_t>();
    acc.total += batch.data.size(0);
  }
  return acc;
}

/// Wall-clock seconds and process CPU seconds (all threads) since construction.
struct Stopwatch {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  double wall_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count(); }
  double cpu_s() const { return static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

/// The whole program around a model: loads the data, then either evaluates saved weights
/// (--eval) or trains with Adam and a cosine-annealed learning rate, printing the test
/// accuracy after every epoch, and saves the weights (--save).
template <class Model>
int train_and_evaluate(Model& model, const Flags& f) {
  if (f.threads > 0) ember::set_num_threads(f.threads);
  const ember::Device device(f.device);
  if (device.is_cuda() && !ember::cuda::is_available()) {
    std::fprintf(stderr, "--device %s: no CUDA device is available\n", f.device.c_str());
    return 1;
  }
  model->to(device);
  using Mode = data::datasets::MNIST::Mode;
  auto test = data::make_data_loader<data::samplers::SequentialSampler>(dataset(f.data_dir, Mode::kTest),
                                                                        data::DataLoaderOptions().batch_size(1000));

  if (!f.eval_path.empty()) {
    ember::load(model, f.eval_path);
    const Accuracy acc = evaluate(model, *test, device);
    std::printf("loaded %s\ntest accuracy %.2f%% (%lld/%lld)\n", f.eval_path.c_str(), acc.percent(),
                static_cast<long long>(acc.correct), static_cast<long long>(acc.total));
    return 0;
  }

  auto train_set = dataset(f.data_dir, Mode::kTrain);
  const int64_t steps = (static_cast<int64_t>(*train_set.size()) + f.batch_size - 1) / f.batch_size;
  auto train = data::make_data_loader<data::samplers::RandomSampler>(
      std::move(train_set), data::DataLoaderOptions().batch_size(static_cast<size_t>(f.batch_size)));

  ember::optim::Adam optimizer(model->parameters(), ember::optim::AdamOptions(f.lr));
  // The learning rate follows half a cosine from lr down to 0 over the run.
  ember::optim::CosineAnnealingLR schedule(optimizer, f.epochs);
  Stopwatch run_time;
  Accuracy acc;
  for (int epoch = 1; epoch <= f.epochs; ++epoch) {
    Stopwatch epoch_time;
    const double lr = schedule.get_last_lr()[0];
    const double loss = train_epoch(model, optimizer, *train, steps, epoch, f);
    acc = evaluate(model, *test, device);
    std::printf("epoch %d/%d  lr %.2e  train loss %.4f  test accuracy %.2f%%  %.1f s\n", epoch, f.epochs, lr, loss,
                acc.percent(), epoch_time.wall_s());
    std::fflush(stdout);
    schedule.step();
  }
  std::printf("test accuracy %.2f%% (%lld/%lld) after %d epoch%s in %.1f s (%.1f s CPU)\n", acc.percent(),
              static_cast<long long>(acc.correct), static_cast<long long>(acc.total), f.epochs,
              f.epochs == 1 ? "" : "s", run_time.wall_s(), run_time.cpu_s());
  if (!f.save_path.empty()) {
    ember::save(model, f.save_path);
    std::printf("saved the weights to %s\n", f.save_path.c_str());
  }
  return 0;
}

/// train_and_evaluate, with a missing data directory or weights file reported as an
/// error message and exit status 1.
template <class Model>
int run(Model& model, const Flags& f) {
  try {
    return train_and_evaluate(model, f);
  } catch (const ember::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}

}  // namespace fashion_mnist
