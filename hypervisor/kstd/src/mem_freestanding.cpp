// The four functions the compiler may call on its own even in freestanding
// code (struct copies, zero-initialisation). Only the freestanding build
// compiles this file; the host build uses libc's.
#include <stddef.h>
#include <stdint.h>

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
    // SAFETY: rep movsb with rdi/rsi/rcx set from the arguments; the caller
    // guarantees both ranges are valid and do not overlap.
    asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void* memset(void* dst, int c, size_t n) {
    void* ret = dst;
    // SAFETY: rep stosb over [dst, dst+n), which the caller owns.
    asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
    return ret;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (n == 0 || d < s || d >= s + n) return memcpy(dst, src, n);
    // Overlapping with dst above src: copy backwards. Written in asm so the
    // compiler cannot turn a byte loop back into a call to memmove.
    unsigned char* dl = d + n - 1;
    const unsigned char* sl = s + n - 1;
    // SAFETY: std/rep movsb/cld copies [src, src+n) to [dst, dst+n) from the
    // top down, correct for this overlap; the direction flag is restored.
    asm volatile("std; rep movsb; cld" : "+D"(dl), "+S"(sl), "+c"(n) : : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] - y[i];
    return 0;
}

}  // extern "C"
