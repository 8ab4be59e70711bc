#pragma once
// Saving and loading an optimizer's param groups and state (torch/optim/serialize.h).
// Each optimizer's save()/load() calls serialize<ItsParamState, ItsOptions>(archive, *this);
// an optimizer written outside ember can do the same.
//
// Layout: "optimizer_version" (int), "state" (one nested archive per parameter with
// state, keyed by state_key at save time) and "param_groups" ("size", then one archive
// per group with "params/size", "params/<i>" = that parameter's key, and "options").
// Loading maps the saved keys to the current parameters by position in their groups, so a
// freshly built optimizer over a freshly built model picks up the saved state.
#include <string>
#include <utility>
#include <vector>

#include "ember/optim/optimizer.h"
#include "ember/serialize.h"

namespace ember::optim {
namespace detail {

constexpr int64_t kOptimizerFormatVersion = 1;

template <typename DerivedOptimizerParamState>
void serialize(serialize::OutputArchive& archive, const Optimizer::StateMap& state) {
  for (const auto& [key, st] : state) {
    serialize::OutputArchive param_state_archive;
    static_cast<const DerivedOptimizerParamState&>(*st).serialize(param_state_archive);
    archive.write(key, param_state_archive);
  }
}

template <typename DerivedOptimizerParamState>
void serialize(serialize::InputArchive& archive, Optimizer::StateMap& state) {
  for (const std::string& key : archive.keys()) {
    serialize::InputArchive param_state_archive;
    archive.read(key, param_state_archive);
    auto st = std::make_unique<DerivedOptimizerParamState>();
    st->serialize(param_state_archive);
    state[key] = std::move(st);
  }
}

template <typename DerivedOptimizerParamOptions>
void serialize(serialize::OutputArchive& archive, const std::vector<OptimizerParamGroup>& param_groups) {
  archive.write("size", ArchiveValue(static_cast<int64_t>(param_groups.size())));
  for (size_t i = 0; i < param_groups.size(); ++i) {
    serialize::OutputArchive group_archive;
    const auto& params = param_groups[i].params();
    group_archive.write("params/size", ArchiveValue(static_cast<int64_t>(params.size())));
    for (size_t j = 0; j < params.size(); ++j)
      group_archive.write("params/" + std::to_string(j), ArchiveValue(state_key(params[j])));
    serialize::OutputArchive options_archive;
    static_cast<const DerivedOptimizerParamOptions&>(param_groups[i].options()).serialize(options_archive);
    group_archive.write("options", options_archive);
    archive.write(std::to_string(i), group_archive);
  }
}

using SavedParamGroups = std::vector<std::pair<std::vector<std::string>, std::unique_ptr<OptimizerOptions>>>;

template <typename DerivedOptimizerParamOptions>
void serialize(serialize::InputArchive& archive, SavedParamGroups& param_groups) {
  ArchiveValue size;
  archive.read("size", size);
  for (int64_t i = 0; i < size.toInt(); ++i) {
    serialize::InputArchive group_archive;
    archive.read(std::to_string(i), group_archive);
    ArchiveValue n;
    group_archive.read("params/size", n);
    std::vector<std::string> keys;
    for (int64_t j = 0; j < n.toInt(); ++j) {
      ArchiveValue key;
      group_archive.read("params/" + std::to_string(j), key);
      keys.push_back(key.toStringRef());
    }
    serialize::InputArchive options_archive;
    group_archive.read("options", options_archive);
    auto options = std::make_unique<DerivedOptimizerParamOptions>(0);
    options->serialize(options_archive);
    param_groups.emplace_back(std::move(keys), std::move(options));
  }
}

}  // namespace detail

/// Writes the optimizer's param groups (with options) and per-parameter state.
template <typename DerivedOptimizerParamState, typename DerivedOptimizerParamOptions>
void serialize(serialize::OutputArchive& archive, const Optimizer& optimizer) {
  archive.write("optimizer_version", ArchiveValue(detail::kOptimizerFormatVersion));
  serialize::OutputArchive state_archive;
  detail::serialize<DerivedOptimizerParamState>(state_archive, optimizer.state());
  archive.write("state", state_archive);
  serialize::OutputArchive groups_archive;
  detail::serialize<DerivedOptimizerParamOptions>(groups_archive, optimizer.param_groups());
  archive.write("param_groups", groups_archive);
}

/// Restores param group options and per-parameter state written by the overload above.
template <typename DerivedOptimizerParamState, typename DerivedOptimizerParamOptions>
void serialize(serialize::InputArchive& archive, Optimizer& optimizer) {
  ArchiveValue version;
  archive.read("optimizer_version", version);
  EMBER_CHECK(version.toInt() == detail::kOptimizerFormatVersion, Error, "optim::load",
              "optimizer state format version ", version.toInt(), " is not supported (expected ",
              detail::kOptimizerFormatVersion, ")");
  serialize::InputArchive state_archive;
  archive.read("state", state_archive);
  Optimizer::StateMap saved_state;
  detail::serialize<DerivedOptimizerParamState>(state_archive, saved_state);

  serialize::InputArchive groups_archive;
  archive.read("param_groups", groups_archive);
  detail::SavedParamGroups saved_groups;
  detail::serialize<DerivedOptimizerParamOptions>(groups_archive, saved_groups);

  auto& groups = optimizer.param_groups();
  EMBER_CHECK(saved_groups.size() == groups.size(), Error, "optim::load",
              "loaded state dict has a different number of parameter groups (", saved_groups.size(),
              " saved, ", groups.size(), " in the optimizer)");
  for (size_t i = 0; i < groups.size(); ++i) {
    EMBER_CHECK(saved_groups[i].first.size() == groups[i].params().size(), Error, "optim::load",
                "loaded state dict contains a parameter group that has a different size than the "
                "optimizer's parameter group (group ", i, ": ", saved_groups[i].first.size(), " saved, ",
                groups[i].params().size(), " in the optimizer)");
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& params = groups[i].params();
    for (size_t j = 0; j < params.size(); ++j) {
      auto it = saved_state.find(saved_groups[i].first[j]);
      if (it != saved_state.end()) optimizer.state()[state_key(params[j])] = std::move(it->second);
    }
    groups[i].set_options(std::move(saved_groups[i].second));
  }
}

}  // namespace ember::optim
