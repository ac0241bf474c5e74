// The status the hypervisor reports when it stops the machine. Under QEMU
// with isa-debug-exit at port 0xf4, QEMU exits with (status << 1) | 1, which
// is how tests read it: ok -> 33, test_failed -> 35, panic -> 63.
#pragma once

#include <stdint.h>

namespace core {

enum class ExitStatus : uint8_t {
    ok = 0x10,           // every domain shut down cleanly
    test_failed = 0x11,  // a micro-guest test reported failure
    panic = 0x1f,        // panic, assertion or fatal exception
};

}  // namespace core
