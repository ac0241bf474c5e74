// What the pv event files share: the handler table (event_dispatch.cpp)
// and the upcall entry (event_entry.S).
#pragma once

#include "pvk/events.h"
#include "pvk/trap_frame.h"

namespace pvk::pv {

// Installs (or with h null, clears) the handler slot of port p < max_ports.
void set_port_handler(events::Port p, events::Handler h, void* arg);

}  // namespace pvk::pv

// The PV_CALLBACK_EVENT callback: saves the caller-saved registers the
// frame does not hold and calls pvk_pv_event_upcall(frame), which handles
// the pending ports and says how to resume: true, with a native iretq (an
// upcall from kernel mode; events re-enabled as the frame says), false,
// with the iret hypercall.
extern "C" void pvk_pv_event_entry();
extern "C" bool pvk_pv_event_upcall(pvk::TrapFrame* frame);
