#include "rtc.h"

#include "core/calendar.h"
#include "io.h"
#include "tsc.h"

namespace arch {
namespace {

// MC146818 registers (ports 0x70/0x71): seconds 0x00, minutes 0x02,
// hours 0x04, day 0x07, month 0x08, year 0x09, century 0x32 (ACPI FADT's
// usual choice), status A 0x0a (bit 7: update in progress), status B 0x0b
// (bit 2: binary, bit 1: 24-hour).
uint8_t cmos(uint8_t reg) {
    outb(0x70, reg);
    return inb(0x71);
}

uint32_t from_bcd(uint8_t v, bool binary) { return binary ? v : (v >> 4) * 10u + (v & 0xfu); }

uint64_t g_sec = 0;
uint32_t g_nsec = 0;

struct Raw {
    uint8_t s, m, h, d, mo, y, c;
    bool operator==(const Raw&) const = default;
};

Raw read_raw() {
    while ((cmos(0x0a) & 0x80) != 0) {
    }
    return {cmos(0x00), cmos(0x02), cmos(0x04), cmos(0x07), cmos(0x08), cmos(0x09), cmos(0x32)};
}

}  // namespace

bool rtc_init() {
    // Read until two reads agree, so an update between fields cannot tear.
    Raw a = read_raw(), b = read_raw();
    for (int i = 0; i < 5 && !(a == b); ++i) {
        a = b;
        b = read_raw();
    }
    uint8_t status_b = cmos(0x0b);
    bool binary = (status_b & 0x04) != 0, h24 = (status_b & 0x02) != 0;
    uint32_t hour = from_bcd(b.h & 0x7f, binary);
    if (!h24 && (b.h & 0x80) != 0) hour = (hour % 12) + 12;
    uint32_t century = from_bcd(b.c, binary);
    if (century < 19 || century > 99) century = 20;
    core::CivilTime t{century * 100 + from_bcd(b.y, binary), from_bcd(b.mo, binary), from_bcd(b.d, binary), hour,
                      from_bcd(b.m, binary), from_bcd(b.s, binary)};
    int64_t now = core::unix_seconds(t);
    if (now < 0) return false;
    // The RTC counts whole seconds; system time zero was system_time_ns()
    // ago, so subtract it to get the wall clock at zero.
    uint64_t ns_since_zero = system_time_ns();
    uint64_t at_zero_ns = static_cast<uint64_t>(now) * 1'000'000'000 - ns_since_zero;
    g_sec = at_zero_ns / 1'000'000'000;
    g_nsec = static_cast<uint32_t>(at_zero_ns % 1'000'000'000);
    return true;
}

void wallclock_at_zero(uint64_t* sec, uint32_t* nsec) {
    *sec = g_sec;
    *nsec = g_nsec;
}

}  // namespace arch
