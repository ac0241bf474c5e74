#include "pic.h"

#include "io.h"

namespace arch {
namespace {

constexpr uint16_t pic1_cmd = 0x20, pic1_data = 0x21, pic2_cmd = 0xa0, pic2_data = 0xa1;

}  // namespace

void pic_disable() {
    // ICW1-ICW4 (8259A data sheet): edge-triggered, cascaded, 8086 mode,
    // vectors 0x20-0x2f, so that even a spurious IRQ 7 or 15 arrives at a
    // vector that is not an exception.
    outb(pic1_cmd, 0x11);
    outb(pic2_cmd, 0x11);
    outb(pic1_data, 0x20);
    outb(pic2_data, 0x28);
    outb(pic1_data, 0x04);  // slave on IRQ 2
    outb(pic2_data, 0x02);
    outb(pic1_data, 0x01);
    outb(pic2_data, 0x01);
    // Mask every line.
    outb(pic1_data, 0xff);
    outb(pic2_data, 0xff);
}

}  // namespace arch
