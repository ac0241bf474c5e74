// Freestanding string helpers and a non-owning string view.
#pragma once

#include <stddef.h>

namespace kstd {

size_t strlen(const char* s);
int strcmp(const char* a, const char* b);

class string_view {
public:
    constexpr string_view() = default;
    constexpr string_view(const char* s, size_t n) : data_(s), size_(n) {}
    string_view(const char* s) : data_(s), size_(kstd::strlen(s)) {}

    constexpr const char* data() const { return data_; }
    constexpr size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr char operator[](size_t i) const { return data_[i]; }
    constexpr string_view substr(size_t off, size_t n = static_cast<size_t>(-1)) const {
        if (off > size_) off = size_;
        if (n > size_ - off) n = size_ - off;
        return string_view(data_ + off, n);
    }
    // Index of the first c, or size() if absent.
    constexpr size_t find(char c) const {
        for (size_t i = 0; i < size_; ++i)
            if (data_[i] == c) return i;
        return size_;
    }
    bool operator==(string_view o) const;
    bool starts_with(string_view prefix) const;

private:
    const char* data_ = "";
    size_t size_ = 0;
};

}  // namespace kstd
