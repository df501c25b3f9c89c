#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest modules load by themselves under a real udev.  This VM
# installs visorbus, visornic and visorhba (built for the nested guest's
# kernel) into its own /lib/modules/<kver>/updates/spar and runs depmod;
# its root is shared with the L2 guest over 9p, as the host's is with this
# VM.  The L2 guest has a spar-nic and a spar-hba instance (an 8 MiB
# ramdisk LUN) and loads none of the modules itself: it chroots into the
# shared root, starts systemd-udevd there and replays the add events of
# the PCI devices (as udevadm trigger would; it does nothing in a chroot).  visorbus must load by its PCI modalias, visornic and
# visorhba by their visorbus modaliases, eth0 must come up on visornic and
# ping this VM, and the disk must appear.  Both dmesgs stay clean.
# Some 6 minutes under TCG: make check runs it in the mixed tier only (the
# nested guest on the oldest kernel), in place of a second 30-visornic.
# spar-when-named
# spar-timeout: 600

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

WORK=/tmp/autoload-e2e
IFNAME=spn-auto
MODDIR="/lib/modules/$L2_KVER/updates/spar-autoload"
CFS=/sys/kernel/config/target
RD="$CFS/core/rd_mcp_8/auto"
ctl="$SPAR_REPO/build/tools/sparctl"
L2_CHECKS="none-before chroot udevd trigger visorbus visornic visorhba
eth0-visornic ping disk"

# shellcheck disable=SC2046 # one check name a word
t_declare auto-{modules,depmod,nic,nic-if,hba,hba-lun,initrd,qemu-exit} \
	auto-{l2-end,l2-dmesg,l1-dmesg} $(printf 'auto-%s ' $L2_CHECKS)

# The script the L2 guest runs (busybox sh).
# shellcheck disable=SC2317 # called through make_initrd
l2_script() {
	cat << 'EOF'
say() { echo "AUTO $*"; }
res() { if [ "$2" = 0 ]; then say PASS "$1"; else say FAIL "$1" "$3"; fi; }
until_ok() {
	n=$(($1 * SLOW))
	shift
	while [ "$n" -gt 0 ] && ! "$@" 2> /dev/null; do
		sleep 1
		n=$((n - 1))
	done
	"$@" 2> /dev/null
}
loaded() { grep -q "^$1 " /proc/modules; }
has_disk() { ls -d /sys/block/sd* > /dev/null 2>&1; }
! grep -q '^visor' /proc/modules
res none-before "$?" "$(grep '^visor' /proc/modules | cut -d' ' -f1)"
r=/host
mkdir -p "$r"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=524288 host "$r" &&
	mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" &&
	mount -t devtmpfs devtmpfs "$r/dev" && mount -t tmpfs tmpfs "$r/run" &&
	mount -t tmpfs tmpfs "$r/tmp"
res chroot "$?"
chroot "$r" /lib/systemd/systemd-udevd --daemon
res udevd "$?"
# What udevadm trigger does, which refuses to run in a chroot: an add
# event replayed to udevd, here for the spar functions only (vendor
# 0x1018), so that udevd under emulation has little else to do.
r2=1
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1018 ] || continue
	echo add > "$d/uevent" && r2=0
done
res trigger "$r2" "no spar function took the add event"
until_ok 60 loaded visorbus
res visorbus "$?"
if ! loaded visorbus; then
	for d in /sys/bus/pci/devices/*; do
		grep -q 1018 "$d/vendor" 2> /dev/null || continue
		m="$(cat "$d/modalias")"
		echo "# $d: $m"
		chroot "$r" udevadm info "$d" | sed 's/^/# /'
		chroot "$r" /sbin/modprobe -n -v "$m" 2>&1 | sed 's/^/# modprobe: /'
	done
	grep -c visor "$r/lib/modules/$(uname -r)/modules.alias" | sed 's/^/# aliases: /'
fi
until_ok 60 loaded visornic
res visornic "$?"
until_ok 60 loaded visorhba
res visorhba "$?"
until_ok 30 test -e /sys/class/net/eth0
drv="$(basename "$(readlink /sys/class/net/eth0/device/driver 2> /dev/null)")"
[ "$drv" = visornic ]
res eth0-visornic "$?" "eth0 driver '$drv'"
ip addr add 10.93.0.2/24 dev eth0
ip link set eth0 up
until_ok 30 grep -q 1 /sys/class/net/eth0/carrier
ping -c 3 -W 5 10.93.0.1 | grep -q ' 3 packets received'
res ping "$?"
until_ok 60 has_disk
res disk "$?"
chroot "$r" udevadm control --exit
umount "$r/tmp" "$r/run" "$r/dev" "$r/sys" "$r/proc" "$r"
say END
EOF
}

# The standard L2 initramfs and the script, without the archive of
# l2_guest_initrd, which loads visorbus at boot.
# shellcheck disable=SC2317 # called through t_ok
make_initrd() {
	local x="$WORK/extra"
	rm -rf "$x" && mkdir -p "$x/l2.d" || return 1
	{
		echo "SLOW=$T_SLOW"
		l2_script
	} > "$x/l2.d/70-autoload.sh"
	(cd "$x" && find . -print0 | sort -z |
		cpio --null -o -H newc --quiet) | gzip -1 > "$WORK/extra.cpio.gz" &&
		cat "$L2_INITRD" "$WORK/extra.cpio.gz" > "$WORK/initrd.gz"
}

# shellcheck disable=SC2317 # called through t_ok
modules() {
	mkdir -p "$MODDIR" &&
		cp "$SPAR_GUEST_KO/visorbus/visorbus.ko" \
			"$SPAR_GUEST_KO/visornic/visornic.ko" \
			"$SPAR_GUEST_KO/visorhba/visorhba.ko" "$MODDIR/"
}

# shellcheck disable=SC2317 # called through t_ok
nic_if() {
	sysfs_write "$MDEV_DEVICES/$NIC/ifname" "$IFNAME" || return 1
	sysctl -qw "net.ipv6.conf.$IFNAME.disable_ipv6=1"
	ip addr add 10.93.0.1/24 dev "$IFNAME" && ip link set "$IFNAME" up
}

# shellcheck disable=SC2317 # called through t_ok
hba_lun() {
	lio_ready || return 1
	mkdir -p "$RD" && echo rd_pages=2048 > "$RD/control" &&
		echo 1 > "$RD/enable" && "$ctl" hba add "$HBA" 0 rd_mcp_8/auto
}

cleanup() {
	"$ctl" hba remove "$HBA" 0 > /dev/null 2>&1
	rmdir "$CFS/spar" "$RD" "${RD%/*}" 2> /dev/null
	mdev_remove "$NIC" > /dev/null 2>&1
	mdev_remove "$HBA" > /dev/null 2>&1
	rm -rf "$MODDIR" "$WORK"
	depmod -a "$L2_KVER"
}

T_FAILS=0
rm -rf "$WORK"
mkdir -p "$WORK"
NIC="$(new_uuid)"
HBA="$(new_uuid)"
trap cleanup EXIT
t_ok auto-modules modules
t_ok auto-depmod depmod -a "$L2_KVER"
t_ok auto-nic mdev_create spar-nic "$NIC"
t_ok auto-nic-if nic_if
t_ok auto-hba mdev_create spar-hba "$HBA"
t_ok auto-hba-lun hba_lun
t_ok auto-initrd make_initrd
[ "$T_FAILS" -eq 0 ] || t_done
dmesg_mark

LOG="$(l2_log autoload)"
rm -f "$LOG"
L2_INITRD="$WORK/initrd.gz" l2_boot autoload "${SPAR_AUTOLOAD_L2_TIMEOUT:-500}" \
	-device "vfio-pci,sysfsdev=$MDEV_DEVICES/$NIC" \
	-device "vfio-pci,sysfsdev=$MDEV_DEVICES/$HBA" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
rc=$?
# shellcheck disable=SC2086 # one check name a word
l2_verdicts AUTO auto "$LOG" $L2_CHECKS
t_ok auto-l2-end grep -qx 'AUTO END' "$LOG"
t_eq auto-qemu-exit 0 "$rc"
l2_dmesg_checks auto "$LOG"
t_done
