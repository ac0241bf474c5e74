// The platform interface (pvk/platform.h) on the bare machine.
#include "pvk/platform.h"

#include "native.h"
#include "pvk/fault.h"
#include "x86.h"

namespace pvk::platform {
namespace {

// uptime: ns = ((tsc - boot) * mul) >> 32, the same form as pvisor's
// time parameters.
constinit uint64_t g_boot_tsc = 0;
constinit uint64_t g_tsc_to_ns_mul = 0;

}  // namespace

void note_boot_tsc(uint64_t tsc_hz) {
    g_boot_tsc = pvk_cycles();
    // 10^9 * 2^32 fits in 64 bits (4.3e18).
    g_tsc_to_ns_mul = tsc_hz != 0 ? (uint64_t{1000000000} << 32) / tsc_hz : 0;
}

void console_write(const char* s, size_t n) { native::serial_write(s, n); }

size_t console_read(char* buf, size_t n) {
    size_t got = 0;
    while (got < n && native::serial_try_getc(&buf[got])) ++got;
    return got;
}

void shutdown(ShutdownReason reason) {
    // Port 0xf4 is QEMU's isa-debug-exit when present (QEMU then exits
    // with (value << 1) | 1): 0x10 -> 33 for poweroff, as pvisor reports a
    // clean shutdown, 0x1f -> 63 for a crash. Elsewhere the write goes
    // nowhere and we go on.
    if (reason == ShutdownReason::reboot) {
        native::outb(0x64, 0xfe);  // 8042 keyboard controller: pulse reset
    } else {
        native::outb(0xf4, reason == ShutdownReason::poweroff ? 0x10 : 0x1f);
        native::acpi_power_off();
    }
    native::halt_forever();
}

void yield() {
    // One CPU, one program: nothing else to run.
}

bool domain_ended(uint32_t) { return true; }

uint64_t uptime_ns() {
    uint64_t delta = pvk_cycles() - g_boot_tsc;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * g_tsc_to_ns_mul) >> 32);
}

ExitReason run_user(UserContext& ctx) {
    pvk_native_enter_user(&ctx);
    return exit_reason_of(ctx);
}

void set_user_fs_base(uint64_t base) { native::wrmsr(x86::msr::fs_base, base); }

// Natively there is no layer below the kernel to call.
void bench_null_call(uint64_t) {}
void bench_pte(PteBench, uint64_t) {}

uint64_t last_fault_address() { return native::read_cr2(); }

}  // namespace pvk::platform
