#!/usr/bin/env bash
# Build a BIOS-bootable GRUB rescue ISO that boots pvisor through multiboot2.
#
#   scripts/mkiso.sh OUT.iso PVISOR.BIN [HYPERVISOR COMMAND LINE...]
#
# Needs grub-mkrescue (grub-common), the i386-pc modules (grub-pc-bin),
# xorriso and mtools; scripts/deps.sh installs them. When one is missing the
# ISO is not made and the script exits 0 with a warning, so the rest of the
# build goes on; the GRUB boot test then skips (it --require's the same
# tools), and because OUT.iso does not exist ninja retries on the next build.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 OUT.iso PVISOR.BIN [COMMAND LINE...]" >&2
    exit 2
fi
out=$1
image=$2
shift 2
cmdline="$*"
grub_dir=/usr/lib/grub/i386-pc

missing=()
for tool in grub-mkrescue xorriso mformat; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ -f $grub_dir/moddep.lst ]] || missing+=("$grub_dir (grub-pc-bin)")
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "mkiso: WARNING: not building $out, missing: ${missing[*]} (run scripts/deps.sh)" >&2
    rm -f "$out"
    exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pvisor-iso.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/iso/boot/grub"
cp "$image" "$work/iso/boot/pvisor.bin"
# The serial terminal makes GRUB's own errors visible in the boot test's log.
cat > "$work/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "pvisor" {
    multiboot2 /boot/pvisor.bin $cmdline
    boot
}
CFG

if ! grub-mkrescue -d "$grub_dir" -o "$work/out.iso" "$work/iso" >"$work/log" 2>&1; then
    echo "mkiso: grub-mkrescue failed:" >&2
    cat "$work/log" >&2
    exit 1
fi
mv "$work/out.iso" "$out"
