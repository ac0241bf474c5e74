// Memory back to the layer below: on pvisor, free pages of the pool are
// unmapped and given back with memory_op decrease_reservation (the
// domain's reservation shrinks), and taken back later with
// increase_reservation into the same pseudo-physical slots. Natively
// there is nothing to give memory to: every call returns Error::nosys.
#pragma once

#include <stdint.h>

#include <kstd/result.h>

namespace pvk::balloon {

// Gives n free pages of the pool back; all or nothing.
[[nodiscard]] kstd::Result<void> free_to_hypervisor(uint64_t n);
// Takes up to n of them back into the pool; returns how many.
[[nodiscard]] kstd::Result<uint64_t> reclaim(uint64_t n);
// Pages given back and not yet reclaimed.
uint64_t ballooned();
// The pages the domain owns, as the hypervisor counts them.
[[nodiscard]] kstd::Result<uint64_t> reservation();

}  // namespace pvk::balloon
