#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-VM test runner (t_run_files, t_declare, t_client in
# tests/vm/lib/guest.sh) against test files made to misbehave, run on the
# host: a file that reports nothing, one that dies half-way, one that
# forgets a declared check, one that passes a check it never declared, a
# client that aborts after its first case, and a well-behaved file.  Each
# misbehaviour must turn into FAIL lines.  Prints PASS/FAIL
# unit/runner-<name> lines; exits non-zero on any FAIL.
#
#   tests/harness/test_runner.sh [RESULTS]   also append the lines to RESULTS

set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
results="${1:-/dev/null}"
fails=0
ok() {
	echo "PASS unit/runner-$1" | tee -a "$results"
}
bad() {
	echo "FAIL unit/runner-$1" | tee -a "$results"
	shift
	printf '# %s\n' "$@"
	fails=$((fails + 1))
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests"

# A client in the style of nic_test: --list names its cases; it aborts
# after the first one when asked to.
cat > "$tmp/client" <<'EOS'
#!/usr/bin/env bash
if [ "$1" = --list ]; then
	printf '%s\n' c-one c-two c-three
	exit 0
fi
for c in c-one c-two c-three; do
	echo "PASS t/$c"
	[ -n "${ABORT_FIRST:-}" ] && kill -ABRT $$
done
exit 0
EOS
chmod +x "$tmp/client"

head="set -u
. '$root/tests/vm/lib/guest.sh'"
cat > "$tmp/tests/10-good.sh" <<EOS
$head
t_declare good-a good-b c-one c-two c-three
t_pass good-a
t_eq good-b 1 1
t_client '$tmp/client' run
t_done
EOS
cat > "$tmp/tests/20-silent.sh" <<EOS
$head
t_declare silent-a
exit 0
EOS
cat > "$tmp/tests/30-dies.sh" <<EOS
$head
t_declare dies-a dies-b
t_pass dies-a
kill -KILL \$\$
EOS
cat > "$tmp/tests/40-forgets.sh" <<EOS
$head
t_declare forgets-a forgets-b
t_pass forgets-a
t_done
EOS
cat > "$tmp/tests/50-undeclared.sh" <<EOS
$head
t_declare undeclared-a
t_pass undeclared-a
t_pass undeclared-extra
t_done
EOS
cat > "$tmp/tests/60-client-aborts.sh" <<EOS
$head
t_client '$tmp/client' run
t_done
EOS
cat > "$tmp/tests/70-no-declaration.sh" <<EOS
$head
t_pass nodecl-a
t_done
EOS

run() { # run FILE...: the runner's output for those test files
	SPAR_REPO="$root" SPAR_TIER=t bash -c "
		. '$root/tests/vm/lib/guest.sh'
		t_run_files '$tmp/tests' $*" 2>&1
}

# expect NAME OUTPUT PASS-REGEX... : each ERE must match a line of OUTPUT.
expect() {
	local name="$1" out="$2" re
	shift 2
	for re in "$@"; do
		if ! grep -qE -- "$re" <<< "$out"; then
			bad "$name" "no line matches /$re/ in:" "$out"
			return
		fi
	done
	ok "$name"
}

out="$(run 10-good)"
expect good "$out" '^PASS t/good-a$' '^PASS t/c-three$'
if grep -q '^FAIL ' <<< "$out"; then
	bad good-no-fail "a well-behaved file got FAIL lines:" "$out"
else
	ok good-no-fail
fi
expect silent "$(run 20-silent)" '^FAIL t/20-silent-empty$' '^FAIL t/silent-a$'
expect dies "$(run 30-dies)" '^FAIL t/30-dies-exit$' '^FAIL t/dies-b$'
expect forgets "$(run 40-forgets)" '^FAIL t/forgets-b$' 'declared by 40-forgets but never reported'
expect undeclared "$(run 50-undeclared)" '^FAIL t/50-undeclared-undeclared$' 'undeclared-extra'
out="$(ABORT_FIRST=1 run 60-client-aborts)"
expect client-aborts "$out" '^FAIL t/client-run-exit$' 'signal 6' '^FAIL t/c-two$' '^FAIL t/c-three$'
expect no-declaration "$(run 70-no-declaration)" '^FAIL t/70-no-declaration-undeclared$'

[ "$fails" -eq 0 ]
