#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The nested path works: QEMU started inside the test VM boots an L2 guest
# from the same kernel, which reports that it is up and powers off cleanly.
# Every other file boots an L2 guest and checks the same, so `make check`
# leaves this one out (86 s under TCG); it runs when named, to tell a
# broken nested path from a broken driver:
#   make check-e2e E2E_TESTS=10-nested-boot
# spar-when-named

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

t_declare nested-{qemu,initrd,boot,poweroff,qemu-exit,l2-dmesg}

t_ok nested-qemu command -v qemu-system-x86_64
t_ok nested-initrd test -r "$L2_INITRD"

start=$SECONDS
l2_boot nested "${SPAR_L2_TIMEOUT:-240}"
rc=$?
log="$(l2_log nested)"
echo "# l2 nested: $((SECONDS - start)) s"

# The release string may hold regex characters (6.12.117+deb12): match it literally.
t_ok nested-boot grep -qxF "SPAR-L2-UP $L2_KVER" "$log"
t_match nested-poweroff '^SPAR-L2-DONE$' "$(cat "$log")"
t_eq nested-qemu-exit 0 "$rc"
l2dmesg="$(sed -n '/^SPAR-L2-DMESG-BEGIN$/,/^SPAR-L2-DMESG-END$/p' "$log")"
if [ -z "$l2dmesg" ]; then
	t_fail nested-l2-dmesg "the L2 guest dumped no dmesg"
elif bad="$(dmesg_clean "$l2dmesg")"; then
	t_pass nested-l2-dmesg
else
	t_fail nested-l2-dmesg "$bad"
fi

t_done
