// The events demo (see common/demo_events.cpp).
#pragma once

namespace pvk {

// Runs the demo if the command line asks for it; true if it ran.
bool demo_events();

}  // namespace pvk
