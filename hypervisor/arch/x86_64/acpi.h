// Just enough ACPI to power the machine off: find the FADT for the PM1
// control ports and the DSDT's \_S5 package for the sleep type.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch {

// rsdp_copy: the RSDP bytes if the boot loader handed them over
// (multiboot2 tags 14/15), else nullptr and the BIOS areas are searched.
void acpi_init(const void* rsdp_copy, size_t size);
bool acpi_can_power_off();
// Enters S5. Returns only if that failed.
void acpi_power_off();

}  // namespace arch
