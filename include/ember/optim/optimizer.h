#pragma once
// Optimizer base (torch::optim::Optimizer): parameter groups with per-group options,
// per-parameter state keyed by the parameter's TensorImpl, zero_grad and step.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/arg.h"
#include "ember/tensor.h"

namespace ember {
namespace serialize {
class OutputArchive;
class InputArchive;
}  // namespace serialize

namespace optim {

/// State an optimizer keeps for one parameter (momentum buffers, step counts, ...).
class OptimizerParamState {
 public:
  virtual std::unique_ptr<OptimizerParamState> clone() const;
  virtual void serialize(serialize::InputArchive& archive);
  virtual void serialize(serialize::OutputArchive& archive) const;
  virtual ~OptimizerParamState() = default;
};

/// Gives a param state class its clone() (CRTP, as libtorch).
template <typename Derived>
class OptimizerCloneableParamState : public OptimizerParamState {
  std::unique_ptr<OptimizerParamState> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

/// Hyper-parameters of an optimizer, per parameter group.
class OptimizerOptions {
 public:
  virtual std::unique_ptr<OptimizerOptions> clone() const;
  virtual void serialize(serialize::InputArchive& archive);
  virtual void serialize(serialize::OutputArchive& archive) const;
  virtual ~OptimizerOptions() = default;
  /// The learning rate (what LR schedulers read and write).
  virtual double get_lr() const;
  virtual void set_lr(const double lr);
};

/// Gives an options class its clone() (CRTP, as libtorch).
template <typename Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 private:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

/// Parameters that share one set of options; a group without options takes the
/// optimizer's defaults when added.
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(const OptimizerParamGroup& param_group)
      : params_(param_group.params()),
        options_(param_group.has_options() ? param_group.options().clone() : nullptr) {}
  OptimizerParamGroup(OptimizerParamGroup&&) = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) = default;
  OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}

  bool has_options() const { return options_ != nullptr; }
  /// The group's options; raises ember::Error when it has none.
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }

 protected:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

/// Key of a parameter's entry in Optimizer::state(): its TensorImpl address as text
/// (libtorch's c10::guts::to_string(p.unsafeGetTensorImpl())).
std::string state_key(const Tensor& param);

/// Base of all optimizers. Copying is not allowed; save/load the state instead.
class Optimizer {
 public:
  Optimizer(const Optimizer& optimizer) = delete;
  Optimizer(Optimizer&& optimizer) = default;

  explicit Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults);
  /// One group holding `parameters`.
  explicit Optimizer(std::vector<Tensor> parameters, std::unique_ptr<OptimizerOptions> defaults);

  /// Adds a group; it takes a copy of the defaults when it has no options. Parameters must
  /// be leaves and may not appear in another group.
  void add_param_group(const OptimizerParamGroup& param_group);

  virtual ~Optimizer() = default;

  using LossClosure = std::function<Tensor()>;
  /// Performs one update. The closure, when given, recomputes the loss (with grad mode
  /// on) and is what step() returns; without one step() returns an undefined tensor.
  virtual Tensor step(LossClosure closure = nullptr) = 0;

  /// Appends parameters to the first group (deprecated in libtorch, kept for ports).
  void add_parameters(const std::vector<Tensor>& parameters);

  /// Zeroes the gradients of all parameters (libtorch 1.13's default); with set_to_none
  /// they are reset to undefined tensors instead.
  void zero_grad(bool set_to_none = false);

  /// The parameters of the first group.
  const std::vector<Tensor>& parameters() const noexcept;
  std::vector<Tensor>& parameters() noexcept;

  /// Number of parameters over all groups.
  size_t size() const noexcept;

  OptimizerOptions& defaults() noexcept { return *defaults_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }

  std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }

  using StateMap = std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>;
  /// Per-parameter state, keyed by state_key(param).
  StateMap& state() noexcept { return state_; }
  const StateMap& state() const noexcept { return state_; }

  /// Writes the options of every group and the per-parameter state.
  virtual void save(serialize::OutputArchive& archive) const;
  /// Restores what save() wrote into an optimizer with the same group layout.
  virtual void load(serialize::InputArchive& archive);

 protected:
  /// Runs `closure` (when given) with grad mode on, then `update(param, group_options)`
  /// with grad mode off for every parameter that has a gradient; returns the closure's loss.
  Tensor for_each_param_with_grad(const LossClosure& closure,
                                  const std::function<void(Tensor&, const OptimizerOptions&)>& update);
  /// The state of `param`, made by `make()` (a std::unique_ptr<State>) on first use.
  template <class State, class Make>
  State& param_state(const Tensor& param, Make&& make) {
    auto& slot = state_[state_key(param)];
    if (!slot) slot = make();
    return static_cast<State&>(*slot);
  }

  std::vector<OptimizerParamGroup> param_groups_;
  StateMap state_;
  std::unique_ptr<OptimizerOptions> defaults_;
};

/// Serializes an optimizer (used by ember::save).
serialize::OutputArchive& operator<<(serialize::OutputArchive& archive, const Optimizer& optimizer);
/// Deserializes an optimizer (used by ember::load).
serialize::InputArchive& operator>>(serialize::InputArchive& archive, Optimizer& optimizer);

}  // namespace optim
}  // namespace ember
