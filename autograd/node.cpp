// Nodes, saved tensors, grad mode and the recording helpers of function.h.
#include <atomic>
#include <sstream>

#include "autograd/autograd_meta.h"
#include "autograd/function.h"
#include "ember/ops.h"

namespace ember::autograd {
namespace {
thread_local bool t_grad_enabled = true;
thread_local uint64_t t_sequence_nr = 0;
std::atomic<bool> g_anomaly{false};
std::atomic<unsigned> g_hook_id{1};
}  // namespace

bool GradMode::is_enabled() { return t_grad_enabled; }
void GradMode::set_enabled(bool e) { t_grad_enabled = e; }
bool AnomalyMode::is_enabled() { return g_anomaly.load(std::memory_order_relaxed); }
void AnomalyMode::set_enabled(bool e) { g_anomaly.store(e, std::memory_order_relaxed); }
uint64_t next_sequence_nr() { return t_sequence_nr++; }

// ---- SavedTensor ------------------------------------------------------------------

SavedTensor::SavedTensor(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  version_ = t._version();
  requires_grad_ = t.requires_grad();
  if (is_output) {
    // Keep data without autograd state: holding the output itself would make a cycle
    // output -> grad_fn -> output. unpack() re-attaches it to the owning node.
    data_ = t.detach();
    if (auto* m = t.unsafeGetTensorImpl()->autograd()) output_nr_ = m->output_nr;
  } else {
    data_ = t;
  }
}

Tensor SavedTensor::unpack(Node* owner) const {
  if (released_) {
    detail::throw_error<Error>(
        "backward",
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd::grad(). Specify retain_graph=true if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward.");
  }
  if (!data_.defined()) return data_;
  if (data_._version() != version_) {
    std::ostringstream os;
    os << "one of the variables needed for gradient computation has been modified by an "
          "inplace operation: ["
       << data_.toString() << " " << data_.sizes() << "]";
    if (is_output_) os << ", which is output " << output_nr_ << " of " << owner->name() << ",";
    os << " is at version " << data_._version() << "; expected version " << version_
       << " instead. Hint: the operation that saved it is " << owner->name()
       << "; replace the in-place operation with an out-of-place one, or clone() the tensor "
          "before modifying it.";
    detail::throw_error<Error>("backward", os.str());
  }
  if (is_output_ && requires_grad_) {
    Tensor t = data_.detach();
    auto& m = t.unsafeGetTensorImpl()->ensure_autograd();
    m.grad_fn = detail::intrusive_ptr<Node>(owner);
    m.output_nr = output_nr_;
    t.unsafeGetTensorImpl()->set_requires_grad_flag(true);
    return t;
  }
  return data_;
}

// ---- Node -------------------------------------------------------------------------

namespace {
// Dropping the last reference to a node drops its edges and saved tensors, which can
// drop the next node, and so on: done by the destructors alone that recursion is as deep
// as the graph is long (a 100000-op chain overflows the stack). ~Node hands what it owns
// to this thread's queue instead, and the outermost ~Node drains the queue in a loop.
struct ReleaseQueue {
  std::vector<detail::intrusive_ptr<Node>> nodes;
  std::vector<SavedTensor> saved;
  bool draining = false;
  ~ReleaseQueue();
};
thread_local bool t_release_queue_gone = false;  // trivially destructible: valid at thread exit
ReleaseQueue::~ReleaseQueue() { t_release_queue_gone = true; }
thread_local ReleaseQueue t_release;
}  // namespace

Node::Node() = default;

Node::~Node() {
  if (t_release_queue_gone) return;  // thread teardown: plain (recursive) release
  ReleaseQueue& q = t_release;
  for (Edge& e : next_edges_)
    if (e.function) q.nodes.push_back(std::move(e.function));
  for (SavedTensor& s : saved_)
    if (s.defined()) q.saved.push_back(std::move(s));
  if (q.draining) return;
  q.draining = true;
  while (!q.nodes.empty() || !q.saved.empty()) {
    // Each popped item is released at the end of its block; what it owned in turn is
    // queued by the nested ~Node, which returns at once since a drain is running.
    if (!q.saved.empty()) {
      SavedTensor s = std::move(q.saved.back());
      q.saved.pop_back();
    } else {
      detail::intrusive_ptr<Node> n = std::move(q.nodes.back());
      q.nodes.pop_back();
    }
  }
  q.draining = false;
}

void Node::release_variables() {
  for (auto& s : saved_) s.release();
}

uint32_t Node::add_input_meta(const Tensor& t) {
  input_meta_.push_back(OutputMeta{DimVector(t.sizes()), t.dtype(), t.device()});
  return static_cast<uint32_t>(input_meta_.size() - 1);
}

size_t Node::save(const Tensor& t, bool is_output) {
  saved_.emplace_back(t, is_output);
  return saved_.size() - 1;
}

unsigned Node::add_pre_hook(uint32_t output_nr, GradHook hook) {
  unsigned id = g_hook_id.fetch_add(1);
  pre_hooks_.push_back(PreHook{id, output_nr, std::move(hook)});
  return id;
}

void Node::remove_pre_hook(unsigned id) {
  for (auto it = pre_hooks_.begin(); it != pre_hooks_.end(); ++it)
    if (it->id == id) { pre_hooks_.erase(it); return; }
}

void Node::run_pre_hooks(variable_list& grads) {
  for (auto& h : pre_hooks_) {
    Tensor& g = grads[h.output_nr];
    if (!g.defined()) continue;
    Tensor r = h.fn(g);
    if (r.defined()) g = r;
  }
}

// ---- recording --------------------------------------------------------------------

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return Edge{};
  auto* m = t.unsafeGetTensorImpl()->autograd();
  if (m->grad_fn) return Edge{m->grad_fn, m->output_nr};
  if (m->grad_accumulator) return Edge{detail::intrusive_ptr<Node>(m->grad_accumulator), 0};
  auto acc = detail::make_intrusive<AccumulateGrad>(t);
  m->grad_accumulator = acc.get();
  return Edge{acc, 0};
}

void init_node(Node& node, std::initializer_list<const Tensor*> inputs, std::source_location loc) {
  node.set_sequence_nr(next_sequence_nr());
  auto& edges = node.mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) edges.push_back(gradient_edge(*t));
  if (AnomalyMode::is_enabled()) {
    node.set_forward_location(loc);
    std::ostringstream os;
    bool first = true;
    for (const Tensor* t : inputs) {
      os << (first ? "" : ", ");
      first = false;
      if (t->defined()) os << t->sizes(); else os << "undefined";
    }
    node.forward_shapes = os.str();
  }
}

void set_history(Tensor& out, Node* node) {
  auto* impl = out.unsafeGetTensorImpl();
  auto& m = impl->ensure_autograd();
  m.grad_fn = detail::intrusive_ptr<Node>(node);
  m.output_nr = node->add_input_meta(out);
  m.requires_grad = false;
  impl->set_requires_grad_flag(true);
}

void set_history(const Tensor& out, Node* node) { set_history(const_cast<Tensor&>(out), node); }

void check_inplace(const Tensor& self, const char* op) {
  if (!GradMode::is_enabled() || !self.requires_grad()) return;
  auto* m = self.unsafeGetTensorImpl()->autograd();
  EMBER_CHECK(m->grad_fn, Error, op,
              "a leaf Variable that requires grad is being used in an in-place operation. "
              "(tensor ", self.sizes(), " ", self.toString(), ")");
}

void check_out_arg(const Tensor& out, std::initializer_list<const Tensor*> inputs, const char* op) {
  if (!GradMode::is_enabled()) return;
  bool any = out.requires_grad();
  for (const Tensor* t : inputs) any = any || (t->defined() && t->requires_grad());
  EMBER_CHECK(!any, Error, op,
              "functions with out=... arguments don't support automatic differentiation, but one "
              "of the arguments requires grad.");
}

// ---- AccumulateGrad ---------------------------------------------------------------

AccumulateGrad::AccumulateGrad(Tensor leaf) : leaf_(std::move(leaf)) {
  set_sequence_nr(UINT64_MAX);  // run as soon as ready: frees the gradient early
  add_input_meta(leaf_);
}

AccumulateGrad::~AccumulateGrad() {
  if (auto* m = leaf_.unsafeGetTensorImpl()->autograd())
    if (m->grad_accumulator == this) m->grad_accumulator = nullptr;
}

variable_list AccumulateGrad::apply(variable_list&& grads) {
  Tensor g = std::move(grads[0]);
  auto* m = leaf_.unsafeGetTensorImpl()->autograd();
  for (auto& h : m->leaf_hooks) {
    Tensor r = h.fn(g);
    if (r.defined()) g = r;
  }
  if (!g.defined()) return {};
  Tensor& slot = m->grad;
  const bool create_graph = engine_create_graph();
  if (!slot.defined()) {
    if (create_graph) {
      slot = g;
    } else {
      // Steal the buffer when nothing else can see it; else keep a private copy.
      bool private_buffer = g.use_count() == 1 && g.unsafeGetTensorImpl()->storage()->use_count() == 1 &&
                            !g.requires_grad() && g.is_contiguous();
      slot = private_buffer ? g : g.detach().clone();
    }
  } else if (create_graph || slot.requires_grad()) {
    slot = slot + g;
  } else {
    NoGradGuard ng;
    slot.add_(g);
  }
  return {};
}

}  // namespace ember::autograd
