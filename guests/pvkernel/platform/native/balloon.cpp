// The balloon (pvk/balloon.h) natively: no hypervisor to give memory to.
#include "pvk/balloon.h"

namespace pvk::balloon {

kstd::Result<void> free_to_hypervisor(uint64_t) { return kstd::Error::nosys; }
kstd::Result<uint64_t> reclaim(uint64_t) { return kstd::Error::nosys; }
uint64_t ballooned() { return 0; }
kstd::Result<uint64_t> reservation() { return kstd::Error::nosys; }

}  // namespace pvk::balloon
