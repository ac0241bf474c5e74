// What a domain finds at start (SPEC.md section 4): the start-info page,
// the physmap (every page; the page tables read-only, so that the guest
// cannot write them: a write faults), the frame list, the boot stack's
// guard page, and the time parameters in the shared page. The expected
// size comes from the command line (pages=N user_pages=N, defaults 16 MiB
// and 1 MiB, the hypervisor's defaults for mem= and user=).
#include <pvisor/start_info.h>
#include <pvisor/version.h>

#include "gt.h"
#include "pv.h"
#include "pvk/boot_info.h"
#include "pvk/cmdline.h"
#include "pvk/cpu.h"
#include "pvk/platform.h"

const char test_title[] = "start_state";

namespace {

void start_info(const pv_start_info& si) {
    gt::check(__builtin_memcmp(si.magic, PV_START_INFO_MAGIC, sizeof si.magic) == 0, "start-info magic");
    gt::check_eq(si.abi_version, PVISOR_ABI_VERSION, "abi_version");
    uint32_t want_flags = si.domid == 0 ? (PV_SIF_PRIVILEGED | PV_SIF_INITDOMAIN) : 0;
    gt::check_eq(si.flags, want_flags, "flags of domain %u", si.domid);
    gt::check_eq(si.domid, pvk::boot_info().domid, "domid");
    gt::check_eq(si.nr_vcpus, 1, "nr_vcpus");
    gt::check_eq(si.nr_pages, pvk::cmdline_u64("pages", 4096), "nr_pages");
    gt::check_eq(si.physmap_va, 0xffff888000000000, "physmap_va");
    gt::check_eq(si.user_va, 0x400000, "user_va");
    gt::check_eq(si.user_pages, pvk::cmdline_u64("user_pages", 256), "user_pages");
    gt::check_eq(si.shared_info_va, si.stack_top_va, "shared page directly above the boot stack");
    gt::check_eq(si.module_va, 0, "module_va");
    for (uint64_t r : si.reserved) gt::check_eq(r, 0, "reserved start-info field");
    gt::check(si.pt_pfn_start + si.pt_pfn_count <= si.first_free_pfn && si.first_free_pfn <= si.nr_pages,
              "page tables %lu+%lu, first free %lu, pages %lu", si.pt_pfn_start, si.pt_pfn_count, si.first_free_pfn,
              si.nr_pages);
    gt::check(si.name[sizeof si.name - 1] == '\0' && si.cmdline[sizeof si.cmdline - 1] == '\0',
              "name and cmdline NUL-terminated");
    // The boot stack: 8 pages below stack_top_va, an unmapped guard page
    // below them.
    gt::check(gt::readable(si.stack_top_va - 8 * PV_PAGE_SIZE), "bottom of the boot stack is not mapped");
    gt::check(!gt::readable(si.stack_top_va - 8 * PV_PAGE_SIZE - 1), "the boot stack's guard page is mapped");
}

void physmap(const pv_start_info& si) {
    const auto* frames = reinterpret_cast<const uint64_t*>(si.frame_list_va);
    uint64_t pt_end = si.pt_pfn_start + si.pt_pfn_count;
    uint64_t unmapped_pages = 0, root_aliases = 0;
    for (uint64_t pfn = 0; pfn < si.nr_pages; ++pfn) {
        bool pt = pfn >= si.pt_pfn_start && pfn < pt_end;
        if (!gt::readable(si.physmap_va + pfn * PV_PAGE_SIZE)) ++unmapped_pages;
        if (!pt && (frames[pfn] == si.kernel_root_mfn || frames[pfn] == si.user_root_mfn)) ++root_aliases;
    }
    gt::check_eq(unmapped_pages, 0, "pages missing from the physmap");
    // Every page-table page is read-only there: a byte store faults (a
    // store the hypervisor does not emulate, so the #PF reaches the guest).
    uint64_t writable_pts = 0;
    for (uint64_t pfn = si.pt_pfn_start; pfn < pt_end; ++pfn) {
        auto* p = reinterpret_cast<volatile uint8_t*>(si.physmap_va + pfn * PV_PAGE_SIZE + 1);
        uint8_t old = *p;
        auto store = [p, old] { *p = old; };
        if (!pvk::catch_fault(store).faulted) ++writable_pts;
    }
    gt::check_eq(writable_pts, 0, "page-table pages writable in the physmap");
    // The roots are among them: the kernel root's hypervisor slots read
    // back through the physmap as present.
    uint64_t root_pfn = 0;
    for (uint64_t pfn = si.pt_pfn_start; pfn < pt_end; ++pfn)
        if (frames[pfn] == si.kernel_root_mfn) root_pfn = pfn;
    const auto* root = reinterpret_cast<const volatile uint64_t*>(si.physmap_va + root_pfn * PV_PAGE_SIZE);
    gt::check(root_pfn != 0 && (root[256] & 1) != 0, "the kernel root (pfn %lu) in the physmap", root_pfn);
    gt::check_eq(root_aliases, 0, "pages outside the page tables backed by a root's frame");
    gt::check(!gt::readable(si.physmap_va + si.nr_pages * PV_PAGE_SIZE), "the physmap goes past nr_pages");
    // The physmap aliases the image writable (SPEC.md): the image's first
    // page (the hypercall page) is pfn 0.
    auto* alias = reinterpret_cast<volatile uint8_t*>(si.physmap_va);
    gt::check_eq(alias[0], static_cast<const volatile uint8_t*>(static_cast<const void*>(pv_hypercall_page))[0],
                 "physmap pfn 0 is the image's first page");
}

void time(volatile pv_shared_info& sh) {
    const volatile pv_vcpu_time_info& t = sh.vcpu[0].time;
    gt::check_eq(t.version & 1, 0, "time version is even");
    gt::check(t.tsc_to_system_mul != 0, "tsc_to_system_mul is 0");
    gt::check(t.tsc_timestamp <= pvk_cycles(), "tsc_timestamp %lu is in the future", t.tsc_timestamp);
    uint64_t a = pvk::platform::uptime_ns();
    for (int i = 0; i < 10; ++i) pv_sched_op(PV_SCHEDOP_yield, 0);
    uint64_t b = pvk::platform::uptime_ns();
    gt::check(a > 0 && b > a, "system time does not advance: %lu then %lu", a, b);
    gt::check_eq(sh.vcpu[0].upcall_pending, 0, "upcall_pending");
    // The wall clock at system time zero, from the RTC: published once
    // (version even and non-zero) and after 2020-01-01 (1577836800).
    gt::check(sh.wc_version != 0 && (sh.wc_version & 1) == 0, "wc_version %u", sh.wc_version);
    gt::check((uint64_t{sh.wc_sec_hi} << 32 | sh.wc_sec) > 1577836800, "wall clock %u:%u", sh.wc_sec_hi, sh.wc_sec);
}

}  // namespace

void test_main() {
    const pv_start_info& si = pvk::pv::start_info();
    start_info(si);
    physmap(si);
    time(pvk::pv::shared_info());
    test_pass();
}
