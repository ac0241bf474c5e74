// The machine-to-pseudo-physical map: which PFN holds an MFN. pvisor
// publishes no M2P table, so the guest keeps its own, a hash table built
// from the frame list at boot and kept up to date by the balloon.
#pragma once

#include <stdint.h>

namespace pvk::pv {

inline constexpr uint64_t no_pfn = ~0ull;

// Builds the table for every PFN of the frame list.
void m2p_init();
uint64_t m2p_lookup(uint64_t mfn);  // no_pfn if the domain has no such frame
void m2p_insert(uint64_t mfn, uint64_t pfn);
void m2p_remove(uint64_t mfn);

}  // namespace pvk::pv
