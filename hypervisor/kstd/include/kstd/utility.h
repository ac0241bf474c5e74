// The few <utility>/<type_traits> pieces the freestanding code needs.
// Placement new comes from <new> on the host; freestanding, we declare it.
#pragma once

#include <stddef.h>

#if __STDC_HOSTED__
#include <new>
#else
inline void* operator new(size_t, void* p) noexcept { return p; }
inline void* operator new[](size_t, void* p) noexcept { return p; }
#endif

namespace kstd {

template <typename T> struct remove_reference { using type = T; };
template <typename T> struct remove_reference<T&> { using type = T; };
template <typename T> struct remove_reference<T&&> { using type = T; };

template <typename T>
constexpr typename remove_reference<T>::type&& move(T&& t) noexcept {
    return static_cast<typename remove_reference<T>::type&&>(t);
}

template <typename T>
constexpr T&& forward(typename remove_reference<T>::type& t) noexcept {
    return static_cast<T&&>(t);
}

template <typename T>
constexpr const T& min(const T& a, const T& b) { return b < a ? b : a; }
template <typename T>
constexpr const T& max(const T& a, const T& b) { return a < b ? b : a; }

template <typename T>
constexpr T align_up(T v, T a) { return (v + a - 1) & ~(a - 1); }
template <typename T>
constexpr T align_down(T v, T a) { return v & ~(a - 1); }
template <typename T>
constexpr bool is_aligned(T v, T a) { return (v & (a - 1)) == 0; }

// a + b without wrapping; false if it would wrap.
template <typename T>
constexpr bool add_overflows(T a, T b, T* out) { return __builtin_add_overflow(a, b, out); }

template <typename T, size_t N>
constexpr size_t array_size(const T (&)[N]) { return N; }

}  // namespace kstd
