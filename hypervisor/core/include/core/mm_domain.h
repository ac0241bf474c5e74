// What the memory-management core keeps per domain: its identity and its
// memory accounting. A Domain will carry one (the glue adds the member);
// the core takes it on its own so that tests and fuzz targets need no
// whole Domain.
#pragma once

#include <stdint.h>

#include <pvisor/abi.h>

namespace core {

struct MmDomain {
    pv_domid_t id = 0;
    // Frames the domain owns and may give back (the shared page and other
    // hypervisor-provided frames are not counted), and the most it may own.
    uint64_t tot_pages = 0;
    uint64_t max_pages = 0;
};

}  // namespace core
