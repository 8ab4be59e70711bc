#include "ember/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "ember/errors.h"

namespace ember {
namespace {

// "12s", "3m05s", "1h02m".
std::string format_seconds(double s) {
  const auto total = static_cast<int64_t>(s + 0.5);
  char buf[32];
  if (total < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(total));
  } else if (total < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(total / 60), static_cast<long long>(total % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(total / 3600),
                  static_cast<long long>(total % 3600 / 60));
  }
  return buf;
}

}  // namespace

ProgressBar::ProgressBar(int64_t total_steps, std::string label, std::ostream* out, int64_t every)
    : total_(total_steps),
      label_(std::move(label)),
      out_(out ? out : &std::cout),
      terminal_(out == nullptr && isatty(STDOUT_FILENO) == 1),
      every_(every > 0 ? every : (total_steps >= 10 ? total_steps / 10 : 1)),
      start_(std::chrono::steady_clock::now()) {
  EMBER_CHECK(total_steps > 0, Error, "ProgressBar", "total_steps must be positive, got ", total_steps);
  EMBER_CHECK(every >= 0, Error, "ProgressBar", "every must be non-negative, got ", every);
}

void ProgressBar::update(double loss, int64_t samples) {
  ++step_;
  samples_ += samples;
  loss_sum_ += loss;
  if (terminal_ || step_ % every_ == 0 || step_ == total_) draw();
}

double ProgressBar::mean_loss() const { return step_ > 0 ? loss_sum_ / static_cast<double>(step_) : 0.0; }

std::string ProgressBar::line() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::ostringstream os;
  if (!label_.empty()) os << label_ << "  ";
  os << "step " << step_ << "/" << total_;
  char buf[64];
  std::snprintf(buf, sizeof buf, "  loss %.4f", mean_loss());
  os << buf;
  if (samples_ > 0 && elapsed > 0) {
    std::snprintf(buf, sizeof buf, "  %.0f samples/s", static_cast<double>(samples_) / elapsed);
    os << buf;
  }
  if (step_ > 0 && step_ < total_) {
    os << "  eta " << format_seconds(elapsed / static_cast<double>(step_) * static_cast<double>(total_ - step_));
  } else if (step_ >= total_) {
    os << "  took " << format_seconds(elapsed);
  }
  return os.str();
}

void ProgressBar::draw() {
  if (terminal_) {
    *out_ << "\r\033[K" << line() << std::flush;
  } else {
    *out_ << line() << '\n';
  }
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_) {
    draw();
    *out_ << '\n' << std::flush;
  } else if (step_ % every_ != 0 && step_ != total_) {
    draw();
  }
}

}  // namespace ember
