#pragma once
// An insertion-ordered map with key lookup (torch::OrderedDict), used for named
// parameters, buffers and modules.
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/errors.h"

namespace ember {

template <class Key, class Value>
class OrderedDict {
 public:
  /// One key-value pair (torch::OrderedDict::Item).
  class Item {
   public:
    Item(Key key, Value value) : pair_(std::move(key), std::move(value)) {}
    const Key& key() const noexcept { return pair_.first; }
    Value& value() noexcept { return pair_.second; }
    const Value& value() const noexcept { return pair_.second; }
    Value& operator*() noexcept { return pair_.second; }
    Value* operator->() noexcept { return &pair_.second; }
    const std::pair<Key, Value>& pair() const noexcept { return pair_; }

   private:
    std::pair<Key, Value> pair_;
  };
  using Iterator = typename std::vector<Item>::iterator;
  using ConstIterator = typename std::vector<Item>::const_iterator;

  explicit OrderedDict(std::string key_description = "Key") : key_description_(std::move(key_description)) {}
  OrderedDict(std::initializer_list<Item> items) : OrderedDict() {
    for (const auto& it : items) insert(it.key(), it.value());
  }

  const std::string& key_description() const noexcept { return key_description_; }
  Iterator begin() { return items_.begin(); }
  ConstIterator begin() const { return items_.begin(); }
  Iterator end() { return items_.end(); }
  ConstIterator end() const { return items_.end(); }
  Item& front() { return items_.front(); }
  const Item& front() const { return items_.front(); }
  Item& back() { return items_.back(); }
  const Item& back() const { return items_.back(); }
  Item& operator[](size_t index) { return items_.at(index); }
  const Item& operator[](size_t index) const { return items_.at(index); }
  /// The value under key; raises IndexError when absent.
  Value& operator[](const Key& key) {
    auto* v = find(key);
    EMBER_CHECK(v, IndexError, "OrderedDict", key_description_, " '", key, "' is not defined");
    return *v;
  }
  const Value& operator[](const Key& key) const {
    auto* v = find(key);
    EMBER_CHECK(v, IndexError, "OrderedDict", key_description_, " '", key, "' is not defined");
    return *v;
  }
  Value* find(const Key& key) noexcept {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  const Value* find(const Key& key) const noexcept {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  bool contains(const Key& key) const noexcept { return index_.count(key) > 0; }
  size_t size() const noexcept { return items_.size(); }
  bool is_empty() const noexcept { return items_.empty(); }

  /// Inserts a new key; raises when it exists already.
  template <class K, class V>
  Value& insert(K&& key, V&& value) {
    EMBER_CHECK(!contains(key), Error, "OrderedDict", key_description_, " '", key, "' already defined");
    index_.emplace(key, items_.size());
    items_.emplace_back(Key(std::forward<K>(key)), Value(std::forward<V>(value)));
    return items_.back().value();
  }
  /// Inserts or replaces.
  void update(const Key& key, Value value) {
    if (auto* v = find(key)) *v = std::move(value);
    else insert(key, std::move(value));
  }
  void erase(const Key& key) {
    auto it = index_.find(key);
    EMBER_CHECK(it != index_.end(), IndexError, "OrderedDict", key_description_, " '", key, "' is not defined");
    const size_t pos = it->second;
    items_.erase(items_.begin() + static_cast<long>(pos));
    index_.erase(it);
    for (auto& kv : index_)
      if (kv.second > pos) --kv.second;
  }
  void clear() { items_.clear(); index_.clear(); }
  std::vector<Key> keys() const {
    std::vector<Key> r;
    for (const auto& it : items_) r.push_back(it.key());
    return r;
  }
  std::vector<Value> values() const {
    std::vector<Value> r;
    for (const auto& it : items_) r.push_back(it.value());
    return r;
  }
  const std::vector<Item>& items() const noexcept { return items_; }

 private:
  std::vector<Item> items_;
  std::unordered_map<Key, size_t> index_;
  std::string key_description_;
};

}  // namespace ember
