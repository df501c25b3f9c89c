#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (L1, started by tests/bench/e2e-bench.sh): loads
# the host module, creates one spar-nic instance (host interface spn-bench,
# 10.97.0.1/24) and a tap device (tapb, 10.96.0.1/24), and boots one nested
# guest (L2) with both: the instance as a vfio-pci device (visornic,
# 10.97.0.2) and a virtio-net device on the tap (10.96.0.2).  L2 runs
# tests/bench/e2e-bench-l2.sh, which only serves; this side measures, for
# each interface in turn:
#
#   ping      busybox ping -c 20 -i 0.2 to L2 (after two warm-up pings)
#   g2h       GET of L2's MIB MiB blob (busybox httpd), timed here by curl,
#             the receiver
#   h2g       MIB MiB sent over TCP to L2's sink (busybox dd into /dev/null),
#             which answers once it has read up to the FIN: timed here from
#             connect to that answer, so complete when L2 has it all
#
# three times per direction, as long as the time budget lasts.  Around each transfer it reads the instance's
# stats/doorbells and stats/interrupts and the packet counters of the host
# interface (spn-bench or tapb), including the frames it dropped on their
# way to L2 (tx_dropped).  Raw lines (see tests/bench/e2e-bench.sh):
#
#   RESULT ping NIC AVG_MS MIN_MS MAX_MS RECEIVED SENT
#   RESULT stream NIC DIR RUN ok BYTES SECONDS DOORBELLS INTERRUPTS RX_PKTS TX_PKTS TX_DROPPED
#   RESULT stream NIC DIR RUN fail|skip WHY...
#
# Arguments: MIB (default 8).

set -u
SPAR_TIER=bench
export SPAR_TIER SPAR_REPO
# shellcheck source-path=SCRIPTDIR source=../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

MIB="${1:-8}"
RUNS=3
SPAR_IF=spn-bench
TAP_IF=tapb
declare -A GUEST=([spar]=10.97.0.2 [virtio]=10.96.0.2)
declare -A HOSTIF=([spar]="$SPAR_IF" [virtio]="$TAP_IF")
WORK=/tmp/e2e-bench
INITRD="$SPAR_REPO/build/bench/l2-initrd.gz"
BB="$(command -v busybox)"
# A transfer fails if it moves less than 1 KiB/s for STALL seconds, or
# takes longer than XFER seconds in all.  L2 has READY seconds from its
# start to come up, the measurements BUDGET seconds in all; transfers that
# would start after that are skipped.
STALL="${SPAR_E2E_BENCH_STALL:-20}"
XFER="${SPAR_E2E_BENCH_XFER:-150}"
READY="${SPAR_E2E_BENCH_READY:-240}"
BUDGET="${SPAR_E2E_BENCH_BUDGET:-360}"
L2_TMO=$((READY + BUDGET + 60))

note() {
	printf '# %s\n' "$@"
}

result() {
	echo "RESULT $*"
}

# counters NIC: doorbells interrupts rx_packets tx_packets tx_dropped
# (doorbells and interrupts 0 for virtio).
counters() {
	local s="/sys/class/net/${HOSTIF[$1]}/statistics" db=0 irq=0
	if [ "$1" = spar ]; then
		db="$(cat "$DEV/stats/doorbells")"
		irq="$(cat "$DEV/stats/interrupts")"
	fi
	echo "$db $irq $(cat "$s/rx_packets") $(cat "$s/tx_packets") $(cat "$s/tx_dropped")"
}

host_diag() {
	ip -s link show "$SPAR_IF" | sed 's/^/# /'
	ip -s link show "$TAP_IF" | sed 's/^/# /'
	grep -H . "$DEV"/stats/* 2> /dev/null | sed "s|^$DEV/stats/|# stats/|"
}

# mark TIMEOUT: wait until L2 is ready to be measured (its console line, or
# its ready file on either network).  Prints its status (0: both up).
mark() {
	local end=$((SECONDS + $1)) n s
	while ((SECONDS < end)); do
		s="$(sed -n 's/^BENCH READY //p' "$LOG" 2> /dev/null)"
		if [ -n "$s" ]; then
			echo "$s"
			return 0
		fi
		for n in spar virtio; do
			if s="$(curl -sf -m 2 "http://${GUEST[$n]}:8080/ready" 2> /dev/null)"; then
				echo "$s"
				return 0
			fi
		done
		kill -0 "$QPID" 2> /dev/null || return 1
		sleep 1
	done
	return 1
}

# ping_nic NIC
ping_nic() {
	local out rtt rx="" tx=""
	"$BB" ping -c 2 -W 3 "${GUEST[$1]}" > /dev/null 2>&1
	out="$("$BB" ping -c 20 -i 0.2 -W 3 "${GUEST[$1]}" 2>&1)"
	rtt="$(printf '%s\n' "$out" | sed -n 's,^round-trip min/avg/max = \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\) ms,\2 \1 \3,p')"
	# No process substitution: the chroot has no /dev/fd.
	read -r tx rx <<< "$(printf '%s\n' "$out" |
		sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) packets received.*/\1 \2/p')"
	if [ -z "$rtt" ]; then
		note "ping $1: no reply" "$out"
		result ping "$1" - - - "${rx:-0}" "${tx:-20}"
		return 1
	fi
	result ping "$1" "$rtt" "$rx" "$tx"
}

# The host to guest sender (python3 - HOST PORT FILE STALL LIMIT): FILE to
# HOST:PORT, then FIN, then wait for the receiver's answer.  Prints "ok
# BYTES SECONDS ANSWER" or "fail BYTES-SENT SECONDS acked=BYTES WHY".
sender() {
	cat << 'EOF'
import fcntl, socket, struct, sys, termios, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
stall, limit = float(sys.argv[4]), float(sys.argv[5])
data = memoryview(open(path, "rb").read())
sent, t0, s = 0, time.monotonic(), None
state = [-1, t0]  # bytes not yet acknowledged, when that last changed


def unacked():
    return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ,
                                          b"\0" * 4))[0]


# A stall: neither a send nor an acknowledgement for `stall` seconds.
def check():
    q, now = unacked(), time.monotonic()
    if q != state[0]:
        state[0], state[1] = q, now
    if now - state[1] > stall:
        raise TimeoutError("no progress for %g s" % stall)
    if now - t0 > limit:
        raise TimeoutError("over the time limit of %g s" % limit)


try:
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(1)
    while sent < len(data):
        try:
            sent += s.send(data[sent:sent + 262144])
            state[1] = time.monotonic()
        except socket.timeout:
            pass
        check()
    s.shutdown(socket.SHUT_WR)
    answer = b""
    while True:
        try:
            b = s.recv(4096)
        except socket.timeout:
            check()
            continue
        if not b:
            break
        answer += b
    t = time.monotonic() - t0
    answer = " ".join(answer.decode(errors="replace").split())
    if "records out" not in answer:
        raise ValueError("answer '%s'" % answer)
    print("ok %d %.6f %s" % (sent, t, answer))
except Exception as e:
    acked = sent
    try:
        acked -= unacked()
    except Exception:
        pass
    print("fail %d %.6f acked=%d %s: %s" % (sent, time.monotonic() - t0, acked,
                                            type(e).__name__, e))
EOF
}

# stream NIC DIR RUN: one transfer.  Returns 1 if it failed, 2 if it was
# skipped for lack of time.
stream() {
	local nic="$1" dir="$2" run="$3" out rc before after code bytes secs
	local left=$((DEADLINE - SECONDS)) tmo
	if ((left < 10)); then
		result stream "$nic" "$dir" "$run" skip "time budget of $BUDGET s used up"
		return 2
	fi
	tmo=$((left < XFER ? left : XFER))
	before="$(counters "$nic")"
	rc=0
	if [ "$dir" = g2h ]; then
		out="$(curl -s --connect-timeout 10 --max-time "$tmo" --speed-limit 1024 \
			--speed-time "$STALL" -o /dev/null \
			-w '%{http_code} %{size_download} %{time_total}' \
			"http://${GUEST[$nic]}:8080/blob" 2>&1)" || rc=$?
		read -r code bytes secs <<< "$out"
		out="curl=$rc http=${code:-none}"
	else
		out="$(python3 "$WORK/send.py" "${GUEST[$nic]}" 5001 "$WORK/blob" \
			"$STALL" "$tmo" 2>&1)" || rc=$?
		read -r code bytes secs out <<< "$out"
		[ "$code" = ok ] && code=200
	fi
	after="$(counters "$nic")"
	# shellcheck disable=SC2086 # two lists of five numbers
	set -- $before $after
	local d=$((${6:-0} - ${1:-0})) i=$((${7:-0} - ${2:-0})) r=$((${8:-0} - ${3:-0}))
	local t=$((${9:-0} - ${4:-0})) x=$((${10:-0} - ${5:-0}))
	if [ "$rc" -ne 0 ] || [ "$code" != 200 ] || [ "$bytes" != "$SIZE" ]; then
		result stream "$nic" "$dir" "$run" fail "bytes=${bytes:-0}/$SIZE" \
			"secs=${secs:-?} doorbells=+$d interrupts=+$i" \
			"rx_packets=+$r tx_packets=+$t tx_dropped=+$x ($out)"
		note "$nic $dir run $run failed; after it:"
		"$BB" ping -c 3 -W 3 "${GUEST[$nic]}" 2>&1 | tail -n 2 | sed 's/^/# ping: /'
		host_diag
		return 1
	fi
	result stream "$nic" "$dir" "$run" ok "$bytes" "$secs" "$d" "$i" "$r" "$t" "$x"
}

bench() {
	local nic dir run st
	local -A broken=()
	for nic in spar virtio; do
		ping_nic "$nic"
	done
	for dir in g2h h2g; do
		for run in $(seq 1 "$RUNS"); do
			for nic in spar virtio; do
				if [ -n "${broken[$nic]:-}" ]; then
					result stream "$nic" "$dir" "$run" skip "after a failed run"
					continue
				fi
				st=$SECONDS
				stream "$nic" "$dir" "$run"
				[ "$?" -eq 1 ] && broken[$nic]=1
				note "$nic $dir run $run: $((SECONDS - st)) s"
			done
		done
		broken=()
	done
}

main() {
	local out s rc
	echo "# kernel $(uname -r), repo $SPAR_REPO, $MIB MiB per transfer"
	if ! out="$(spar_load max_nic=1 max_hba=1 max_input=1)"; then
		note "module load failed: $out"
		return 1
	fi
	# The kernel cannot autoload modules from inside the chroot.
	modprobe tun || note "modprobe tun failed"
	UUID="$(new_uuid)"
	DEV="$MDEV_DEVICES/$UUID"
	if ! mdev_create spar-nic "$UUID" > /dev/null ||
		! sysfs_write "$DEV/ifname" "$SPAR_IF" > /dev/null; then
		note "cannot create the spar-nic instance"
		return 1
	fi
	if ! ip tuntap add "$TAP_IF" mode tap; then
		note "cannot create $TAP_IF"
		return 1
	fi
	for s in "$SPAR_IF:10.97.0.1" "$TAP_IF:10.96.0.1"; do
		sysctl -qw "net.ipv6.conf.${s%%:*}.disable_ipv6=1"
		ip addr add "${s#*:}/24" dev "${s%%:*}"
		ip link set "${s%%:*}" up
	done
	mkdir -p "$WORK"
	SIZE=$((MIB * 1024 * 1024))
	dd if=/dev/zero of="$WORK/blob" bs=1M count="$MIB" 2> /dev/null
	sender > "$WORK/send.py"

	LOG="$(l2_log bench)"
	rm -f "$LOG"
	local start=$SECONDS
	L2_INITRD="$INITRD" l2_boot bench "$L2_TMO" -pidfile "$WORK/qemu.pid" \
		-device "vfio-pci,sysfsdev=$DEV" \
		-netdev "tap,id=vn,ifname=$TAP_IF,script=no,downscript=no" \
		-device virtio-net-pci,netdev=vn,romfile= &
	QPID=$!
	if ! s="$(mark "$READY")"; then
		note "L2 never became ready ($((SECONDS - start)) s)"
		result l2 down
		host_diag
	else
		note "L2 ready after $((SECONDS - start)) s (status $s)"
		result l2 up "$((SECONDS - start))"
		grep -aE '^BENCH (NIC|FAIL) ' "$LOG" | sed 's/^BENCH /# l2 /'
		local t0=$SECONDS
		DEADLINE=$((SECONDS + BUDGET))
		bench
		note "measurements: $((SECONDS - t0)) s"
		host_diag
		curl -sf -m 10 -o /dev/null "http://${GUEST[virtio]}:8080/cgi-bin/end" ||
			curl -sf -m 10 -o /dev/null "http://${GUEST[spar]}:8080/cgi-bin/end" ||
			note "could not reach L2 to end it"
	fi
	local end=$((SECONDS + 60))
	while kill -0 "$QPID" 2> /dev/null && ((SECONDS < end)); do
		sleep 1
	done
	if kill -0 "$QPID" 2> /dev/null && [ -s "$WORK/qemu.pid" ]; then
		note "L2 did not power off; stopping its QEMU"
		kill "$(cat "$WORK/qemu.pid")" 2> /dev/null
	fi
	wait "$QPID"
	rc=$?
	note "L2 QEMU status $rc, $((SECONDS - start)) s"
	mdev_remove "$UUID" > /dev/null || note "removing the instance failed"
	echo "# bench done"
}

main 2>&1
