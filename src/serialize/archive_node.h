#pragma once
// The in-memory tree behind OutputArchive / InputArchive, and the binary format that
// stores it (src/serialize/format.cpp).
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
  const Entry* find(const std::string& key) const {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &entries[it->second].second;
  }
};

/// The file bytes (header + payload) for `root`; compression_level 0 stores it uncompressed.
std::string encode_archive(const ArchiveNode& root, int compression_level);
/// Parses file bytes into a tree; `source` names the file in error messages.
std::shared_ptr<ArchiveNode> decode_archive(const std::string& bytes, const std::string& source);

}  // namespace ember::serialize::detail
