#include "core/domain.h"

#include <pvisor/sched.h>

#include "core/log.h"
#include "kstd/format.h"

namespace core {

using kstd::Error;

const char* domain_state_name(DomainState s) {
    switch (s) {
    case DomainState::alive: return "alive";
    case DomainState::shut_down: return "shut down";
    case DomainState::crashed: return "crashed";
    }
    return "?";
}

const char* shutdown_reason_name(uint32_t reason) {
    switch (reason) {
    case PV_SHUTDOWN_poweroff: return "poweroff";
    case PV_SHUTDOWN_reboot: return "reboot";
    case PV_SHUTDOWN_crash: return "crash";
    }
    return "?";
}

kstd::Result<void> Domain::pause() {
    if (dead()) return Error::inval;
    if (pause_count == UINT32_MAX) return Error::range;
    ++pause_count;
    return kstd::ok();
}

kstd::Result<void> Domain::unpause() {
    if (dead()) return Error::inval;
    if (pause_count == 0) return Error::already;
    --pause_count;
    return kstd::ok();
}

kstd::Result<void> Domain::shutdown(uint32_t reason) {
    if (reason > PV_SHUTDOWN_crash) return Error::inval;
    if (dead()) return Error::already;
    state = DomainState::shut_down;
    shutdown_reason = reason;
    return kstd::ok();
}

void Domain::crash(const char* why) {
    if (dead()) return;
    state = DomainState::crashed;
    kstd::format(crash_reason, sizeof crash_reason, "%s", why);
}

}  // namespace core
