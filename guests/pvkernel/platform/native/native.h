// The native platform's internal interfaces, one line per file.
#pragma once

#include <stdint.h>

#include "pvk/layout.h"
#include "pvk/user_context.h"

namespace pvk::native {

void serial_init();                                // serial.cpp
void serial_write(const char* s, uint64_t n);
bool serial_try_getc(char* out);

void gdt_init(uint64_t entry_stack_top, uint64_t df_stack_top);  // gdt.cpp
void idt_init();                                    // idt.cpp
void idt_set_gate(uint8_t vector, void (*handler)(), unsigned dpl);  // a vector beyond the exceptions
void pic_disable();                                 // pic.cpp
uint64_t pit_calibrate_tsc_hz();                    // pit.cpp
void paging_init();                                 // paging.cpp
uint64_t user_region_va();
uint64_t user_region_size();
uint64_t boot_root_phys();
void copy_kernel_slots(uint64_t* pml4);             // the kernel's entries, for a process root
void syscall_init();                                // syscall_setup.cpp
void acpi_init();                                   // acpi.cpp
void acpi_power_off();

// The kernel maps the first GiB of physical memory at PVK_KERNEL_OFFSET.
constexpr uint64_t low_phys_limit = 1ull << 30;
template <typename T>
T* phys_to_virt(uint64_t pa) {
    // SAFETY: callers pass pa < low_phys_limit, which paging_init maps.
    return reinterpret_cast<T*>(pa + PVK_KERNEL_OFFSET);
}
// For addresses inside the kernel image (and so inside the first GiB).
inline uint64_t virt_to_phys(const void* va) { return reinterpret_cast<uint64_t>(va) - PVK_KERNEL_OFFSET; }

}  // namespace pvk::native

// boot.S, traps.S, user_mode.S
extern "C" char pvk_native_entry_stack_top[];
extern "C" char pvk_native_df_stack_top[];
extern "C" const uint64_t pvk_native_trap_stubs[32];
extern "C" void pvk_native_syscall_entry();
extern "C" void pvk_native_enter_user(pvk::UserContext* ctx);

namespace pvk::platform {
// Starts the uptime clock with the calibrated TSC frequency (platform.cpp).
void note_boot_tsc(uint64_t tsc_hz);
}  // namespace pvk::platform
