// The domain lifecycle (core/domain.h): created paused, paused and
// unpaused with a count, ended once by shutdown or crash.
#include "core/domain.h"

#include <gtest/gtest.h>
#include <pvisor/sched.h>

#include <cstring>
#include <initializer_list>
#include <string>

using core::Domain;
using core::DomainState;
using kstd::Error;

TEST(Domain, StartsPausedByItsBuilder) {
    Domain d;
    EXPECT_EQ(DomainState::alive, d.state);
    EXPECT_EQ(1u, d.pause_count);
    EXPECT_FALSE(d.runnable());
    EXPECT_FALSE(d.dead());
    ASSERT_TRUE(d.unpause().is_ok());
    EXPECT_TRUE(d.runnable());
}

TEST(Domain, PausesNest) {
    Domain d;
    ASSERT_TRUE(d.unpause().is_ok());
    ASSERT_TRUE(d.pause().is_ok());
    ASSERT_TRUE(d.pause().is_ok());
    EXPECT_EQ(2u, d.pause_count);
    ASSERT_TRUE(d.unpause().is_ok());
    EXPECT_FALSE(d.runnable()) << "one pause is still held";
    ASSERT_TRUE(d.unpause().is_ok());
    EXPECT_TRUE(d.runnable());
}

TEST(Domain, UnpauseOfARunningDomain) {
    Domain d;
    ASSERT_TRUE(d.unpause().is_ok());
    auto r = d.unpause();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::already, r.error());
    EXPECT_EQ(0u, d.pause_count) << "no underflow";
    EXPECT_TRUE(d.runnable());
}

TEST(Domain, PauseCountSaturates) {
    Domain d;
    d.pause_count = UINT32_MAX;
    auto r = d.pause();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::range, r.error());
    EXPECT_EQ(UINT32_MAX, d.pause_count);
}

TEST(Domain, Shutdown) {
    for (uint32_t reason : std::initializer_list<uint32_t>{PV_SHUTDOWN_poweroff, PV_SHUTDOWN_reboot, PV_SHUTDOWN_crash}) {
        Domain d;
        ASSERT_TRUE(d.unpause().is_ok());
        ASSERT_TRUE(d.shutdown(reason).is_ok());
        EXPECT_EQ(DomainState::shut_down, d.state);
        EXPECT_EQ(reason, d.shutdown_reason);
        EXPECT_TRUE(d.dead());
        EXPECT_FALSE(d.runnable());
        EXPECT_STREQ("", d.crash_reason);
    }
}

TEST(Domain, ShutdownOfAPausedDomain) {
    Domain d;  // still paused by its builder
    ASSERT_TRUE(d.shutdown(PV_SHUTDOWN_poweroff).is_ok());
    EXPECT_TRUE(d.dead());
}

TEST(Domain, ShutdownRefusals) {
    Domain d;
    for (uint32_t reason : std::initializer_list<uint32_t>{3u, 100u, UINT32_MAX}) {
        auto r = d.shutdown(reason);
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(Error::inval, r.error());
        EXPECT_EQ(DomainState::alive, d.state);
        EXPECT_EQ(0u, d.shutdown_reason);
    }
    ASSERT_TRUE(d.shutdown(PV_SHUTDOWN_reboot).is_ok());
    auto again = d.shutdown(PV_SHUTDOWN_poweroff);
    ASSERT_TRUE(again.is_error());
    EXPECT_EQ(Error::already, again.error());
    EXPECT_EQ(PV_SHUTDOWN_reboot, d.shutdown_reason) << "the first reason stands";
}

TEST(Domain, Crash) {
    Domain d;
    ASSERT_TRUE(d.unpause().is_ok());
    d.crash("page fault at 0x1000 with no handler");
    EXPECT_EQ(DomainState::crashed, d.state);
    EXPECT_STREQ("page fault at 0x1000 with no handler", d.crash_reason);
    EXPECT_TRUE(d.dead());
    EXPECT_FALSE(d.runnable());
    d.crash("second");
    EXPECT_STREQ("page fault at 0x1000 with no handler", d.crash_reason) << "the first reason stands";
    auto r = d.shutdown(PV_SHUTDOWN_poweroff);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::already, r.error());
    EXPECT_EQ(DomainState::crashed, d.state);
}

TEST(Domain, CrashAfterShutdownChangesNothing) {
    Domain d;
    ASSERT_TRUE(d.shutdown(PV_SHUTDOWN_reboot).is_ok());
    d.crash("late");
    EXPECT_EQ(DomainState::shut_down, d.state);
    EXPECT_STREQ("", d.crash_reason);
}

TEST(Domain, CrashReasonIsTruncated) {
    Domain d;
    std::string why(300, 'w');
    d.crash(why.c_str());
    EXPECT_EQ(sizeof d.crash_reason - 1, std::strlen(d.crash_reason));
    Domain e;
    e.crash("with %s and %d in it");
    EXPECT_STREQ("with %s and %d in it", e.crash_reason) << "the reason is not a format string";
}

TEST(Domain, DeadDomainsCannotBePausedOrUnpaused) {
    Domain shut, crashed;
    ASSERT_TRUE(shut.shutdown(PV_SHUTDOWN_poweroff).is_ok());
    crashed.crash("x");
    for (Domain* d : {&shut, &crashed}) {
        uint32_t count = d->pause_count;
        auto p = d->pause();
        ASSERT_TRUE(p.is_error());
        EXPECT_EQ(Error::inval, p.error());
        auto u = d->unpause();
        ASSERT_TRUE(u.is_error());
        EXPECT_EQ(Error::inval, u.error());
        EXPECT_EQ(count, d->pause_count);
        EXPECT_FALSE(d->runnable());
    }
}

TEST(Domain, Names) {
    EXPECT_STREQ("alive", core::domain_state_name(DomainState::alive));
    EXPECT_STREQ("shut down", core::domain_state_name(DomainState::shut_down));
    EXPECT_STREQ("crashed", core::domain_state_name(DomainState::crashed));
    EXPECT_STREQ("?", core::domain_state_name(static_cast<DomainState>(7)));
    EXPECT_STREQ("poweroff", core::shutdown_reason_name(PV_SHUTDOWN_poweroff));
    EXPECT_STREQ("reboot", core::shutdown_reason_name(PV_SHUTDOWN_reboot));
    EXPECT_STREQ("crash", core::shutdown_reason_name(PV_SHUTDOWN_crash));
    EXPECT_STREQ("?", core::shutdown_reason_name(3));
}
