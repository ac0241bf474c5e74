// Memory-management helpers for the guest tests (tests/guest/mm_*.cpp and
// tests/security): the domain's frames and physmap, reading its own page
// tables through their read-only physmap mappings, fresh pages taken from
// the heap, and one-element wrappers of the memory hypercalls
// (pvisor/mm.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvisor/mm.h>
#include <pvisor/start_info.h>

namespace gt::mm {

const pv_start_info& si();
uint64_t mfn_of_pfn(uint64_t pfn);
// The PFN backing mfn (test_error if the domain has no such frame).
uint64_t pfn_of_mfn(uint64_t mfn);
uint64_t physmap_va(uint64_t pfn);
// The physmap address of one of the domain's frames: its tables are
// readable there.
const volatile uint64_t* table(uint64_t mfn);
uint64_t lowest_mfn();
uint64_t highest_mfn();

// A page of the domain's own, zeroed, mapped writable in the physmap,
// that nothing else uses (taken from the heap, never given back).
struct Page {
    uint64_t va;  // in the physmap
    uint64_t pfn;
    uint64_t mfn;
};
Page fresh_page();

// The machine address of the entry of level `level` (1-4) that maps va
// in the kernel root, and that entry (0 if a table on the way is missing).
uint64_t entry_maddr(uint64_t va, int level);
uint64_t entry(uint64_t va, int level);

// Entries.
inline uint64_t pte(uint64_t mfn, uint64_t flags) { return (mfn << 12) | flags; }
inline constexpr uint64_t table_flags = PV_PTE_PRESENT | PV_PTE_RW | PV_PTE_USER;
inline constexpr uint64_t data_rw = PV_PTE_PRESENT | PV_PTE_RW | PV_PTE_USER | PV_PTE_NX;
inline constexpr uint64_t data_ro = PV_PTE_PRESENT | PV_PTE_USER | PV_PTE_NX;

// One mmu_update; *done (if given) receives the done count.
int64_t update(uint64_t ptr, uint64_t val, uint64_t* done = nullptr);
// One mmuext_op.
int64_t ext(uint32_t cmd, uint64_t arg1 = 0);
// Makes a physmap page read-only (or writable again), flushing it.
int64_t set_writable(const Page& p, bool writable);
// A new L4 of fresh_page(): read-only, empty but for the hypervisor's
// slots copied from the kernel root (not yet pinned).
Page fresh_l4();

// memory_op wrappers.
int64_t increase(uint64_t* frames, uint64_t n);
int64_t decrease(const uint64_t* frames, uint64_t n);

}  // namespace gt::mm
