// Page tables: the entry format and the platform's ways of changing them.
// Common code (address_space.cpp) builds and edits the user part of each
// process's tables; the platform decides how an edit reaches the tables:
//
//   native  plain stores, invlpg and CR3 loads (ring 0).
//   pv      tables are read-only to the guest and checked by pvisor
//           (SPEC.md section 6, 8-12). Each operation takes the cheapest
//           path the ABI allows; platform/pv/mmu.cpp says which and why.
//
// A table page is "open" while it is being filled (a fresh page, written
// with plain stores on both platforms) and "sealed" once it is in use
// (pv: mapped read-only and validated; native: nothing changes).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <kstd/result.h>

namespace pvk::mmu {

// Entry bits (Intel SDM Vol. 3A, 4.5, Table 4-19), and a software bit
// (one the hypervisor allows) for copy-on-write.
inline constexpr uint64_t pte_present = 1ull << 0;
inline constexpr uint64_t pte_rw = 1ull << 1;
inline constexpr uint64_t pte_user = 1ull << 2;
inline constexpr uint64_t pte_cow = 1ull << 9;
inline constexpr uint64_t pte_addr = 0x000ffffffffff000ull;
// Every user-part entry: ring 3 on both platforms needs U at each level.
inline constexpr uint64_t table_entry_flags = pte_present | pte_rw | pte_user;
inline constexpr uint64_t page_rw_flags = pte_present | pte_rw | pte_user;

inline uint64_t frame_of_entry(uint64_t e) { return (e & pte_addr) >> 12; }

// One entry to write: its kernel address (inside a sealed table) and value.
struct EntryWrite {
    uint64_t* entry;
    uint64_t value;
};

// The roots of one address space: pv has two (kernel mode and user mode,
// sharing the user part), native one (user is null, user_frame 0). With
// each, the frame number its loads use, found once when it is made.
struct Root {
    void* kernel;
    void* user;
    uint64_t kernel_frame;
    uint64_t user_frame;
};

}  // namespace pvk::mmu

namespace pvk::platform::mmu {

using pvk::mmu::EntryWrite;
using pvk::mmu::Root;

// Called once at boot, before the page pool is used.
void init();

// The frame number entries hold for a page of the pool (pv: the MFN), and
// back (nullptr for a frame the kernel does not know).
uint64_t frame_of(const void* page);
void* page_of(uint64_t frame);

// Seals open table pages (they become tables when something points at
// them), or reopens pages that no table uses any more.
[[nodiscard]] kstd::Result<void> seal(void* const* pages, size_t n);
void unseal(void* const* pages, size_t n);

// Writes entries of sealed tables; with flush, the TLB is flushed after
// (needed when an entry loses rights, not when one appears).
[[nodiscard]] kstd::Result<void> write_entries(const EntryWrite* w, size_t n, bool flush);

// Sets the L1 entry `entry` that maps the user address va in the active
// address space, and flushes va.
[[nodiscard]] kstd::Result<void> set_pte(uint64_t* entry, uint64_t va, uint64_t value);

// Makes the roots for a user part whose top table (an L3 for PML4 slot 0)
// is user_l3; seals user_l3 and the other open tables listed with them.
[[nodiscard]] kstd::Result<Root> create_root(void* user_l3, void* const* tables, size_t n);
// Gives the roots up; afterwards the user part's tables are no longer in
// use and may be unsealed. The roots must not be active.
void destroy_root(const Root& r);
// Loads r (nullptr: the address space the kernel booted with).
void activate(const Root* r);

}  // namespace pvk::platform::mmu
