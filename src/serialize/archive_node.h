#pragma once
// The in-memory tree behind OutputArchive / InputArchive, and the safetensors encoding
// that stores it (src/serialize/format.cpp).
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/serialize.h"

namespace ember::serialize::detail {

/// One named entry: a tensor (with its parameter/buffer mark), a value or a nested archive.
struct Entry {
  enum class Kind : uint8_t { Tensor = 0, Value = 1, Archive = 2 };
  Kind kind = Kind::Value;
  Tensor tensor;
  bool is_buffer = false;
  ArchiveValue value;
  std::shared_ptr<ArchiveNode> archive;
};

struct ArchiveNode {
  std::vector<std::pair<std::string, Entry>> entries;
  std::unordered_map<std::string, size_t> index;

  /// Adds an entry, replacing an earlier one with the same key in its place.
  void put(const std::string& key, Entry e) {
    auto it = index.find(key);
    if (it != index.end()) {
      entries[it->second].second = std::move(e);
    } else {
      index.emplace(key, entries.size());
      entries.emplace_back(key, std::move(e));
    }
  }
  /// The entry under `key`; a dotted key ("layer.weight") not found as such is looked up
  /// through the nested archives, as files written by other programs name tensors flatly.
  const Entry* find(const std::string& key) const {
    auto it = index.find(key);
    if (it != index.end()) return &entries[it->second].second;
    const size_t dot = key.find('.');
    if (dot == std::string::npos) return nullptr;
    const Entry* head = find(key.substr(0, dot));
    if (!head || head->kind != Entry::Kind::Archive) return nullptr;
    return head->archive->find(key.substr(dot + 1));
  }
};

/// The safetensors file bytes for `root`.
std::string encode_archive(const ArchiveNode& root);
/// Parses file bytes into a tree; `source` names the file in error messages.
std::shared_ptr<ArchiveNode> decode_archive(const std::string& bytes, const std::string& source);

}  // namespace ember::serialize::detail
