// The hypercalls through the dispatcher, as a guest makes them: raw
// register values in, rax out. Every refusal is checked to leave the vCPU
// and the domain exactly as they were (decode, then invoke).
#include "core/hypercall.h"

#include <gtest/gtest.h>
#include <pvisor/callback.h>
#include <pvisor/console.h>
#include <pvisor/errno.h>
#include <pvisor/hypercall_numbers.h>
#include <pvisor/sched.h>
#include <pvisor/segment.h>
#include <pvisor/trap.h>
#include <pvisor/version.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "fake_guest.h"

using core::DomainState;
using core::VcpuMode;
using fake::FakeGuest;

namespace {

constexpr uint64_t base = FakeGuest::mem_base;
constexpr uint64_t buf = base + 0x1000;  // a scratch buffer in guest memory
constexpr uint64_t handler_va = 0xffffffff80100000ull;

constexpr int64_t err(int e) { return -static_cast<int64_t>(e); }

using Lines = std::vector<std::string>;

struct Hypercall : ::testing::Test {
    FakeGuest g;

    void put_string(uint64_t va, const std::string& s) { std::memcpy(g.mem.at(va, s.size()), s.data(), s.size()); }

    int64_t write(const std::string& s) {
        put_string(buf, s);
        return g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_write, s.size(), buf);
    }

    // Runs a hypercall that must fail with `e` and checks that it changed
    // nothing in the vCPU, the domain or the hooks.
    void expect_refused(int64_t e, uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                        const char* what = "") {
        auto vs = fake::vcpu_state(g.vcpu);
        auto ds = fake::domain_state(g.domain);
        size_t lines = g.hooks.lines.size(), segs = g.hooks.segment_changes.size();
        size_t yields = g.hooks.yields, blocks = g.hooks.blocks, ended = g.hooks.ended.size();
        EXPECT_EQ(e, g.hypercall(nr, a0, a1, a2)) << what;
        EXPECT_EQ(vs, fake::vcpu_state(g.vcpu)) << what << ": the vCPU changed";
        EXPECT_EQ(ds, fake::domain_state(g.domain)) << what << ": the domain changed";
        EXPECT_EQ(lines, g.hooks.lines.size()) << what;
        EXPECT_EQ(segs, g.hooks.segment_changes.size()) << what;
        EXPECT_EQ(yields, g.hooks.yields) << what;
        EXPECT_EQ(blocks, g.hooks.blocks) << what;
        EXPECT_EQ(ended, g.hooks.ended.size()) << what;
        EXPECT_FALSE(g.regs_replaced) << what;
    }
};

pv_trap_info trap(uint8_t vector, uint64_t address, uint8_t flags = 0) {
    pv_trap_info t{};
    t.vector = vector;
    t.flags = flags;
    t.address = address;
    return t;
}

}  // namespace

// --- dispatch --------------------------------------------------------------

TEST_F(Hypercall, UnknownNumbersAreEnosys) {
    for (uint64_t nr : std::initializer_list<uint64_t>{uint64_t{PV_HYPERCALL_COUNT}, uint64_t{9}, uint64_t{255}, uint64_t{1} << 32,
                        (uint64_t{1} << 32) | PV_HYPERCALL_version, uint64_t{1} << 63, ~uint64_t{0}})
        expect_refused(err(PV_ENOSYS), nr, PV_VERSIONOP_version, 0, 0, "unknown number");
}

TEST_F(Hypercall, CountsEveryCall) {
    (void)g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_version);
    (void)g.hypercall(1000);
    (void)g.hypercall(PV_HYPERCALL_stack_switch, 0);
    EXPECT_EQ(3u, g.vcpu.hypercalls);
}

TEST_F(Hypercall, NoHypercallIsPrivilegedYet) {
    // An unprivileged domain reaches every handler: none answers EPERM for
    // a call that is otherwise valid.
    ASSERT_FALSE(g.domain.privileged);
    EXPECT_EQ(PVISOR_ABI_VERSION, g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_version));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_trap_table, 0, 0));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_stack_switch, base + 0x8000));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_segment_base, PV_SEGBASE_fs, 0));
    EXPECT_EQ(3, write("hi\n"));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_sched_op, PV_SCHEDOP_yield));
}

TEST_F(Hypercall, ArgumentRegisters) {
    // console_io takes (cmd, count, buffer) from rdi, rsi, rdx; r10 and r8
    // are ignored.
    put_string(buf, "regs\n");
    EXPECT_EQ(5, g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 5, buf, 0xdead, 0xbeef));
    EXPECT_EQ(Lines{"regs"}, g.hooks.lines);
}

// --- console_io ------------------------------------------------------------

TEST_F(Hypercall, ConsoleWriteSplitsLines) {
    EXPECT_EQ(12, write("hello\nworld\n"));
    EXPECT_EQ((Lines{"hello", "world"}), g.hooks.lines);
    ASSERT_EQ(2u, g.hooks.line_domains.size());
    EXPECT_EQ(&g.domain, g.hooks.line_domains[0]);
}

TEST_F(Hypercall, ConsoleWriteKeepsPartialLines) {
    EXPECT_EQ(3, write("abc"));
    EXPECT_TRUE(g.hooks.lines.empty());
    EXPECT_EQ(4, write("def\n"));
    EXPECT_EQ(5, write("\nx\r\ny"));
    EXPECT_EQ((Lines{"abcdef", "", "x"}), g.hooks.lines);
    EXPECT_EQ(1u, g.domain.console_len);
}

TEST_F(Hypercall, ConsoleWriteReplacesControlCharacters) {
    std::string s = "\x1b[2J\tA\x7f\x01\x08\r\x80\xff";
    s += '\0';
    s += "z\n";
    EXPECT_EQ(static_cast<int64_t>(s.size()), write(s));
    EXPECT_EQ(Lines{"?[2J\tA???\x80\xff?z"}, g.hooks.lines);
}

TEST_F(Hypercall, ConsoleWriteFlushesLongLines) {
    constexpr size_t width = core::Domain::console_line_size - 1;
    EXPECT_EQ(400, write(std::string(400, 'x') + ""));
    ASSERT_EQ(2u, g.hooks.lines.size());
    EXPECT_EQ(std::string(width, 'x'), g.hooks.lines[0]);
    EXPECT_EQ(std::string(width, 'x'), g.hooks.lines[1]);
    EXPECT_EQ(1, write("\n"));
    ASSERT_EQ(3u, g.hooks.lines.size());
    EXPECT_EQ(std::string(400 - 2 * width, 'x'), g.hooks.lines[2]);
}

TEST_F(Hypercall, ConsoleLineOfExactlyTheBufferWidth) {
    // A line that just fills the buffer and then ends is one line, not a
    // line and an empty one.
    constexpr size_t width = core::Domain::console_line_size - 1;
    std::string line(width, 'w');
    EXPECT_EQ(static_cast<int64_t>(width + 1), write(line + "\n"));
    EXPECT_EQ(Lines{line}, g.hooks.lines);
    EXPECT_EQ(static_cast<int64_t>(width + 2), write(line + "v\n"));
    EXPECT_EQ((Lines{line, line, "v"}), g.hooks.lines);
}

TEST_F(Hypercall, ConsoleWriteLimits) {
    std::string big(PV_CONSOLEIO_MAX, 'b');
    EXPECT_EQ(PV_CONSOLEIO_MAX, write(big));
    EXPECT_EQ(PV_CONSOLEIO_MAX / (core::Domain::console_line_size - 1), g.hooks.lines.size());
    expect_refused(err(PV_E2BIG), PV_HYPERCALL_console_io, PV_CONSOLEIO_write, PV_CONSOLEIO_MAX + 1, buf, "E2BIG");
    expect_refused(err(PV_E2BIG), PV_HYPERCALL_console_io, PV_CONSOLEIO_write, ~uint64_t{0}, buf, "E2BIG");
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 0, 0)) << "nothing to write";
}

TEST_F(Hypercall, ConsoleWriteFaultPrintsNothing) {
    EXPECT_EQ(4, write("kept"));
    g.mem.unmap(base + 0x3000, 0x1000);
    put_string(base + 0x2ffc, "abc\ndef");
    size_t lines = g.hooks.lines.size();
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 8, base + 0x2ffc, "straddles");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 1, base + 0x3000, "unmapped");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 4, 0x1000, "outside");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 4, 0x0000800000000000ull,
                   "non-canonical");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 32, 0xfffffffffffffff0ull, "wraps");
    EXPECT_EQ(lines, g.hooks.lines.size());
    EXPECT_EQ(1, write("\n"));
    EXPECT_EQ("kept", g.hooks.lines.back()) << "the pending text survived the faults";
}

TEST_F(Hypercall, ConsoleWriteFromHypervisorRangeIsRefused) {
    // Bytes at the edge of the range: the part outside must not be printed
    // either.
    FakeGuest h(0x2000, PV_HYPERVISOR_VIRT_END - 0x1000);
    std::memcpy(h.mem.at(PV_HYPERVISOR_VIRT_END - 3, 6), "leak!\n", 6);
    EXPECT_EQ(err(PV_EFAULT),
              h.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 6, PV_HYPERVISOR_VIRT_END - 3));
    EXPECT_EQ(2, h.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_write, 2, PV_HYPERVISOR_VIRT_END));
    EXPECT_TRUE(h.hooks.lines.empty());
    EXPECT_EQ(2u, h.domain.console_len) << "only the second write was taken";
}

TEST_F(Hypercall, ConsoleReadIsForDom0) {
    g.hooks.input = "typed";
    expect_refused(err(PV_EPERM), PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 16, buf, "unprivileged");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 16, 0x0000800000000000ull,
                   "the range check comes first");
    // SPEC.md: count 0 returns 0 at once, from any domain.
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 0, buf));
    EXPECT_EQ("typed", g.hooks.input) << "no input was consumed";
    EXPECT_EQ(0u, g.mem.writes);
}

TEST_F(Hypercall, ConsoleReadByDom0) {
    g.domain.privileged = true;
    g.mem.fill(0xee);
    g.hooks.input = "abcdef";
    EXPECT_EQ(4, g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 4, buf));
    EXPECT_EQ(0, std::memcmp(g.mem.at(buf, 4), "abcd", 4));
    EXPECT_EQ(0xee, *g.mem.at(buf + 4)) << "nothing past what was read";
    EXPECT_EQ(2, g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 16, buf));
    EXPECT_EQ(0, std::memcmp(g.mem.at(buf, 2), "ef", 2));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 16, buf)) << "no input: 0";
}

TEST_F(Hypercall, ConsoleReadFaults) {
    g.domain.privileged = true;
    g.hooks.input = "abc";
    g.mem.make_read_only(buf, 0x1000);
    EXPECT_EQ(err(PV_EFAULT), g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 3, buf));
    EXPECT_EQ(err(PV_EFAULT), g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_read, 3, PV_HYPERVISOR_VIRT_START));
    EXPECT_EQ(err(PV_E2BIG), g.hypercall(PV_HYPERCALL_console_io, PV_CONSOLEIO_read, PV_CONSOLEIO_MAX + 1, buf));
}

TEST_F(Hypercall, ConsoleUnknownCommand) {
    expect_refused(err(PV_ENOSYS), PV_HYPERCALL_console_io, 2, 4, buf, "cmd 2");
    expect_refused(err(PV_ENOSYS), PV_HYPERCALL_console_io, uint64_t{1} << 32, 4, buf, "cmd 2^32");
}

// --- set_trap_table --------------------------------------------------------

TEST_F(Hypercall, SetTrapTable) {
    g.vcpu.traps[3] = {0xffffffff80003333ull, 0};
    pv_trap_info t[] = {trap(14, handler_va + 14, PV_TRAP_MASK_EVENTS), trap(0, handler_va),
                        trap(13, handler_va + 13, PV_TRAP_USER_INT)};
    g.mem.put(buf, t);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_trap_table, buf, 3));
    EXPECT_EQ(handler_va + 14, g.vcpu.traps[14].address);
    EXPECT_EQ(PV_TRAP_MASK_EVENTS, g.vcpu.traps[14].flags);
    EXPECT_EQ(handler_va, g.vcpu.traps[0].address);
    EXPECT_EQ(handler_va + 13, g.vcpu.traps[13].address);
    EXPECT_EQ(PV_TRAP_USER_INT, g.vcpu.traps[13].flags);
    EXPECT_EQ(0xffffffff80003333ull, g.vcpu.traps[3].address) << "vectors not named are kept";
    EXPECT_EQ(0u, g.vcpu.traps[6].address);
}

TEST_F(Hypercall, SetTrapTableLaterEntriesWinAndZeroRemoves) {
    pv_trap_info t[] = {trap(6, handler_va), trap(6, handler_va + 6), trap(7, handler_va + 7)};
    g.mem.put(buf, t);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_trap_table, buf, 3));
    EXPECT_EQ(handler_va + 6, g.vcpu.traps[6].address);
    pv_trap_info remove[] = {trap(7, 0)};
    g.mem.put(buf, remove);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_trap_table, buf, 1));
    EXPECT_EQ(0u, g.vcpu.traps[7].address);
    EXPECT_EQ(handler_va + 6, g.vcpu.traps[6].address);
}

TEST_F(Hypercall, SetTrapTableEmptyClearsAll) {
    for (auto& t : g.vcpu.traps) t = {handler_va, PV_TRAP_MASK_EVENTS};
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_trap_table, 0x0000800000000000ull, 0)) << "the pointer is unused";
    for (const auto& t : g.vcpu.traps) {
        EXPECT_EQ(0u, t.address);
        EXPECT_EQ(0u, t.flags);
    }
}

TEST_F(Hypercall, SetTrapTableAcceptsEveryDelegableVector) {
    const uint8_t ok[] = {0, 1, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21};
    std::vector<pv_trap_info> t;
    for (uint8_t v : ok) t.push_back(trap(v, handler_va + v));
    std::memcpy(g.mem.at(buf, t.size() * sizeof t[0]), t.data(), t.size() * sizeof t[0]);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_trap_table, buf, t.size()));
    for (uint8_t v : ok) EXPECT_EQ(handler_va + v, g.vcpu.traps[v].address) << int{v};
}

TEST_F(Hypercall, SetTrapTableRefusals) {
    g.vcpu.traps[14] = {0xffffffff80001414ull, 0};
    auto with_bad_last = [&](pv_trap_info bad, const char* what) {
        // A valid entry first: a refusal must not have applied it.
        pv_trap_info t[] = {trap(14, handler_va), trap(0, handler_va), bad};
        g.mem.put(buf, t);
        expect_refused(err(PV_EINVAL), PV_HYPERCALL_set_trap_table, buf, 3, 0, what);
    };
    for (uint8_t v : std::initializer_list<uint8_t>{2, 8, 9, 15, 18, 22, 23, 28, 29, 30, 31, 32, 64, 255}) {
        std::string what = "vector " + std::to_string(v);
        with_bad_last(trap(v, handler_va), what.c_str());
    }
    for (uint8_t f : std::initializer_list<uint8_t>{4, 8, 0x80, 0xff}) with_bad_last(trap(3, handler_va, f), "unknown flags");
    pv_trap_info r1 = trap(3, handler_va);
    r1.reserved = 1;
    with_bad_last(r1, "reserved");
    pv_trap_info r2 = trap(3, handler_va);
    r2.reserved2 = 0x80000000u;
    with_bad_last(r2, "reserved2");
    for (uint64_t a : std::initializer_list<uint64_t>{0x0000800000000000ull, 0xffff7fffffffffffull, PV_HYPERVISOR_VIRT_START,
                       PV_HYPERVISOR_VIRT_END - 1})
        with_bad_last(trap(3, a), "address");
    EXPECT_EQ(0xffffffff80001414ull, g.vcpu.traps[14].address);
    EXPECT_EQ(0u, g.vcpu.traps[0].address);
}

TEST_F(Hypercall, SetTrapTableSizeAndFaults) {
    g.vcpu.traps[1] = {handler_va, 0};
    expect_refused(err(PV_E2BIG), PV_HYPERCALL_set_trap_table, buf, PV_TRAP_TABLE_MAX + 1, 0, "33 entries");
    expect_refused(err(PV_E2BIG), PV_HYPERCALL_set_trap_table, buf, uint64_t{1} << 60, 0, "2^60 entries");
    std::vector<pv_trap_info> full(PV_TRAP_TABLE_MAX, trap(3, handler_va));
    std::memcpy(g.mem.at(buf, full.size() * sizeof full[0]), full.data(), full.size() * sizeof full[0]);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_trap_table, buf, PV_TRAP_TABLE_MAX)) << "32 entries is the limit";

    g.mem.unmap(base + 0x3000, 0x1000);
    pv_trap_info t[] = {trap(4, handler_va), trap(5, handler_va)};
    g.mem.put(base + 0x2ff0, t[0]);
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_set_trap_table, base + 0x2ff0, 2, 0, "second entry unmapped");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_set_trap_table, 0x0000800000000000ull, 1, 0, "non-canonical");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_set_trap_table, 0xfffffffffffffff0ull, 2, 0, "wraps");

    FakeGuest h(0x2000, PV_HYPERVISOR_VIRT_START);
    h.mem.put(PV_HYPERVISOR_VIRT_START, trap(3, handler_va));
    EXPECT_EQ(err(PV_EFAULT), h.hypercall(PV_HYPERCALL_set_trap_table, PV_HYPERVISOR_VIRT_START, 1));
    EXPECT_EQ(0u, h.vcpu.traps[3].address);
}

// --- stack_switch ----------------------------------------------------------

TEST_F(Hypercall, StackSwitch) {
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_stack_switch, base + 0x8000));
    EXPECT_EQ(base + 0x8000, g.vcpu.kernel_sp);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_stack_switch, PV_HYPERVISOR_VIRT_END + 96));
    // Only the 96 bytes below are checked: the top itself is never touched.
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_stack_switch, 0x0000800000000000ull));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_stack_switch, 96));
}

TEST_F(Hypercall, StackSwitchRefusals) {
    g.vcpu.kernel_sp = base + 0x8000;
    for (uint64_t sp : std::initializer_list<uint64_t>{0ull, 8ull, 95ull, PV_HYPERVISOR_VIRT_END, PV_HYPERVISOR_VIRT_END + 0x10, PV_HYPERVISOR_VIRT_START,
                        PV_HYPERVISOR_VIRT_START + 0x1000, 0x0000800000001000ull, 0xffff7ffffffff000ull,
                        0x1234567812345678ull})
        expect_refused(err(PV_EINVAL), PV_HYPERCALL_stack_switch, sp, 0, 0, "kernel sp");
    EXPECT_EQ(base + 0x8000, g.vcpu.kernel_sp);
}

// --- set_segment_base ------------------------------------------------------

TEST_F(Hypercall, SetSegmentBase) {
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_segment_base, PV_SEGBASE_fs, 0x7f0000001000ull));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_segment_base, PV_SEGBASE_gs_user, 0x7f0000002000ull));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_segment_base, PV_SEGBASE_gs_kernel, 0xffffffff80003000ull));
    EXPECT_EQ(0x7f0000001000ull, g.vcpu.fs_base);
    EXPECT_EQ(0x7f0000002000ull, g.vcpu.gs_base_user);
    EXPECT_EQ(0xffffffff80003000ull, g.vcpu.gs_base_kernel);
    ASSERT_EQ(3u, g.hooks.segment_changes.size());
    EXPECT_EQ(&g.vcpu, g.hooks.segment_changes[0]);
    for (uint64_t b : std::initializer_list<uint64_t>{0ull, 0x00007fffffffffffull, 0xffff800000000000ull, ~0ull})
        EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_set_segment_base, PV_SEGBASE_fs, b)) << std::hex << b;
}

TEST_F(Hypercall, SetSegmentBaseRefusals) {
    for (uint64_t b : std::initializer_list<uint64_t>{0x0000800000000000ull, 0x8000000000000000ull, 0xffff7fffffffffffull})
        for (uint64_t which : std::initializer_list<uint64_t>{uint64_t{PV_SEGBASE_fs}, uint64_t{PV_SEGBASE_gs_user}, uint64_t{PV_SEGBASE_gs_kernel}})
            expect_refused(err(PV_EINVAL), PV_HYPERCALL_set_segment_base, which, b, 0, "non-canonical base");
    for (uint64_t which : std::initializer_list<uint64_t>{3ull, 0x100ull, ~0ull})
        expect_refused(err(PV_EINVAL), PV_HYPERCALL_set_segment_base, which, 0x1000, 0, "unknown segment");
}

// --- callback_op -----------------------------------------------------------

namespace {

pv_callback callback(uint32_t type, uint64_t address, uint32_t flags = 0) {
    pv_callback c{};
    c.type = type;
    c.flags = flags;
    c.address = address;
    return c;
}

}  // namespace

TEST_F(Hypercall, CallbackRegisterAndUnregister) {
    g.mem.put(buf, callback(PV_CALLBACK_SYSCALL, handler_va, PV_CALLBACK_MASK_EVENTS));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_callback_op, PV_CALLBACKOP_register, buf));
    EXPECT_EQ(handler_va, g.vcpu.callbacks[PV_CALLBACK_SYSCALL].address);
    EXPECT_EQ(PV_CALLBACK_MASK_EVENTS, g.vcpu.callbacks[PV_CALLBACK_SYSCALL].flags);
    for (uint32_t type : std::initializer_list<uint32_t>{PV_CALLBACK_EVENT, PV_CALLBACK_FAILSAFE}) {
        g.mem.put(buf, callback(type, handler_va + type));
        EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_callback_op, PV_CALLBACKOP_register, buf));
        EXPECT_EQ(handler_va + type, g.vcpu.callbacks[type].address);
    }
    // Unregistering ignores the address.
    g.mem.put(buf, callback(PV_CALLBACK_SYSCALL, 0));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_callback_op, PV_CALLBACKOP_unregister, buf));
    EXPECT_EQ(0u, g.vcpu.callbacks[PV_CALLBACK_SYSCALL].address);
    EXPECT_EQ(0u, g.vcpu.callbacks[PV_CALLBACK_SYSCALL].flags);
    EXPECT_NE(0u, g.vcpu.callbacks[PV_CALLBACK_EVENT].address);
}

TEST_F(Hypercall, CallbackRefusals) {
    g.vcpu.callbacks[PV_CALLBACK_SYSCALL] = {0xffffffff80001111ull, 0};
    auto refused = [&](uint64_t cmd, pv_callback c, int e, const char* what) {
        g.mem.put(buf, c);
        expect_refused(err(e), PV_HYPERCALL_callback_op, cmd, buf, 0, what);
    };
    for (uint64_t cmd : std::initializer_list<uint64_t>{uint64_t{PV_CALLBACKOP_register}, uint64_t{PV_CALLBACKOP_unregister}}) {
        refused(cmd, callback(PV_CALLBACK_MAX, handler_va), PV_EINVAL, "type");
        refused(cmd, callback(0xffffffffu, handler_va), PV_EINVAL, "type");
        refused(cmd, callback(PV_CALLBACK_SYSCALL, handler_va, 2), PV_EINVAL, "flags");
        refused(cmd, callback(PV_CALLBACK_SYSCALL, handler_va, 0x80000000u), PV_EINVAL, "flags");
    }
    refused(PV_CALLBACKOP_register, callback(PV_CALLBACK_SYSCALL, 0), PV_EINVAL, "zero address");
    for (uint64_t a : std::initializer_list<uint64_t>{0x0000800000000000ull, PV_HYPERVISOR_VIRT_START, PV_HYPERVISOR_VIRT_END - 1})
        refused(PV_CALLBACKOP_register, callback(PV_CALLBACK_SYSCALL, a), PV_EINVAL, "address");
    refused(2, callback(PV_CALLBACK_SYSCALL, handler_va), PV_ENOSYS, "command");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_callback_op, PV_CALLBACKOP_register, 0x1000, 0, "unmapped");
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_callback_op, PV_CALLBACKOP_unregister, 0x0000800000000000ull, 0,
                   "non-canonical");
    g.mem.unmap(base + 0x3000, 0x1000);
    expect_refused(err(PV_EFAULT), PV_HYPERCALL_callback_op, PV_CALLBACKOP_register, base + 0x2ff8, 0, "straddles");
    EXPECT_EQ(0xffffffff80001111ull, g.vcpu.callbacks[PV_CALLBACK_SYSCALL].address);
}

// --- version ---------------------------------------------------------------

TEST_F(Hypercall, Version) {
    EXPECT_EQ(PVISOR_ABI_VERSION, g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_version, 0x0000800000000000ull));
    EXPECT_EQ(PV_FEATURE_HYPERCALL_PAGE | PV_FEATURE_SPLIT_ROOTS, g.hypercall(PV_HYPERCALL_version,
                                                                             PV_VERSIONOP_features));
    expect_refused(err(PV_ENOSYS), PV_HYPERCALL_version, 3, buf, 0, "command");
}

TEST_F(Hypercall, VersionBuildString) {
    g.mem.fill(0xee);
    const std::string& s = g.hooks.build;
    EXPECT_EQ(static_cast<int64_t>(s.size()), g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, buf));
    EXPECT_EQ(s, reinterpret_cast<const char*>(g.mem.at(buf, s.size() + 1)));
    EXPECT_EQ(0xee, *g.mem.at(buf + s.size() + 1));

    g.hooks.build = std::string(100, 'L');
    EXPECT_EQ(PV_VERSION_BUILD_MAX - 1, g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, buf));
    EXPECT_EQ(std::string(PV_VERSION_BUILD_MAX - 1, 'L'), reinterpret_cast<const char*>(g.mem.at(buf)));
    EXPECT_EQ(0xee, *g.mem.at(buf + PV_VERSION_BUILD_MAX)) << "at most PV_VERSION_BUILD_MAX bytes";

    // At the limit: 63 characters fit with their NUL, 64 do not.
    g.mem.fill(0xee);
    g.hooks.build = std::string(PV_VERSION_BUILD_MAX - 1, 'x');
    EXPECT_EQ(PV_VERSION_BUILD_MAX - 1, g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, buf));
    EXPECT_EQ(g.hooks.build, reinterpret_cast<const char*>(g.mem.at(buf)));
    g.hooks.build = std::string(PV_VERSION_BUILD_MAX, 'y');
    EXPECT_EQ(PV_VERSION_BUILD_MAX - 1, g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, buf));
    EXPECT_EQ(std::string(PV_VERSION_BUILD_MAX - 1, 'y'), reinterpret_cast<const char*>(g.mem.at(buf)));
    EXPECT_EQ(0xee, *g.mem.at(buf + PV_VERSION_BUILD_MAX));

    g.hooks.build = "";
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, buf));
    EXPECT_EQ(0, *g.mem.at(buf));
}

TEST_F(Hypercall, VersionBuildStringFaults) {
    g.mem.make_read_only(base + 0x2000, 0x1000);
    EXPECT_EQ(err(PV_EFAULT), g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, base + 0x2000));
    EXPECT_EQ(err(PV_EFAULT), g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, base + 0x1ffc)) << "straddles";
    EXPECT_EQ(err(PV_EFAULT), g.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, 0));
    FakeGuest h(0x2000, PV_HYPERVISOR_VIRT_END - 0x1000);
    EXPECT_EQ(err(PV_EFAULT), h.hypercall(PV_HYPERCALL_version, PV_VERSIONOP_build, PV_HYPERVISOR_VIRT_END - 8));
    EXPECT_EQ(0u, *h.mem.at(PV_HYPERVISOR_VIRT_END - 8));
}

// --- sched_op --------------------------------------------------------------

TEST_F(Hypercall, SchedYield) {
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_sched_op, PV_SCHEDOP_yield));
    EXPECT_EQ(1u, g.hooks.yields);
    EXPECT_EQ(0u, g.hooks.blocks);
}

TEST_F(Hypercall, SchedBlockUnmasksEvents) {
    g.shared.vcpu[0].upcall_mask = 1;
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_sched_op, PV_SCHEDOP_block));
    EXPECT_EQ(1u, g.hooks.blocks);
    EXPECT_EQ(0u, g.shared.vcpu[0].upcall_mask);
}

TEST_F(Hypercall, SchedBlockReturnsAtOnceWhenAnEventIsPending) {
    g.shared.vcpu[0].upcall_mask = 1;
    g.shared.vcpu[0].upcall_pending = 1;
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_sched_op, PV_SCHEDOP_block));
    EXPECT_EQ(0u, g.hooks.blocks);
    EXPECT_EQ(0u, g.shared.vcpu[0].upcall_mask);
    EXPECT_EQ(1u, g.shared.vcpu[0].upcall_pending) << "the guest clears it, not the hypervisor";
}

TEST_F(Hypercall, SchedShutdownReasons) {
    for (uint32_t reason : std::initializer_list<uint32_t>{PV_SHUTDOWN_poweroff, PV_SHUTDOWN_reboot, PV_SHUTDOWN_crash}) {
        FakeGuest f;
        EXPECT_EQ(0, f.hypercall(PV_HYPERCALL_sched_op, PV_SCHEDOP_shutdown, reason));
        EXPECT_EQ(DomainState::shut_down, f.domain.state);
        EXPECT_EQ(reason, f.domain.shutdown_reason);
        ASSERT_EQ(1u, f.hooks.ended.size());
        EXPECT_EQ(&f.domain, f.hooks.ended[0]);
    }
}

TEST_F(Hypercall, SchedShutdownRefusals) {
    for (uint64_t reason : std::initializer_list<uint64_t>{3ull, 0x100000000ull, ~0ull})
        expect_refused(err(PV_EINVAL), PV_HYPERCALL_sched_op, PV_SCHEDOP_shutdown, reason, 0, "reason");
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_sched_op, PV_SCHEDOP_shutdown, PV_SHUTDOWN_reboot));
    expect_refused(err(PV_EALREADY), PV_HYPERCALL_sched_op, PV_SCHEDOP_shutdown, PV_SHUTDOWN_poweroff, 0, "twice");
    EXPECT_EQ(PV_SHUTDOWN_reboot, g.domain.shutdown_reason);

    FakeGuest crashed;
    crashed.domain.crash("test");
    EXPECT_EQ(err(PV_EALREADY), crashed.hypercall(PV_HYPERCALL_sched_op, PV_SCHEDOP_shutdown, PV_SHUTDOWN_poweroff));
    EXPECT_EQ(DomainState::crashed, crashed.domain.state);
    EXPECT_TRUE(crashed.hooks.ended.empty());
}

TEST_F(Hypercall, SchedUnknownCommand) {
    for (uint64_t cmd : std::initializer_list<uint64_t>{uint64_t{PV_SCHEDOP_poll} + 1, 0x100000000ull, ~0ull})
        expect_refused(err(PV_ENOSYS), PV_HYPERCALL_sched_op, cmd, 0, 0, "command");
}

// --- iret --------------------------------------------------------------------

namespace {

constexpr uint64_t frame_va = base + 0x6000;

pv_frame iret_frame() {
    pv_frame f{};
    f.rax = 0x1234;
    f.rcx = 0x5678;
    f.r11 = 0x9abc;
    f.rip = 0xffffffff80401000ull;
    f.rflags = core::rflags::if_ | core::rflags::reserved1;
    f.rsp = base + 0x9000;
    return f;
}

}  // namespace

TEST_F(Hypercall, IretReplacesTheRegisters) {
    g.mem.put(frame_va, iret_frame());
    g.regs.rsp = frame_va;
    EXPECT_EQ(0x1234, g.hypercall(PV_HYPERCALL_iret)) << "rax comes from the frame, not the result";
    EXPECT_TRUE(g.regs_replaced);
    EXPECT_EQ(nullptr, g.crash_reason);
    EXPECT_EQ(0xffffffff80401000ull, g.regs.rip);
    EXPECT_EQ(base + 0x9000, g.regs.rsp);
    EXPECT_EQ(0x5678u, g.regs.rcx);
}

TEST_F(Hypercall, IretUnreadableFrameCrashes) {
    g.vcpu.callbacks[PV_CALLBACK_FAILSAFE] = {handler_va, 0};
    g.regs.rsp = 0x1000;
    (void)g.hypercall(PV_HYPERCALL_iret);
    EXPECT_TRUE(g.regs_replaced);
    ASSERT_NE(nullptr, g.crash_reason);
    EXPECT_NE(std::string(g.crash_reason).find("not readable"), std::string::npos) << g.crash_reason;
    EXPECT_EQ(0x1000u, g.regs.rsp) << "no failsafe for a frame that cannot be read";
    EXPECT_EQ(0u, g.mem.writes);
}

TEST_F(Hypercall, IretInvalidFrameGoesToFailsafe) {
    g.vcpu.callbacks[PV_CALLBACK_FAILSAFE] = {handler_va, 0};
    g.shared.vcpu[0].upcall_mask = 0;
    pv_frame f = iret_frame();
    f.rip = 0x0000800000000000ull;
    g.mem.put(frame_va, f);
    g.regs.rsp = frame_va;
    uint64_t rip = g.regs.rip;
    EXPECT_EQ(static_cast<int64_t>(PV_HYPERCALL_iret), g.hypercall(PV_HYPERCALL_iret)) << "rax left alone";
    EXPECT_EQ(nullptr, g.crash_reason);
    EXPECT_EQ(handler_va, g.regs.rip);
    EXPECT_EQ(frame_va - sizeof(pv_frame), g.regs.rsp) << "just below the refused frame";
    pv_frame fs = g.mem.get<pv_frame>(g.regs.rsp);
    EXPECT_EQ(PV_VECTOR_FAILSAFE, fs.vector);
    EXPECT_EQ(PV_FRAME_ERROR_CODE, fs.flags);
    EXPECT_EQ(frame_va, fs.error_code);
    EXPECT_EQ(rip, fs.rip);
    EXPECT_EQ(frame_va, fs.rsp);
    EXPECT_EQ(0x0000800000000000ull, g.mem.get<pv_frame>(frame_va).rip) << "the refused frame is left for the guest";
}

TEST_F(Hypercall, IretInvalidFrameWithoutFailsafeCrashes) {
    pv_frame f = iret_frame();
    f.flags = 1u << 7;
    g.mem.put(frame_va, f);
    g.regs.rsp = frame_va;
    auto regs_before = g.regs;
    (void)g.hypercall(PV_HYPERCALL_iret);
    ASSERT_NE(nullptr, g.crash_reason);
    EXPECT_EQ(regs_before.rip, g.regs.rip);
    EXPECT_EQ(regs_before.rsp, g.regs.rsp);

    // A failsafe callback whose stack cannot take the frame crashes too.
    FakeGuest h;
    h.vcpu.callbacks[PV_CALLBACK_FAILSAFE] = {handler_va, 0};
    h.mem.put(base + 0x1000, f);
    h.mem.make_read_only(base, 0x1000);
    h.regs.rsp = base + 0x1000;
    (void)h.hypercall(PV_HYPERCALL_iret);
    EXPECT_NE(nullptr, h.crash_reason);
}

// --- hypercall_entry -------------------------------------------------------

TEST_F(Hypercall, EntryDispatchesForTheVcpusDomain) {
    g.regs.rax = PV_HYPERCALL_version;
    g.regs.rdi = PV_VERSIONOP_version;
    core::hypercall_entry(g.vcpu, g.regs, g.mem, g.hooks);
    EXPECT_EQ(PVISOR_ABI_VERSION, g.regs.rax);
    EXPECT_EQ(1u, g.vcpu.hypercalls);
}

TEST_F(Hypercall, EntryCrashesTheDomainWhenACallDemandsIt) {
    g.regs.rax = PV_HYPERCALL_iret;
    g.regs.rsp = 0x1000;  // unreadable
    try {
        core::hypercall_entry(g.vcpu, g.regs, g.mem, g.hooks);
        ADD_FAILURE() << "crash_current was not called";
    } catch (const fake::Crashed& c) {
        EXPECT_NE(std::string::npos, c.why.find("iret")) << c.why;
    }
    // Refusals with an error code do not crash.
    g.regs.rax = PV_HYPERCALL_stack_switch;
    g.regs.rdi = 0;
    EXPECT_NO_THROW(core::hypercall_entry(g.vcpu, g.regs, g.mem, g.hooks));
    EXPECT_EQ(static_cast<uint64_t>(err(PV_EINVAL)), g.regs.rax);
}
