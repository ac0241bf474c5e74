// The 16550 UART on COM1: the hypervisor's console.
#pragma once

namespace arch {

void serial_init();
void serial_write(const char* s);  // converts "\n" to "\r\n"
void serial_putc(char c);
bool serial_try_getc(char* out);
bool serial_has_input();

}  // namespace arch
