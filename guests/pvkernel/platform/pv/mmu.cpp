// The mmu layer (pvk/mmu.h) on pvisor. Each operation takes the cheapest
// path the ABI offers (the mm benchmarks, bench=pte_*, give the costs):
//
//  seal/unseal    the page's physmap entry made read-only (writable):
//                 one page by update_va_mapping with INVLPG; several by
//                 one mmu_update batch of their physmap entries and a TLB
//                 flush in one multicall. A frame is never a table and
//                 writable-mapped, so this must come before the first
//                 reference.
//  write_entries  one mmu_update batch (one hypercall for up to 128
//                 entries); with flush, a multicall of the batch and a
//                 TLB_FLUSH_LOCAL, still one entry into the hypervisor.
//  set_pte        update_va_mapping(va, pte, INVLPG), or no flush where a
//                 page appears: one hypercall that also finds the entry and
//                 flushes; cheaper than a trapped
//                 store to the read-only L1 (a #PF, decode and emulate) and
//                 than mmu_update followed by a separate invlpg.
//  create_root    reuse a pinned root pair of an ended address space
//                 (seal the user tables, link them into slot 0 of both
//                 roots: one mmu_update batch); failing that, fill two
//                 new L4s while writable, seal them with the user tables,
//                 pin both in one mmuext_op.
//  destroy_root   unlink the user part and keep the pair for reuse (a
//                 few, only while another address space lives); else
//                 unpin both and make them writable again.
//  activate       NEW_BASEPTR and NEW_USER_BASEPTR in one mmuext_op, with
//                 the frames the Root keeps (no lookups).
//
// Pinning the roots (and only the roots) keeps the whole hierarchy typed
// for the process's life; unlinking the user part (or unpinning the roots)
// at exit releases it in one step.
#include "pvk/mmu.h"

#include <pvisor/hypercall_numbers.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/mm.h>

#include "m2p.h"
#include "pv.h"
#include "pvk/frames.h"
#include "pvk/heap.h"
#include "pvk/panic.h"

namespace pvk::platform::mmu {
namespace {

constexpr uint64_t physmap_rw = PV_PTE_PRESENT | PV_PTE_RW | PV_PTE_USER | PV_PTE_NX;
constexpr uint64_t physmap_ro = PV_PTE_PRESENT | PV_PTE_USER | PV_PTE_NX;
constexpr unsigned hv_first_slot = 256, hv_end_slot = 272;
constexpr size_t max_calls = 64;

kstd::Result<void> check(int64_t rc) {
    if (rc < 0) return static_cast<kstd::Error>(-rc);
    return kstd::ok();
}

// The start-info fields every translation reads, copied by init (they
// never change): one load each instead of two.
constinit uint64_t* g_frame_list = nullptr;
constinit uint64_t g_physmap_va = 0;
// The roots the builder made (start-info), for activate(nullptr).
constinit Root g_boot_roots = {};

uint64_t& frame_list(uint64_t pfn) {
    // SAFETY: the builder maps the frame list (nr_pages entries) read-write.
    return g_frame_list[pfn];
}

uint64_t maddr_of(const void* p) {
    uint64_t va = reinterpret_cast<uint64_t>(p);
    return (frame_of(reinterpret_cast<void*>(va & ~uint64_t{4095})) << 12) | (va & 4095);
}

// The physmap's L1 tables, one per 512 PFNs (in the physmap, read-only),
// found once through the boot kernel root. The balloon changes their
// entries, never the tables themselves, so the list stays true.
constinit uint64_t** g_physmap_l1 = nullptr;

void find_physmap_l1s() {
    const pv_start_info& si = pv::start_info();
    uint64_t n = (si.nr_pages + 511) / 512;
    g_physmap_l1 = static_cast<uint64_t**>(kmalloc(n * sizeof(uint64_t*)));
    if (g_physmap_l1 == nullptr) panic("no heap for the physmap's table list (%lu)", n);
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t va = si.physmap_va + i * 512 * PV_PAGE_SIZE, frame = si.kernel_root_mfn;
        for (int level = 4; level > 1; --level) {
            const auto* t = static_cast<const uint64_t*>(page_of(frame));
            frame = pvk::mmu::frame_of_entry(t[(va >> (12 + 9 * (level - 1))) & 511]);
        }
        g_physmap_l1[i] = static_cast<uint64_t*>(page_of(frame));
    }
}

// The physmap's L1 entry for a page of the physmap.
uint64_t* physmap_entry(const void* page) {
    uint64_t pfn = (reinterpret_cast<uint64_t>(page) - g_physmap_va) / PV_PAGE_SIZE;
    return g_physmap_l1[pfn / 512] + pfn % 512;
}

// Maps each page's physmap address with flags. One page: update_va_mapping
// with INVLPG, which finds the entry itself. More: the entries in one
// mmu_update batch and a TLB flush, one multicall per 64 pages (about
// half the hypervisor's work per page of an update_va_mapping each).
kstd::Result<void> remap(void* const* pages, size_t n, uint64_t flags) {
    if (n == 1)
        return check(pv_update_va_mapping(reinterpret_cast<uint64_t>(pages[0]), (frame_of(pages[0]) << 12) | flags,
                                          PV_UVMF_INVLPG));
    EntryWrite w[max_calls];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < max_calls ? n - done : max_calls;
        for (size_t i = 0; i < k; ++i) {
            void* p = pages[done + i];
            w[i] = EntryWrite{physmap_entry(p), (frame_of(p) << 12) | flags};
        }
        TRY(write_entries(w, k, true));
        done += k;
    }
    return kstd::ok();
}

// The slots of the boot kernel root other than 0 that hold anything. The
// boot root is pinned and the kernel never changes its top level (its
// mappings grow below it, in tables every root shares), so the list is
// made once, on first use.
struct BootSlots {
    const uint64_t* boot;
    unsigned n;
    uint16_t index[512];
};

constinit BootSlots g_boot_slots{nullptr, 0, {}};

const BootSlots& boot_slots() {
    BootSlots& slots = g_boot_slots;
    if (slots.boot == nullptr) {
        slots.boot = static_cast<const uint64_t*>(page_of(pv::start_info().kernel_root_mfn));
        for (unsigned i = 1; i < 512; ++i)
            if (slots.boot[i] != 0) slots.index[slots.n++] = static_cast<uint16_t>(i);
    }
    return slots;
}

kstd::Result<void> ext2(uint32_t cmd_a, uint64_t a, uint32_t cmd_b, uint64_t b) {
    pv_mmuext_req ops[2] = {{cmd_a, 0, a, 0}, {cmd_b, 0, b, 0}};
    return check(pv_mmuext_op(ops, 2, nullptr));
}

}  // namespace

void init() {
    g_frame_list = reinterpret_cast<uint64_t*>(pv::start_info().frame_list_va);
    g_physmap_va = pv::start_info().physmap_va;
    g_boot_roots.kernel_frame = pv::start_info().kernel_root_mfn;
    g_boot_roots.user_frame = pv::start_info().user_root_mfn;
    pv::m2p_init();
    find_physmap_l1s();
}

uint64_t frame_of(const void* page) {
    return frame_list((reinterpret_cast<uint64_t>(page) - g_physmap_va) / PV_PAGE_SIZE);
}

void* page_of(uint64_t frame) {
    uint64_t pfn = pv::m2p_lookup(frame);
    if (pfn == pv::no_pfn) return nullptr;
    // SAFETY: every PFN of the domain is mapped in the physmap.
    return reinterpret_cast<void*>(g_physmap_va + pfn * PV_PAGE_SIZE);
}

kstd::Result<void> seal(void* const* pages, size_t n) {
    auto r = remap(pages, n, physmap_ro);
    if (r.is_error()) unseal(pages, n);
    return r;
}

void unseal(void* const* pages, size_t n) {
    auto r = remap(pages, n, physmap_rw);
    if (r.is_error()) panic("cannot map former page tables writable again: %s", kstd::error_name(r.error()));
}

kstd::Result<void> write_entries(const EntryWrite* w, size_t n, bool flush) {
    constexpr size_t batch = 128;
    pv_mmu_update_req reqs[batch];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < batch ? n - done : batch;
        for (size_t i = 0; i < k; ++i)
            reqs[i] = pv_mmu_update_req{maddr_of(w[done + i].entry) | PV_MMU_NORMAL_PT_UPDATE, w[done + i].value};
        done += k;
        if (!flush || done < n) {
            TRY(check(pv_mmu_update(reqs, k, nullptr)));
            continue;
        }
        pv_mmuext_req op{PV_MMUEXT_TLB_FLUSH_LOCAL, 0, 0, 0};
        pv_multicall_entry calls[2] = {
            {PV_HYPERCALL_mmu_update, {reinterpret_cast<uint64_t>(reqs), k, 0, 0, 0}, 0},
            {PV_HYPERCALL_mmuext_op, {reinterpret_cast<uint64_t>(&op), 1, 0, 0, 0}, 0},
        };
        TRY(check(pv_multicall(calls, 2)));
        TRY(check(calls[0].result));
        TRY(check(calls[1].result));
    }
    return kstd::ok();
}

kstd::Result<void> set_pte(uint64_t* entry, uint64_t va, uint64_t value) {
    // A TLB never holds a not-present entry (Intel SDM Vol. 3A, 4.10.2.3):
    // a page that appears needs no flush.
    uint64_t flush = (*entry & PV_PTE_PRESENT) != 0 ? PV_UVMF_INVLPG : PV_UVMF_NONE;
    int64_t rc = pv_update_va_mapping(va, value, flush);
    // Every fault comes here: test for success before building an error.
    if (rc == 0) [[likely]]
        return kstd::ok();
    return check(rc);
}

namespace {

// Root pairs of ended address spaces, kept pinned (and so validated) with
// slot 0, the user part, empty: a new address space takes one and links
// its user part with two entry writes, instead of filling, sealing,
// pinning (validating both L4s) and later unpinning and unsealing two new
// pages. The cache is emptied when the last address space ends, so that
// then every page is back in the pool.
constexpr size_t root_cache_max = 4;
constinit Root g_root_cache[root_cache_max] = {};
constinit size_t g_roots_cached = 0;
constinit size_t g_roots_live = 0;

// Sets slot 0 of both roots of r (one mmu_update batch).
kstd::Result<void> set_user_part(const Root& r, uint64_t entry) {
    EntryWrite w[2] = {{static_cast<uint64_t*>(r.kernel), entry}, {static_cast<uint64_t*>(r.user), entry}};
    return write_entries(w, 2, false);
}

// Gives a pair up for good: unpinned, writable again, back in the pool.
void release_root(const Root& r) {
    auto rc = ext2(PV_MMUEXT_UNPIN_TABLE, r.kernel_frame, PV_MMUEXT_UNPIN_TABLE, r.user_frame);
    if (rc.is_error()) panic("cannot unpin a process's roots: %s", kstd::error_name(rc.error()));
    void* roots[2] = {r.kernel, r.user};
    unseal(roots, 2);
    frames::put(r.kernel);
    frames::put(r.user);
}

// create_root from a cached pair.
kstd::Result<Root> reuse_root(void* user_l3, void* const* tables, size_t n) {
    Root r = g_root_cache[--g_roots_cached];
    void* all[512 + 1];
    for (size_t i = 0; i < n; ++i) all[i] = tables[i];
    all[n] = user_l3;
    auto rc = seal(all, n + 1);
    if (rc.is_ok()) {
        rc = set_user_part(r, (frame_of(user_l3) << 12) | pvk::mmu::table_entry_flags);
        if (rc.is_error()) {
            // The first write may have been made (the batch stops at the refusal).
            if (set_user_part(r, 0).is_error()) panic("cannot empty a cached root");
            unseal(all, n + 1);
        }
    }
    if (rc.is_error()) {
        g_root_cache[g_roots_cached++] = r;  // still pinned, slot 0 empty
        return rc.error();
    }
    ++g_roots_live;
    return r;
}

}  // namespace

kstd::Result<Root> create_root(void* user_l3, void* const* tables, size_t n) {
    if (n > 512) return kstd::Error::range;
    if (g_roots_cached > 0) return reuse_root(user_l3, tables, n);
    auto* k = static_cast<uint64_t*>(frames::alloc());
    auto* u = static_cast<uint64_t*>(frames::alloc());
    if (k == nullptr || u == nullptr) {
        if (k != nullptr) frames::put(k);
        if (u != nullptr) frames::put(u);
        return kstd::Error::nomem;
    }
    // The kernel root: the boot kernel root's mappings but for slot 0,
    // the user part; the user root: the user part and the hypervisor's
    // slots, which every L4 must carry exactly as installed. Both pages
    // are fresh (zeroed), so only the boot root's few used slots are
    // copied, as the native kernel copies only its kernel slots.
    const BootSlots& b = boot_slots();
    uint64_t l3_entry = (frame_of(user_l3) << 12) | pvk::mmu::table_entry_flags;
    for (unsigned j = 0; j < b.n; ++j) {
        unsigned i = b.index[j];
        k[i] = b.boot[i];
        if (i >= hv_first_slot && i < hv_end_slot) u[i] = b.boot[i];
    }
    k[0] = u[0] = l3_entry;

    void* all[512 + 3];
    for (size_t i = 0; i < n; ++i) all[i] = tables[i];
    all[n] = user_l3;
    all[n + 1] = k;
    all[n + 2] = u;
    uint64_t kf = frame_of(k), uf = frame_of(u);
    auto r = seal(all, n + 3);
    if (r.is_ok()) {
        r = ext2(PV_MMUEXT_PIN_L4_TABLE, kf, PV_MMUEXT_PIN_L4_TABLE, uf);
        if (r.is_error()) {
            // One pin may have been made (the batch stops at the refusal).
            pv_mmuext_req op{PV_MMUEXT_UNPIN_TABLE, 0, kf, 0};
            (void)pv_mmuext_op(&op, 1, nullptr);
            unseal(all, n + 3);
        }
    }
    if (r.is_error()) {
        frames::put(k);
        frames::put(u);
        return r.error();
    }
    ++g_roots_live;
    return Root{k, u, kf, uf};
}

void destroy_root(const Root& r) {
    --g_roots_live;
    if (g_roots_live > 0 && g_roots_cached < root_cache_max) {
        // Unlinking the user part drops the last references to its tables.
        if (set_user_part(r, 0).is_error()) panic("cannot unlink a process's user part");
        g_root_cache[g_roots_cached++] = r;
        return;
    }
    release_root(r);
    if (g_roots_live == 0)
        while (g_roots_cached > 0) release_root(g_root_cache[--g_roots_cached]);
}

void activate(const Root* r) {
    // No address space: the roots the domain was built with (init).
    const Root& root = r != nullptr ? *r : g_boot_roots;
    auto rc = ext2(PV_MMUEXT_NEW_BASEPTR, root.kernel_frame, PV_MMUEXT_NEW_USER_BASEPTR, root.user_frame);
    if (rc.is_error()) panic("cannot load a process's roots: %s", kstd::error_name(rc.error()));
}

}  // namespace pvk::platform::mmu
