#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# visornic end to end: a spar-nic instance (host interface spn-e2e,
# 10.99.0.1/24, MTU 30000, over s-Par's 16370) passed to an L2 guest that
# loads visorbus and visornic and talks to this VM over it (10.99.0.2/24):
# pings both ways, 9000-byte frames both ways (chained receive), 30000-byte
# pings both ways unfragmented (big-mtu), transfers both ways checked
# by MD5, carrier following the host interface, a back-end recovery in the
# middle of a transfer, unloading and reloading visornic while the
# instance stays, reloading it with each offload refused and with none
# (transfers both ways, the offloads taken and the host's offload
# counters; the rest runs on the plain s-Par protocol), a host that floods the guest with completions it never
# asked for (the module's fault_inject hook: the guest's NAPI poll must
# count every response against its budget), and the function reset by
# visorbus's shutdown when the guest powers off.  The addresses only exist inside this VM.
#
# The L2 guest runs the script below from its initramfs.  It reports
# "NICTEST PASS|FAIL <name>" lines and, when it needs this side to act,
# prints "NICTEST <STEP>" and offers http://10.99.0.2:8080/step-<STEP> (its
# console reaches this VM through a buffer); it waits for this side by
# fetching http://10.99.0.1:8080/go-<step>, which appears when the step is
# done.

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

IFNAME=spn-e2e
HOST_IP=10.99.0.1
GUEST_IP=10.99.0.2
BUS_KO="$SPAR_GUEST_KO/visorbus/visorbus.ko"
NIC_KO="$SPAR_GUEST_KO/visornic/visornic.ko"
WORK=/tmp/nic-e2e
WWW=$WORK/www
# The module's fault-injection files (e2e-main.sh loads it with fault_inject=1).
FAULTS=/sys/kernel/debug/spar_mdev
BB="$(command -v busybox)"
# What the L2 guest reports, in order.
L2_CHECKS="alias load driver-name bus-device mtu carrier-up ping-guest-to-host
jumbo-guest-to-host big-guest-to-host get-from-host carrier-down carrier-up-again
ping-after-carrier recover-during-transfer recover-transfer recover-resumed
ping-after-recover rmmod rmmod-gone reload reload-carrier ping-after-reload
napi-trace flood-taken napi-budget ping-after-flood ofl14-load
ofl14-get-from-host ofl13-load ofl13-get-from-host ofl11-load
ofl11-get-from-host ofl7-load ofl7-get-from-host ofl0-load ofl0-get-from-host
ofl14-mtu ofl13-mtu ofl11-mtu ofl7-mtu ofl0-mtu"
# shellcheck disable=SC2046,SC2086 # one check name a word
t_declare nic-{modules-built,create,ifname,mtu-attr,host-up,initrd} \
	nic-{ping-host-to-guest,jumbo-host-to-guest,big-host-to-guest} \
	nic-{get-from-guest,recover-write} \
	nic-md5-{guest-to-host,host-to-guest,recover} \
	nic-{flood-file,flood-posted} \
	nic-ofl{14,13,11,7,0}-{features,get-from-guest,md5-guest-to-host} \
	nic-ofl{14,13,11,7,0}-{md5-host-to-guest,counters} \
	nic-{shutdown-reset,l2-end,qemu-exit,l2-dmesg,l1-dmesg} \
	$(printf 'nic-%s ' $L2_CHECKS)

# The script the L2 guest runs (busybox sh).
# shellcheck disable=SC2317 # called through make_initrd
l2_script() {
	cat << 'EOF'
say() { echo "NICTEST $*"; }
# step NAME: tell this VM that a step is reached, on the console and as a
# file the guest's web server offers (the console reaches the VM late).
step() {
	: > "/tmp/www/step-$1"
	say "$1"
}
res() { if [ "$2" = 0 ]; then say PASS "$1"; else say FAIL "$1" "$3"; fi; }
diag() {
	s=/sys/class/net/eth0/statistics
	for c in rx_packets rx_dropped rx_errors tx_packets tx_dropped tx_errors; do
		printf '%s=%s ' "$c" "$(cat "$s/$c" 2> /dev/null)"
	done | sed 's/^/# eth0: /'
	echo
	grep -i -e visor /proc/interrupts | sed 's/^/# /'
}
# busybox wget -T crashes when built without its timeout feature.
fetch() { timeout "$(($1 * SLOW))" wget -q -O "$2" "$3"; }
go() {
	i=0
	while [ "$i" -lt "$(($2 * SLOW))" ]; do
		fetch 5 /dev/null "http://10.99.0.1:8080/go-$1" 2> /dev/null &&
			return 0
		sleep 1
		i=$((i + 1))
	done
	say FAIL "sync-$1" "no go from the host"
	diag
	dmesg | tail -n 20
	return 1
}
carrier_is() {
	i=0
	while [ "$i" -lt "$(($2 * SLOW))" ]; do
		[ "$(cat /sys/class/net/eth0/carrier 2> /dev/null)" = "$1" ] && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
up() {
	ip addr add 10.99.0.2/24 dev eth0 && ip link set eth0 up &&
		carrier_is 1 30
}
md5() { md5sum "$1" | cut -d' ' -f1; }
# IP datagrams this side had to reassemble so far.
reasm() {
	awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["ReasmReqds"] }' /proc/net/snmp
}
# pings COUNT ARG...: every one of COUNT pings answered.
pings() {
	n="$1"
	shift
	ping -c "$n" "$@" 2>&1 | grep -q " $n packets received"
}

mkdir -p /tmp/www
m="$(cat /sys/bus/visorbus/devices/*/modalias 2> /dev/null | grep -m1 8cd5994d)"
grep -q "alias=$m" /modules/visornic.ko 2> /dev/null
res alias "$?" "uevent modalias '$m' is not an alias of visornic.ko"
insmod /modules/visornic.ko
res load "$?"
d="$(readlink /sys/class/net/eth0/device/driver 2> /dev/null)"
[ "${d##*/}" = visornic ]
res driver-name "$?" "eth0 driver '$d'"
b="$(readlink /sys/class/net/eth0/device 2> /dev/null)"
case "${b##*/}" in vbus*:dev*) r=0 ;; *) r=1 ;; esac
res bus-device "$r" "eth0 device '$b'"
[ "$(cat /sys/class/net/eth0/mtu)" = 30000 ]
res mtu "$?" "mtu $(cat /sys/class/net/eth0/mtu)"
up
res carrier-up "$?"
httpd -p 8080 -h /tmp/www
pings 5 -W 3 10.99.0.1
res ping-guest-to-host "$?"
# 9014-byte frames: three chained receive buffers each.
pings 3 -W 5 -s 8972 10.99.0.1
res jumbo-guest-to-host "$?"
# 30014-byte frames (big-mtu, eight receive buffers): the replies come back
# whole, so nothing here is reassembled.
r0="$(reasm)"
pings 3 -W 10 -s 29972 10.99.0.1
r=$?
r1="$(reasm)"
[ "$r" = 0 ] && [ "$r1" = "$r0" ]
res big-guest-to-host "$?" "ping status $r, $((r1 - r0)) datagrams reassembled"
diag

step HOSTPING
go hostping 90
t0=$(date +%s)
fetch 120 /tmp/l1.bin http://10.99.0.1:8080/l1.bin
res get-from-host "$?"
echo "# get-from-host: $(($(date +%s) - t0)) s"
diag
say MD5 l1 "$(md5 /tmp/l1.bin)"
rm -f /tmp/l1.bin

dd if=/dev/urandom of=/tmp/www/l2.bin bs=64k count=48 2> /dev/null
say MD5 l2 "$(md5 /tmp/www/l2.bin)"
step SERVE
go serve 150

step CARRIER
carrier_is 0 30
res carrier-down "$?"
carrier_is 1 30
res carrier-up-again "$?"
pings 3 -W 3 10.99.0.1
res ping-after-carrier "$?"

# The host recovers the back-end while this transfer runs.
fetch 240 /tmp/big.bin http://10.99.0.1:8080/big.bin &
wp=$!
sleep 1
step RECOVER
i=0
while [ "$i" -lt "$((120 * SLOW))" ] && ! dmesg | grep -q 'visorbus.* paused'; do
	sleep 0.5
	i=$((i + 1))
done
kill -0 "$wp" 2> /dev/null
res recover-during-transfer "$?" "no pause, or the transfer was over before it"
wait "$wp"
res recover-transfer "$?"
diag
dmesg | grep -q 'visorbus.* resumed'
res recover-resumed "$?" "visorbus did not report a resume"
say MD5 big "$(md5 /tmp/big.bin)"
rm -f /tmp/big.bin
go recovered 60
carrier_is 1 30
pings 3 -W 3 10.99.0.1
res ping-after-recover "$?"

rmmod visornic
res rmmod "$?"
[ ! -e /sys/class/net/eth0 ]
res rmmod-gone "$?"
insmod /modules/visornic.ko
res reload "$?"
up
res reload-carrier "$?"
pings 5 -W 3 10.99.0.1
res ping-after-reload "$?"
diag

# Each offload refused in turn, then all of them (the upstream protocol),
# which the rest of the test keeps: visornic's parameter limits what it
# takes.  Per mask the host checks what it took up and fetches o2.bin;
# this side fetches o1.bin (1 MiB each); the host then checks the counters.
dd if=/dev/urandom of=/tmp/www/o2.bin bs=64k count=16 2> /dev/null
say MD5 o2 "$(md5 /tmp/www/o2.bin)"
for m in 14 13 11 7 0; do
	rmmod visornic && insmod /modules/visornic.ko offloads=$m && up
	res "ofl$m-load" "$?"
	# without big-mtu (16) the channel shows s-Par's largest MTU
	[ "$(cat /sys/class/net/eth0/mtu)" = 16370 ]
	res "ofl$m-mtu" "$?" "mtu $(cat /sys/class/net/eth0/mtu)"
	step "OFL$m"
	go "ofl$m" 120
	fetch 120 /tmp/o1.bin http://10.99.0.1:8080/o1.bin
	res "ofl$m-get-from-host" "$?"
	say MD5 "ofl$m" "$(md5 /tmp/o1.bin)"
	rm -f /tmp/o1.bin
	step "OFL$m-DONE"
	go "ofl$m-done" 60
done

# The host floods the response queue with FLOOD transmit completions for a
# buffer never sent, refilling it as fast as it drains.  Each poll must
# stay within its budget and count every response it took: the sum of the
# work the polls reported (tracepoint napi:napi_poll) covers every
# response dropped (rx_errors).
FLOOD=20000
tr=/sys/kernel/tracing
mount -t tracefs nodev "$tr" 2> /dev/null
echo 1 > "$tr/events/napi/napi_poll/enable"
res napi-trace "$?" "no napi:napi_poll tracepoint"
e0="$(cat /sys/class/net/eth0/statistics/rx_errors)"
step FLOOD
go flood 180
i=0
while [ "$i" -lt "$((30 * SLOW))" ]; do
	e1="$(cat /sys/class/net/eth0/statistics/rx_errors)"
	[ "$((e1 - e0))" -ge "$FLOOD" ] && break
	sleep 1
	i=$((i + 1))
done
echo 0 > "$tr/events/napi/napi_poll/enable"
[ "$((e1 - e0))" -ge "$FLOOD" ]
res flood-taken "$?" "rx_errors grew by $((e1 - e0)), not $FLOOD"
v="$(awk -v want=$((e1 - e0)) '
	/napi_poll:.* device eth0 / {
		for (i = 1; i < NF; i++) {
			if ($i == "work") w = $(i + 1)
			if ($i == "budget") b = $(i + 1)
		}
		n++; sum += w
		if (w > b) over++
		if (w > max) max = w
	}
	END {
		printf "%d polls, work %d in all, at most %d, %d over budget", n, sum, max, over
		exit !(n > 0 && over == 0 && sum >= want)
	}' "$tr/trace")"
res napi-budget "$?" "$v; $((e1 - e0)) responses taken"
echo "# napi-budget: $v; $((e1 - e0)) responses taken"
pings 3 -W 3 10.99.0.1
res ping-after-flood "$?"
# The host counts the guest's resets from here; powering off next runs
# visorbus's shutdown, which resets the function and stops its DMA.
step SHUTDOWN
go shutdown 60
say END
EOF
}

# mark STEP TIMEOUT: wait until the L2 guest reached STEP: it printed
# "NICTEST STEP" (the console comes through a buffer, so possibly late) or
# its web server offers step-STEP.
mark() {
	local end=$((SECONDS + $(t_time "$2")))
	while ((SECONDS < end)); do
		grep -q "^NICTEST $1\$" "$LOG" 2> /dev/null && return 0
		curl -sf -m 2 -o /dev/null "http://$GUEST_IP:8080/step-$1" 2> /dev/null &&
			return 0
		kill -0 "$QPID" 2> /dev/null || return 1
		sleep 0.5
	done
	return 1
}

# host_pings COUNT ARG...: every one of COUNT pings answered.
# shellcheck disable=SC2317 # called through t_ok
host_pings() {
	local n="$1"
	shift
	"$BB" ping -c "$n" "$@" 2>&1 | grep -q " $n packets received"
}

# IP datagrams this side had to reassemble so far.
# shellcheck disable=SC2317 # called through t_ok
reasm() {
	awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["ReasmReqds"] }' /proc/net/snmp
}

# big_pings: 30000-byte pings answered, the replies unfragmented.
# shellcheck disable=SC2317 # called through t_ok
big_pings() {
	local r0
	r0="$(reasm)"
	host_pings 3 -W 10 -s 29972 "$GUEST_IP" || return 1
	[ "$(reasm)" = "$r0" ] || {
		echo "# $(($(reasm) - r0)) datagrams reassembled"
		return 1
	}
}

# Counters of the host interface and of the instance, as comments.
host_diag() {
	ip -s link show "$IFNAME" | sed 's/^/# /'
	grep -H . "$DEV"/stats/* 2> /dev/null | sed "s|^$DEV/stats/|# |"
}

# md5_check NAME WHAT FILE: the L2 guest reported FILE's MD5 for WHAT.
md5_check() {
	local sum
	sum="$(md5_of "$3" 2> /dev/null)"
	if [ -z "$sum" ]; then
		t_fail "$1" "no $3 here"
	elif grep -qx "NICTEST MD5 $2 $sum" "$LOG"; then
		t_pass "$1"
	else
		t_fail "$1" "L2 reported '$(grep -m1 "^NICTEST MD5 $2" "$LOG")', expected $sum"
	fi
}

step_done() {
	: > "$WWW/go-$1"
}

md5_of() {
	md5sum "$1" | cut -d' ' -f1
}

# The initramfs of the test L2 guest: the standard one plus an archive with
# the guest modules and the test script (the kernel unpacks both).
# shellcheck disable=SC2317 # called through t_ok
make_initrd() {
	l2_script | l2_guest_initrd "$WORK" 30-visornic.sh
}

# ofl_variant MASK: the L2 guest reloaded visornic with offloads=MASK
# (bits 1 csum, 2 guest-csum, 4 tso, 8 large-rx, 16 big-mtu).  The host took up those
# it offers whose checksum feature came too; a transfer each way moves
# exactly the counters of what was taken.
ofl_variant() {
	local m="$1" want c0 c1 bit name moved got=""
	if ! mark "OFL$m" 120; then
		t_fail "nic-ofl$m-features" "the L2 guest did not reach the OFL$m step"
		return 1
	fi
	want=$((m << 16))
	((m & 1)) || want=$((want & ~(4 << 16)))
	((m & 2)) || want=$((want & ~(8 << 16)))
	((want & (8 << 16))) || want=$((want & ~(16 << 16)))
	t_eq "nic-ofl$m-features" "$want" "$(cat "$DEV/stats/features")"
	c0="$(cat "$DEV"/stats/{csum_xmit,gso_xmit,gso_rcv})"
	rm -f "$WORK/o2.bin"
	t_ok "nic-ofl$m-get-from-guest" curl -sf -m 150 -o "$WORK/o2.bin" \
		"http://$GUEST_IP:8080/o2.bin"
	md5_check "nic-ofl$m-md5-guest-to-host" o2 "$WORK/o2.bin"
	step_done "ofl$m"
	if ! mark "OFL$m-DONE" 180; then
		t_fail "nic-ofl$m-counters" "the L2 guest did not finish OFL$m"
		return 1
	fi
	md5_check "nic-ofl$m-md5-host-to-guest" "ofl$m" "$WWW/o1.bin"
	c1="$(cat "$DEV"/stats/{csum_xmit,gso_xmit,gso_rcv})"
	# shellcheck disable=SC2086 # three numbers each
	set -- $c0 $c1
	for bit in 1:csum_xmit:$1:$4 4:gso_xmit:$2:$5 8:gso_rcv:$3:$6; do
		IFS=: read -r bit name c0 c1 <<< "$bit"
		moved=$((c1 > c0))
		if (((want >> 16) & bit)); then
			((moved)) || got+=" $name did not move"
		else
			((moved)) && got+=" $name moved by $((c1 - c0))"
		fi
	done
	if [ -z "$got" ]; then
		t_pass "nic-ofl$m-counters"
	else
		t_fail "nic-ofl$m-counters" "features $want:$got"
	fi
	step_done "ofl$m-done"
}

host_side() {
	if mark HOSTPING 300; then
		t_ok nic-ping-host-to-guest host_pings 3 -W 3 "$GUEST_IP"
		t_ok nic-jumbo-host-to-guest host_pings 3 -W 5 -s 8972 "$GUEST_IP"
		t_ok nic-big-host-to-guest big_pings
		host_diag
		step_done hostping
	else
		t_fail nic-l2-up "the L2 guest did not get its interface up"
		return
	fi
	if mark SERVE 180; then
		rm -f "$WORK/l2.bin"
		t_ok nic-get-from-guest curl -sf -m 150 -o "$WORK/l2.bin" \
			"http://$GUEST_IP:8080/l2.bin"
		step_done serve
	else
		t_fail nic-get-from-guest "the L2 guest did not reach the SERVE step"
	fi
	if mark CARRIER 180; then
		sleep 2
		ip link set "$IFNAME" down
		sleep 8
		ip link set "$IFNAME" up
	else
		t_fail nic-carrier-step "the L2 guest did not reach the CARRIER step"
	fi
	if mark RECOVER 120; then
		t_ok nic-recover-write sysfs_write "$DEV/recover" 1
		host_diag
		step_done recovered
	else
		t_fail nic-recover-write "the L2 guest did not reach the RECOVER step"
	fi
	local m
	for m in 14 13 11 7 0; do
		ofl_variant "$m" || break
	done
	if mark FLOOD 120; then
		local f="$FAULTS/$UUID/flood_xmit_done" i=0
		t_ok nic-flood-file sysfs_write "$f" 20000
		while [ "$(cat "$f" 2> /dev/null)" != 0 ] &&
			((i < $(t_time 120))); do
			sleep 1
			i=$((i + 1))
		done
		t_eq nic-flood-posted 0 "$(cat "$f" 2> /dev/null)"
		step_done flood
	else
		t_fail nic-flood-file "the L2 guest did not reach the FLOOD step"
	fi
	if mark SHUTDOWN 240; then
		RESETS0="$(cat "$DEV/stats/guest_resets")"
		step_done shutdown
	else
		t_fail nic-shutdown-reset "the L2 guest did not reach the SHUTDOWN step"
	fi
}

T_FAILS=0
t_ok nic-modules-built test -r "$BUS_KO" -a -r "$NIC_KO"
[ "$T_FAILS" -eq 0 ] || t_done

rm -rf "$WORK"
mkdir -p "$WWW"
UUID="$(new_uuid)"
DEV="$MDEV_DEVICES/$UUID"
t_ok nic-create mdev_create spar-nic "$UUID"
t_ok nic-ifname sysfs_write "$DEV/ifname" "$IFNAME"
t_ok nic-mtu-attr sysfs_write "$DEV/mtu" 30000
ip addr add "$HOST_IP/24" dev "$IFNAME"
t_ok nic-host-up ip link set "$IFNAME" up
t_ok nic-initrd make_initrd
[ "$T_FAILS" -eq 0 ] || t_done

dd if=/dev/urandom of="$WWW/l1.bin" bs=64k count=48 2> /dev/null
dd if=/dev/urandom of="$WWW/o1.bin" bs=64k count=16 2> /dev/null
dd if=/dev/urandom of="$WWW/big.bin" bs=64k count=256 2> /dev/null
"$BB" httpd -f -p "$HOST_IP:8080" -h "$WWW" &
HTTPD=$!
dmesg_mark

LOG="$(l2_log nic)"
rm -f "$LOG"
start=$SECONDS
L2_INITRD="$WORK/initrd.gz" l2_boot nic "${SPAR_NIC_L2_TIMEOUT:-420}" \
	-device "vfio-pci,sysfsdev=$DEV" &
QPID=$!
host_side
wait "$QPID"
rc=$?
echo "# l2 nic: $((SECONDS - start)) s"
host_diag
kill "$HTTPD" 2> /dev/null

# The L2 guest's verdicts (a check it never reported fails), then the
# checks that need its whole log.
# shellcheck disable=SC2086 # one check name a word
l2_verdicts NICTEST nic "$LOG" $L2_CHECKS
md5_check nic-md5-guest-to-host l2 "$WORK/l2.bin"
md5_check nic-md5-host-to-guest l1 "$WWW/l1.bin"
md5_check nic-md5-recover big "$WWW/big.bin"
# After the SHUTDOWN step the guest powered off: exactly one reset asked
# for through the register, by visorbus's shutdown.
if [ -n "${RESETS0:-}" ]; then
	t_eq nic-shutdown-reset 1 "$(($(cat "$DEV/stats/guest_resets") - RESETS0))"
fi
t_ok nic-l2-end grep -qx 'NICTEST END' "$LOG"
t_eq nic-qemu-exit 0 "$rc"

l2_dmesg_checks nic "$LOG"
t_done
