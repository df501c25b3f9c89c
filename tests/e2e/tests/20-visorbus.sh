#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# visorbus in a nested guest: one spar-nic and one spar-input instance are
# passed to an L2 guest as vfio-pci devices; L2 loads visorbus and reports
# its buses, devices, sysfs files and uevents.  Meanwhile this side checks
# the host's view (status, GUEST_STATUS through the QEMU monitor), drives a
# pause/resume of each function with "recover", and waits for L2 to see
# it.  Then spar-input end to end: this side floods the keyboard with
# 300 taps around a held key while L2 does not read it yet (the host
# counts drops), L2 loads visorinput and reads "visor Keyboard" and "visor
# Mouse" with evdev_read, and this side sends through uinput (sparctl
# input): a typed line with shifted characters, Enter, arrows, keypad
# keys, 0xE0 keys, a key held long enough to repeat in L2, a back-end
# recovery while a key is held (visorinput's pause releases it, its resume
# takes what follows), a rebind while a key is held (L2 sees its release
# at once), a lock key from an LED,
# absolute motion to the corners and the centre at x_res 2000 y_res 1000,
# each button and the wheel both ways.  L2's key events must be exactly
# those an evdev reader here saw on the uinput keyboard, and no key may be
# held at the end.  Then the instance is removed while L2 runs (hot
# unplug), and L2 unloads visorbus; its dmesg must be clean.

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
	vb-{vnic,keyboard,mouse}-{zoneguid,typename,modalias,uevent} \
	vi-{flood-dropped,guest-reading,insmod,kbd-info,mouse-info,kbd-events} \
	vi-{repeat,rebind-release,lock-key,no-stuck-key,mouse-abs,mouse-buttons} \
	vi-{recover-ready,pause-release} \
	vi-{mouse-wheel,readers,unplug-host,unplug-guest,rmmod}

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

ctl="$SPAR_REPO/build/tools/sparctl"

# until_unmapped N: wait until the input instance's drops_unmapped is N.
until_unmapped() {
	local i
	for ((i = 0; i < $(t_time 300); i++)); do
		[ "$(stat_of "$inp" drops_unmapped)" -ge "$1" ] 2> /dev/null &&
			return 0
		sleep 0.2
	done
	return 1
}

# input_e2e: this side of the spar-input part (see the header); L2 reports
# what it read after the end marks (VI-* lines), judged after L2 is done.
input_e2e() {
	local i drops id="$MDEV_DEVICES/$inp"
	if ! modprobe -a uinput evdev; then
		t_fail vi-flood-dropped "cannot load uinput and evdev"
		return
	fi
	# The flood: L2 does not read yet, so its 49 slots and the host's
	# list fill, presses are dropped and the held key's release is kept.
	drops="$(stat_of "$inp" drops_full)"
	{
		echo "key a 1"
		for ((i = 0; i < 300; i++)); do echo "tap f1"; done
		echo "key a 0"
	} | "$ctl" input send "$inp" > "$work/flood.ctl" 2>&1
	if [ "$(stat_of "$inp" drops_full)" -gt "$drops" ]; then
		t_pass vi-flood-dropped
	else
		t_fail vi-flood-dropped "drops_full stayed $drops: $(cat "$work/flood.ctl")"
	fi
	# L2 loads visorinput after its pause: the host's list empties.
	for ((i = 0; i < $(t_time 240); i++)); do
		[ "$(stat_of "$inp" pending_kbd)" = 0 ] && break
		sleep 1
	done
	t_eq vi-guest-reading 0 "$(stat_of "$inp" pending_kbd)"
	# L2's readers were waiting for the devices before the driver came.
	sleep "$(t_time 5)"

	cat > "$work/vi.in" <<- 'EOF'
		sleep 1000
		type Hello, World!
		tap enter
		tap up
		tap down
		tap left
		tap right
		tap kp7
		tap kpplus
		tap kpenter
		tap kp0
		tap rightalt
		tap delete
		key r 1
		sleep 1500
		key r 0
		key x 1
		tap sysrq
		sleep 4000
		key x 0
		key c 1
		tap sysrq
		sleep 4000
		key c 0
		led caps 1
		sleep 300
		abs 1000 500
		abs 0 0
		abs 2000 0
		abs 0 1000
		abs 2000 1000
		abs 1000 500
		btn left 1
		btn left 0
		btn right 1
		btn right 0
		wheel 1
		wheel -1
		btn middle 1
		btn middle 0
		tap f12
	EOF
	# SysRq, which the protocol cannot carry, marks in drops_unmapped
	# when X and C are held.
	marks="$(stat_of "$inp" drops_unmapped)"
	"$ctl" input send "$inp" < "$work/vi.in" > "$work/vi.ctl" 2>&1 &
	spid=$!
	# A back-end recovery while X is held: visorinput's pause releases
	# it in L2, and its resume takes the reports that follow.
	until_unmapped $((marks + 1))
	sleep 1
	sysfs_write "$id/recover" 1 > /dev/null
	if wait_status "$inp" ready "$(t_time 20)"; then
		t_pass vi-recover-ready
	else
		t_fail vi-recover-ready "status $(rd "$id/status")"
	fi
	# Rebind while C is held: L2 must see its release at once.
	until_unmapped $((marks + 2))
	sleep 1
	sysfs_write "$id/sources" "name=no such device" > /dev/null
	wait "$spid"
	t_note "sparctl: $(cat "$work/vi.ctl" "$work/flood.ctl")"
	# L2 has read the end marks; remove the instance under it.
	sleep "$(t_time 8)"
	if timeout "$(t_time 150)" sh -c "echo 1 > '$id/remove'" &&
		[ ! -e "$id" ]; then
		t_pass vi-unplug-host
	else
		t_fail vi-unplug-host "the instance was not removed: $(rd "$id/status")"
	fi
}

# vi_keys FILE: EV_KEY presses and releases in an evdev_read output
# (timestamps cut), without the flood's and the lock state's keys.
vi_keys() {
	awk '$1 ~ /^[0-9]+\.[0-9]+$/ && $2 == "EV_KEY" &&
		($4 == "0" || $4 == "1") &&
		$3 != "KEY_F1" && $3 != "KEY_A" && $3 != "KEY_CAPSLOCK" {
		print $3, $4 }' "$1"
}

# vi_taps KEY...: the presses and releases of those keys, in order; +KEY
# is KEY with Shift held, as sparctl types capitals and symbols.
vi_taps() {
	local k
	for k in "$@"; do
		case "$k" in
		+*) printf 'KEY_LEFTSHIFT 1\nKEY_%s 1\nKEY_%s 0\nKEY_LEFTSHIFT 0\n' "${k#+}" "${k#+}" ;;
		*) printf 'KEY_%s 1\nKEY_%s 0\n' "$k" "$k" ;;
		esac
	done
}

# vi_events FILE TYPE: "CODE VALUE" of the events of TYPE in FILE.
vi_events() {
	awk -v t="$2" '$1 ~ /^[0-9]+\.[0-9]+$/ && $2 == t { print $3, $4 }' "$1"
}

t_ok vb-module test -r "$VB_KO"
nic="$(new_uuid)"
inp="$(new_uuid)"
t_ok vb-create-nic mdev_create spar-nic "$nic"
t_ok vb-create-input mdev_create spar-input "$inp"
sysfs_write "$MDEV_DEVICES/$inp/x_res" 2000 > /dev/null
sysfs_write "$MDEV_DEVICES/$inp/y_res" 1000 > /dev/null

# L2's initramfs: the common one plus visorbus.ko and the L2 half of this
# test (initramfs archives may be concatenated).
work="$(mktemp -d /tmp/vb.XXXXXX)"
mkdir -p "$work/root/l2.d" "$work/root/vb"
cp "$VB_KO" "$SPAR_GUEST_KO/visorinput/visorinput.ko" \
	"$SPAR_REPO/build/tools/evdev_read" "$work/root/vb/"
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
# spar-input: the host floods the keyboard first, which must wait for us.
sleep "$((12 * SLOW))"
mkdir -p /tmp/vi
/vb/evdev_read --name "visor Keyboard" --info --state \
	--timeout "$((120000 * SLOW))" --until "EV_KEY KEY_F12 0" \
	> /tmp/vi/kbd 2>&1 &
k=$!
/vb/evdev_read --name "visor Mouse" --info --state \
	--timeout "$((120000 * SLOW))" --until "EV_KEY BTN_MIDDLE 0" \
	> /tmp/vi/mouse 2>&1 &
m=$!
sleep 1
if insmod /vb/visorinput.ko; then echo "VI-INSMOD ok"; else echo "VI-INSMOD fail"; fi
wait "$k"
kr=$?
wait "$m"
echo "VI-READERS $kr $?"
sed 's/^/VI-KBD /' /tmp/vi/kbd
sed 's/^/VI-MOUSE /' /tmp/vi/mouse
# The host removes the instance now: its PCI function goes.
i=0
while [ "$i" -lt "$((120 * SLOW))" ]; do
	n=0
	for p in /sys/bus/pci/devices/*; do
		[ "$(cat "$p/device")" = 0x5303 ] && n=$((n + 1))
	done
	[ "$n" = 0 ] && break
	sleep 1
	i=$((i + 1))
done
echo "VI-UNPLUGGED $n $(ls /sys/bus/visorbus/drivers/visorinput 2>/dev/null | grep -c vbus)"
if rmmod visorinput; then echo "VI-RMMOD ok"; else echo "VI-RMMOD fail"; fi
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
L2_INITRD="$work/initrd.cpio.gz" l2_boot "$L2NAME" "${SPAR_L2_TIMEOUT:-480}" \
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
	input_e2e
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

# spar-input, as L2 read it.
sed -n 's/^VI-KBD //p' "$LOG" > "$work/l2-kbd"
sed -n 's/^VI-MOUSE //p' "$LOG" > "$work/l2-mouse"
t_match vi-insmod '^VI-INSMOD ok$' "$(cat "$LOG")"
t_eq vi-readers "VI-READERS 0 0" "$(grep '^VI-READERS' "$LOG")"
t_eq vi-kbd-info "name=visor Keyboard phys=visorkbd:input0 bus=0x0006 vendor=0x0001 product=0x0001 version=0x0100 EV_KEY EV_LED EV_REP" \
	"$(grep '^name=' "$work/l2-kbd") $(grep -oE 'EV_(KEY|LED|REP)' <<< "$(grep '^types=' "$work/l2-kbd")" | sort | paste -sd ' ')"
t_eq vi-mouse-info "name=visor Mouse phys=visormou:input0 bus=0x0006 vendor=0x0001 product=0x0002 version=0x0100 EV_ABS EV_KEY EV_REL 2000 1000" \
	"$(grep '^name=' "$work/l2-mouse") $(grep -oE 'EV_(KEY|ABS|REL)' <<< "$(grep '^types=' "$work/l2-mouse")" | sort | paste -sd ' ') $(sed -n 's/^abs_x_max=//p' "$work/l2-mouse") $(sed -n 's/^abs_y_max=//p' "$work/l2-mouse")"
# "Hello, World!", Enter, the arrows, keypad keys, 0xE0 keys, the held R,
# the C released by the rebind, the end mark.
want_keys="$(vi_taps +H E L L O COMMA SPACE +W O R L D +1 ENTER UP DOWN LEFT \
	RIGHT KP7 KPPLUS KPENTER KP0 RIGHTALT DELETE R X C F12)"
if [ "$want_keys" = "$(vi_keys "$work/l2-kbd")" ]; then
	t_pass vi-kbd-events
else
	t_fail vi-kbd-events "sent: $(paste -sd ' ' <<< "$want_keys")" \
		"L2 read: $(vi_keys "$work/l2-kbd" | paste -sd ' ')"
fi
reps="$(grep -c ' EV_KEY KEY_R 2$' "$work/l2-kbd")"
if [ "$reps" -ge 3 ]; then
	t_pass vi-repeat
else
	t_fail vi-repeat "$reps repeats of the held R in L2"
fi
# held_ms KEY: milliseconds from KEY's press to its only release in L2.
held_ms() {
	awk -v k="KEY_$1" '$2 == "EV_KEY" && $3 == k && $4 == 1 { d = $1 }
		$2 == "EV_KEY" && $3 == k && $4 == 0 { u = $1; n++ }
		END { if (n == 1 && d && u) printf "%d", (u - d) * 1000 }' "$work/l2-kbd"
}
# The releases came with the recovery and the rebind, a second or two
# after the presses, not with the keys' own releases four seconds later.
held="$(held_ms X)"
if [ -n "$held" ] && [ "$held" -lt 3500 ]; then
	t_pass vi-pause-release
else
	t_fail vi-pause-release "X was released after '$held' ms: $(grep 'KEY_X [01]$' "$work/l2-kbd" | paste -sd ' ')"
fi
held="$(held_ms C)"
if [ -n "$held" ] && [ "$held" -lt 3500 ]; then
	t_pass vi-rebind-release
else
	t_fail vi-rebind-release "C was released after '$held' ms: $(grep 'KEY_C [01]$' "$work/l2-kbd" | paste -sd ' ')"
fi
t_eq vi-lock-key "EV_KEY KEY_CAPSLOCK 1 EV_KEY KEY_CAPSLOCK 0" \
	"$(awk '$2 == "EV_KEY" && $3 == "KEY_CAPSLOCK" { print $2, $3, $4 }' "$work/l2-kbd" | paste -sd ' ')"
t_eq vi-no-stuck-key "keys_down= keys_down=" \
	"$(grep -h '^keys_down=' "$work/l2-kbd" "$work/l2-mouse" | paste -sd ' ')"
t_eq vi-mouse-abs "ABS_X 1000 ABS_Y 500 ABS_X 0 ABS_Y 0 ABS_X 2000 ABS_X 0 ABS_Y 1000 ABS_X 2000 ABS_X 1000 ABS_Y 500" \
	"$(vi_events "$work/l2-mouse" EV_ABS | paste -sd ' ')"
t_eq vi-mouse-buttons "BTN_LEFT 1 BTN_LEFT 0 BTN_RIGHT 1 BTN_RIGHT 0 BTN_MIDDLE 1 BTN_MIDDLE 0" \
	"$(vi_events "$work/l2-mouse" EV_KEY | paste -sd ' ')"
t_eq vi-mouse-wheel "REL_WHEEL 1 REL_WHEEL -1" \
	"$(vi_events "$work/l2-mouse" EV_REL | grep '^REL_WHEEL ' | paste -sd ' ')"
t_eq vi-unplug-guest "VI-UNPLUGGED 0 0" "$(grep '^VI-UNPLUGGED' "$LOG")"
t_match vi-rmmod '^VI-RMMOD ok$' "$(cat "$LOG")"
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
# The input instance was removed under L2 (hot unplug).
t_eq vb-host-closed-input "<missing>" "$(rd "$MDEV_DEVICES/$inp/status")"

rm -rf "$work" "$MON.in" "$MON.out"
t_done
