// The balloon (pvk/balloon.h) on pvisor. Giving back: take free pages off
// the pool, unmap them from the physmap (a frame still mapped cannot be
// given back), then one decrease_reservation per 512 frames. Taking back:
// increase_reservation, put each new MFN in a ballooned PFN's slot of the
// frame list and the M2P, map it in the physmap, return it to the pool.
#include "pvk/balloon.h"

#include <pvisor/hypercall_numbers.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/mm.h>

#include "m2p.h"
#include "pv.h"
#include "pvk/frames.h"
#include "pvk/layout.h"
#include "pvk/mmu.h"

namespace pvk::balloon {
namespace {

constexpr uint64_t chunk = 64;  // pages per batch of hypercalls
constexpr uint64_t max_ballooned = 4096;
constexpr uint64_t physmap_rw = PV_PTE_PRESENT | PV_PTE_RW | PV_PTE_USER | PV_PTE_NX;

// The PFNs given back, a stack: reclaim refills the latest first.
constinit uint32_t g_pfns[max_ballooned] = {};
constinit uint64_t g_count = 0;

kstd::Result<void> check(int64_t rc) {
    if (rc < 0) return static_cast<kstd::Error>(-rc);
    return kstd::ok();
}

uint64_t* frame_list() { return reinterpret_cast<uint64_t*>(pv::start_info().frame_list_va); }
uint64_t physmap_va(uint64_t pfn) { return pv::start_info().physmap_va + pfn * PV_PAGE_SIZE; }

// Maps (mfn != 0) or unmaps the physmap pages of pfns, one multicall.
kstd::Result<void> map_physmap(const uint64_t* pfns, const uint64_t* mfns, uint64_t n) {
    pv_multicall_entry calls[chunk];
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t pte = mfns != nullptr ? (mfns[i] << 12) | physmap_rw : 0;
        calls[i] = pv_multicall_entry{PV_HYPERCALL_update_va_mapping, {physmap_va(pfns[i]), pte, PV_UVMF_INVLPG, 0, 0},
                                      0};
    }
    TRY(check(pv_multicall(calls, n)));
    for (uint64_t i = 0; i < n; ++i) TRY(check(calls[i].result));
    return kstd::ok();
}

kstd::Result<void> give_back(uint64_t n) {
    uint64_t pfns[chunk], mfns[chunk];
    void* pages[chunk];
    for (uint64_t i = 0; i < n; ++i) {
        pages[i] = frames::take();
        if (pages[i] == nullptr) {
            for (uint64_t j = 0; j < i; ++j) frames::give(pages[j]);
            return kstd::Error::nomem;
        }
        pfns[i] = (reinterpret_cast<uint64_t>(pages[i]) - pv::start_info().physmap_va) / PV_PAGE_SIZE;
        mfns[i] = frame_list()[pfns[i]];
    }
    auto r = map_physmap(pfns, nullptr, n);
    pv_memory_reservation res{reinterpret_cast<uint64_t>(mfns), n, PV_DOMID_SELF, 0};
    if (r.is_ok()) r = check(pv_memory_op(PV_MEMOP_decrease_reservation, &res));
    if (r.is_error()) {
        // All or nothing: map them again and keep them.
        (void)map_physmap(pfns, mfns, n);
        for (uint64_t i = 0; i < n; ++i) frames::give(pages[i]);
        return r;
    }
    for (uint64_t i = 0; i < n; ++i) {
        pv::m2p_remove(mfns[i]);
        frame_list()[pfns[i]] = ~0ull;
        g_pfns[g_count++] = static_cast<uint32_t>(pfns[i]);
    }
    return kstd::ok();
}

kstd::Result<void> take_back(uint64_t n) {
    uint64_t pfns[chunk], mfns[chunk];
    pv_memory_reservation res{reinterpret_cast<uint64_t>(mfns), n, PV_DOMID_SELF, 0};
    TRY(check(pv_memory_op(PV_MEMOP_increase_reservation, &res)));
    for (uint64_t i = 0; i < n; ++i) pfns[i] = g_pfns[g_count - 1 - i];
    auto r = map_physmap(pfns, mfns, n);
    if (r.is_error()) {
        (void)map_physmap(pfns, nullptr, n);
        (void)pv_memory_op(PV_MEMOP_decrease_reservation, &res);
        return r;
    }
    g_count -= n;
    for (uint64_t i = 0; i < n; ++i) {
        frame_list()[pfns[i]] = mfns[i];
        pv::m2p_insert(mfns[i], pfns[i]);
        // SAFETY: the PFN's physmap page maps the new frame, writable.
        frames::give(reinterpret_cast<void*>(physmap_va(pfns[i])));
    }
    return kstd::ok();
}

}  // namespace

kstd::Result<void> free_to_hypervisor(uint64_t n) {
    if (n > max_ballooned - g_count) return kstd::Error::range;
    if (n > frames::free_count()) return kstd::Error::nomem;
    for (uint64_t done = 0; done < n;) {
        uint64_t k = n - done < chunk ? n - done : chunk;
        auto r = give_back(k);
        if (r.is_error()) {
            // All or nothing: take back what this call gave.
            (void)reclaim(done);
            return r;
        }
        done += k;
    }
    return kstd::ok();
}

kstd::Result<uint64_t> reclaim(uint64_t n) {
    if (n > g_count) n = g_count;
    for (uint64_t done = 0; done < n;) {
        uint64_t k = n - done < chunk ? n - done : chunk;
        auto r = take_back(k);
        if (r.is_error()) return done > 0 ? kstd::Result<uint64_t>(done) : kstd::Result<uint64_t>(r.error());
        done += k;
    }
    return n;
}

uint64_t ballooned() { return g_count; }

kstd::Result<uint64_t> reservation() {
    int64_t rc = pv_memory_op(PV_MEMOP_current_reservation, nullptr);
    if (rc < 0) return static_cast<kstd::Error>(-rc);
    return static_cast<uint64_t>(rc);
}

}  // namespace pvk::balloon
