# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Guest side of the VM test harness: sourced by test files that run inside
# the test VM.  Every check prints exactly one result line,
# "PASS <tier>/<name>" or "FAIL <tier>/<name>", on the console, where the
# host collects it.  Diagnostics go on lines starting with "# ".

SPAR_TIER="${SPAR_TIER:-vm}"
SPAR_REPO="${SPAR_REPO:?SPAR_REPO must name the repository}"
# The guest modules for nested guests (built for another kernel than the
# VM's when the host set SPAR_TEST_GUEST_KO).
# shellcheck disable=SC2034 # used by the test files
SPAR_GUEST_KO="${SPAR_TEST_GUEST_KO:-$SPAR_REPO/guest}"
T_FAILS=0

# Paths of the sysfs contract of the host module.
SPAR_PARENT=/sys/class/spar/spar
SPAR_TYPES="$SPAR_PARENT/mdev_supported_types"
# shellcheck disable=SC2034 # used by the test files
SPAR_TYPE_NAMES=(spar-nic spar-hba spar-input)
MDEV_DEVICES=/sys/bus/mdev/devices

t_note() {
	local l
	while IFS= read -r l; do
		printf '# %s\n' "$l"
	done <<< "$*"
}

t_pass() {
	printf 'PASS %s/%s\n' "$SPAR_TIER" "$1"
}

# t_fail NAME [WHY...]
t_fail() {
	local name="$1"
	shift
	T_FAILS=$((T_FAILS + 1))
	printf 'FAIL %s/%s\n' "$SPAR_TIER" "$name"
	[ "$#" -gt 0 ] && t_note "$name: $*"
	return 0
}

# Time limits of waits on slow machines: SPAR_TEST_SLOW (a whole number,
# default 1) multiplies them, e.g. under a debug kernel (make check-debug).
T_SLOW="${SPAR_TEST_SLOW:-1}"
case "$T_SLOW" in
'' | *[!0-9]* | 0) T_SLOW=1 ;;
esac

# t_time SECONDS: SECONDS stretched by SPAR_TEST_SLOW.
t_time() {
	echo "$(($1 * T_SLOW))"
}

# t_ok NAME CMD...: PASS if CMD succeeds.
t_ok() {
	local name="$1" out
	shift
	if out="$("$@" 2>&1)"; then
		t_pass "$name"
	else
		t_fail "$name" "command failed: $*" "$out"
	fi
}

# t_not NAME CMD...: PASS if CMD fails.
t_not() {
	local name="$1" out
	shift
	if out="$("$@" 2>&1)"; then
		t_fail "$name" "command unexpectedly succeeded: $*" "$out"
	else
		t_pass "$name"
	fi
}

# t_eq NAME EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then
		t_pass "$1"
	else
		t_fail "$1" "expected '$2', got '$3'"
	fi
}

# t_match NAME ERE ACTUAL
t_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_pass "$1"
	else
		t_fail "$1" "'$3' does not match /$2/"
	fi
}

# t_declare NAME...: the checks this test file will report.  The runner
# (t_run_files) fails every declared name that was never reported, and a
# file that reports a PASS it did not declare.  Call it before the checks.
t_declare() {
	[ -n "${T_DECLARED:-}" ] && printf '%s\n' "$@" >> "$T_DECLARED"
	return 0
}

# t_client PROG SUBCMD [ARG...]: run a test client (e.g. nic_test) that
# prints its own PASS/FAIL lines.  The client declares the names it will
# report (PROG --list SUBCMD), so a client that dies half-way leaves
# declared names unreported, which the runner fails; an exit other than 0
# (all passed) or 1 (some failed) is a failure of its own,
# <prog>-<subcmd>-exit.  Returns the client's status.
t_client() {
	local prog="$1" sub="$2" tag list rc why
	shift 2
	tag="${prog##*/}-$sub"
	if ! list="$("$prog" --list "$sub" 2>&1)" || [ -z "$list" ]; then
		t_fail "$tag-list" "$prog --list $sub: ${list:-no names}"
		return 2
	fi
	# shellcheck disable=SC2086 # the list is one name a word
	t_declare $list
	"$prog" "$sub" "$@"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		why="ended with status $rc"
		[ "$rc" -gt 128 ] && why+=" (killed by signal $((rc - 128)))"
		t_fail "$tag-exit" "$why"
	fi
	return "$rc"
}

# t_check_declared FILE-NAME LOG DECLARED: the names in DECLARED against
# the result lines in LOG.
t_check_declared() {
	local name="$1" log="$2" decl="$3" n extra
	local d="$decl.sorted" r="$decl.reported" p="$decl.passed"
	sort -u "$decl" > "$d" 2>/dev/null
	grep -aoE "^(PASS|FAIL) $SPAR_TIER/[^[:space:]]+" "$log" |
		sed "s,^[A-Z]* $SPAR_TIER/,," | sort -u > "$r"
	grep -aoE "^PASS $SPAR_TIER/[^[:space:]]+" "$log" |
		sed "s,^PASS $SPAR_TIER/,," | sort -u > "$p"
	if [ ! -s "$d" ]; then
		t_fail "$name-undeclared" "the test file declared no checks (t_declare)"
		return
	fi
	while read -r n; do
		[ -n "$n" ] && t_fail "$n" "declared by $name but never reported"
	done <<< "$(comm -23 "$d" "$r")"
	extra="$(comm -13 "$d" "$p" | xargs)"
	if [ -n "$extra" ]; then
		t_fail "$name-undeclared" "reported but not declared: $extra"
	fi
}

# t_done: end of a test file; exit 1 if any check failed.
t_done() {
	[ "$T_FAILS" -eq 0 ]
	exit
}

# t_totals FILE: print the totals line the host checks its parse against.
t_totals() {
	echo "SPAR-RESULTS pass=$(grep -c '^PASS ' "$1") fail=$(grep -c '^FAIL ' "$1")"
}

# t_run_files DIR [NAME...]: run the test files DIR/*.sh in order (only the
# named ones if any names are given), each as its own bash process with a
# time limit of $SPAR_TEST_TIMEOUT seconds if set, else the file's own
# ("# spar-timeout: N" line), else 60.  A file that dies or reports nothing
# gets a FAIL line of its own.
t_run_files() {
	local dir="$1" f name log rc decl lim started
	shift
	for f in "$dir"/*.sh; do
		[ -e "$f" ] || continue
		name="$(basename "$f" .sh)"
		if [ "$#" -gt 0 ]; then
			case " $* " in
			*" $name "*) ;;
			*) continue ;;
			esac
		elif grep -qx '# spar-when-named' "$f"; then
			# Covered by the others; runs when asked for by name.
			echo "# --- $name: runs only when named"
			continue
		fi
		echo "# --- $name"
		started=$SECONDS
		log="/tmp/$name.out"
		decl="/tmp/$name.declared"
		: > "$decl"
		lim="$(sed -n 's/^# spar-timeout: \([0-9][0-9]*\)$/\1/p' "$f")"
		T_DECLARED="$decl" timeout -k 5 "${SPAR_TEST_TIMEOUT:-${lim:-60}}" \
			bash "$f" 2>&1 | tee "$log"
		rc="${PIPESTATUS[0]}"
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
			t_fail "$name-exit" "test file ended with status $rc (124: timed out)"
		elif ! grep -Eq "^(PASS|FAIL) $SPAR_TIER/" "$log"; then
			t_fail "$name-empty" "test file reported no result"
		fi
		t_check_declared "$name" "$log" "$decl"
		# Leave no instance behind for the next file.
		spar_remove_all
		echo "# --- $name: $((SECONDS - started)) s"
	done
}

# rd FILE: contents of a sysfs file, or "<missing>".
rd() {
	cat "$1" 2>/dev/null || echo "<missing>"
}

# sysfs_write FILE VALUE: write VALUE in one write(2); on failure print
# the error (strerror text) and return non-zero.
sysfs_write() {
	local err
	if err="$( { printf '%s\n' "$2" > "$1"; } 2>&1)"; then
		return 0
	fi
	printf '%s\n' "$err"
	return 1
}

new_uuid() {
	cat /proc/sys/kernel/random/uuid
}

# mdev_create TYPE UUID / mdev_remove UUID: through sysfs.
mdev_create() {
	sysfs_write "$SPAR_TYPES/$1/create" "$2"
}

mdev_remove() {
	sysfs_write "$MDEV_DEVICES/$1/remove" 1
}

# nic_create_up UUID: create a spar-nic instance and bring its host
# interface up without IPv6 chatter; on failure print why and return 1.
nic_create_up() {
	local ifn
	mdev_create spar-nic "$1" || return 1
	ifn="$(rd "$MDEV_DEVICES/$1/ifname")"
	sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=1" 2> /dev/null
	ip link set "$ifn" up
}

avail() {
	rd "$SPAR_TYPES/$1/available_instances"
}

# spar_instances: UUIDs of live instances of the spar parent.
spar_instances() {
	local d t
	for d in "$MDEV_DEVICES"/*; do
		[ -e "$d/mdev_type" ] || continue
		t="$(readlink -f "$d/mdev_type")"
		case "$t" in
		"$(readlink -f "$SPAR_TYPES")"/*) basename "$d" ;;
		esac
	done
}

# spar_remove_all: remove every live instance of the spar parent.
spar_remove_all() {
	local u
	for u in $(spar_instances); do
		mdev_remove "$u" > /dev/null || true
	done
}

# spar_load [PARAM...]: load the VFIO/mdev stack, whatever else the host
# module links against, then the host module with PARAMs.  On failure print
# why and return non-zero.
spar_load() {
	local ko="$SPAR_REPO/mdev-parent/spar_mdev.ko" out
	local -a mods=(vfio vfio_iommu_type1 mdev) deps=()
	modinfo vfio_mdev > /dev/null 2>&1 && mods+=(vfio_mdev)
	read -r -a deps <<< "$(modinfo -F depends "$ko" 2>/dev/null | tr ',' ' ')"
	mods+=("${deps[@]}")
	if ! out="$(modprobe -a "${mods[@]}" 2>&1)"; then
		printf 'modprobe %s: %s\n' "${mods[*]}" "$out"
		return 1
	fi
	if ! out="$(insmod "$ko" "$@" 2>&1)"; then
		printf 'insmod %s %s: %s\n' "$ko" "$*" "$out"
		dmesg | grep -i spar | tail -n 10
		return 1
	fi
}

# lio_ready [MODULE...]: LIO loaded, with MODULEs (backstores such as
# target_core_file), and configfs mounted at /sys/kernel/config.
lio_ready() {
	local cfs=/sys/kernel/config
	modprobe -a target_core_mod "$@" || return 1
	grep -q " $cfs configfs " /proc/mounts ||
		mount -t configfs configfs "$cfs"
}

# dmesg_clean TEXT: true if TEXT has no kernel complaint in it.
dmesg_clean() {
	local re known="$SPAR_REPO/tests/vm/lib/known-reports.awk"
	re="$(grep -v '^#' "$SPAR_REPO/tests/vm/lib/dmesg-patterns" | paste -sd '|')"
	# The report known to come from upstream code is judged, and named,
	# once for the whole run by the host (known-reports.awk); without the
	# filter every line is judged.
	if [ -r "$known" ] && command -v awk > /dev/null; then
		! printf '%s\n' "$1" | awk -f "$known" 2> /dev/null |
			grep -aE "$re"
	else
		! printf '%s\n' "$1" | grep -aE "$re"
	fi
}

# dmesg_mark / dmesg_since: kernel messages logged after the mark.
dmesg_mark() {
	DMESG_MARK="$(dmesg | wc -l)"
}

dmesg_since() {
	dmesg | tail -n "+$((DMESG_MARK + 1))"
}

# mdevctl_cleanup: stop and undefine every device mdevctl knows on the spar
# parent, then remove every remaining instance; for EXIT traps.
mdevctl_cleanup() {
	local u
	for u in $(mdevctl list --defined 2> /dev/null | awk '$2 == "spar" { print $1 }'); do
		mdevctl stop -u "$u" > /dev/null 2>&1
		mdevctl undefine -u "$u" > /dev/null 2>&1
	done
	spar_remove_all
}
