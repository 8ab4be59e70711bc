#pragma once
// Intrusive reference counting: the count lives in the object, so a handle is one
// pointer and creating an object is one allocation.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace ember::detail {

/// Memory for small objects from per-thread free lists of a few size classes, falling back
/// to operator new: the tensors and nodes a training loop creates and drops every step
/// reuse blocks instead of going through malloc (src/core/small_object_pool.cpp).
void* small_object_alloc(size_t bytes);
/// Returns a block of small_object_alloc(bytes), from any thread.
void small_object_free(void* p, size_t bytes) noexcept;

/// Base of intrusively counted objects (TensorImpl, StorageImpl, autograd nodes).
class RefCounted {
 public:
  static void* operator new(size_t bytes) { return small_object_alloc(bytes); }
  // The destructor is virtual, so `bytes` is the size of the most derived type.
  static void operator delete(void* p, size_t bytes) noexcept { small_object_free(p, bytes); }
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;
  virtual ~RefCounted() = default;
  void incref() const noexcept { refcount_.fetch_add(1, std::memory_order_relaxed); }
  void decref() const noexcept {
    if (refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  uint32_t use_count() const noexcept { return refcount_.load(std::memory_order_relaxed); }
  /// Takes a reference unless the count already reached zero (the object is being
  /// destroyed): upgrades a non-owning pointer that its owner clears on destruction.
  bool try_incref() const noexcept {
    uint32_t c = refcount_.load(std::memory_order_relaxed);
    while (c != 0)
      if (refcount_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_relaxed))
        return true;
    return false;
  }

 private:
  mutable std::atomic<uint32_t> refcount_{0};
};

/// Owning handle to a RefCounted object.
template <class T>
class intrusive_ptr {
 public:
  intrusive_ptr() noexcept = default;
  intrusive_ptr(std::nullptr_t) noexcept {}
  /// Takes a (new) reference to p.
  explicit intrusive_ptr(T* p) noexcept : p_(p) { if (p_) p_->incref(); }
  intrusive_ptr(const intrusive_ptr& o) noexcept : p_(o.p_) { if (p_) p_->incref(); }
  intrusive_ptr(intrusive_ptr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  intrusive_ptr(intrusive_ptr<U> o) noexcept : p_(o.release()) {}
  ~intrusive_ptr() { if (p_) p_->decref(); }
  intrusive_ptr& operator=(const intrusive_ptr& o) noexcept {
    intrusive_ptr(o).swap(*this);
    return *this;
  }
  intrusive_ptr& operator=(intrusive_ptr&& o) noexcept {
    intrusive_ptr(std::move(o)).swap(*this);
    return *this;
  }
  void swap(intrusive_ptr& o) noexcept { std::swap(p_, o.p_); }
  void reset() noexcept { intrusive_ptr().swap(*this); }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  /// Gives up ownership without decrementing.
  T* release() noexcept { T* p = p_; p_ = nullptr; return p; }
  bool operator==(const intrusive_ptr& o) const noexcept { return p_ == o.p_; }
  bool operator!=(const intrusive_ptr& o) const noexcept { return p_ != o.p_; }

 private:
  T* p_ = nullptr;
};

template <class T, class... Args>
intrusive_ptr<T> make_intrusive(Args&&... args) {
  return intrusive_ptr<T>(new T(std::forward<Args>(args)...));
}

}  // namespace ember::detail
