#include "tsc.h"

#include "core/time_scale.h"
#include "cpu.h"
#include "io.h"

namespace arch {
namespace {

uint64_t g_tsc_hz = 0;

// The 8254 PIT counts at 1.193182 MHz. Channel 2's gate and output are
// wired to port 0x61 bits 0 and 5, so it can be polled without interrupts.
constexpr uint64_t pit_hz = 1193182;
constexpr uint16_t pit_ch2 = 0x42, pit_cmd = 0x43, port_b = 0x61;

}  // namespace

uint64_t tsc_detail::g_boot = 0;
core::TimeScale tsc_detail::g_scale{};
core::TickScale tsc_detail::g_tick_scale{};

using tsc_detail::g_scale;

uint64_t tsc_calibrate() {
    constexpr uint64_t interval_hz = 100;  // 10 ms
    constexpr uint64_t count = pit_hz / interval_hz;

    uint8_t b = inb(port_b);
    outb(port_b, static_cast<uint8_t>((b & ~0x02) | 0x01));  // gate on, speaker off
    outb(pit_cmd, 0xb0);                                     // ch 2, lo/hi byte, mode 0
    outb(pit_ch2, static_cast<uint8_t>(count & 0xff));
    uint64_t start = rdtsc();
    outb(pit_ch2, static_cast<uint8_t>(count >> 8));         // counting starts here
    while ((inb(port_b) & 0x20) == 0) {
    }
    uint64_t end = rdtsc();
    outb(port_b, b);
    g_tsc_hz = (end - start) * interval_hz;
    tsc_detail::g_boot = start;
    g_scale = core::tsc_scale(g_tsc_hz);
    tsc_detail::g_tick_scale = core::tick_scale(g_scale);
    return g_tsc_hz;
}

uint64_t tsc_hz() { return g_tsc_hz; }
uint64_t tsc_boot() { return tsc_detail::g_boot; }

void publish_vcpu_time(pv_vcpu_time_info& t) {
    // System time zero is the calibration start; the guest extrapolates
    // from here with the TSC, which is invariant on the CPUs we run on.
    core::publish_time(t, tsc_detail::g_boot, 0, g_scale);
}

}  // namespace arch
