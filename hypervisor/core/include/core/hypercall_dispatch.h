// The hypercall dispatcher, inline: an entry path includes it to take the
// whole dispatch into its own function (arch/x86_64's hypercall_from_guest
// does; the hypercall path is measured). core/hypercall.cpp has the
// out-of-line hypercall_dispatch and hypercall_entry for everyone else.
#pragma once

#include "core/hypercall.h"
#include "core/log.h"

namespace core {
namespace detail {

// The debug log's line for a hypercall that failed (cold, out of line).
[[gnu::cold]] void log_failed_hypercall(const HypercallContext& ctx, uint64_t nr, HypercallResult ret);

}  // namespace detail

// Calls handler `name` with its nargs argument registers (rdi, rsi, rdx,
// r10, r8), by the number of arguments hypercalls.toml gives it.
#define PV_ARGS_0(r)
#define PV_ARGS_1(r) , r.rdi
#define PV_ARGS_2(r) , r.rdi, r.rsi
#define PV_ARGS_3(r) , r.rdi, r.rsi, r.rdx
#define PV_ARGS_4(r) , r.rdi, r.rsi, r.rdx, r.r10
#define PV_ARGS_5(r) , r.rdi, r.rsi, r.rdx, r.r10, r.r8

// A switch rather than a table of pointers: each case calls its handler
// directly, which keeps the hypercall path short.
[[gnu::always_inline]] inline void hypercall_dispatch_inline(HypercallContext& ctx) {
    GuestRegs& r = ctx.regs;
    ++ctx.vcpu.hypercalls;
    uint64_t nr = r.rax;
    HypercallResult ret;
    switch (nr) {
#define PV_HYPERCALL_ENTRY(number, name, nargs, priv)                               \
    case number:                                                                    \
        ret = (priv) && !ctx.domain.privileged ? hc_error(kstd::Error::perm)        \
                                               : hc_##name(ctx PV_ARGS_##nargs(r)); \
        break;
#include "hypercall_table.inc"
#undef PV_HYPERCALL_ENTRY
    default: ret = hc_error(kstd::Error::nosys); break;
    }
    if (ret < 0 && log_enabled(LogLevel::debug)) [[unlikely]]
        detail::log_failed_hypercall(ctx, nr, ret);
    if (!ctx.regs_replaced) r.rax = static_cast<uint64_t>(ret);
}

#undef PV_ARGS_0
#undef PV_ARGS_1
#undef PV_ARGS_2
#undef PV_ARGS_3
#undef PV_ARGS_4
#undef PV_ARGS_5

// Dispatches the call ctx's registers make, and crashes the domain
// through hooks.crash_current if the call demands it (hypercall_entry,
// inline). ctx may be kept from call to call (the hypervisor keeps one per
// vCPU, for the frame at the top of its stack): the per-call state is
// reset here.
[[gnu::always_inline]] inline void hypercall_run_inline(HypercallContext& ctx) {
    ctx.regs_replaced = false;
    ctx.crash_reason = nullptr;
    hypercall_dispatch_inline(ctx);
    if (ctx.crash_reason != nullptr) [[unlikely]] ctx.hooks.crash_current(ctx.crash_reason);
}

}  // namespace core
