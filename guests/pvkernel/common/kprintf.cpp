#include "pvk/kprintf.h"

#include <kstd/format.h>
#include <kstd/string.h>

#include "pvk/platform.h"

namespace pvk {

void vkprintf(const char* fmt, va_list ap) {
    char buf[kprintf_max];
    size_t n = kstd::vformat(buf, sizeof buf, fmt, ap);
    if (n >= sizeof buf) {
        // Cut: keep the line ending so the next message starts on its own line.
        n = sizeof buf - 1;
        buf[n - 4] = '.';
        buf[n - 3] = '.';
        buf[n - 2] = '.';
        buf[n - 1] = '\n';
    }
    platform::console_write(buf, n);
}

void kprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}

void kputs(const char* s) { platform::console_write(s, kstd::strlen(s)); }

}  // namespace pvk
