#pragma once
// The op profiler (torch.autograd.profiler's role): while an ember::profiler::Profile is
// alive, every op front-end and every backward node records one event with its name,
// input shapes, device, wall time and phase. Events nest (an op built from other ops
// contains theirs), so each has a total and a self time.
//
//   ember::profiler::Profile prof;
//   auto loss = model->forward(x).sum();
//   loss.backward();
//   prof.stop();
//   std::cout << prof.key_averages().table();
//   prof.export_chrome_trace("trace.json");   // open in https://ui.perfetto.dev
//
// Inactive, a recording point costs one relaxed load of a global flag.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/detail/record_function.h"
#include "ember/tensor.h"

namespace ember::profiler {

/// Whether an event ran in forward code or inside the autograd engine.
enum class Phase : uint8_t { Forward, Backward };

/// One recorded op or backward node. Times are nanoseconds since the profile started.
struct Event {
  std::string name;
  Phase phase = Phase::Forward;
  Device device{kCPU};
  std::vector<std::vector<int64_t>> input_shapes;  // empty when shapes are not recorded
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  int64_t self_ns = 0;       // duration minus the events nested directly inside
  double device_us = -1;     // device time measured by a DeviceTimer; -1 when none
  uint32_t thread = 0;       // small per-process thread index (0 = first recording thread)
  uint32_t depth = 0;        // nesting depth (0 = outermost)
};

/// Statistics of the events sharing a name (and input shapes when grouped by them).
struct EventStats {
  std::string name;
  std::string input_shapes;  // "[[2, 3], [3]]" when grouped by input shape, else empty
  int64_t count = 0;
  int64_t total_ns = 0;
  int64_t self_ns = 0;
  double device_us = 0;      // summed device time (when a DeviceTimer measured it)
  bool has_device_time = false;
  int64_t forward_calls = 0;
  int64_t backward_calls = 0;
  /// Mean total time per call in nanoseconds.
  double avg_ns() const { return count ? static_cast<double>(total_ns) / static_cast<double>(count) : 0.0; }
};

/// key_averages()'s result: rows sorted by total time, largest first.
struct EventTable {
  std::vector<EventStats> rows;
  /// Sum of every event's self time (the time spent in profiled code).
  int64_t self_total_ns = 0;
  bool grouped_by_shape = false;
  /// The table as text (libtorch's layout); row_limit 0 prints every row.
  std::string table(size_t row_limit = 0) const;
};
std::ostream& operator<<(std::ostream& os, const EventTable& t);

/// Device-side timing for ops on an accelerator. The hook a backend installs (the CUDA
/// backend: a pair of cudaEvents per op) is called when an op whose first tensor input
/// lives on that device type starts and ends; tokens are resolved to times when the
/// profile stops, so recording never synchronizes the device.
class DeviceTimer {
 public:
  virtual ~DeviceTimer() = default;
  /// Records a start marker on the device's current stream; returns a token.
  virtual void* start(Device device) = 0;
  /// Records the end marker for a token returned by start().
  virtual void stop(void* token) = 0;
  /// The device time between the markers in microseconds (may wait for the device);
  /// releases the token.
  virtual double elapsed_us(void* token) = 0;
};
/// Installs (or, with nullptr, removes) the device timer for a device type.
void set_device_timer(DeviceType type, DeviceTimer* timer);

/// Records events while alive (RAII). One profile can be active at a time; starting a
/// second raises ember::Error.
class Profile {
 public:
  /// Starts profiling; record_shapes keeps each event's input shapes.
  explicit Profile(bool record_shapes = true);
  ~Profile();
  Profile(const Profile&) = delete;
  Profile& operator=(const Profile&) = delete;

  /// Stops recording (the destructor does too); events of ops still running are dropped.
  void stop();
  /// The recorded events in start order (stops recording first, as do the reports below).
  const std::vector<Event>& events() const;
  /// Per-name statistics sorted by total time (torch.autograd.profiler's key_averages).
  EventTable key_averages(bool group_by_input_shape = false) const;
  /// Writes the events as Chrome trace JSON (chrome://tracing, ui.perfetto.dev).
  void export_chrome_trace(const std::string& path) const;
  /// The Chrome trace JSON as a string.
  std::string chrome_trace() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

/// Whether a Profile is recording now.
bool is_enabled();

}  // namespace ember::profiler
