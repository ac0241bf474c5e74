// A process's address space: its own page tables for the user part
// [PVK_USER_VA, PVK_USER_TOP) (one L3 for PML4 slot 0, one L2, L1s made as
// needed) under roots that also map the kernel (pvk/mmu.h).
//
// Life cycle: create() gives an open space, filled with plain stores by
// populate() (the ELF loader); commit() seals it and makes it live; from
// then on it changes only through the mmu layer: demand-zero and
// copy-on-write faults, brk, fork. destroy() frees it and every page only
// it used.
#pragma once

#include <stdint.h>

#include <kstd/result.h>

#include "pvk/mmu.h"

namespace pvk {

class AddressSpace {
public:
    [[nodiscard]] static kstd::Result<AddressSpace*> create();
    // Not while it is active.
    static void destroy(AddressSpace* as);
    // Loads as's roots (nullptr: the boot address space).
    static void activate(AddressSpace* as);
    static AddressSpace* active();

    // Open only: a zeroed page mapped writable at va (page-aligned), or the
    // one already there; returns its kernel address.
    [[nodiscard]] kstd::Result<void*> populate(uint64_t va);
    // The heap (brk) starts at the end of the loaded image.
    void set_image_end(uint64_t end);
    [[nodiscard]] kstd::Result<void> commit();

    // The rest need a live space that is active.
    // A copy that shares every page copy-on-write.
    [[nodiscard]] kstd::Result<AddressSpace*> fork();
    // Resolves a user page fault at va: Error::fault if va is not valid
    // user memory (or the access is not allowed), Error::nomem if no page
    // is left.
    [[nodiscard]] kstd::Result<void> fault(uint64_t va, bool write);
    // Faults in [va, va + len) as fault() would, for kernel accesses.
    [[nodiscard]] kstd::Result<void> prepare(uint64_t va, uint64_t len, bool write);
    // Sets the program break (0: just returns it); pages above a lowered
    // break are freed. Returns the break.
    [[nodiscard]] kstd::Result<uint64_t> set_brk(uint64_t brk);

    // True if va lies in valid user memory (mapped or demand-zero).
    bool valid(uint64_t va) const;
    uint64_t pages_mapped() const;

private:
    AddressSpace() = default;
    uint64_t* entry_of(uint64_t va) const;
    [[nodiscard]] kstd::Result<void> map_fresh(uint64_t va);
    [[nodiscard]] kstd::Result<void> break_cow(uint64_t* entry, uint64_t va);

    mmu::Root root_{};
    uint64_t* l3_ = nullptr;
    uint64_t* l2_ = nullptr;
    uint64_t* l1_[512] = {};  // kernel addresses of the L1s, by L2 index
    bool live_ = false;
    uint64_t brk_start_ = 0;
    uint64_t brk_ = 0;
};

}  // namespace pvk
