// The hypervisor's own address space: the direct map of machine memory,
// the image with W^X section permissions, and stacks with guard pages.
// Everything lives in PML4 slots 256-271, whose PDPT pages are allocated
// once here so that every guest root can share them (DESIGN.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/frame_allocator.h"
#include "kstd/result.h"
#include "kstd/span.h"
#include "layout.h"
#include "stacks.h"

namespace arch {

namespace pte {
inline constexpr uint64_t present = 1u << 0;
inline constexpr uint64_t writable = 1u << 1;
inline constexpr uint64_t user = 1u << 2;
inline constexpr uint64_t pwt = 1u << 3;
inline constexpr uint64_t pcd = 1u << 4;
inline constexpr uint64_t accessed = 1u << 5;
inline constexpr uint64_t dirty = 1u << 6;
inline constexpr uint64_t huge = 1u << 7;
inline constexpr uint64_t global = 1u << 8;
inline constexpr uint64_t nx = 1ull << 63;
inline constexpr uint64_t addr_mask = 0x000ffffffffff000ull;
}  // namespace pte

// Builds and loads the final page tables. direct_ranges are the machine
// memory ranges to put in the direct map (RAM and firmware tables).
kstd::Result<void> paging_init(core::FrameAllocator& frames, kstd::span<const core::PhysRange> direct_ranges);

// The direct-map address of a machine address. Valid only for memory the
// direct map covers (RAM, and ranges passed to directmap_ensure).
template <typename T>
inline T* directmap(core::Maddr a) {
    // SAFETY: the cast only computes an address; callers dereference it
    // only for memory they know is mapped.
    return reinterpret_cast<T*>(HV_DIRECTMAP_BASE + a.raw);
}

// Maps [pa, pa+len) into the direct map if it is not there yet and returns
// its address, or nullptr if that is impossible (no memory for tables).
void* directmap_ensure(uint64_t pa, size_t len);

// Maps device registers at [pa, pa+len) uncached into the direct map and
// returns their address, or nullptr.
volatile void* mmio_map(uint64_t pa, size_t len);

// A fresh stack of `pages` pages below an unmapped guard page.
kstd::Result<StackRange> stack_alloc(size_t pages);

// Unmaps a stack from stack_alloc and frees its frames. Its addresses are
// not reused.
void stack_free(StackRange r);

// The machine address of the hypervisor's PML4.
core::Maddr hv_root();

// The hypervisor's PML4 entries 256-271, for copying into guest roots.
const uint64_t* hv_pml4_slots();

// Bytes of the image by permission, for the boot report.
struct ImageLayout {
    uint64_t text_start, text_end, rodata_start, rodata_end, data_start, bss_end;
};
ImageLayout image_layout();

// Maps [pa, pa + size) read-write, no-execute at va, a fixed region of the
// hypervisor's slots (the frame table). Every root sees it at once: the
// slots' PDPTs are shared. Nothing may be mapped there yet.
kstd::Result<void> map_hypervisor_range(uint64_t va, core::Maddr pa, uint64_t size);

}  // namespace arch
