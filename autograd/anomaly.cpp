// Anomaly mode: recording the forward call stack of each node, and resolving it to the
// user's file:line when a backward formula produces NaN/Inf (see anomaly.h).
#include "autograd/anomaly.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

namespace ember::autograd {
namespace {

constexpr int kMaxFrames = 64;
// This file, relative to ember's source root: resolving frame 0 (which lies here) tells
// where that root is in the paths the line tables use.
constexpr std::string_view kThisFile = "autograd/anomaly.cpp";

std::string demangle(const char* name) {
  if (!name) return "??";
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && d ? std::string(d.get()) : std::string(name);
}

std::string executable_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Where one return address lies: its module and its offset in that module's file.
struct Location {
  std::string module;
  uintptr_t offset = 0;
  std::string symbol;  // from the dynamic symbol table, when exported
};

Location locate(void* pc) {
  Location loc;
  Dl_info info{};
  link_map* map = nullptr;
  if (!dladdr1(pc, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) || !map) return loc;
  loc.module = map->l_name && *map->l_name ? std::string(map->l_name) : executable_path();
  loc.offset = reinterpret_cast<uintptr_t>(pc) - static_cast<uintptr_t>(map->l_addr);
  if (info.dli_sname) loc.symbol = demangle(info.dli_sname);
  return loc;
}

// "func at file:line (discriminator n)" -> frame.
StackFrame parse_frame(std::string text, const std::string& module) {
  StackFrame f;
  f.module = module;
  const size_t at = text.rfind(" at ");
  std::string where = at == std::string::npos ? std::string() : text.substr(at + 4);
  f.function = at == std::string::npos ? text : text.substr(0, at);
  if (size_t d = where.find(" (discriminator"); d != std::string::npos) where.resize(d);
  const size_t colon = where.rfind(':');
  if (colon != std::string::npos) {
    std::string file = where.substr(0, colon);
    f.line = std::atoi(where.c_str() + colon + 1);
    // Line 0: no line table, only the object's file name from the symbol table.
    if (file != "??" && !file.empty() && f.line > 0) f.file = std::filesystem::path(file).lexically_normal().string();
  }
  return f;
}

// Runs addr2line once for the given offsets of one module; one inline chain per offset.
std::vector<std::vector<StackFrame>> addr2line(const std::string& module, const std::vector<uintptr_t>& offsets) {
  std::vector<std::vector<StackFrame>> out;
  std::ostringstream cmd;
  cmd << "addr2line -a -f -C -i -p -e " << shell_quote(module);
  for (uintptr_t o : offsets) cmd << " 0x" << std::hex << o;
  cmd << " 2>/dev/null";
  FILE* p = popen(cmd.str().c_str(), "r");
  if (!p) return out;
  std::string line;
  char buf[4096];
  auto flush = [&](std::string l) {
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
    if (l.rfind("0x", 0) == 0) {  // "0x...: func at file:line" starts an address
      const size_t colon = l.find(": ");
      out.emplace_back();
      out.back().push_back(parse_frame(colon == std::string::npos ? "??" : l.substr(colon + 2), module));
    } else if (const size_t k = l.find("(inlined by) "); k != std::string::npos && !out.empty()) {
      out.back().push_back(parse_frame(l.substr(k + 13), module));
    }
  };
  while (fgets(buf, sizeof buf, p)) {
    line += buf;
    if (!line.empty() && line.back() == '\n') { flush(line); line.clear(); }
  }
  if (!line.empty()) flush(line);
  pclose(p);
  if (out.size() != offsets.size()) out.clear();  // unexpected output: trust none of it
  return out;
}

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}


void classify(std::vector<StackFrame>& frames) {
  // The capture itself (record_anomaly_metadata, in this file) and anything inside it
  // (a sanitizer's backtrace interceptor) is not part of the forward call. Where this
  // file lies gives ember's source root in the paths the line tables use.
  std::string root;
  size_t self = frames.size();
  for (size_t i = 0; i < frames.size(); ++i) {
    const StackFrame& f = frames[i];
    if (f.function.find("record_anomaly_metadata") == std::string::npos) {
      if (self != frames.size()) break;
      continue;
    }
    self = i;
    if (ends_with(f.file, kThisFile)) root = f.file.substr(0, f.file.size() - kThisFile.size());
  }
  if (self != frames.size()) frames.erase(frames.begin(), frames.begin() + static_cast<long>(self) + 1);
  for (StackFrame& f : frames) {
    if (!f.file.empty()) {
      bool ours = f.file.find("/include/ember/") != std::string::npos;
      if (root.empty()) ours = ours || starts_with(f.function, "ember::");
      if (!root.empty() && starts_with(f.file, root)) {
        const std::string rel = f.file.substr(root.size());
        for (std::string_view dir : {"src/", "autograd/", "backends/", "include/ember/"})
          ours = ours || starts_with(rel, dir);
      }
      f.in_ember = ours;
      f.in_system = !ours && (starts_with(f.file, "/usr/") || f.file.front() != '/');
    } else {
      // No line table: go by name (ember's functions all live in namespace ember).
      f.in_ember = starts_with(f.function, "ember::") || f.function.find(" ember::") != std::string::npos;
      f.in_system = !f.in_ember && (starts_with(f.module, "/lib") || starts_with(f.module, "/usr/lib") ||
                                    f.module.find("linux-vdso") != std::string::npos ||
                                    f.function == "_start" || starts_with(f.function, "__libc_"));
    }
  }
}

std::string where(const StackFrame& f) {
  std::ostringstream os;
  if (!f.file.empty()) os << f.file << ":" << f.line;
  else os << f.module;
  if (f.function != "??") os << " (in " << f.function << ")";
  return os.str();
}

}  // namespace

[[gnu::noinline]] void record_anomaly_metadata(Node& node, const Tensor* const* inputs, size_t n,
                                               std::source_location loc) {
  AnomalyMetadata& m = node.ensure_anomaly_metadata();
  m.stack.resize(kMaxFrames);
  const int depth = backtrace(m.stack.data(), kMaxFrames);
  m.stack.resize(static_cast<size_t>(depth > 0 ? depth : 0));
  m.recorded_at = loc;
  std::ostringstream os;
  for (size_t i = 0; i < n; ++i) {
    if (i) os << ", ";
    if (inputs[i]->defined()) os << inputs[i]->sizes(); else os << "undefined";
  }
  m.input_shapes = os.str();
}

[[gnu::noinline]] void record_anomaly_metadata(Node& node, const variable_list& inputs) {
  std::vector<const Tensor*> ptrs;
  for (const Tensor& t : inputs) ptrs.push_back(&t);
  record_anomaly_metadata(node, ptrs.data(), ptrs.size(), std::source_location::current());
}

std::vector<StackFrame> symbolize(const std::vector<void*>& stack) {
  // Each entry is a return address, just after a call; one byte back lies inside the
  // call instruction, whose line is the caller's line.
  std::vector<Location> locs;
  std::map<std::string, std::vector<size_t>> by_module;
  for (size_t i = 0; i < stack.size(); ++i) {
    void* pc = static_cast<char*>(stack[i]) - 1;
    locs.push_back(locate(pc));
    if (!locs.back().module.empty()) by_module[locs.back().module].push_back(i);
  }
  std::vector<std::vector<StackFrame>> chains(stack.size());
  for (auto& [module, idx] : by_module) {
    std::vector<uintptr_t> offsets;
    for (size_t i : idx) offsets.push_back(locs[i].offset);
    auto resolved = addr2line(module, offsets);
    for (size_t k = 0; k < resolved.size(); ++k) chains[idx[k]] = std::move(resolved[k]);
  }
  std::vector<StackFrame> frames;
  for (size_t i = 0; i < stack.size(); ++i) {
    if (chains[i].empty()) {  // addr2line unavailable: the exported symbol, if any
      StackFrame f;
      f.module = locs[i].module;
      f.function = locs[i].symbol.empty() ? "??" : locs[i].symbol;
      chains[i].push_back(f);
    }
    for (StackFrame& f : chains[i]) {
      if (f.function == "??" && !locs[i].symbol.empty()) f.function = locs[i].symbol;
      frames.push_back(std::move(f));
    }
  }
  classify(frames);
  return frames;
}

std::string describe_forward_call(const Node& node) {
  const AnomalyMetadata* m = node.anomaly_metadata();
  if (!m) return {};
  std::vector<StackFrame> frames = symbolize(m->stack);
  // The user's call: the first frame that is neither ember's nor the system's, with
  // something to show for it. The op they called: the outermost ember frame before it.
  size_t user = frames.size();
  std::string op;
  for (size_t i = 0; i < frames.size(); ++i) {
    const StackFrame& f = frames[i];
    if (f.in_ember) { if (f.function != "??") op = f.function; continue; }
    if (f.in_system || (f.file.empty() && f.function == "??")) continue;
    user = i;
    break;
  }
  std::ostringstream os;
  os << "The forward op";
  if (!op.empty()) os << " " << op;
  if (user < frames.size()) {
    os << " was called at " << where(frames[user]);
  } else if (m->recorded_at.line() != 0) {
    os << " was recorded at " << m->recorded_at.file_name() << ":" << m->recorded_at.line()
       << " (the caller could not be resolved: build with -g for file:line)";
  } else {
    os << " was called from an unresolved location";
  }
  if (!m->input_shapes.empty()) os << " with inputs of shapes " << m->input_shapes;
  os << ".";
  std::vector<const StackFrame*> callers;  // the user's frames, innermost first
  for (size_t i = user; i < frames.size() && callers.size() < 8; ++i) {
    if (frames[i].in_ember || frames[i].in_system) continue;
    if (frames[i].file.empty() && frames[i].function == "??") continue;
    callers.push_back(&frames[i]);
  }
  if (callers.size() > 1) {
    os << "\nForward call stack (ember's and system frames omitted):";
    for (size_t k = 0; k < callers.size(); ++k) os << "\n  #" << k << " " << where(*callers[k]);
  }
  return os.str();
}

}  // namespace ember::autograd
