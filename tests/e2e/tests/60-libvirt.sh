#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libvirt end to end, as a libvirt user works: virtlogd and libvirtd run
# in the VM (qemu.conf with namespaces = [ ]: the VM's root is a chroot).
# A spar-nic instance is defined with mdevctl from samples/mdevctl and
# started; a domain made from samples/libvirt/domain.xml (direct kernel
# boot, serial console to a file, ACPI on) carries it.  The L2 guest pings
# the host interface over visornic; a spar-hba instance with an 8 MiB
# ramdisk LUN and a second spar-nic instance are attached live
# (samples/libvirt/hostdev-hba.xml, hostdev-nic.xml), the guest sees and
# reads the disk and sees eth1, and both are detached live, the disk and
# eth1 gone.
# Last the host stops the spar-nic instance (mdevctl stop) while the
# domain runs: QEMU, asked through the VFIO request interrupt, unplugs it,
# the guest's eth0, visorbus devices and PCI function go, the stop
# completes (the path 40-hot-unplug takes with QEMU alone).  The guest
# then powers off and the domain is shut off.  Both dmesgs stay clean.
# spar-timeout: 900

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

WORK=/tmp/libvirt-e2e
CONSOLE="$WORK/console.log"
DOMAIN=spar-sample
IFNAME=spn-virt
CFS=/sys/kernel/config/target
RD="$CFS/core/rd_mcp_9/virt"
SAMPLES="$SPAR_REPO/samples"
ctl="$SPAR_REPO/build/tools/sparctl"
VIRSH=(virsh -q -c qemu:///system)
L2_CHECKS="ping hba-disk hba-read eth1 hba-disk-gone eth1-gone eth0-gone
visorbus-empty pci-gone"

# shellcheck disable=SC2046 # one check name a word
t_declare virt-{tools,daemons,nic-define,nic-start,nic-if,hba-start,hba-lun,nic2-start} \
	virt-{initrd,xml,define,start,l2-ready,attach,detach,nic-stop} \
	virt-{nic-gone,host-if-gone,shut-off,undefine,l2-end,l2-dmesg,l1-dmesg} \
	$(printf 'virt-%s ' $L2_CHECKS)

# The script the L2 guest runs (busybox sh).
# shellcheck disable=SC2317 # called through make_initrd
l2_script() {
	cat << 'EOF'
say() { echo "VIRT $*"; }
res() { if [ "$2" = 0 ]; then say PASS "$1"; else say FAIL "$1" "$3"; fi; }
# until SECONDS CMD...: wait until CMD succeeds, at most SECONDS * SLOW.
until_ok() {
	n=$(($1 * SLOW))
	shift
	while [ "$n" -gt 0 ] && ! "$@" 2> /dev/null; do
		sleep 1
		n=$((n - 1))
	done
	"$@" 2> /dev/null
}
has_disk() { ls -d /sys/block/sd* > /dev/null 2>&1; }
no_disk() { ! has_disk; }
no_eth0() { [ ! -e /sys/class/net/eth0 ]; }
no_eth1() { [ ! -e /sys/class/net/eth1 ]; }
no_visor() { [ -z "$(ls /sys/bus/visorbus/devices)" ]; }
no_pci() { ! grep -q '1018530[123]' /proc/bus/pci/devices; }
insmod /modules/visornic.ko
insmod /modules/visorhba.ko
until_ok 30 test -e /sys/class/net/eth0
ip addr add 10.94.0.2/24 dev eth0
ip link set eth0 up
until_ok 30 grep -q 1 /sys/class/net/eth0/carrier
ping -c 3 -W 5 10.94.0.1 | grep -q ' 3 packets received'
res ping "$?"
say READY
until_ok 240 has_disk
res hba-disk "$?" "no disk appeared"
d="$(basename "$(ls -d /sys/block/sd* 2> /dev/null | head -n 1)")"
[ "$(cat "/sys/block/$d/size" 2> /dev/null)" = 16384 ] &&
	dd if="/dev/$d" of=/dev/null bs=64k count=16 iflag=direct 2> /dev/null
res hba-read "$?" "disk '$d' of $(cat "/sys/block/$d/size" 2> /dev/null) sectors"
until_ok 120 test -e /sys/class/net/eth1
res eth1 "$?" "no eth1"
say DISK
until_ok 240 no_disk
res hba-disk-gone "$?"
until_ok 120 no_eth1
res eth1-gone "$?"
say DISK-GONE
until_ok 240 no_eth0
res eth0-gone "$?"
until_ok 30 no_visor
res visorbus-empty "$?" "$(ls /sys/bus/visorbus/devices)"
until_ok 30 no_pci
res pci-gone "$?"
say END
EOF
}

# shellcheck disable=SC2317 # called through t_ok
make_initrd() {
	l2_script | l2_guest_initrd "$WORK" 60-libvirt.sh
}

# The domain from the sample: its placeholders filled, and under TCG in
# TCG a CPU model without cmpxchg16b (l2.sh says why).
# shellcheck disable=SC2317 # called through t_ok
make_xml() {
	sed -e "s|@QEMU@|$(command -v qemu-system-x86_64)|" \
		-e "s|@KERNEL@|$L2_KERNEL|" -e "s|@INITRD@|$WORK/initrd.gz|" \
		-e "s|@CONSOLE@|$CONSOLE|g" -e "s|@NIC_UUID@|$NIC|" \
		-e "s|<cmdline>.*</cmdline>|<cmdline>$L2_APPEND</cmdline>|" \
		-e "s|</vcpu>|</vcpu><cpu mode='custom' match='exact' check='none'><model fallback='allow'>qemu64</model><feature policy='disable' name='cx16'/></cpu>|" \
		"$SAMPLES/libvirt/domain.xml" > "$WORK/domain.xml" &&
		sed "s|@UUID@|$HBA|" "$SAMPLES/libvirt/hostdev-hba.xml" > "$WORK/hba.xml" &&
		sed "s|@UUID@|$NIC2|" "$SAMPLES/libvirt/hostdev-nic.xml" > "$WORK/nic2.xml" &&
		! grep -q '@[A-Z_]*@' "$WORK/domain.xml" "$WORK/hba.xml" "$WORK/nic2.xml"
}

# daemons: virtlogd and libvirtd, configured for a chroot without
# namespaces or cgroups, running as root.
# shellcheck disable=SC2317 # called through t_ok
daemons() {
	local i
	mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/lib/libvirt/qemu \
		/run/libvirt || return 1
	cat > /etc/libvirt/qemu.conf << 'EOF'
namespaces = [ ]
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
EOF
	# Debian's packaging makes this user (libvirt-daemon-system); the
	# QEMU driver resolves it before it reads qemu.conf.
	getent passwd libvirt-qemu > /dev/null ||
		useradd -r -U -M -d /var/lib/libvirt -s /usr/sbin/nologin \
			libvirt-qemu || return 1
	virtlogd > "$WORK/virtlogd.log" 2>&1 &
	libvirtd > "$WORK/libvirtd.log" 2>&1 &
	for ((i = 0; i < $(t_time 60); i++)); do
		"${VIRSH[@]}" version > /dev/null 2>&1 && return 0
		sleep 1
	done
	"${VIRSH[@]}" version || grep -a ' error ' "$WORK/libvirtd.log" | tail -n 5
	return 1
}

# shellcheck disable=SC2317 # called through t_ok
nic_if() {
	sysfs_write "$MDEV_DEVICES/$NIC/ifname" "$IFNAME" || return 1
	sysctl -qw "net.ipv6.conf.$IFNAME.disable_ipv6=1"
	ip addr add 10.94.0.1/24 dev "$IFNAME" && ip link set "$IFNAME" up
}

# shellcheck disable=SC2317 # called through t_ok
hba_lun() {
	lio_ready || return 1
	mkdir -p "$RD" && echo rd_pages=2048 > "$RD/control" &&
		echo 1 > "$RD/enable" && "$ctl" hba add "$HBA" 0 rd_mcp_9/virt
}

# step WORD SECONDS: the L2 console has the line "VIRT WORD" within SECONDS.
step() {
	local end=$((SECONDS + $(t_time "$2")))
	while ((SECONDS < end)); do
		tr -d '\r' < "$CONSOLE" 2> /dev/null | grep -qx "VIRT $1" && return 0
		sleep 1
	done
	return 1
}

shut_off() {
	local i
	for ((i = 0; i < $(t_time "$1"); i++)); do
		[ "$("${VIRSH[@]}" domstate "$DOMAIN" 2> /dev/null)" = "shut off" ] &&
			return 0
		sleep 1
	done
	return 1
}

cleanup() {
	"${VIRSH[@]}" destroy "$DOMAIN" > /dev/null 2>&1
	"${VIRSH[@]}" undefine "$DOMAIN" > /dev/null 2>&1
	pkill -x libvirtd
	pkill -x virtlogd
	"$ctl" hba remove "$HBA" 0 > /dev/null 2>&1
	rmdir "$CFS/spar" "$RD" "${RD%/*}" 2> /dev/null
	mdevctl stop -u "$HBA" > /dev/null 2>&1
	mdevctl stop -u "$NIC2" > /dev/null 2>&1
	mdevctl stop -u "$NIC" > /dev/null 2>&1
	mdevctl undefine -u "$NIC" > /dev/null 2>&1
}

T_FAILS=0
rm -rf "$WORK"
mkdir -p "$WORK"
NIC="$(new_uuid)"
HBA="$(new_uuid)"
NIC2="$(new_uuid)"
trap cleanup EXIT
t_ok virt-tools command -v virsh libvirtd virtlogd mdevctl
[ "$T_FAILS" -eq 0 ] || t_done
dmesg_mark
t_ok virt-daemons daemons
t_ok virt-nic-define mdevctl define -u "$NIC" -p spar \
	--jsonfile "$SAMPLES/mdevctl/spar-nic.json"
t_ok virt-nic-start mdevctl start -u "$NIC"
t_ok virt-nic-if nic_if
t_ok virt-hba-start mdevctl start -u "$HBA" -p spar -t spar-hba
t_ok virt-hba-lun hba_lun
t_ok virt-nic2-start mdevctl start -u "$NIC2" -p spar -t spar-nic
t_ok virt-initrd make_initrd
t_ok virt-xml make_xml
t_ok virt-define "${VIRSH[@]}" define "$WORK/domain.xml"
[ "$T_FAILS" -eq 0 ] || t_done
start=$SECONDS
t_ok virt-start "${VIRSH[@]}" start "$DOMAIN"
if step READY 400; then
	t_pass virt-l2-ready
	echo "# l2 ready after $((SECONDS - start)) s"
	t_ok virt-attach sh -c "${VIRSH[*]} attach-device $DOMAIN $WORK/hba.xml --live &&
		${VIRSH[*]} attach-device $DOMAIN $WORK/nic2.xml --live"
	step DISK 300
	t_ok virt-detach sh -c "${VIRSH[*]} detach-device $DOMAIN $WORK/hba.xml --live &&
		${VIRSH[*]} detach-device $DOMAIN $WORK/nic2.xml --live"
	step DISK-GONE 300
	t_ok virt-nic-stop timeout "$(t_time 180)" mdevctl stop -u "$NIC"
	t_not virt-nic-gone test -e "$MDEV_DEVICES/$NIC"
	t_not virt-host-if-gone test -e "/sys/class/net/$IFNAME"
else
	t_fail virt-l2-ready "no 'VIRT READY' from the L2 guest"
fi
t_ok virt-shut-off shut_off 300
echo "# domain: $((SECONDS - start)) s"
tr -d '\r' < "$CONSOLE" > "$WORK/console.txt" 2> /dev/null
sed 's/^/[l2:virt] /' "$WORK/console.txt" | grep -a -E 'VIRT|SPAR-L2' || true
# shellcheck disable=SC2086 # one check name a word
l2_verdicts VIRT virt "$WORK/console.txt" $L2_CHECKS
t_ok virt-l2-end grep -qx 'VIRT END' "$WORK/console.txt"
l2_dmesg_checks virt "$WORK/console.txt"
t_ok virt-undefine "${VIRSH[@]}" undefine "$DOMAIN"
t_done
