// libFuzzer target for the memory-management core: two domains issue
// random sequences of page-table operations (mmu_update, pin/unpin, root
// switches, update_va_mapping, emulated PTE writes, reservation changes)
// and write whatever they like into their own frames that are not live
// tables, as a guest writes through its mappings. After every step the
// independent checker (core/mm_check.h) must hold, and a refused step must
// have changed nothing; at the end both domains are torn down and every
// frame must be back in the pool. Any violation aborts.
//
// `meson test --suite fuzz fuzz-mm` runs a fixed number of inputs. For a
// real campaign run it by hand, e.g.
//   mkdir -p corpus-mm && build/tests/fuzz/mm/fuzz-mm -max_total_time=3600 -max_len=2048 corpus-mm
// (add -jobs=N -workers=N to use more cores; a crash input is replayed
// with build/tests/fuzz/mm/fuzz-mm crash-<hash>).
#include <stddef.h>
#include <stdint.h>

#include <cstdio>
#include <cstdlib>

#include "../../unit/mm/mm_world.h"
#include "core/memory_op.h"
#include "core/entry_update.h"
#include "core/mmu_update.h"
#include "core/mmuext.h"
#include "core/pte.h"

namespace {

using core::Mfn;
namespace pte = core::pte;

constexpr size_t frames = 40;
constexpr size_t hv_frames = 4;
constexpr uint64_t max_pages = 20;

class Input {
public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint64_t u64() {
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= uint64_t{byte()} << (8 * i);
        return v;
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

[[noreturn]] void fail(const char* what, const std::string& detail = "") {
    std::fprintf(stderr, "fuzz-mm: %s %s\n", what, detail.c_str());
    std::abort();
}

// FUZZ_MM_STATS=1 in the environment prints, at exit, how often each
// operation succeeded and was refused: a target whose operations all fail
// tests nothing.
constexpr unsigned op_count = 14;
const char* const op_names[op_count] = {"increase", "decrease", "guest-write", "guest-write", "mmu_update",
                                        "pin", "unpin", "new-root", "update_va_mapping", "emulate-write",
                                        "emulate-cmpxchg", "drop-root", "make-l4", "build-space"};
bool stats = std::getenv("FUZZ_MM_STATS") != nullptr;
unsigned long ok_count[op_count], refused_count[op_count];
struct StatsPrinter {
    ~StatsPrinter() {
        if (!stats) return;
        for (unsigned i = 0; i < op_count; ++i)
            std::fprintf(stderr, "%-18s ok %9lu refused %9lu\n", op_names[i], ok_count[i], refused_count[i]);
    }
} stats_printer;

// The state before the operation under test, kept across inputs so that
// taking it allocates nothing once it has grown.
mmtest::World::Snapshot before;

struct Fuzzer {
    mmtest::World w{frames, hv_frames, max_pages};
    unsigned last_op = 0;
    core::MmDomain* actor = &w.a;
    Input in;

    explicit Fuzzer(Input i) : in(i) {
        // Each domain gets a special frame, as the shared page is.
        for (core::MmDomain* d : {&w.a, &w.b}) {
            Mfn f = w.pool.free_frames.back();
            w.pool.free_frames.pop_back();
            if (w.ft.assign(f, *d, true).is_error()) fail("setup");
            Mfn start[8];
            if (core::increase_reservation(w.ctx, *d, w.pool, start).is_error()) fail("setup");
        }
    }

    core::MmDomain& dom(uint8_t b) { return (b & 1) != 0 ? w.b : w.a; }
    Mfn* roots(const core::MmDomain& d) { return &d == &w.a ? w.roots_a : w.roots_b; }

    // Mostly frames of the acting domain (the ones that can succeed), else
    // any frame of the table (the other domain's, the hypervisor's, free
    // ones), sometimes beyond it.
    Mfn frame() {
        uint8_t b = in.byte();
        if (b < 176) {
            Mfn own[frames];
            size_t n = 0;
            for (uint64_t i = 0; i < frames; ++i)
                if (w.ft.owned_by(Mfn(i), actor->id)) own[n++] = Mfn(i);
            if (n > 0) return own[b % n];
        }
        return Mfn(b < 250 ? b % frames : frames + (b % 3));
    }
    uint32_t index() {
        static constexpr uint32_t interesting[] = {0, 1, 2, 255, 256, 257, 271, 272, 510, 511};
        uint8_t b = in.byte();
        return b < 160 ? interesting[b % 10] : static_cast<uint32_t>(in.byte()) * 2 + (b & 1);
    }
    uint64_t entry() {
        static constexpr uint64_t flag_sets[] = {
            0,
            pte::present | pte::rw | pte::user,
            pte::present | pte::user,
            pte::present | pte::rw,
            pte::present,
            pte::present | pte::rw | pte::accessed | pte::dirty | pte::nx,
            pte::present | pte::ps,
            pte::present | pte::global,
            pte::present | pte::pcd,
            pte::rw | pte::user,  // not present
            pte::present | (uint64_t{1} << 52),
            pte::present | pte::rw | pte::soft,
        };
        uint8_t b = in.byte();
        if (b == 255) return in.u64();
        if (b == 254) return w.hv_slots[in.byte() % pte::hv_slot_count];
        return pte::make(frame(), flag_sets[b % 12]);
    }
    uint64_t va() {
        static constexpr uint32_t top[] = {0, 1, 255, 256, 271, 272, 511};
        static constexpr uint32_t mid[] = {0, 1, 2, 511};
        uint64_t v = uint64_t{top[in.byte() % 7]} << 39;
        v |= uint64_t{mid[in.byte() % 4]} << 30;
        v |= uint64_t{mid[in.byte() % 4]} << 21;
        v |= uint64_t{mid[in.byte() % 4]} << 12;
        if ((v >> 47) != 0) v |= 0xffff000000000000ull;
        uint8_t b = in.byte();
        if (b == 255) v ^= uint64_t{1} << 60;  // not canonical
        if (b == 254) v |= 8;                  // not page-aligned
        return v;
    }

    // A guest writes to its own memory: any of its frames that is not a
    // live table (it could map those writable).
    void guest_write(core::MmDomain& d) {
        actor = &d;
        Mfn f = frame();
        uint32_t i = index() % pte::entries;
        uint64_t e = entry();
        if (!w.ft.owned_by(f, d.id)) return;
        const core::FrameInfo& fi = w.ft.info(f);
        if (core::is_page_table(fi.type) && fi.type_count > 0) return;
        w.table(f)[i] = e;
    }

    kstd::Result<void> step() {
        uint8_t op = in.byte();
        core::MmDomain& d = dom(op >> 4);
        actor = &d;
        core::FlushRequest flush;
        last_op = op % op_count;
        switch (last_op) {
        case 0: {
            Mfn got[3];
            return core::increase_reservation(w.ctx, d, w.pool, {got, 1 + in.byte() % 3u});
        }
        case 1: {
            Mfn give[2] = {frame(), frame()};
            return core::decrease_reservation(w.ctx, d, w.pool, {give, 1 + in.byte() % 2u});
        }
        case 2:
        case 3: guest_write(d); return kstd::ok();
        case 4: {
            uint8_t low = in.byte();
            uint64_t ptr = core::to_maddr(frame()).raw + index() * 8ull + (low >= 250 ? low % 8 : 0);
            return core::mmu_update_one(w.ctx, d, ptr, entry());
        }
        case 5: return core::mmuext_pin(w.ctx, d, frame(), in.byte() % 5);
        case 6: return core::mmuext_unpin(w.ctx, d, frame());
        case 7: {
            uint8_t b = in.byte();
            Mfn r = (b & 2) != 0 ? Mfn() : frame();
            return core::mmuext_new_root(w.ctx, d, &roots(d)[b & 1], r, (b & 1) != 0, true, &flush);
        }
        case 8: {
            uint8_t b = in.byte();
            uint64_t v = va(), e = entry();
            uint64_t flags = in.byte() % 9;
            // As the hypercall does (b & 4): the straight-line common case
            // first, which makes the update whole or changes nothing, and
            // then the full path.
            if ((b & 4) != 0) {
                if (core::update_va_mapping_fast(w.ctx, d, roots(d)[b & 1], v, e, flags)) return kstd::ok();
                if (!(w.snapshot() == before)) fail("update_va_mapping_fast gave up but left a trace:", diff(before));
            }
            return core::update_va_mapping(w.ctx, d, roots(d)[b & 1], v, e, flags, &flush);
        }
        case 9: {
            Mfn f = frame();
            uint32_t i = index();
            return core::emulate_pte_write(w.ctx, d, f, i, entry());
        }
        case 10: {
            Mfn f = frame();
            uint32_t i = index() % pte::entries;
            uint64_t expected = in.byte() < 128 && w.ft.valid(f) ? w.table(f)[i] : entry();
            uint64_t seen = 0;
            kstd::Result<bool> r = core::emulate_pte_cmpxchg(w.ctx, d, f, i, expected, entry(), &seen);
            if (r.is_error()) return r.error();
            return kstd::ok();
        }
        case 11: core::drop_root(w.ctx, &roots(d)[in.byte() & 1]); return kstd::ok();
        case 12: {
            // A guest starting a new address space copies the hypervisor's
            // slots into it first (random bytes would almost never).
            Mfn f = frame();
            if (!w.ft.owned_by(f, d.id)) return kstd::ok();
            const core::FrameInfo& fi = w.ft.info(f);
            if (core::is_page_table(fi.type) && fi.type_count > 0) return kstd::ok();
            for (uint32_t i = 0; i < pte::hv_slot_count; ++i) w.table(f)[pte::hv_first_slot + i] = w.hv_slots[i];
            return kstd::ok();
        }
        case 13: {
            // A guest building a small address space in its own memory
            // and pinning it (or loading it as a root): a foothold from
            // which the other operations reach live tables quickly.
            Mfn own[frames], t[5];
            size_t n = 0;
            for (uint64_t i = 0; i < frames; ++i) {
                const core::FrameInfo& fi = w.ft.info(Mfn(i));
                if (fi.owner == d.id && !(core::is_page_table(fi.type) && fi.type_count > 0)) own[n++] = Mfn(i);
            }
            if (n < 5) return kstd::ok();
            size_t first = in.byte();
            for (size_t k = 0; k < 5; ++k) t[k] = own[(first + k) % n];
            uint64_t v = va();
            for (uint32_t i = 0; i < pte::hv_slot_count; ++i) w.table(t[0])[pte::hv_first_slot + i] = w.hv_slots[i];
            const uint64_t link = pte::present | pte::rw | pte::user;
            for (int level = 4; level > 1; --level)
                w.table(t[4 - level])[pte::index_of(v, level)] = pte::make(t[5 - level], link);
            w.table(t[3])[pte::index_of(v, 1)] = pte::make(t[4], (in.byte() & 1) != 0 ? link : pte::present);
            uint8_t how = in.byte();
            w.snapshot(&before);  // the guest's writes are not the operation under test
            if ((how & 1) != 0) return core::mmuext_new_root(w.ctx, d, &roots(d)[(how >> 1) & 1], t[0], true, true, &flush);
            return core::mmuext_pin(w.ctx, d, t[0], 4);
        }
        }
        return kstd::ok();
    }

    // Where the state differs from a snapshot, for the crash report.
    std::string diff(const mmtest::World::Snapshot& s) const {
        char buf[200];
        std::snprintf(buf, sizeof buf, "op %s", op_names[last_op]);
        std::string out = buf;
        for (size_t i = 0; i < frames; ++i) {
            const core::FrameInfo &x = s.infos[i], &y = w.infos[i];
            if (x.owner != y.owner || x.type_count != y.type_count || x.ref_count != y.ref_count || x.flags != y.flags ||
                (x.type != y.type && x.type_count != 0)) {
                std::snprintf(buf, sizeof buf, "; frame %zu: owner %u->%u type %s->%s tc %u->%u rc %u->%u flags %u->%u", i,
                              x.owner, y.owner, core::frame_type_name(x.type), core::frame_type_name(y.type),
                              x.type_count, y.type_count, x.ref_count, y.ref_count, x.flags, y.flags);
                out += buf;
            }
        }
        int shown = 0;
        for (size_t i = 0; i < s.memory.size() && shown < 8; ++i)
            if (s.memory[i] != w.memory[i]) {
                ++shown;
                std::snprintf(buf, sizeof buf, "; frame %zu entry %zu: %#llx -> %#llx", i / 512, i % 512,
                              static_cast<unsigned long long>(s.memory[i]), static_cast<unsigned long long>(w.memory[i]));
                out += buf;
            }
        if (s.a_tot != w.a.tot_pages || s.b_tot != w.b.tot_pages) out += "; tot_pages";
        if (!(s.pool == w.pool.free_frames)) out += "; pool";
        return out;
    }

    void run() {
        for (int n = 0; n < 400 && !in.done(); ++n) {
            w.snapshot(&before);
            kstd::Result<void> r = step();
            if (stats) ++(r.is_ok() ? ok_count : refused_count)[last_op];
            std::string v = w.check();
            if (!v.empty()) fail("invariant violated:", v);
            if (r.is_error() && !(w.snapshot() == before)) fail("a refused operation left a trace:", diff(before));
        }
        for (core::MmDomain* d : {&w.a, &w.b}) {
            core::drop_root(w.ctx, &roots(*d)[0]);
            core::drop_root(w.ctx, &roots(*d)[1]);
            if (core::release_domain(w.ctx, *d, w.pool).is_error()) fail("release_domain refused");
        }
        std::string v = w.check();
        if (!v.empty()) fail("invariant violated after release:", v);
        for (uint64_t i = hv_frames; i < frames; ++i) {
            const core::FrameInfo& fi = w.ft.info(Mfn(i));
            if (fi.owner != core::owner_none || fi.ref_count != 0 || fi.type_count != 0) fail("frame left owned");
        }
        if (w.pool.free_frames.size() != frames - hv_frames) fail("frames lost from the pool");
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Fuzzer f{Input(data, size)};
    f.run();
    return 0;
}
