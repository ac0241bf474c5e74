// Domains the hypervisor builds itself at boot, one per multiboot module:
// module 0 is dom0 (privileged), the others are ordinary domains. Later
// dom0 builds every other domain through the same core builder.
#pragma once

#include "core/boot_info.h"
#include "core/domain.h"

namespace arch {

// Builds and unpauses a domain per module; returns how many it built.
// A module that cannot be built is reported and skipped.
size_t create_boot_domains(const core::BootInfo& boot);

// Gives an ended domain's memory back.
void domain_memory_release(core::Domain& d);

}  // namespace arch
