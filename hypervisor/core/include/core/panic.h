// Fatal errors. panic() prints the message and a backtrace and stops the
// machine with the panic exit status; it never returns. It is for broken
// hypervisor invariants only: bad guest input is an error value, never a
// panic.
#pragma once

namespace core {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace core

#define PV_ASSERT(cond)                                                               \
    do {                                                                              \
        if (!(cond)) ::core::panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
    } while (0)
