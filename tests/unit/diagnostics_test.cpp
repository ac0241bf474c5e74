#include "core/diagnostics.h"

#include <gtest/gtest.h>

#include <string>

using core::Diagnostics;

TEST(Diagnostics, StartsEmpty) {
    Diagnostics d;
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(d.count(), 0u);
    EXPECT_STREQ(d[0], "");
}

TEST(Diagnostics, FormatsMessagesInOrder) {
    Diagnostics d;
    d.add("first %d", 1);
    d.add("second '%s'", "two");
    EXPECT_FALSE(d.empty());
    ASSERT_EQ(d.count(), 2u);
    EXPECT_STREQ(d[0], "first 1");
    EXPECT_STREQ(d[1], "second 'two'");
    EXPECT_STREQ(d[2], "");
}

TEST(Diagnostics, LongMessagesAreTruncated) {
    Diagnostics d;
    std::string long_text(300, 'x');
    d.add("%s", long_text.c_str());
    EXPECT_EQ(std::string(d[0]), std::string(Diagnostics::message_size - 1, 'x'));
}

TEST(Diagnostics, OverflowIsCountedNotStored) {
    Diagnostics d;
    for (int i = 0; i < 11; ++i) d.add("message %d", i);
    EXPECT_EQ(d.count(), Diagnostics::capacity);
    EXPECT_EQ(d.dropped(), 11 - Diagnostics::capacity);
    EXPECT_STREQ(d[Diagnostics::capacity - 1], "message 7");
    EXPECT_STREQ(d[Diagnostics::capacity], "");
}
