// Fatal errors: print, then shut down with ShutdownReason::crash.
#pragma once

namespace pvk {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Called by panic() after its message and before the shutdown, once. The
// test framework uses it to print its ERROR result line.
using PanicHook = void (*)(const char* message);
void set_panic_hook(PanicHook hook);

}  // namespace pvk

#define PVK_ASSERT(cond)                                                              \
    do {                                                                              \
        if (!(cond)) ::pvk::panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
    } while (0)
