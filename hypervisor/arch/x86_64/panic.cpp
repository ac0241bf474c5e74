#include "core/panic.h"

#include <stdarg.h>

#include "backtrace.h"
#include "core/log.h"
#include "cpu.h"
#include "kstd/format.h"
#include "shutdown.h"

namespace core {

[[noreturn]] void panic(const char* fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    kstd::vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    core::print("pvisor: FATAL: panic: %s\n", msg);
    // Start at our caller: step back into its call instruction, which for a
    // noreturn call may be the last byte of the caller.
    uint64_t rbp = arch::read_rbp();
    arch::print_backtrace(reinterpret_cast<uint64_t>(__builtin_return_address(0)) - 1,
                          *reinterpret_cast<const uint64_t*>(rbp));
    core::print("pvisor: stopping the machine (panic)\n");
    arch::machine_stop(ExitStatus::panic);
}

}  // namespace core
