// ember::summary (see nn/summary.h) and to_dot with a module's parameter names.
#include "ember/nn/summary.h"

#include <algorithm>
#include <memory>
#include <sstream>
#include <unordered_set>

#include "ember/autograd.h"
#include "ember/nn/modules/container/sequential.h"
#include "ember/ops.h"

namespace ember {
namespace {

// "ember::nn::LinearImpl" -> "Linear"; user types keep their own name.
std::string type_name(const nn::Module& m) {
  std::string n = m.name();
  const size_t lt = n.find('<');
  const size_t colon = n.rfind("::", lt);
  if (colon != std::string::npos) n = n.substr(colon + 2);
  if (n.size() > 4 && n.compare(n.size() - 4, 4, "Impl") == 0) n.resize(n.size() - 4);
  return n;
}

int64_t own_params(const nn::Module& m) {
  int64_t n = 0;
  for (const Tensor& p : m.parameters(/*recurse=*/false)) n += p.numel();
  return n;
}

std::string with_commas(int64_t v) {
  const std::string digits = std::to_string(v);
  std::string r;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) r += ',';
    r += digits[i];
  }
  return r;
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << IntArrayRef(s);
  return os.str();
}

// Pads to a width in characters (the tree glyphs are multi-byte UTF-8).
std::string pad(const std::string& s, size_t width) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  return chars >= width ? s + " " : s + std::string(width - chars, ' ');
}

// Removes the summary's hooks and restores every module's training mode, also when
// forward throws.
struct Restore {
  std::vector<std::pair<std::shared_ptr<nn::Module>, unsigned>> hooks;
  std::vector<std::pair<std::shared_ptr<nn::Module>, bool>> modes;  // pre-order: parents first
  ~Restore() {
    for (auto& [m, h] : hooks) m->remove_hook(h);
    for (auto& [m, training] : modes) m->train(training);
  }
};

}  // namespace

ModelSummary detail::summarize(nn::Module& root, IntArrayRef input_shape, ScalarType dtype,
                               const std::function<Tensor(const Tensor&)>& forward) {
  ModelSummary s;
  s.input_shape = input_shape.vec();
  auto named = root.named_modules("", /*include_self=*/true);
  Restore restore;
  // Rows are opened by pre-hooks (call order) and closed by post-hooks (output shape);
  // `open` maps each module to its rows not yet closed (a module may call itself).
  auto open = std::make_shared<std::vector<std::pair<const nn::Module*, size_t>>>();
  for (const auto& item : named) {
    const std::shared_ptr<nn::Module>& m = item.value();
    const std::string name = item.key();
    const int depth = name.empty() ? 0 : 1 + static_cast<int>(std::count(name.begin(), name.end(), '.'));
    restore.modes.emplace_back(m, m->is_training());
    unsigned pre = m->register_forward_pre_hook([&s, open, name, depth](nn::Module& mod, const std::vector<Tensor>&) {
      LayerSummary row;
      row.name = name;
      row.type = type_name(mod);
      row.num_params = own_params(mod);
      row.depth = depth;
      open->emplace_back(&mod, s.layers.size());
      s.layers.push_back(std::move(row));
    });
    restore.hooks.emplace_back(m, pre);
    unsigned post = m->register_forward_hook([&s, open](nn::Module& mod, const std::vector<Tensor>&, const Tensor& out) {
      for (auto it = open->rbegin(); it != open->rend(); ++it) {
        if (it->first != &mod) continue;
        LayerSummary& row = s.layers[it->second];
        if (out.defined()) row.output_shape = out.sizes().vec();
        row.called = true;
        open->erase(std::next(it).base());
        return;
      }
    });
    restore.hooks.emplace_back(m, post);
  }
  root.eval();  // no running-statistics updates, no dropout noise
  Tensor out;
  {
    NoGradGuard no_grad;
    out = forward(zeros(input_shape, TensorOptions().dtype(dtype)));
  }
  // A model whose forward is its own (not hook-aware) gets its row here.
  if (s.layers.empty() || s.layers.front().depth != 0) {
    LayerSummary row;
    row.type = type_name(root);
    row.num_params = own_params(root);
    if (out.defined()) row.output_shape = out.sizes().vec();
    row.called = true;
    s.layers.insert(s.layers.begin(), std::move(row));
  }
  // Containers whose forward runs no hooks (Sequential's is a template) get a row before
  // their first descendant's; a Sequential's output is its last child's.
  for (const auto& item : named) {
    const std::string& name = item.key();
    if (name.empty()) continue;
    bool has_row = false;
    size_t first = s.layers.size(), last_child = s.layers.size();
    const int depth = 1 + static_cast<int>(std::count(name.begin(), name.end(), '.'));
    for (size_t i = 0; i < s.layers.size(); ++i) {
      const LayerSummary& l = s.layers[i];
      if (l.name == name) has_row = true;
      if (l.name.size() > name.size() && l.name.compare(0, name.size() + 1, name + ".") == 0) {
        first = std::min(first, i);
        if (l.depth == depth + 1) last_child = i;
      }
    }
    if (has_row || first == s.layers.size()) continue;
    LayerSummary row;
    row.name = name;
    row.type = type_name(*item.value());
    row.num_params = own_params(*item.value());
    row.depth = depth;
    if (dynamic_cast<nn::SequentialImpl*>(item.value().get()) && last_child < s.layers.size()) {
      row.output_shape = s.layers[last_child].output_shape;
      row.called = true;
    }
    s.layers.insert(s.layers.begin() + static_cast<std::ptrdiff_t>(first), std::move(row));
  }
  // Modules the forward pass did not call still own parameters: listed at the end.
  std::unordered_set<std::string> seen;
  for (const LayerSummary& l : s.layers) seen.insert(l.name);
  for (const auto& item : named) {
    if (seen.count(item.key())) continue;
    LayerSummary row;
    row.name = item.key();
    row.type = type_name(*item.value());
    row.num_params = own_params(*item.value());
    row.depth = 1 + static_cast<int>(std::count(row.name.begin(), row.name.end(), '.'));
    s.layers.push_back(std::move(row));
  }
  std::unordered_set<const ember::detail::TensorImpl*> counted;  // shared parameters count once
  for (const Tensor& p : root.parameters()) {
    if (!counted.insert(p.unsafeGetTensorImpl()).second) continue;
    s.total_params += p.numel();
    if (p.requires_grad()) s.trainable_params += p.numel();
  }
  return s;
}

std::string ModelSummary::to_string() const {
  const std::string rule(76, '=');
  std::ostringstream os;
  os << rule << '\n' << pad("Layer (type)", 40) << pad("Output Shape", 24) << "Param #\n" << rule << '\n';
  for (const LayerSummary& l : layers) {
    std::string label;
    for (int d = 1; d < l.depth; ++d) label += "│  ";
    if (l.depth > 0) label += "├─" + l.name + " (" + l.type + ")";
    else label = l.type;
    os << pad(label, 40) << pad(l.called ? shape_text(l.output_shape) : "--", 24)
       << (l.num_params ? with_commas(l.num_params) : "--") << '\n';
  }
  os << rule << '\n'
     << "Total params: " << with_commas(total_params) << '\n'
     << "Trainable params: " << with_commas(trainable_params) << '\n'
     << "Non-trainable params: " << with_commas(total_params - trainable_params) << '\n'
     << "Input size: " << shape_text(input_shape) << '\n'
     << rule << '\n';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const ModelSummary& s) { return os << s.to_string(); }

std::string autograd::to_dot(const Tensor& t, const nn::Module& module) {
  return to_dot(t, module.named_parameters());
}

}  // namespace ember
