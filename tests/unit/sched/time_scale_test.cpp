// TSC -> ns scaling: the published (mul, shift) form guests use, and the
// hypervisor's folded form, which must agree with it exactly.
#include <gtest/gtest.h>

#include "core/time_scale.h"

namespace {

constexpr uint64_t ns_per_s = 1000000000;

TEST(TimeScale, OneSecondOfTicksIsAboutOneSecond) {
    for (uint64_t hz : {uint64_t{1000}, uint64_t{1193182}, uint64_t{999999999}, ns_per_s, uint64_t{1000000001},
                        uint64_t{2000000000}, uint64_t{2000000001}, uint64_t{3400000000}, uint64_t{12000000000}}) {
        core::TimeScale s = core::tsc_scale(hz);
        uint64_t ns = core::scale_ticks(hz, s);
        // A 32-bit binary fraction: within a few ppm of a second.
        EXPECT_NEAR(static_cast<double>(ns), 1e9, 1e9 * 4e-6) << hz;
    }
}

TEST(TimeScale, FoldedScaleMatchesThePublishedOne) {
    uint64_t rng = 0x9e3779b97f4a7c15;
    for (uint64_t hz : {uint64_t{1000}, uint64_t{1193182}, uint64_t{100000000}, uint64_t{999999999}, ns_per_s,
                        uint64_t{1000000001}, uint64_t{2000000000}, uint64_t{2000000001}, uint64_t{3400000000},
                        uint64_t{12000000000}}) {
        core::TimeScale s = core::tsc_scale(hz);
        core::TickScale t = core::tick_scale(s);
        // Up to an hour of ticks, with the low bits that a right shift drops.
        uint64_t limit = hz * 3600;
        for (uint64_t ticks : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, hz - 1, hz, hz + 1, limit})
            EXPECT_EQ(core::scale_ticks(ticks, t), core::scale_ticks(ticks, s)) << hz << " " << ticks;
        for (int i = 0; i < 10000; ++i) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            uint64_t ticks = rng % limit;
            ASSERT_EQ(core::scale_ticks(ticks, t), core::scale_ticks(ticks, s)) << hz << " " << ticks;
        }
    }
}

}  // namespace
