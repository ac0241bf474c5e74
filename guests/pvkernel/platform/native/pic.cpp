// The legacy 8259 PICs: moved off the exception vectors and masked. The
// native kernel takes no interrupts (pvisor guests get no events yet
// either), so benchmarks run the same paths on both.
#include "native.h"
#include "x86.h"

namespace pvk::native {

void pic_disable() {
    // 8259A datasheet: ICW1-ICW4, then mask everything with OCW1.
    constexpr uint16_t master_cmd = 0x20, master_data = 0x21, slave_cmd = 0xa0, slave_data = 0xa1;
    outb(master_cmd, 0x11);   // ICW1: edge, cascade, ICW4 follows
    outb(slave_cmd, 0x11);
    outb(master_data, 0x20);  // ICW2: vectors 0x20-0x27
    outb(slave_data, 0x28);   //       and 0x28-0x2f
    outb(master_data, 0x04);  // ICW3: slave on IRQ2
    outb(slave_data, 0x02);
    outb(master_data, 0x01);  // ICW4: 8086 mode
    outb(slave_data, 0x01);
    outb(master_data, 0xff);
    outb(slave_data, 0xff);
}

}  // namespace pvk::native
