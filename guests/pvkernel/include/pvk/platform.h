// The platform interface: everything common code needs from the layer
// below it. Two implementations: platform/pv (ring 3 on pvisor, through
// hypercalls) and platform/native (ring 0 on the bare machine). Common
// code calls nothing else that differs between them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pvk/boot_info.h"
#include "pvk/cpu.h"
#include "pvk/user_context.h"

namespace pvk {

enum class ShutdownReason : uint8_t { poweroff, reboot, crash };

namespace platform {

// The console: pv writes through console_io, native to the 16550 UART.
void console_write(const char* s, size_t n);
// Reads what is available, up to n bytes; 0 if nothing (or not allowed).
size_t console_read(char* buf, size_t n);

[[noreturn]] void shutdown(ShutdownReason reason);

// Gives up the CPU to whatever else runs on it (nothing, natively).
void yield();

// Whether the domain with this id has ended (pv: the hypervisor knows it
// by no id; dom0 may ask). Natively there are no other domains: true.
bool domain_ended(uint32_t domid);

// Nanoseconds since boot (pv: the hypervisor's system time).
uint64_t uptime_ns();

// Enters user mode with ctx's registers; returns when user mode makes a
// system call (ctx.rip is the return address) or takes an exception
// (ctx.rip is the faulting instruction, or the next one for traps). ctx
// holds the user registers at that point either way.
ExitReason run_user(UserContext& ctx);

// The FS base for user mode (TLS). pv: set_segment_base, native: the MSR.
void set_user_fs_base(uint64_t base);

// The platform's cheapest call into the layer below, timed over
// `iterations` and reported as a pvk-bench line: pv makes the null
// hypercall (version); native has no layer below and reports nothing.
void bench_null_call(uint64_t iterations);

// One way of changing a page-table entry in the layer below, timed over
// `iterations` and reported: pv has update_va_mapping (hypercall), a
// 64-entry mmu_update (batch, reported per entry) and a store the
// hypervisor traps and emulates (trapped); native writes its tables
// directly and reports nothing.
enum class PteBench : uint8_t { hypercall, batch, trapped };
void bench_pte(PteBench which, uint64_t iterations);

}  // namespace platform
}  // namespace pvk

// Implemented by common code and called once by the platform's boot code
// with interrupts (pv: events) off, on the kernel stack.
extern "C" [[noreturn]] void pvk_kernel_start(const pvk::BootInfo& info);
