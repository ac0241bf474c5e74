// The native address space: the kernel (physical 0-1 GiB at
// PVK_KERNEL_OFFSET, supervisor-only) and the user region at PVK_USER_VA
// (U=1), as pvisor's builder lays out a pv domain. One root serves both
// modes: the U bit, not a second root, keeps user mode out of the kernel.
#include "native.h"
#include "x86.h"

namespace pvk::native {
namespace {

constexpr uint64_t pte_p = 1u << 0, pte_rw = 1u << 1, pte_us = 1u << 2, pte_ps = 1u << 7, pte_g = 1u << 8;
constexpr uint64_t cr4_pge = 1u << 7;
constexpr uint64_t page_2m = 2ull << 20;

constexpr unsigned pml4_index(uint64_t va) { return (va >> 39) & 511; }
constexpr unsigned pdpt_index(uint64_t va) { return (va >> 30) & 511; }
constexpr unsigned pd_index(uint64_t va) { return (va >> 21) & 511; }

static_assert(PVK_USER_VA % page_2m == 0 && PVK_NATIVE_USER_PAGES <= 512,
              "the user region fills part of one page table");
static_assert(pml4_index(PVK_USER_VA) != pml4_index(PVK_KERNEL_OFFSET));

using Table = uint64_t[512];
alignas(4096) constinit Table g_pml4 = {};
alignas(4096) constinit Table g_kernel_pdpt = {};
alignas(4096) constinit Table g_kernel_pd = {};
alignas(4096) constinit Table g_user_pdpt = {};
alignas(4096) constinit Table g_user_pd = {};
alignas(4096) constinit Table g_user_pt = {};
// The user region's memory, part of the image's .bss.
alignas(4096) constinit uint8_t g_user_pages[PVK_NATIVE_USER_PAGES * PVK_PAGE_SIZE] = {};

}  // namespace

void paging_init() {
    for (uint64_t i = 0; i < 512; ++i) g_kernel_pd[i] = (i * page_2m) | pte_p | pte_rw | pte_ps | pte_g;
    g_kernel_pdpt[pdpt_index(PVK_KERNEL_OFFSET)] = virt_to_phys(g_kernel_pd) | pte_p | pte_rw;
    g_pml4[pml4_index(PVK_KERNEL_OFFSET)] = virt_to_phys(g_kernel_pdpt) | pte_p | pte_rw;

    for (uint64_t i = 0; i < PVK_NATIVE_USER_PAGES; ++i)
        g_user_pt[i] = virt_to_phys(g_user_pages + i * PVK_PAGE_SIZE) | pte_p | pte_rw | pte_us;
    g_user_pd[pd_index(PVK_USER_VA)] = virt_to_phys(g_user_pt) | pte_p | pte_rw | pte_us;
    g_user_pdpt[pdpt_index(PVK_USER_VA)] = virt_to_phys(g_user_pd) | pte_p | pte_rw | pte_us;
    g_pml4[pml4_index(PVK_USER_VA)] = virt_to_phys(g_user_pdpt) | pte_p | pte_rw | pte_us;

    write_cr4(read_cr4() | cr4_pge);
    // The boot tables' identity map goes away here; we run high already.
    write_cr3(virt_to_phys(g_pml4));
}

uint64_t boot_root_phys() { return virt_to_phys(g_pml4); }

void copy_kernel_slots(uint64_t* pml4) {
    for (unsigned i = pml4_index(PVK_KERNEL_OFFSET); i < 512; ++i) pml4[i] = g_pml4[i];
}

uint64_t user_region_va() { return PVK_USER_VA; }
uint64_t user_region_size() { return sizeof g_user_pages; }

}  // namespace pvk::native
