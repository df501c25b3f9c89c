#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The lint tier: checkpatch --strict, sparse and W=1 builds of the host and
# guest modules against every installed kernel with headers, kernel-doc,
# and shellcheck on the project's scripts.
# Zero warnings are allowed.  Writes build/results/lint.txt.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
out=build/results/lint.txt
logdir=build/lint
mkdir -p build/results "$logdir"
: >"$out"
failed=0

result() { # result NAME LOG
	if [ -s "$2" ]; then
		echo "FAIL lint/$1" | tee -a "$out"
		sed 's/^/    /' "$2" | head -60
		echo "    (full log: $2)"
		failed=1
	else
		echo "PASS lint/$1" | tee -a "$out"
	fi
}

# checkpatch.pl and kernel-doc come from Debian's newest kernel source
# package; extracted again when that changes.
kscripts=build/kscripts
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
if [ -z "$tarball" ]; then
	echo "lint: no /usr/src/linux-source-*.tar.xz; run scripts/deps.sh" >&2
	echo "FAIL lint/tools" >>"$out"
	exit 1
fi
if [ ! -x "$kscripts/checkpatch.pl" ] || [ ! -x "$kscripts/kernel-doc" ] ||
	[ "$(cat "$kscripts/.source" 2>/dev/null)" != "$tarball" ]; then
	top=$(basename "$tarball" .tar.xz)
	rm -rf "$kscripts"
	mkdir -p "$kscripts"
	tar -xJf "$tarball" -C "$kscripts" --strip-components=2 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch" "$top/scripts/kernel-doc"
	echo "$tarball" >"$kscripts/.source"
fi
echo "lint: checkpatch.pl and kernel-doc from $tarball"

mapfile -t kfiles < <(git ls-files -co --exclude-standard \
	'mdev-parent/*.[ch]' 'guest/*.[ch]' 'channel/*.[ch]' 'include/*.h' \
	'tests/kmod/*.[ch]' |
	grep -v '\.mod\.c$' | sort -u)

# checkpatch: every kernel source and header, strict.
log=$logdir/checkpatch.log
: >"$log"
for f in "${kfiles[@]}"; do
	ignore=FILE_PATH_CHANGES
	# A GUID initialiser must split each field into bytes, as GUID_INIT does.
	[ "$f" = include/uapi/spar/guid.h ] && ignore=$ignore,MACRO_ARG_REUSE
	# The type table is a list macro: each line names its argument macro
	# and no parentheses can enclose a list of declarations.
	[ "$f" = mdev-parent/spar_types.h ] &&
		ignore=$ignore,COMPLEX_MACRO,MACRO_ARG_REUSE
	# struct Scsi_Host is the SCSI midlayer's name, which checkpatch
	# cannot look up without a kernel tree.
	[ "$f" = guest/visorhba/visorhba.c ] && ignore=$ignore,CAMELCASE
	# Before 6.4 bus_register() writes into the bus_type, so the compat
	# header's branch for those kernels cannot declare it const.
	[ "$f" = guest/visorbus/visorbus_compat.h ] && ignore=$ignore,CONST_STRUCT
	perl "$kscripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore "$ignore" -f "$f" 2>&1 |
		grep -v '^total: 0 errors, 0 warnings, 0 checks' |
		grep -v 'has no obvious style problems' >>"$log"
done
sed -i '/^$/d' "$log"
result checkpatch "$log"

# kernel-doc: the comments that claim to be kernel-doc must parse.
log=$logdir/kernel-doc.log
perl "$kscripts/kernel-doc" -none "${kfiles[@]}" >"$log" 2>&1
result kernel-doc "$log"

# W=1 and sparse over every module, against every installed kernel that
# has headers (a kernel need not be bootable to be built for).  A private
# copy of the kernel sources is built from scratch for each kernel, so
# every file is seen and the working tree's own build is left alone.
mapfile -t kvers < <(for b in /lib/modules/*/build; do
	[ -d "$b" ] && basename "$(dirname "$b")"
done | sort -V)
if [ "${#kvers[@]}" -eq 0 ]; then
	echo "lint: no /lib/modules/*/build; run scripts/deps.sh" >&2
	echo "FAIL lint/w1-sparse" | tee -a "$out"
	failed=1
fi
for kver in "${kvers[@]}"; do
	log=$logdir/build-$kver.log
	full=$logdir/build-full-$kver.log
	tree=$logdir/tree-$kver
	rm -rf "$tree"
	mkdir -p "$tree"
	git ls-files -co --exclude-standard Kbuild 'mdev-parent/*' 'guest/*' \
		'channel/*' 'include/*' 'tests/kmod/*' scripts/compat-probe.sh |
		grep -v '\.mod\.c$' |
		while read -r f; do
			mkdir -p "$tree/$(dirname "$f")"
			cp "$f" "$tree/$f"
		done
	make -C "/lib/modules/$kver/build" M="$root/$tree" W=1 C=2 CHECK=sparse \
		modules >"$full" 2>&1
	rc=$?
	# The harness's test-only module, with its own M= as the harness builds it.
	make -C "/lib/modules/$kver/build" M="$root/$tree/tests/kmod" W=1 C=2 \
		CHECK=sparse modules >>"$full" 2>&1 || rc=$?
	grep -E 'warning|error|Error' "$full" >"$log"
	if [ "$rc" -ne 0 ] && [ ! -s "$log" ]; then
		echo "kbuild exited $rc" >"$log"
	fi
	result "w1-sparse-$kver" "$log"
done

# Static analysis of the project's own shell scripts.
log=$logdir/shellcheck.log
mapfile -t sfiles < <(git ls-files -co --exclude-standard '*.sh' '.ci/run' 'tools/mdevctl/spar-hba-luns' | sort -u)
if [ "${#sfiles[@]}" -gt 0 ]; then
	shellcheck -x -S warning "${sfiles[@]}" >"$log" 2>&1
else
	: >"$log"
fi
result shellcheck "$log"

exit "$failed"
