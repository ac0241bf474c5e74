// What the hypervisor reads from a boot module's string to build a domain
// from it: "<path> [name=NAME] [mem=SIZE] [user=SIZE] [vcpus=N] [weight=N]
// [cap=PERCENT] [evtchn_ports=N] [anything else]".
// The whole string after the path is also the guest's command line.
#pragma once

#include <stdint.h>

#include <pvisor/shared_info.h>

#include "core/diagnostics.h"
#include "kstd/string.h"

namespace core {

struct DomainBootConfig {
    char name[32];
    uint64_t mem_bytes = 16ull << 20;
    uint64_t user_bytes = 1ull << 20;
    uint32_t vcpus = 1;
    uint32_t weight = 256;  // proportional share (xl's weight=)
    uint32_t cap = 0;       // percent of a CPU, 0 = none (xl's cap=)
    // The event-channel port table's capacity, fixed when the domain is
    // built (xl's max_event_channels=): ports 1 to evtchn_ports - 1.
    uint32_t evtchn_ports = 1024;
    kstd::string_view cmdline;  // the module string without its path
};

// Parses sizes as a number with an optional K, M or G suffix. Bad values
// are reported in diags and leave the default.
void parse_module_string(kstd::string_view s, uint32_t index, DomainBootConfig* out, Diagnostics* diags);

}  // namespace core
