// pv boot: check the start-info page, register the trap table, the
// callbacks and the entry stack with the hypervisor, describe the memory
// and hand over to common code.
#include <pvisor/abi.h>
#include <pvisor/callback.h>
#include <pvisor/console.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/sched.h>
#include <pvisor/trap.h>
#include <pvisor/version.h>

#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/utility.h>

#include "pv.h"
#include "pv_abi_asm.h"
#include "pvk/boot_info.h"
#include "pvk/kprintf.h"
#include "pvk/panic.h"
#include "pvk/platform.h"
#include "pvk/trap_frame.h"

static_assert(PVK_PV_HYPERCALL_ENTRY_SIZE == PV_HYPERCALL_ENTRY_SIZE);
static_assert(PVK_PV_GUEST_CS == PV_GUEST_CS && PVK_PV_GUEST_SS == PV_GUEST_SS);
static_assert(TF_FROM_USER == PV_FRAME_FROM_USER && TF_HAS_ERROR_CODE == PV_FRAME_ERROR_CODE &&
              TF_SYSCALL == PV_FRAME_SYSCALL && TF_VECTOR_SYSCALL == PV_VECTOR_SYSCALL);
static_assert(sizeof(pvk::TrapFrame) == sizeof(pv_frame) && offsetof(pv_frame, rcx) == TF_RCX &&
              offsetof(pv_frame, r11) == TF_R11 && offsetof(pv_frame, rax) == TF_RAX &&
              offsetof(pv_frame, vector) == TF_VECTOR && offsetof(pv_frame, flags) == TF_FLAGS &&
              offsetof(pv_frame, error_code) == TF_ERROR_CODE && offsetof(pv_frame, rip) == TF_RIP &&
              offsetof(pv_frame, cs) == TF_CS && offsetof(pv_frame, rflags) == TF_RFLAGS &&
              offsetof(pv_frame, rsp) == TF_RSP && offsetof(pv_frame, ss) == TF_SS);

extern "C" int memcmp(const void* a, const void* b, size_t n);

namespace pvk::pv {
namespace {

// Copies with a guaranteed terminator: the strings come from outside.
constinit char g_name[PV_START_INFO_NAME_MAX] = {};
constinit char g_cmdline[PV_START_INFO_CMDLINE_MAX] = {};

// Before the console is known to work there is nothing to report with
// but the console itself: try it, then stop.
[[noreturn]] void early_fail(const char* why) {
    pv_console_io(PV_CONSOLEIO_write, kstd::strlen(why), const_cast<char*>(why));
    pv_sched_op(PV_SCHEDOP_shutdown, PV_SHUTDOWN_crash);
    for (;;) pv_sched_op(PV_SCHEDOP_yield, 0);
}

// The vectors we handle. Every one goes to the same entry: the frame
// names the vector. int3 and into may come from user mode as `int n`.
// NMI, #DF and #MC are the hypervisor's business, 9, 15 and 20-31 are
// reserved or unused.
constexpr uint8_t handled_vectors[] = {0, 1, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19};

void install_traps() {
    pv_trap_info table[sizeof handled_vectors];
    for (size_t i = 0; i < sizeof handled_vectors; ++i) {
        uint8_t v = handled_vectors[i];
        uint8_t flags = PV_TRAP_MASK_EVENTS;
        if (v == vec_bp || v == vec_of) flags |= PV_TRAP_USER_INT;
        table[i] = pv_trap_info{v, flags, 0, 0, reinterpret_cast<uint64_t>(pvk_pv_trap_entry)};
    }
    int64_t rc = pv_set_trap_table(table, sizeof handled_vectors);
    if (rc < 0) panic("set_trap_table failed: %ld", rc);

    pv_callback syscall{PV_CALLBACK_SYSCALL, PV_CALLBACK_MASK_EVENTS, reinterpret_cast<uint64_t>(pvk_user_exit_frame)};
    rc = pv_callback_op(PV_CALLBACKOP_register, &syscall);
    if (rc < 0) panic("registering the syscall callback failed: %ld", rc);
    pv_callback failsafe{PV_CALLBACK_FAILSAFE, PV_CALLBACK_MASK_EVENTS,
                         reinterpret_cast<uint64_t>(pvk_pv_failsafe_entry)};
    rc = pv_callback_op(PV_CALLBACKOP_register, &failsafe);
    if (rc < 0) panic("registering the failsafe callback failed: %ld", rc);

    // One entry stack, set once: user mode exits through it to the
    // kernel stack that entered user mode (common/user_exit.S).
    rc = pv_stack_switch(reinterpret_cast<uint64_t>(pvk_pv_entry_stack_top));
    if (rc < 0) panic("stack_switch failed: %ld", rc);
}

// The heap: pages from first_free_pfn up, minus the initial page tables
// (which are not mapped). Takes the larger piece if they split the range.
void heap_range(const pv_start_info& si, uint64_t* base, uint64_t* size) {
    uint64_t lo = si.first_free_pfn, hi = si.nr_pages;
    uint64_t pt_lo = si.pt_pfn_start, pt_hi = si.pt_pfn_start + si.pt_pfn_count;
    if (pt_hi > lo && pt_lo < hi) {
        uint64_t below = pt_lo > lo ? pt_lo - lo : 0;
        uint64_t above = hi > pt_hi ? hi - pt_hi : 0;
        if (below >= above) hi = lo + below;
        else lo = pt_hi;
    }
    if (hi <= lo) {
        *base = 0;
        *size = 0;
        return;
    }
    *base = si.physmap_va + lo * PV_PAGE_SIZE;
    *size = (hi - lo) * PV_PAGE_SIZE;
}

// TSC frequency from the hypervisor's tsc -> ns scaling (shared_info.h):
// ns = ((tsc << shift) * mul) >> 32, so hz = 10^9 * 2^32 / mul / 2^shift.
uint64_t tsc_hz(const volatile pv_vcpu_time_info& t) {
    uint32_t mul = t.tsc_to_system_mul;
    int8_t shift = t.tsc_shift;
    if (mul == 0) return 0;
    // 10^9 * 2^32 fits in 64 bits (4.3e18).
    uint64_t hz = (uint64_t{1000000000} << 32) / mul;
    return shift >= 0 ? hz >> shift : hz << -shift;
}

}  // namespace

constinit const pv_start_info* g_start_info = nullptr;
constinit volatile pv_shared_info* g_shared_info = nullptr;

}  // namespace pvk::pv

extern "C" [[noreturn]] void pvk_pv_boot_main(const pv_start_info* si) {
    using namespace pvk::pv;
    if (memcmp(si->magic, PV_START_INFO_MAGIC, sizeof si->magic) != 0)
        early_fail("pvkernel: bad start-info magic\n");
    if ((si->abi_version >> 16) != PVISOR_ABI_VERSION_MAJOR)
        early_fail("pvkernel: hypervisor ABI major version differs from ours\n");
    g_start_info = si;
    // SAFETY: the builder maps the shared page at shared_info_va for the
    // domain's lifetime.
    g_shared_info = reinterpret_cast<volatile pv_shared_info*>(si->shared_info_va);
    install_traps();

    kstd::format(g_name, sizeof g_name, "%.*s", static_cast<int>(sizeof si->name), si->name);
    kstd::format(g_cmdline, sizeof g_cmdline, "%.*s", static_cast<int>(sizeof si->cmdline), si->cmdline);

    pvk::BootInfo bi{};
    bi.platform = "pv";
    bi.name = g_name;
    bi.domid = si->domid;
    bi.privileged = (si->flags & PV_SIF_PRIVILEGED) != 0;
    bi.memory_bytes = si->nr_pages * PV_PAGE_SIZE;
    bi.cmdline = g_cmdline;
    heap_range(*si, &bi.heap_base, &bi.heap_size);
    bi.user_va = si->user_va;
    bi.user_size = si->user_pages * PV_PAGE_SIZE;
    bi.tsc_hz = tsc_hz(shared_info().vcpu[0].time);
    pvk_kernel_start(bi);
}

extern "C" [[noreturn]] void pvk_pv_failsafe(const pvk::TrapFrame* f) {
    // SAFETY: error_code is the refused frame's address, in our own stack.
    const auto* refused = reinterpret_cast<const pvk::TrapFrame*>(f->error_code);
    pvk::panic("iret refused the frame at %#lx: rip %#lx rsp %#lx rflags %#lx flags %#x", f->error_code,
               refused->rip, refused->rsp, refused->rflags, refused->flags);
}
