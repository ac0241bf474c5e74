// The page pool: whole pages of the kernel's memory for user pages and
// page tables, with a reference count each (copy-on-write shares a page
// between address spaces). Pages are named by their kernel virtual
// address (pv: the physmap, native: the direct map of the first GiB).
//
// A free page is mapped writable in the kernel. On pv a page that becomes
// a page table is remapped read-only by the mmu layer (pvk/mmu.h) and made
// writable again before it is freed.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace pvk::frames {

// Hands [base, base + pages * 4096) to the pool. Called once at boot;
// the reference counts come from the heap.
void init(uint64_t base, uint64_t pages);

// A zeroed page with one reference, or nullptr when none is left.
[[nodiscard]] void* alloc();
// Another reference (a copy-on-write share).
void get(void* page);
// Drops a reference; the page is free again at zero.
void put(void* page);
uint32_t refs(const void* page);
bool in_pool(const void* page);

// Takes a free page out of the pool without zeroing it (nullptr if none),
// for the balloon; give() returns such a page.
void* take();
void give(void* page);

uint64_t free_count();
uint64_t total_count();

void zero_page(void* page);
void copy_page(void* dst, const void* src);

}  // namespace pvk::frames
