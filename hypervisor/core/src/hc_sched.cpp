// sched_op: yield, block, shut down.
#include <pvisor/sched.h>

#include "core/hypercall.h"
#include "core/log.h"

namespace core {

HypercallResult hc_sched_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    Vcpu& v = ctx.vcpu;
    switch (cmd) {
    case PV_SCHEDOP_yield:
        ctx.hooks.yield(v);
        return 0;
    case PV_SCHEDOP_block:
        // Blocking re-enables events atomically: an event that is already
        // pending returns at once instead of being slept through.
        if (v.info != nullptr) {
            v.info->upcall_mask = 0;
            if (v.info->upcall_pending != 0) return 0;
        }
        ctx.hooks.block(v);
        return 0;
    case PV_SCHEDOP_shutdown:
        if (arg > PV_SHUTDOWN_crash) return hc_error(kstd::Error::inval);
        if (ctx.domain.shutdown(static_cast<uint32_t>(arg)).is_error()) return hc_error(kstd::Error::already);
        ctx.hooks.domain_ended(ctx.domain);
        return 0;
    }
    return hc_error(kstd::Error::nosys);
}

}  // namespace core
