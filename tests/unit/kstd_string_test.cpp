#include "kstd/string.h"

#include <gtest/gtest.h>

#include "kstd/result.h"

using kstd::string_view;

TEST(KstdString, Strlen) {
    EXPECT_EQ(kstd::strlen(""), 0u);
    EXPECT_EQ(kstd::strlen("abc"), 3u);
    const char embedded[] = {'a', 'b', '\0', 'c', '\0'};
    EXPECT_EQ(kstd::strlen(embedded), 2u);
}

TEST(KstdString, Strcmp) {
    EXPECT_EQ(kstd::strcmp("", ""), 0);
    EXPECT_EQ(kstd::strcmp("abc", "abc"), 0);
    EXPECT_LT(kstd::strcmp("abc", "abd"), 0);
    EXPECT_GT(kstd::strcmp("abd", "abc"), 0);
    EXPECT_LT(kstd::strcmp("ab", "abc"), 0);
    EXPECT_GT(kstd::strcmp("abc", "ab"), 0);
    // Bytes compare as unsigned, as in C.
    EXPECT_GT(kstd::strcmp("\xff", "a"), 0);
}

TEST(KstdString, ViewBasics) {
    string_view empty;
    EXPECT_TRUE(empty.empty());
    EXPECT_EQ(empty.size(), 0u);
    EXPECT_NE(empty.data(), nullptr) << "a default view points at an empty string, not null";

    string_view s("hello");
    EXPECT_EQ(s.size(), 5u);
    EXPECT_FALSE(s.empty());
    EXPECT_EQ(s[0], 'h');
    EXPECT_EQ(s[4], 'o');

    string_view counted("hello world", 5);
    EXPECT_TRUE(counted == s);
}

TEST(KstdString, Equality) {
    EXPECT_TRUE(string_view("abc") == string_view("abc"));
    EXPECT_FALSE(string_view("abc") == string_view("abd"));
    EXPECT_FALSE(string_view("abc") == string_view("ab"));
    EXPECT_FALSE(string_view("ab") == string_view("abc"));
    EXPECT_TRUE(string_view() == string_view(""));
    EXPECT_TRUE(string_view("x\0y", 3) == string_view("x\0y", 3));
    EXPECT_FALSE(string_view("x\0y", 3) == string_view("x\0z", 3));
}

TEST(KstdString, Substr) {
    string_view s("loglevel=debug");
    EXPECT_TRUE(s.substr(0, 8) == string_view("loglevel"));
    EXPECT_TRUE(s.substr(9) == string_view("debug"));
    EXPECT_TRUE(s.substr(14).empty());
    // Out-of-range offsets and counts are clamped, not undefined.
    EXPECT_TRUE(s.substr(100).empty());
    EXPECT_TRUE(s.substr(9, 100) == string_view("debug"));
    EXPECT_EQ(s.substr(100).data(), s.data() + s.size());
}

TEST(KstdString, Find) {
    string_view s("a=b=c");
    EXPECT_EQ(s.find('='), 1u);
    EXPECT_EQ(s.find('a'), 0u);
    EXPECT_EQ(s.find('c'), 4u);
    EXPECT_EQ(s.find('x'), s.size());
    EXPECT_EQ(string_view().find('x'), 0u);
    static_assert(string_view("k=v", 3).find('=') == 1);
}

TEST(KstdString, StartsWith) {
    string_view s("crash=pf");
    EXPECT_TRUE(s.starts_with("crash="));
    EXPECT_TRUE(s.starts_with(""));
    EXPECT_TRUE(s.starts_with(s));
    EXPECT_FALSE(s.starts_with("crash=pf!"));
    EXPECT_FALSE(s.starts_with("cr4sh"));
    EXPECT_FALSE(string_view().starts_with("a"));
}

TEST(KstdResult, ErrorNames) {
    EXPECT_STREQ(kstd::error_name(kstd::Error::inval), "EINVAL");
    EXPECT_STREQ(kstd::error_name(kstd::Error::already), "EALREADY");
    EXPECT_EQ(kstd::to_hypercall_ret(kstd::Error::nomem), -12);
}
