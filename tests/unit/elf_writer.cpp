#include "elf_writer.h"

#include <pvisor/elfnote.h>

namespace elfw {
namespace {

void align(std::vector<uint8_t>& out, size_t a) {
    while (out.size() % a != 0) out.push_back(0);
}

}  // namespace

Segment& ElfWriter::add(uint64_t vaddr, std::vector<uint8_t> data, uint32_t flags, uint64_t memsz) {
    Segment s;
    s.vaddr = vaddr;
    s.flags = flags;
    s.memsz = memsz != 0 ? memsz : data.size();
    s.data = std::move(data);
    segments.push_back(std::move(s));
    return segments.back();
}

void ElfWriter::add_note(const std::string& name, uint32_t type, std::vector<uint8_t> desc) {
    notes.push_back(Note{name, type, std::move(desc)});
}

void ElfWriter::add_pvisor_notes(uint32_t abi_version, uint64_t hypercall_page, const char* guest_os) {
    add_note(PV_ELFNOTE_NAME, PV_ELFNOTE_ABI_VERSION, le_bytes(abi_version));
    add_note(PV_ELFNOTE_NAME, PV_ELFNOTE_HYPERCALL_PAGE, le_bytes(hypercall_page));
    if (guest_os != nullptr) {
        std::vector<uint8_t> os(guest_os, guest_os + std::strlen(guest_os) + 1);
        add_note(PV_ELFNOTE_NAME, PV_ELFNOTE_GUEST_OS, os);
    }
}

std::vector<uint8_t> note_bytes(const Note& n) {
    std::vector<uint8_t> out;
    auto u32 = [&](uint32_t v) {
        auto b = le_bytes(v);
        out.insert(out.end(), b.begin(), b.end());
    };
    u32(static_cast<uint32_t>(n.name.size() + 1));
    u32(static_cast<uint32_t>(n.desc.size()));
    u32(n.type);
    out.insert(out.end(), n.name.begin(), n.name.end());
    out.push_back(0);
    align(out, 4);
    out.insert(out.end(), n.desc.begin(), n.desc.end());
    align(out, 4);
    return out;
}

std::vector<uint8_t> ElfWriter::build() const {
    size_t nphdr = segments.size() + (notes.empty() ? 0 : 1);
    std::vector<uint8_t> out(sizeof(Ehdr) + nphdr * sizeof(Phdr), 0);

    std::vector<Phdr> phdrs;
    if (!notes.empty()) {
        align(out, 8);
        Phdr ph{};
        ph.type = pt_note;
        ph.flags = pf_r;
        ph.offset = out.size();
        for (const Note& n : notes) {
            auto b = note_bytes(n);
            out.insert(out.end(), b.begin(), b.end());
        }
        ph.filesz = ph.memsz = out.size() - ph.offset;
        ph.align = 4;
        phdrs.push_back(ph);
    }
    for (const Segment& s : segments) {
        align(out, 16);
        Phdr ph{};
        ph.type = s.type;
        ph.flags = s.flags;
        ph.offset = out.size();
        ph.vaddr = ph.paddr = s.vaddr;
        ph.filesz = s.data.size();
        ph.memsz = s.memsz;
        ph.align = 16;
        out.insert(out.end(), s.data.begin(), s.data.end());
        phdrs.push_back(ph);
    }

    Ehdr eh{};
    const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */};
    std::memcpy(eh.ident, ident, sizeof ident);
    eh.type = 2;      // ET_EXEC
    eh.machine = 62;  // EM_X86_64
    eh.version = 1;
    eh.entry = entry;
    eh.phoff = sizeof(Ehdr);
    eh.ehsize = sizeof(Ehdr);
    eh.phentsize = sizeof(Phdr);
    eh.phnum = static_cast<uint16_t>(nphdr);
    put(out, 0, eh);
    for (size_t i = 0; i < phdrs.size(); ++i) put(out, sizeof(Ehdr) + i * sizeof(Phdr), phdrs[i]);
    return out;
}

}  // namespace elfw
