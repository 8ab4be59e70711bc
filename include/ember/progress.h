#pragma once
// A progress display for training loops: step/total, the running mean of the loss,
// samples per second and the time left. On a terminal it redraws one line in place;
// otherwise (a file, a pipe, a string stream) it prints plain lines every `every` steps.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace ember {

class ProgressBar {
 public:
  /// A display of `total_steps` steps headed by `label` (e.g. "epoch 1/10"), written to
  /// `out` (stdout when null). `every` is the plain-line interval (0: about 10 lines).
  explicit ProgressBar(int64_t total_steps, std::string label = "", std::ostream* out = nullptr,
                       int64_t every = 0);
  /// Counts one step with its loss and the number of samples it processed.
  void update(double loss, int64_t samples = 0);
  /// Ends the display with a final line (a newline on a terminal).
  void finish();
  /// Running mean of the losses passed to update().
  double mean_loss() const;
  /// Steps counted so far.
  int64_t steps() const { return step_; }
  /// The text of the current line: label, step/total, mean loss, samples/s, time left.
  std::string line() const;

 private:
  void draw();
  int64_t total_;
  std::string label_;
  std::ostream* out_;
  bool terminal_;
  int64_t every_;
  int64_t step_ = 0;
  int64_t samples_ = 0;
  double loss_sum_ = 0;
  std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
};

}  // namespace ember
