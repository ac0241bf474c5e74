#include "pvk/user_programs.h"

#include <kstd/string.h>

namespace pvk {

const UserProgramBlob* find_user_program(const char* name) {
    for (uint64_t i = 0; i < pvk_user_program_count; ++i)
        if (kstd::strcmp(pvk_user_programs[i].name, name) == 0) return &pvk_user_programs[i];
    return nullptr;
}

}  // namespace pvk
