#include "pvk/elf_loader.h"

#include "pvk/boot_info.h"
#include "pvk/user_access.h"

extern "C" void* memcpy(void* dst, const void* src, size_t n);
extern "C" void* memset(void* dst, int c, size_t n);

namespace pvk {
namespace {

// ELF-64 Object File Format, version 1.5: the file and program headers.
struct Elf64Ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Elf64Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(Elf64Ehdr) == 64 && sizeof(Elf64Phdr) == 56);

constexpr uint16_t et_exec = 2, em_x86_64 = 62;
constexpr uint32_t pt_load = 1;

bool header_ok(const Elf64Ehdr& eh) {
    return eh.ident[0] == 0x7f && eh.ident[1] == 'E' && eh.ident[2] == 'L' && eh.ident[3] == 'F' &&
           eh.ident[4] == 2 /* 64-bit */ && eh.ident[5] == 1 /* little-endian */ && eh.type == et_exec &&
           eh.machine == em_x86_64 && eh.phentsize == sizeof(Elf64Phdr);
}

}  // namespace

kstd::Result<uint64_t> load_user_elf(const uint8_t* image, uint64_t size) {
    Elf64Ehdr eh;
    if (size < sizeof eh) return kstd::Error::inval;
    memcpy(&eh, image, sizeof eh);
    if (!header_ok(eh)) return kstd::Error::inval;
    uint64_t ph_end;
    if (kstd::add_overflows<uint64_t>(eh.phoff, uint64_t{eh.phnum} * sizeof(Elf64Phdr), &ph_end) || ph_end > size)
        return kstd::Error::inval;
    if (!user_range_ok(eh.entry, 1)) return kstd::Error::range;

    // Check every segment before touching the user region.
    for (uint16_t i = 0; i < eh.phnum; ++i) {
        Elf64Phdr ph;
        memcpy(&ph, image + eh.phoff + i * sizeof ph, sizeof ph);
        if (ph.type != pt_load) continue;
        uint64_t file_end;
        if (ph.filesz > ph.memsz || kstd::add_overflows(ph.offset, ph.filesz, &file_end) || file_end > size)
            return kstd::Error::inval;
        if (!user_range_ok(ph.vaddr, ph.memsz)) return kstd::Error::range;
    }

    // A fresh program sees no trace of the one before it.
    const BootInfo& bi = boot_info();
    // SAFETY: the user region is mapped read-write in the kernel.
    memset(reinterpret_cast<void*>(bi.user_va), 0, bi.user_size);
    for (uint16_t i = 0; i < eh.phnum; ++i) {
        Elf64Phdr ph;
        memcpy(&ph, image + eh.phoff + i * sizeof ph, sizeof ph);
        if (ph.type != pt_load) continue;
        // Checked above; the tail up to memsz is already zero.
        if (!copy_to_user(ph.vaddr, image + ph.offset, ph.filesz)) return kstd::Error::range;
    }
    return eh.entry;
}

}  // namespace pvk
