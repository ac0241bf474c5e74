// The real IDT belongs to the hypervisor (DESIGN.md): every vector enters
// entry.S; guests only ever see bounced exceptions.
#pragma once

#include <stdint.h>

namespace arch {

void idt_init();
// Lets ring 3 raise this vector with `int n` (for int3 and into).
void idt_set_user_callable(uint8_t vector, bool callable);

}  // namespace arch
