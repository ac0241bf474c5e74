// The domain builder: turns a PV kernel image into a ready-to-run domain
// (memory, initial page tables, start-info, shared page, hypercall page,
// initial registers). The hypervisor runs it for the domains it boots
// with; it reaches memory only through BuildMemory so that it can move to
// dom0 later (DESIGN.md: the builder belongs in dom0).
//
// Guest layout (pseudo-physical pages, in order):
//   kernel image | start-info | frame list | boot stack | page tables | user region | free
// Guest virtual layout:
//   ELF segments at their addresses, then start-info, frame list, boot
//   stack and the shared page right after the image; every page at
//   physmap_va (the page tables read-only); the user region at user_va (also the only
//   thing the user root maps).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>

#include "core/addr.h"
#include "core/domain.h"
#include "core/elf.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

class BuildMemory {
public:
    [[nodiscard]] virtual kstd::Result<Mfn> alloc_frame() = 0;
    virtual void free_frame(Mfn f) = 0;
    // Hypervisor-side writable access to a whole machine frame.
    virtual void* map(Mfn f) = 0;

protected:
    ~BuildMemory() = default;
};

struct BuildRequest {
    kstd::span<const uint8_t> image;
    const char* name;
    const char* cmdline;
    pv_domid_t domid;
    bool privileged;
    uint64_t nr_pages;      // memory of the domain, in pages
    uint64_t user_pages;    // size of the user region
    uint32_t nr_vcpus = 1;  // reported in start-info; vCPU 0 is built here
    // PML4 entries 256-271 of the hypervisor, copied into every root.
    const uint64_t* hypervisor_slots;
};

struct BuildLayout {
    uint64_t kernel_pages, start_info_pfn, frame_list_pfn, frame_list_pages, stack_pfn, stack_pages;
    uint64_t pt_pfn, pt_pages, user_pfn, first_free_pfn;
    uint64_t start_info_va, frame_list_va, stack_top_va, shared_info_va;
};

inline constexpr uint64_t guest_physmap_va = 0xffff888000000000ull;  // PML4 slot 273
inline constexpr uint64_t guest_user_va = 0x400000ull;
inline constexpr uint64_t guest_boot_stack_pages = 8;

// Computes the layout for an image and a memory size. Error::nomem if the
// memory cannot hold it, Error::inval for a layout that would collide.
[[nodiscard]] kstd::Result<BuildLayout> plan_layout(const ElfImage& elf, uint64_t nr_pages, uint64_t user_pages);

// Builds the domain's memory and fills d (frame list, shared page, vCPU 0's
// roots) and vcpu0's registers. On error every frame taken is given back
// and d owns nothing. frame_list is caller storage for nr_pages entries.
[[nodiscard]] kstd::Result<void> build_domain(const BuildRequest& req, BuildMemory& mem, Domain& d, Vcpu& vcpu0,
                                              Mfn* frame_list, GuestRegs* regs_out);

// Gives back everything build_domain took (at destroy time).
void unbuild_domain(BuildMemory& mem, Domain& d);

}  // namespace core
