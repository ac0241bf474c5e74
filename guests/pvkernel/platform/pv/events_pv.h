// What the pv event files share: the handler table (event_dispatch.cpp)
// and the upcall entry (event_entry.S).
#pragma once

#include "pvk/events.h"
#include "pvk/trap_frame.h"

namespace pvk::pv {

// Installs (or with h null, clears) the handler slot of port p < max_ports.
void set_port_handler(events::Port p, events::Handler h, void* arg);

}  // namespace pvk::pv

// The PV_CALLBACK_EVENT callback (event_entry.S): scans the pending ports,
// calls their handlers from the slots set_port_handler fills, and resumes
// with a native iretq (an upcall from kernel mode; events re-enabled as
// the frame says) or with the iret hypercall (to user mode).
extern "C" void pvk_pv_event_entry();
