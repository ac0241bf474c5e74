// The user programs embedded in the kernel image (user/*.cpp, linked at
// PVK_USER_VA and included as ELF files by the generated user_programs.S).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace pvk {

struct UserProgramBlob {
    const char* name;
    const uint8_t* data;
    uint64_t size;
};

// nullptr if there is no such program.
const UserProgramBlob* find_user_program(const char* name);

}  // namespace pvk

extern "C" const pvk::UserProgramBlob pvk_user_programs[];
extern "C" const uint64_t pvk_user_program_count;
