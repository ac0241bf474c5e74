// An independent check of the memory-management invariants, for tests,
// fuzzing and (later) a debug key in the hypervisor. It does not trust the
// counts: it recounts every reference from the tables themselves and
// compares.
//
//   1. No frame is both mapped writable and a validated page table.
//   2. Every frame's ref_count and type_count equal the references that
//      exist: present entries of validated tables, pins and vCPU roots.
//   3. Every present entry of a validated table passes the entry rules:
//      allowed flags, no PS, a target owned by the table's owner (so no
//      hypervisor frame is reachable), a validated table of the next level
//      down for L2-L4 entries, and a writable-typed target for RW L1
//      entries; each L4 carries the hypervisor's slots unchanged; and the
//      table's present_groups marks every group that holds a present
//      entry (outside the hypervisor's slots), since releasing the table
//      reads only those.
//   4. Flags agree with counts (validated exactly when a table type has
//      references, pins only on validated tables, special frames never
//      tables), free and hypervisor frames carry no references, every
//      owner is a known domain, and each domain's tot_pages is the number
//      of frames it owns and within its maximum.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/frame_table.h"
#include "core/mm.h"
#include "core/mm_domain.h"
#include "kstd/span.h"

namespace core {

struct MmCheckDomain {
    const MmDomain* dom;
    kstd::span<const Mfn> roots;  // every vCPU root that holds a reference (Mfn 0: none)
};

struct MmViolation {
    const char* what;
    Mfn frame;        // the frame the violation is about
    uint32_t index;   // the entry, where one is involved (else 0)
};

// Scratch for the recount: three arrays of frames.size() entries each.
struct MmCheckScratch {
    kstd::span<uint32_t> refs;
    kstd::span<uint32_t> types;
    kstd::span<uint32_t> writable_maps;
};

// True if every invariant holds; otherwise false with the first violation
// found in *out. Guest domains not in `domains` owning frames is itself a
// violation. A scratch array that is too small is reported as one too.
bool mm_check(const FrameTable& frames, FrameAccess& access, const uint64_t* hypervisor_slots,
              kstd::span<const MmCheckDomain> domains, MmCheckScratch scratch, MmViolation* out);

}  // namespace core
