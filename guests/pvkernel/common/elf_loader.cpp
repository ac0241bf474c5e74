#include "pvk/elf_loader.h"

#include <kstd/elf64.h>

#include <kstd/utility.h>

#include "pvk/address_space.h"
#include "pvk/layout.h"

extern "C" void* memcpy(void* dst, const void* src, size_t n);

namespace pvk {
namespace {

using Elf64Ehdr = kstd::elf64::Ehdr;
using Elf64Phdr = kstd::elf64::Phdr;
using kstd::elf64::em_x86_64;
using kstd::elf64::et_exec;
using kstd::elf64::pt_load;

bool header_ok(const Elf64Ehdr& eh) {
    return eh.ident[0] == 0x7f && eh.ident[1] == 'E' && eh.ident[2] == 'L' && eh.ident[3] == 'F' &&
           eh.ident[4] == 2 /* 64-bit */ && eh.ident[5] == 1 /* little-endian */ && eh.type == et_exec &&
           eh.machine == em_x86_64 && eh.phentsize == sizeof(Elf64Phdr);
}

// Segments go below the stack area (PVK_USER_STACK_MAX under the top).
bool image_range_ok(uint64_t va, uint64_t len) {
    uint64_t end;
    return !kstd::add_overflows(va, len, &end) && va >= PVK_USER_VA && end <= PVK_USER_TOP - PVK_USER_STACK_MAX;
}

// Copies file bytes to [va, va + len) of the open space, page by page
// through the kernel's mapping of each page.
kstd::Result<void> fill(AddressSpace& as, uint64_t va, const uint8_t* src, uint64_t len) {
    uint64_t end = va + len;
    for (uint64_t page = kstd::align_down<uint64_t>(va, PVK_PAGE_SIZE); page < end; page += PVK_PAGE_SIZE) {
        auto* kva = static_cast<uint8_t*>(TRY(as.populate(page)));
        uint64_t from = kstd::max(va, page), to = kstd::min(end, page + PVK_PAGE_SIZE);
        if (to > from) memcpy(kva + (from - page), src + (from - va), to - from);
    }
    return kstd::ok();
}

}  // namespace

kstd::Result<UserImage> load_user_elf(AddressSpace& as, const uint8_t* image, uint64_t size) {
    Elf64Ehdr eh;
    if (size < sizeof eh) return kstd::Error::inval;
    memcpy(&eh, image, sizeof eh);
    if (!header_ok(eh)) return kstd::Error::inval;
    uint64_t ph_end;
    if (kstd::add_overflows<uint64_t>(eh.phoff, uint64_t{eh.phnum} * sizeof(Elf64Phdr), &ph_end) || ph_end > size)
        return kstd::Error::inval;
    if (!image_range_ok(eh.entry, 1)) return kstd::Error::range;

    // Check every segment before mapping anything.
    uint64_t image_end = PVK_USER_VA;
    for (uint16_t i = 0; i < eh.phnum; ++i) {
        Elf64Phdr ph;
        memcpy(&ph, image + eh.phoff + i * sizeof ph, sizeof ph);
        if (ph.type != pt_load) continue;
        uint64_t file_end;
        if (ph.filesz > ph.memsz || kstd::add_overflows(ph.offset, ph.filesz, &file_end) || file_end > size)
            return kstd::Error::inval;
        if (!image_range_ok(ph.vaddr, ph.memsz)) return kstd::Error::range;
        image_end = kstd::max(image_end, ph.vaddr + ph.memsz);
    }

    // Fresh pages are zero, so the tail of a page past filesz needs no clearing.
    as.set_image_end(image_end);
    for (uint16_t i = 0; i < eh.phnum; ++i) {
        Elf64Phdr ph;
        memcpy(&ph, image + eh.phoff + i * sizeof ph, sizeof ph);
        if (ph.type != pt_load) continue;
        // Pages past the file bytes (.bss) are left to demand-zero faults.
        TRY(fill(as, ph.vaddr, image + ph.offset, ph.filesz));
    }
    return UserImage{eh.entry, image_end};
}

}  // namespace pvk
