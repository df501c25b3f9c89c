#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# visorbus in a nested guest: one spar-nic and one spar-input instance are
# passed to an L2 guest as vfio-pci devices; L2 loads visorbus and reports
# its buses, devices, sysfs files and uevents.  Meanwhile this side checks
# the host's view (status, GUEST_STATUS through the QEMU monitor), drives a
# pause/resume of each function with "recover", and waits for L2 to see
# it.  At the end L2 unloads visorbus and its dmesg must be clean.

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

t_declare vb-{module,create-nic,create-input,l2-ready,qemu-exit,insmod} \
	vb-{host-status,guest-status,host-closed,pci-driver,bus-name}-{nic,input} \
	vb-recover{,-ready,-no-reset,-config-irqs}-{nic,input} \
	vb-{guest-status-resumed,bus-unique,devices,l2-paused-resumed,rmmod} \
	vb-{unbound,l2-done,l2-dmesg,l2-dmesg-visorbus} \
	vb-{nicbus,inputbus}-{partition_handle,partition_guid,partition_name} \
	vb-{nicbus,inputbus}-{channel_addr,channel_bytes,channel_id} \
	vb-{vnic,keyboard,mouse}-{physaddr,nbytes,clientpartition,typeguid} \
	vb-{vnic,keyboard,mouse}-{zoneguid,typename,modalias,uevent}

VB_KO="$SPAR_GUEST_KO/visorbus/visorbus.ko"
VNIC_GUID=8cd5994d-c58e-11da-95a9-00e08161165f
KBD_GUID=c73416d0-b0b8-44af-b304-9d2ae99f1b3d
MOUSE_GUID=addf07d4-94a9-46e2-81c3-61abcdbdbd87
L2NAME=visorbus
MON=/tmp/l2-$L2NAME-mon

upper() {
	tr '[:lower:]' '[:upper:]' <<< "$1"
}

# The partition handle the host derives from an instance UUID: the first
# eight bytes of the UUID in the kernel's guid_t order, read as a
# little-endian number, which gives the first three fields reversed.
uuid_handle() {
	printf '0x%x\n' "$((16#${1:14:4}${1:9:4}${1:0:8}))"
}

# l2_attr NAME FILE: a sysfs value L2 reported ("VB-ATTR NAME FILE VALUE").
l2_attr() {
	sed -n "s/^VB-ATTR $1 $2 //p" "$LOG" | head -n 1
}

# mon CMD: run a QEMU monitor command in L2's monitor, print its output.
mon() {
	local before
	before="$(wc -l < "$MON.log")"
	# shellcheck disable=SC2016 # expanded by the inner shell
	timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' mon "$1" "$MON.in"
	sleep 1
	tail -n "+$((before + 1))" "$MON.log" | tr -d '\r'
}

# guest_status ADDR: GUEST_STATUS of the function whose BAR2 is at ADDR,
# read with the monitor's physical-memory dump (an MMIO read of BAR2).
guest_status() {
	local a
	a="$(printf '%x' "$(($1 + 0x14))")"
	mon "xp /1wx 0x$a" | grep -oE "^0*$a: 0x[0-9a-f]+" | tail -n 1 |
		cut -d' ' -f2
}

# bar2_of DEVICE-ID: BAR2 address of the spar function with that PCI
# device ID, from the monitor's "info pci".
bar2_of() {
	mon "info pci" | awk -v id="1018:$1" '
		/PCI device/ { cur = ($NF == id) }
		cur && /BAR2:/ {
			for (i = 1; i < NF; i++)
				if ($i == "at") { print $(i + 1); exit }
		}'
}

stat_of() {
	rd "$MDEV_DEVICES/$1/stats/$2"
}

# wait_status UUID WANT SECONDS
wait_status() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		[ "$(rd "$MDEV_DEVICES/$1/status")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

t_ok vb-module test -r "$VB_KO"
nic="$(new_uuid)"
inp="$(new_uuid)"
t_ok vb-create-nic mdev_create spar-nic "$nic"
t_ok vb-create-input mdev_create spar-input "$inp"

# L2's initramfs: the common one plus visorbus.ko and the L2 half of this
# test (initramfs archives may be concatenated).
work="$(mktemp -d /tmp/vb.XXXXXX)"
mkdir -p "$work/root/l2.d" "$work/root/vb"
cp "$VB_KO" "$work/root/vb/"
echo "SLOW=$T_SLOW" > "$work/root/l2.d/20-visorbus.sh"
cat >> "$work/root/l2.d/20-visorbus.sh" << 'EOF'
# L2 half of tests/e2e/tests/20-visorbus.sh (busybox sh).
V=/sys/bus/visorbus/devices
if insmod /vb/visorbus.ko; then echo "VB-INSMOD ok"; else echo "VB-INSMOD fail"; fi
sleep 1
for d in "$V"/*; do
	[ -e "$d" ] || continue
	echo "VB-DEV ${d##*/} parent=$(basename "$(readlink -f "$d/..")")"
	for f in partition_handle partition_guid partition_name channel_addr \
		channel_bytes channel_id physaddr nbytes clientpartition \
		typeguid zoneguid modalias; do
		[ -e "$d/$f" ] && echo "VB-ATTR ${d##*/} $f $(cat "$d/$f")"
	done
	[ -e "$d/typename" ] &&
		echo "VB-ATTR ${d##*/} typename [$(cat "$d/typename")]"
	echo "VB-ATTR ${d##*/} uevent $(grep '^MODALIAS=' "$d/uevent")"
done
for p in /sys/bus/pci/devices/*; do
	[ "$(cat "$p/vendor")" = 0x1018 ] || continue
	set -- $(sed -n 1p "$p/resource")
	b0s=$1 b0e=$2
	set -- $(sed -n 3p "$p/resource")
	echo "VB-PCI ${p##*/} dev=$(cat "$p/device") bar0=$b0s-$b0e bar2=$1" \
		"driver=$(basename "$(readlink "$p/driver")")" \
		"bus=$(cd "$p" && ls -d visorbus* 2>/dev/null)"
done
echo "VB-READY"
i=0
while [ "$i" -lt "$((150 * SLOW))" ]; do
	[ "$(dmesg | grep -c ': resumed$')" -ge 2 ] && break
	sleep 1
	i=$((i + 1))
done
echo "VB-RESUMED $(dmesg | grep -c ': resumed$') $(dmesg | grep -c ': paused$')"
if rmmod visorbus; then echo "VB-RMMOD ok"; else echo "VB-RMMOD fail"; fi
echo "VB-GONE $(ls -d /sys/bus/visorbus 2>/dev/null | wc -l)" \
	"$(for p in /sys/bus/pci/devices/*; do [ -e "$p/driver" ] &&
		[ "$(cat "$p/vendor")" = 0x1018 ] && echo x; done | wc -l)"
EOF
(cd "$work/root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) |
	gzip -1 > "$work/extra.cpio.gz"
cat "$L2_INITRD" "$work/extra.cpio.gz" > "$work/initrd.cpio.gz"

rm -f "$MON.in" "$MON.out" "$MON.log"
mkfifo "$MON.in" "$MON.out"
: > "$MON.log"

start=$SECONDS
L2_INITRD="$work/initrd.cpio.gz" l2_boot "$L2NAME" "${SPAR_L2_TIMEOUT:-270}" \
	-monitor "pipe:$MON" \
	-device "vfio-pci,sysfsdev=$MDEV_DEVICES/$nic" \
	-device "vfio-pci,sysfsdev=$MDEV_DEVICES/$inp" &
l2pid=$!
cat "$MON.out" >> "$MON.log" &
catpid=$!
LOG="$(l2_log "$L2NAME")"

# L2's console reaches its log in blocks, so the monitor tells when
# visorbus is up: GUEST_STATUS of both functions reads DRIVER_OK.
ready=0 nic_bar2="" inp_bar2="" gs_nic="" gs_inp=""
while [ "$((SECONDS - start))" -lt "$(t_time 200)" ]; do
	sleep 3
	kill -0 "$l2pid" 2>/dev/null || break
	# Unassigned BARs read as all ones.
	case "$nic_bar2 $inp_bar2" in
	0x*[!f]*" "0x*[!f]*) ;;
	*)
		nic_bar2="$(bar2_of 5301)"
		inp_bar2="$(bar2_of 5303)"
		continue
		;;
	esac
	gs_nic="$(guest_status "$nic_bar2")"
	gs_inp="$(guest_status "$inp_bar2")"
	if [ "$gs_nic" = 0x00000001 ] && [ "$gs_inp" = 0x00000001 ]; then
		ready=1
		break
	fi
done
echo "# l2 $L2NAME: visorbus up after $((SECONDS - start)) s (BAR2 $nic_bar2 $inp_bar2)"
t_eq vb-l2-ready 1 "$ready"

if [ "$ready" = 1 ]; then
	t_eq vb-host-status-nic ready "$(rd "$MDEV_DEVICES/$nic/status")"
	t_eq vb-host-status-input ready "$(rd "$MDEV_DEVICES/$inp/status")"
	t_eq vb-guest-status-nic 0x00000001 "$gs_nic"
	t_eq vb-guest-status-input 0x00000001 "$gs_inp"

	# Pause and resume through the handshake: two CONFIG interrupts,
	# no reset, back to ready.
	for u in "$nic" "$inp"; do
		name=nic
		[ "$u" = "$inp" ] && name=input
		irqs="$(stat_of "$u" interrupts)"
		resets="$(stat_of "$u" resets)"
		t_ok "vb-recover-$name" sysfs_write "$MDEV_DEVICES/$u/recover" 1
		if wait_status "$u" ready 20; then
			t_pass "vb-recover-ready-$name"
		else
			t_fail "vb-recover-ready-$name" \
				"status $(rd "$MDEV_DEVICES/$u/status")"
		fi
		t_eq "vb-recover-no-reset-$name" "$resets" "$(stat_of "$u" resets)"
		now="$(stat_of "$u" interrupts)"
		if [ "$((now - irqs))" -ge 2 ]; then
			t_pass "vb-recover-config-irqs-$name"
		else
			t_fail "vb-recover-config-irqs-$name" "interrupts $irqs -> $now"
		fi
	done
	t_eq vb-guest-status-resumed 0x00000001 "$(guest_status "${nic_bar2:-0}")"
fi

wait "$l2pid"
rc=$?
kill "$catpid" 2>/dev/null
wait "$catpid" 2>/dev/null
echo "# l2 $L2NAME: $((SECONDS - start)) s"
t_eq vb-qemu-exit 0 "$rc"

t_match vb-insmod '^VB-INSMOD ok$' "$(cat "$LOG")"

# Which visorbus each function became.
nic_pci="$(sed -n 's/^VB-PCI \([^ ]*\) dev=0x5301 .*/\1/p' "$LOG")"
inp_pci="$(sed -n 's/^VB-PCI \([^ ]*\) dev=0x5303 .*/\1/p' "$LOG")"
nic_bus="$(sed -n 's/^VB-PCI .* dev=0x5301 .* bus=\(visorbus[0-9]*\)$/\1/p' "$LOG")"
inp_bus="$(sed -n 's/^VB-PCI .* dev=0x5303 .* bus=\(visorbus[0-9]*\)$/\1/p' "$LOG")"
t_match vb-pci-driver-nic ' driver=visorbus ' "$(grep '^VB-PCI .* dev=0x5301 ' "$LOG")"
t_match vb-pci-driver-input ' driver=visorbus ' "$(grep '^VB-PCI .* dev=0x5303 ' "$LOG")"
t_match vb-bus-name-nic '^visorbus[0-9]$' "$nic_bus"
t_match vb-bus-name-input '^visorbus[0-9]$' "$inp_bus"
if [ -z "$nic_bus" ] || [ -z "$inp_bus" ]; then
	t_fail vb-bus-unique "a function has no bus: nic '$nic_bus', input '$inp_bus'"
elif [ "$nic_bus" = "$inp_bus" ]; then
	t_fail vb-bus-unique "both functions are $nic_bus"
else
	t_pass vb-bus-unique
fi
nn="${nic_bus#visorbus}"
ib="${inp_bus#visorbus}"
want_devs="$(printf '%s\n' "VB-DEV $nic_bus parent=$nic_pci" \
	"VB-DEV $inp_bus parent=$inp_pci" "VB-DEV vbus$nn:dev0 parent=$nic_bus" \
	"VB-DEV vbus$ib:dev0 parent=$inp_bus" "VB-DEV vbus$ib:dev1 parent=$inp_bus" |
	sort)"
t_eq vb-devices "$want_devs" "$(grep '^VB-DEV ' "$LOG" | sort)"

# check_bus NAME BUS UUID FIRST-GUID PCI
check_bus() {
	local n="$1" b="$2" u="$3" g="$4" pci="$5" bar0 size
	bar0="$(sed -n "s/^VB-PCI $pci .* bar0=\(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*/\1 \2/p" "$LOG")"
	read -r s e <<< "${bar0:-0 0}"
	size=$((e - s + 1))
	t_eq "vb-$n-partition_handle" "$(uuid_handle "$u")" "$(l2_attr "$b" partition_handle)"
	t_match "vb-$n-partition_guid" '^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$' \
		"$(l2_attr "$b" partition_guid)"
	t_eq "vb-$n-partition_name" "$pci" "$(l2_attr "$b" partition_name)"
	t_eq "vb-$n-channel_addr" "$(printf '0x%x' "$s")" "$(l2_attr "$b" channel_addr)"
	t_eq "vb-$n-channel_bytes" "$(printf '0x%x' "$size")" "$(l2_attr "$b" channel_bytes)"
	t_eq "vb-$n-channel_id" "$(upper "$g")" "$(l2_attr "$b" channel_id)"
	BAR0=$s
}

# check_dev NAME DEV UUID GUID OFFSET NBYTES
check_dev() {
	local n="$1" d="$2" u="$3" g="$4" off="$5" nb="$6"
	t_eq "vb-$n-physaddr" "$(printf '0x%x' "$((BAR0 + off))")" "$(l2_attr "$d" physaddr)"
	t_eq "vb-$n-nbytes" "$(printf '0x%x' "$nb")" "$(l2_attr "$d" nbytes)"
	t_eq "vb-$n-clientpartition" "$(uuid_handle "$u")" "$(l2_attr "$d" clientpartition)"
	t_eq "vb-$n-typeguid" "$(upper "$g")" "$(l2_attr "$d" typeguid)"
	t_match "vb-$n-zoneguid" '^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$' \
		"$(l2_attr "$d" zoneguid)"
	t_eq "vb-$n-typename" "[]" "$(l2_attr "$d" typename)"
	t_eq "vb-$n-modalias" "visorbus:$g" "$(l2_attr "$d" modalias)"
	t_eq "vb-$n-uevent" "MODALIAS=visorbus:$g" "$(l2_attr "$d" uevent)"
}

# IO channel of 256 slots per queue (the default ring_slots), in pages.
vnic_bytes=$(( (1472 + 2 * 256 * 1216 + 4095) / 4096 * 4096 ))
check_bus nicbus "$nic_bus" "$nic" "$VNIC_GUID" "$nic_pci"
check_dev vnic "vbus$nn:dev0" "$nic" "$VNIC_GUID" 4096 "$vnic_bytes"
check_bus inputbus "$inp_bus" "$inp" "$KBD_GUID" "$inp_pci"
check_dev keyboard "vbus$ib:dev0" "$inp" "$KBD_GUID" 4096 4096
check_dev mouse "vbus$ib:dev1" "$inp" "$MOUSE_GUID" 8192 4096

t_match vb-l2-paused-resumed '^VB-RESUMED 2 2$' "$(grep '^VB-RESUMED' "$LOG")"
t_match vb-rmmod '^VB-RMMOD ok$' "$(cat "$LOG")"
t_match vb-unbound '^VB-GONE 0 0$' "$(grep '^VB-GONE' "$LOG")"
t_match vb-l2-done '^SPAR-L2-DONE$' "$(cat "$LOG")"

l2dmesg="$(sed -n '/^SPAR-L2-DMESG-BEGIN$/,/^SPAR-L2-DMESG-END$/p' "$LOG")"
if [ -z "$l2dmesg" ]; then
	t_fail vb-l2-dmesg "the L2 guest dumped no dmesg"
elif bad="$(dmesg_clean "$l2dmesg")"; then
	t_pass vb-l2-dmesg
else
	t_fail vb-l2-dmesg "$bad"
fi
t_note "$(grep -aE 'visorbus|spar' <<< "$l2dmesg" | head -n 30)"
if bad="$(grep -aE 'visorbus' <<< "$l2dmesg" |
	grep -avE 'taints kernel|module verification failed' |
	grep -aiE 'error|fail|warn|invalid')"; then
	t_fail vb-l2-dmesg-visorbus "$bad"
else
	t_pass vb-l2-dmesg-visorbus
fi

# After L2 closed the devices the host has them closed again.
t_eq vb-host-closed-nic closed "$(rd "$MDEV_DEVICES/$nic/status")"
t_eq vb-host-closed-input closed "$(rd "$MDEV_DEVICES/$inp/status")"

rm -rf "$work" "$MON.in" "$MON.out"
t_done
