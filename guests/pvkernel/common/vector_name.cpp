#include "pvk/trap_frame.h"

namespace pvk {

const char* vector_name(uint32_t vector) {
    // Intel SDM Vol. 3A, Table 6-1.
    static constexpr const char* names[] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
        "#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM",
        "#VE", "#CP",
    };
    if (vector < sizeof names / sizeof names[0]) return names[vector];
    if (vector == TF_VECTOR_SYSCALL) return "syscall";
    return "vector";
}

}  // namespace pvk
