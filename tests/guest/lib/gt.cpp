// The guest-test helpers (gt.h).
#include "gt.h"

#include <stdarg.h>

#include <kstd/format.h>

#include "pv.h"
#include "pvk/boot_info.h"
#include "pvk/panic.h"
#include "pvk/platform.h"
#include "pvk/trap_frame.h"

static_assert(PV_HYPERCALL_ENTRY_SIZE == 32, "gt_entry.S assumes 32-byte hypercall entries");
static_assert(sizeof(pv_frame) == TF_SIZE && offsetof(pv_frame, error_code) == TF_ERROR_CODE);

// The exception table pvk's linker script collects (pvk/fault.h): pairs of
// (faulting instruction, where to continue).
extern "C" const uint64_t __pvk_extable_start[];
extern "C" const uint64_t __pvk_extable_end[];

extern "C" {
constinit gt::Record gt_record{};
constinit uint64_t gt_mark_insn = 0, gt_mark_next = 0, gt_mark_rsp = 0;
constinit uint64_t gt_failsafe_fix_rip = 0;
constinit uint64_t gt_failsafe_fix_rsp = 0;
constinit uint64_t gt_handler_rflags = 0;
void gt_on_trap(pv_frame* f);
void gt_on_failsafe(pv_frame* f);
void gt_iret(pv_frame* frame);
extern gt::IretRegs gt_iret_regs;
}

namespace gt {
namespace {

constexpr uint64_t rflags_tf = 1u << 8;
constexpr uint64_t rflags_rf = 1u << 16;
constexpr uint64_t rflags_ac = 1u << 18;

constinit uint64_t g_failures = 0;
// Frames for iret_with live near its top; failsafe frames go below them.
alignas(16) constinit uint8_t g_iret_stack[4096] = {};

enum class Show : uint8_t { none, decimal, hex };

void vfail(Show show, uint64_t got, uint64_t want, const char* fmt, va_list ap) {
    char what[160];
    kstd::vformat(what, sizeof what, fmt, ap);
    ++g_failures;
    switch (show) {
    case Show::none: test_fail("%s", what); break;
    case Show::decimal:
        test_fail("%s: got %ld, want %ld", what, static_cast<int64_t>(got), static_cast<int64_t>(want));
        break;
    case Show::hex: test_fail("%s: got %#lx, want %#lx", what, got, want); break;
    }
}

uint64_t find_fixup(uint64_t rip) {
    for (const uint64_t* e = __pvk_extable_start; e < __pvk_extable_end; e += 2)
        if (e[0] == rip) return e[1];
    return 0;
}

void record(const pv_frame* f) {
    gt_record.frame = *f;
    gt_record.frame_address = reinterpret_cast<uint64_t>(f);
    gt_record.handler_rflags = gt_handler_rflags;
    gt_record.upcall_mask = vcpu_info().upcall_mask;
    ++gt_record.count;
}

}  // namespace

// Records the failure of a check whose name is the printf format `what`.
#define GT_FAIL(show, got, want)                                                      \
    va_list ap;                                                                       \
    va_start(ap, what);                                                               \
    vfail(show, static_cast<uint64_t>(got), static_cast<uint64_t>(want), what, ap);  \
    va_end(ap);                                                                       \
    return false;

bool check(bool ok, const char* what, ...) {
    if (ok) return true;
    GT_FAIL(Show::none, 0, 0)
}

bool check_rc(int64_t got, int64_t want, const char* what, ...) {
    if (got == want) return true;
    GT_FAIL(Show::decimal, got, want)
}

bool check_eq(uint64_t got, uint64_t want, const char* what, ...) {
    if (got == want) return true;
    GT_FAIL(Show::hex, got, want)
}

uint64_t failures() { return g_failures; }

bool readable(uint64_t va) {
    auto probe = [va] {
        // SAFETY: a read that may fault on purpose; catch_fault resumes.
        (void)*reinterpret_cast<const volatile uint8_t*>(va);
    };
    return !pvk::catch_fault(probe).faulted;
}

uint64_t unmapped_va() {
    // Half-way below the user region (0x400000): nothing of the initial
    // layout lives in the lower half but the user region.
    uint64_t va = pvk::boot_info().user_va / 2;
    if (va == 0 || readable(va))
        test_error("no unmapped lower-half address found below %#lx", pvk::boot_info().user_va);
    return va;
}

volatile pv_vcpu_info& vcpu_info() { return pvk::pv::shared_info().vcpu[0]; }

int64_t set_trap(uint8_t vector, uint8_t flags, uint64_t address) {
    pv_trap_info e{vector, flags, 0, 0, address};
    return pv_set_trap_table(&e, 1);
}

void restore_pvk_trap(uint8_t vector) {
    uint8_t flags = PV_TRAP_MASK_EVENTS;
    if (vector == 3 || vector == 4) flags |= PV_TRAP_USER_INT;
    int64_t rc = set_trap(vector, flags, reinterpret_cast<uint64_t>(pvk_pv_trap_entry));
    if (rc != 0) test_error("restoring pvkernel's handler for vector %u: %ld", vector, rc);
}

void restore_pvk_callbacks() {
    pv_callback sys{PV_CALLBACK_SYSCALL, PV_CALLBACK_MASK_EVENTS, reinterpret_cast<uint64_t>(pvk_user_exit_frame)};
    pv_callback fs{PV_CALLBACK_FAILSAFE, PV_CALLBACK_MASK_EVENTS, reinterpret_cast<uint64_t>(pvk_pv_failsafe_entry)};
    int64_t rc1 = pv_callback_op(PV_CALLBACKOP_register, &sys);
    int64_t rc2 = pv_callback_op(PV_CALLBACKOP_register, &fs);
    if (rc1 != 0 || rc2 != 0) test_error("restoring pvkernel's callbacks: %ld, %ld", rc1, rc2);
}

void reset_record() {
    gt_record = Record{};
    gt_mark_insn = gt_mark_next = gt_mark_rsp = 0;
}

void check_kernel_frame(const char* what, uint32_t vector, bool has_error, uint64_t error_code, bool trap) {
    const Record& r = gt_record;
    if (!check_eq(r.count, 1, "%s: deliveries to the handler", what)) return;
    const pv_frame& f = r.frame;
    check_eq(f.vector, vector, "%s: frame vector", what);
    check_eq(f.flags, has_error ? PV_FRAME_ERROR_CODE : 0, "%s: frame flags", what);
    check_eq(f.error_code, has_error ? error_code : 0, "%s: frame error code", what);
    check_eq(f.rip, trap ? gt_mark_next : gt_mark_insn, "%s: frame rip", what);
    check_eq(f.cs, PV_GUEST_CS, "%s: frame cs", what);
    check_eq(f.ss, PV_GUEST_SS, "%s: frame ss", what);
    check_eq(f.rsp, gt_mark_rsp, "%s: frame rsp", what);
    check_eq(r.frame_address, (gt_mark_rsp & ~uint64_t{15}) - sizeof(pv_frame), "%s: frame address", what);
    check_eq(r.handler_rflags & (rflags_tf | rflags_rf | rflags_ac), 0, "%s: TF/RF/AC in the handler's RFLAGS", what);
}

uint64_t iret_frame_address() {
    return (reinterpret_cast<uint64_t>(g_iret_stack + sizeof g_iret_stack) - 256) & ~uint64_t{15};
}

IretRegs iret_with(pv_frame f, uint64_t at) {
    uint64_t stack_top = reinterpret_cast<uint64_t>(g_iret_stack + sizeof g_iret_stack);
    if (at == 0) at = iret_frame_address();
    if (f.rip == 0) f.rip = reinterpret_cast<uint64_t>(gt_iret_resume);
    if (f.rsp == 0) f.rsp = stack_top;
    if (f.cs == 0) f.cs = PV_GUEST_CS;
    if (f.ss == 0) f.ss = PV_GUEST_SS;
    gt_failsafe_fix_rip = reinterpret_cast<uint64_t>(gt_iret_resume);
    gt_failsafe_fix_rsp = stack_top;
    // SAFETY: `at` is the scratch stack or an address the test chose to be
    // writable; the hypercall reads the frame from there.
    *reinterpret_cast<pv_frame*>(at) = f;
    gt_iret(reinterpret_cast<pv_frame*>(at));
    gt_failsafe_fix_rip = 0;
    return gt_iret_regs;
}

uint64_t user_address(const char* start, const char* label) {
    return pvk::boot_info().user_va + static_cast<uint64_t>(label - start);
}

pvk::ExitReason run_user_code(const char* start, const char* end, pvk::UserContext& ctx) {
    const pvk::BootInfo& bi = pvk::boot_info();
    auto n = static_cast<size_t>(end - start);
    if (n > bi.user_size / 2) pvk::panic("user code of %zu bytes does not fit", n);
    // SAFETY: the user region is mapped read-write in the kernel root too
    // (pvisor/start_info.h); the code goes to its first bytes.
    __builtin_memcpy(reinterpret_cast<void*>(bi.user_va), start, n);
    if (ctx.rip == 0) ctx.rip = bi.user_va;
    if (ctx.rsp == 0) ctx.rsp = bi.user_va + bi.user_size;
    if (ctx.rflags == 0) ctx.rflags = pvk::user_initial_rflags;
    return pvk::platform::run_user(ctx);
}

pvk::ExitReason resume_user(pvk::UserContext& ctx) { return pvk::platform::run_user(ctx); }

}  // namespace gt

extern "C" void gt_on_trap(pv_frame* f) {
    gt::record(f);
    if (f->vector == 1) f->rflags &= ~gt::rflags_tf;
    if (uint64_t fix = gt::find_fixup(f->rip); fix != 0) {
        f->rip = fix;
        return;
    }
    if (f->vector == 1 || f->vector == 3 || f->vector == 4) return;  // traps resume after the instruction
    // A catch_fault() probe (gt::readable), or a fault nobody expected:
    // pvkernel's handler resumes the one and reports the other.
    // SAFETY: pv_frame and pvk::TrapFrame have one layout (platform/pv/boot.cpp).
    pvk_kernel_trap(reinterpret_cast<pvk::TrapFrame*>(f));
}

extern "C" void gt_on_failsafe(pv_frame* f) {
    gt::record(f);
    if (gt_failsafe_fix_rip == 0) pvk::panic("failsafe callback: the test did not expect it (rip %#lx)", f->rip);
    // SAFETY: error_code is the refused frame's address (pvisor/trap.h), in
    // the test's own iret stack.
    auto* refused = reinterpret_cast<pv_frame*>(f->error_code);
    refused->rip = gt_failsafe_fix_rip;
    refused->rsp = gt_failsafe_fix_rsp;
    refused->flags = 0;
    gt_failsafe_fix_rip = 0;
}
