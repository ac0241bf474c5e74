// Open addressing with linear probing, at most half full (twice as many
// slots as the domain has pages, so lookups stay short). A removed entry
// leaves a tombstone that a later insert reuses. Inserts are of MFNs not
// in the table (the frame list's, or new ones from the hypervisor).
#include "m2p.h"

#include "pv.h"
#include "pvk/heap.h"
#include "pvk/panic.h"

namespace pvk::pv {
namespace {

struct Slot {
    uint64_t mfn;  // empty or tombstone below
    uint64_t pfn;
};
constexpr uint64_t empty = ~0ull, tombstone = ~0ull - 1;

constinit Slot* g_slots = nullptr;
constinit uint64_t g_mask = 0;

uint64_t hash(uint64_t mfn) { return (mfn * 0x9e3779b97f4a7c15ull) >> 20; }

}  // namespace

void m2p_init() {
    uint64_t n = start_info().nr_pages, size = 1;
    while (size < 2 * n) size <<= 1;
    g_slots = static_cast<Slot*>(kmalloc(size * sizeof(Slot)));
    if (g_slots == nullptr) panic("no heap for the M2P table (%lu slots)", size);
    g_mask = size - 1;
    for (uint64_t i = 0; i < size; ++i) g_slots[i] = Slot{empty, 0};
    const auto* frames = reinterpret_cast<const uint64_t*>(start_info().frame_list_va);
    for (uint64_t pfn = 0; pfn < n; ++pfn) m2p_insert(frames[pfn], pfn);
}

uint64_t m2p_lookup(uint64_t mfn) {
    // Bounded: tombstones could, in time, leave no empty slot to stop at.
    for (uint64_t i = hash(mfn), k = 0; k <= g_mask; ++i, ++k) {
        const Slot& s = g_slots[i & g_mask];
        if (s.mfn == mfn) return s.pfn;
        if (s.mfn == empty) return no_pfn;
    }
    return no_pfn;
}

void m2p_insert(uint64_t mfn, uint64_t pfn) {
    for (uint64_t i = hash(mfn);; ++i) {
        Slot& s = g_slots[i & g_mask];
        if (s.mfn == empty || s.mfn == tombstone) {
            s = Slot{mfn, pfn};
            return;
        }
    }
}

void m2p_remove(uint64_t mfn) {
    for (uint64_t i = hash(mfn), k = 0; k <= g_mask; ++i, ++k) {
        Slot& s = g_slots[i & g_mask];
        if (s.mfn == mfn) {
            s.mfn = tombstone;
            return;
        }
        if (s.mfn == empty) return;
    }
}

}  // namespace pvk::pv
