# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Host side of the VM test harness.  Source it, call vm_setup, then
# vm_boot to run one repository script inside a throwaway QEMU VM, and
# vm_collect to turn the console log into result lines.
#
# The VM boots the host's newest kernel (scripts/kver.sh) with a small
# busybox initramfs.  Its /init mounts the host's / read-only over 9p,
# puts a tmpfs overlay on top, chroots into it and runs the script, so the
# VM sees the host's userland, /lib/modules and this repository at the same
# absolute paths.  See Documentation/testing.rst.

# shellcheck source-path=SCRIPTDIR source=accel.sh
. "$(dirname "${BASH_SOURCE[0]}")/accel.sh"

# Modules the initramfs loads before it can reach the host root.
VM_BOOT_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

# dmesg lines that make a run fail: one extended regular expression a line
# in dmesg-patterns (used by the guest side too).

vm_die() {
	echo "vm: $*" >&2
	exit 2
}

# vm_setup: find the repository, kernel and tools; set VM_* variables.
vm_setup() {
	local lib
	lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	VM_LIB="$lib"
	VM_DMESG_RE="$(grep -v '^#' "$lib/dmesg-patterns" | paste -sd '|')"
	SPAR_ROOT="${SPAR_ROOT:-$(cd "$lib/../../.." && pwd)}"
	VM_KVER="${VM_KVER:-$("$SPAR_ROOT/scripts/kver.sh")}" || vm_die "no usable kernel"
	# A kernel built elsewhere (make check-debug) names its image, its
	# modules directory and its build (KDIR) itself.
	VM_KERNEL="${VM_KERNEL:-/boot/vmlinuz-$VM_KVER}"
	VM_MODDIR="${VM_MODDIR:-/lib/modules/$VM_KVER}"
	VM_BUILD="$SPAR_ROOT/build/vm"
	VM_LOGS="$VM_BUILD/logs"
	VM_QEMU="${VM_QEMU:-qemu-system-x86_64}"
	VM_BUSYBOX="${VM_BUSYBOX:-$(command -v busybox || true)}"
	local t
	for t in "$VM_QEMU" cpio gzip; do
		command -v "$t" >/dev/null 2>&1 || vm_die "$t not found (see scripts/deps.sh)"
	done
	[ -n "$VM_BUSYBOX" ] || vm_die "busybox not found (install busybox-static)"
	[ -r "$VM_KERNEL" ] || vm_die "$VM_KERNEL not readable"
	mkdir -p "$VM_BUILD" "$VM_LOGS"
	# shellcheck source=../../../scripts/lock.sh
	. "$SPAR_ROOT/scripts/lock.sh"
	spar_lock "$SPAR_ROOT" "${0#"$SPAR_ROOT"/}" || vm_die "another run holds the lock"
	accel_select "$VM_QEMU" "$VM_KERNEL" "$VM_BUSYBOX" \
		"${SPAR_ACCEL_CACHE:-$SPAR_ROOT/build/accel}" ||
		vm_die "cannot choose an accelerator"
	VM_ACCEL=("${ACCEL_ARGS[@]}")
	accel_line
}

# vm_is_builtin NAME: true if module NAME is built into the kernel.
vm_is_builtin() {
	local n="${1//-/_}"
	sed -e 's,.*/,,' -e 's,\.ko.*$,,' -e 's,-,_,g' "$VM_MODDIR/modules.builtin" |
		grep -qx -- "$n"
}

# vm_mod_path NAME: print the modules.dep path of module NAME.
vm_mod_path() {
	local n="${1//-/_}"
	awk -F: -v n="$n" '{
		b = $1; sub(/.*\//, "", b); sub(/\.ko.*$/, "", b); gsub(/-/, "_", b)
		if (b == n) { print $1; exit }
	}' "$VM_MODDIR/modules.dep"
}

# vm_mod_closure NAME...: print module paths, dependencies first, once each.
vm_mod_closure() {
	local -A seen=()
	local -a order=()
	_vm_visit() {
		local path dep
		path="$(vm_mod_path "$1")"
		if [ -z "$path" ]; then
			vm_is_builtin "$1" && return 0
			vm_die "module $1 not found for $VM_KVER"
		fi
		[ -n "${seen[$path]:-}" ] && return 0
		seen[$path]=1
		# shellcheck disable=SC2013 # one line of space-separated paths
		for dep in $(sed -n "s,^$path: *,,p" "$VM_MODDIR/modules.dep"); do
			dep="${dep##*/}"
			_vm_visit "${dep%%.ko*}"
		done
		order+=("$path")
	}
	local m
	for m in "$@"; do
		_vm_visit "$m"
	done
	printf '%s\n' "${order[@]}"
}

# vm_initramfs: build (or reuse) the bootstrap initramfs; prints its path.
vm_initramfs() {
	local out="$VM_BUILD/initramfs-$VM_KVER.cpio.gz"
	local mods key stamp="$out.key"
	mods="$(vm_mod_closure "${VM_BOOT_MODULES[@]}")"
	key="$({
		echo "$VM_KVER"
		sha256sum "$VM_BUSYBOX" "$VM_LIB/init" "$VM_LIB/vm.sh"
		local p
		while read -r p; do
			stat -c '%n %s %Y' "$VM_MODDIR/$p"
		done <<< "$mods"
	} | sha256sum | cut -d' ' -f1)"
	if [ -s "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
		echo "$out"
		return 0
	fi
	local tmp p
	tmp="$(mktemp -d "$VM_BUILD/initramfs.XXXXXX")"
	mkdir -p "$tmp/bin" "$tmp/modules"
	cp "$VM_BUSYBOX" "$tmp/bin/busybox"
	cp "$VM_LIB/init" "$tmp/init"
	chmod 0755 "$tmp/init" "$tmp/bin/busybox"
	# Empty when every boot module is built in (the debug kernel).
	: > "$tmp/modules.list"
	while read -r p; do
		[ -n "$p" ] || continue
		vm_copy_module "$VM_MODDIR/$p" "$tmp/modules" >> "$tmp/modules.list"
	done <<< "$mods"
	(cd "$tmp" && find . -print0 | sort -z |
		cpio --null -o -H newc --quiet) | gzip -1 > "$tmp.cpio.gz"
	rm -rf "$tmp"
	mv "$tmp.cpio.gz" "$out"
	echo "$key" > "$stamp"
	echo "$out"
}

# vm_copy_module PATH DIR: copy a module into DIR as a plain .ko (busybox
# insmod cannot read compressed ones; newer Debian kernels ship .ko.xz) and
# print its file name.
vm_copy_module() {
	local p="$1" dir="$2" base="${1##*/}"
	case "$base" in
	*.ko) cp "$p" "$dir/" ;;
	*.ko.xz) xz -dc "$p" > "$dir/${base%.xz}" ;;
	*.ko.zst) zstd -qdc "$p" > "$dir/${base%.zst}" ;;
	*.ko.gz) gzip -dc "$p" > "$dir/${base%.gz}" ;;
	*) vm_die "module $p: unknown format" ;;
	esac || vm_die "cannot copy module $p"
	base="${base%.xz}"
	base="${base%.zst}"
	echo "${base%.gz}"
}

# vm_boot GROUP TIMEOUT SCRIPT [ARGS...]: boot a VM that runs SCRIPT (path
# relative to the repository) in the host-userland chroot.  The console goes
# to $VM_LOGS/GROUP.log.  Sets VM_TIMED_OUT=1 if the timeout (seconds)
# expired.  Extra QEMU options can be put in the VM_QEMU_EXTRA array.
vm_boot() {
	local group="$1" tmo="$2" script="$3"
	shift 3
	local log="$VM_LOGS/$group.log" initrd rc=0
	initrd="$(vm_initramfs)"
	VM_TIMED_OUT=0
	# SPAR_TEST_* settings of this shell reach the tests in the VM, e.g.
	# SPAR_TEST_TIMEOUT or SPAR_TEST_ABORT_AFTER (the kernel hands
	# NAME=VALUE words of its command line to /init as environment).
	local v testenv="" moddir=""
	# The VM finds a kernel's modules at /lib/modules/<release>; for a
	# kernel built elsewhere /init links that to its directory.
	[ "$VM_MODDIR" != "/lib/modules/$VM_KVER" ] && moddir="$VM_MODDIR"
	for v in $(compgen -e | grep '^SPAR_TEST_'); do
		testenv+=" $v=${!v// /}"
	done
	# shellcheck disable=SC2054 # the commas are inside QEMU options
	local -a cmd=(
		"$VM_QEMU" -nographic -no-reboot -m "${VM_MEM:-2G}" -smp "${VM_SMP:-2}"
		"${VM_ACCEL[@]}" -nic none
		-kernel "$VM_KERNEL" -initrd "$initrd"
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
		-virtfs "local,path=$SPAR_ROOT,mount_tag=repo,security_model=none,readonly=on,multidevs=remap"
		-append "console=ttyS0 loglevel=4 log_buf_len=16M panic=-1 mitigations=off rdinit=/init${testenv} ${VM_CONTROL:+spar_warn_ko=$SPAR_ROOT/tests/kmod/spar_warn_test.ko}${moddir:+ spar_moddir=$moddir} -- $SPAR_ROOT $script $*"
		"${VM_QEMU_EXTRA[@]}"
	)
	[ -n "$moddir" ] && cmd+=(-virtfs "local,path=$moddir,mount_tag=moddir,security_model=none,readonly=on,multidevs=remap")
	VM_BOOT_RETRIED=0
	rm -f "$log.boot1"
	while :; do
		echo "vm: booting $group (${VM_ACCEL[1]}, timeout ${tmo}s), console: $log"
		rc=0
		timeout -k 10 "$tmo" "${cmd[@]}" < /dev/null > "$log" 2>&1 || rc=$?
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			VM_TIMED_OUT=1
		fi
		tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
		# A kernel that panicked before /init printed its first line
		# ran none of this project's code: under TCG with two vCPUs
		# the stock kernel has been seen to die so, on an int3 left by
		# boot-time code patching.  Boot once more; vm_collect reports
		# it.  A hang is not retried (it used the whole timeout).
		if [ "$VM_TIMED_OUT" = 0 ] && [ "$VM_BOOT_RETRIED" = 0 ] &&
		   ! grep -aq '^SPAR-INIT$' "$log" &&
		   grep -aqE 'Kernel panic|Oops:|BUG:' "$log"; then
			echo "vm[$group]: the kernel died before /init ran; booting again (first console: $log.boot1):" >&2
			grep -aE "$VM_DMESG_RE|Kernel panic" "$log" | head -n 5 >&2 || true
			mv "$log" "$log.boot1"
			VM_BOOT_RETRIED=1
			continue
		fi
		break
	done
	return 0
}

# vm_collect TIER GROUP RESULTS [BOOT-NAME DMESG-NAME]: append the result
# lines of the run to RESULTS, plus the verdicts TIER/BOOT-NAME (the VM ran
# to its end) and TIER/DMESG-NAME (its dmesg is clean), by default
# GROUP-boot and GROUP-dmesg.  Saves the VM's dmesg to $VM_LOGS/GROUP.dmesg
# and the console of each nested guest NAME to $VM_LOGS/GROUP-l2-NAME.log.
# Returns 1 on any FAIL.
vm_collect() {
	local tier="$1" group="$2" results="$3"
	local boot_name="${4:-$group-boot}" dmesg_name="${5:-$group-dmesg}"
	local log="$VM_LOGS/$group.log" dmesg="$VM_LOGS/$group.dmesg" bad=0
	local dup
	grep -aoE "^(PASS|FAIL) $tier/[^[:space:]]+" "$log" >> "$results" || true
	dup="$(grep -aoE "^(PASS|FAIL) $tier/[^[:space:]]+" "$log" | cut -d' ' -f2 |
		sort | uniq -d)"
	if [ -n "$dup" ]; then
		echo "vm[$group]: test names used more than once: ${dup//$'\n'/ }" >&2
		echo "FAIL $tier/$group-names" >> "$results"
		bad=1
	fi
	sed -n '/^SPAR-DMESG-BEGIN$/,/^SPAR-DMESG-END$/p' "$log" |
		sed '1d;$d' > "$dmesg"
	grep -aoE '^\[l2:[A-Za-z0-9._-]+\] ' "$log" | sort -u |
		sed 's/^\[l2:\(.*\)\] $/\1/' | while read -r l2; do
		sed -n "s/^\[l2:$l2\] //p" "$log" > "$VM_LOGS/$group-l2-$l2.log"
		echo "vm[$group]: nested guest $l2 console: $VM_LOGS/$group-l2-$l2.log"
	done
	if [ "$VM_TIMED_OUT" = 1 ] || ! grep -q '^SPAR-VM-END$' "$log"; then
		echo "vm[$group]: the VM timed out or never reached its end marker" >&2
		echo "FAIL $tier/$boot_name" >> "$results"
		# Without a dmesg dump the console is the best record we have.
		grep -aE "$VM_DMESG_RE" "$log" | head -n 20 >&2 || true
		bad=1
	else
		echo "PASS $tier/$boot_name" >> "$results"
		local want got
		want="$(grep -aoE '^SPAR-RESULTS pass=[0-9]+ fail=[0-9]+' "$log" | tail -n 1)"
		got="SPAR-RESULTS pass=$(grep -aEc "^PASS $tier/" "$log") fail=$(grep -aEc "^FAIL $tier/" "$log")"
		if [ "$want" != "$got" ]; then
			echo "vm[$group]: the guest reported '${want:-no totals}', the console shows '$got'" >&2
			echo "FAIL $tier/$group-results" >> "$results"
			bad=1
		fi
		if [ ! -s "$dmesg" ]; then
			echo "vm[$group]: the kernel log dump is empty" >&2
			echo "FAIL $tier/$dmesg_name" >> "$results"
			bad=1
		elif awk -f "$VM_LIB/known-reports.awk" "$dmesg" 2> "$dmesg.known" |
			grep -aE "$VM_DMESG_RE" > "$dmesg.bad"; then
			echo "vm[$group]: dmesg has kernel complaints:" >&2
			head -n 20 "$dmesg.bad" >&2
			echo "FAIL $tier/$dmesg_name" >> "$results"
			bad=1
		else
			echo "PASS $tier/$dmesg_name" >> "$results"
		fi
		if [ "${VM_BOOT_RETRIED:-0}" = 1 ]; then
			echo "KNOWN $tier/$group-boot-retried (the kernel died before /init: $log.boot1)" >> "$results"
		fi
		# Reports from upstream code (known-reports.awk), on lines of
		# their own: neither a pass nor a failure of this project.
		sort -u "$dmesg.known" 2> /dev/null | while read -r _ name; do
			echo "vm[$group]: known upstream report in dmesg: $name (tests/vm/lib/known-reports.awk)" >&2
			echo "KNOWN $tier/upstream-$name" >> "$results"
		done
		rm -f "$dmesg.bad" "$dmesg.known"
		if [ -n "${VM_CONTROL:-}" ]; then
			vm_control "$tier" "$group" "$log" "$results" || bad=1
		fi
	fi
	if grep -q "^FAIL $tier/" "$results"; then
		bad=1
	fi
	if [ "$bad" -ne 0 ]; then
		echo "vm[$group]: console log: $log" >&2
		echo "vm[$group]: dmesg:       $dmesg" >&2
	fi
	return "$bad"
}

# vm_guest_modules KVER: build the guest modules for KVER in a private
# copy of the sources (build/guest-KVER), so that the tree's own modules
# stay built for the VM's kernel; print the directory that holds
# visorbus/ and visornic/.
vm_guest_modules() {
	local kver="$1" dir="$VM_BUILD/guest-$1" f
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$SPAR_ROOT" && git ls-files -co --exclude-standard 'guest/*' \
		'channel/*' 'include/*' scripts/compat-probe.sh) | grep -v '\.mod\.c$' |
		while read -r f; do
			mkdir -p "$dir/$(dirname "$f")"
			cp "$SPAR_ROOT/$f" "$dir/$f"
		done
	echo "obj-m += guest/" > "$dir/Kbuild"
	if ! make -C "/lib/modules/$kver/build" M="$dir" modules \
			> "$VM_LOGS/guest-$kver-build.log" 2>&1; then
		echo "vm: building the guest modules for $kver failed:" >&2
		tail -n 20 "$VM_LOGS/guest-$kver-build.log" >&2
		return 1
	fi
	echo "$dir/guest"
}

# vm_control TIER GROUP LOG RESULTS: the negative control.  After its
# final dump the VM loaded tests/kmod/spar_warn_test.ko, which logs a
# deliberate WARN, and printed what it added to the kernel log; the checks
# that judge the real dump must flag it (TIER/dmesg-control).
vm_control() {
	local tier="$1" group="$2" log="$3" results="$4" ctl
	ctl="$(sed -n '/^SPAR-CONTROL-BEGIN$/,/^SPAR-CONTROL-END$/p' "$log" | sed '1d;$d')"
	if printf '%s\n' "$ctl" | grep -q 'deliberate warning' &&
	   printf '%s\n' "$ctl" | grep -aqE "$VM_DMESG_RE"; then
		echo "PASS $tier/dmesg-control" >> "$results"
		return 0
	fi
	echo "vm[$group]: the negative control's WARN was not caught by the dmesg checks:" >&2
	printf '%s\n' "${ctl:-(nothing logged)}" | head -n 5 >&2
	echo "FAIL $tier/dmesg-control" >> "$results"
	return 1
}

# vm_module_ready TIER RESULTS: make sure mdev-parent/spar_mdev.ko exists,
# is not older than its sources and is built for $VM_KVER (else
# `make modules KVER=$VM_KVER`, which rebuilds the tree's modules for the
# kernel the VM boots).  On failure add TIER/module-build or TIER/module-kver to RESULTS
# and return 1.  SPAR_NO_BUILD=1 skips the build.
vm_module_ready() {
	local tier="$1" results="$2" magic
	local ko="$SPAR_ROOT/mdev-parent/spar_mdev.ko"
	if [ -z "${SPAR_NO_BUILD:-}" ] && { [ ! -f "$ko" ] ||
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" != "$VM_KVER" ] ||
		[ -n "$(find "$SPAR_ROOT/mdev-parent" "$SPAR_ROOT/guest" "$SPAR_ROOT/include" \
			\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
			-newer "$ko" -print -quit)" ]; }; then
		if ! make -C "$SPAR_ROOT" modules KVER="$VM_KVER"; then
			echo "vm: make modules failed" >&2
			echo "FAIL $tier/module-build" >> "$results"
			return 1
		fi
	fi
	if [ ! -f "$ko" ]; then
		echo "vm: $ko does not exist" >&2
		echo "FAIL $tier/module-build" >> "$results"
		return 1
	fi
	magic="$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
	if [ "$magic" != "$VM_KVER" ]; then
		echo "vm: $ko is built for '$magic', the VM boots $VM_KVER" >&2
		echo "FAIL $tier/module-kver" >> "$results"
		return 1
	fi
	if [ -n "${VM_CONTROL:-}" ]; then
		vm_control_module "$tier" "$results" || return 1
	fi
}

# vm_control_module TIER RESULTS: build tests/kmod/spar_warn_test.ko, the
# negative control's module, for $VM_KVER (TIER/control-module-build).
vm_control_module() {
	local tier="$1" results="$2" dir="$SPAR_ROOT/tests/kmod"
	if ! make -s -C "${KDIR:-/lib/modules/$VM_KVER/build}" M="$dir" modules > "$VM_LOGS/kmod-build.log" 2>&1 ||
	   [ ! -f "$dir/spar_warn_test.ko" ]; then
		echo "vm: building $dir failed:" >&2
		tail -n 20 "$VM_LOGS/kmod-build.log" >&2
		echo "FAIL $tier/setup-control-module" >> "$results"
		return 1
	fi
}

# vm_summary TIER RESULTS SECONDS: print the failures and a one-line count;
# return 1 if anything failed or no test besides the boot/dmesg verdicts ran.
vm_summary() {
	local tier="$1" results="$2" secs="$3" pass fail tests
	tests="$(grep -Ev -- '-(boot|dmesg)$' "$results" | grep -Ec "^(PASS|FAIL) $tier/")" ||
		tests=0
	if [ "$tests" -le 0 ]; then
		echo "$tier: no test ran" >&2
		echo "FAIL $tier/no-test-ran" >> "$results"
	fi
	pass="$(grep -c '^PASS ' "$results")" || pass=0
	fail="$(grep -c '^FAIL ' "$results")" || fail=0
	grep '^FAIL ' "$results" || true
	grep '^KNOWN ' "$results" || true
	echo "$tier: $pass passed, $fail failed in $secs s ($results)"
	[ "$fail" -eq 0 ]
}

# What the standard L2 initramfs holds beyond busybox (tests/e2e/run.sh,
# scripts/demo.sh): the SCSI disk driver, ext4 and its checksum for
# visorhba's disks, 9p over virtio for guests that mount the test VM's
# root (70-guest-autoload), evdev for visorinput's devices, and the host's mkfs.ext4, e2fsck and lsblk,
# which busybox lacks.
# shellcheck disable=SC2034 # used by the scripts that source this file
VM_L2_CONTENT=(sd_mod crc32c_generic ext4 virtio_pci 9pnet_virtio 9p evdev
	/sbin/mkfs.ext4 /sbin/e2fsck /bin/lsblk)

# vm_copy_program PATH ROOT: the host program PATH as ROOT/usr/local/bin/NAME
# (its own name, even when PATH is a link), and the shared libraries and
# loader that ldd names for it at their own paths under ROOT.
vm_copy_program() {
	local prog="$1" root="$2" lib
	mkdir -p "$root/usr/local/bin" &&
		cp -L "$prog" "$root/usr/local/bin/${prog##*/}" || return 1
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root${lib%/*}" && cp -L "$lib" "$root$lib" || return 1
	done
}

# vm_l2_initramfs OUT INIT [MODULE...]: build (or reuse) a small busybox
# initramfs for a nested (L2) guest with INIT as /init and the modules under
# /modules, listed in load order in /modules.list.  A MODULE is either the
# name of a module of $VM_KVER (its dependencies come along) or the path of
# a .ko file (e.g. a guest driver built from this repository), loaded last,
# or the absolute path of a host program (e.g. /sbin/mke2fs), copied with
# the shared libraries it needs to /usr/local/bin under its own name.
vm_l2_initramfs() {
	local out="$1" init="$2"
	shift 2
	local mods="" key stamp="$out.key" m
	local -a names=() files=() bins=()
	for m in "$@"; do
		case "$m" in
		*.ko) files+=("$m") ;;
		/*) bins+=("$m") ;;
		*) names+=("$m") ;;
		esac
	done
	[ "${#names[@]}" -gt 0 ] && mods="$(vm_mod_closure "${names[@]}")"
	key="$({
		echo "$VM_KVER"
		sha256sum "$VM_BUSYBOX" "$init" "${files[@]}"
		[ "${#bins[@]}" -eq 0 ] || sha256sum "${bins[@]}"
		echo "$mods"
	} | sha256sum | cut -d' ' -f1)"
	if [ -s "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	local tmp p
	tmp="$(mktemp -d "$VM_BUILD/l2initramfs.XXXXXX")"
	mkdir -p "$tmp/bin" "$tmp/modules"
	cp "$VM_BUSYBOX" "$tmp/bin/busybox"
	cp "$init" "$tmp/init"
	chmod 0755 "$tmp/init" "$tmp/bin/busybox"
	: > "$tmp/modules.list"
	if [ -n "$mods" ]; then
		while read -r p; do
			vm_copy_module "$VM_MODDIR/$p" "$tmp/modules" >> "$tmp/modules.list"
		done <<< "$mods"
	fi
	for p in "${files[@]}"; do
		cp "$p" "$tmp/modules/"
		echo "${p##*/}" >> "$tmp/modules.list"
	done
	for p in "${bins[@]}"; do
		vm_copy_program "$p" "$tmp" || { rm -rf "$tmp"; return 1; }
	done
	(cd "$tmp" && find . -print0 | sort -z |
		cpio --null -o -H newc --quiet) | gzip -1 > "$tmp.cpio.gz"
	rm -rf "$tmp"
	mv "$tmp.cpio.gz" "$out"
	echo "$key" > "$stamp"
}
