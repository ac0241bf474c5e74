#include "kstd/format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

// Formats with kstd::vformat into a roomy buffer.
std::string kfmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string kfmt(const char* fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    size_t n = kstd::vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    EXPECT_EQ(n, std::strlen(buf)) << fmt;
    return buf;
}

// Where kstd::format promises C semantics, compare with the C library.
#define EXPECT_LIKE_PRINTF(...)                                           \
    do {                                                                  \
        char want[256];                                                   \
        int wn = std::snprintf(want, sizeof want, __VA_ARGS__);           \
        char got[256];                                                    \
        size_t gn = kstd::format(got, sizeof got, __VA_ARGS__);           \
        EXPECT_STREQ(got, want) << "format " << #__VA_ARGS__;             \
        EXPECT_EQ(gn, static_cast<size_t>(wn)) << "format " << #__VA_ARGS__; \
    } while (0)

}  // namespace

TEST(KstdFormat, PlainText) {
    EXPECT_EQ(kfmt("hello"), "hello");
    EXPECT_EQ(kfmt(""), "");
    EXPECT_EQ(kfmt("100%%"), "100%");
}

TEST(KstdFormat, SignedDecimal) {
    EXPECT_LIKE_PRINTF("%d", 0);
    EXPECT_LIKE_PRINTF("%d", 42);
    EXPECT_LIKE_PRINTF("%d", -42);
    EXPECT_LIKE_PRINTF("%i", -7);
    EXPECT_LIKE_PRINTF("%d", INT_MIN);
    EXPECT_LIKE_PRINTF("%d", INT_MAX);
    EXPECT_LIKE_PRINTF("%ld", LONG_MIN);
    EXPECT_LIKE_PRINTF("%lld", LLONG_MIN);
    EXPECT_LIKE_PRINTF("%lld", LLONG_MAX);
    EXPECT_LIKE_PRINTF("%zd", static_cast<ssize_t>(-5));
}

// The values are meant not to fit the short types; clang flags any int
// passed for %hh/%h, so its format check is off for this test only.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat"
TEST(KstdFormat, ShortLengthModifiersTruncate) {
    EXPECT_LIKE_PRINTF("%hhd", 300);
    EXPECT_LIKE_PRINTF("%hhd", 200);
    EXPECT_LIKE_PRINTF("%hd", 70000);
    EXPECT_LIKE_PRINTF("%hd", -32769);
    EXPECT_LIKE_PRINTF("%hhu", 300u);
    EXPECT_LIKE_PRINTF("%hu", 70000u);
    EXPECT_LIKE_PRINTF("%hhx", 0x1ffu);
}
#pragma clang diagnostic pop

TEST(KstdFormat, Unsigned) {
    EXPECT_LIKE_PRINTF("%u", 0u);
    EXPECT_LIKE_PRINTF("%u", UINT_MAX);
    EXPECT_LIKE_PRINTF("%lu", ULONG_MAX);
    EXPECT_LIKE_PRINTF("%llu", ULLONG_MAX);
    EXPECT_LIKE_PRINTF("%zu", SIZE_MAX);
}

TEST(KstdFormat, HexAndOctal) {
    EXPECT_LIKE_PRINTF("%x", 0xdeadbeefu);
    EXPECT_LIKE_PRINTF("%X", 0xdeadbeefu);
    EXPECT_LIKE_PRINTF("%lx", 0xffff800000000000ul);
    EXPECT_LIKE_PRINTF("%llX", 0x0123456789abcdefull);
    EXPECT_LIKE_PRINTF("%#x", 0x1au);
    EXPECT_LIKE_PRINTF("%#X", 0x1au);
    EXPECT_LIKE_PRINTF("%o", 8u);
    EXPECT_LIKE_PRINTF("%#o", 8u);
    EXPECT_LIKE_PRINTF("%llo", ULLONG_MAX);
    EXPECT_LIKE_PRINTF("%016lx", 0x1234ul);
    EXPECT_LIKE_PRINTF("%#018lx", 0x1234ul);
    EXPECT_LIKE_PRINTF("%-8x|", 0xabu);
}

TEST(KstdFormat, AlternateFormOfZeroDiffersFromC) {
    // Documented difference: the prefix is always printed, which keeps
    // columns of addresses aligned.
    EXPECT_EQ(kfmt("%#x", 0u), "0x0");
    EXPECT_EQ(kfmt("%#o", 0u), "00");
}

TEST(KstdFormat, WidthsAndFlags) {
    EXPECT_LIKE_PRINTF("[%5d]", 42);
    EXPECT_LIKE_PRINTF("[%-5d]", 42);
    EXPECT_LIKE_PRINTF("[%05d]", 42);
    EXPECT_LIKE_PRINTF("[%05d]", -42);
    EXPECT_LIKE_PRINTF("[%2d]", 12345);
    EXPECT_LIKE_PRINTF("[%*d]", 6, 7);
    EXPECT_LIKE_PRINTF("[%*d]", -6, 7);
    EXPECT_LIKE_PRINTF("[%10s]", "abc");
    EXPECT_LIKE_PRINTF("[%-10s]", "abc");
    EXPECT_LIKE_PRINTF("[%3c]", 'x');
    EXPECT_LIKE_PRINTF("[%-3c]", 'x');
}

TEST(KstdFormat, StringsAndPrecision) {
    EXPECT_LIKE_PRINTF("%s", "text");
    EXPECT_LIKE_PRINTF("%s", "");
    EXPECT_LIKE_PRINTF("%.2s", "text");
    EXPECT_LIKE_PRINTF("%.0s", "text");
    EXPECT_LIKE_PRINTF("%.10s", "text");
    EXPECT_LIKE_PRINTF("%.*s", 3, "abcdef");
    EXPECT_LIKE_PRINTF("%.*s", -1, "abcdef");
    EXPECT_LIKE_PRINTF("[%8.3s]", "abcdef");
    EXPECT_LIKE_PRINTF("[%-8.3s]", "abcdef");
    // Precision lets a string without a NUL be printed.
    const char unterminated[3] = {'a', 'b', 'c'};
    EXPECT_EQ(kfmt("%.3s", unterminated), "abc");
}

TEST(KstdFormat, NullString) {
    EXPECT_EQ(kfmt("%s", static_cast<const char*>(nullptr)), "(null)");
}

TEST(KstdFormat, CharAndPointer) {
    EXPECT_LIKE_PRINTF("%c%c%c", 'a', 'b', 'c');
    int x = 0;
    EXPECT_LIKE_PRINTF("%p", static_cast<void*>(&x));
    EXPECT_EQ(kfmt("%p", reinterpret_cast<void*>(0xffff830000001000)), "0xffff830000001000");
    EXPECT_EQ(kfmt("%p", static_cast<void*>(nullptr)), "0x0");
}

TEST(KstdFormat, MixedArguments) {
    EXPECT_LIKE_PRINTF("%s: %d frames at %#lx (%u%%) %c", "mem", -3, 0x100000ul, 99u, 'k');
}

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat"
#pragma clang diagnostic ignored "-Wformat-invalid-specifier"
TEST(KstdFormat, BadFormatsAreHarmless) {
    EXPECT_EQ(kfmt("a%qb"), "a%qb") << "an unknown conversion shows up in the output";
    EXPECT_EQ(kfmt("end%"), "end");
    EXPECT_EQ(kfmt("[%-05d]", -42), "[-42  ]") << "'-' wins over '0', as in C";
}
#pragma clang diagnostic pop

TEST(KstdFormat, TruncationKeepsNulAndReportsFullLength) {
    char buf[8];
    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(kstd::format(buf, sizeof buf, "%s-%d", "abcdef", 12345), 12u);
    EXPECT_STREQ(buf, "abcdef-");
    EXPECT_EQ(kstd::format(buf, 1, "xyz"), 3u);
    EXPECT_STREQ(buf, "");
    // size 0 writes nothing at all, so a null buffer is allowed.
    buf[0] = 'Q';
    EXPECT_EQ(kstd::format(buf, 0, "xyz"), 3u);
    EXPECT_EQ(buf[0], 'Q');
    EXPECT_EQ(kstd::format(nullptr, 0, "%d", 123456), 6u);
    // Exactly fitting.
    char four[4];
    EXPECT_EQ(kstd::format(four, sizeof four, "abc"), 3u);
    EXPECT_STREQ(four, "abc");
    EXPECT_EQ(kstd::format(four, sizeof four, "abcd"), 4u);
    EXPECT_STREQ(four, "abc");
}

TEST(KstdFormat, PaddingIsTruncatedToo) {
    char buf[6];
    EXPECT_EQ(kstd::format(buf, sizeof buf, "%20d", 1), 20u);
    EXPECT_STREQ(buf, "     ");
}

namespace {
size_t via_vformat(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
size_t via_vformat(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = kstd::vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
}  // namespace

TEST(KstdFormat, VformatTakesAVaList) {
    char buf[32];
    EXPECT_EQ(via_vformat(buf, sizeof buf, "%s=%x", "cr3", 0x1000u), 8u);
    EXPECT_STREQ(buf, "cr3=1000");
}
