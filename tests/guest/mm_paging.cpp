// The page-table hypercalls on their good paths (SPEC.md section 6): a new
// four-level hierarchy built with mmu_update, pinned and loaded as the
// kernel root; mappings made and removed with update_va_mapping; L1
// entries written in place (an emulated mov and lock cmpxchg); a multicall;
// and the reservation shrunk and grown again.
#include <pvisor/hypercall_numbers.h>
#include <pvisor/version.h>

#include "gt.h"
#include "gt_mm.h"

const char test_title[] = "mm_paging";

namespace {

using namespace gt::mm;

constexpr uint64_t test_va = 0x0000008000000000;  // PML4 slot 1: nothing of the initial layout
constexpr uint64_t marker = 0x5eed5eed12345678;

uint64_t read_at(uint64_t va) { return *reinterpret_cast<const volatile uint64_t*>(va); }

bool faults_reading(uint64_t va) { return !gt::readable(va); }

// An in-place store to an entry: exactly the instruction the hypervisor
// emulates (REX.W 89 /r).
void store_entry(uint64_t va, uint64_t val) {
    // SAFETY: va is a read-only mapping of one of our L1 tables; the store
    // faults and the hypervisor performs it after checking it.
    asm volatile("movq %1, (%0)" ::"r"(va), "r"(val) : "memory");
}

// lock cmpxchg on an entry; returns ZF and updates *expected like the CPU.
bool cmpxchg_entry(uint64_t va, uint64_t* expected, uint64_t val) {
    uint64_t rax = *expected;
    bool zf;
    // SAFETY: as store_entry, for lock cmpxchg (F0 REX.W 0F B1 /r).
    asm volatile("lock cmpxchgq %3, (%2)" : "+a"(rax), "=@ccz"(zf) : "r"(va), "r"(val) : "memory");
    *expected = rax;
    return zf;
}

struct Tables {
    Page l4, l3, l2, l1, data, data2;
};

Tables build() {
    Tables t{fresh_l4(), fresh_page(), fresh_page(), fresh_page(), fresh_page(), fresh_page()};
    const Page* tables[] = {&t.l3, &t.l2, &t.l1};
    for (const Page* p : tables) gt::check_rc(set_writable(*p, false), 0, "make a table read-only");
    *reinterpret_cast<volatile uint64_t*>(t.data.va) = marker;
    *reinterpret_cast<volatile uint64_t*>(t.data2.va) = marker + 1;

    // The kernel's own mappings (every present entry outside the
    // hypervisor's slots), so the new root can run this code.
    const volatile uint64_t* root = table(si().kernel_root_mfn);
    pv_mmu_update_req reqs[512];
    uint64_t n = 0;
    for (unsigned i = 0; i < 512; ++i)
        if ((i < 256 || i >= 272) && (root[i] & PV_PTE_PRESENT) != 0) reqs[n++] = {(t.l4.mfn << 12) + i * 8, root[i]};
    reqs[n++] = {(t.l4.mfn << 12) + 1 * 8, pte(t.l3.mfn, table_flags)};
    reqs[n++] = {t.l3.mfn << 12, pte(t.l2.mfn, table_flags)};
    reqs[n++] = {t.l2.mfn << 12, pte(t.l1.mfn, table_flags)};
    reqs[n++] = {t.l1.mfn << 12, pte(t.data.mfn, data_rw)};
    uint64_t done = 0;
    // The tables are not validated yet: mmu_update refuses to write them.
    gt::check_rc(pv_mmu_update(reqs, n, &done), -PV_EINVAL, "mmu_update into a table nobody uses");
    gt::check_eq(done, 0, "done after a refusal of the first");
    // Pinned (each validates: empty, or the hypervisor's slots), then filled.
    gt::check_rc(ext(PV_MMUEXT_PIN_L1_TABLE, t.l1.mfn), 0, "pin L1");
    gt::check_rc(ext(PV_MMUEXT_PIN_L2_TABLE, t.l2.mfn), 0, "pin L2");
    gt::check_rc(ext(PV_MMUEXT_PIN_L3_TABLE, t.l3.mfn), 0, "pin L3");
    gt::check_rc(ext(PV_MMUEXT_PIN_L4_TABLE, t.l4.mfn), 0, "pin L4");
    gt::check_rc(pv_mmu_update(reqs, n, &done), 0, "mmu_update of %lu entries", n);
    gt::check_eq(done, n, "done");
    return t;
}

void switch_roots(const Tables& t) {
    gt::check_rc(ext(PV_MMUEXT_NEW_BASEPTR, t.l4.mfn), 0, "new_baseptr");
    gt::check_eq(read_at(test_va), marker, "the data page through the new root");
    *reinterpret_cast<volatile uint64_t*>(test_va) = marker + 2;
    gt::check_eq(read_at(t.data.va), marker + 2, "written through the new root, read through the physmap");
    // Still pinned by us and loaded: unpinning keeps it valid (the vCPU's
    // root holds it), and pinning it again works.
    gt::check_rc(ext(PV_MMUEXT_UNPIN_TABLE, t.l4.mfn), 0, "unpin the loaded root");
    gt::check_rc(ext(PV_MMUEXT_PIN_L4_TABLE, t.l4.mfn), 0, "pin it again");
}

void mappings(const Tables& t) {
    uint64_t va = test_va + PV_PAGE_SIZE;
    gt::check(faults_reading(va), "second page mapped before update_va_mapping");
    gt::check_rc(pv_update_va_mapping(va, pte(t.data2.mfn, data_ro), PV_UVMF_INVLPG), 0, "update_va_mapping: map");
    gt::check_eq(read_at(va), marker + 1, "the page update_va_mapping mapped");
    gt::check_eq(reinterpret_cast<const volatile uint64_t*>(t.l1.va)[1] & ~PV_PTE_ACCESSED, pte(t.data2.mfn, data_ro),
                 "the entry it wrote");
    gt::check_rc(pv_update_va_mapping(va, 0, PV_UVMF_TLB_FLUSH), 0, "update_va_mapping: unmap");
    gt::check(faults_reading(va), "the page is still readable after the unmap and flush");

    // In place: the L1 is read-only in the physmap; the store is emulated.
    uint64_t* l1 = reinterpret_cast<uint64_t*>(t.l1.va);
    uint64_t va2 = test_va + 2 * PV_PAGE_SIZE;
    store_entry(reinterpret_cast<uint64_t>(&l1[2]), pte(t.data2.mfn, data_ro));
    gt::check_eq(read_at(va2), marker + 1, "the page an emulated mov mapped");
    uint64_t expected = 0;  // wrong: the entry is not 0
    bool zf = cmpxchg_entry(reinterpret_cast<uint64_t>(&l1[2]), &expected, 0);
    gt::check(!zf, "failed cmpxchg reported ZF");
    // The CPU may have set the accessed bit since.
    gt::check_eq(expected & ~PV_PTE_ACCESSED, pte(t.data2.mfn, data_ro), "failed cmpxchg: rax");
    zf = cmpxchg_entry(reinterpret_cast<uint64_t>(&l1[2]), &expected, 0);
    gt::check(zf, "cmpxchg with the right value: ZF clear");
    gt::check_eq(l1[2], 0, "the entry after cmpxchg");
    gt::check_rc(ext(PV_MMUEXT_INVLPG_LOCAL, va2), 0, "invlpg");
    gt::check(faults_reading(va2), "the page is still readable after cmpxchg cleared it");
}

void multicall(const Tables& t) {
    uint64_t va = test_va + 3 * PV_PAGE_SIZE;
    pv_multicall_entry calls[3] = {};
    calls[0].op = PV_HYPERCALL_update_va_mapping;
    calls[0].args[0] = va;
    calls[0].args[1] = pte(t.data2.mfn, data_ro);
    calls[0].args[2] = PV_UVMF_INVLPG;
    calls[1].op = PV_HYPERCALL_version;
    calls[1].args[0] = PV_VERSIONOP_version;
    calls[2].op = PV_HYPERCALL_mmuext_op;  // a bad pointer: its own error
    calls[2].args[0] = gt::hv_direct_map;
    calls[2].args[1] = 1;
    for (auto& c : calls) c.result = 0x7777;
    gt::check_rc(pv_multicall(calls, 3), 0, "multicall");
    gt::check_rc(calls[0].result, 0, "multicall: update_va_mapping");
    gt::check_rc(calls[1].result, PVISOR_ABI_VERSION, "multicall: version");
    gt::check_rc(calls[2].result, -PV_EFAULT, "multicall: mmuext_op with a bad array");
    gt::check_eq(read_at(va), marker + 1, "the page the multicall mapped");
}

void back(const Tables& t) {
    gt::check_rc(ext(PV_MMUEXT_NEW_BASEPTR, si().kernel_root_mfn), 0, "back to the first root");
    gt::check(faults_reading(test_va), "the new root's mapping in the old root");
    gt::check_rc(ext(PV_MMUEXT_UNPIN_TABLE, t.l4.mfn), 0, "unpin the new L4");
    // Unpinned and unused: it is an ordinary page again and may be
    // mapped writable.
    gt::check_rc(set_writable(t.l4, true), 0, "map the old L4 writable");
}

void reservation() {
    int64_t cur = pv_memory_op(PV_MEMOP_current_reservation, nullptr);
    gt::check_rc(cur, static_cast<int64_t>(si().nr_pages), "current_reservation");
    gt::check_rc(pv_memory_op(PV_MEMOP_maximum_reservation, nullptr), static_cast<int64_t>(si().nr_pages),
                 "maximum_reservation");
    uint64_t frames[4];
    Page pages[4];
    for (int i = 0; i < 4; ++i) {
        pages[i] = fresh_page();
        frames[i] = pages[i].mfn;
        gt::check_rc(pv_update_va_mapping(pages[i].va, 0, PV_UVMF_INVLPG), 0, "unmap a page to give back");
    }
    gt::check_rc(decrease(frames, 4), 4, "decrease_reservation");
    gt::check_rc(pv_memory_op(PV_MEMOP_current_reservation, nullptr), cur - 4, "current after decrease");
    gt::check_rc(pv_update_va_mapping(pages[0].va, pte(frames[0], data_rw), 0), -PV_EPERM,
                 "mapping a frame given back");
    uint64_t got[4] = {};
    gt::check_rc(increase(got, 4), 4, "increase_reservation");
    gt::check_rc(pv_memory_op(PV_MEMOP_current_reservation, nullptr), cur, "current after increase");
    uint64_t one;
    gt::check_rc(increase(&one, 1), -PV_ENOMEM, "increase beyond the maximum");
    for (int i = 0; i < 4; ++i) {
        gt::check_rc(pv_update_va_mapping(pages[i].va, pte(got[i], data_rw), PV_UVMF_INVLPG), 0, "map a new frame");
        gt::check_eq(read_at(pages[i].va), 0, "a new frame is zeroed");
        *reinterpret_cast<volatile uint64_t*>(pages[i].va) = marker;
    }
    uint64_t listed[8];
    pv_memory_frame_list l{reinterpret_cast<uint64_t>(listed), 8, si().nr_pages - 8};
    gt::check_rc(pv_memory_op(PV_MEMOP_frame_list, &l), cur, "frame_list total");
    uint64_t high = highest_mfn();
    bool seen_highest = false;
    for (uint64_t f : listed) seen_highest |= f == high || f == got[0] || f == got[1] || f == got[2] || f == got[3];
    gt::check(seen_highest || got[0] > high, "frame_list's last 8 frames");
}

}  // namespace

void test_main() {
    Tables t = build();
    if (gt::failures() != 0) return;
    switch_roots(t);
    mappings(t);
    multicall(t);
    back(t);
    reservation();
    test_pass();
}
