#include "core/hypercall.h"

#include <pvisor/hypercall_numbers.h>

#include "core/log.h"

namespace core {
namespace {

// Names by number, for the debug log; holes in the numbering stay null.
struct HypercallNames {
    const char* names[PV_HYPERCALL_COUNT] = {};
    constexpr HypercallNames() {
#define PV_HYPERCALL_ENTRY(number, name, nargs, priv) names[number] = #name;
#include "hypercall_table.inc"
#undef PV_HYPERCALL_ENTRY
    }
};
constexpr HypercallNames info;

// Calls handler `name` with its nargs argument registers (rdi, rsi, rdx,
// r10, r8), by the number of arguments hypercalls.toml gives it.
#define PV_ARGS_0(r)
#define PV_ARGS_1(r) , r.rdi
#define PV_ARGS_2(r) , r.rdi, r.rsi
#define PV_ARGS_3(r) , r.rdi, r.rsi, r.rdx
#define PV_ARGS_4(r) , r.rdi, r.rsi, r.rdx, r.r10
#define PV_ARGS_5(r) , r.rdi, r.rsi, r.rdx, r.r10, r.r8

// A switch rather than a table of pointers: each case calls its handler
// directly, which keeps the hypercall path short (it is measured).
[[gnu::always_inline]] inline void dispatch(HypercallContext& ctx) {
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
    if (ret < 0 && log_enabled(LogLevel::debug))
        LOG_DEBUG("d%u: hypercall %lu (%s) -> %ld\n", ctx.domain.id, nr,
                  nr < PV_HYPERCALL_COUNT && info.names[nr] != nullptr ? info.names[nr] : "?", ret);
    if (!ctx.regs_replaced) r.rax = static_cast<uint64_t>(ret);
}

}  // namespace

void hypercall_dispatch(HypercallContext& ctx) { dispatch(ctx); }

void hypercall_entry(Vcpu& v, GuestRegs& regs, GuestAccess& mem, HypercallHooks& hooks) {
    HypercallContext ctx{v, *v.domain, regs, mem, hooks};
    dispatch(ctx);
    if (ctx.crash_reason != nullptr) [[unlikely]] hooks.crash_current(ctx.crash_reason);
}

}  // namespace core
