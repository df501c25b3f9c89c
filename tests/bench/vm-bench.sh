#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the bench VM (started by tests/bench/run.sh): loads the host
# module, creates one spar-nic instance and a veth pair, and runs
# build/tools/nic_bench over both for each frame size.  Prints RESULT lines.

set -u
SPAR_TIER=bench
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

secs="${1:-3}"
bench="$SPAR_REPO/build/tools/nic_bench"

if ! out="$(spar_load max_nic=1 max_hba=1 max_input=1)"; then
	echo "# bench: module load failed: $out"
	exit 1
fi
u="$(new_uuid)"
mdev_create spar-nic "$u" > /dev/null || { echo "# bench: create failed"; exit 1; }
ifn="$(rd "$MDEV_DEVICES/$u/ifname")"
# The kernel cannot autoload modules from inside the chroot: load veth here.
modprobe veth || echo "# bench: modprobe veth failed"
ip link add spbva type veth peer name spbvb
for i in "$ifn" spbva spbvb; do
	sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" 2> /dev/null
	ip link set "$i" up
done
for size in 64 1500; do
	"$bench" spar "$u" "$size" "$secs"
	"$bench" veth spbva spbvb "$size" "$secs"
done
ip link del spbva
mdev_remove "$u" > /dev/null
echo "# bench done"
