// The hypervisor's own symbol table, for backtraces. The build links the
// image twice: the first link has an empty table, tools/gen_ksyms.py reads
// its symbols and the second link embeds them (see linker.ld.in).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace core {

// Table layout, produced by gen_ksyms.py. Entries are sorted by address;
// names are NUL-terminated strings at names + name_offset.
struct KsymsHeader {
    uint32_t magic;  // ksyms_magic
    uint32_t count;
    uint32_t names_offset;  // from the start of the header
    uint32_t reserved;
};
struct KsymsEntry {
    uint64_t address;
    uint32_t name_offset;
    uint32_t size;
};
inline constexpr uint32_t ksyms_magic = 0x4d59534b;  // "KSYM"

struct SymbolHit {
    const char* name;
    uint64_t offset;  // address - symbol start
};

// Finds the symbol containing address in the table at table (of table_size
// bytes). A malformed table yields no hits rather than a fault.
bool ksyms_lookup(const void* table, size_t table_size, uint64_t address, SymbolHit* hit);

}  // namespace core
