// Recording of profiler events: a per-thread stack of open events (for nesting and self
// time) and the active profile's event list.
#include <algorithm>
#include <chrono>
#include <mutex>

#include "ember/autograd.h"
#include "ember/profiler.h"
#include "src/profiler/scope.h"

namespace ember::profiler {

struct Profile::State {
  std::mutex mutex;
  std::vector<Event> events;
  std::vector<std::pair<size_t, std::pair<DeviceTimer*, void*>>> device_tokens;  // event index -> token
  bool record_shapes = true;
  bool stopped = false;
  int64_t start_ns = 0;
};

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::mutex g_mutex;  // guards g_state
std::shared_ptr<Profile::State> g_state;
std::atomic<DeviceTimer*> g_timers[kNumDeviceTypes] = {};
std::atomic<uint32_t> g_next_thread{0};

thread_local bool t_backward = false;
thread_local uint32_t t_thread = UINT32_MAX;

struct Frame {
  std::shared_ptr<Profile::State> state;  // null when the profile stopped before begin
  Event event;
  int64_t child_ns = 0;
  DeviceTimer* timer = nullptr;
  void* token = nullptr;
};
thread_local std::vector<Frame> t_stack;

std::shared_ptr<Profile::State> current_state() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_state;
}

uint32_t thread_index() {
  if (t_thread == UINT32_MAX) t_thread = g_next_thread.fetch_add(1, std::memory_order_relaxed);
  return t_thread;
}

void add_shape(Event& e, const Tensor& t, bool& have_device) {
  if (!t.defined()) {
    e.input_shapes.emplace_back();
    return;
  }
  if (!have_device) {
    e.device = t.device();
    have_device = true;
  }
  IntArrayRef s = t.sizes();
  e.input_shapes.emplace_back(s.begin(), s.end());
}

// Pushes a frame; `fill` records the inputs. The clock starts after the bookkeeping.
template <class Fill>
void push_frame(std::string_view name, Fill&& fill) {
  Frame f;
  f.state = current_state();
  if (f.state) {
    f.event.name = std::string(name);
    f.event.phase = t_backward ? Phase::Backward : Phase::Forward;
    f.event.thread = thread_index();
    f.event.depth = static_cast<uint32_t>(t_stack.size());
    bool have_device = false;
    fill(f.event, have_device);
    if (!f.state->record_shapes) f.event.input_shapes.clear();
    const int type = static_cast<int>(f.event.device.type());
    if (type >= 0 && type < kNumDeviceTypes && f.event.device.type() != kCPU) {
      f.timer = g_timers[type].load(std::memory_order_acquire);
      if (f.timer) f.token = f.timer->start(f.event.device);
    }
  }
  t_stack.push_back(std::move(f));
  t_stack.back().event.start_ns = now_ns();
}

}  // namespace

bool is_enabled() { return detail::g_active.load(std::memory_order_relaxed); }

void set_device_timer(DeviceType type, DeviceTimer* timer) {
  const int i = static_cast<int>(type);
  EMBER_CHECK(i >= 0 && i < kNumDeviceTypes, Error, "profiler::set_device_timer", "unknown device type ", type);
  g_timers[i].store(timer, std::memory_order_release);
}

namespace detail {

void begin_event(std::string_view name, const Tensor* const* inputs, size_t n) {
  push_frame(name, [&](Event& e, bool& have_device) {
    for (size_t i = 0; i < n; ++i) add_shape(e, *inputs[i], have_device);
  });
}

void begin_event_list(std::string_view name, TensorList inputs) {
  push_frame(name, [&](Event& e, bool& have_device) {
    for (const Tensor& t : inputs) add_shape(e, t, have_device);
  });
}

void begin_node(const autograd::Node& node, const std::vector<Tensor>& grads) {
  const std::string name = node.name();
  push_frame(name, [&](Event& e, bool& have_device) {
    for (const Tensor& t : grads) add_shape(e, t, have_device);
  });
}

void end_event() {
  const int64_t end = now_ns();
  if (t_stack.empty()) return;
  Frame f = std::move(t_stack.back());
  t_stack.pop_back();
  const int64_t duration = end - f.event.start_ns;
  if (!t_stack.empty()) t_stack.back().child_ns += duration;
  if (f.timer) f.timer->stop(f.token);
  if (!f.state) return;
  std::lock_guard<std::mutex> lock(f.state->mutex);
  if (f.state->stopped) {
    if (f.timer) f.timer->elapsed_us(f.token);  // releases the token
    return;
  }
  f.event.start_ns -= f.state->start_ns;
  f.event.duration_ns = duration;
  f.event.self_ns = duration - f.child_ns;
  if (f.timer) f.state->device_tokens.push_back({f.state->events.size(), {f.timer, f.token}});
  f.state->events.push_back(std::move(f.event));
}

bool enter_backward() {
  const bool previous = t_backward;
  t_backward = true;
  return previous;
}

void leave_backward(bool previous) { t_backward = previous; }

}  // namespace detail

Profile::Profile(bool record_shapes) : state_(std::make_shared<State>()) {
  state_->record_shapes = record_shapes;
  std::lock_guard<std::mutex> lock(g_mutex);
  EMBER_CHECK(!g_state, Error, "profiler::Profile",
              "a profile is already recording; stop it before starting another");
  state_->start_ns = now_ns();
  g_state = state_;
  detail::g_active.store(true, std::memory_order_relaxed);
}

Profile::~Profile() { stop(); }

void Profile::stop() {
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_state == state_) {
      g_state.reset();
      detail::g_active.store(false, std::memory_order_relaxed);
    }
  }
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (state_->stopped) return;
  state_->stopped = true;
  for (auto& [index, token] : state_->device_tokens)
    state_->events[index].device_us = token.first->elapsed_us(token.second);
  state_->device_tokens.clear();
  // Start order; an enclosing event before the events nested in it.
  std::stable_sort(state_->events.begin(), state_->events.end(), [](const Event& a, const Event& b) {
    if (a.start_ns != b.start_ns) return a.start_ns < b.start_ns;
    return a.depth < b.depth;
  });
}

const std::vector<Event>& Profile::events() const {
  const_cast<Profile*>(this)->stop();
  return state_->events;
}

}  // namespace ember::profiler
