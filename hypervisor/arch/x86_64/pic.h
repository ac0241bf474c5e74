// The legacy 8259 PICs. Firmware leaves them delivering IRQ 0-7 at
// vectors 8-15, on top of the CPU exceptions; guests run with the real
// interrupt flag set, so the PICs are moved out of the way and masked.
#pragma once

namespace arch {

void pic_disable();

}  // namespace arch
