// The memory hypercalls as a guest makes them (core/src/hc_mm.cpp,
// hc_multicall.cpp): arrays copied from guest memory, done counts, the
// flushes handed to the hypervisor, the reservation calls, multicall's
// rules, and the trapped-write emulation (core/pte_emulate.h).
#include <gtest/gtest.h>

#include <pvisor/hypercall_numbers.h>
#include <pvisor/mm.h>
#include <pvisor/version.h>

#include "../fake_guest.h"
#include "core/mm_services.h"
#include "core/mmu_update.h"
#include "core/mmuext.h"
#include "core/pte_emulate.h"
#include "mm_world.h"

namespace {

using core::Mfn;
using mmtest::entry_ptr;
using mmtest::map_ro;
using mmtest::map_rw;
namespace pte = core::pte;

constexpr uint64_t va = 0x400000;

struct Services final : core::MmServices {
    mmtest::World& w;
    std::vector<core::FlushRequest> flushes;
    explicit Services(mmtest::World& world) : MmServices(world.ctx), w(world) {}
    core::FramePool& pool() override { return w.pool; }
    void flush(core::Vcpu&, const core::FlushRequest& r) override { flushes.push_back(r); }
};

class HcMmTest : public ::testing::Test {
protected:
    HcMmTest() : svc(w) { core::mm_set_services(&svc); }
    void SetUp() override {
        g.domain.mm = w.a;
        s = w.space(g.domain.mm, va);
        ASSERT_TRUE(core::mmuext_pin(w.ctx, g.domain.mm, s.l4, 4).is_ok());
        g.vcpu.kernel_root = Mfn();
        ASSERT_TRUE(core::mmuext_new_root(w.ctx, g.domain.mm, &g.vcpu.kernel_root, s.l4, false, false, &ignored).is_ok());
        g.vcpu.user_root = Mfn();
    }
    ~HcMmTest() override { core::mm_set_services(nullptr); }

    std::string check() {
        w.a = g.domain.mm;
        w.roots_a[0] = g.vcpu.kernel_root;
        w.roots_a[1] = g.vcpu.user_root;
        return w.check();
    }
    uint64_t buf(size_t i = 0) { return fake::FakeGuest::mem_base + 4096 * i; }

    mmtest::World w;
    Services svc;
    fake::FakeGuest g;
    mmtest::World::Space s{};
    core::FlushRequest ignored;
};

TEST_F(HcMmTest, MmuUpdateCopiesTheArrayAndReportsDone) {
    Mfn d2 = w.frame(g.domain.mm);
    pv_mmu_update_req reqs[2] = {{entry_ptr(s.l1, 1), map_ro(d2)}, {entry_ptr(s.l1, 2), map_rw(d2)}};
    g.mem.put(buf(), reqs);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_mmu_update, buf(), 2, buf(1)));
    EXPECT_EQ(2u, g.mem.get<uint64_t>(buf(1)));
    EXPECT_EQ(map_rw(d2), w.table(s.l1)[2]);
    EXPECT_EQ("", check());

    // The second of three refused: the first stays done, the third is not made.
    pv_mmu_update_req more[3] = {{entry_ptr(s.l1, 3), map_ro(d2)}, {entry_ptr(s.l1, 4), map_rw(s.l4)},
                                 {entry_ptr(s.l1, 5), map_ro(d2)}};
    g.mem.put(buf(), more);
    EXPECT_EQ(-PV_EBUSY, g.hypercall(PV_HYPERCALL_mmu_update, buf(), 3, buf(1)));
    EXPECT_EQ(1u, g.mem.get<uint64_t>(buf(1)));
    EXPECT_EQ(map_ro(d2), w.table(s.l1)[3]);
    EXPECT_EQ(0u, w.table(s.l1)[5] & pte::present);
    EXPECT_EQ("", check());
}

TEST_F(HcMmTest, MmuUpdateRefusesBadArrays) {
    EXPECT_EQ(-PV_E2BIG, g.hypercall(PV_HYPERCALL_mmu_update, buf(), PV_MMU_UPDATE_MAX + 1, 0));
    EXPECT_EQ(-PV_E2BIG, g.hypercall(PV_HYPERCALL_mmu_update, buf(), uint64_t{1} << 60, 0));
    EXPECT_EQ(-PV_EFAULT, g.hypercall(PV_HYPERCALL_mmu_update, 0xffff830000000000, 1, 0));
    EXPECT_EQ(-PV_EFAULT, g.hypercall(PV_HYPERCALL_mmu_update, buf(), 1, 0xffff830000000000));
    g.mem.unmap(buf(2), 4096);
    EXPECT_EQ(-PV_EFAULT, g.hypercall(PV_HYPERCALL_mmu_update, buf(2), 1, buf(1)));
    EXPECT_EQ(0u, g.mem.get<uint64_t>(buf(1)));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_mmu_update, buf(), 0, 0));
}

TEST_F(HcMmTest, ChunksOfManyUpdates) {
    std::vector<pv_mmu_update_req> reqs;
    for (uint32_t i = 0; i < 100; ++i) reqs.push_back({entry_ptr(s.l1, 10 + i), map_ro(s.data)});
    std::memcpy(g.mem.at(buf(), reqs.size() * 16), reqs.data(), reqs.size() * 16);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_mmu_update, buf(), reqs.size(), buf(4)));
    EXPECT_EQ(100u, g.mem.get<uint64_t>(buf(4)));
    EXPECT_EQ(101u + 0, w.ft.info(s.data).ref_count);
    EXPECT_EQ("", check());
}

TEST_F(HcMmTest, MmuextPinsLoadsRootsAndFlushes) {
    Mfn l4 = w.fresh_l4(g.domain.mm);
    pv_mmuext_req ops[4] = {{PV_MMUEXT_PIN_L4_TABLE, 0, l4.raw, 0},
                            {PV_MMUEXT_NEW_BASEPTR, 0, l4.raw, 0},
                            {PV_MMUEXT_NEW_USER_BASEPTR, 0, s.l4.raw, 0},
                            {PV_MMUEXT_INVLPG_LOCAL, 0, va + 5, 0}};
    g.mem.put(buf(), ops);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 4, buf(1)));
    EXPECT_EQ(4u, g.mem.get<uint64_t>(buf(1)));
    EXPECT_EQ(l4, g.vcpu.kernel_root);
    EXPECT_EQ(s.l4, g.vcpu.user_root);
    // The live root changed: reloaded at once; then the batch's invlpg.
    ASSERT_EQ(2u, svc.flushes.size());
    EXPECT_EQ(core::FlushRequest::local_all, svc.flushes[0].what);
    EXPECT_EQ(core::FlushRequest::local_page, svc.flushes[1].what);
    EXPECT_EQ(va, svc.flushes[1].va);
    EXPECT_EQ("", check());

    pv_mmuext_req bad[3] = {{PV_MMUEXT_UNPIN_TABLE, 0, l4.raw, 0},
                            {PV_MMUEXT_UNPIN_TABLE, 0, l4.raw, 0},
                            {PV_MMUEXT_TLB_FLUSH_ALL, 0, 0, 0}};
    g.mem.put(buf(), bad);
    EXPECT_EQ(-PV_EINVAL, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 3, buf(1)));
    EXPECT_EQ(1u, g.mem.get<uint64_t>(buf(1)));
    pv_mmuext_req odd[3] = {{PV_MMUEXT_TLB_FLUSH_LOCAL, 1, 0, 0}, {PV_MMUEXT_TLB_FLUSH_LOCAL, 0, 0, 1}, {8, 0, 0, 0}};
    for (const auto& op : odd) {
        g.mem.put(buf(), op);
        EXPECT_NE(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 1, 0));
    }
    EXPECT_EQ(-PV_E2BIG, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), PV_MMUEXT_OP_MAX + 1, 0));
    EXPECT_EQ("", check());
}

// A process switch's call (exactly NEW_BASEPTR then NEW_USER_BASEPTR, no
// done pointer) takes a straight-line path when both roots are validated
// L4s; anything else about the pair goes to the general loop, which must
// give the same errors and leave nothing changed.
TEST_F(HcMmTest, RootPairSwitchesBothRootsOrChangesNothing) {
    Mfn k = w.fresh_l4(g.domain.mm), u = w.fresh_l4(g.domain.mm);
    pv_mmuext_req pin[2] = {{PV_MMUEXT_PIN_L4_TABLE, 0, k.raw, 0}, {PV_MMUEXT_PIN_L4_TABLE, 0, u.raw, 0}};
    g.mem.put(buf(), pin);
    ASSERT_EQ(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, 0));
    uint32_t k_refs = w.ft.info(k).ref_count, k_types = w.ft.info(k).type_count;
    uint32_t old_types = w.ft.info(s.l4).type_count;
    svc.flushes.clear();

    pv_mmuext_req pair[2] = {{PV_MMUEXT_NEW_BASEPTR, 0, k.raw, 0}, {PV_MMUEXT_NEW_USER_BASEPTR, 0, u.raw, 0}};
    g.mem.put(buf(), pair);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, 0));
    EXPECT_EQ(k, g.vcpu.kernel_root);
    EXPECT_EQ(u, g.vcpu.user_root);
    EXPECT_EQ(k_refs + 1, w.ft.info(k).ref_count);
    EXPECT_EQ(k_types + 1, w.ft.info(k).type_count);
    EXPECT_EQ(old_types - 1, w.ft.info(s.l4).type_count);  // the old kernel root's reference dropped
    ASSERT_EQ(1u, svc.flushes.size());                      // the live root reloaded, once
    EXPECT_EQ(core::FlushRequest::local_all, svc.flushes[0].what);
    EXPECT_EQ("", check());

    // The same pair again: the references are taken before the old ones
    // are dropped, so nothing reaches zero.
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, 0));
    EXPECT_EQ(k_refs + 1, w.ft.info(k).ref_count);
    EXPECT_EQ("", check());

    // A user root that is not a table: the general path refuses it after
    // making the first operation, as for any batch.
    Mfn data = w.frame(g.domain.mm);
    pv_mmuext_req bad_user[2] = {{PV_MMUEXT_NEW_BASEPTR, 0, s.l4.raw, 0},
                                 {PV_MMUEXT_NEW_USER_BASEPTR, 0, data.raw, 0}};
    g.mem.put(buf(), bad_user);
    EXPECT_NE(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, buf(1)));
    EXPECT_EQ(1u, g.mem.get<uint64_t>(buf(1)));
    EXPECT_EQ(s.l4, g.vcpu.kernel_root);
    EXPECT_EQ(u, g.vcpu.user_root);
    EXPECT_EQ(k_refs, w.ft.info(k).ref_count);
    EXPECT_EQ("", check());
    g.mem.put(buf(), bad_user);
    EXPECT_NE(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, 0));  // the fast path's own refusal
    EXPECT_EQ("", check());

    // Another domain's root, a zero root, the operations swapped, a
    // nonzero pad: never taken by the fast path's checks.
    Mfn theirs = w.fresh_l4(w.b);
    for (pv_mmuext_req p : {pv_mmuext_req{PV_MMUEXT_NEW_BASEPTR, 0, theirs.raw, 0},
                            pv_mmuext_req{PV_MMUEXT_NEW_BASEPTR, 0, 0, 0}}) {
        pv_mmuext_req two[2] = {p, {PV_MMUEXT_NEW_USER_BASEPTR, 0, u.raw, 0}};
        g.mem.put(buf(), two);
        EXPECT_NE(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, 0));
        EXPECT_EQ(s.l4, g.vcpu.kernel_root);
    }
    pv_mmuext_req swapped[2] = {{PV_MMUEXT_NEW_USER_BASEPTR, 0, k.raw, 0}, {PV_MMUEXT_NEW_BASEPTR, 0, u.raw, 0}};
    g.mem.put(buf(), swapped);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, 0));  // legal, by the general loop
    EXPECT_EQ(u, g.vcpu.kernel_root);
    EXPECT_EQ(k, g.vcpu.user_root);
    pv_mmuext_req padded[2] = {{PV_MMUEXT_NEW_BASEPTR, 1, k.raw, 0}, {PV_MMUEXT_NEW_USER_BASEPTR, 0, u.raw, 0}};
    g.mem.put(buf(), padded);
    EXPECT_EQ(-PV_EINVAL, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 2, 0));
    EXPECT_EQ(u, g.vcpu.kernel_root);
    g.mem.unmap(buf(2), 4096);
    EXPECT_EQ(-PV_EFAULT, g.hypercall(PV_HYPERCALL_mmuext_op, buf(2) - 24, 2, 0));  // second element unmapped
    EXPECT_EQ(u, g.vcpu.kernel_root);
    EXPECT_EQ("", check());
}

TEST_F(HcMmTest, UpdateVaMappingUsesTheLiveRoot) {
    Mfn d2 = w.frame(g.domain.mm);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_update_va_mapping, va + 4096, map_rw(d2), PV_UVMF_INVLPG));
    EXPECT_EQ(map_rw(d2), w.table(s.l1)[1]);
    ASSERT_EQ(1u, svc.flushes.size());
    EXPECT_EQ(va + 4096, svc.flushes[0].va);
    EXPECT_EQ(-PV_EINVAL, g.hypercall(PV_HYPERCALL_update_va_mapping, va, 0, 8));
    EXPECT_EQ(-PV_EBUSY, g.hypercall(PV_HYPERCALL_update_va_mapping, va, map_rw(s.l1), 0));
    EXPECT_EQ(-PV_EPERM, g.hypercall(PV_HYPERCALL_update_va_mapping, va, map_ro(Mfn(1)), 0));
    EXPECT_EQ("", check());
}

TEST_F(HcMmTest, ReservationGrowsAndShrinks) {
    uint64_t before = g.domain.mm.tot_pages;
    pv_memory_reservation r{buf(1), 3, PV_DOMID_SELF, 0};
    g.mem.put(buf(), r);
    EXPECT_EQ(3, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_increase_reservation, buf()));
    EXPECT_EQ(before + 3, g.domain.mm.tot_pages);
    EXPECT_EQ(static_cast<int64_t>(before + 3), g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_current_reservation, 0));
    EXPECT_EQ(96, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_maximum_reservation, 0));
    uint64_t got = g.mem.get<uint64_t>(buf(1));
    EXPECT_TRUE(w.ft.owned_by(Mfn(got), g.domain.mm.id));
    EXPECT_EQ(3, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_decrease_reservation, buf()));
    EXPECT_EQ(before, g.domain.mm.tot_pages);
    EXPECT_EQ("", check());

    // The frames cannot be written out: taken back.
    g.mem.make_read_only(buf(1), 4096);
    EXPECT_EQ(-PV_EFAULT, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_increase_reservation, buf()));
    EXPECT_EQ(before, g.domain.mm.tot_pages);
    // Refusals.
    g.mem.put(buf(), pv_memory_reservation{buf(2), 1, 7, 0});
    EXPECT_EQ(-PV_ESRCH, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_increase_reservation, buf()));
    g.mem.put(buf(), pv_memory_reservation{buf(2), 1, PV_DOMID_SELF, 1});
    EXPECT_EQ(-PV_EINVAL, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_increase_reservation, buf()));
    g.mem.put(buf(), pv_memory_reservation{buf(2), 513, PV_DOMID_SELF, 0});
    EXPECT_EQ(-PV_E2BIG, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_increase_reservation, buf()));
    g.mem.put(buf(), pv_memory_reservation{buf(2), 1, PV_DOMID_SELF, 0});
    g.mem.put(buf(2), s.data.raw);
    EXPECT_EQ(-PV_EBUSY, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_decrease_reservation, buf()));
    EXPECT_EQ(-PV_ENOSYS, g.hypercall(PV_HYPERCALL_memory_op, 99, buf()));
    EXPECT_EQ("", check());
}

TEST_F(HcMmTest, FrameListPages) {
    uint64_t total = g.domain.mm.tot_pages;
    g.mem.put(buf(), pv_memory_frame_list{buf(1), 2, 1});
    EXPECT_EQ(static_cast<int64_t>(total), g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_frame_list, buf()));
    std::vector<Mfn> all(256);
    size_t n = core::list_frames(w.ft, g.domain.mm, {all.data(), all.size()});
    ASSERT_EQ(total, n);
    EXPECT_EQ(all[1].raw, g.mem.get<uint64_t>(buf(1)));
    EXPECT_EQ(all[2].raw, g.mem.get<uint64_t>(buf(1) + 8));
    g.mem.put(buf(), pv_memory_frame_list{buf(1), 513, 0});
    EXPECT_EQ(-PV_E2BIG, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_frame_list, buf()));
}

TEST_F(HcMmTest, WithoutServicesTheCallsDoNotExist) {
    core::mm_set_services(nullptr);
    EXPECT_EQ(-PV_ENOSYS, g.hypercall(PV_HYPERCALL_mmu_update, buf(), 0, 0));
    EXPECT_EQ(-PV_ENOSYS, g.hypercall(PV_HYPERCALL_mmuext_op, buf(), 0, 0));
    EXPECT_EQ(-PV_ENOSYS, g.hypercall(PV_HYPERCALL_update_va_mapping, va, 0, 0));
    EXPECT_EQ(-PV_ENOSYS, g.hypercall(PV_HYPERCALL_memory_op, PV_MEMOP_current_reservation, 0));
}

TEST_F(HcMmTest, MulticallRunsEachEntryAndRefusesNesting) {
    pv_multicall_entry calls[3] = {};
    calls[0].op = PV_HYPERCALL_version;
    calls[0].args[0] = PV_VERSIONOP_version;
    calls[1].op = PV_HYPERCALL_multicall;
    calls[1].args[0] = buf();
    calls[1].args[1] = 1;
    calls[2].op = PV_HYPERCALL_update_va_mapping;
    calls[2].args[0] = va;
    calls[2].args[1] = 0;
    g.mem.put(buf(), calls);
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_multicall, buf(), 3));
    decltype(calls) out;
    std::memcpy(out, g.mem.at(buf(), sizeof out), sizeof out);
    EXPECT_EQ(PVISOR_ABI_VERSION, out[0].result);
    EXPECT_EQ(-PV_EINVAL, out[1].result);
    EXPECT_EQ(0, out[2].result);
    EXPECT_EQ(0u, w.table(s.l1)[0]);
    EXPECT_EQ(-PV_E2BIG, g.hypercall(PV_HYPERCALL_multicall, buf(), PV_MULTICALL_MAX + 1));
    EXPECT_EQ(-PV_EFAULT, g.hypercall(PV_HYPERCALL_multicall, 0xffff830000000000, 1));
    EXPECT_EQ(0, g.hypercall(PV_HYPERCALL_multicall, buf(), 0));
    EXPECT_EQ("", check());
}

TEST_F(HcMmTest, MulticallStopsWhenAnEntryLeavesKernelMode) {
    // An iret with a frame for user mode: entry 1 must not run.
    pv_frame f{};
    f.rip = 0x401000;
    f.rsp = 0x402000;
    f.cs = PV_GUEST_CS;
    f.ss = PV_GUEST_SS;
    f.rflags = 0x202;
    f.flags = PV_FRAME_FROM_USER;
    g.vcpu.user_root = s.l4;
    g.mem.put(g.regs.rsp, f);
    pv_multicall_entry calls[2] = {};
    calls[0].op = PV_HYPERCALL_iret;
    calls[0].result = 0x1111;
    calls[1].op = PV_HYPERCALL_update_va_mapping;
    calls[1].args[0] = va;
    calls[1].result = 0x2222;
    g.mem.put(buf(), calls);
    g.hypercall(PV_HYPERCALL_multicall, buf(), 2);
    EXPECT_TRUE(g.regs_replaced);
    EXPECT_EQ(core::VcpuMode::user, g.vcpu.mode);
    EXPECT_EQ(0x401000u, g.regs.rip);
    decltype(calls) out;
    std::memcpy(out, g.mem.at(buf(), sizeof out), sizeof out);
    EXPECT_EQ(0x1111, out[0].result);
    EXPECT_EQ(0x2222, out[1].result);
    EXPECT_NE(0u, w.table(s.l1)[0] & pte::present);
}

TEST_F(HcMmTest, EmulatedStoresAndCmpxchg) {
    // The L1 mapped read-only at va + 8 pages; the guest writes entry 3.
    ASSERT_TRUE(core::mmu_update_one(w.ctx, g.domain.mm, entry_ptr(s.l1, 8), map_ro(s.l1)).is_ok());
    uint64_t l1_va = va + 8 * 4096;
    Mfn d2 = w.frame(g.domain.mm);
    core::GuestRegs r{};
    r.rip = 0x1000;
    r.rbx = l1_va + 24;
    r.r9 = map_rw(d2);
    const uint8_t mov[] = {0x4c, 0x89, 0x0b};  // mov %r9, (%rbx)
    ASSERT_TRUE(core::emulate_trapped_pte_write(w.ctx, g.domain.mm, s.l4, r, l1_va + 24, mov, sizeof mov).is_ok());
    EXPECT_EQ(map_rw(d2), w.table(s.l1)[3]);
    EXPECT_EQ(0x1003u, r.rip);
    EXPECT_EQ("", check());

    const uint8_t cmpxchg[] = {0xf0, 0x4c, 0x0f, 0xb1, 0x0b};  // lock cmpxchg %r9, (%rbx)
    r.rax = 5;
    r.r9 = 0;
    ASSERT_TRUE(core::emulate_trapped_pte_write(w.ctx, g.domain.mm, s.l4, r, l1_va + 24, cmpxchg, 5).is_ok());
    EXPECT_EQ(map_rw(d2), r.rax);
    EXPECT_EQ(0u, r.rflags & 0x40);
    EXPECT_EQ(map_rw(d2), w.table(s.l1)[3]);
    ASSERT_TRUE(core::emulate_trapped_pte_write(w.ctx, g.domain.mm, s.l4, r, l1_va + 24, cmpxchg, 5).is_ok());
    EXPECT_NE(0u, r.rflags & 0x40);
    EXPECT_EQ(0u, w.table(s.l1)[3]);
    EXPECT_EQ("", check());

    // Refused: wrong address, a hypervisor frame, misaligned, truncated.
    r.r9 = map_ro(Mfn(1));
    EXPECT_TRUE(core::emulate_trapped_pte_write(w.ctx, g.domain.mm, s.l4, r, l1_va + 24, mov, 3).is_error());
    EXPECT_TRUE(core::emulate_trapped_pte_write(w.ctx, g.domain.mm, s.l4, r, l1_va + 32, mov, 3).is_error());
    r.rbx = l1_va + 4;
    EXPECT_TRUE(core::emulate_trapped_pte_write(w.ctx, g.domain.mm, s.l4, r, l1_va + 4, mov, 3).is_error());
    EXPECT_TRUE(core::emulate_trapped_pte_write(w.ctx, g.domain.mm, s.l4, r, l1_va + 4, mov, 2).is_error());
    EXPECT_EQ(0u, w.table(s.l1)[3]);
    EXPECT_EQ("", check());
}

}  // namespace
