#include <gtest/gtest.h>

#include "core/calendar.h"

namespace {

TEST(Calendar, Epoch) { EXPECT_EQ(0, core::unix_seconds({1970, 1, 1, 0, 0, 0})); }

TEST(Calendar, KnownDates) {
    EXPECT_EQ(951782400, core::unix_seconds({2000, 2, 29, 0, 0, 0}));    // a leap day in a 400-year leap year
    EXPECT_EQ(1709210096, core::unix_seconds({2024, 2, 29, 12, 34, 56}));
    EXPECT_EQ(4107542399, core::unix_seconds({2100, 2, 28, 23, 59, 59})); // 2100 is not a leap year
    EXPECT_EQ(4107542400, core::unix_seconds({2100, 3, 1, 0, 0, 0}));
}

TEST(Calendar, RejectsInvalidDates) {
    EXPECT_EQ(-1, core::unix_seconds({1969, 12, 31, 23, 59, 59}));
    EXPECT_EQ(-1, core::unix_seconds({2023, 2, 29, 0, 0, 0}));
    EXPECT_EQ(-1, core::unix_seconds({2100, 2, 29, 0, 0, 0}));
    EXPECT_EQ(-1, core::unix_seconds({2024, 13, 1, 0, 0, 0}));
    EXPECT_EQ(-1, core::unix_seconds({2024, 4, 31, 0, 0, 0}));
    EXPECT_EQ(-1, core::unix_seconds({2024, 1, 1, 24, 0, 0}));
    EXPECT_EQ(-1, core::unix_seconds({2024, 1, 0, 0, 0, 0}));
}

}  // namespace
