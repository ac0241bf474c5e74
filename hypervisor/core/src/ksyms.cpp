#include "core/ksyms.h"

namespace core {

bool ksyms_lookup(const void* table, size_t table_size, uint64_t address, SymbolHit* hit) {
    if (table == nullptr || table_size < sizeof(KsymsHeader)) return false;
    const auto* base = static_cast<const unsigned char*>(table);
    const auto* header = static_cast<const KsymsHeader*>(table);
    if (header->magic != ksyms_magic) return false;
    size_t entries_end = sizeof(KsymsHeader) + size_t{header->count} * sizeof(KsymsEntry);
    if (entries_end > table_size || header->names_offset < entries_end || header->names_offset >= table_size)
        return false;
    const auto* entries = reinterpret_cast<const KsymsEntry*>(base + sizeof(KsymsHeader));

    // Last entry with entry.address <= address.
    size_t lo = 0, hi = header->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entries[mid].address <= address) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return false;
    const KsymsEntry& e = entries[lo - 1];
    if (e.size != 0 && address - e.address >= e.size) return false;
    size_t name_at = size_t{header->names_offset} + e.name_offset;
    if (name_at >= table_size) return false;
    // The name must be terminated inside the table.
    for (size_t i = name_at; i < table_size; ++i) {
        if (base[i] == '\0') {
            hit->name = reinterpret_cast<const char*>(base + name_at);
            hit->offset = address - e.address;
            return true;
        }
    }
    return false;
}

}  // namespace core
