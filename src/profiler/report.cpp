// What a profile reports: per-name statistics as a table, and the Chrome trace JSON.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "ember/profiler.h"

namespace ember::profiler {
namespace {

std::string shapes_text(const std::vector<std::vector<int64_t>>& shapes) {
  std::string s = "[";
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (i) s += ", ";
    s += '[';
    for (size_t j = 0; j < shapes[i].size(); ++j) {
      if (j) s += ", ";
      s += std::to_string(shapes[i][j]);
    }
    s += ']';
  }
  return s + "]";
}

// libtorch's time format: "12.345us", "1.234ms", "1.234s".
std::string time_text(double ns) {
  char buf[32];
  if (ns >= 1e9) std::snprintf(buf, sizeof buf, "%.3fs", ns / 1e9);
  else if (ns >= 1e6) std::snprintf(buf, sizeof buf, "%.3fms", ns / 1e6);
  else std::snprintf(buf, sizeof buf, "%.3fus", ns / 1e3);
  return buf;
}

std::string percent_text(double part, double whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

std::string pad_left(const std::string& s, size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }
std::string pad_right(const std::string& s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string json_string(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    switch (c) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\t': r += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          r += buf;
        } else {
          r += c;
        }
    }
  }
  return r + "\"";
}

// Microseconds with nanosecond resolution, as the trace format expects.
std::string us_text(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e3);
  return buf;
}

}  // namespace

EventTable Profile::key_averages(bool group_by_input_shape) const {
  const std::vector<Event>& evs = events();
  EventTable t;
  t.grouped_by_shape = group_by_input_shape;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const Event& e : evs) {
    std::string shapes = group_by_input_shape ? shapes_text(e.input_shapes) : std::string();
    auto key = std::make_pair(e.name, shapes);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, t.rows.size()).first;
      EventStats s;
      s.name = e.name;
      s.input_shapes = std::move(shapes);
      t.rows.push_back(std::move(s));
    }
    EventStats& s = t.rows[it->second];
    ++s.count;
    s.total_ns += e.duration_ns;
    s.self_ns += e.self_ns;
    (e.phase == Phase::Backward ? s.backward_calls : s.forward_calls) += 1;
    if (e.device_us >= 0) {
      s.device_us += e.device_us;
      s.has_device_time = true;
    }
    t.self_total_ns += e.self_ns;
  }
  std::stable_sort(t.rows.begin(), t.rows.end(),
                   [](const EventStats& a, const EventStats& b) { return a.total_ns > b.total_ns; });
  return t;
}

std::string EventTable::table(size_t row_limit) const {
  const size_t n = row_limit ? std::min(row_limit, rows.size()) : rows.size();
  size_t name_w = 4;
  bool device = false;
  for (size_t i = 0; i < n; ++i) {
    name_w = std::max(name_w, rows[i].name.size());
    device = device || rows[i].has_device_time;
  }
  name_w = std::min<size_t>(name_w, 55);
  const size_t w = 12;
  std::vector<std::string> heads = {"Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"};
  if (device) {
    heads.push_back("Device total");
    heads.push_back("Device avg");
  }
  heads.push_back("# of Calls");
  heads.push_back("# Backward");
  std::ostringstream os;
  std::string rule = std::string(name_w, '-');
  for (size_t i = 0; i < heads.size(); ++i) rule += "  " + std::string(w, '-');
  if (grouped_by_shape) rule += "  " + std::string(30, '-');
  os << rule << '\n' << pad_right("Name", name_w);
  for (const auto& h : heads) os << "  " << pad_left(h, w);
  if (grouped_by_shape) os << "  Input Shapes";
  os << '\n' << rule << '\n';
  const double total = static_cast<double>(self_total_ns);
  for (size_t i = 0; i < n; ++i) {
    const EventStats& r = rows[i];
    std::string name = r.name.size() > name_w ? r.name.substr(0, name_w - 3) + "..." : r.name;
    os << pad_right(name, name_w);
    os << "  " << pad_left(percent_text(static_cast<double>(r.self_ns), total), w);
    os << "  " << pad_left(time_text(static_cast<double>(r.self_ns)), w);
    os << "  " << pad_left(percent_text(static_cast<double>(r.total_ns), total), w);
    os << "  " << pad_left(time_text(static_cast<double>(r.total_ns)), w);
    os << "  " << pad_left(time_text(r.avg_ns()), w);
    if (device) {
      os << "  " << pad_left(r.has_device_time ? time_text(r.device_us * 1e3) : "-", w);
      os << "  " << pad_left(r.has_device_time ? time_text(r.device_us * 1e3 / static_cast<double>(r.count)) : "-", w);
    }
    os << "  " << pad_left(std::to_string(r.count), w);
    os << "  " << pad_left(std::to_string(r.backward_calls), w);
    if (grouped_by_shape) os << "  " << r.input_shapes;
    os << '\n';
  }
  os << rule << '\n' << "Self CPU time total: " << time_text(total) << '\n';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const EventTable& t) { return os << t.table(); }

std::string Profile::chrome_trace() const {
  const std::vector<Event>& evs = events();
  const long pid = static_cast<long>(getpid());
  std::ostringstream os;
  os << "{\"traceEvents\": [";
  for (size_t i = 0; i < evs.size(); ++i) {
    const Event& e = evs[i];
    os << (i ? ",\n" : "\n") << "{\"name\": " << json_string(e.name)
       << ", \"cat\": " << (e.phase == Phase::Backward ? "\"backward\"" : "\"cpu_op\"") << ", \"ph\": \"X\""
       << ", \"ts\": " << us_text(e.start_ns) << ", \"dur\": " << us_text(e.duration_ns) << ", \"pid\": " << pid
       << ", \"tid\": " << e.thread << ", \"args\": {\"Input Dims\": [";
    for (size_t k = 0; k < e.input_shapes.size(); ++k) {
      os << (k ? ", " : "") << '[';
      for (size_t j = 0; j < e.input_shapes[k].size(); ++j) os << (j ? ", " : "") << e.input_shapes[k][j];
      os << ']';
    }
    os << "], \"Device\": " << json_string(e.device.str())
       << ", \"Phase\": " << (e.phase == Phase::Backward ? "\"backward\"" : "\"forward\"");
    if (e.device_us >= 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", e.device_us);
      os << ", \"Device time (us)\": " << buf;
    }
    os << "}}";
  }
  os << "\n], \"displayTimeUnit\": \"ms\"}\n";
  return os.str();
}

void Profile::export_chrome_trace(const std::string& path) const {
  std::ofstream f(path);
  EMBER_CHECK(f.good(), Error, "profiler::export_chrome_trace", "cannot open '", path, "' for writing");
  f << chrome_trace();
  EMBER_CHECK(f.good(), Error, "profiler::export_chrome_trace", "writing '", path, "' failed");
}

}  // namespace ember::profiler
