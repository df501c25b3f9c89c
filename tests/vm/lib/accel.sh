# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Choose the QEMU accelerator for a test VM by booting, not by looking.
#
# A /dev/kvm that opens is not proof that KVM runs our kernel: some hosts
# offer a KVM flavour that only runs guests built for it, where QEMU aborts
# with -cpu host or the stock kernel hangs silently.  accel_select therefore
# boots the test kernel once under KVM with a tiny initramfs that prints a
# marker and powers off, trying each CPU model in turn, and falls back to
# TCG if none of them reaches the marker within a short bound.  The verdict
# is cached, keyed by everything that can change it, so a machine pays for
# the probe once.
#
# Used on the host (vm.sh) and inside the test VM for nested guests (l2.sh).
#
# Environment:
#   SPAR_ACCEL=kvm|tcg        force a choice, no probe
#   SPAR_ACCEL_CPUS="a b"     CPU models to try under KVM (default: host qemu64)
#   SPAR_ACCEL_TIMEOUT=N      seconds one probe boot may take (default 20)
#   SPAR_KVM_DEV=PATH         the KVM device (default /dev/kvm)
#   SPAR_TCG_CPU=MODEL        the CPU model under TCG (default max)
#
# After accel_select, ACCEL_ARGS holds the QEMU options (-accel X -cpu Y),
# ACCEL_NAME is kvm or tcg, and ACCEL_WHY says why, on one line.

ACCEL_MARKER="SPAR-ACCEL-PROBE-OK"

# accel_probe_initramfs BUSYBOX OUT: a cpio.gz whose /init prints the marker
# and powers off.  Rebuilt only when busybox changes.
accel_probe_initramfs() {
	local busybox="$1" out="$2" tmp key
	key="$(sha256sum "$busybox" | cut -d' ' -f1)"
	if [ -s "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	tmp="$(mktemp -d "${out%/*}/probe-initramfs.XXXXXX")"
	mkdir -p "$tmp/bin"
	cp "$busybox" "$tmp/bin/busybox"
	cat > "$tmp/init" <<-EOF
		#!/bin/busybox sh
		/bin/busybox echo $ACCEL_MARKER
		/bin/busybox poweroff -f
	EOF
	chmod 0755 "$tmp/init" "$tmp/bin/busybox"
	(cd "$tmp" && find . -print0 | sort -z |
		cpio --null -o -H newc --quiet) | gzip -1 > "$out.tmp"
	rm -rf "$tmp"
	mv "$out.tmp" "$out"
	echo "$key" > "$out.key"
}

# accel_identity KVMDEV: what the KVM device is, on one line: the device
# numbers, the kvm modules loaded, the host kernel and the CPU's
# virtualisation flags.
accel_identity() {
	local dev="$1" mods flags
	mods="$(find /sys/module -maxdepth 1 -name 'kvm*' -printf '%f\n' 2>/dev/null |
		sort | paste -sd, -)"
	flags="$(grep -m1 -owE 'vmx|svm' /proc/cpuinfo 2>/dev/null || true)"
	echo "dev=$(stat -Lc '%t:%T' "$dev" 2>/dev/null) mods=${mods:-none}" \
		"flags=${flags:-none} host=$(uname -r)"
}

# accel_cache_key QEMU KERNEL KVMDEV CPUS: a hash of the QEMU binary and
# version, the kernel, the KVM device's identity and the models to try.
accel_cache_key() {
	local qemu="$1" kernel="$2" dev="$3" cpus="$4" qpath
	qpath="$(command -v "$qemu" 2>/dev/null || echo "$qemu")"
	{
		echo "qemu=$qpath"
		stat -Lc '%s %Y' "$qpath" 2>/dev/null
		"$qemu" --version 2>/dev/null | head -n 1
		echo "kernel=$kernel"
		stat -Lc '%s %Y' "$kernel" 2>/dev/null
		accel_identity "$dev"
		echo "cpus=$cpus timeout=${SPAR_ACCEL_TIMEOUT:-20}"
	} | sha256sum | cut -d' ' -f1
}

# accel_probe_one QEMU KERNEL INITRD CPU LOG: boot once under KVM with CPU.
# Returns 0 if the marker appeared; otherwise prints why not.
accel_probe_one() {
	local qemu="$1" kernel="$2" initrd="$3" cpu="$4" log="$5"
	local tmo="${SPAR_ACCEL_TIMEOUT:-20}" rc=0 msg
	timeout -k 2 "$tmo" "$qemu" -nographic -no-reboot -m 256M -smp 1 \
		-accel kvm -cpu "$cpu" -nic none -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=1 panic=-1 rdinit=/init" \
		< /dev/null > "$log" 2>&1 || rc=$?
	if grep -aq "^$ACCEL_MARKER" "$log"; then
		return 0
	fi
	# The first thing QEMU itself complained about, without its name.
	msg="$(grep -aE '^[^ ]*qemu[^ ]*: ' "$log" | head -n 1 |
		sed -E 's/^[^ ]*qemu[^ ]*: (error: )?//')"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "no marker within ${tmo}s"
	elif [ "$rc" -eq 134 ] || [ "$rc" -eq 139 ]; then
		echo "QEMU aborted${msg:+: $msg}"
	else
		echo "QEMU exited with status $rc${msg:+: $msg}"
	fi
	return 1
}

# accel_select QEMU KERNEL BUSYBOX CACHEDIR: set ACCEL_ARGS, ACCEL_NAME,
# ACCEL_WHY.  CACHEDIR holds the probe's initramfs, logs and verdicts.
accel_select() {
	local qemu="$1" kernel="$2" busybox="$3" cache="$4"
	local dev="${SPAR_KVM_DEV:-/dev/kvm}"
	local cpus="${SPAR_ACCEL_CPUS:-host qemu64}"
	local key verdict cpu why start log
	local -a tried=()

	ACCEL_NAME=""
	case "${SPAR_ACCEL:-}" in
	tcg)
		accel_use tcg "${SPAR_TCG_CPU:-max}" "forced by SPAR_ACCEL=tcg"
		return 0
		;;
	kvm)
		accel_use kvm "${cpus%% *}" "forced by SPAR_ACCEL=kvm"
		return 0
		;;
	"") ;;
	*)
		echo "accel: SPAR_ACCEL must be kvm or tcg, not '$SPAR_ACCEL'" >&2
		return 1
		;;
	esac
	if [ ! -e "$dev" ]; then
		accel_use tcg "${SPAR_TCG_CPU:-max}" "no $dev"
		return 0
	fi
	if [ ! -r "$dev" ] || [ ! -w "$dev" ]; then
		accel_use tcg "${SPAR_TCG_CPU:-max}" "$dev is not readable and writable by $(id -un)"
		return 0
	fi

	mkdir -p "$cache"
	key="$(accel_cache_key "$qemu" "$kernel" "$dev" "$cpus")"
	verdict="$cache/verdict-$key"
	if [ -s "$verdict" ]; then
		local name model reason
		{ read -r name model && read -r reason; } < "$verdict"
		[ "$name" = tcg ] && model="${SPAR_TCG_CPU:-max}"
		accel_use "$name" "$model" "$reason; cached $(date -r "$verdict" +%F)"
		return 0
	fi

	accel_probe_initramfs "$busybox" "$cache/probe-initramfs.cpio.gz"
	start=$SECONDS
	for cpu in $cpus; do
		log="$cache/probe-$cpu.log"
		if why="$(accel_probe_one "$qemu" "$kernel" \
				"$cache/probe-initramfs.cpio.gz" "$cpu" "$log")"; then
			tried+=("-cpu $cpu booted")
			accel_use kvm "$cpu" \
				"probe: $(accel_join "${tried[@]}") in $((SECONDS - start))s"
			break
		fi
		tried+=("-cpu $cpu: $why")
	done
	if [ "$ACCEL_NAME" != kvm ]; then
		accel_use tcg "${SPAR_TCG_CPU:-max}" \
			"kvm present, probe: $(accel_join "${tried[@]}"); $((SECONDS - start))s"
	fi
	printf '%s %s\n%s\n' "$ACCEL_NAME" "${ACCEL_ARGS[3]}" "$ACCEL_WHY" \
		> "$verdict.tmp" && mv "$verdict.tmp" "$verdict"
}

# accel_use NAME CPU WHY
accel_use() {
	ACCEL_NAME="$1"
	ACCEL_ARGS=(-accel "$1" -cpu "$2")
	ACCEL_WHY="$3"
}

accel_join() {
	local IFS=';'
	local s="$*"
	echo "${s//;/; }"
}

# accel_line: the one line every VM run starts with.
accel_line() {
	echo "accel: $ACCEL_NAME, -cpu ${ACCEL_ARGS[3]} ($ACCEL_WHY)"
}
