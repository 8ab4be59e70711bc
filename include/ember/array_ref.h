#pragma once
// IntArrayRef (a non-owning view of sizes/dims) and DimVector (inline storage for up to
// six dims), the two shapes-and-dims containers of the API.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <vector>

namespace ember {

/// Non-owning view of a contiguous array, like c10::ArrayRef. Built from one value,
/// an initializer list, a std::vector or a pointer and a length.
template <class T>
class ArrayRef {
 public:
  constexpr ArrayRef() = default;
  constexpr ArrayRef(const T& one) : data_(&one), size_(1) {}
  constexpr ArrayRef(const T* data, size_t n) : data_(data), size_(n) {}
  // Views the list's array, which lives until the end of the full expression that made
  // the list: like c10::ArrayRef, valid as a function argument, not to be stored.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  constexpr ArrayRef(const std::initializer_list<T>& l)
      : data_(l.begin() == l.end() ? static_cast<const T*>(nullptr) : l.begin()), size_(l.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  template <class A>
  ArrayRef(const std::vector<T, A>& v) : data_(v.data()), size_(v.size()) {}
  constexpr const T* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const T* begin() const { return data_; }
  constexpr const T* end() const { return data_ + size_; }
  constexpr const T& operator[](size_t i) const { return data_[i]; }
  const T& front() const { return data_[0]; }
  const T& back() const { return data_[size_ - 1]; }
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }
  bool equals(ArrayRef o) const { return size_ == o.size_ && std::equal(begin(), end(), o.begin()); }
  friend bool operator==(ArrayRef a, ArrayRef b) { return a.equals(b); }
  friend bool operator!=(ArrayRef a, ArrayRef b) { return !a.equals(b); }
  friend bool operator==(ArrayRef a, const std::vector<T>& b) { return a.equals(b); }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};

using IntArrayRef = ArrayRef<int64_t>;

/// Prints "[2, 3]".
std::ostream& operator<<(std::ostream& os, IntArrayRef a);

/// Small vector of int64 with six inline slots (no heap for <= 6 dims).
class DimVector {
 public:
  static constexpr size_t kInline = 6;
  DimVector() = default;
  explicit DimVector(size_t n, int64_t v = 0) { resize(n, v); }
  DimVector(IntArrayRef a) { assign(a.begin(), a.end()); }
  DimVector(std::initializer_list<int64_t> l) { assign(l.begin(), l.end()); }
  DimVector(const DimVector& o) { assign(o.begin(), o.end()); }
  DimVector& operator=(const DimVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  DimVector(DimVector&& o) noexcept { steal(o); }
  DimVector& operator=(DimVector&& o) noexcept {
    if (this != &o) { release(); steal(o); }
    return *this;
  }
  ~DimVector() { release(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return ptr(); }
  const int64_t* data() const { return ptr(); }
  int64_t* begin() { return ptr(); }
  int64_t* end() { return ptr() + size_; }
  const int64_t* begin() const { return ptr(); }
  const int64_t* end() const { return ptr() + size_; }
  int64_t& operator[](size_t i) { return ptr()[i]; }
  int64_t operator[](size_t i) const { return ptr()[i]; }
  int64_t& back() { return ptr()[size_ - 1]; }
  operator IntArrayRef() const { return IntArrayRef(ptr(), size_); }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }

  void reserve(size_t n) {
    if (n <= capacity()) return;
    auto* h = new int64_t[n];
    if (size_) std::memcpy(h, ptr(), size_ * sizeof(int64_t));
    release();
    heap_ = h;
    cap_ = n;
  }
  void resize(size_t n, int64_t v = 0) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) ptr()[i] = v;
    size_ = n;
  }
  void push_back(int64_t v) {
    if (size_ == capacity()) reserve(capacity() * 2);
    ptr()[size_++] = v;
  }
  void insert(size_t pos, int64_t v) {
    push_back(0);
    for (size_t i = size_ - 1; i > pos; --i) ptr()[i] = ptr()[i - 1];
    ptr()[pos] = v;
  }
  void erase(size_t pos) {
    for (size_t i = pos; i + 1 < size_; ++i) ptr()[i] = ptr()[i + 1];
    --size_;
  }
  void clear() { size_ = 0; }
  template <class It>
  void assign(It b, It e) {
    size_ = 0;
    reserve(static_cast<size_t>(e - b));
    for (; b != e; ++b) ptr()[size_++] = static_cast<int64_t>(*b);
  }
  friend bool operator==(const DimVector& a, const DimVector& b) {
    return IntArrayRef(a) == IntArrayRef(b);
  }

 private:
  size_t capacity() const { return heap_ ? cap_ : kInline; }
  int64_t* ptr() { return heap_ ? heap_ : inline_; }
  const int64_t* ptr() const { return heap_ ? heap_ : inline_; }
  void release() {
    delete[] heap_;
    heap_ = nullptr;
  }
  void steal(DimVector& o) {
    size_ = o.size_;
    if (o.heap_) {
      heap_ = o.heap_;
      cap_ = o.cap_;
      o.heap_ = nullptr;
    } else {
      std::memcpy(inline_, o.inline_, size_ * sizeof(int64_t));
    }
    o.size_ = 0;
  }
  int64_t inline_[kInline];
  int64_t* heap_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace ember
