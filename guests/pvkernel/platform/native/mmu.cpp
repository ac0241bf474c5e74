// The mmu layer (pvk/mmu.h) on the bare machine: the CPU walks the tables
// the kernel writes, so every operation is plain stores, invlpg or a CR3
// load. Pool pages are in the direct map of the first GiB.
#include "pvk/mmu.h"

#include "native.h"
#include "pvk/frames.h"
#include "x86.h"

namespace pvk::platform::mmu {

void init() {}

uint64_t frame_of(const void* page) { return native::virt_to_phys(page) >> 12; }

void* page_of(uint64_t frame) {
    if (frame >= native::low_phys_limit >> 12) return nullptr;
    return native::phys_to_virt<void>(frame << 12);
}

kstd::Result<void> seal(void* const*, size_t) { return kstd::ok(); }
void unseal(void* const*, size_t) {}

kstd::Result<void> write_entries(const EntryWrite* w, size_t n, bool flush) {
    for (size_t i = 0; i < n; ++i) *w[i].entry = w[i].value;
    if (flush) native::write_cr3(native::read_cr3());
    return kstd::ok();
}

kstd::Result<void> set_pte(uint64_t* entry, uint64_t va, uint64_t value) {
    // A TLB never holds a not-present entry (Intel SDM Vol. 3A, 4.10.2.3).
    bool was_present = (*entry & pvk::mmu::pte_present) != 0;
    *entry = value;
    if (was_present) native::invlpg(va);
    return kstd::ok();
}

namespace {

// Roots of ended address spaces, kept with slot 0 (the user part) empty
// for the next address space, as the pv build keeps its pinned pairs
// (platform/pv/mmu.cpp): the same policy in both builds, so the
// benchmarks compare like with like. Here it saves zeroing the page and
// copying the kernel's slot. Emptied when the last address space ends.
constexpr size_t root_cache_max = 4;
constinit uint64_t* g_root_cache[root_cache_max] = {};
constinit size_t g_roots_cached = 0;
constinit size_t g_roots_live = 0;

}  // namespace

kstd::Result<Root> create_root(void* user_l3, void* const*, size_t) {
    uint64_t* k = g_roots_cached > 0 ? g_root_cache[--g_roots_cached] : nullptr;
    if (k == nullptr) {
        k = static_cast<uint64_t*>(frames::alloc());
        if (k == nullptr) return kstd::Error::nomem;
        // The kernel's PML4 slot (supervisor-only).
        native::copy_kernel_slots(k);
    }
    // The user part.
    k[0] = (frame_of(user_l3) << 12) | pvk::mmu::table_entry_flags;
    ++g_roots_live;
    return Root{k, nullptr, frame_of(k), 0};
}

void destroy_root(const Root& r) {
    --g_roots_live;
    if (g_roots_live > 0 && g_roots_cached < root_cache_max) {
        // Not loaded (the caller switched away first): no flush needed.
        auto* k = static_cast<uint64_t*>(r.kernel);
        k[0] = 0;
        g_root_cache[g_roots_cached++] = k;
        return;
    }
    frames::put(r.kernel);
    if (g_roots_live == 0)
        while (g_roots_cached > 0) frames::put(g_root_cache[--g_roots_cached]);
}

void activate(const Root* r) {
    native::write_cr3(r != nullptr ? r->kernel_frame << 12 : native::boot_root_phys());
}

}  // namespace pvk::platform::mmu
