#include "serial.h"

#include "io.h"

namespace arch {
namespace {

constexpr uint16_t com1 = 0x3f8;
// 16550 registers (offsets from the base port).
constexpr uint16_t reg_data = 0, reg_ier = 1, reg_fcr = 2, reg_lcr = 3, reg_mcr = 4, reg_lsr = 5;
constexpr uint8_t lsr_data_ready = 0x01, lsr_thr_empty = 0x20;

}  // namespace

void serial_init() {
    outb(com1 + reg_ier, 0x00);  // no interrupts
    outb(com1 + reg_lcr, 0x80);  // DLAB: set the divisor
    outb(com1 + reg_data, 0x01); // 115200 baud
    outb(com1 + reg_ier, 0x00);
    outb(com1 + reg_lcr, 0x03);  // 8N1
    outb(com1 + reg_fcr, 0xc7);  // FIFO on, cleared, 14-byte threshold
    outb(com1 + reg_mcr, 0x03);  // DTR, RTS
}

void serial_putc(char c) {
    while ((inb(com1 + reg_lsr) & lsr_thr_empty) == 0) {
    }
    outb(com1 + reg_data, static_cast<uint8_t>(c));
}

void serial_write(const char* s) {
    for (; *s != '\0'; ++s) {
        if (*s == '\n') serial_putc('\r');
        serial_putc(*s);
    }
}

bool serial_has_input() { return (inb(com1 + reg_lsr) & lsr_data_ready) != 0; }

bool serial_try_getc(char* out) {
    if ((inb(com1 + reg_lsr) & lsr_data_ready) == 0) return false;
    *out = static_cast<char>(inb(com1 + reg_data));
    return true;
}

}  // namespace arch
