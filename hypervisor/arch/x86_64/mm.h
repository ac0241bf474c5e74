// Memory management on the machine (DESIGN.md, "Memory virtualization"):
// the frame table at HV_FRAME_TABLE_BASE, the services the memory
// hypercalls use (core/mm_services.h), bringing built domains under the
// frame table's rules and giving their memory back, and the emulation of
// trapped writes to a guest's page tables.
#pragma once

#include "core/boot_info.h"
#include "core/domain.h"
#include "core/vcpu.h"
#include "kstd/result.h"
#include "trap_frame.h"

namespace arch {

// Sizes the frame table from the highest usable frame, maps it, marks
// every frame in use now (the image, boot structures, modules, the heap,
// page tables, stacks) as the hypervisor's, and installs the services.
// After the heap and before the first domain. Panics if it cannot.
void mm_init(const core::BootInfo& boot);

// A domain just built (core/builder.h) becomes the owner of its frames
// and its initial roots are validated and pinned (core/mm_adopt.h), with
// its limit at the pages it was built with. On error nothing changed and
// the domain must be unbuilt.
[[nodiscard]] kstd::Result<void> mm_adopt_domain(core::Domain& d);

// Destroy: drops every vCPU's roots and gives every frame the domain owns
// back to the frame allocator. With the hypervisor's root loaded.
void mm_release_domain(core::Domain& d);

// A page fault of vCPU v in virtual kernel mode: if it is a write to one
// of the domain's own L1 tables that can be emulated, does it and returns
// true (f is updated and the guest resumes after the instruction).
bool mm_emulate_pt_write_slow(core::Vcpu& v, TrapFrame& f, uint64_t cr2);
// Inline, because every guest page fault asks: only a write (bit 1) to a
// present page (bit 0) from ring 3 (bit 2), not a reserved-bit fault or a
// fetch (Intel SDM Vol. 3A, 4.7), in virtual kernel mode, goes further.
inline bool mm_emulate_pt_write(core::Vcpu& v, TrapFrame& f, uint64_t cr2) {
    if ((f.error_code & 0x1f) != 0x7 || v.mode != core::VcpuMode::kernel) return false;
    return mm_emulate_pt_write_slow(v, f, cr2);
}

}  // namespace arch
