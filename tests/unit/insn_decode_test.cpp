// The decoder of the two page-table stores the hypervisor emulates
// (core/insn_decode.h).
#include <gtest/gtest.h>

#include <vector>

#include "core/insn_decode.h"

namespace {

using core::PteStoreInsn;
using core::PteStoreKind;

struct Decoded {
    bool ok;
    PteStoreInsn insn;
    bool is_ok() const { return ok; }
    bool is_error() const { return !ok; }
    const PteStoreInsn& value() const { return insn; }
};

Decoded decode(std::vector<uint8_t> b) {
    auto r = core::decode_pte_store(b.data(), b.size());
    return r.is_ok() ? Decoded{true, r.value()} : Decoded{false, {}};
}

TEST(InsnDecode, MovForms) {
    auto i = decode({0x48, 0x89, 0x07});  // mov %rax, (%rdi)
    ASSERT_TRUE(i.is_ok());
    EXPECT_EQ(PteStoreKind::mov, i.value().kind);
    EXPECT_EQ(3, i.value().length);
    EXPECT_EQ(0, i.value().reg);
    EXPECT_EQ(7, i.value().base);
    EXPECT_EQ(PteStoreInsn::no_reg, i.value().index);

    i = decode({0x4d, 0x89, 0x44, 0xcd, 0xf8});  // mov %r8, -8(%r13,%rcx,8)
    ASSERT_TRUE(i.is_ok());
    EXPECT_EQ(5, i.value().length);
    EXPECT_EQ(8, i.value().reg);
    EXPECT_EQ(13, i.value().base);
    EXPECT_EQ(1, i.value().index);
    EXPECT_EQ(8, i.value().scale);
    EXPECT_EQ(-8, i.value().disp);

    i = decode({0x48, 0x89, 0x05, 0x10, 0x00, 0x00, 0x00});  // mov %rax, 0x10(%rip)
    ASSERT_TRUE(i.is_ok());
    EXPECT_EQ(PteStoreInsn::rip, i.value().base);
    core::GuestRegs r{};
    r.rip = 0x1000;
    EXPECT_EQ(0x1000u + 7 + 0x10, core::pte_store_address(i.value(), r));

    i = decode({0x4a, 0x89, 0x14, 0x25, 0x00, 0x10, 0x00, 0x00});  // mov %rdx, 0x1000(,%r12,1)
    ASSERT_TRUE(i.is_ok());
    EXPECT_EQ(PteStoreInsn::no_reg, i.value().base);
    EXPECT_EQ(12, i.value().index);  // REX.X with index 100 is r12
    EXPECT_EQ(0x1000, i.value().disp);

    i = decode({0x48, 0x89, 0x04, 0x24});  // mov %rax, (%rsp)
    ASSERT_TRUE(i.is_ok());
    EXPECT_EQ(4, i.value().base);
    EXPECT_EQ(PteStoreInsn::no_reg, i.value().index);

    i = decode({0x49, 0x89, 0x85, 0x00, 0x01, 0x00, 0x00});  // mov %rax, 0x100(%r13)
    ASSERT_TRUE(i.is_ok());
    EXPECT_EQ(13, i.value().base);
    EXPECT_EQ(0x100, i.value().disp);
    r.r13 = 0x5000;
    EXPECT_EQ(0x5100u, core::pte_store_address(i.value(), r));
}

TEST(InsnDecode, Cmpxchg) {
    auto i = decode({0xf0, 0x48, 0x0f, 0xb1, 0x0e});  // lock cmpxchg %rcx, (%rsi)
    ASSERT_TRUE(i.is_ok());
    EXPECT_EQ(PteStoreKind::cmpxchg, i.value().kind);
    EXPECT_EQ(5, i.value().length);
    EXPECT_EQ(1, i.value().reg);
    EXPECT_EQ(6, i.value().base);
    EXPECT_TRUE(decode({0x48, 0x0f, 0xb1, 0x0e}).is_ok());  // without lock
}

TEST(InsnDecode, Refusals) {
    EXPECT_TRUE(decode({}).is_error());
    EXPECT_TRUE(decode({0x89, 0x07}).is_error());              // no REX.W: 32-bit
    EXPECT_TRUE(decode({0x40, 0x89, 0x07}).is_error());        // REX without W
    EXPECT_TRUE(decode({0x48, 0x89, 0xc7}).is_error());        // register operand
    EXPECT_TRUE(decode({0x66, 0x48, 0x89, 0x07}).is_error());  // operand size
    EXPECT_TRUE(decode({0x64, 0x48, 0x89, 0x07}).is_error());  // fs override
    EXPECT_TRUE(decode({0x67, 0x48, 0x89, 0x07}).is_error());  // address size
    EXPECT_TRUE(decode({0xf0, 0x48, 0x89, 0x07}).is_error());  // lock mov
    EXPECT_TRUE(decode({0x48, 0x8b, 0x07}).is_error());        // a load
    EXPECT_TRUE(decode({0x48, 0x0f, 0xb0, 0x07}).is_error());  // cmpxchg r8
    EXPECT_TRUE(decode({0x48, 0x89}).is_error());              // truncated
    EXPECT_TRUE(decode({0x48, 0x89, 0x44, 0x24}).is_error());  // truncated disp8
    EXPECT_TRUE(decode({0x48, 0x89, 0x05, 0x00, 0x00}).is_error());
}

}  // namespace
