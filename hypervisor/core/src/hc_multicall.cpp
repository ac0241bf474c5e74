// multicall: a batch of hypercalls in one entry (SPEC.md section 6). Each
// entry goes through the ordinary dispatcher with its own registers, so it
// is checked exactly as if made alone. Two rules keep a batch from doing
// what a single call cannot:
//   - No nesting: an entry whose op is multicall gets -PV_EINVAL.
//   - A batch runs only in virtual kernel mode. An entry that does not
//     return to its caller (iret, which may also enter user mode; or a
//     refused iret's failsafe delivery) ends the batch at once: the vCPU
//     continues where that entry left it, later entries never run, and
//     neither that entry's result nor the multicall's own return value is
//     written. So no entry ever runs on behalf of user mode.
#include <pvisor/hypercall_numbers.h>
#include <pvisor/mm.h>

#include "core/hypercall.h"

namespace core {
namespace {

// The registers a hypercall takes its number and arguments in.
struct Args {
    uint64_t rax;
    uint64_t arg[5];  // rdi, rsi, rdx, r10, r8

    static Args of(const GuestRegs& r) { return Args{r.rax, {r.rdi, r.rsi, r.rdx, r.r10, r.r8}}; }
    void to(GuestRegs& r) const {
        r.rax = rax;
        r.rdi = arg[0];
        r.rsi = arg[1];
        r.rdx = arg[2];
        r.r10 = arg[3];
        r.r8 = arg[4];
    }
};

}  // namespace

HypercallResult hc_multicall(HypercallContext& ctx, uint64_t calls, uint64_t count) {
    using kstd::Error;
    if (count > PV_MULTICALL_MAX) return hc_error(Error::too_big);
    if (count != 0 && !guest_range_ok(calls, count * sizeof(pv_multicall_entry))) return hc_error(Error::fault);
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t at = calls + i * sizeof(pv_multicall_entry);
        pv_multicall_entry e;
        if (ctx.mem.copy_from(&e, Gva(at), sizeof e).is_error()) return hc_error(Error::fault);
        HypercallResult result;
        if (e.op == PV_HYPERCALL_multicall) {
            result = hc_error(Error::inval);
        } else {
            // The entry runs on the multicall's own register frame with
            // the six argument registers swapped in (a copy of the whole
            // frame per entry cost more than most entries), and they are
            // put back afterwards unless the entry replaced the frame or
            // left kernel mode. An entry that blocks leaves them swapped
            // in meanwhile; nothing reads a blocked vCPU's frame.
            GuestRegs& regs = ctx.regs;
            const Args saved = Args::of(regs);
            Args{e.op, {e.args[0], e.args[1], e.args[2], e.args[3], e.args[4]}}.to(regs);
            HypercallContext sub{ctx.vcpu, ctx.domain, regs, ctx.mem, ctx.hooks};
            hypercall_dispatch(sub);
            if (sub.crash_reason != nullptr) {
                if (!sub.regs_replaced) saved.to(regs);
                ctx.crash_reason = sub.crash_reason;
                return 0;
            }
            if (sub.regs_replaced || ctx.vcpu.mode != VcpuMode::kernel) {
                ctx.regs_replaced = true;
                return 0;
            }
            result = static_cast<HypercallResult>(regs.rax);
            saved.to(regs);
        }
        if (ctx.mem.copy_to(Gva(at + offsetof(pv_multicall_entry, result)), &result, sizeof result).is_error())
            return hc_error(Error::fault);
    }
    return 0;
}

}  // namespace core
