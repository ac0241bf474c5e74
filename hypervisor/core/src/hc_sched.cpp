// sched_op: yield, block, shut down.
#include <pvisor/sched.h>

#include "core/hypercall.h"
#include "core/log.h"

namespace core {

namespace {

// Blocking re-enables events atomically: an event that is already pending
// returns at once instead of being slept through. With yield, ahead of
// the rest: every wait for an event, and every yield, comes here.
[[gnu::always_inline]] inline HypercallResult block(HypercallContext& ctx) {
    Vcpu& v = ctx.vcpu;
    if (v.info != nullptr) {
        v.info->upcall_mask = 0;
        if (v.info->upcall_pending != 0) return 0;
    }
    ctx.hooks.block(v);
    return 0;
}

[[gnu::noinline]] HypercallResult other_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    Vcpu& v = ctx.vcpu;
    switch (cmd) {
    case PV_SCHEDOP_poll: {
        // Decode: the request and its ports, copied out once.
        pv_sched_poll req;
        if (ctx.mem.copy_from(&req, Gva(arg), sizeof req).is_error()) return hc_error(kstd::Error::fault);
        if (req.pad != 0 || req.nr_ports == 0) return hc_error(kstd::Error::inval);
        if (req.nr_ports > PV_SCHED_POLL_MAX_PORTS) return hc_error(kstd::Error::too_big);
        uint32_t ports[PV_SCHED_POLL_MAX_PORTS];
        if (ctx.mem.copy_from(ports, Gva(req.ports), req.nr_ports * sizeof(uint32_t)).is_error())
            return hc_error(kstd::Error::fault);
        kstd::Result<void> r = ctx.hooks.poll(v, ports, req.nr_ports, req.timeout);
        return r.is_ok() ? 0 : hc_error(r.error());
    }
    case PV_SCHEDOP_shutdown:
        if (arg > PV_SHUTDOWN_crash) return hc_error(kstd::Error::inval);
        if (ctx.domain.shutdown(static_cast<uint32_t>(arg)).is_error()) return hc_error(kstd::Error::already);
        ctx.hooks.domain_ended(ctx.domain);
        return 0;
    }
    return hc_error(kstd::Error::nosys);
}

}  // namespace

HypercallResult hc_sched_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    if (cmd == PV_SCHEDOP_block) [[likely]]
        return block(ctx);
    if (cmd == PV_SCHEDOP_yield) {
        ctx.hooks.yield(ctx.vcpu);
        return 0;
    }
    return other_op(ctx, cmd, arg);
}

}  // namespace core
