#include "pvk/panic.h"

#include <kstd/format.h>

#include "pvk/kprintf.h"
#include "pvk/platform.h"

namespace pvk {
namespace {

constinit PanicHook g_hook = nullptr;
constinit bool g_panicking = false;

}  // namespace

void set_panic_hook(PanicHook hook) { g_hook = hook; }

void panic(const char* fmt, ...) {
    // A panic while panicking (a fault in the report, say) must not loop.
    if (g_panicking) platform::shutdown(ShutdownReason::crash);
    g_panicking = true;

    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    kstd::vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kprintf("pvk: PANIC: %s\n", msg);
    if (g_hook != nullptr) {
        PanicHook hook = g_hook;
        g_hook = nullptr;
        hook(msg);
    }
    platform::shutdown(ShutdownReason::crash);
}

}  // namespace pvk
