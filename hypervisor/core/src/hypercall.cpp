#include "core/hypercall.h"

#include <pvisor/hypercall_numbers.h>

#include "core/hypercall_dispatch.h"
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

}  // namespace

namespace detail {

void log_failed_hypercall(const HypercallContext& ctx, uint64_t nr, HypercallResult ret) {
    LOG_DEBUG("d%u: hypercall %lu (%s) -> %ld\n", ctx.domain.id, nr,
              nr < PV_HYPERCALL_COUNT && info.names[nr] != nullptr ? info.names[nr] : "?", ret);
}

}  // namespace detail

void hypercall_dispatch(HypercallContext& ctx) { hypercall_dispatch_inline(ctx); }

void hypercall_entry(Vcpu& v, GuestRegs& regs, GuestAccess& mem, HypercallHooks& hooks) {
    HypercallContext ctx{v, *v.domain, regs, mem, hooks};
    hypercall_run_inline(ctx);
}

}  // namespace core
