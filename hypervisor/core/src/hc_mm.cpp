// The memory hypercalls: mmu_update, mmuext_op, update_va_mapping and
// memory_op (SPEC.md section 6). Each decodes and range-checks its
// arguments, copies guest arrays in small chunks onto the stack, and runs
// the core operations (mmu_update.h, mmuext.h, memory_op.h) under the
// memory-management lock. Array calls stop at the first refused element;
// the elements before it stay done, and their number is reported.
#include <pvisor/mm.h>

#include "core/entry_update.h"
#include "core/hypercall.h"
#include "core/mm_services.h"
#include "core/mmu_update.h"
#include "core/mmuext.h"

namespace core {
namespace {

using kstd::Error;

static_assert(sizeof(MmuUpdate) == sizeof(pv_mmu_update_req), "mmu_update elements are copied as they are");
static_assert(mmu_update_max == PV_MMU_UPDATE_MAX && memory_op_max == PV_MEMOP_MAX_FRAMES);
static_assert(sizeof(Mfn) == sizeof(uint64_t), "frame arrays are copied as they are");
static_assert(uvm_flush_tlb == PV_UVMF_TLB_FLUSH && uvm_invlpg == PV_UVMF_INVLPG && uvm_all == PV_UVMF_ALL);

// Elements copied in at a time: small enough for the hypervisor stack.
constexpr size_t chunk = 32;

// memory_op's frame arrays, too big for the stack. Guarded by the
// memory-management lock: used only inside mm_locked.
constinit Mfn g_frames[memory_op_max];

// An optional "done" out-pointer (0: none).
bool out_ptr_ok(uint64_t va) { return va == 0 || guest_range_ok(va, sizeof(uint64_t)); }

kstd::Result<void> write_done(HypercallContext& ctx, uint64_t va, uint64_t n) {
    if (va == 0) return kstd::ok();
    return ctx.mem.copy_to(Gva(va), &n, sizeof n);
}

HypercallResult finish(HypercallContext& ctx, uint64_t done_va, uint64_t done, kstd::Result<void> first) {
    kstd::Result<void> w = write_done(ctx, done_va, done);
    if (first.is_error()) return hc_error(first.error());
    return w.is_error() ? hc_error(w.error()) : 0;
}

// A root operation (NEW_BASEPTR, NEW_USER_BASEPTR), under the lock. A
// process switch is two of these in one call, so they are tested for
// before the other commands.
[[gnu::always_inline]] inline kstd::Result<void> mmuext_root(MmServices& s, MmContext& mm, Vcpu& v, bool user, Mfn f) {
    bool live = v.mode == (user ? VcpuMode::user : VcpuMode::kernel);
    FlushRequest reload;
    TRY(mmuext_new_root(mm, v.domain->mm, user ? &v.user_root : &v.kernel_root, f, user, live, &reload));
    // At once, not with the batch's flushes: the old root may have lost
    // its last reference and must not stay loaded.
    if (!reload.empty()) s.flush(v, reload);
    return kstd::ok();
}

// One mmuext operation, under the lock.
kstd::Result<void> mmuext_one(MmServices& s, MmContext& mm, Vcpu& v, const pv_mmuext_req& op, FlushRequest* flush) {
    if (op.pad != 0 || op.arg2 != 0) [[unlikely]]
        return Error::inval;
    Mfn f(op.arg1);
    if (op.cmd == PV_MMUEXT_NEW_BASEPTR) return mmuext_root(s, mm, v, false, f);
    if (op.cmd == PV_MMUEXT_NEW_USER_BASEPTR) return mmuext_root(s, mm, v, true, f);
    MmDomain& d = v.domain->mm;
    switch (op.cmd) {
    case PV_MMUEXT_PIN_L1_TABLE:
    case PV_MMUEXT_PIN_L2_TABLE:
    case PV_MMUEXT_PIN_L3_TABLE:
    case PV_MMUEXT_PIN_L4_TABLE:
        return mmuext_pin(mm, d, f, static_cast<int>(op.cmd - PV_MMUEXT_PIN_L1_TABLE) + 1);
    case PV_MMUEXT_UNPIN_TABLE: return mmuext_unpin(mm, d, f);
    case PV_MMUEXT_TLB_FLUSH_LOCAL:
    case PV_MMUEXT_TLB_FLUSH_ALL:
        if (op.arg1 != 0) return Error::inval;
        mmuext_flush(flush, op.cmd == PV_MMUEXT_TLB_FLUSH_ALL);
        return kstd::ok();
    case PV_MMUEXT_INVLPG_LOCAL:
    case PV_MMUEXT_INVLPG_ALL: return mmuext_invlpg(flush, op.arg1, op.cmd == PV_MMUEXT_INVLPG_ALL);
    default: return Error::nosys;
    }
}

// Frames of d (not special), lowest first, from the start-th on.
size_t frames_from(const FrameTable& ft, const MmDomain& d, uint64_t start, kstd::span<Mfn> out, uint64_t* total) {
    size_t n = 0;
    uint64_t rank = 0;
    for (uint64_t i = 0; i < ft.size(); ++i) {
        const FrameInfo& fi = ft.info(Mfn(i));
        if (fi.owner != d.id || fi.has(frame_flag::special)) continue;
        if (rank >= start && n < out.size()) out[n++] = Mfn(i);
        ++rank;
    }
    *total = rank;
    return n;
}

HypercallResult reservation(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    pv_memory_reservation r;
    if (ctx.mem.copy_from(&r, Gva(arg), sizeof r).is_error()) return hc_error(Error::fault);
    if (r.pad != 0) return hc_error(Error::inval);
    if (r.domid != PV_DOMID_SELF && r.domid != ctx.domain.id) return hc_error(Error::srch);
    if (r.nr_frames > memory_op_max) return hc_error(Error::too_big);
    if (r.nr_frames == 0) return 0;
    if (!guest_range_ok(r.frames, r.nr_frames * sizeof(uint64_t))) return hc_error(Error::fault);
    size_t n = r.nr_frames;
    return mm_locked([&](MmServices& s) -> HypercallResult {
        kstd::span<Mfn> frames(g_frames, n);
        MmDomain& d = ctx.domain.mm;
        if (cmd == PV_MEMOP_decrease_reservation) {
            if (ctx.mem.copy_from(g_frames, Gva(r.frames), n * sizeof(Mfn)).is_error()) return hc_error(Error::fault);
            kstd::Result<void> res = decrease_reservation(s.context(), d, s.pool(), frames);
            return res.is_error() ? hc_error(res.error()) : static_cast<HypercallResult>(n);
        }
        kstd::Result<void> res = increase_reservation(s.context(), d, s.pool(), frames);
        if (res.is_error()) return hc_error(res.error());
        if (ctx.mem.copy_to(Gva(r.frames), g_frames, n * sizeof(Mfn)).is_error()) {
            // The guest cannot learn the frames, so it cannot use or return
            // them: take them back. They are unreferenced, so this succeeds.
            (void)decrease_reservation(s.context(), d, s.pool(), frames);
            return hc_error(Error::fault);
        }
        return static_cast<HypercallResult>(n);
    });
}

HypercallResult frame_list(HypercallContext& ctx, uint64_t arg) {
    pv_memory_frame_list l;
    if (ctx.mem.copy_from(&l, Gva(arg), sizeof l).is_error()) return hc_error(Error::fault);
    if (l.max_frames > memory_op_max) return hc_error(Error::too_big);
    if (l.max_frames != 0 && !guest_range_ok(l.frames, l.max_frames * sizeof(uint64_t))) return hc_error(Error::fault);
    return mm_locked([&](MmServices& s) -> HypercallResult {
        uint64_t total = 0;
        size_t n = frames_from(s.context().frames, ctx.domain.mm, l.start, kstd::span<Mfn>(g_frames, l.max_frames),
                               &total);
        if (n != 0 && ctx.mem.copy_to(Gva(l.frames), g_frames, n * sizeof(Mfn)).is_error())
            return hc_error(Error::fault);
        return static_cast<HypercallResult>(total);
    });
}

}  // namespace

HypercallResult hc_mmu_update(HypercallContext& ctx, uint64_t reqs, uint64_t count, uint64_t done) {
    if (!mm_available()) return hc_error(Error::nosys);
    if (kstd::Result<void> r = check_mmu_update_array(reqs, count); r.is_error()) return hc_error(r.error());
    if (!out_ptr_ok(done)) return hc_error(Error::fault);
    uint64_t made = 0;
    kstd::Result<void> first = kstd::ok();
    MmuUpdate buf[chunk];
    while (made < count) {
        size_t n = count - made < chunk ? static_cast<size_t>(count - made) : chunk;
        if (ctx.mem.copy_from(buf, Gva(reqs + made * sizeof(MmuUpdate)), n * sizeof(MmuUpdate)).is_error()) {
            first = Error::fault;
            break;
        }
        size_t did = 0;
        first = mm_locked([&](MmServices& s) {
            return mmu_update_batch(s.context(), ctx.domain.mm, kstd::span<const MmuUpdate>(buf, n), &did);
        });
        made += did;
        if (first.is_error()) break;
    }
    ctx.vcpu.pt_updates += made;
    return finish(ctx, done, made, first);
}

namespace {

// A process switch's call, exactly [NEW_BASEPTR k, NEW_USER_BASEPTR u]
// with k and u already validated L4 tables of the caller (as a guest keeps
// its roots pinned): straight-line, no chunk loop and no per-operation
// dispatch. It changes nothing and returns false unless all of that holds;
// then the general loop below decides, and gives any error. The end state
// is the general path's: both references taken, the old roots' dropped,
// CR3 reloaded with k (a hypercall comes from kernel mode, so the kernel
// root is the live one).
bool mmuext_root_pair_fast(HypercallContext& ctx, uint64_t ops) {
    pv_mmuext_req req[2];
    if (!ctx.mem.read(req, Gva(ops), sizeof req)) [[unlikely]]
        return false;
    if (req[0].cmd != PV_MMUEXT_NEW_BASEPTR || req[1].cmd != PV_MMUEXT_NEW_USER_BASEPTR ||
        (req[0].pad | req[0].arg2 | req[1].pad | req[1].arg2) != 0 || req[0].arg1 == 0 || req[1].arg1 == 0)
        return false;
    Vcpu& v = ctx.vcpu;
    if (v.mode != VcpuMode::kernel) [[unlikely]]
        return false;
    Mfn k(req[0].arg1), u(req[1].arg1);
    return mm_locked([&](MmServices& s) {
        MmContext& mm = s.context();
        pv_domid_t id = v.domain->mm.id;
        if (!mm.frames.try_get_fast(k, id, FrameType::l4)) [[unlikely]]
            return false;
        if (!mm.frames.try_get_fast(u, id, FrameType::l4)) [[unlikely]] {
            put_table_ref(mm, k);  // not its last: k was validated before
            return false;
        }
        if (v.kernel_root.raw != 0) put_table_ref(mm, v.kernel_root);
        if (v.user_root.raw != 0) put_table_ref(mm, v.user_root);
        v.kernel_root = k;
        v.user_root = u;
        s.reload_kernel_root(v);
        return true;
    });
}

// Every mmuext_op other than mmuext_root_pair_fast's.
[[gnu::noinline]] HypercallResult mmuext_op_general(HypercallContext& ctx, uint64_t ops, uint64_t count,
                                                    uint64_t done) {
    if (!mm_available()) return hc_error(Error::nosys);
    if (count > PV_MMUEXT_OP_MAX) return hc_error(Error::too_big);
    if (count != 0 && !guest_range_ok(ops, count * sizeof(pv_mmuext_req))) return hc_error(Error::fault);
    if (!out_ptr_ok(done)) return hc_error(Error::fault);
    uint64_t made = 0;
    kstd::Result<void> first = kstd::ok();
    FlushRequest flush;
    // Most calls carry one or two operations (a root switch is two), so
    // the buffer holds a small chunk: the copy is of count elements only.
    pv_mmuext_req buf[chunk];
    while (made < count) {
        size_t n = count - made < chunk ? static_cast<size_t>(count - made) : chunk;
        if (ctx.mem.copy_from(buf, Gva(ops + made * sizeof(pv_mmuext_req)), n * sizeof(pv_mmuext_req)).is_error()) {
            first = Error::fault;
            break;
        }
        // One lock section per chunk: no operation switches vCPUs. The
        // last one also carries out the flushes of the operations made
        // (all of them, or those before a refusal).
        size_t did = 0;
        first = mm_locked([&](MmServices& s) -> kstd::Result<void> {
            MmContext& mm = s.context();
            kstd::Result<void> r = kstd::ok();
            for (; did < n; ++did) {
                r = mmuext_one(s, mm, ctx.vcpu, buf[did], &flush);
                if (r.is_error()) [[unlikely]]
                    break;
            }
            if ((r.is_error() || made + did == count) && !flush.empty()) {
                s.flush(ctx.vcpu, flush);
                flush = FlushRequest{};
            }
            return r;
        });
        made += did;
        if (first.is_error()) break;
    }
    // The flushes of the operations made before a copy faulted.
    if (!flush.empty()) mm_locked([&](MmServices& s) { s.flush(ctx.vcpu, flush); });
    return finish(ctx, done, made, first);
}

}  // namespace

HypercallResult hc_mmuext_op(HypercallContext& ctx, uint64_t ops, uint64_t count, uint64_t done) {
    // read checks the range, and the general path gives the errors. The
    // general call with constants: nothing kept alive across the fast path.
    if (count == 2 && done == 0 && mm_available()) [[likely]] {
        if (mmuext_root_pair_fast(ctx, ops)) [[likely]]
            return 0;
        return mmuext_op_general(ctx, ops, 2, 0);
    }
    return mmuext_op_general(ctx, ops, count, done);
}

namespace {

// update_va_mapping other than in its common case: the full path, which
// makes every check in order and gives every refusal's error. Out of line,
// so that the common case keeps nothing alive for it.
[[gnu::noinline]] HypercallResult update_va_mapping_full(HypercallContext& ctx, uint64_t va, uint64_t val,
                                                         uint64_t flags) {
    Vcpu& v = ctx.vcpu;
    kstd::Result<void> r = mm_locked([&](MmServices& s) -> kstd::Result<void> {
        Mfn root = v.mode == VcpuMode::kernel ? v.kernel_root : v.user_root;
        FlushRequest flush;
        TRY(update_va_mapping(s.context(), ctx.domain.mm, root, va, val, flags, &flush));
        ++v.pt_updates;
        if (!flush.empty()) s.flush(v, flush);
        return kstd::ok();
    });
    return r.is_error() ? hc_error(r.error()) : 0;
}

// The flush update_va_mapping_fast leaves to its caller; out of line, so
// that the update keeps no request on the stack.
[[gnu::noinline]] void uvm_flush(MmServices& s, Vcpu& v, uint64_t va, uint64_t flags) {
    s.flush(v, uvm_flush_of(va, flags));
}

}  // namespace

HypercallResult hc_update_va_mapping(HypercallContext& ctx, uint64_t va, uint64_t val, uint64_t flags) {
    if (!mm_available()) return hc_error(Error::nosys);
    // The checks of the arguments alone first, outside the lock (the fast
    // path makes them again; the compiler keeps one copy).
    if (!uvm_flags_valid(flags) || !uvm_va_ok(va)) [[unlikely]]
        return update_va_mapping_full(ctx, va, val, flags);
    Vcpu& v = ctx.vcpu;
    // The common case under one lock section; if it changed nothing, the
    // lock is let go and the full path starts afresh (which is as if the
    // call had come a moment later).
    bool made = mm_locked([&](MmServices& s) {
        // Hypercalls come from kernel mode, so the live root is the kernel
        // root (else the full path picks it).
        if (v.mode != VcpuMode::kernel) [[unlikely]]
            return false;
        if (!update_va_mapping_fast(s.context(), ctx.domain.mm, v.kernel_root, va, val, flags)) [[unlikely]]
            return false;
        ++v.pt_updates;
        if ((flags & 3) != 0) uvm_flush(s, v, va, flags);
        return true;
    });
    if (!made) [[unlikely]]
        return update_va_mapping_full(ctx, va, val, flags);
    return 0;
}

HypercallResult hc_memory_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    if (!mm_available()) return hc_error(Error::nosys);
    switch (cmd) {
    case PV_MEMOP_increase_reservation:
    case PV_MEMOP_decrease_reservation: return reservation(ctx, cmd, arg);
    case PV_MEMOP_current_reservation:
        return mm_locked([&](MmServices&) { return static_cast<HypercallResult>(ctx.domain.mm.tot_pages); });
    case PV_MEMOP_maximum_reservation:
        return mm_locked([&](MmServices&) { return static_cast<HypercallResult>(ctx.domain.mm.max_pages); });
    case PV_MEMOP_frame_list: return frame_list(ctx, arg);
    default: return hc_error(Error::nosys);
    }
}

}  // namespace core
