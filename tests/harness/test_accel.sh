#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The accelerator probe (tests/vm/lib/accel.sh) against fake QEMUs, so that
# no machine with a broken KVM is needed: a QEMU that aborts like a
# PVM-flavoured KVM does with -cpu host, one that hangs without a word, one
# that boots, and one that boots only with a CPU model other than host.
# Prints PASS/FAIL unit/accel-<name> lines; exits non-zero on any FAIL.
#
#   tests/harness/test_accel.sh [RESULTS]   also append the lines to RESULTS

set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
results="${1:-/dev/null}"
# shellcheck source-path=SCRIPTDIR source=../vm/lib/accel.sh
. "$root/tests/vm/lib/accel.sh"

fails=0
ok() {
	echo "PASS unit/accel-$1" | tee -a "$results"
}
bad() {
	echo "FAIL unit/accel-$1" | tee -a "$results"
	shift
	echo "# $*"
	fails=$((fails + 1))
}

busybox="$(command -v busybox || true)"
if [ -z "$busybox" ]; then
	bad setup "busybox not found (scripts/deps.sh installs busybox-static)"
	exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
kernel="$tmp/vmlinuz"
echo "not a kernel" > "$kernel"
kvm="$tmp/kvm"
: > "$kvm"
export SPAR_KVM_DEV="$kvm"
export SPAR_ACCEL_TIMEOUT=2
unset SPAR_ACCEL SPAR_ACCEL_CPUS

# fake NAME BODY: a QEMU look-alike that answers --version, counts its
# boots in $tmp/NAME.boots, records its arguments, then runs BODY.
fake() {
	local f="$tmp/$1"
	cat > "$f" <<-EOS
		#!/usr/bin/env bash
		if [ "\${1:-}" = --version ]; then
			echo "QEMU emulator version 7.2.0 ($1)"
			exit 0
		fi
		echo boot >> "$f.boots"
		echo "\$*" > "$f.args"
		cpu=""
		prev=""
		for a in "\$@"; do
			[ "\$prev" = -cpu ] && cpu="\$a"
			prev="\$a"
		done
		$2
	EOS
	chmod +x "$f"
	echo "$f"
}

abort_body='echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion failed." >&2
kill -ABRT $$'
hang_body='exec sleep 600'
boot_body='echo "SeaBIOS (fake)"; echo SPAR-ACCEL-PROBE-OK; exit 0'
picky_body="if [ \"\$cpu\" = host ]; then $abort_body; fi
$boot_body"

boots() {
	if [ -f "$1.boots" ]; then
		wc -l < "$1.boots"
	else
		echo 0
	fi
}

# select QEMU [CACHE]: run accel_select in this shell with a fresh cache.
select_with() {
	local qemu="$1" cache="${2:-$tmp/cache-${1##*/}}"
	ACCEL_NAME="" ACCEL_WHY="" ACCEL_ARGS=()
	accel_select "$qemu" "$kernel" "$busybox" "$cache"
}

# 1. QEMU aborts with every model (as on a PVM host with -cpu host).
q="$(fake aborts "$abort_body")"
select_with "$q"
if [ "$ACCEL_NAME" = tcg ] && [[ "$ACCEL_WHY" == *"QEMU aborted: failed to set MSR 0x10a"* ]]; then
	ok abort-picks-tcg
else
	bad abort-picks-tcg "got $ACCEL_NAME ($ACCEL_WHY)"
fi
if [ "$(boots "$q")" -eq 2 ] && grep -q -- '-accel kvm' "$q.args"; then
	ok abort-tries-each-model
else
	bad abort-tries-each-model "$(boots "$q") boots, last: $(cat "$q.args")"
fi

# 2. QEMU hangs without output: no marker within the bound.
q="$(fake hangs "$hang_body")"
start=$SECONDS
select_with "$q"
took=$((SECONDS - start))
if [ "$ACCEL_NAME" = tcg ] && [[ "$ACCEL_WHY" == *"no marker within 2s"* ]]; then
	ok hang-picks-tcg
else
	bad hang-picks-tcg "got $ACCEL_NAME ($ACCEL_WHY)"
fi
if [ "$took" -le 12 ]; then
	ok hang-bounded
else
	bad hang-bounded "two 2 s probes took ${took}s"
fi

# 3. QEMU boots the probe: KVM with -cpu host, and the verdict is cached.
q="$(fake boots "$boot_body")"
select_with "$q"
if [ "$ACCEL_NAME" = kvm ] && [ "${ACCEL_ARGS[*]}" = "-accel kvm -cpu host" ]; then
	ok boot-picks-kvm
else
	bad boot-picks-kvm "got ${ACCEL_ARGS[*]} ($ACCEL_WHY)"
fi
select_with "$q"
if [ "$ACCEL_NAME" = kvm ] && [ "$(boots "$q")" -eq 1 ] && [[ "$ACCEL_WHY" == *cached* ]]; then
	ok verdict-cached
else
	bad verdict-cached "$(boots "$q") boots, second verdict: $ACCEL_NAME ($ACCEL_WHY)"
fi
# A different QEMU binary is a different key.
cp "$q" "$tmp/boots2"
select_with "$tmp/boots2" "$tmp/cache-boots"
if [ "$(boots "$q")" -eq 2 ] && [[ "$ACCEL_WHY" != *cached* ]]; then
	ok cache-keyed-by-qemu
else
	bad cache-keyed-by-qemu "$(boots "$q") boots ($ACCEL_WHY)"
fi

# 4. -cpu host aborts but another model boots: KVM with that model.
q="$(fake picky "$picky_body")"
select_with "$q"
if [ "${ACCEL_ARGS[*]}" = "-accel kvm -cpu qemu64" ] &&
   [[ "$ACCEL_WHY" == *"-cpu host: QEMU aborted"* ]]; then
	ok host-fails-other-model
else
	bad host-fails-other-model "got ${ACCEL_ARGS[*]} ($ACCEL_WHY)"
fi

# 5. Forced choices and a missing device need no probe.
q="$(fake forced "$abort_body")"
SPAR_ACCEL=tcg select_with "$q"
if [ "$ACCEL_NAME" = tcg ] && [ "$(boots "$q")" -eq 0 ] && [[ "$ACCEL_WHY" == *SPAR_ACCEL=tcg* ]]; then
	ok forced-tcg
else
	bad forced-tcg "$(boots "$q") boots, $ACCEL_NAME ($ACCEL_WHY)"
fi
SPAR_ACCEL=kvm select_with "$q"
if [ "${ACCEL_ARGS[*]}" = "-accel kvm -cpu host" ] && [ "$(boots "$q")" -eq 0 ]; then
	ok forced-kvm
else
	bad forced-kvm "$(boots "$q") boots, ${ACCEL_ARGS[*]}"
fi
if ! SPAR_ACCEL=xen select_with "$q" 2> "$tmp/err" && grep -q 'kvm or tcg' "$tmp/err"; then
	ok forced-bad-value
else
	bad forced-bad-value "SPAR_ACCEL=xen was accepted"
fi
SPAR_KVM_DEV="$tmp/no-such-kvm" select_with "$q"
if [ "$ACCEL_NAME" = tcg ] && [[ "$ACCEL_WHY" == "no $tmp/no-such-kvm" ]]; then
	ok no-device
else
	bad no-device "$ACCEL_NAME ($ACCEL_WHY)"
fi

# 6. Through vm_setup, as every VM run starts: the first line names the
# accelerator and the reason.
kver="$("$root/scripts/kver.sh" 2>/dev/null)" || kver=""
if [ -z "$kver" ]; then
	bad vm-setup-line "no installed kernel (scripts/kver.sh)"
else
	q="$(fake setup "$abort_body")"
	line="$(VM_QEMU="$q" SPAR_ACCEL_CACHE="$tmp/cache-setup" SPAR_LOCK_HELD=test \
		bash -c ". '$root/tests/vm/lib/vm.sh' && vm_setup" 2>&1 | head -n 1)"
	case "$line" in
	"accel: tcg, -cpu max (kvm present, probe: -cpu host: QEMU aborted: failed to set MSR 0x10a"*)
		ok vm-setup-line ;;
	*)
		bad vm-setup-line "first line: $line" ;;
	esac
fi

[ "$fails" -eq 0 ]
