#pragma once
// Anomaly mode's record of a forward call, and the report built from it.
//
// Op signatures must stay libtorch's (they are passed around as function pointers), so
// the user's call site cannot arrive as a defaulted std::source_location argument: that
// would name the line inside ember that called record(). Instead, while anomaly mode is
// on, init_node() stores the raw return addresses of the call stack (glibc backtrace(),
// a few microseconds per node). Only when a report is made are they resolved to
// function, file and line (dladdr1 for the module and its load bias, then one
// `addr2line` run per module), and the first frame outside ember's own sources (src/,
// autograd/, backends/, include/ember/) and outside system headers is the user's call.
// A program needs line tables (-g or -g1) for file:line; without them the report names
// the calling function. Off, anomaly mode costs the one relaxed load in init_node().
#include <source_location>
#include <string>
#include <vector>

#include "ember/autograd.h"

namespace ember::autograd {

struct AnomalyMetadata {
  std::vector<void*> stack;          // return addresses at node creation, innermost first
  std::string input_shapes;          // "[2, 3], [3]"
  std::source_location recorded_at;  // the record() call inside ember
};

/// Fills `node`'s anomaly record: the current call stack and the inputs' shapes.
void record_anomaly_metadata(Node& node, const Tensor* const* inputs, size_t n, std::source_location loc);
/// Same for inputs given by value (custom Functions).
void record_anomaly_metadata(Node& node, const variable_list& inputs);

/// One frame of a resolved call stack (inlined calls are frames of their own).
struct StackFrame {
  std::string function;  // demangled, "??" when unknown
  std::string file;      // normalized path, empty when unknown
  int line = 0;
  std::string module;    // the executable or shared object
  bool in_ember = false; // ember's own sources or headers
  bool in_system = false;  // system headers and libraries (/usr/..., glibc)
};

/// Resolves a recorded stack to frames, innermost first.
std::vector<StackFrame> symbolize(const std::vector<void*>& stack);

/// "The forward op <fn> was called at <file:line> (in <function>) with inputs of shapes
/// ..." plus the user's part of the forward call stack; empty without a record.
std::string describe_forward_call(const Node& node);

}  // namespace ember::autograd
