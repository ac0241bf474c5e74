#include "vcpu_context.h"

#include "core/builder.h"
#include "domains.h"
#include "guest_access.h"
#include "hv_objects.h"
#include "memory.h"
#include "paging.h"
#include "sched.h"

extern "C" char vcpu_first_entry[];

namespace arch {
namespace {

constexpr size_t vcpu_stack_pages = 4;

// The x87/SSE state a vCPU starts with, as an FXSAVE image (Intel SDM
// Vol. 1, 10.5.1, table 10-2): what FNINIT leaves (control word 0x37f,
// status 0, every register empty, which the abridged tag word writes as 0)
// and MXCSR's reset value 0x1f80 (all SSE exceptions masked); the data
// registers zero. A switch then only ever restores what is there.
void fpu_reset(core::Vcpu& v) {
    for (uint8_t& b : v.fpu) b = 0;
    v.fpu[0] = 0x7f;  // FCW
    v.fpu[1] = 0x03;
    v.fpu[24] = 0x80;  // MXCSR
    v.fpu[25] = 0x1f;
}

}  // namespace

kstd::Result<void> vcpu_stack_init(core::Vcpu& v, const core::GuestRegs& initial) {
    StackRange s = TRY(stack_alloc(vcpu_stack_pages));
    v.stack_bottom = s.bottom;
    v.stack_top = s.top;
    *v.regs() = initial;
    // Below the registers, the frame switch_stacks pops: six callee-saved
    // registers and a return address into trap_return.
    auto* sp = reinterpret_cast<uint64_t*>(v.regs());
    *--sp = reinterpret_cast<uint64_t>(vcpu_first_entry);
    for (int i = 0; i < 6; ++i) *--sp = 0;
    v.saved_rsp = reinterpret_cast<uint64_t>(sp);
    fpu_reset(v);
    hv_vcpu(v).hypercall.emplace(v, *v.domain, *v.regs(), guest_access(), hypercall_hooks());
    v.state = core::VcpuState::runnable;
    return kstd::ok();
}

void vcpus_release(core::Domain& d) {
    for (uint32_t i = 0; i < d.vcpu_count; ++i) {
        core::Vcpu* v = d.vcpus[i];
        if (v->stack_top != 0) stack_free({v->stack_bottom, v->stack_top});
        v->stack_top = v->stack_bottom = 0;
    }
    domain_memory_release(d);
}

}  // namespace arch
