#pragma once
// The input iterator a DataLoader hands out (torch::data::Iterator). Incrementing fetches
// the next batch; an exhausted iterator compares equal to end().
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "ember/errors.h"

namespace ember::data {

template <typename Batch>
class Iterator {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = Batch;
  using pointer = Batch*;
  using reference = Batch&;
  using iterator_category = std::input_iterator_tag;
  using BatchProducer = std::function<std::optional<Batch>()>;

  /// The end() sentinel.
  Iterator() = default;
  /// An iterator over the batches `next_batch` produces until it returns nullopt.
  explicit Iterator(BatchProducer next_batch) : state_(std::make_shared<State>(std::move(next_batch))) {}

  /// Fetches the next batch.
  Iterator& operator++() {
    EMBER_CHECK(state_ != nullptr, Error, "data::Iterator",
                "Incrementing the DataLoader's past-the-end iterator is not allowed");
    state_->lazy_initialize();
    EMBER_CHECK(state_->batch.has_value(), Error, "data::Iterator", "Attempted to increment iterator past the end");
    state_->batch = state_->next_batch();
    return *this;
  }
  /// The current batch.
  Batch& operator*() {
    EMBER_CHECK(state_ != nullptr, Error, "data::Iterator",
                "Dereferencing the DataLoader's past-the-end iterator is not allowed");
    state_->lazy_initialize();
    EMBER_CHECK(state_->batch.has_value(), Error, "data::Iterator",
                "Attempted to dereference iterator that was past the end");
    return *state_->batch;
  }
  Batch* operator->() { return &**this; }

  /// Two live iterators are equal when they are copies of each other; a live iterator
  /// equals end() once its loader is exhausted.
  bool operator==(const Iterator& other) const {
    if (!state_ && !other.state_) return true;
    if (!state_) return other.state_->exhausted();
    if (!other.state_) return state_->exhausted();
    return state_ == other.state_;
  }
  bool operator!=(const Iterator& other) const { return !(*this == other); }

 private:
  struct State {
    explicit State(BatchProducer f) : next_batch(std::move(f)) {}
    // The first batch is fetched on first use, so that begin() itself does no work.
    void lazy_initialize() {
      if (!initialized) {
        batch = next_batch();
        initialized = true;
      }
    }
    bool exhausted() {
      lazy_initialize();
      return !batch.has_value();
    }
    BatchProducer next_batch;
    std::optional<Batch> batch;
    bool initialized = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace ember::data
