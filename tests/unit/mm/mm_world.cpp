#include "mm_world.h"

#include <cstdio>
#include <cstring>

namespace mmtest {

using core::Mfn;

namespace {

core::FrameTable make_table(std::vector<core::FrameInfo>& infos) {
    auto r = core::FrameTable::create({infos.data(), infos.size()});
    if (r.is_error()) std::abort();
    return r.release_value();
}

}  // namespace

uint64_t* World::Access::map_table(Mfn f) {
    if (f.raw >= w->frames) std::abort();  // the core must never map a frame outside the table
    return w->memory.data() + f.raw * core::pte::entries;
}

kstd::Result<Mfn> World::Pool::alloc() {
    if (free_frames.empty() || fail_after == 0) return kstd::Error::nomem;
    if (fail_after != SIZE_MAX) --fail_after;
    Mfn f = free_frames.back();
    free_frames.pop_back();
    return f;
}

World::World(size_t frames_, size_t hv_frames_, uint64_t max_pages, bool linear)
    : frames(frames_),
      hv_frames(hv_frames_),
      infos(frames_),
      memory(frames_ * core::pte::entries, 0xdeadbeefdeadbeefull),
      ft(make_table(infos)),
      access(this, linear ? memory.data() : nullptr),
      ctx{ft, access, tlb, hv_slots, nullptr} {
    for (size_t i = 0; i < hv_frames; ++i)
        if (ft.assign_hypervisor(Mfn(i)).is_error()) std::abort();
    for (uint32_t i = 0; i < core::pte::hv_slot_count; ++i)
        hv_slots[i] = core::pte::make(Mfn(1 + i % (hv_frames - 1)), core::pte::present | core::pte::rw);
    for (size_t i = frames; i-- > hv_frames;) pool.free_frames.push_back(Mfn(i));
    a.id = 1;
    a.max_pages = max_pages;
    b.id = 2;
    b.max_pages = max_pages;
}

Mfn World::frame(core::MmDomain& d) {
    Mfn f;
    if (core::increase_reservation(ctx, d, pool, {&f, 1}).is_error()) std::abort();
    return f;
}

Mfn World::fresh_l4(core::MmDomain& d) {
    Mfn f = frame(d);
    for (uint32_t i = 0; i < core::pte::hv_slot_count; ++i) table(f)[core::pte::hv_first_slot + i] = hv_slots[i];
    return f;
}

World::Space World::space(core::MmDomain& d, uint64_t va, bool rw) {
    Space s;
    s.l4 = fresh_l4(d);
    s.l3 = frame(d);
    s.l2 = frame(d);
    s.l1 = frame(d);
    s.data = frame(d);
    table(s.l4)[core::pte::index_of(va, 4)] = link(s.l3);
    table(s.l3)[core::pte::index_of(va, 3)] = link(s.l2);
    table(s.l2)[core::pte::index_of(va, 2)] = link(s.l1);
    table(s.l1)[core::pte::index_of(va, 1)] = rw ? map_rw(s.data) : map_ro(s.data);
    return s;
}

std::string World::check() {
    std::vector<uint32_t> r(frames), t(frames), w(frames);
    core::MmCheckDomain doms[2] = {{&a, {roots_a, 2}}, {&b, {roots_b, 2}}};
    core::MmViolation v{};
    if (core::mm_check(ft, access, hv_slots, {doms, 2}, {{r.data(), r.size()}, {t.data(), t.size()}, {w.data(), w.size()}},
                       &v))
        return "";
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s (mfn %llu, entry %u)", v.what, static_cast<unsigned long long>(v.frame.raw),
                  v.index);
    return buf;
}

bool World::Snapshot::operator==(const Snapshot& o) const {
    if (infos.size() != o.infos.size()) return false;
    for (size_t i = 0; i < infos.size(); ++i) {
        // The type a frame keeps at type count zero only decides whether
        // its next type change flushes TLBs first; a refused operation may
        // leave it different (a frame validated and unwound keeps the type
        // it was tried as), which costs at most one extra flush.
        core::FrameInfo x = infos[i], y = o.infos[i];
        if (x.type_count == 0) x.type = y.type = core::FrameType::none;
        if (std::memcmp(&x, &y, sizeof x) != 0) return false;
    }
    return memory == o.memory && a_tot == o.a_tot && b_tot == o.b_tot && pool == o.pool;
}

World::Snapshot World::snapshot() const { return Snapshot{infos, memory, a.tot_pages, b.tot_pages, pool.free_frames}; }

void World::snapshot(Snapshot* out) const {
    out->infos = infos;
    out->memory = memory;
    out->a_tot = a.tot_pages;
    out->b_tot = b.tot_pages;
    out->pool = pool.free_frames;
}

}  // namespace mmtest
