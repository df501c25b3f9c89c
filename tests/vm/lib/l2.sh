# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Nested (L2) guests, started from inside the test VM.  Source after
# guest.sh.  The L2 guest boots the same kernel as the VM with a small
# busybox initramfs built on the host (tests/e2e/run.sh) and reached through
# the 9p view of the host file system.  Its console is written to
# /tmp/l2-<name>.log and echoed on the VM console as "[l2:<name>] <line>",
# which the host collects into build/vm/logs/<group>-l2-<name>.log.

# The nested guests boot the VM's kernel unless the host asked for another
# (SPAR_TEST_L2_KVER, with guest modules built for it in SPAR_TEST_GUEST_KO).
L2_KVER="${SPAR_TEST_L2_KVER:-$(uname -r)}"
L2_KERNEL="/boot/vmlinuz-$L2_KVER"
L2_INITRD="${L2_INITRD:-$SPAR_REPO/build/vm/l2-initramfs-$L2_KVER.cpio.gz}"
L2_APPEND="${L2_APPEND:-console=ttyS0 loglevel=4 log_buf_len=16M panic=-1 mitigations=off rdinit=/init}"
L2_MEM="${L2_MEM:-512M}"

# shellcheck source-path=SCRIPTDIR source=accel.sh
. "$SPAR_REPO/tests/vm/lib/accel.sh"

# l2_accel: the QEMU options of the accelerator for nested guests, chosen
# the way the host harness chooses its own (accel.sh): KVM only if this VM
# boots a probe under it.  The verdict is cached for the life of the VM.
# Under TCG inside TCG the CPU model is max without cx16: with it, Debian's
# 6.12 kernel double-faults early in boot on a cmpxchg16b in the slab
# allocator (seen with QEMU 7.2); SPAR_TEST_L2_TCG_CPU overrides it.
l2_accel() {
	SPAR_TCG_CPU="${SPAR_TEST_L2_TCG_CPU:-max,-cx16}" \
		accel_select qemu-system-x86_64 "$L2_KERNEL" "$(command -v busybox)" \
		/tmp/spar-accel || return 1
	echo "# l2 $(accel_line)" >&2
	echo "${ACCEL_ARGS[*]}"
}

# l2_boot NAME TIMEOUT [QEMU-ARG...]: boot an L2 guest and wait until it
# powers off or TIMEOUT seconds (stretched by SPAR_TEST_SLOW) pass.  Extra QEMU arguments are appended,
# e.g. -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/<UUID>.
# Returns QEMU's status (124 on timeout).  The console is in $(l2_log NAME).
l2_boot() {
	local name="$1" tmo log rc
	tmo="$(t_time "$2")"
	shift 2
	log="$(l2_log "$name")"
	local -a accel
	read -r -a accel <<< "$(l2_accel)"
	echo "# l2 $name: booting (${accel[1]}, timeout ${tmo}s)"
	set -o pipefail
	timeout -k 5 "$tmo" qemu-system-x86_64 -nographic -no-reboot \
		-m "$L2_MEM" -smp 1 "${accel[@]}" -nic none \
		-kernel "$L2_KERNEL" -initrd "$L2_INITRD" -append "$L2_APPEND" \
		"$@" < /dev/null 2>&1 |
		stdbuf -oL tr -d '\r' | tee "$log" | sed -u "s/^/[l2:$name] /"
	rc=$?
	set +o pipefail
	echo "# l2 $name: QEMU exited with status $rc"
	return "$rc"
}

l2_log() {
	echo "/tmp/l2-$1.log"
}

# l2_dmesg_checks PREFIX LOG: PREFIX-l2-dmesg, the kernel log the L2 guest
# dumped at its end (in its console LOG) is clean, and PREFIX-l1-dmesg,
# this VM's kernel log since dmesg_mark is clean.
l2_dmesg_checks() {
	local prefix="$1" log="$2" l2dmesg bad
	l2dmesg="$(sed -n '/^SPAR-L2-DMESG-BEGIN$/,/^SPAR-L2-DMESG-END$/p' "$log")"
	if [ -z "$l2dmesg" ]; then
		t_fail "$prefix-l2-dmesg" "the L2 guest dumped no dmesg"
	elif bad="$(dmesg_clean "$l2dmesg")"; then
		t_pass "$prefix-l2-dmesg"
	else
		t_fail "$prefix-l2-dmesg" "$bad"
	fi
	if bad="$(dmesg_clean "$(dmesg_since)")"; then
		t_pass "$prefix-l1-dmesg"
	else
		t_fail "$prefix-l1-dmesg" "$bad"
	fi
}

# l2_guest_initrd DIR NAME: build DIR/initrd.gz, the standard L2 initramfs
# plus an archive with visorbus.ko (loaded at boot), visornic.ko,
# visorhba.ko and visorinput.ko from the repository and, as /l2.d/NAME, the script read from
# standard input, which the L2 /init runs.  The kernel unpacks both
# archives.
l2_guest_initrd() {
	local dir="$1" x="$1/extra"
	rm -rf "$x"
	mkdir -p "$x/modules" "$x/l2.d"
	cp "$SPAR_GUEST_KO/visorbus/visorbus.ko" \
		"$SPAR_GUEST_KO/visornic/visornic.ko" \
		"$SPAR_GUEST_KO/visorhba/visorhba.ko" \
		"$SPAR_GUEST_KO/visorinput/visorinput.ko" "$x/modules/" || return 1
	echo visorbus.ko > "$x/modules.extra"
	# SLOW: the host's SPAR_TEST_SLOW, for the script's own waits
	{
		echo "SLOW=$T_SLOW"
		cat
	} > "$x/l2.d/$2"
	(cd "$x" && find . -print0 | sort -z |
		cpio --null -o -H newc --quiet) | gzip -1 > "$dir/extra.cpio.gz" &&
		cat "$L2_INITRD" "$dir/extra.cpio.gz" > "$dir/initrd.gz"
}

# l2_verdicts TAG PREFIX LOG CHECK...: the L2 guest's "TAG PASS|FAIL name
# [why]" lines in LOG as checks PREFIX-name; a CHECK it never reported
# fails.
l2_verdicts() {
	local tag="$1" prefix="$2" log="$3" seen=" " verdict name why
	shift 3
	while read -r _ verdict name why; do
		[ -n "$name" ] || continue
		seen="$seen$name "
		if [ "$verdict" = PASS ]; then
			t_pass "$prefix-$name"
		else
			t_fail "$prefix-$name" "${why:-failed in the L2 guest}"
		fi
	done <<< "$(grep -E "^$tag (PASS|FAIL) " "$log")"
	for name in "$@"; do
		case "$seen" in
		*" $name "*) ;;
		*) t_fail "$prefix-$name" "the L2 guest did not report it" ;;
		esac
	done
}
