// State the pv platform files share: the pages the builder handed over.
#pragma once

#include <pvisor/shared_info.h>
#include <pvisor/start_info.h>

#include "pvk/user_context.h"

namespace pvk::pv {

// Set once at boot (boot.cpp), before anything reads them; inline because
// the event paths read the shared page many times per event.
extern const pv_start_info* g_start_info;
extern volatile pv_shared_info* g_shared_info asm("pvk_pv_shared_info");

inline const pv_start_info& start_info() { return *g_start_info; }
inline volatile pv_shared_info& shared_info() { return *g_shared_info; }

}  // namespace pvk::pv

// platform/pv/entry.S and user_mode.S
extern "C" char pvk_pv_entry_stack_top[];
extern "C" void pvk_pv_trap_entry();
extern "C" void pvk_pv_failsafe_entry();
extern "C" void pvk_user_exit_frame();
extern "C" void pvk_pv_enter_user(pvk::UserContext* ctx);
