// Trap-table setup, the kernel stack, callbacks, segment bases and iret.
#include <pvisor/callback.h>
#include <pvisor/segment.h>
#include <pvisor/trap.h>

#include "core/bounce.h"
#include "core/hypercall.h"

namespace core {
namespace {

using kstd::Error;

constexpr uint8_t trap_flags_known = PV_TRAP_USER_INT | PV_TRAP_MASK_EVENTS;

// Vectors a guest may handle. NMI, #DF and #MC stay with the hypervisor,
// and reserved vectors never occur.
bool vector_delegable(uint32_t v) {
    switch (v) {
    case 0: case 1: case 3: case 4: case 5: case 6: case 7: case 10: case 11:
    case 12: case 13: case 14: case 16: case 17: case 19: case 20: case 21:
        return true;
    default:  // 2 NMI, 8 #DF, 18 #MC, and reserved vectors
        return false;
    }
}

bool handler_ok(uint64_t address) { return address == 0 || guest_range_ok(address, 1); }

}  // namespace

HypercallResult hc_set_trap_table(HypercallContext& ctx, uint64_t table, uint64_t count) {
    // Decode: copy the whole table out once, then validate the copy.
    if (count > PV_TRAP_TABLE_MAX) return hc_error(Error::too_big);
    pv_trap_info entries[PV_TRAP_TABLE_MAX];
    if (count > 0) {
        if (!guest_range_ok(table, count * sizeof(pv_trap_info))) return hc_error(Error::fault);
        if (ctx.mem.copy_from(entries, Gva(table), count * sizeof(pv_trap_info)).is_error())
            return hc_error(Error::fault);
    }
    for (uint64_t i = 0; i < count; ++i) {
        const pv_trap_info& e = entries[i];
        if (!vector_delegable(e.vector) || (e.flags & ~trap_flags_known) != 0 || e.reserved != 0 ||
            e.reserved2 != 0 || !handler_ok(e.address))
            return hc_error(Error::inval);
    }

    // Invoke: an empty table clears every handler; otherwise the entries
    // given replace those vectors' handlers (later entries win).
    Vcpu& v = ctx.vcpu;
    if (count == 0) {
        for (TrapEntry& t : v.traps) t = {};
    }
    for (uint64_t i = 0; i < count; ++i) v.traps[entries[i].vector] = {entries[i].address, entries[i].flags};
    return 0;
}

HypercallResult hc_stack_switch(HypercallContext& ctx, uint64_t kernel_rsp) {
    // The frame is written just below kernel_rsp, so that much must be a
    // plausible guest range; whether it is mapped shows at delivery. The
    // assembly bounces from user mode (trap_fast, deliver_upcall,
    // user_syscall_fast) rely on this check and make no range check of
    // their own: nothing else may set kernel_sp.
    if (kernel_rsp < sizeof(pv_frame) + 16 || !guest_range_ok(kernel_rsp - sizeof(pv_frame) - 16, sizeof(pv_frame) + 16))
        return hc_error(Error::inval);
    ctx.vcpu.kernel_sp = kernel_rsp;
    return 0;
}

HypercallResult hc_set_segment_base(HypercallContext& ctx, uint64_t which, uint64_t base) {
    // A non-canonical base would make the hypervisor's own WRMSR fault.
    if (!is_canonical(base)) return hc_error(Error::inval);
    Vcpu& v = ctx.vcpu;
    switch (which) {
    case PV_SEGBASE_fs: v.fs_base = base; break;
    case PV_SEGBASE_gs_user: v.gs_base_user = base; break;
    case PV_SEGBASE_gs_kernel: v.gs_base_kernel = base; break;
    default: return hc_error(Error::inval);
    }
    ctx.hooks.segment_base_changed(v);
    return 0;
}

HypercallResult hc_callback_op(HypercallContext& ctx, uint64_t cmd, uint64_t callback) {
    if (cmd != PV_CALLBACKOP_register && cmd != PV_CALLBACKOP_unregister) return hc_error(Error::nosys);
    pv_callback cb;
    if (!guest_range_ok(callback, sizeof cb) || ctx.mem.copy_from(&cb, Gva(callback), sizeof cb).is_error())
        return hc_error(Error::fault);
    if (cb.type >= PV_CALLBACK_MAX || (cb.flags & ~PV_CALLBACK_MASK_EVENTS) != 0) return hc_error(Error::inval);
    if (cmd == PV_CALLBACKOP_register && (cb.address == 0 || !handler_ok(cb.address))) return hc_error(Error::inval);

    ctx.vcpu.callbacks[cb.type] = cmd == PV_CALLBACKOP_register ? Callback{cb.address, cb.flags} : Callback{};
    return 0;
}

HypercallResult hc_iret(HypercallContext& ctx) {
    ctx.regs_replaced = true;
    uint64_t frame_at = ctx.regs.rsp;
    kstd::Result<void> r = do_iret(ctx.vcpu, ctx.regs, ctx.mem);
    if (r.is_ok()) return 0;
    // A readable frame with values we refuse goes to the failsafe callback,
    // which may repair or kill what the guest was returning to.
    BounceFailure why;  // written only on failure
    if (r.error() == Error::inval && deliver_failsafe(ctx.vcpu, ctx.regs, ctx.mem, frame_at, &why).is_ok()) return 0;
    ctx.crash_reason = r.error() == Error::fault ? "iret: the frame at rsp is not readable"
                                                 : "iret: invalid frame and no usable failsafe callback";
    return 0;
}

}  // namespace core
