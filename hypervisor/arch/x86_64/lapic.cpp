#include "lapic.h"

#include "core/log.h"
#include "cpu.h"
#include "cpu_info.h"
#include "irq.h"
#include "paging.h"
#include "tsc.h"

namespace arch {
namespace {

// Register offsets: Intel SDM Vol. 3A, 11.4.1 (Table 11-1).
constexpr uint32_t reg_eoi = 0xb0, reg_svr = 0xf0, reg_tpr = 0x80, reg_lvt_timer = 0x320, reg_init_count = 0x380,
                   reg_cur_count = 0x390, reg_divide = 0x3e0;
constexpr uint32_t lvt_masked = 1u << 16;
constexpr uint32_t svr_enable = 1u << 8;
constexpr uint32_t divide_by_16 = 0x3;
constexpr uint32_t ia32_apic_base = 0x1b;

volatile uint32_t* g_regs = nullptr;
uint64_t g_hz = 0;
uint64_t g_armed = UINT64_MAX;    // the deadline the timer counts down to (0: not exact)

uint32_t read(uint32_t reg) { return g_regs[reg / 4]; }
void write(uint32_t reg, uint32_t v) { g_regs[reg / 4] = v; }

}  // namespace

uint64_t lapic_detail::g_fires_at = UINT64_MAX;
using lapic_detail::g_fires_at;

bool lapic_init() {
    if (!cpu_info().apic) return false;
    uint64_t base = rdmsr(ia32_apic_base);
    wrmsr(ia32_apic_base, base | (1u << 11));  // global enable (xAPIC mode)
    g_regs = static_cast<volatile uint32_t*>(mmio_map(base & ~uint64_t{0xfff}, 0x1000));
    if (g_regs == nullptr) return false;
    write(reg_svr, svr_enable | vector_spurious);
    write(reg_tpr, 0);
    write(reg_divide, divide_by_16);
    // Count down from the top for 10 ms of TSC and see how far it got.
    write(reg_lvt_timer, lvt_masked | vector_lapic_timer);
    write(reg_init_count, 0xffffffff);
    uint64_t start = rdtsc(), ticks = tsc_hz() / 100;
    while (rdtsc() - start < ticks) {
    }
    uint32_t left = read(reg_cur_count);
    write(reg_init_count, 0);
    g_hz = uint64_t{0xffffffff - left} * 100;
    write(reg_lvt_timer, vector_lapic_timer);  // one-shot, unmasked; armed by lapic_arm
    return g_hz != 0;
}

bool lapic_present() { return g_hz != 0; }
uint64_t lapic_timer_hz() { return g_hz; }

void lapic_arm(uint64_t deadline_ns) { lapic_arm_at(deadline_ns, system_time_ns()); }

void lapic_arm_at(uint64_t deadline_ns, uint64_t now) {
    if (g_hz == 0) return;
    // Re-arming for the deadline already armed changes nothing but costs an
    // MMIO write; the scheduler does it on every switch.
    if (deadline_ns == g_armed && deadline_ns > now) return;
    if (deadline_ns == UINT64_MAX) {
        g_armed = g_fires_at = UINT64_MAX;
        write(reg_init_count, 0);
        return;
    }
    uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
    // At most 4 s ahead, so delta * hz fits 64 bits for any timer up to
    // 4 GHz; a later deadline gets an early interrupt that simply re-arms.
    // Only a deadline armed exactly is remembered: after an early
    // interrupt the same deadline must be armed again.
    constexpr uint64_t max_delta = 4'000'000'000;
    bool exact = delta <= max_delta;
    if (!exact) delta = max_delta;
    uint64_t ticks = delta * g_hz / 1'000'000'000;
    if (ticks > 0xffffffffu) {
        ticks = 0xffffffffu;
        exact = false;
    }
    g_armed = exact ? deadline_ns : 0;
    // The count rounds down, so the interrupt comes at or before this.
    g_fires_at = now + delta;
    write(reg_init_count, static_cast<uint32_t>(ticks == 0 ? 1 : ticks));
}

void lapic_eoi() {
    if (g_regs != nullptr) write(reg_eoi, 0);
}

}  // namespace arch
