#pragma once
// The object behind a Tensor handle. Internal: users see it only through Tensor.
#include <cstdint>
#include <atomic>
#include <cstring>

#include "ember/array_ref.h"
#include "ember/detail/intrusive_ptr.h"
#include "ember/device.h"
#include "ember/dtype.h"

namespace ember {
namespace autograd { class Node; }
namespace detail {

/// A reference-counted buffer. Views share one StorageImpl; its version counter is the
/// one every in-place write bumps and backward compares against saved tensors.
class StorageImpl final : public RefCounted {
 public:
  using Deleter = void (*)(void* ctx, void* data, size_t nbytes);
  StorageImpl(void* data, size_t nbytes, Device device, Deleter deleter, void* ctx)
      : data_(data), nbytes_(nbytes), device_(device), deleter_(deleter), ctx_(ctx) {}
  ~StorageImpl() override {
    if (deleter_) deleter_(ctx_, data_, nbytes_);
  }
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t nbytes_;
  Device device_;
  Deleter deleter_;
  void* ctx_;
  std::atomic<uint32_t> version_{0};
};

class TensorImpl;
using TensorImplPtr = intrusive_ptr<TensorImpl>;

/// Autograd state (autograd/autograd_meta.h), allocated only for tensors autograd touches.
struct AutogradMeta;

/// Sizes, strides, offset and dtype over a storage, plus optional autograd state.
// INVARIANT: sizes_.size() == strides_.size(); numel_ is the product of sizes_;
// contiguous_ caches whether strides are the row-major strides of sizes_.
class TensorImpl final : public RefCounted {
 public:
  TensorImpl(intrusive_ptr<StorageImpl> storage, ScalarType dtype, IntArrayRef sizes,
             IntArrayRef strides, int64_t offset)
      : storage_(std::move(storage)), sizes_(sizes), strides_(strides), offset_(offset),
        dtype_(dtype) {
    refresh();
  }
  ~TensorImpl() override;

  IntArrayRef sizes() const { return sizes_; }
  IntArrayRef strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  int64_t offset() const { return offset_; }
  ScalarType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  bool is_contiguous() const { return contiguous_; }
  StorageImpl* storage() const { return storage_.get(); }
  const intrusive_ptr<StorageImpl>& storage_ptr() const { return storage_; }
  void* data() const {
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(element_size(dtype_));
  }
  /// Re-points this impl at new geometry (used by in-place resizes and views).
  void set_geometry(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
    sizes_ = DimVector(sizes);
    strides_ = DimVector(strides);
    offset_ = offset;
    refresh();
  }

  /// Changes the element type (Tensor::set_data only: the storage changes with it).
  void set_dtype(ScalarType dtype) { dtype_ = dtype; }
  /// Points this impl at another storage (out= resizing, set_data).
  void set_storage(intrusive_ptr<StorageImpl> storage, IntArrayRef sizes, IntArrayRef strides,
                   int64_t offset) {
    storage_ = std::move(storage);
    set_geometry(sizes, strides, offset);
  }

  AutogradMeta* autograd() const { return autograd_; }
  AutogradMeta& ensure_autograd();
  /// True for leaves that require grad and for outputs of recorded ops (kept in sync
  /// with the autograd state so that ops can test it without touching that state).
  bool requires_grad() const { return requires_grad_; }
  void set_requires_grad_flag(bool r) { requires_grad_ = r; }

 private:
  void refresh() {
    int64_t n = 1, expected = 1;
    bool c = true;
    for (int64_t i = dim() - 1; i >= 0; --i) {
      n *= sizes_[i];
      if (sizes_[i] != 1) {
        if (strides_[i] != expected) c = false;
        expected *= sizes_[i];
      }
    }
    numel_ = n;
    contiguous_ = c || n == 0;
  }
  intrusive_ptr<StorageImpl> storage_;
  DimVector sizes_;
  DimVector strides_;
  int64_t offset_ = 0;
  int64_t numel_ = 0;
  ScalarType dtype_;
  bool contiguous_ = true;
  bool requires_grad_ = false;
  AutogradMeta* autograd_ = nullptr;
};

}  // namespace detail
}  // namespace ember
