#include "crash.h"

#include <stdint.h>

#include "core/log.h"
#include "core/panic.h"

namespace arch {
namespace {

// Recurses until the stack runs into its guard page. The #PF cannot be
// delivered on the overflowed stack, so the CPU raises #DF, which runs on
// its own IST stack: this proves both.
[[gnu::noinline]] uint64_t overflow_stack(uint64_t depth) {
    if (depth == ~uint64_t{0}) return 0;  // never: it overflows first
    volatile char pad[512];
    pad[0] = static_cast<char>(depth);
    return overflow_stack(depth + 1) + static_cast<uint64_t>(pad[0]);
}

[[gnu::noinline]] void return_only() {}

}  // namespace

void crash_on_purpose(core::CrashKind kind) {
    using core::CrashKind;
    if (kind == CrashKind::none) return;
    core::print("pvisor: crashing on purpose (crash=%s)\n", core::crash_kind_name(kind));
    switch (kind) {
    case CrashKind::none: return;
    case CrashKind::ud:
        // SAFETY: deliberately executes an undefined opcode.
        asm volatile("ud2");
        break;
    case CrashKind::pf: {
        // SAFETY: deliberately reads an unmapped address (the identity map
        // of low memory is gone after paging_init).
        volatile uint64_t* bad = reinterpret_cast<volatile uint64_t*>(uint64_t{0x1000});
        (void)*bad;
        break;
    }
    case CrashKind::gp: {
        // SAFETY: deliberately reads a non-canonical address.
        volatile uint64_t* bad = reinterpret_cast<volatile uint64_t*>(uint64_t{0x8000000000000000});
        (void)*bad;
        break;
    }
    case CrashKind::de: {
        // SAFETY: deliberately divides by zero.
        asm volatile("xor %%ecx, %%ecx; div %%ecx" : : : "rax", "rcx", "rdx");
        break;
    }
    case CrashKind::panic: core::panic("deliberate panic from the command line");
    case CrashKind::assert_fail: {
        volatile int one = 1;
        PV_ASSERT(one == 2);
        break;
    }
    case CrashKind::double_fault: (void)overflow_stack(0); break;
    case CrashKind::write_text: {
        // SAFETY: deliberately writes to our own code, which W^X maps
        // read-only; the write must fault.
        auto* code = reinterpret_cast<volatile uint8_t*>(reinterpret_cast<uintptr_t>(&return_only));
        *code = 0xc3;
        break;
    }
    case CrashKind::exec_data: {
        // SAFETY: deliberately jumps into a data page, which is mapped NX;
        // the fetch must fault before the byte runs.
        static uint8_t data_ret[16] = {0xc3};
        auto fn = reinterpret_cast<void (*)()>(reinterpret_cast<uintptr_t>(data_ret));
        fn();
        break;
    }
    }
    core::print("pvisor: FATAL: crash=%s did not fault\n", core::crash_kind_name(kind));
}

}  // namespace arch
