// vcpu_op: a domain's other vCPUs.
#include <pvisor/abi.h>
#include <pvisor/vcpu.h>

#include "core/hypercall.h"
#include "core/mm_services.h"
#include "core/mmuext.h"

namespace core {

using kstd::Error;

HypercallResult hc_vcpu_op(HypercallContext& ctx, uint64_t cmd, uint64_t vcpu, uint64_t arg) {
    Domain& d = ctx.domain;
    if (vcpu >= d.vcpu_count || d.vcpus[vcpu] == nullptr) return hc_error(Error::srch);
    Vcpu& v = *d.vcpus[vcpu];
    auto result = [](kstd::Result<void> r) { return r.is_ok() ? HypercallResult{0} : hc_error(r.error()); };

    switch (cmd) {
    case PV_VCPUOP_initialise: {
        pv_vcpu_context c;
        if (ctx.mem.copy_from(&c, Gva(arg), sizeof c).is_error()) return hc_error(Error::fault);
        if (v.initialised) return hc_error(Error::exist);
        for (uint64_t r : c.reserved)
            if (r != 0) return hc_error(Error::inval);
        if (!guest_range_ok(c.rip, 1) || !guest_range_ok(c.rsp, 0)) return hc_error(Error::inval);
        GuestRegs regs{};
        regs.rip = c.rip;
        regs.rsp = c.rsp;
        regs.rsi = c.rsi;
        regs.rflags = rflags::if_ | rflags::reserved1;
        regs.cs = PV_GUEST_CS;
        regs.ss = PV_GUEST_SS;
        // It shares the address space the caller runs in now. With the
        // memory manager live, each root a vCPU holds is a counted
        // reference; they are taken into temporaries and only become the
        // vCPU's once nothing else can fail, so a refusal leaves no trace.
        Mfn kroot, uroot;
        if (mm_available()) {
            kstd::Result<void> roots = mm_locked([&](MmServices& s) -> kstd::Result<void> {
                FlushRequest none;
                TRY(mmuext_new_root(s.context(), d.mm, &kroot, ctx.vcpu.kernel_root, false, false, &none));
                kstd::Result<void> u = mmuext_new_root(s.context(), d.mm, &uroot, ctx.vcpu.user_root, true, false, &none);
                if (u.is_error()) drop_root(s.context(), &kroot);
                return u;
            });
            if (roots.is_error()) return hc_error(roots.error());
        } else {
            kroot = ctx.vcpu.kernel_root;
            uroot = ctx.vcpu.user_root;
        }
        if (kstd::Result<void> r = ctx.hooks.vcpu_initialise(v, regs); r.is_error()) {
            if (mm_available()) {
                mm_locked([&](MmServices& s) {
                    drop_root(s.context(), &uroot);
                    drop_root(s.context(), &kroot);
                });
            }
            return hc_error(r.error());
        }
        v.kernel_root = kroot;
        v.user_root = uroot;
        v.mode = VcpuMode::kernel;
        if (v.info != nullptr) v.info->upcall_mask = 1;
        v.initialised = true;
        return 0;
    }
    case PV_VCPUOP_up:
        if (!v.initialised) return hc_error(Error::inval);
        if (v.state != VcpuState::down) return 0;
        return result(ctx.hooks.vcpu_up(v));
    case PV_VCPUOP_down:
        if (v.state == VcpuState::down) return 0;
        return result(ctx.hooks.vcpu_down(v));
    case PV_VCPUOP_is_up: return v.state == VcpuState::down ? 0 : 1;
    case PV_VCPUOP_set_periodic_timer: return result(ctx.hooks.set_periodic_timer(v, arg));
    case PV_VCPUOP_stop_periodic_timer: return result(ctx.hooks.set_periodic_timer(v, 0));
    case PV_VCPUOP_set_singleshot_timer: return result(ctx.hooks.set_singleshot_timer(v, arg));
    case PV_VCPUOP_stop_singleshot_timer: return result(ctx.hooks.set_singleshot_timer(v, 0));
    }
    return hc_error(Error::nosys);
}

}  // namespace core
