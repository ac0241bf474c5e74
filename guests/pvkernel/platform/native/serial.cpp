// The console: COM1, a 16550 UART, polled.
#include "native.h"
#include "x86.h"

namespace pvk::native {
namespace {

constexpr uint16_t com1 = 0x3f8;
// 16550 registers (offsets from the base port).
constexpr uint16_t reg_data = 0, reg_ier = 1, reg_fcr = 2, reg_lcr = 3, reg_mcr = 4, reg_lsr = 5;
constexpr uint8_t lsr_data_ready = 0x01, lsr_thr_empty = 0x20;

void putc(char c) {
    while ((inb(com1 + reg_lsr) & lsr_thr_empty) == 0) {
    }
    outb(com1 + reg_data, static_cast<uint8_t>(c));
}

}  // namespace

void serial_init() {
    outb(com1 + reg_ier, 0x00);   // no interrupts
    outb(com1 + reg_lcr, 0x80);   // DLAB: set the divisor
    outb(com1 + reg_data, 0x01);  // 115200 baud
    outb(com1 + reg_ier, 0x00);
    outb(com1 + reg_lcr, 0x03);   // 8N1
    outb(com1 + reg_fcr, 0xc7);   // FIFO on, cleared, 14-byte threshold
    outb(com1 + reg_mcr, 0x03);   // DTR, RTS
}

void serial_write(const char* s, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        if (s[i] == '\n') putc('\r');
        putc(s[i]);
    }
}

bool serial_try_getc(char* out) {
    if ((inb(com1 + reg_lsr) & lsr_data_ready) == 0) return false;
    *out = static_cast<char>(inb(com1 + reg_data));
    return true;
}

}  // namespace pvk::native
