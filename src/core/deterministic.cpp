// The process-wide deterministic-algorithms switch of ember/deterministic.h.
#include "ember/deterministic.h"

#include <atomic>

namespace ember {
namespace {
std::atomic<bool> g_deterministic{false};
std::atomic<bool> g_warn_only{false};
}  // namespace

void use_deterministic_algorithms(bool mode, bool warn_only) {
  g_warn_only.store(warn_only);
  g_deterministic.store(mode);
}
bool are_deterministic_algorithms_enabled() { return g_deterministic.load(std::memory_order_relaxed); }
bool is_deterministic_algorithms_warn_only_enabled() { return g_warn_only.load(std::memory_order_relaxed); }

}  // namespace ember
