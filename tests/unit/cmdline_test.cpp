#include "core/cmdline.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

using core::CrashKind;
using core::Diagnostics;
using core::HvOptions;
using core::LogLevel;
using core::parse_cmdline;

namespace {

struct Parsed {
    HvOptions opts;
    std::vector<std::string> messages;
    size_t dropped;
};

Parsed parse(const std::string& line) {
    Diagnostics d;
    HvOptions opts = parse_cmdline(kstd::string_view(line.data(), line.size()), &d);
    Parsed p{opts, {}, d.dropped()};
    for (size_t i = 0; i < d.count(); ++i) p.messages.push_back(d[i]);
    return p;
}

using Messages = std::vector<std::string>;

const std::string crash_values = "none|ud|pf|gp|de|panic|assert|df|write-text|exec-data";

}  // namespace

TEST(Cmdline, EmptyLineGivesDefaults) {
    for (const char* line : {"", " ", "\t \n "}) {
        Parsed p = parse(line);
        EXPECT_EQ(p.opts.log_level, LogLevel::info);
        EXPECT_EQ(p.opts.crash, CrashKind::none);
        EXPECT_TRUE(p.messages.empty());
    }
}

TEST(Cmdline, LogLevelValues) {
    EXPECT_EQ(parse("loglevel=error").opts.log_level, LogLevel::error);
    EXPECT_EQ(parse("loglevel=warn").opts.log_level, LogLevel::warn);
    EXPECT_EQ(parse("loglevel=info").opts.log_level, LogLevel::info);
    EXPECT_EQ(parse("loglevel=debug").opts.log_level, LogLevel::debug);
    EXPECT_TRUE(parse("loglevel=debug").messages.empty());
}

TEST(Cmdline, CrashValues) {
    const std::pair<const char*, CrashKind> cases[] = {
        {"none", CrashKind::none},   {"ud", CrashKind::ud},       {"pf", CrashKind::pf},
        {"gp", CrashKind::gp},       {"de", CrashKind::de},       {"panic", CrashKind::panic},
        {"assert", CrashKind::assert_fail}, {"df", CrashKind::double_fault},
        {"write-text", CrashKind::write_text}, {"exec-data", CrashKind::exec_data},
    };
    for (auto [name, kind] : cases) {
        Parsed p = parse(std::string("crash=") + name);
        EXPECT_EQ(p.opts.crash, kind) << name;
        EXPECT_TRUE(p.messages.empty()) << name;
        EXPECT_STREQ(core::crash_kind_name(kind), name);
    }
}

TEST(Cmdline, BadValuesAreReportedAndIgnored) {
    Parsed p = parse("loglevel=debug loglevel=loud crash=pf crash=boom");
    EXPECT_EQ(p.opts.log_level, LogLevel::debug);
    EXPECT_EQ(p.opts.crash, CrashKind::pf);
    EXPECT_EQ(p.messages, (Messages{
                              "loglevel: bad value 'loud' (expected error|warn|info|debug)",
                              "crash: bad value 'boom' (expected " + crash_values + ")",
                          }));
}

TEST(Cmdline, ValuesAreCaseSensitive) {
    Parsed p = parse("loglevel=DEBUG");
    EXPECT_EQ(p.opts.log_level, LogLevel::info);
    EXPECT_EQ(p.messages.size(), 1u);
}

TEST(Cmdline, MissingValues) {
    Parsed p = parse("loglevel crash=");
    EXPECT_EQ(p.opts.log_level, LogLevel::info);
    EXPECT_EQ(p.messages, (Messages{
                              "loglevel: missing value (expected error|warn|info|debug)",
                              "crash: missing value (expected " + crash_values + ")",
                          }));
}

TEST(Cmdline, UnknownOptionsAreReported) {
    Parsed p = parse("foo loglevel=warn bar=1 =x");
    EXPECT_EQ(p.opts.log_level, LogLevel::warn);
    EXPECT_EQ(p.messages, (Messages{
                              "unknown option 'foo' ignored",
                              "unknown option 'bar' ignored",
                              "option with an empty name ignored",
                          }));
}

TEST(Cmdline, LaterOptionsOverrideEarlierOnes) {
    Parsed p = parse("loglevel=debug crash=ud loglevel=error crash=none");
    EXPECT_EQ(p.opts.log_level, LogLevel::error);
    EXPECT_EQ(p.opts.crash, CrashKind::none);
}

TEST(Cmdline, ImagePathFirstTokenIsSkipped) {
    Parsed p = parse("/boot/pvisor.bin loglevel=debug");
    EXPECT_EQ(p.opts.log_level, LogLevel::debug);
    EXPECT_TRUE(p.messages.empty());
    EXPECT_TRUE(parse("build/hypervisor/pvisor.elf").messages.empty());
}

TEST(Cmdline, OnlyTheFirstTokenMayBeAPath) {
    EXPECT_EQ(parse("loglevel=info /boot/x").messages, (Messages{"unknown option '/boot/x' ignored"}));
    // A '=' makes it an option, even with a '/' in it.
    EXPECT_EQ(parse("dir=/boot").messages, (Messages{"unknown option 'dir' ignored"}));
    EXPECT_EQ(parse("crash=a/b").messages.size(), 1u);
}

TEST(Cmdline, ExtraSpacesAndTabs) {
    Parsed p = parse("   /pvisor  \t loglevel=warn\t\tcrash=gp   \n");
    EXPECT_EQ(p.opts.log_level, LogLevel::warn);
    EXPECT_EQ(p.opts.crash, CrashKind::gp);
    EXPECT_TRUE(p.messages.empty());
}

TEST(Cmdline, ValueMayContainEquals) {
    Parsed p = parse("loglevel=info=x");
    EXPECT_EQ(p.messages, (Messages{"loglevel: bad value 'info=x' (expected error|warn|info|debug)"}));
}

TEST(Cmdline, LongTokensAreCutInMessages) {
    std::string key(200, 'k');
    Parsed p = parse(key + " loglevel=" + std::string(200, 'v'));
    ASSERT_EQ(p.messages.size(), 2u);
    EXPECT_EQ(p.messages[0], "unknown option '" + std::string(32, 'k') + "' ignored");
    EXPECT_EQ(p.messages[1].rfind("loglevel: bad value '" + std::string(32, 'v') + "'", 0), 0u);
    EXPECT_LT(p.messages[1].size(), Diagnostics::message_size);
}

TEST(Cmdline, DiagnosticsOverflowIsCounted) {
    std::string line;
    for (int i = 0; i < 12; ++i) line += "bad" + std::to_string(i) + " ";
    line += "loglevel=debug";
    Parsed p = parse(line);
    EXPECT_EQ(p.opts.log_level, LogLevel::debug) << "options after the overflow still apply";
    EXPECT_EQ(p.messages.size(), Diagnostics::capacity);
    EXPECT_EQ(p.dropped, 12 - Diagnostics::capacity);
    EXPECT_EQ(p.messages.back(), "unknown option 'bad7' ignored");
}

TEST(Cmdline, NotNulTerminatedView) {
    const char text[] = "loglevel=debugXXXX";
    Diagnostics d;
    HvOptions opts = parse_cmdline(kstd::string_view(text, 14), &d);
    EXPECT_EQ(opts.log_level, LogLevel::debug);
    EXPECT_TRUE(d.empty());
}

TEST(Cmdline, DiagnosticsDoNotReadPastTheView) {
    // Exactly sized heap buffers, so ASan sees any read beyond the view.
    auto bad_value = std::make_unique<char[]>(10);
    std::memcpy(bad_value.get(), "crash=xyz", 9);
    Diagnostics d;
    parse_cmdline(kstd::string_view(bad_value.get(), 9), &d);
    ASSERT_EQ(d.count(), 1u);
    EXPECT_EQ(d[0], "crash: bad value 'xyz' (expected " + crash_values + ")");

    auto unknown = std::make_unique<char[]>(3);
    std::memcpy(unknown.get(), "foo", 3);
    Diagnostics d2;
    parse_cmdline(kstd::string_view(unknown.get(), 3), &d2);
    ASSERT_EQ(d2.count(), 1u);
    EXPECT_STREQ(d2[0], "unknown option 'foo' ignored");
}

TEST(Cmdline, OptionTableIsComplete) {
    auto table = core::cmdline_options();
    ASSERT_EQ(table.size(), 2u);
    for (const auto& o : table) {
        EXPECT_NE(o.name, nullptr);
        EXPECT_NE(o.apply, nullptr);
        EXPECT_GT(std::string(o.help).size(), 10u);
    }
    EXPECT_STREQ(table[0].name, "loglevel");
    EXPECT_STREQ(table[1].name, "crash");
}
