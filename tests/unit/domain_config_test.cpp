// The boot-module string that describes a domain:
// "<path> [name=NAME] [mem=SIZE] [user=SIZE] [anything else]".
#include "core/domain_config.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

using core::Diagnostics;
using core::DomainBootConfig;

namespace {

struct Parsed {
    DomainBootConfig cfg;
    std::string cmdline;
    std::vector<std::string> messages;
    size_t dropped = 0;
    bool cmdline_inside_input = false;
};

Parsed parse(const std::string& s, uint32_t index = 1) {
    Parsed p;
    Diagnostics d;
    core::parse_module_string(kstd::string_view(s.data(), s.size()), index, &p.cfg, &d);
    p.cmdline.assign(p.cfg.cmdline.data(), p.cfg.cmdline.size());
    p.cmdline_inside_input = p.cfg.cmdline.data() >= s.data() &&
                             p.cfg.cmdline.data() + p.cfg.cmdline.size() <= s.data() + s.size();
    for (size_t i = 0; i < d.count(); ++i) p.messages.push_back(d[i]);
    p.dropped = d.dropped();
    return p;
}

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr uint64_t default_mem = 16 * MiB, default_user = 1 * MiB;

using Messages = std::vector<std::string>;

}  // namespace

TEST(ModuleString, Defaults) {
    for (const char* s : {"", "   ", "/boot/guest.elf", "\t/boot/guest.elf \t"}) {
        Parsed p = parse(s, 2);
        EXPECT_STREQ("dom2", p.cfg.name) << s;
        EXPECT_EQ(default_mem, p.cfg.mem_bytes) << s;
        EXPECT_EQ(default_user, p.cfg.user_bytes) << s;
        EXPECT_EQ("", p.cmdline) << s;
        EXPECT_TRUE(p.messages.empty()) << s;
    }
    EXPECT_STREQ("dom0", parse("", 0).cfg.name);
    EXPECT_STREQ("dom4294967295", parse("", UINT32_MAX).cfg.name);
}

TEST(ModuleString, Options) {
    Parsed p = parse("/boot/k name=web mem=32M user=2M console=hvc0 quiet");
    EXPECT_STREQ("web", p.cfg.name);
    EXPECT_EQ(32 * MiB, p.cfg.mem_bytes);
    EXPECT_EQ(2 * MiB, p.cfg.user_bytes);
    EXPECT_EQ("name=web mem=32M user=2M console=hvc0 quiet", p.cmdline) << "the guest sees every option";
    EXPECT_TRUE(p.cmdline_inside_input);
    EXPECT_TRUE(p.messages.empty());
}

TEST(ModuleString, WhitespaceAroundWords) {
    Parsed p = parse("  /boot/k\t\tmem=8M   quiet  ");
    EXPECT_EQ(8 * MiB, p.cfg.mem_bytes);
    EXPECT_EQ("mem=8M   quiet  ", p.cmdline);
}

TEST(ModuleString, FirstWordIsAnOptionWhenItHasAnEquals) {
    Parsed p = parse("mem=64M quiet");
    EXPECT_EQ(64 * MiB, p.cfg.mem_bytes);
    EXPECT_EQ("mem=64M quiet", p.cmdline);
    Parsed q = parse(" name=solo");
    EXPECT_STREQ("solo", q.cfg.name);
    EXPECT_EQ("name=solo", q.cmdline);
}

TEST(ModuleString, Sizes) {
    struct Case {
        const char* value;
        uint64_t bytes;
    };
    for (const Case& c : {Case{"2097152", 2 * MiB}, Case{"1024K", 1 * MiB}, Case{"1024k", 1 * MiB},
                          Case{"3m", 3 * MiB}, Case{"1G", GiB}, Case{"2g", 2 * GiB}, Case{"1M", MiB},
                          Case{"17179869183G", 17179869183ull * GiB}}) {
        Parsed p = parse(std::string("k mem=") + c.value);
        EXPECT_EQ(c.bytes, p.cfg.mem_bytes) << c.value;
        EXPECT_TRUE(p.messages.empty()) << c.value;
    }
    EXPECT_EQ(4096u, parse("k user=4096").cfg.user_bytes);
    EXPECT_EQ(4 * KiB, parse("k user=4K").cfg.user_bytes);
}

TEST(ModuleString, BadSizesKeepTheDefault) {
    for (const char* v : {"", "M", "12X", "12MB", "-1", "0x100000", "1.5M", " ", "99999999999999999999",
                          "17179869184G", "1023K", "0", "1048575"}) {
        Parsed p = parse(std::string("k mem=") + v, 3);
        EXPECT_EQ(default_mem, p.cfg.mem_bytes) << v;
        ASSERT_EQ(1u, p.messages.size()) << v;
        EXPECT_EQ(0u, p.messages[0].find("module 3: bad mem= value '")) << p.messages[0];
    }
    for (const char* v : {"4095", "1K", "0", "", "4k4"}) {
        Parsed p = parse(std::string("k user=") + v);
        EXPECT_EQ(default_user, p.cfg.user_bytes) << v;
        ASSERT_EQ(1u, p.messages.size()) << v;
        EXPECT_NE(std::string::npos, p.messages[0].find("bad user= value")) << p.messages[0];
    }
}

TEST(ModuleString, MessageQuotesAtMost24CharactersOfTheValue) {
    std::string v(40, '9');
    v += 'Q';
    Parsed p = parse("k mem=" + v);
    ASSERT_EQ(1u, p.messages.size());
    EXPECT_NE(std::string::npos, p.messages[0].find("'" + std::string(24, '9') + "'")) << p.messages[0];
}

TEST(ModuleString, Names) {
    std::string longest(31, 'n');
    EXPECT_EQ(longest, parse("k name=" + longest).cfg.name);
    Parsed too_long = parse("k name=" + longest + "n", 5);
    EXPECT_STREQ("dom5", too_long.cfg.name);
    EXPECT_EQ((Messages{"module 5: name must be 1-31 characters"}), too_long.messages);
    Parsed empty = parse("k name=", 5);
    EXPECT_STREQ("dom5", empty.cfg.name);
    EXPECT_EQ(1u, empty.messages.size());
    EXPECT_STREQ("a=b", parse("k name=a=b").cfg.name) << "only the first '=' splits";
}

TEST(ModuleString, LaterOptionsWin) {
    Parsed p = parse("k mem=32M name=a mem=64M name=b");
    EXPECT_EQ(64 * MiB, p.cfg.mem_bytes);
    EXPECT_STREQ("b", p.cfg.name);
    Parsed q = parse("k mem=32M mem=bad");
    EXPECT_EQ(32 * MiB, q.cfg.mem_bytes) << "a bad value leaves the earlier good one";
}

TEST(ModuleString, OtherWordsAreTheGuests) {
    Parsed p = parse("k =x memory=5M Mem=5M mem user name loglevel=debug");
    EXPECT_EQ(default_mem, p.cfg.mem_bytes);
    EXPECT_EQ(default_user, p.cfg.user_bytes);
    EXPECT_STREQ("dom1", p.cfg.name);
    EXPECT_TRUE(p.messages.empty());
}

TEST(ModuleString, ManyBadOptionsAreCountedNotLost) {
    std::string s = "k";
    for (int i = 0; i < 12; ++i) s += " mem=x";
    Parsed p = parse(s);
    EXPECT_EQ(Diagnostics::capacity, p.messages.size());
    EXPECT_EQ(12 - Diagnostics::capacity, p.dropped);
}

TEST(ModuleString, StopsAtTheGivenLength) {
    std::string s = "k mem=32M name=abc";
    Diagnostics d;
    DomainBootConfig cfg;
    // Only "k mem=32M name=a" is the string; the rest of the buffer is not.
    core::parse_module_string(kstd::string_view(s.data(), 16), 1, &cfg, &d);
    EXPECT_STREQ("a", cfg.name);
    EXPECT_EQ(32 * MiB, cfg.mem_bytes);
    EXPECT_EQ(14u, cfg.cmdline.size());
}

TEST(ModuleString, SchedulingAndEventOptions) {
    Parsed d = parse("k");
    EXPECT_EQ(1u, d.cfg.vcpus);
    EXPECT_EQ(256u, d.cfg.weight);
    EXPECT_EQ(0u, d.cfg.cap);
    EXPECT_EQ(1024u, d.cfg.evtchn_ports);
    Parsed p = parse("k vcpus=4 weight=512 cap=50 evtchn_ports=4096");
    EXPECT_EQ(4u, p.cfg.vcpus);
    EXPECT_EQ(512u, p.cfg.weight);
    EXPECT_EQ(50u, p.cfg.cap);
    EXPECT_EQ(4096u, p.cfg.evtchn_ports);
    EXPECT_TRUE(p.messages.empty());
    EXPECT_EQ(2u, parse("k evtchn_ports=2").cfg.evtchn_ports);
    for (const char* bad : {"k evtchn_ports=1", "k evtchn_ports=4097", "k evtchn_ports=", "k evtchn_ports=8K",
                            "k evtchn_ports=x"}) {
        Parsed b = parse(bad);
        EXPECT_EQ(1024u, b.cfg.evtchn_ports) << bad;
        EXPECT_EQ(Messages{"module 1: bad evtchn_ports= value (expected 2-4096)"}, b.messages) << bad;
    }
    EXPECT_EQ(Messages{"module 1: bad vcpus= value (expected 1-8)"}, parse("k vcpus=9").messages);
    EXPECT_EQ(Messages{"module 1: bad cap= value (expected 0-100)"}, parse("k cap=101").messages);
}
