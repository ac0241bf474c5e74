#include "pvk/address_space.h"

#include <kstd/utility.h>

#include "pvk/frames.h"
#include "pvk/heap.h"
#include "pvk/layout.h"

namespace pvk {
namespace {

using namespace pvk::mmu;
namespace pm = platform::mmu;

static_assert(PVK_USER_TOP <= (1ull << 30), "the user part is one page directory");
constexpr uint64_t page_size = PVK_PAGE_SIZE;
constexpr uint64_t stack_bottom = PVK_USER_TOP - PVK_USER_STACK_MAX;

constexpr unsigned l2_index(uint64_t va) { return (va >> 21) & 511; }
constexpr unsigned l1_index(uint64_t va) { return (va >> 12) & 511; }
uint64_t table_entry(void* table) { return (pm::frame_of(table) << 12) | table_entry_flags; }
void* page_of_entry(uint64_t e) { return pm::page_of(frame_of_entry(e)); }

constinit AddressSpace* g_active = nullptr;

// Entry writes collected and sent in batches (one hypercall each on pv).
class WriteBatch {
public:
    // Flushes the TLB after the last batch if any write removed rights.
    kstd::Result<void> add(uint64_t* entry, uint64_t value) {
        if (n_ == capacity) TRY(send(false));
        w_[n_++] = EntryWrite{entry, value};
        return kstd::ok();
    }
    kstd::Result<void> finish() { return send(true); }

private:
    kstd::Result<void> send(bool last) {
        if (n_ == 0) return kstd::ok();
        auto r = pm::write_entries(w_, n_, last);
        n_ = 0;
        return r;
    }
    static constexpr size_t capacity = 128;
    EntryWrite w_[capacity];
    size_t n_ = 0;
};

}  // namespace

kstd::Result<AddressSpace*> AddressSpace::create() {
    auto* as = static_cast<AddressSpace*>(kmalloc(sizeof(AddressSpace)));
    if (as == nullptr) return kstd::Error::nomem;
    new (as) AddressSpace();
    as->l3_ = static_cast<uint64_t*>(frames::alloc());
    as->l2_ = static_cast<uint64_t*>(frames::alloc());
    if (as->l3_ == nullptr || as->l2_ == nullptr) {
        destroy(as);
        return kstd::Error::nomem;
    }
    as->l3_[0] = table_entry(as->l2_);
    return as;
}

void AddressSpace::destroy(AddressSpace* as) {
    if (as->live_) pm::destroy_root(as->root_);
    // Now no root uses the tables: free the pages they map, then reopen
    // and free the tables themselves.
    void* tables[2 + 512];
    size_t n = 0;
    for (uint64_t* l1 : as->l1_) {
        if (l1 == nullptr) continue;
        for (unsigned j = 0; j < 512; ++j)
            if ((l1[j] & pte_present) != 0) frames::put(page_of_entry(l1[j]));
        tables[n++] = l1;
    }
    if (as->l2_ != nullptr) tables[n++] = as->l2_;
    if (as->l3_ != nullptr) tables[n++] = as->l3_;
    if (as->live_) pm::unseal(tables, n);
    for (size_t i = 0; i < n; ++i) frames::put(tables[i]);
    kfree(as);
}

void AddressSpace::activate(AddressSpace* as) {
    if (as == g_active) return;
    pm::activate(as != nullptr ? &as->root_ : nullptr);
    g_active = as;
}

AddressSpace* AddressSpace::active() { return g_active; }

uint64_t* AddressSpace::entry_of(uint64_t va) const {
    uint64_t* l1 = l1_[l2_index(va)];
    return l1 != nullptr ? &l1[l1_index(va)] : nullptr;
}

kstd::Result<void*> AddressSpace::populate(uint64_t va) {
    if (live_ || va % page_size != 0 || !valid(va)) return kstd::Error::inval;
    uint64_t*& l1 = l1_[l2_index(va)];
    if (l1 == nullptr) {
        l1 = static_cast<uint64_t*>(frames::alloc());
        if (l1 == nullptr) return kstd::Error::nomem;
        l2_[l2_index(va)] = table_entry(l1);
    }
    uint64_t& e = l1[l1_index(va)];
    if ((e & pte_present) != 0) return page_of_entry(e);
    void* page = frames::alloc();
    if (page == nullptr) return kstd::Error::nomem;
    e = (pm::frame_of(page) << 12) | page_rw_flags;
    return page;
}

void AddressSpace::set_image_end(uint64_t end) {
    brk_start_ = kstd::align_up<uint64_t>(end, page_size);
    brk_ = brk_start_;
}

kstd::Result<void> AddressSpace::commit() {
    void* tables[2 + 512];
    size_t n = 0;
    for (uint64_t* l1 : l1_)
        if (l1 != nullptr) tables[n++] = l1;
    tables[n++] = l2_;
    root_ = TRY(pm::create_root(l3_, tables, n));
    live_ = true;
    return kstd::ok();
}

bool AddressSpace::valid(uint64_t va) const {
    return (va >= PVK_USER_VA && va < brk_) || (va >= stack_bottom && va < PVK_USER_TOP);
}

uint64_t AddressSpace::pages_mapped() const {
    uint64_t n = 0;
    for (uint64_t* l1 : l1_)
        if (l1 != nullptr)
            for (unsigned j = 0; j < 512; ++j) n += l1[j] & pte_present;
    return n;
}

// Demand-zero: a fresh page where nothing was mapped.
kstd::Result<void> AddressSpace::map_fresh(uint64_t va) {
    void* page = frames::alloc();
    if (page == nullptr) return kstd::Error::nomem;
    uint64_t pte = (pm::frame_of(page) << 12) | page_rw_flags;
    uint64_t*& l1 = l1_[l2_index(va)];
    if (l1 != nullptr) {
        auto r = pm::set_pte(&l1[l1_index(va)], va, pte);
        if (r.is_error()) frames::put(page);
        return r;
    }
    // A new L1, filled while still open so that one L2 write installs both.
    auto* table = static_cast<uint64_t*>(frames::alloc());
    if (table == nullptr) {
        frames::put(page);
        return kstd::Error::nomem;
    }
    table[l1_index(va)] = pte;
    void* t = table;
    auto r = pm::seal(&t, 1);
    EntryWrite w{&l2_[l2_index(va)], table_entry(table)};
    if (r.is_ok()) r = pm::write_entries(&w, 1, false);
    if (r.is_error()) {
        pm::unseal(&t, 1);
        frames::put(table);
        frames::put(page);
        return r;
    }
    l1 = table;
    return kstd::ok();
}

// Copy-on-write: the last sharer takes the page back writable; the others
// copy it.
kstd::Result<void> AddressSpace::break_cow(uint64_t* entry, uint64_t va) {
    void* old = page_of_entry(*entry);
    if (frames::refs(old) == 1) return pm::set_pte(entry, va, (*entry | pte_rw) & ~pte_cow);
    void* copy = frames::take();
    if (copy == nullptr) return kstd::Error::nomem;
    frames::copy_page(copy, old);
    auto r = pm::set_pte(entry, va, (pm::frame_of(copy) << 12) | page_rw_flags);
    if (r.is_error()) {
        frames::put(copy);
        return r;
    }
    frames::put(old);
    return kstd::ok();
}

kstd::Result<void> AddressSpace::fault(uint64_t va, bool write) {
    va = kstd::align_down<uint64_t>(va, page_size);
    if (!valid(va)) return kstd::Error::fault;
    uint64_t* e = entry_of(va);
    if (e == nullptr || (*e & pte_present) == 0) return map_fresh(va);
    if (write && (*e & pte_rw) == 0) {
        if ((*e & pte_cow) == 0) return kstd::Error::fault;
        return break_cow(e, va);
    }
    // Present and allowed: another path fixed it already.
    return kstd::ok();
}

kstd::Result<void> AddressSpace::prepare(uint64_t va, uint64_t len, bool write) {
    if (len == 0) return kstd::ok();
    uint64_t end;
    if (kstd::add_overflows(va, len, &end)) return kstd::Error::fault;
    for (uint64_t p = kstd::align_down<uint64_t>(va, page_size); p < end; p += page_size) {
        const uint64_t* e = valid(p) ? entry_of(p) : nullptr;
        bool ok = e != nullptr && (*e & pte_present) != 0 && (!write || (*e & pte_rw) != 0);
        if (!ok) TRY(fault(p, write));
    }
    return kstd::ok();
}

kstd::Result<uint64_t> AddressSpace::set_brk(uint64_t brk) {
    if (brk == 0) return brk_;
    if (brk < brk_start_ || brk > stack_bottom) return kstd::Error::inval;
    uint64_t old_end = kstd::align_up<uint64_t>(brk_, page_size);
    uint64_t new_end = kstd::align_up<uint64_t>(brk, page_size);
    brk_ = brk;
    if (new_end >= old_end) return brk_;
    // Unmap first (one batch and one flush), then free the pages.
    static WriteBatch batch;
    void* freed[64];
    size_t nfreed = 0;
    for (uint64_t va = new_end; va < old_end; va += page_size) {
        uint64_t* e = entry_of(va);
        if (e == nullptr || (*e & pte_present) == 0) continue;
        void* page = page_of_entry(*e);
        TRY(batch.add(e, 0));
        if (nfreed == sizeof freed / sizeof freed[0]) {
            TRY(batch.finish());
            for (void* p : freed) frames::put(p);
            nfreed = 0;
        }
        freed[nfreed++] = page;
    }
    TRY(batch.finish());
    for (size_t i = 0; i < nfreed; ++i) frames::put(freed[i]);
    return brk_;
}

kstd::Result<AddressSpace*> AddressSpace::fork() {
    AddressSpace* child = TRY(create());
    child->brk_start_ = brk_start_;
    child->brk_ = brk_;
    // The parent's writable pages become read-only and copy-on-write in
    // both; each shared page gains a reference.
    static WriteBatch batch;
    kstd::Result<void> r = kstd::ok();
    for (unsigned i = 0; i < 512 && r.is_ok(); ++i) {
        const uint64_t* from = l1_[i];
        if (from == nullptr) continue;
        auto* to = static_cast<uint64_t*>(frames::alloc());
        if (to == nullptr) {
            r = kstd::Error::nomem;
            break;
        }
        child->l1_[i] = to;
        child->l2_[i] = table_entry(to);
        for (unsigned j = 0; j < 512; ++j) {
            uint64_t e = from[j];
            if ((e & pte_present) == 0) continue;
            if ((e & pte_rw) != 0) {
                e = (e & ~pte_rw) | pte_cow;
                r = batch.add(&l1_[i][j], e);
                if (r.is_error()) break;
            }
            to[j] = e;
            frames::get(page_of_entry(e));
        }
    }
    if (r.is_ok()) r = batch.finish();
    if (r.is_ok()) r = child->commit();
    if (r.is_error()) {
        destroy(child);
        return r.error();
    }
    return child;
}

}  // namespace pvk
