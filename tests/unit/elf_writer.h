// Builds small ELF64 x86-64 executables in memory for the ELF parser and
// domain builder tests: an ELF header, the program headers (a PT_NOTE with
// the notes first, if there are any, then the segments in the order given)
// and the bytes. Tests that need a malformed image build a good one and
// patch the header fields at the offsets below.
#pragma once

#include "kstd/elf64.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace elfw {

using kstd::elf64::pf_r;
using kstd::elf64::pf_w;
using kstd::elf64::pf_x;
using kstd::elf64::pt_load;
using kstd::elf64::pt_note;

// The on-disk layouts (ELF-64 Object File Format 1.5).
using kstd::elf64::Ehdr;
using kstd::elf64::Phdr;

struct Segment {
    uint32_t type = pt_load;
    uint32_t flags = pf_r;
    uint64_t vaddr = 0;
    std::vector<uint8_t> data;  // the file bytes (filesz)
    uint64_t memsz = 0;         // >= data.size() for a well-formed image
};

struct Note {
    std::string name;  // written with its NUL
    uint32_t type = 0;
    std::vector<uint8_t> desc;
};

class ElfWriter {
public:
    uint64_t entry = 0;
    std::vector<Segment> segments;
    std::vector<Note> notes;

    // A PT_LOAD segment; memsz defaults to the data size.
    Segment& add(uint64_t vaddr, std::vector<uint8_t> data, uint32_t flags, uint64_t memsz = 0);
    void add_note(const std::string& name, uint32_t type, std::vector<uint8_t> desc);
    // The notes a PV kernel carries (pvisor/elfnote.h).
    void add_pvisor_notes(uint32_t abi_version, uint64_t hypercall_page, const char* guest_os = "test-os");

    std::vector<uint8_t> build() const;

    // Where the program header of segments[i] lands in build()'s output.
    size_t phdr_offset(size_t i) const { return sizeof(Ehdr) + (i + (notes.empty() ? 0 : 1)) * sizeof(Phdr); }
    // The note segment's program header, if there are notes.
    static constexpr size_t note_phdr_offset = sizeof(Ehdr);
};

// Bytes of one note as it appears in a PT_NOTE segment.
std::vector<uint8_t> note_bytes(const Note& n);

// Little-endian bytes of an integer.
template <typename T>
std::vector<uint8_t> le_bytes(T v) {
    std::vector<uint8_t> b(sizeof v);
    std::memcpy(b.data(), &v, sizeof v);
    return b;
}

// Reads and rewrites header structures inside an image.
template <typename T>
T get(const std::vector<uint8_t>& image, size_t off) {
    T v;
    std::memcpy(&v, image.data() + off, sizeof v);
    return v;
}
template <typename T>
void put(std::vector<uint8_t>& image, size_t off, const T& v) {
    std::memcpy(image.data() + off, &v, sizeof v);
}

}  // namespace elfw
