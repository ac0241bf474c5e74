// The timer: the PIT (8254) measures the TSC frequency once at boot, as
// Linux's pit_calibrate_tsc does; uptime is then the TSC scaled.
#include "native.h"
#include "pvk/cpu.h"
#include "x86.h"

namespace pvk::native {

uint64_t pit_calibrate_tsc_hz() {
    constexpr uint64_t pit_hz = 1193182;
    constexpr uint16_t ticks = 11932;  // 10 ms
    // Port 0x61 (PC/AT system control): bit 0 gates PIT channel 2, bit 1
    // drives the speaker (off), bit 5 reads channel 2's output.
    outb(0x61, static_cast<uint8_t>((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xb0);  // channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count)
    outb(0x42, ticks & 0xff);
    outb(0x42, ticks >> 8);
    uint64_t start = pvk_cycles();
    // Bounded: a machine without a PIT must not hang the boot.
    for (uint64_t spins = 0; (inb(0x61) & 0x20) == 0; ++spins)
        if (spins > 100000000) return 0;
    uint64_t cycles = pvk_cycles() - start;
    return cycles * pit_hz / ticks;
}

}  // namespace pvk::native
