#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (L1, started by tests/bench/e2e-bench.sh): loads
# the host module, creates two spar-nic instances and a tap device, and
# boots one nested guest (L2) with all three:
#
#   NIC     device in L2                         guest MAC          host interface
#   spar    spar-nic, offloads on offer (the     02:00:00:00:00:11  spn-bench  10.97.0.1/24
#           default): visornic negotiates them
#   legacy  spar-nic with offloads set to none   02:00:00:00:00:12  spn-legacy 10.98.0.1/24
#           before the VM opens it: visornic
#           negotiates nothing, plain s-Par
#   virtio  virtio-net on the tap                02:00:00:00:00:13  tapb       10.96.0.1/24
#
# (the instances as vfio-pci devices; L2 gives each interface, found by its
# MAC, the host address plus one).  L2 runs tests/bench/e2e-bench-l2.sh,
# which only serves; this side measures, for each interface in turn:
#
#   ping      busybox ping -c 20 -i 0.2 to L2 (after two warm-up pings)
#   g2h       GET of L2's MIB MiB blob (busybox httpd), timed here by curl,
#             the receiver
#   h2g       MIB MiB sent over TCP to L2's sink (busybox dd into /dev/null),
#             which answers once it has read up to the FIN: timed here from
#             connect to that answer, so complete when L2 has it all
#
# three times per direction, as long as the time budget lasts.  Around each
# transfer it reads the packet counters of the host interface, including
# the frames it dropped on their way to L2 (tx_dropped), and for a spar-nic
# instance its stats/doorbells, stats/interrupts and stats/rcv_no_buffer
# and the CPU time (utime + stime, /proc/PID/stat) of its engine thread,
# the kthread "spar/<uuid>".  Before the transfers and after them it reads
# each instance's stats/features, what the guest negotiated.  Raw lines
# (see tests/bench/e2e-bench.sh):
#
#   RESULT ping NIC AVG_MS MIN_MS MAX_MS RECEIVED SENT
#   RESULT stream NIC DIR RUN ok BYTES SECONDS DOORBELLS INTERRUPTS RX_PKTS TX_PKTS TX_DROPPED NO_BUFFER CPU_MS
#   RESULT stream NIC DIR RUN fail|skip WHY...
#   RESULT features NIC BEFORE AFTER OFFERED...
#
# DOORBELLS, INTERRUPTS and NO_BUFFER are 0 for virtio; CPU_MS is the
# engine thread's CPU time over the transfer in milliseconds, -1 for virtio
# or when it could not be read (no such thread, or another one by the end).
#
# SPAR_TEST_BENCH_PERF=1 (from the host's environment) also profiles the
# first transfer of each spar-nic instance in each direction: perf record
# of the whole VM (cpu-clock, the only clock under TCG), its report as
# "# perf NIC DIR: ..." lines.  The profile slows the transfer it covers.
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
NICS=(spar legacy virtio)
# The address plan above; tests/bench/e2e-bench-l2.sh has the same MACs
# and guest addresses.
declare -A HOSTIF=([spar]=spn-bench [legacy]=spn-legacy [virtio]=tapb)
declare -A HOSTIP=([spar]=10.97.0.1 [legacy]=10.98.0.1 [virtio]=10.96.0.1)
declare -A GUEST=([spar]=10.97.0.2 [legacy]=10.98.0.2 [virtio]=10.96.0.2)
declare -A MAC=([spar]=02:00:00:00:00:11 [legacy]=02:00:00:00:00:12
	[virtio]=02:00:00:00:00:13)
# What an instance offers the guest, written to its offloads attribute;
# spar keeps the default.
declare -A OFFER=([legacy]=none)
# The spar-nic instances: UUID and sysfs directory, by NIC.
declare -A UUID=() DEV=()
CLK_TCK="$(getconf CLK_TCK 2> /dev/null)"
case "$CLK_TCK" in
'' | *[!0-9]* | 0) CLK_TCK=100 ;;
esac
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
BUDGET="${SPAR_E2E_BENCH_BUDGET:-540}"
L2_TMO=$((READY + BUDGET + 60))

note() {
	printf '# %s\n' "$@"
}

result() {
	echo "RESULT $*"
}

# nic_new NIC: create NIC's spar-nic instance and, before any VM opens it
# (the attributes refuse writes while it is open), name its host interface,
# set the guest's MAC and what it offers.  Prints why on failure.
nic_new() {
	local d="${DEV[$1]}" f
	mdev_create spar-nic "${UUID[$1]}" || return 1
	sysfs_write "$d/ifname" "${HOSTIF[$1]}" || return 1
	sysfs_write "$d/mac" "${MAC[$1]}" || return 1
	if [ -n "${OFFER[$1]:-}" ]; then
		sysfs_write "$d/offloads" "${OFFER[$1]}" || return 1
	fi
	# SPAR_TEST_BENCH_BUSY_POLL (from the host's environment): a fixed
	# polling window of the worker, busy_poll_us, for both instances.
	if [ -n "${SPAR_TEST_BENCH_BUSY_POLL:-}" ]; then
		sysfs_write "$d/busy_poll_us" "$SPAR_TEST_BENCH_BUSY_POLL" ||
			return 1
	fi
	for f in doorbells interrupts rcv_no_buffer features; do
		if [ ! -r "$d/stats/$f" ]; then
			echo "the instance has no stats/$f"
			return 1
		fi
	done
}

# worker NIC: the PID of NIC's engine thread, the kthread "spar/<uuid>".
# Its comm is cut to 15 characters, "spar/" and 10 of the UUID, though
# /proc/PID/comm of a kthread shows the whole name since Linux 5.19: match
# that prefix.  0 if there is none or more than one.
worker() {
	local want="spar/${UUID[$1]:0:10}" f c pid=0 n=0
	for f in /proc/[0-9]*/comm; do
		read -r c 2> /dev/null < "$f" || continue
		if [ "${c#"$want"}" != "$c" ]; then
			pid="${f#/proc/}"
			pid="${pid%/comm}"
			n=$((n + 1))
		fi
	done
	[ "$n" -eq 1 ] || pid=0
	echo "$pid"
}

# ticks PID: its utime + stime in clock ticks (fields 14 and 15 of
# /proc/PID/stat), -1 if it cannot be read.
ticks() {
	local s
	local -a f
	if [ "$1" -eq 0 ] || ! s="$(cat "/proc/$1/stat" 2> /dev/null)"; then
		echo -1
		return
	fi
	# Fields from the third on, after the comm in parentheses.
	read -r -a f <<< "${s##*) }"
	if [ "${#f[@]}" -lt 13 ]; then
		echo -1
		return
	fi
	echo $((f[11] + f[12]))
}

# counter FILE: a counter's value, 0 if it cannot be read.
counter() {
	local v
	v="$(cat "$1" 2> /dev/null)"
	case "$v" in
	'' | *[!0-9]*) echo 0 ;;
	*) echo "$v" ;;
	esac
}

# counters NIC: doorbells interrupts rcv_no_buffer worker-PID worker-ticks
# rx_packets tx_packets tx_dropped (the first five 0 0 0 0 -1 for virtio).
counters() {
	local s="/sys/class/net/${HOSTIF[$1]}/statistics" d="${DEV[$1]:-}"
	local db=0 irq=0 nb=0 pid=0 t=-1
	if [ -n "$d" ]; then
		db="$(counter "$d/stats/doorbells")"
		irq="$(counter "$d/stats/interrupts")"
		nb="$(counter "$d/stats/rcv_no_buffer")"
		pid="$(worker "$1")"
		t="$(ticks "$pid")"
	fi
	echo "$db $irq $nb $pid $t $(counter "$s/rx_packets")" \
		"$(counter "$s/tx_packets") $(counter "$s/tx_dropped")"
}

# features NIC: the instance's stats/features, what the guest negotiated.
features() {
	counter "${DEV[$1]}/stats/features"
}

host_diag() {
	local n
	for n in "${NICS[@]}"; do
		ip -s link show "${HOSTIF[$n]}" | sed 's/^/# /'
	done
	for n in "${!DEV[@]}"; do
		grep -H . "${DEV[$n]}"/stats/* 2> /dev/null |
			sed "s|^${DEV[$n]}/stats/|# $n stats/|"
	done
}

# mark TIMEOUT: wait until L2 is ready to be measured (its console line, or
# its ready file on any network).  Prints its status (0: all up).
mark() {
	local end=$((SECONDS + $1)) n s
	while ((SECONDS < end)); do
		s="$(sed -n 's/^BENCH READY //p' "$LOG" 2> /dev/null)"
		if [ -n "$s" ]; then
			echo "$s"
			return 0
		fi
		for n in "${NICS[@]}"; do
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

# perf_start NIC DIR RUN: with SPAR_TEST_BENCH_PERF, profile the first run
# of a spar-nic instance; perf_stop NIC DIR ends it and prints the report.
PERF_PID=0
perf_start() {
	[ -n "${SPAR_TEST_BENCH_PERF:-}" ] && [ -n "${DEV[$1]:-}" ] &&
		[ "$3" = 1 ] || return 0
	if ! command -v perf > /dev/null; then
		note "perf: not installed"
		return 0
	fi
	local pf="$WORK/perf-$1-$2.data" i=0
	perf record -q -a -e cpu-clock -F 499 -o "$pf" > /dev/null 2>&1 &
	PERF_PID=$!
	# perf takes a while to start here: wait for its header, then a tick.
	while ((i < 60)) && [ ! -s "$pf" ] && kill -0 "$PERF_PID" 2> /dev/null; do
		sleep 0.5
		i=$((i + 1))
	done
	sleep 1
}
perf_stop() {
	local pf="$WORK/perf-$1-$2.data"
	((PERF_PID)) || return 0
	kill -INT "$PERF_PID"
	wait "$PERF_PID"
	PERF_PID=0
	{
		perf report -q -i "$pf" --stdio --no-children --sort comm \
			--percent-limit 0.5 2> /dev/null | head -n 15
		perf report -q -i "$pf" --stdio --no-children --sort comm,sym \
			--percent-limit 0.5 2> /dev/null | head -n 30
	} | grep -v '^ *$' | sed "s/^/# perf $1 $2: /"
}

# stream NIC DIR RUN: one transfer.  Returns 1 if it failed, 2 if it was
# skipped for lack of time.
stream() {
	local nic="$1" dir="$2" run="$3" out rc before after code bytes secs
	local left=$((DEADLINE - SECONDS)) tmo
	local -a b a
	if ((left < 10)); then
		result stream "$nic" "$dir" "$run" skip "time budget of $BUDGET s used up"
		return 2
	fi
	tmo=$((left < XFER ? left : XFER))
	perf_start "$nic" "$dir" "$run"
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
	perf_stop "$nic" "$dir"
	read -r -a b <<< "$before"
	read -r -a a <<< "$after"
	local d=$((a[0] - b[0])) i=$((a[1] - b[1])) nb=$((a[2] - b[2]))
	local r=$((a[5] - b[5])) t=$((a[6] - b[6])) x=$((a[7] - b[7])) cpu=-1
	# The worker's CPU time, if the same thread ran the whole transfer.
	if [ "${b[3]}" -ne 0 ] && [ "${a[3]}" -eq "${b[3]}" ] &&
		[ "${b[4]}" -ge 0 ] && [ "${a[4]}" -ge "${b[4]}" ]; then
		cpu=$(((a[4] - b[4]) * 1000 / CLK_TCK))
	elif [ -n "${DEV[$nic]:-}" ]; then
		note "$nic $dir run $run: no CPU time of the engine thread" \
			"(pid ${b[3]} ticks ${b[4]} before, pid ${a[3]} ticks ${a[4]} after)"
	fi
	if [ "$rc" -ne 0 ] || [ "$code" != 200 ] || [ "$bytes" != "$SIZE" ]; then
		result stream "$nic" "$dir" "$run" fail "bytes=${bytes:-0}/$SIZE" \
			"secs=${secs:-?} doorbells=+$d interrupts=+$i" \
			"rx_packets=+$r tx_packets=+$t tx_dropped=+$x" \
			"rcv_no_buffer=+$nb cpu_ms=$cpu ($out)"
		note "$nic $dir run $run failed; after it:"
		"$BB" ping -c 3 -W 3 "${GUEST[$nic]}" 2>&1 | tail -n 2 | sed 's/^/# ping: /'
		host_diag
		return 1
	fi
	result stream "$nic" "$dir" "$run" ok "$bytes" "$secs" "$d" "$i" "$r" "$t" "$x" \
		"$nb" "$cpu"
}

bench() {
	local nic dir run st
	local -A broken=()
	for nic in "${NICS[@]}"; do
		ping_nic "$nic"
	done
	for dir in g2h h2g; do
		for run in $(seq 1 "$RUNS"); do
			for nic in "${NICS[@]}"; do
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
	local out s n rc
	local -A feat=()
	echo "# kernel $(uname -r), repo $SPAR_REPO, $MIB MiB per transfer, CLK_TCK $CLK_TCK"
	if ! out="$(spar_load max_nic=2 max_hba=1 max_input=1)"; then
		note "module load failed: $out"
		return 1
	fi
	# The kernel cannot autoload modules from inside the chroot.
	modprobe tun || note "modprobe tun failed"
	for n in spar legacy; do
		UUID[$n]="$(new_uuid)"
		DEV[$n]="$MDEV_DEVICES/${UUID[$n]}"
		if ! out="$(nic_new "$n")"; then
			note "cannot create the $n spar-nic instance: $out"
			return 1
		fi
		note "$n: instance ${UUID[$n]}, ${HOSTIF[$n]}, guest MAC $(rd "${DEV[$n]}/mac"), offers $(rd "${DEV[$n]}/offloads"), busy_poll_us $(rd "${DEV[$n]}/busy_poll_us")"
	done
	if ! ip tuntap add "${HOSTIF[virtio]}" mode tap; then
		note "cannot create ${HOSTIF[virtio]}"
		return 1
	fi
	for n in "${NICS[@]}"; do
		sysctl -qw "net.ipv6.conf.${HOSTIF[$n]}.disable_ipv6=1"
		ip addr add "${HOSTIP[$n]}/24" dev "${HOSTIF[$n]}"
		ip link set "${HOSTIF[$n]}" up
	done
	mkdir -p "$WORK"
	SIZE=$((MIB * 1024 * 1024))
	dd if=/dev/zero of="$WORK/blob" bs=1M count="$MIB" 2> /dev/null
	sender > "$WORK/send.py"

	LOG="$(l2_log bench)"
	rm -f "$LOG"
	local start=$SECONDS
	L2_INITRD="$INITRD" l2_boot bench "$L2_TMO" -pidfile "$WORK/qemu.pid" \
		-device "vfio-pci,sysfsdev=${DEV[spar]}" \
		-device "vfio-pci,sysfsdev=${DEV[legacy]}" \
		-netdev "tap,id=vn,ifname=${HOSTIF[virtio]},script=no,downscript=no" \
		-device "virtio-net-pci,netdev=vn,mac=${MAC[virtio]},romfile=" &
	QPID=$!
	if ! s="$(mark "$READY")"; then
		note "L2 never became ready ($((SECONDS - start)) s)"
		result l2 down
		host_diag
	else
		note "L2 ready after $((SECONDS - start)) s (status $s)"
		result l2 up "$((SECONDS - start))"
		grep -aE '^BENCH (NIC|FAIL) ' "$LOG" | sed 's/^BENCH /# l2 /'
		for n in spar legacy; do
			feat[$n]="$(features "$n")"
		done
		local t0=$SECONDS
		DEADLINE=$((SECONDS + BUDGET))
		bench
		note "measurements: $((SECONDS - t0)) s"
		for n in spar legacy; do
			result features "$n" "${feat[$n]}" "$(features "$n")" \
				"$(rd "${DEV[$n]}/offloads")"
		done
		host_diag
		for n in virtio spar legacy; do
			curl -sf -m 10 -o /dev/null "http://${GUEST[$n]}:8080/cgi-bin/end" && break
		done || note "could not reach L2 to end it"
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
	for n in spar legacy; do
		mdev_remove "${UUID[$n]}" > /dev/null || note "removing the $n instance failed"
	done
	echo "# bench done"
}

main 2>&1
