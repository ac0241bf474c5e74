// The attacker of the security suite: one attack on the memory
// virtualization per boot, chosen by the word attack=NAME on its command
// line (SPEC.md section 6 documents every refusal). It is domain 1, next
// to a witness (tests/guest/witness.cpp) as domain 0. An attack passes
// only if the hypervisor refuses it with the documented error (or contains
// it: a fault delivered to the attacker alone) and leaves the attacker's
// own state intact; the witness then passes too, so the hypervisor and
// another domain kept running.
#include <pvisor/hypercall_numbers.h>

#include "gt.h"
#include "gt_mm.h"
#include "pvk/boot_info.h"
#include "pvk/cmdline.h"
#include "pvk/kprintf.h"
#include "pvk/user_context.h"

const char test_title[] = "attack";

extern "C" void sec_multicall_enter_user(pvk::UserContext* ctx, uint64_t calls, uint64_t count);
extern "C" uint64_t sec_multicall_returned;

namespace {

using namespace gt::mm;

constexpr uint64_t hv_mfn = 0x100;  // 1 MiB: the hypervisor's image (SPEC.md section 4)
constexpr uint64_t pcd = 1u << 4, ps = 1u << 7, global = 1u << 8, bit52 = 1ull << 52;

// A frame of the witness's: the witness (domain 0) was built just before
// the attacker, from the same allocator, lowest frames first, so its 4096
// frames lie just below the attacker's.
uint64_t witness_mfn() { return lowest_mfn() - 2048; }

uint64_t root() { return si().kernel_root_mfn; }
uint64_t at(uint64_t mfn, unsigned index) { return (mfn << 12) + index * 8ull; }
uint64_t mfn_in(uint64_t e) { return (e & PV_PTE_ADDR_MASK) >> 12; }
// The L3, L2 and L1 on the way to the user region (PML4 slot 0).
uint64_t user_l3() { return mfn_in(table(root())[0]); }
uint64_t user_l2() { return mfn_in(table(user_l3())[0]); }
uint64_t user_l1() { return mfn_in(table(user_l2())[2]); }

// The physmap address through which an entry (by machine address) reads.
uint64_t entry_va(uint64_t maddr) { return physmap_va(pfn_of_mfn(maddr >> 12)) + (maddr & 0xfff); }
uint64_t read_entry(uint64_t maddr) { return *reinterpret_cast<const volatile uint64_t*>(entry_va(maddr)); }

// A refused mmu_update of one entry: the error, done == 0, entry unchanged.
void refused_update(const char* what, uint64_t ptr, uint64_t val, int64_t err) {
    bool readable_entry = (ptr & 7) == 0 && ptr >> 12 >= lowest_mfn() && ptr >> 12 <= highest_mfn();
    uint64_t before = readable_entry ? read_entry(ptr) : 0;
    uint64_t done = 99;
    gt::check_rc(update(ptr, val, &done), err, "%s", what);
    gt::check_eq(done, 0, "%s: done", what);
    if (readable_entry) gt::check_eq(read_entry(ptr), before, "%s: the entry changed", what);
}

void refused_uvm(const char* what, uint64_t va, uint64_t val, int64_t err) {
    gt::check_rc(pv_update_va_mapping(va, val, PV_UVMF_INVLPG), err, "%s", what);
}

// A store that must fault (not be emulated): returns whether it faulted.
bool store_faults(uint64_t va, uint64_t val, bool narrow = false) {
    auto store = [va, val, narrow] {
        // SAFETY: stores to a read-only page-table mapping, expected to
        // fault; catch_fault resumes after them.
        if (narrow) asm volatile("movl %k1, (%0)" ::"r"(va), "r"(val) : "memory");
        else asm volatile("movq %1, (%0)" ::"r"(va), "r"(val) : "memory");
    };
    return pvk::catch_fault(store).faulted;
}

int64_t decrease1(uint64_t mfn) { return decrease(&mfn, 1); }

// ---------------------------------------------------------------- attacks

void hv_frame() { refused_uvm("map the hypervisor's image", fresh_page().va, pte(hv_mfn, data_ro), -PV_EPERM); }

void hv_frame_mmu() {
    refused_update("map the hypervisor's image by mmu_update", entry_maddr(fresh_page().va, 1), pte(hv_mfn, data_ro),
                   -PV_EPERM);
}

void other_domain_frame() {
    refused_uvm("map the witness's frame", fresh_page().va, pte(witness_mfn(), data_ro), -PV_EPERM);
}

void writable_pt() {
    uint64_t va = physmap_va(pfn_of_mfn(root()));
    refused_uvm("map the kernel root writable", va, pte(root(), data_rw), -PV_EBUSY);
    refused_update("map an L1 writable by mmu_update", entry_maddr(va, 1), pte(user_l1(), data_rw), -PV_EBUSY);
}

void writable_to_pt() {
    Page p = fresh_page();
    gt::check_rc(ext(PV_MMUEXT_PIN_L1_TABLE, p.mfn), -PV_EBUSY, "pin a writable-mapped page as L1");
    gt::check_rc(ext(PV_MMUEXT_PIN_L4_TABLE, p.mfn), -PV_EBUSY, "pin a writable-mapped page as L4");
    *reinterpret_cast<volatile uint64_t*>(p.va) = 1;  // still ours, still writable
}

void linear_l4() { refused_update("L4 entry to its own L4", at(root(), 300), pte(root(), table_flags), -PV_EBUSY); }
void linear_l3() {
    refused_update("L3 entry to its own L3", at(user_l3(), 5), pte(user_l3(), table_flags), -PV_EBUSY);
}
void linear_l2() {
    refused_update("L2 entry to its own L2", at(user_l2(), 100), pte(user_l2(), table_flags), -PV_EBUSY);
}
void linear_l1() {
    refused_update("L1 entry to its own L1, writable", at(user_l1(), 300), pte(user_l1(), data_rw), -PV_EBUSY);
}
void cross_level() {
    refused_update("L4 entry to an L1", at(root(), 300), pte(user_l1(), table_flags), -PV_EBUSY);
    refused_update("L3 entry to an L4", at(user_l3(), 5), pte(root(), table_flags), -PV_EBUSY);
}

void hv_slot_write() {
    refused_update("clear a hypervisor slot", at(root(), 256), 0, -PV_EPERM);
    refused_update("rewrite a hypervisor slot", at(root(), 262), pte(user_l3(), table_flags), -PV_EPERM);
}

void hv_slot_new_root() {
    Page p = fresh_page();
    auto* t = reinterpret_cast<uint64_t*>(p.va);
    const volatile uint64_t* r = table(root());
    for (unsigned i = 256; i < 272; ++i) t[i] = r[i];
    t[260] = 0;  // one hypervisor slot missing
    gt::check_rc(set_writable(p, false), 0, "make the L4 read-only");
    gt::check_rc(ext(PV_MMUEXT_PIN_L4_TABLE, p.mfn), -PV_EPERM, "pin an L4 without a hypervisor slot");
    gt::check_rc(ext(PV_MMUEXT_NEW_BASEPTR, p.mfn), -PV_EPERM, "load it as the kernel root");
}

void superpage() {
    uint64_t big = (lowest_mfn() + 511) & ~511ull;
    refused_update("2 MiB page in an L2", at(user_l2(), 100), pte(big, table_flags | ps), -PV_EINVAL);
    refused_update("1 GiB page in an L3", at(user_l3(), 5), pte(big & ~0x3ffffull, table_flags | ps), -PV_EINVAL);
}

void flags() {
    Page p = fresh_page();
    refused_uvm("PCD", p.va, pte(p.mfn, data_rw | pcd), -PV_EINVAL);
    refused_uvm("global", p.va, pte(p.mfn, data_rw | global), -PV_EINVAL);
    refused_uvm("PAT", p.va, pte(p.mfn, data_rw | ps), -PV_EINVAL);
    refused_uvm("bit 52", p.va, pte(p.mfn, data_rw | bit52), -PV_EINVAL);
    refused_update("dirty in an L2 entry", at(user_l2(), 2), table(user_l2())[2] | PV_PTE_DIRTY, -PV_EINVAL);
}

void bad_entry_address() {
    uint64_t e = entry_maddr(fresh_page().va, 1);
    refused_update("misaligned entry address", e + 4, 0, -PV_EINVAL);
    refused_update("entry address beyond memory", 1ull << 50, 0, -PV_EPERM);
    refused_uvm("non-canonical va", gt::non_canonical, 0, -PV_EINVAL);
    refused_uvm("misaligned va", fresh_page().va + 8, 0, -PV_EINVAL);
    refused_uvm("va in the hypervisor's slots", gt::hv_direct_map, 0, -PV_EPERM);
}

void foreign_table() {
    refused_update("entry in the witness's frame", witness_mfn() << 12, 0, -PV_EPERM);
    refused_update("entry in the hypervisor's image", hv_mfn << 12, 0, -PV_EPERM);
    refused_update("entry in a page that is not a table", fresh_page().mfn << 12, 0, -PV_EINVAL);
}

void pin_twice() {
    Page p = fresh_page();
    gt::check_rc(set_writable(p, false), 0, "make it read-only");
    gt::check_rc(ext(PV_MMUEXT_PIN_L1_TABLE, p.mfn), 0, "first pin");
    gt::check_rc(ext(PV_MMUEXT_PIN_L1_TABLE, p.mfn), -PV_EEXIST, "second pin");
    gt::check_rc(ext(PV_MMUEXT_PIN_L2_TABLE, p.mfn), -PV_EEXIST, "pin as another level");
}

void unpin_unpinned() {
    Page p = fresh_page();
    gt::check_rc(ext(PV_MMUEXT_UNPIN_TABLE, p.mfn), -PV_EINVAL, "unpin a page never pinned");
    gt::check_rc(ext(PV_MMUEXT_UNPIN_TABLE, witness_mfn()), -PV_EPERM, "unpin the witness's frame");
    gt::check_rc(ext(PV_MMUEXT_UNPIN_TABLE, hv_mfn), -PV_EPERM, "unpin a hypervisor frame");
}

void shrink_pinned() {
    Page p = fresh_page();
    gt::check_rc(pv_update_va_mapping(p.va, 0, PV_UVMF_INVLPG), 0, "unmap it");
    gt::check_rc(ext(PV_MMUEXT_PIN_L1_TABLE, p.mfn), 0, "pin it");
    gt::check_rc(decrease1(p.mfn), -PV_EBUSY, "give back a pinned table");
    gt::check_rc(decrease1(root()), -PV_EBUSY, "give back the kernel root");
}

void shrink_mapped() {
    Page p = fresh_page();
    gt::check_rc(decrease1(p.mfn), -PV_EBUSY, "give back a mapped page");
    *reinterpret_cast<volatile uint64_t*>(p.va) = 1;  // still ours
    uint64_t twice[2] = {p.mfn, p.mfn};
    gt::check_rc(pv_update_va_mapping(p.va, 0, PV_UVMF_INVLPG), 0, "unmap it");
    gt::check_rc(decrease(twice, 2), -PV_EINVAL, "give back a frame twice");
}

void shrink_foreign() {
    uint64_t shared = mfn_in(entry(si().shared_info_va, 1));
    gt::check_rc(decrease1(shared), -PV_EPERM, "give back the shared page");
    gt::check_rc(decrease1(witness_mfn()), -PV_EPERM, "give back the witness's frame");
    gt::check_rc(decrease1(hv_mfn), -PV_EPERM, "give back a hypervisor frame");
    uint64_t one;
    gt::check_rc(increase(&one, 1), -PV_ENOMEM, "grow beyond the maximum");
    pv_memory_reservation r{reinterpret_cast<uint64_t>(&one), 1, 0, 0};  // domain 0: the witness
    gt::check_rc(pv_memory_op(PV_MEMOP_decrease_reservation, &r), -PV_ESRCH, "shrink another domain");
}

void bad_root() {
    Page l3 = fresh_page();  // mapped writable: it cannot become an L3
    Page p = fresh_page();
    auto* t = reinterpret_cast<uint64_t*>(p.va);
    const volatile uint64_t* r = table(root());
    for (unsigned i = 256; i < 272; ++i) t[i] = r[i];
    t[1] = pte(l3.mfn, table_flags);
    gt::check_rc(set_writable(p, false), 0, "make the L4 read-only");
    gt::check_rc(ext(PV_MMUEXT_NEW_BASEPTR, p.mfn), -PV_EBUSY, "load a root whose L3 is mapped writable");
    gt::check_rc(ext(PV_MMUEXT_NEW_BASEPTR, witness_mfn()), -PV_EPERM, "load the witness's frame as root");
    gt::check_rc(ext(PV_MMUEXT_NEW_BASEPTR, 0), -PV_EINVAL, "load no kernel root");
    gt::check_rc(ext(PV_MMUEXT_NEW_USER_BASEPTR, l3.mfn), -PV_EBUSY, "user root mapped writable");
    gt::check_rc(ext(PV_MMUEXT_NEW_USER_BASEPTR, hv_mfn), -PV_EPERM, "user root in the hypervisor");
    *reinterpret_cast<volatile uint64_t*>(l3.va) = 1;  // still ours, still writable
}

void array_hypervisor() {
    gt::check_rc(pv_mmu_update(reinterpret_cast<pv_mmu_update_req*>(gt::hv_direct_map), 1, nullptr), -PV_EFAULT,
                 "mmu_update array in the hypervisor");
    gt::check_rc(pv_mmuext_op(reinterpret_cast<pv_mmuext_req*>(gt::hv_direct_map), 1, nullptr), -PV_EFAULT,
                 "mmuext_op array in the hypervisor");
    gt::check_rc(pv_multicall(reinterpret_cast<pv_multicall_entry*>(gt::hv_direct_map), 1), -PV_EFAULT,
                 "multicall array in the hypervisor");
    // Starting in guest memory, running up to and past the end of the
    // lower half, or wrapping.
    gt::check_rc(pv_mmu_update(reinterpret_cast<pv_mmu_update_req*>(0x00007ffffffffff0), 2, nullptr), -PV_EFAULT,
                 "mmu_update array past the lower half");
    gt::check_rc(pv_mmu_update(reinterpret_cast<pv_mmu_update_req*>(0xfffffffffffffff0), 2, nullptr), -PV_EFAULT,
                 "mmu_update array that wraps");
    pv_mmu_update_req u{entry_maddr(fresh_page().va, 1), 0};
    gt::check_rc(pv_mmu_update(&u, 1, reinterpret_cast<uint64_t*>(gt::hv_direct_map)), -PV_EFAULT,
                 "done pointer in the hypervisor");
    pv_memory_reservation r{gt::hv_direct_map, 1, PV_DOMID_SELF, 0};
    gt::check_rc(pv_memory_op(PV_MEMOP_increase_reservation, &r), -PV_EFAULT, "frame array in the hypervisor");
}

void array_overflow() {
    pv_mmu_update_req u{};
    gt::check_rc(pv_mmu_update(&u, 1ull << 60, nullptr), -PV_E2BIG, "mmu_update count * 16 overflows");
    gt::check_rc(pv_mmu_update(&u, PV_MMU_UPDATE_MAX + 1, nullptr), -PV_E2BIG, "mmu_update count over the limit");
    pv_mmuext_req o{};
    gt::check_rc(pv_mmuext_op(&o, 1ull << 62, nullptr), -PV_E2BIG, "mmuext_op count overflows");
    pv_multicall_entry m{};
    gt::check_rc(pv_multicall(&m, ~0ull / 56 + 2), -PV_E2BIG, "multicall count overflows");
    uint64_t f;
    pv_memory_reservation r{reinterpret_cast<uint64_t>(&f), 1ull << 61, PV_DOMID_SELF, 0};
    gt::check_rc(pv_memory_op(PV_MEMOP_increase_reservation, &r), -PV_E2BIG, "reservation count overflows");
    pv_memory_frame_list l{reinterpret_cast<uint64_t>(&f), PV_MEMOP_MAX_FRAMES + 1, 0};
    gt::check_rc(pv_memory_op(PV_MEMOP_frame_list, &l), -PV_E2BIG, "frame_list over the limit");
}

// Entry 0 irets to user mode; entry 1 would map a page. It must not run.
void multicall_user() {
    pv_multicall_entry calls[2] = {};
    calls[0].op = PV_HYPERCALL_iret;
    calls[0].result = 0x1111;
    calls[1].op = PV_HYPERCALL_update_va_mapping;
    calls[1].args[0] = fresh_page().va;
    calls[1].args[1] = 0;  // would unmap a page of ours
    calls[1].args[2] = PV_UVMF_INVLPG;
    calls[1].result = 0x2222;
    // User code: a system call, straight back to the kernel.
    static const uint8_t code[] = {0x0f, 0x05, 0x0f, 0x0b};
    __builtin_memcpy(reinterpret_cast<void*>(pvk::boot_info().user_va), code, sizeof code);
    pvk::UserContext ctx{};
    ctx.rip = pvk::boot_info().user_va;
    ctx.rsp = pvk::boot_info().user_va + pvk::boot_info().user_size;
    sec_multicall_returned = 0;
    sec_multicall_enter_user(&ctx, reinterpret_cast<uint64_t>(calls), 2);
    gt::check_eq(sec_multicall_returned, 0, "the multicall returned instead of entering user mode");
    pvk::ExitReason why = pvk::exit_reason_of(ctx);
    gt::check(why.kind == pvk::ExitReason::Kind::syscall, "user mode did not exit by its system call");
    gt::check_eq(ctx.rip, pvk::boot_info().user_va + 2, "user rip after the system call");
    gt::check_eq(static_cast<uint64_t>(calls[0].result), 0x1111, "the iret entry's result was written");
    gt::check_eq(static_cast<uint64_t>(calls[1].result), 0x2222, "the entry after the iret ran");
    gt::check(gt::readable(calls[1].args[0]), "the entry after the iret unmapped its page");
}

void nested_multicall() {
    pv_multicall_entry inner[1] = {};
    inner[0].op = PV_HYPERCALL_update_va_mapping;
    inner[0].args[0] = fresh_page().va;
    inner[0].args[1] = 0;
    inner[0].result = 0x3333;
    pv_multicall_entry outer[2] = {};
    outer[0].op = PV_HYPERCALL_multicall;
    outer[0].args[0] = reinterpret_cast<uint64_t>(inner);
    outer[0].args[1] = 1;
    outer[1].op = PV_HYPERCALL_multicall;  // and with a bogus array
    outer[1].args[0] = gt::hv_direct_map;
    outer[1].args[1] = 1;
    gt::check_rc(pv_multicall(outer, 2), 0, "the outer multicall");
    gt::check_rc(outer[0].result, -PV_EINVAL, "nested multicall");
    gt::check_rc(outer[1].result, -PV_EINVAL, "nested multicall with a bad array");
    gt::check_eq(static_cast<uint64_t>(inner[0].result), 0x3333, "the nested entry ran");
    gt::check(gt::readable(inner[0].args[0]), "the nested entry unmapped its page");
}

// A writable translation cached in the TLB must not survive the frame
// becoming a page table: drop the mapping with mmu_update (no flush
// asked for), pin the frame as an L1, then write through the old address.
void stale_tlb() {
    Page p = fresh_page();
    auto* w = reinterpret_cast<volatile uint64_t*>(p.va);
    *w = 0;  // the writable translation is in the TLB now
    gt::check_rc(update(entry_maddr(p.va, 1), 0), 0, "unmap without a flush");
    gt::check_rc(ext(PV_MMUEXT_PIN_L1_TABLE, p.mfn), 0, "pin the frame as an L1");
    // An entry the write would forge: a writable mapping of the kernel root.
    bool faulted = store_faults(p.va, pte(root(), data_rw));
    gt::check(faulted, "a stale writable TLB entry let the guest write its own L1");
    gt::check_rc(ext(PV_MMUEXT_UNPIN_TABLE, p.mfn), 0, "unpin");
}

// Trapped stores that must not be emulated: the #PF reaches the guest.
void emulated_writes() {
    Page p = fresh_page();
    uint64_t e = entry_maddr(p.va, 1);
    uint64_t before = read_entry(e);
    gt::check(store_faults(entry_va(e), pte(hv_mfn, data_ro)), "emulated store mapping a hypervisor frame");
    gt::check(store_faults(entry_va(e), pte(root(), data_rw)), "emulated store mapping the root writable");
    gt::check(store_faults(entry_va(e), 0, true), "emulated 4-byte store");
    gt::check(store_faults(entry_va(e) + 4, 0), "emulated misaligned store");
    gt::check(store_faults(entry_va(at(root(), 300)), pte(user_l3(), table_flags)), "emulated store to the L4");
    gt::check(store_faults(entry_va(at(user_l2(), 100)), 0), "emulated store to an L2");
    gt::check_eq(read_entry(e), before, "the L1 entry after the refused stores");
}

struct Attack {
    const char* name;
    void (*run)();
};

constexpr Attack attacks[] = {
    {"hv_frame", hv_frame},
    {"hv_frame_mmu", hv_frame_mmu},
    {"other_domain_frame", other_domain_frame},
    {"writable_pt", writable_pt},
    {"writable_to_pt", writable_to_pt},
    {"linear_l4", linear_l4},
    {"linear_l3", linear_l3},
    {"linear_l2", linear_l2},
    {"linear_l1", linear_l1},
    {"cross_level", cross_level},
    {"hv_slot_write", hv_slot_write},
    {"hv_slot_new_root", hv_slot_new_root},
    {"superpage", superpage},
    {"flags", flags},
    {"bad_entry_address", bad_entry_address},
    {"foreign_table", foreign_table},
    {"pin_twice", pin_twice},
    {"unpin_unpinned", unpin_unpinned},
    {"shrink_pinned", shrink_pinned},
    {"shrink_mapped", shrink_mapped},
    {"shrink_foreign", shrink_foreign},
    {"bad_root", bad_root},
    {"array_hypervisor", array_hypervisor},
    {"array_overflow", array_overflow},
    {"multicall_user", multicall_user},
    {"nested_multicall", nested_multicall},
    {"stale_tlb", stale_tlb},
    {"emulated_writes", emulated_writes},
};

}  // namespace

void test_main() {
    for (const Attack& a : attacks) {
        if (!pvk::cmdline_is("attack", a.name)) continue;
        pvk::kprintf("attack: %s\n", a.name);
        a.run();
        // The attacker itself still works: a hypercall and a yield.
        gt::check_rc(pv_sched_op(PV_SCHEDOP_yield, 0), 0, "yield after the attack");
        if (gt::failures() == 0) pvk::kprintf("attack: %s: refused\n", a.name);
        test_pass();
        return;
    }
    test_error("no attack named on the command line \"%s\"", pvk::boot_info().cmdline);
}
