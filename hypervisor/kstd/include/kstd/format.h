// printf-style formatting into a caller's buffer. The format attribute lets
// the compiler check every call. Supported: %d %i %u %x %X %o %c %s %p %%,
// the length modifiers hh h l ll z, flags '-' '0' '#', width and .precision
// for strings. The output is always NUL-terminated when size > 0; the
// return value is the length the full output would have had.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace kstd {

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
size_t format(char* buf, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace kstd
