// The memory-management helpers of the guest tests (gt_mm.h).
#include "gt_mm.h"

#include <pvisor/hypercall_stubs.h>

#include "pv.h"
#include "pvk/heap.h"
#include "pvk/test.h"

namespace gt::mm {

const pv_start_info& si() { return pvk::pv::start_info(); }

uint64_t mfn_of_pfn(uint64_t pfn) { return reinterpret_cast<const uint64_t*>(si().frame_list_va)[pfn]; }

uint64_t pfn_of_mfn(uint64_t mfn) {
    for (uint64_t p = 0; p < si().nr_pages; ++p)
        if (mfn_of_pfn(p) == mfn) return p;
    test_error("mfn %#lx is not one of the domain's frames", mfn);
    return 0;
}

uint64_t physmap_va(uint64_t pfn) { return si().physmap_va + pfn * PV_PAGE_SIZE; }

const volatile uint64_t* table(uint64_t mfn) {
    return reinterpret_cast<const volatile uint64_t*>(physmap_va(pfn_of_mfn(mfn)));
}

uint64_t lowest_mfn() {
    uint64_t m = ~0ull;
    for (uint64_t p = 0; p < si().nr_pages; ++p)
        if (mfn_of_pfn(p) < m) m = mfn_of_pfn(p);
    return m;
}

uint64_t highest_mfn() {
    uint64_t m = 0;
    for (uint64_t p = 0; p < si().nr_pages; ++p)
        if (mfn_of_pfn(p) > m) m = mfn_of_pfn(p);
    return m;
}

Page fresh_page() {
    // Two pages' worth, so that a whole aligned page lies inside.
    auto raw = reinterpret_cast<uint64_t>(pvk::kmalloc(2 * PV_PAGE_SIZE));
    if (raw == 0) test_error("out of heap for a fresh page");
    uint64_t va = (raw + PV_PAGE_SIZE - 1) & ~uint64_t{PV_PAGE_SIZE - 1};
    __builtin_memset(reinterpret_cast<void*>(va), 0, PV_PAGE_SIZE);
    uint64_t pfn = (va - si().physmap_va) / PV_PAGE_SIZE;
    return Page{va, pfn, mfn_of_pfn(pfn)};
}

namespace {

unsigned index_of(uint64_t va, int level) { return static_cast<unsigned>((va >> (12 + 9 * (level - 1))) & 511); }

}  // namespace

uint64_t entry_maddr(uint64_t va, int level) {
    uint64_t mfn = si().kernel_root_mfn;
    for (int l = 4; l > level; --l) {
        uint64_t e = table(mfn)[index_of(va, l)];
        if ((e & PV_PTE_PRESENT) == 0) return 0;
        mfn = (e & PV_PTE_ADDR_MASK) >> 12;
    }
    return (mfn << 12) + index_of(va, level) * 8ull;
}

uint64_t entry(uint64_t va, int level) {
    uint64_t a = entry_maddr(va, level);
    if (a == 0) return 0;
    return table(a >> 12)[(a & 0xfff) / 8];
}

int64_t update(uint64_t ptr, uint64_t val, uint64_t* done) {
    pv_mmu_update_req u{ptr, val};
    return pv_mmu_update(&u, 1, done);
}

int64_t ext(uint32_t cmd, uint64_t arg1) {
    pv_mmuext_req op{cmd, 0, arg1, 0};
    return pv_mmuext_op(&op, 1, nullptr);
}

int64_t set_writable(const Page& p, bool writable) {
    return pv_update_va_mapping(p.va, pte(p.mfn, writable ? data_rw : data_ro), PV_UVMF_INVLPG);
}

Page fresh_l4() {
    Page p = fresh_page();
    const volatile uint64_t* root = table(si().kernel_root_mfn);
    auto* t = reinterpret_cast<uint64_t*>(p.va);
    for (unsigned i = 256; i < 272; ++i) t[i] = root[i];
    if (set_writable(p, false) != 0) test_error("cannot make the new L4 read-only");
    return p;
}

int64_t increase(uint64_t* frames, uint64_t n) {
    pv_memory_reservation r{reinterpret_cast<uint64_t>(frames), n, PV_DOMID_SELF, 0};
    return pv_memory_op(PV_MEMOP_increase_reservation, &r);
}

int64_t decrease(const uint64_t* frames, uint64_t n) {
    pv_memory_reservation r{reinterpret_cast<uint64_t>(frames), n, PV_DOMID_SELF, 0};
    return pv_memory_op(PV_MEMOP_decrease_reservation, &r);
}

}  // namespace gt::mm
