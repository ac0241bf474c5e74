// Exception, system-call and failsafe delivery, the iret that returns from
// them, and the guest-pointer check they all rest on. The guest-visible
// contract is pvisor/trap.h.
#include "core/bounce.h"

#include <gtest/gtest.h>
#include <pvisor/abi.h>
#include <pvisor/callback.h>
#include <pvisor/trap.h>

#include <cstring>
#include <initializer_list>
#include <string>

#include "fake_guest.h"

using core::BounceFailure;
using core::GuestRegs;
using core::Vcpu;
using core::VcpuMode;
using fake::FakeGuest;
using kstd::Error;
namespace rf = core::rflags;

namespace {

constexpr uint64_t base = FakeGuest::mem_base;
constexpr uint64_t handler_base = 0xffffffff81000000ull;
constexpr uint64_t kernel_stack_top = base + 0xc000;  // a kernel stack inside the window
constexpr uint64_t user_rip = 0x401234, user_rsp = 0x7ffff000;
constexpr uint64_t guest_rflags = rf::if_ | rf::reserved1 | rf::cf | rf::df;

uint64_t handler(uint32_t vector) { return handler_base + vector * 0x40; }

// A guest in kernel mode with a handler for every exception vector, events
// unmasked, and recognisable register values.
struct Bounce : ::testing::Test {
    FakeGuest g;
    BounceFailure why{};

    Bounce() {
        g.mem.fill(0xaa);
        for (uint32_t v = 0; v < Vcpu::trap_count; ++v) g.vcpu.traps[v] = {handler(v), 0};
        g.shared.vcpu[0].upcall_mask = 0;
        g.regs.rax = 0x1111;
        g.regs.rcx = 0x2222;
        g.regs.r11 = 0x3333;
        g.regs.rbx = 0x4444;
        g.regs.rip = 0xffffffff80401000ull;
        g.regs.rsp = base + 0x8000;
        g.regs.rflags = guest_rflags;
    }

    void enter_user_mode() {
        g.vcpu.mode = VcpuMode::user;
        g.vcpu.kernel_sp = kernel_stack_top;
        g.regs.rip = user_rip;
        g.regs.rsp = user_rsp;
    }

    pv_frame frame_at(uint64_t va) { return g.mem.get<pv_frame>(va); }

    kstd::Result<void> exception(uint32_t vector, uint64_t error_code = 0, uint64_t cr2 = 0) {
        return core::deliver_exception(g.vcpu, g.regs, g.mem, vector, error_code, cr2, &why);
    }
};

// The frame delivery writes, as the contract spells it out.
pv_frame expected_frame(const GuestRegs& before, uint32_t vector, uint32_t flags, uint64_t error_code,
                        bool events_were_masked) {
    pv_frame f{};
    f.rcx = before.rcx;
    f.r11 = before.r11;
    f.rax = before.rax;
    f.vector = vector;
    f.flags = flags;
    f.error_code = error_code;
    f.rip = before.rip;
    f.cs = PV_GUEST_CS;
    f.rflags = (before.rflags & ~rf::if_) | (events_were_masked ? 0 : rf::if_);
    f.rsp = before.rsp;
    f.ss = PV_GUEST_SS;
    return f;
}

void expect_frame_eq(const pv_frame& want, const pv_frame& got) {
    EXPECT_EQ(want.rcx, got.rcx);
    EXPECT_EQ(want.r11, got.r11);
    EXPECT_EQ(want.rax, got.rax);
    EXPECT_EQ(want.vector, got.vector);
    EXPECT_EQ(want.flags, got.flags);
    EXPECT_EQ(want.error_code, got.error_code);
    EXPECT_EQ(want.rip, got.rip);
    EXPECT_EQ(want.cs, got.cs);
    EXPECT_EQ(want.rflags, got.rflags);
    EXPECT_EQ(want.rsp, got.rsp);
    EXPECT_EQ(want.ss, got.ss);
    EXPECT_EQ(0, std::memcmp(&want, &got, sizeof want)) << "pv_frame differs byte for byte";
}

bool same_regs(const GuestRegs& a, const GuestRegs& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

// --- guest_range_ok --------------------------------------------------------

TEST(GuestRangeOk, CanonicalLowerHalf) {
    EXPECT_TRUE(core::guest_range_ok(0, 1));
    EXPECT_TRUE(core::guest_range_ok(0x1000, 0x1000));
    EXPECT_TRUE(core::guest_range_ok(0x00007fffffffffffull, 1));
    EXPECT_TRUE(core::guest_range_ok(0x00007ffffffff000ull, 0x1000));
    EXPECT_FALSE(core::guest_range_ok(0x00007ffffffff000ull, 0x1001));  // last byte past the lower half
    EXPECT_FALSE(core::guest_range_ok(0x00007fffffffffffull, 2));
}

TEST(GuestRangeOk, NonCanonicalHole) {
    EXPECT_FALSE(core::guest_range_ok(0x0000800000000000ull, 1));
    EXPECT_FALSE(core::guest_range_ok(0x0000800000000000ull, 0));
    EXPECT_FALSE(core::guest_range_ok(0x1234000000000000ull, 8));
    EXPECT_FALSE(core::guest_range_ok(0xffff7fffffffffffull, 1));
    EXPECT_FALSE(core::guest_range_ok(0xffff7ffffffffff0ull, 0x20));  // runs from the hole into the upper half
}

TEST(GuestRangeOk, HypervisorRange) {
    EXPECT_FALSE(core::guest_range_ok(PV_HYPERVISOR_VIRT_START, 1));
    EXPECT_FALSE(core::guest_range_ok(PV_HYPERVISOR_VIRT_START, 0));
    EXPECT_FALSE(core::guest_range_ok(0xffff87ffffffffffull, 1));
    EXPECT_FALSE(core::guest_range_ok(0xffff840000000000ull, 0x1000));
    EXPECT_FALSE(core::guest_range_ok(0xffff87fffffffff0ull, 0x20));  // ends past the range, starts inside
    EXPECT_TRUE(core::guest_range_ok(PV_HYPERVISOR_VIRT_END, 1));
    EXPECT_TRUE(core::guest_range_ok(0xffff888000000000ull, 0x1000));
}

TEST(GuestRangeOk, RangesSpanningHalvesAreRefused) {
    // Both ends canonical and no wrap, but the range covers the hole and
    // the hypervisor's slots.
    EXPECT_FALSE(core::guest_range_ok(0, 0xffff900000000001ull));
    EXPECT_FALSE(core::guest_range_ok(0x00007ffffffff000ull, 0xffff000000002000ull));
}

TEST(GuestRangeOk, Wrapping) {
    EXPECT_TRUE(core::guest_range_ok(0xffffffffffffff00ull, 0x100));  // ends at the very last byte
    EXPECT_FALSE(core::guest_range_ok(0xffffffffffffff00ull, 0x101));
    EXPECT_FALSE(core::guest_range_ok(0xffffffffffffffffull, 2));
    EXPECT_FALSE(core::guest_range_ok(1, ~uint64_t{0}));
    EXPECT_FALSE(core::guest_range_ok(0, ~uint64_t{0}));
}

TEST(GuestRangeOk, ZeroLengthChecksTheAddressOnly) {
    EXPECT_TRUE(core::guest_range_ok(0, 0));
    EXPECT_TRUE(core::guest_range_ok(0xffffffffffffffffull, 0));
    EXPECT_FALSE(core::guest_range_ok(0xffff800000001000ull, 0));
}

TEST(VectorHasErrorCode, MatchesTheSdmList) {
    for (uint32_t v = 0; v < 32; ++v) {
        bool want = v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21 ||
                    v == 29 || v == 30;
        EXPECT_EQ(want, core::vector_has_error_code(v)) << "vector " << v;
    }
}

// --- exception delivery ----------------------------------------------------

TEST_F(Bounce, KernelModeFrameOnCurrentStack) {
    GuestRegs before = g.regs;
    ASSERT_TRUE(exception(13, 0x18).is_ok()) << why.reason;

    uint64_t sp = before.rsp - sizeof(pv_frame);
    EXPECT_EQ(sp, g.regs.rsp);
    expect_frame_eq(expected_frame(before, 13, PV_FRAME_ERROR_CODE, 0x18, false), frame_at(sp));
    // Nothing around the frame is touched.
    EXPECT_EQ(0xaau, *g.mem.at(sp - 1));
    EXPECT_EQ(0xaau, *g.mem.at(sp + sizeof(pv_frame)));
    EXPECT_EQ(1u, g.mem.writes);

    EXPECT_EQ(handler(13), g.regs.rip);
    EXPECT_EQ(PV_GUEST_CS, g.regs.cs);
    EXPECT_EQ(PV_GUEST_SS, g.regs.ss);
    EXPECT_EQ(before.rax, g.regs.rax);
    EXPECT_EQ(before.rbx, g.regs.rbx);
    EXPECT_TRUE(g.mem.mode_switches.empty());
    EXPECT_EQ(VcpuMode::kernel, g.vcpu.mode);
    EXPECT_EQ(1u, g.vcpu.bounces);
    EXPECT_EQ(0u, g.shared.vcpu[0].upcall_mask) << "no MASK_EVENTS flag: the mask stays";
}

TEST_F(Bounce, UserModeSwitchesToTheKernelStack) {
    enter_user_mode();
    GuestRegs before = g.regs;
    ASSERT_TRUE(exception(14, 0x6, 0x7fff0000dead).is_ok()) << why.reason;

    uint64_t sp = kernel_stack_top - sizeof(pv_frame);
    EXPECT_EQ(sp, g.regs.rsp);
    expect_frame_eq(expected_frame(before, 14, PV_FRAME_ERROR_CODE | PV_FRAME_FROM_USER, 0x6, false), frame_at(sp));
    EXPECT_EQ(user_rsp, frame_at(sp).rsp);
    EXPECT_EQ(user_rip, frame_at(sp).rip);

    ASSERT_EQ(1u, g.mem.mode_switches.size());
    EXPECT_EQ(&g.vcpu, g.mem.mode_switches[0].first);
    EXPECT_EQ(VcpuMode::kernel, g.mem.mode_switches[0].second);
    EXPECT_EQ(VcpuMode::kernel, g.vcpu.mode);
    EXPECT_EQ(handler(14), g.regs.rip);
    EXPECT_EQ(0x7fff0000deadull, g.shared.vcpu[0].fault_address);
}

TEST_F(Bounce, UserModeWithoutKernelStackFails) {
    enter_user_mode();
    g.vcpu.kernel_sp = 0;
    GuestRegs before = g.regs;
    auto state = fake::vcpu_state(g.vcpu);
    auto r = exception(3);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::inval, r.error());
    EXPECT_NE(std::string(why.reason), "");
    EXPECT_TRUE(same_regs(before, g.regs));
    EXPECT_EQ(state, fake::vcpu_state(g.vcpu));
    EXPECT_EQ(0u, g.mem.writes);
    EXPECT_TRUE(g.mem.mode_switches.empty());
}

TEST_F(Bounce, NewStackIsAlignedBelowTheOldOne) {
    for (uint64_t off = 0; off < 48; ++off) {
        FakeGuest fresh;
        fresh.vcpu.traps[0] = {handler(0), 0};
        uint64_t rsp = base + 0x8000 - off;
        fresh.regs.rsp = rsp;
        BounceFailure w{};
        ASSERT_TRUE(core::deliver_exception(fresh.vcpu, fresh.regs, fresh.mem, 0, 0, 0, &w).is_ok());
        EXPECT_EQ(0u, fresh.regs.rsp % 16) << "rsp " << std::hex << rsp;
        EXPECT_EQ((rsp & ~uint64_t{15}) - sizeof(pv_frame), fresh.regs.rsp);
        EXPECT_EQ(rsp, fresh.mem.get<pv_frame>(fresh.regs.rsp).rsp) << "the frame keeps the unaligned rsp";
    }
    // From user mode the kernel stack is aligned the same way.
    enter_user_mode();
    g.vcpu.kernel_sp = kernel_stack_top - 9;
    ASSERT_TRUE(exception(0).is_ok());
    EXPECT_EQ(kernel_stack_top - 16 - sizeof(pv_frame), g.regs.rsp);
}

TEST_F(Bounce, ErrorCodeOnlyForVectorsThatHaveOne) {
    for (uint32_t v = 0; v < 32; ++v) {
        FakeGuest fresh;
        fresh.vcpu.traps[v] = {handler(v), 0};
        BounceFailure w{};
        // (Bit 2 clear: for #PF it is the U/S bit, see below.)
        ASSERT_TRUE(core::deliver_exception(fresh.vcpu, fresh.regs, fresh.mem, v, 0xdea9, 0, &w).is_ok());
        pv_frame f = fresh.mem.get<pv_frame>(fresh.regs.rsp);
        EXPECT_EQ(v, f.vector);
        if (core::vector_has_error_code(v)) {
            EXPECT_EQ(PV_FRAME_ERROR_CODE, f.flags) << "vector " << v;
            EXPECT_EQ(0xdea9u, f.error_code) << "vector " << v;
        } else {
            EXPECT_EQ(0u, f.flags) << "vector " << v;
            EXPECT_EQ(0u, f.error_code) << "vector " << v << ": no error code leaks into the frame";
        }
    }
}

TEST_F(Bounce, FrameIfReflectsTheEventMask) {
    g.shared.vcpu[0].upcall_mask = 1;
    ASSERT_TRUE(exception(6).is_ok());
    EXPECT_EQ(0u, frame_at(g.regs.rsp).rflags & rf::if_);
    EXPECT_EQ(guest_rflags & ~rf::if_, frame_at(g.regs.rsp).rflags);

    FakeGuest unmasked;
    unmasked.vcpu.traps[6] = {handler(6), 0};
    unmasked.shared.vcpu[0].upcall_mask = 0;
    unmasked.regs.rflags = rf::reserved1;  // real IF clear cannot happen, but the frame must not copy it
    ASSERT_TRUE(core::deliver_exception(unmasked.vcpu, unmasked.regs, unmasked.mem, 6, 0, 0, &why).is_ok());
    EXPECT_EQ(rf::if_ | rf::reserved1, unmasked.mem.get<pv_frame>(unmasked.regs.rsp).rflags);

    // Without a shared page events count as masked.
    FakeGuest no_info;
    no_info.vcpu.info = nullptr;
    no_info.vcpu.traps[6] = {handler(6), PV_TRAP_MASK_EVENTS};
    ASSERT_TRUE(core::deliver_exception(no_info.vcpu, no_info.regs, no_info.mem, 6, 0, 0, &why).is_ok());
    EXPECT_EQ(0u, no_info.mem.get<pv_frame>(no_info.regs.rsp).rflags & rf::if_);
}

TEST_F(Bounce, HandlerRflagsAreSanitised) {
    g.regs.rflags = 0x3f7fd7 | rf::iopl;  // every defined flag set
    ASSERT_TRUE(exception(1).is_ok());
    uint64_t r = g.regs.rflags;
    EXPECT_NE(0u, r & rf::if_);
    EXPECT_NE(0u, r & rf::reserved1);
    for (uint64_t bit : std::initializer_list<uint64_t>{rf::tf, rf::iopl, rf::nt, rf::rf, rf::vm, rf::ac, rf::vif, rf::vip})
        EXPECT_EQ(0u, r & bit) << "bit " << std::hex << bit;
    // The arithmetic flags, DF and ID are the interrupted context's.
    const uint64_t kept = rf::cf | (1u << 2) | (1u << 4) | (1u << 6) | (1u << 7) | rf::df | (1u << 11) | rf::id;
    EXPECT_EQ(kept | rf::if_ | rf::reserved1, r);
    // The frame keeps what the guest had (its IF being the virtual one).
    EXPECT_EQ(0x3f7fd7 | rf::iopl, frame_at(g.regs.rsp).rflags);

    FakeGuest bare;
    bare.vcpu.traps[1] = {handler(1), 0};
    bare.regs.rflags = 0;
    ASSERT_TRUE(core::deliver_exception(bare.vcpu, bare.regs, bare.mem, 1, 0, 0, &why).is_ok());
    EXPECT_EQ(rf::if_ | rf::reserved1, bare.regs.rflags);
}

TEST_F(Bounce, FaultAddressOnlyForPageFaults) {
    g.shared.vcpu[0].fault_address = 0x5555;
    ASSERT_TRUE(exception(13, 0, 0x1234).is_ok());
    EXPECT_EQ(0x5555u, g.shared.vcpu[0].fault_address);
    ASSERT_TRUE(exception(14, 2, 0xffffffff80abc123ull).is_ok());
    EXPECT_EQ(0xffffffff80abc123ull, g.shared.vcpu[0].fault_address);
}

TEST_F(Bounce, PageFaultErrorCodeShowsTheVirtualMode) {
    // The guest kernel runs in ring 3, so the CPU sets U/S (bit 2) on all
    // its page faults; the kernel is told what it would see natively.
    ASSERT_TRUE(exception(14, 0x7, 0x1000).is_ok());
    EXPECT_EQ(0x3u, frame_at(g.regs.rsp).error_code);
    FakeGuest u;
    u.vcpu.traps[14] = {handler(14), 0};
    u.vcpu.mode = VcpuMode::user;
    u.vcpu.kernel_sp = kernel_stack_top;
    ASSERT_TRUE(core::deliver_exception(u.vcpu, u.regs, u.mem, 14, 0x7, 0x1000, &why).is_ok());
    EXPECT_EQ(0x7u, u.mem.get<pv_frame>(u.regs.rsp).error_code);
    // Other vectors' error codes are passed as they are.
    ASSERT_TRUE(exception(13, 0x7).is_ok());
    EXPECT_EQ(0x7u, frame_at(g.regs.rsp).error_code);
}

TEST_F(Bounce, MaskEventsFlagMasksAfterTheFrameIsMade) {
    g.vcpu.traps[14].flags = PV_TRAP_MASK_EVENTS;
    ASSERT_TRUE(exception(14, 0, 0x1000).is_ok());
    EXPECT_EQ(1u, g.shared.vcpu[0].upcall_mask);
    EXPECT_NE(0u, frame_at(g.regs.rsp).rflags & rf::if_) << "the frame shows events were on";
}

TEST_F(Bounce, NoHandler) {
    g.vcpu.traps[13] = {};
    GuestRegs before = g.regs;
    auto state = fake::vcpu_state(g.vcpu);
    auto r = exception(13, 0);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::noent, r.error());
    EXPECT_NE(std::string(why.reason).find("13"), std::string::npos) << why.reason;
    EXPECT_TRUE(same_regs(before, g.regs));
    EXPECT_EQ(state, fake::vcpu_state(g.vcpu));
    EXPECT_EQ(0u, g.mem.writes);
}

TEST_F(Bounce, VectorOutOfRange) {
    GuestRegs before = g.regs;
    for (uint32_t v : std::initializer_list<uint32_t>{32u, 255u, PV_VECTOR_SYSCALL, 0xffffffffu}) {
        auto r = exception(v);
        ASSERT_TRUE(r.is_error()) << v;
        EXPECT_EQ(Error::inval, r.error());
    }
    EXPECT_TRUE(same_regs(before, g.regs));
    EXPECT_EQ(0u, g.mem.writes);
}

TEST_F(Bounce, UnwritableStackFails) {
    struct Case {
        const char* what;
        uint64_t rsp;
        void (*prepare)(FakeGuest&);
    };
    const Case cases[] = {
        {"unmapped", base + 0x8000, [](FakeGuest& f) { f.mem.unmap(base + 0x7000, 0x1000); }},
        {"read-only", base + 0x8000, [](FakeGuest& f) { f.mem.make_read_only(base + 0x7000, 0x1000); }},
        {"straddles into an unmapped page", base + 0x8020, [](FakeGuest& f) { f.mem.unmap(base + 0x7000, 0x1000); }},
        {"outside guest memory", 0xffffffff90000000ull, [](FakeGuest&) {}},
        {"non-canonical", 0x0000800000000040ull, [](FakeGuest&) {}},
    };
    for (const Case& c : cases) {
        FakeGuest f;
        f.vcpu.traps[14] = {handler(14), PV_TRAP_MASK_EVENTS};
        f.shared.vcpu[0].upcall_mask = 0;
        f.regs.rsp = c.rsp;
        c.prepare(f);
        GuestRegs before = f.regs;
        BounceFailure w{};
        auto r = core::deliver_exception(f.vcpu, f.regs, f.mem, 14, 0, 0x1000, &w);
        ASSERT_TRUE(r.is_error()) << c.what;
        EXPECT_EQ(Error::fault, r.error()) << c.what;
        EXPECT_NE(std::string(w.reason), "") << c.what;
        EXPECT_TRUE(same_regs(before, f.regs)) << c.what;
        EXPECT_EQ(0u, f.shared.vcpu[0].upcall_mask) << c.what << ": not masked for a frame never written";
        EXPECT_EQ(0u, f.vcpu.bounces) << c.what;
    }
}

TEST_F(Bounce, StackRunningIntoTheHypervisorRangeIsRefused) {
    // Guest memory on both sides of the end of the hypervisor's range.
    FakeGuest f(0x4000, PV_HYPERVISOR_VIRT_END - 0x2000);
    f.vcpu.traps[3] = {handler(3), 0};
    f.regs.rsp = PV_HYPERVISOR_VIRT_END + 0x40;  // the frame would start just below HV_END
    BounceFailure w{};
    auto r = core::deliver_exception(f.vcpu, f.regs, f.mem, 3, 0, 0, &w);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::fault, r.error());
    for (uint64_t va = PV_HYPERVISOR_VIRT_END - 0x10; va < PV_HYPERVISOR_VIRT_END + 0x40; ++va)
        ASSERT_EQ(0u, *f.mem.at(va)) << "nothing of the frame is written";

    // Just above the range is fine.
    f.regs.rsp = PV_HYPERVISOR_VIRT_END + 0x60;
    ASSERT_TRUE(core::deliver_exception(f.vcpu, f.regs, f.mem, 3, 0, 0, &w).is_ok());
    EXPECT_EQ(PV_HYPERVISOR_VIRT_END + 0x10, f.regs.rsp);
}

// --- system calls ----------------------------------------------------------

TEST_F(Bounce, SyscallGoesToTheCallback) {
    enter_user_mode();
    constexpr uint64_t entry = 0xffffffff80500000ull;
    g.vcpu.callbacks[PV_CALLBACK_SYSCALL] = {entry, 0};
    g.regs.rcx = user_rip;  // as the syscall instruction leaves them
    g.regs.r11 = guest_rflags;
    g.regs.rax = 60;
    GuestRegs before = g.regs;
    ASSERT_TRUE(core::deliver_syscall(g.vcpu, g.regs, g.mem, &why).is_ok()) << why.reason;

    uint64_t sp = kernel_stack_top - sizeof(pv_frame);
    EXPECT_EQ(sp, g.regs.rsp);
    expect_frame_eq(expected_frame(before, PV_VECTOR_SYSCALL, PV_FRAME_SYSCALL | PV_FRAME_FROM_USER, 0, false),
                    frame_at(sp));
    EXPECT_EQ(entry, g.regs.rip);
    EXPECT_EQ(VcpuMode::kernel, g.vcpu.mode);
    ASSERT_EQ(1u, g.mem.mode_switches.size());
    EXPECT_EQ(0u, g.shared.vcpu[0].upcall_mask);
}

TEST_F(Bounce, SyscallCallbackCanMaskEvents) {
    enter_user_mode();
    g.vcpu.callbacks[PV_CALLBACK_SYSCALL] = {0xffffffff80500000ull, PV_CALLBACK_MASK_EVENTS};
    ASSERT_TRUE(core::deliver_syscall(g.vcpu, g.regs, g.mem, &why).is_ok());
    EXPECT_EQ(1u, g.shared.vcpu[0].upcall_mask);
    EXPECT_NE(0u, frame_at(g.regs.rsp).rflags & rf::if_);
}

TEST_F(Bounce, SyscallWithoutCallbackIsInvalidOpcode) {
    enter_user_mode();
    GuestRegs before = g.regs;
    ASSERT_TRUE(core::deliver_syscall(g.vcpu, g.regs, g.mem, &why).is_ok()) << why.reason;
    pv_frame f = frame_at(g.regs.rsp);
    EXPECT_EQ(6u, f.vector);
    EXPECT_EQ(PV_FRAME_FROM_USER, f.flags);
    EXPECT_EQ(user_rip - 2, f.rip) << "#UD points at the 2-byte syscall instruction";
    EXPECT_EQ(before.rsp, f.rsp);
    EXPECT_EQ(handler(6), g.regs.rip);
}

TEST_F(Bounce, SyscallWithNeitherCallbackNorUdHandlerFails) {
    enter_user_mode();
    g.vcpu.traps[6] = {};
    auto r = core::deliver_syscall(g.vcpu, g.regs, g.mem, &why);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::noent, r.error());
    EXPECT_EQ(0u, g.mem.writes);
}

// --- failsafe --------------------------------------------------------------

TEST_F(Bounce, FailsafeCarriesTheBadFrameAddress) {
    constexpr uint64_t entry = 0xffffffff80600000ull;
    g.vcpu.callbacks[PV_CALLBACK_FAILSAFE] = {entry, PV_CALLBACK_MASK_EVENTS};
    GuestRegs before = g.regs;
    ASSERT_TRUE(core::deliver_failsafe(g.vcpu, g.regs, g.mem, before.rsp, &why).is_ok());
    expect_frame_eq(expected_frame(before, PV_VECTOR_FAILSAFE, PV_FRAME_ERROR_CODE, before.rsp, false),
                    frame_at(g.regs.rsp));
    EXPECT_EQ(entry, g.regs.rip);
    EXPECT_EQ(1u, g.shared.vcpu[0].upcall_mask);
}

TEST_F(Bounce, FailsafeWithoutCallbackFails) {
    GuestRegs before = g.regs;
    auto r = core::deliver_failsafe(g.vcpu, g.regs, g.mem, 0x1000, &why);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::noent, r.error());
    EXPECT_TRUE(same_regs(before, g.regs));
    EXPECT_EQ(0u, g.mem.writes);
}

// --- iret ------------------------------------------------------------------

namespace {

constexpr uint64_t frame_va = base + 0x6000;

pv_frame good_frame() {
    pv_frame f{};
    f.rax = 0xaaaa;
    f.rcx = 0xcccc;
    f.r11 = 0x1111;
    f.vector = 14;
    f.flags = PV_FRAME_ERROR_CODE;
    f.error_code = 2;
    f.rip = 0xffffffff80401234ull;
    f.cs = 0x1234;  // ignored: always the guest selector
    f.rflags = rf::if_ | rf::reserved1 | rf::cf | rf::df;
    f.rsp = base + 0x9008;
    f.ss = 0x5678;
    return f;
}

struct Iret : Bounce {
    Iret() {
        g.regs.rsp = frame_va;
        g.shared.vcpu[0].upcall_mask = 1;  // as in a handler that masked events
    }
    kstd::Result<void> iret(const pv_frame& f) {
        g.mem.put(frame_va, f);
        return core::do_iret(g.vcpu, g.regs, g.mem);
    }
    // An iret that must be refused with `e` and change nothing.
    void expect_refused(const pv_frame& f, Error e, const char* what) {
        GuestRegs before = g.regs;
        auto state = fake::vcpu_state(g.vcpu);
        size_t switches = g.mem.mode_switches.size();
        auto r = iret(f);
        ASSERT_TRUE(r.is_error()) << what;
        EXPECT_EQ(e, r.error()) << what;
        EXPECT_TRUE(same_regs(before, g.regs)) << what;
        EXPECT_EQ(state, fake::vcpu_state(g.vcpu)) << what;
        EXPECT_EQ(switches, g.mem.mode_switches.size()) << what;
    }
};

}  // namespace

TEST_F(Iret, RestoresTheFrame) {
    GuestRegs before = g.regs;
    pv_frame f = good_frame();
    ASSERT_TRUE(iret(f).is_ok());
    EXPECT_EQ(f.rax, g.regs.rax);
    EXPECT_EQ(f.rcx, g.regs.rcx);
    EXPECT_EQ(f.r11, g.regs.r11);
    EXPECT_EQ(f.rip, g.regs.rip);
    EXPECT_EQ(f.rsp, g.regs.rsp);
    EXPECT_EQ(f.rflags, g.regs.rflags);
    EXPECT_EQ(PV_GUEST_CS, g.regs.cs);
    EXPECT_EQ(PV_GUEST_SS, g.regs.ss);
    EXPECT_EQ(before.rbx, g.regs.rbx);
    EXPECT_EQ(before.rdi, g.regs.rdi);
    EXPECT_EQ(0u, g.shared.vcpu[0].upcall_mask) << "IF in the frame unmasks events";
    EXPECT_EQ(VcpuMode::kernel, g.vcpu.mode);
    EXPECT_TRUE(g.mem.mode_switches.empty());
}

TEST_F(Iret, FrameIfClearKeepsEventsMasked) {
    g.shared.vcpu[0].upcall_mask = 0;
    pv_frame f = good_frame();
    f.rflags = rf::reserved1;
    ASSERT_TRUE(iret(f).is_ok());
    EXPECT_EQ(1u, g.shared.vcpu[0].upcall_mask);
    EXPECT_NE(0u, g.regs.rflags & rf::if_) << "the real IF stays on";
}

TEST_F(Iret, ForcesRflags) {
    pv_frame f = good_frame();
    f.rflags = ~uint64_t{0};
    ASSERT_TRUE(iret(f).is_ok());
    uint64_t r = g.regs.rflags;
    EXPECT_EQ(0u, r & rf::iopl);
    EXPECT_EQ(0u, r & rf::vm);
    EXPECT_EQ(0u, r & rf::nt);
    EXPECT_EQ(0u, r & rf::vif);
    EXPECT_EQ(0u, r & rf::vip);
    EXPECT_EQ(0u, r & ~uint64_t{0x3fffff}) << "no bits above ID";
    EXPECT_EQ(0u, r & ((1u << 3) | (1u << 5) | (1u << 15))) << "reserved zero bits stay zero";
    EXPECT_NE(0u, r & rf::if_);
    EXPECT_NE(0u, r & rf::reserved1);
    EXPECT_EQ(rf::guest_settable | rf::if_ | rf::reserved1, r);
    EXPECT_EQ(0u, g.shared.vcpu[0].upcall_mask);
}

TEST_F(Iret, ToUserModeSwitchesRoots) {
    pv_frame f = good_frame();
    f.flags = PV_FRAME_FROM_USER;
    f.rip = user_rip;
    f.rsp = user_rsp;
    ASSERT_TRUE(iret(f).is_ok());
    ASSERT_EQ(1u, g.mem.mode_switches.size());
    EXPECT_EQ(VcpuMode::user, g.mem.mode_switches[0].second);
    EXPECT_EQ(VcpuMode::user, g.vcpu.mode);
    EXPECT_EQ(user_rip, g.regs.rip);
    EXPECT_EQ(user_rsp, g.regs.rsp);
}

TEST_F(Iret, OtherFlagsStayInKernelMode) {
    for (uint32_t flags : std::initializer_list<uint32_t>{0u, PV_FRAME_ERROR_CODE, PV_FRAME_SYSCALL, PV_FRAME_EVENT,
                           PV_FRAME_ERROR_CODE | PV_FRAME_SYSCALL | PV_FRAME_EVENT}) {
        FakeGuest f;
        f.regs.rsp = frame_va;
        pv_frame fr = good_frame();
        fr.flags = flags;
        f.mem.put(frame_va, fr);
        ASSERT_TRUE(core::do_iret(f.vcpu, f.regs, f.mem).is_ok()) << flags;
        EXPECT_EQ(VcpuMode::kernel, f.vcpu.mode);
        EXPECT_TRUE(f.mem.mode_switches.empty());
    }
}

TEST_F(Iret, ToUserModeNeedsAUserRoot) {
    g.vcpu.user_root = core::Mfn();
    pv_frame f = good_frame();
    f.flags = PV_FRAME_FROM_USER;
    expect_refused(f, Error::inval, "no user root");
}

TEST_F(Iret, RefusesUnknownFlags) {
    for (uint32_t bit = 4; bit < 32; ++bit) {
        pv_frame f = good_frame();
        f.flags |= 1u << bit;
        expect_refused(f, Error::inval, "unknown flag");
    }
}

TEST_F(Iret, RefusesBadRip) {
    for (uint64_t rip : std::initializer_list<uint64_t>{0x0000800000000000ull, 0x8000000000000000ull, 0xffff7fffffffffffull,
                         PV_HYPERVISOR_VIRT_START, 0xffff840000000000ull, PV_HYPERVISOR_VIRT_END - 1}) {
        pv_frame f = good_frame();
        f.rip = rip;
        expect_refused(f, Error::inval, "rip");
    }
    for (uint64_t rip : std::initializer_list<uint64_t>{0ull, 0x00007fffffffffffull, PV_HYPERVISOR_VIRT_END, 0xffffffffffffffffull}) {
        FakeGuest ok;
        ok.regs.rsp = frame_va;
        pv_frame f = good_frame();
        f.rip = rip;
        ok.mem.put(frame_va, f);
        EXPECT_TRUE(core::do_iret(ok.vcpu, ok.regs, ok.mem).is_ok()) << std::hex << rip;
        EXPECT_EQ(rip, ok.regs.rip);
    }
}

TEST_F(Iret, RefusesBadRsp) {
    for (uint64_t rsp : std::initializer_list<uint64_t>{0x0000800000000000ull, 0x7fffffffffffffffull, 0xffff7ffffffffff0ull,
                         PV_HYPERVISOR_VIRT_START, PV_HYPERVISOR_VIRT_END - 8}) {
        pv_frame f = good_frame();
        f.rsp = rsp;
        expect_refused(f, Error::inval, "rsp");
    }
    FakeGuest ok;
    ok.regs.rsp = frame_va;
    pv_frame f = good_frame();
    f.rsp = PV_HYPERVISOR_VIRT_END;
    ok.mem.put(frame_va, f);
    EXPECT_TRUE(core::do_iret(ok.vcpu, ok.regs, ok.mem).is_ok());
}

TEST_F(Iret, UnreadableFrameIsAFault) {
    g.mem.put(frame_va, good_frame());
    GuestRegs before = g.regs;
    auto state = fake::vcpu_state(g.vcpu);
    struct Case {
        const char* what;
        uint64_t rsp;
    };
    g.mem.unmap(base + 0xa000, 0x1000);
    for (const Case& c : {Case{"unmapped", base + 0xa000}, Case{"straddles into an unmapped page", base + 0x9fd0},
                          Case{"outside guest memory", 0x1000}, Case{"non-canonical", 0x0000800000000000ull},
                          Case{"wraps", 0xfffffffffffffff0ull}}) {
        g.regs.rsp = c.rsp;
        before.rsp = c.rsp;
        auto r = core::do_iret(g.vcpu, g.regs, g.mem);
        ASSERT_TRUE(r.is_error()) << c.what;
        EXPECT_EQ(Error::fault, r.error()) << c.what;
        EXPECT_TRUE(same_regs(before, g.regs)) << c.what;
        EXPECT_EQ(state, fake::vcpu_state(g.vcpu)) << c.what;
    }
}

TEST_F(Iret, FrameInHypervisorRangeIsAFault) {
    for (uint64_t at : std::initializer_list<uint64_t>{PV_HYPERVISOR_VIRT_START, PV_HYPERVISOR_VIRT_END - 0x40}) {
        FakeGuest f(0x4000, at & ~uint64_t{0xfff});
        f.mem.put(at, good_frame());
        f.regs.rsp = at;
        GuestRegs before = f.regs;
        auto r = core::do_iret(f.vcpu, f.regs, f.mem);
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(Error::fault, r.error());
        EXPECT_TRUE(same_regs(before, f.regs));
    }
}

TEST_F(Bounce, DeliverThenIretReturnsToUserMode) {
    enter_user_mode();
    g.vcpu.traps[14].flags = PV_TRAP_MASK_EVENTS;
    g.regs.rflags = guest_rflags | rf::tf;
    GuestRegs before = g.regs;
    ASSERT_TRUE(exception(14, 4, 0x1000).is_ok());
    EXPECT_EQ(1u, g.shared.vcpu[0].upcall_mask);
    // The handler returns with rsp at the frame, as the contract says.
    g.regs.rax = 0xdead;
    ASSERT_TRUE(core::do_iret(g.vcpu, g.regs, g.mem).is_ok());
    EXPECT_EQ(VcpuMode::user, g.vcpu.mode);
    EXPECT_EQ(before.rip, g.regs.rip);
    EXPECT_EQ(before.rsp, g.regs.rsp);
    EXPECT_EQ(before.rax, g.regs.rax);
    EXPECT_EQ(before.rcx, g.regs.rcx);
    EXPECT_EQ(before.r11, g.regs.r11);
    EXPECT_EQ(before.rflags, g.regs.rflags);
    EXPECT_EQ(0u, g.shared.vcpu[0].upcall_mask);
    ASSERT_EQ(2u, g.mem.mode_switches.size());
    EXPECT_EQ(VcpuMode::kernel, g.mem.mode_switches[0].second);
    EXPECT_EQ(VcpuMode::user, g.mem.mode_switches[1].second);
}
