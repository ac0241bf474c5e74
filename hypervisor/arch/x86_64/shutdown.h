// Stopping the machine with a status that tests can read.
#pragma once

#include "core/exit_status.h"

namespace arch {

// Tries, in order: QEMU's isa-debug-exit port (tests), ACPI S5 power-off,
// and finally halts with interrupts off.
[[noreturn]] void machine_stop(core::ExitStatus status);

}  // namespace arch
