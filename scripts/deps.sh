#!/usr/bin/env bash
# Install the Debian packages pvisor needs to build and test, if any are
# missing. Quiet when everything is there. Add a dependency here, one line.
set -euo pipefail

PACKAGES=(
    meson
    ninja-build
    clang
    lld
    llvm
    python3
    qemu-system-x86
    grub-pc-bin
    grub-common
    xorriso
    mtools
    libgtest-dev
    libgmock-dev
    libclang-rt-14-dev
    gnuplot-nox
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "deps: missing packages: ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
