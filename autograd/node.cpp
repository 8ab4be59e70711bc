// Nodes, saved tensors, grad mode and the recording helpers of function.h.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <sstream>

#include "autograd/anomaly.h"
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

unsigned impl::next_hook_id() { return g_hook_id.fetch_add(1, std::memory_order_relaxed); }

bool GradMode::is_enabled() { return t_grad_enabled; }
void GradMode::set_enabled(bool e) { t_grad_enabled = e; }
bool AnomalyMode::is_enabled() { return g_anomaly.load(std::memory_order_relaxed); }
void AnomalyMode::set_enabled(bool e) { g_anomaly.store(e, std::memory_order_relaxed); }
uint64_t next_sequence_nr() { return t_sequence_nr++; }
uint64_t impl::current_sequence_nr() { return t_sequence_nr; }

void impl::preserve_saved_inputs(const Tensor& result, const Tensor& self, uint64_t first_seq) {
  // The nodes recorded since first_seq computed `result` from self's current value. Any
  // of them may have saved self (or a view of it), and the in-place op is about to
  // overwrite that storage: they keep copies instead (libtorch saves original_self).
  auto* m = result.defined() ? result.unsafeGetTensorImpl()->autograd() : nullptr;
  if (!m || !m->grad_fn) return;
  const uint64_t end_seq = t_sequence_nr;  // nodes of this thread's oop() lie in [first, end)
  std::vector<Node*> stack{m->grad_fn.get()};
  std::vector<Node*> seen;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (n->sequence_nr() < first_seq || n->sequence_nr() >= end_seq) continue;
    if (std::find(seen.begin(), seen.end(), n) != seen.end()) continue;
    seen.push_back(n);
    n->preserve_saved_from(self);
    for (const Edge& e : n->next_edges())
      if (e.is_valid()) stack.push_back(e.function.get());
  }
}

void impl::throw_backward_twice() {
  detail::throw_error<Error>(
      "backward",
      "Trying to backward through the graph a second time (or directly access saved tensors "
      "after they have already been freed). Saved intermediate values of the graph are freed "
      "when you call .backward() or autograd::grad(). Specify retain_graph=true if you need to "
      "backward through the graph a second time or if you need to access saved tensors after "
      "calling backward.");
}

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
  if (released_) impl::throw_backward_twice();
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

void SavedTensor::preserve_from(const Tensor& self) {
  if (is_output_ || !data_.defined() || !self.defined()) return;
  if (data_.unsafeGetTensorImpl()->storage() != self.unsafeGetTensorImpl()->storage()) return;
  data_ = data_.clone();
  version_ = data_._version();
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
  if (t.defined()) input_meta_.push_back(OutputMeta{DimVector(t.sizes()), t.dtype(), t.device()});
  else input_meta_.push_back(OutputMeta{DimVector(), ScalarType::Undefined, Device(kCPU)});
  return static_cast<uint32_t>(input_meta_.size() - 1);
}

size_t Node::save(const Tensor& t, bool is_output) {
  saved_.emplace_back(t, is_output);
  return saved_.size() - 1;
}

unsigned Node::add_pre_hook(uint32_t output_nr, GradHook hook) {
  unsigned id = impl::next_hook_id();
  pre_hooks_.push_back(PreHook{id, output_nr, false, std::move(hook)});
  return id;
}

unsigned Node::add_retains_grad_hook(uint32_t output_nr, GradHook hook) {
  unsigned id = impl::next_hook_id();
  pre_hooks_.push_back(PreHook{id, output_nr, true, std::move(hook)});
  return id;
}

void Node::remove_pre_hook(unsigned id) {
  for (auto it = pre_hooks_.begin(); it != pre_hooks_.end(); ++it)
    if (it->id == id) { pre_hooks_.erase(it); return; }
}

bool Node::move_pre_hook(unsigned id, Node& other, uint32_t output_nr) {
  for (auto it = pre_hooks_.begin(); it != pre_hooks_.end(); ++it) {
    if (it->id != id) continue;
    PreHook h = std::move(*it);
    pre_hooks_.erase(it);
    h.output_nr = output_nr;
    other.pre_hooks_.push_back(std::move(h));
    return true;
  }
  return false;
}

void Node::run_pre_hooks(variable_list& grads) {
  // Tensor hooks first, in registration order, each seeing the previous one's result;
  // retain_grad hooks last, so .grad() holds the gradient every hook agreed on.
  for (bool retains : {false, true}) {
    for (size_t k = 0; k < pre_hooks_.size(); ++k) {
      // Indexing, not iterators: a hook may register further hooks on this node.
      if (pre_hooks_[k].retains_grad != retains) continue;
      Tensor& g = grads[pre_hooks_[k].output_nr];
      if (!g.defined()) continue;
      GradHook fn = pre_hooks_[k].fn;
      Tensor r = fn(g);
      if (r.defined()) g = std::move(r);
    }
  }
}

AnomalyMetadata& Node::ensure_anomaly_metadata() {
  if (!anomaly_) anomaly_ = std::make_unique<AnomalyMetadata>();
  return *anomaly_;
}

std::source_location Node::forward_location() const {
  return anomaly_ ? anomaly_->recorded_at : std::source_location();
}

// ---- recording --------------------------------------------------------------------

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return Edge{};
  auto* m = t.unsafeGetTensorImpl()->autograd();
  if (m->view_base) [[unlikely]] impl::refresh_view_history(t);
  if (m->grad_fn) return Edge{m->grad_fn, m->output_nr};
  Node* acc = m->grad_accumulator.load(std::memory_order_acquire);
  if (!acc) {
    // Install one; when another thread was first, use its accumulator instead.
    auto* fresh = new AccumulateGrad(t);
    fresh->incref();  // the leaf's reference, released by ~AutogradMeta
    if (m->grad_accumulator.compare_exchange_strong(acc, fresh, std::memory_order_acq_rel,
                                                    std::memory_order_acquire)) {
      acc = fresh;
    } else {
      fresh->decref();
    }
  }
  return Edge{detail::intrusive_ptr<Node>(acc), 0};
}

void init_node(Node& node, std::initializer_list<const Tensor*> inputs, std::source_location loc) {
  node.set_sequence_nr(next_sequence_nr());
  auto& edges = node.mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) edges.push_back(gradient_edge(*t));
  if (AnomalyMode::is_enabled()) [[unlikely]]
    record_anomaly_metadata(node, inputs.begin(), inputs.size(), loc);
}

void impl::set_gradient_edge(const Tensor& t, Edge edge) {
  auto* impl = t.unsafeGetTensorImpl();
  auto& m = impl->ensure_autograd();
  // retain_grad follows the tensor to its new history (an in-place op rebased it): the
  // hook holds a raw pointer to this impl, which ~TensorImpl removes from grad_fn.
  if (m.retain_grad_hook && m.grad_fn && m.grad_fn != edge.function) {
    if (!edge.function || !m.grad_fn->move_pre_hook(m.retain_grad_hook, *edge.function, edge.input_nr)) {
      m.grad_fn->remove_pre_hook(m.retain_grad_hook);
      m.retain_grad_hook = 0;
      m.retains_grad = false;
    }
  }
  m.grad_fn = std::move(edge.function);
  m.output_nr = edge.input_nr;
  if (m.grad_fn) {
    m.requires_grad = false;
    impl->set_requires_grad_flag(true);
  } else {
    impl->set_requires_grad_flag(m.requires_grad);
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
  if (m->view_base) impl::check_inplace_view(self, op);
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

}  // namespace ember::autograd

ember::detail::AutogradMeta::~AutogradMeta() {
  if (autograd::Node* acc = grad_accumulator.load(std::memory_order_acquire)) {
    static_cast<autograd::AccumulateGrad*>(acc)->forget_leaf();
    acc->decref();
  }
}

namespace ember::autograd {

AccumulateGrad::AccumulateGrad(const Tensor& leaf) : leaf_(leaf.unsafeGetTensorImpl()) {
  set_sequence_nr(UINT64_MAX);  // run as soon as ready: frees the gradient early
  add_input_meta(leaf);
}

Tensor AccumulateGrad::variable() const {
  std::lock_guard<std::mutex> lock(mutex_);
  // The leaf may be dying in another thread (count at zero, its destructor waiting for
  // this lock in forget_leaf): then it is gone already.
  if (!leaf_ || !leaf_->try_incref()) return Tensor();
  detail::TensorImplPtr p(leaf_);
  leaf_->decref();  // p holds the reference try_incref took
  return Tensor(std::move(p));
}

void AccumulateGrad::forget_leaf() {
  std::lock_guard<std::mutex> lock(mutex_);
  leaf_ = nullptr;
}

variable_list AccumulateGrad::apply(variable_list&& grads) {
  const Tensor leaf = variable();
  if (!leaf.defined()) return {};
  Tensor g = std::move(grads[0]);
  auto* m = leaf.unsafeGetTensorImpl()->autograd();
  // Indexing, not iterators: a hook may register or remove hooks of this leaf.
  for (size_t k = 0; k < m->leaf_hooks.size() && g.defined(); ++k) {
    Node::GradHook fn = m->leaf_hooks[k].fn;
    Tensor r = fn(g);
    if (r.defined()) g = std::move(r);
  }
  if (!g.defined()) return {};
  // Two threads may backpropagate into the same leaf (shared parameters).
  std::lock_guard<std::mutex> lock(mutex_);
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
