// State the pv platform files share: the pages the builder handed over.
#pragma once

#include <pvisor/shared_info.h>
#include <pvisor/start_info.h>

#include "pvk/user_context.h"

namespace pvk::pv {

const pv_start_info& start_info();
volatile pv_shared_info& shared_info();

}  // namespace pvk::pv

// platform/pv/entry.S and user_mode.S
extern "C" char pvk_pv_entry_stack_top[];
extern "C" void pvk_pv_trap_entry();
extern "C" void pvk_pv_failsafe_entry();
extern "C" void pvk_user_exit_frame();
extern "C" void pvk_pv_enter_user(pvk::UserContext* ctx);
