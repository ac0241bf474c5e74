// The page-table entry benchmarks (platform::bench_pte) on pvisor. Each
// rewrites the physmap entries of scratch pages of the pool, flipping them
// between read-only and writable (both allowed for a data page), so every
// update is a real change the hypervisor must check.
#include <pvisor/hypercall_stubs.h>
#include <pvisor/mm.h>

#include "pv.h"
#include "pvk/bench.h"
#include "pvk/cpu.h"
#include "pvk/frames.h"
#include "pvk/mmu.h"
#include "pvk/panic.h"
#include "pvk/platform.h"

namespace pvk::platform {
namespace {

constexpr uint64_t rw = PV_PTE_PRESENT | PV_PTE_RW | PV_PTE_USER | PV_PTE_NX;
constexpr uint64_t ro = PV_PTE_PRESENT | PV_PTE_USER | PV_PTE_NX;
constexpr unsigned batch = 64;

// The physmap's L1 entry for va, found through the boot kernel root (the
// physmap's tables are shared by every root). Read-only to us.
uint64_t* physmap_entry(uint64_t va) {
    uint64_t frame = pv::start_info().kernel_root_mfn;
    for (int level = 4; level > 1; --level) {
        auto* t = static_cast<uint64_t*>(mmu::page_of(frame));
        frame = pvk::mmu::frame_of_entry(t[(va >> (12 + 9 * (level - 1))) & 511]);
    }
    return static_cast<uint64_t*>(mmu::page_of(frame)) + ((va >> 12) & 511);
}

uint64_t maddr(const uint64_t* entry) {
    auto va = reinterpret_cast<uint64_t>(entry);
    return (mmu::frame_of(reinterpret_cast<void*>(va & ~uint64_t{4095})) << 12) | (va & 4095);
}

void check(int64_t rc, const char* what) {
    if (rc != 0) panic("bench_pte: %s failed: %ld", what, rc);
}

}  // namespace

void bench_pte(PteBench which, uint64_t iterations) {
    void* pages[batch];
    pv_mmu_update_req reqs[batch];
    for (unsigned i = 0; i < batch; ++i) {
        pages[i] = frames::take();
        PVK_ASSERT(pages[i] != nullptr);
        reqs[i].ptr = maddr(physmap_entry(reinterpret_cast<uint64_t>(pages[i])));
    }
    uint64_t va = reinterpret_cast<uint64_t>(pages[0]);
    uint64_t pte = mmu::frame_of(pages[0]) << 12;
    uint64_t* entry = physmap_entry(va);
    uint64_t start = pvk_cycles();
    switch (which) {
    case PteBench::hypercall:
        for (uint64_t i = 0; i < iterations; ++i)
            check(pv_update_va_mapping(va, pte | ((i & 1) != 0 ? rw : ro), PV_UVMF_INVLPG), "update_va_mapping");
        bench_report("pte_update_hypercall", pvk_cycles() - start, iterations, "cycles");
        break;
    case PteBench::batch: {
        for (uint64_t i = 0; i < iterations; ++i) {
            for (unsigned j = 0; j < batch; ++j)
                reqs[j].val = (mmu::frame_of(pages[j]) << 12) | ((i & 1) != 0 ? rw : ro);
            check(pv_mmu_update(reqs, batch, nullptr), "mmu_update");
        }
        bench_report("pte_batch64_per_entry", pvk_cycles() - start, iterations * batch, "cycles");
        break;
    }
    case PteBench::trapped:
        for (uint64_t i = 0; i < iterations; ++i) {
            // SAFETY: entry is our physmap L1 entry for a scratch page,
            // mapped read-only: the store faults and pvisor emulates it
            // (SPEC.md "Trapped writes to page tables").
            asm volatile("movq %1, (%0)" : : "r"(entry), "r"(pte | ((i & 1) != 0 ? rw : ro)) : "memory");
        }
        bench_report("pte_trapped_write", pvk_cycles() - start, iterations, "cycles");
        break;
    }
    // Writable again, flushed, and back to the pool.
    for (unsigned i = 0; i < batch; ++i) {
        check(pv_update_va_mapping(reinterpret_cast<uint64_t>(pages[i]), (mmu::frame_of(pages[i]) << 12) | rw,
                                   PV_UVMF_INVLPG),
              "restoring a scratch page");
        frames::give(pages[i]);
    }
}

}  // namespace pvk::platform
