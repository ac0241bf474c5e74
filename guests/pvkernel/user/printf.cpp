#include <stdarg.h>

#include <kstd/format.h>

#include "pvk_user/syscall.h"

namespace pvk_user {

void printf(const char* fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    size_t n = kstd::vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sys_write(1, buf, n < sizeof buf ? n : sizeof buf - 1);
}

}  // namespace pvk_user
