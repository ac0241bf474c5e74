// libFuzzer target for the hypercall layer and the bounces: the input is a
// guest's memory and a sequence of things the guest does (hypercalls with
// arbitrary registers, exceptions, user system calls, writes to its own
// memory), run against one vCPU. After each step it checks what must always
// hold:
//   - a refused hypercall (rax < 0) changed nothing in the vCPU or the
//     domain (SPEC.md, "Summary of atomicity"; sched_op included);
//   - a hypercall that is not iret does not claim to have replaced the
//     registers, and rax holds its result;
//   - the vCPU's registered state is always acceptable: handlers and
//     callbacks 0 or valid guest addresses with known flags, no handler for
//     vectors that cannot be delegated, a kernel stack that passed its
//     check, canonical segment bases;
//   - after iret or a delivery the guest resumes with its selectors, IF on,
//     IOPL 0, at an address a guest may use, and a delivered frame says
//     what was interrupted;
//   - console lines are short and free of control characters.
// A step that crashes or ends the domain ends the run, as it would on the
// machine.
//
// Input layout (read front to back; missing bytes read as 0):
//   byte 0     bit 0 privileged, bit 1 start in user mode, bit 2 no shared
//              page, bit 3 upcall_pending, bit 4 upcall_mask, bit 5 a
//              kernel stack at the top of memory
//   byte 1     attributes of the four memory pages, two bits each
//              (0, 1: writable, 2: read-only, 3: unmapped)
//   bytes 2-3  n, then min(n, memory size) bytes of initial memory
//   then steps: one byte (the kind, low 4 bits) and its arguments, each
//   argument a selector byte s and maybe a payload:
//     s % 4 == 0  memory base + 16-bit offset      s % 4 == 1  64-bit value
//     s % 4 == 2  interesting[s / 4 % count]        s % 4 == 3  s / 4
// tests/fuzz/make_pv_seeds.py writes seeds in this layout.
#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>
#include <pvisor/callback.h>
#include <pvisor/console.h>
#include <pvisor/hypercall_numbers.h>
#include <pvisor/sched.h>
#include <pvisor/trap.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../unit/fake_guest.h"
#include "core/bounce.h"
#include "core/hypercall.h"

namespace {

constexpr size_t mem_pages = 4;
constexpr uint64_t base = fake::FakeGuest::mem_base;
constexpr size_t mem_size = mem_pages * core::page_size;

const uint64_t interesting[] = {
    0,
    1,
    PV_HYPERVISOR_VIRT_START,
    PV_HYPERVISOR_VIRT_END,
    PV_HYPERVISOR_VIRT_END - 1,
    0x00007fffffffffffull,
    0x0000800000000000ull,
    0xffff7fffffffffffull,
    ~uint64_t{0},
    PV_CONSOLEIO_MAX,
    PV_CONSOLEIO_MAX + 1,
    PV_TRAP_TABLE_MAX,
    PV_TRAP_TABLE_MAX + 1,
    96,
    base,
    base + mem_size,
    base + mem_size - sizeof(pv_frame),
    0x400000,
};
constexpr size_t interesting_count = sizeof interesting / sizeof interesting[0];

class Input {
public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    // n bytes, zero past the end of the input.
    void copy(uint8_t* dst, size_t n) {
        size_t k = pos_ < size_ ? (size_ - pos_ < n ? size_ - pos_ : n) : 0;
        std::memcpy(dst, data_ + pos_, k);
        std::memset(dst + k, 0, n - k);
        pos_ += k;
    }
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint64_t bytes(int n) {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= uint64_t{byte()} << (8 * i);
        return v;
    }
    uint64_t arg() {
        uint8_t s = byte();
        switch (s % 4) {
        case 0: return base + bytes(2);
        case 1: return bytes(8);
        case 2: return interesting[(s / 4) % interesting_count];
        default: return s / 4;
        }
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

bool delegable(uint32_t v) {
    return v <= 21 && v != 2 && v != 8 && v != 9 && v != 15 && v != 18;
}

void check_vcpu(const core::Vcpu& v) {
    for (uint32_t i = 0; i < core::Vcpu::trap_count; ++i) {
        const core::TrapEntry& t = v.traps[i];
        check((t.flags & ~(PV_TRAP_USER_INT | PV_TRAP_MASK_EVENTS)) == 0, "trap flags");
        check(t.address == 0 || core::guest_range_ok(t.address, 1), "trap handler address");
        if (!delegable(i)) check(t.address == 0 && t.flags == 0, "handler for a vector that cannot be delegated");
    }
    for (const core::Callback& c : v.callbacks) {
        check((c.flags & ~PV_CALLBACK_MASK_EVENTS) == 0, "callback flags");
        check(c.address == 0 || core::guest_range_ok(c.address, 1), "callback address");
    }
    check(v.kernel_sp == 0 || (v.kernel_sp >= 96 && core::guest_range_ok(v.kernel_sp - 96, 96)), "kernel stack");
    check(core::is_canonical(v.fs_base) && core::is_canonical(v.gs_base_user) && core::is_canonical(v.gs_base_kernel),
          "segment bases");
    if (v.mode == core::VcpuMode::user) check(v.user_root.raw != 0, "user mode without a user root");
}

// What the guest may resume with, after iret or a delivery.
void check_resume(const core::GuestRegs& r) {
    check(r.cs == PV_GUEST_CS && r.ss == PV_GUEST_SS, "selectors");
    check((r.rflags & core::rflags::if_) != 0, "real IF off");
    check((r.rflags & (core::rflags::iopl | core::rflags::vm | core::rflags::nt | core::rflags::vif |
                       core::rflags::vip)) == 0,
          "privileged rflags bits");
    check((r.rflags & core::rflags::reserved1) != 0, "rflags bit 1");
    check(core::guest_range_ok(r.rip, 1), "rip");
    check(core::guest_range_ok(r.rsp, 0), "rsp");
}

void check_console(const fake::FakeHooks& h, size_t from) {
    for (size_t i = from; i < h.lines.size(); ++i) {
        const std::string& l = h.lines[i];
        check(l.size() < core::Domain::console_line_size, "console line too long");
        for (char c : l) {
            auto u = static_cast<unsigned char>(c);
            check(c == '\t' || (u >= 0x20 && u != 0x7f), "control character on the console");
        }
    }
}

// A delivery succeeded: the frame at the new rsp tells what was interrupted.
void check_delivery(fake::FakeGuest& g, const core::GuestRegs& before, core::VcpuMode mode_before,
                    uint32_t vector) {
    check(g.vcpu.mode == core::VcpuMode::kernel, "delivery left kernel mode off");
    check(g.regs.rsp % 16 == 0, "frame not 16-byte aligned");
    check_resume(g.regs);
    check((g.regs.rflags & core::rflags::tf) == 0, "TF left on in a handler");
    pv_frame f = g.mem.get<pv_frame>(g.regs.rsp);
    check(f.vector == vector, "frame vector");
    check(f.rsp == before.rsp && f.rax == before.rax && f.rcx == before.rcx && f.r11 == before.r11,
          "frame registers");
    check(((f.flags & PV_FRAME_FROM_USER) != 0) == (mode_before == core::VcpuMode::user), "frame FROM_USER");
    check(f.cs == PV_GUEST_CS && f.ss == PV_GUEST_SS, "frame selectors");
}

void run(Input& in) {
    fake::FakeGuest g(mem_size, base);
    uint8_t flags = in.byte();
    g.domain.privileged = (flags & 1) != 0;
    if ((flags & 4) != 0) g.vcpu.info = nullptr;
    g.shared.vcpu[0].upcall_pending = (flags & 8) != 0 ? 1 : 0;
    g.shared.vcpu[0].upcall_mask = (flags & 16) != 0 ? 1 : 0;
    if ((flags & 32) != 0) g.vcpu.kernel_sp = base + mem_size;
    if ((flags & 2) != 0) {
        g.vcpu.mode = core::VcpuMode::user;
        g.regs.rip = 0x401000;
        g.regs.rsp = 0x7ffff000;
    }
    uint8_t attrs = in.byte();
    for (size_t p = 0; p < mem_pages; ++p) {
        unsigned a = (attrs >> (2 * p)) & 3;
        if (a == 2) g.mem.make_read_only(base + p * core::page_size, core::page_size);
        if (a == 3) g.mem.unmap(base + p * core::page_size, core::page_size);
    }
    size_t n = static_cast<size_t>(in.bytes(2));
    if (n > mem_size) n = mem_size;
    in.copy(g.mem.at(base, n), n);
    g.hooks.input = "console input";

    for (int step = 0; step < 64 && !in.done(); ++step) {
        uint8_t kind = in.byte() & 15;
        check_vcpu(g.vcpu);
        core::GuestRegs before = g.regs;
        core::VcpuMode mode_before = g.vcpu.mode;
        core::BounceFailure why;

        if (kind <= 8 && g.vcpu.mode == core::VcpuMode::user) kind = 10;  // syscall in user mode: the guest's own
        if (kind <= 8) {
            uint64_t nr = kind == 8 ? in.arg() : kind;
            uint64_t a[5];
            for (uint64_t& x : a) x = in.arg();
            if (nr == PV_HYPERCALL_iret) g.regs.rsp = a[0];
            auto vs = fake::vcpu_state(g.vcpu);
            auto ds = fake::domain_state(g.domain);
            size_t lines = g.hooks.lines.size();
            int64_t ret = g.hypercall(nr, a[0], a[1], a[2], a[3], a[4]);
            check_console(g.hooks, lines);
            // iret, and a multicall that an iret entry ended (SPEC.md,
            // multicall), resume elsewhere: back through the frame or into
            // the failsafe callback, or the domain is crashed.
            bool ended_by_iret = nr == PV_HYPERCALL_multicall && (g.regs_replaced || g.crash_reason != nullptr);
            if (nr == PV_HYPERCALL_iret || ended_by_iret) {
                check(g.regs_replaced || ended_by_iret, "iret did not replace the registers");
                if (g.crash_reason != nullptr) return;
                check_resume(g.regs);
                continue;
            }
            check(!g.regs_replaced && g.crash_reason == nullptr, "a plain hypercall replaced the registers");
            if (ret < 0) {
                check(vs == fake::vcpu_state(g.vcpu), "a refused hypercall changed the vCPU");
                check(ds == fake::domain_state(g.domain), "a refused hypercall changed the domain");
                check(lines == g.hooks.lines.size(), "a refused hypercall printed");
                if (nr >= PV_HYPERCALL_COUNT) check(ret == -PV_ENOSYS, "unknown hypercall");
            }
            if (!g.hooks.ended.empty()) {
                check(g.domain.dead(), "ended but alive");
                return;
            }
            continue;
        }
        switch (kind) {
        case 9: {  // an exception
            auto vector = static_cast<uint32_t>(in.arg() % 40);
            uint64_t error_code = in.arg(), cr2 = in.arg();
            if (core::deliver_exception(g.vcpu, g.regs, g.mem, vector, error_code, cr2, &why).is_error()) return;
            check_delivery(g, before, mode_before, vector);
            break;
        }
        case 10: {  // syscall in user mode
            if (g.vcpu.mode != core::VcpuMode::user) break;
            g.regs.rcx = g.regs.rip;
            g.regs.r11 = g.regs.rflags;
            before = g.regs;
            bool has_callback = g.vcpu.callbacks[PV_CALLBACK_SYSCALL].address != 0;
            if (core::deliver_syscall(g.vcpu, g.regs, g.mem, &why).is_error()) return;
            check_delivery(g, before, mode_before, has_callback ? PV_VECTOR_SYSCALL : 6);
            break;
        }
        case 11: g.regs.rsp = in.arg(); break;
        case 12:  // the guest computes
            g.regs.rip = in.arg();
            g.regs.rax = in.arg();
            g.regs.rcx = in.arg();
            g.regs.r11 = in.arg();
            g.regs.rflags = (in.arg() & core::rflags::guest_settable) | core::rflags::if_ | core::rflags::reserved1;
            break;
        case 13: {  // the guest writes its memory
            uint64_t off = in.bytes(2) % mem_size;
            size_t len = in.byte();
            for (size_t i = 0; i < len && off + i < mem_size; ++i) *g.mem.at(base + off + i) = in.byte();
            break;
        }
        case 14: {  // the guest changes its event flags
            uint8_t b = in.byte();
            g.shared.vcpu[0].upcall_mask = b & 1;
            g.shared.vcpu[0].upcall_pending = (b >> 1) & 1;
            break;
        }
        default: break;
        }
    }
    check_vcpu(g.vcpu);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    run(in);
    return 0;
}
