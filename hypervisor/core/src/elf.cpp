#include "core/elf.h"

#include <pvisor/abi.h>
#include <pvisor/elfnote.h>

#include "core/addr.h"
#include "kstd/elf64.h"
#include "kstd/string.h"

namespace core {
namespace {

using kstd::Error;

using kstd::elf64::Ehdr;
using kstd::elf64::Phdr;
using kstd::elf64::em_x86_64;
using kstd::elf64::et_exec;
using kstd::elf64::pf_w;
using kstd::elf64::pf_x;
using kstd::elf64::pt_load;
using kstd::elf64::pt_note;

// Copies a struct out of the file: the file may be unaligned and is read
// only through bounds-checked copies.
template <typename T>
bool read_at(kstd::span<const uint8_t> file, uint64_t offset, T* out) {
    if (offset > file.size() || file.size() - offset < sizeof(T)) return false;
    auto* dst = reinterpret_cast<uint8_t*>(out);
    for (size_t i = 0; i < sizeof(T); ++i) dst[i] = file[offset + i];
    return true;
}

bool in_file(kstd::span<const uint8_t> file, uint64_t offset, uint64_t size) {
    return offset <= file.size() && size <= file.size() - offset;
}

bool in_hypervisor_range(uint64_t start, uint64_t end) {
    return start < PV_HYPERVISOR_VIRT_END && end > PV_HYPERVISOR_VIRT_START;
}

kstd::Result<void> parse_notes(kstd::span<const uint8_t> file, uint64_t offset, uint64_t size, ElfImage* out) {
    uint64_t pos = offset, end = offset + size;
    while (end - pos >= 12) {
        uint32_t namesz, descsz, type;
        if (!read_at(file, pos, &namesz) || !read_at(file, pos + 4, &descsz) || !read_at(file, pos + 8, &type))
            return Error::inval;
        uint64_t name_off = pos + 12;
        uint64_t desc_off = name_off + kstd::align_up<uint64_t>(namesz, 4);
        uint64_t next = desc_off + kstd::align_up<uint64_t>(descsz, 4);
        if (namesz > 64 || descsz > 4096 || next > end) return Error::inval;
        constexpr char want[] = PV_ELFNOTE_NAME;
        bool ours = namesz == sizeof want;
        for (size_t i = 0; ours && i < sizeof want; ++i) ours = file[name_off + i] == static_cast<uint8_t>(want[i]);
        if (ours) {
            if (type == PV_ELFNOTE_ABI_VERSION) {
                if (descsz != 4 || !read_at(file, desc_off, &out->abi_version)) return Error::inval;
                out->has_abi_version = true;
            } else if (type == PV_ELFNOTE_HYPERCALL_PAGE) {
                if (descsz != 8 || !read_at(file, desc_off, &out->hypercall_page)) return Error::inval;
                out->has_hypercall_page = true;
            } else if (type == PV_ELFNOTE_GUEST_OS) {
                size_t n = 0;
                for (; n + 1 < sizeof out->guest_os && n < descsz && file[desc_off + n] != 0; ++n)
                    out->guest_os[n] = static_cast<char>(file[desc_off + n]);
                out->guest_os[n] = '\0';
            }
            // Unknown PVISOR note types are from a newer minor version: skip.
        }
        pos = next;
    }
    return kstd::ok();
}

}  // namespace

kstd::Result<void> elf_parse(kstd::span<const uint8_t> file, ElfImage* out) {
    *out = ElfImage{};
    Ehdr eh;
    if (!read_at(file, 0, &eh)) return Error::inval;
    if (!(eh.ident[0] == 0x7f && eh.ident[1] == 'E' && eh.ident[2] == 'L' && eh.ident[3] == 'F')) return Error::inval;
    if (eh.ident[4] != 2 /* ELFCLASS64 */ || eh.ident[5] != 1 /* little-endian */) return Error::inval;
    if (eh.type != et_exec || eh.machine != em_x86_64 || eh.phentsize != sizeof(Phdr)) return Error::inval;
    if (!in_file(file, eh.phoff, uint64_t{eh.phnum} * sizeof(Phdr))) return Error::inval;

    uint64_t lo = ~uint64_t{0}, hi = 0;
    for (uint16_t i = 0; i < eh.phnum; ++i) {
        Phdr ph;
        if (!read_at(file, eh.phoff + uint64_t{i} * sizeof(Phdr), &ph)) return Error::inval;
        if (ph.type == pt_note) {
            if (!in_file(file, ph.offset, ph.filesz)) return Error::inval;
            TRY(parse_notes(file, ph.offset, ph.filesz, out));
            continue;
        }
        if (ph.type != pt_load || ph.memsz == 0) continue;
        if (out->segment_count == ElfImage::max_segments) return Error::too_big;
        uint64_t end;
        if (ph.filesz > ph.memsz || !in_file(file, ph.offset, ph.filesz) || kstd::add_overflows(ph.vaddr, ph.memsz, &end))
            return Error::inval;
        // A kernel lives in the upper half, above the hypervisor's slots.
        if (!is_canonical(ph.vaddr) || !is_canonical(end - 1) || (ph.vaddr >> 63) == 0 || (end - 1) >> 63 == 0 ||
            in_hypervisor_range(ph.vaddr, end))
            return Error::inval;
        for (size_t j = 0; j < out->segment_count; ++j) {
            const ElfSegment& o = out->segments[j];
            if (ph.vaddr < o.vaddr + o.mem_size && o.vaddr < end) return Error::inval;
        }
        out->segments[out->segment_count++] = {ph.vaddr, ph.offset, ph.filesz, ph.memsz, (ph.flags & pf_w) != 0,
                                                (ph.flags & pf_x) != 0};
        lo = kstd::min(lo, ph.vaddr);
        hi = kstd::max(hi, end);
    }
    if (out->segment_count == 0) return Error::inval;
    out->virt_start = kstd::align_down(lo, page_size);
    out->virt_end = kstd::align_up(hi, page_size);
    if (out->virt_end == 0) return Error::inval;  // the last page wrapped

    bool entry_ok = false;
    for (size_t j = 0; j < out->segment_count; ++j) {
        const ElfSegment& s = out->segments[j];
        if (s.executable && eh.entry >= s.vaddr && eh.entry < s.vaddr + s.mem_size) entry_ok = true;
    }
    if (!entry_ok) return Error::inval;
    out->entry = eh.entry;
    return kstd::ok();
}

}  // namespace core
