// Formatted output to the console (kstd::format's conversions).
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace pvk {

// Longer lines are cut, ending in "...".
inline constexpr size_t kprintf_max = 512;

void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vkprintf(const char* fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void kputs(const char* s);

}  // namespace pvk
