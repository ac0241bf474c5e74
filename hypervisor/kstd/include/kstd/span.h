// A pointer and a count: the only way arrays cross function boundaries.
#pragma once

#include <stddef.h>

namespace kstd {

template <typename T>
class span {
public:
    constexpr span() = default;
    constexpr span(T* data, size_t size) : data_(data), size_(size) {}
    template <size_t N>
    constexpr span(T (&arr)[N]) : data_(arr), size_(N) {}
    // span<T> converts to span<const T>.
    template <typename U>
    constexpr span(const span<U>& o) : data_(o.data()), size_(o.size()) {}

    constexpr T* data() const { return data_; }
    constexpr size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr T& operator[](size_t i) const { return data_[i]; }
    constexpr T* begin() const { return data_; }
    constexpr T* end() const { return data_ + size_; }
    constexpr span subspan(size_t off, size_t n) const { return span(data_ + off, n); }

private:
    T* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace kstd
