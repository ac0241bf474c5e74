// The ELF-64 file and program headers (ELF-64 Object File Format, version
// 1.5) and the constants pvisor's readers and writers use: the hypervisor's
// kernel-image parser, pvkernel's user-program loader and the test images.
#pragma once

#include <stdint.h>

namespace kstd::elf64 {

struct Ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(Ehdr) == 64 && sizeof(Phdr) == 56, "ELF-64 header layouts");

inline constexpr uint8_t class64 = 2, data_lsb = 1;          // ident[4], ident[5]
inline constexpr uint16_t et_exec = 2, em_x86_64 = 62;       // type, machine (x86-64 psABI)
inline constexpr uint32_t pt_load = 1, pt_note = 4;          // Phdr.type
inline constexpr uint32_t pf_x = 1, pf_w = 2, pf_r = 4;      // Phdr.flags

}  // namespace kstd::elf64
