#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spar-input through VFIO: host input devices made with uinput (sparctl
# input) feed an instance whose guest is build/tools/input_test
# (tests/vm/progs/input_test.c), which prints every report it removes.
#   attributes: defaults, refusals that name the attribute and change
#     nothing, x_res/y_res in the channel (input_test area), EBUSY while
#     open;
#   translation: keys to set-1 scancodes (one-byte, 0xE0 and keypad),
#     shifted keys, keys the protocol cannot carry (counted in
#     drops_unmapped, not sent), lock-key state from LED events, absolute
#     motion scaled to x_res/y_res, relative motion turned absolute and
#     clamped, each button, the wheel both ways;
#   flow control: the guest takes nothing for a while: key releases are
#     never lost (every press seen has its release), the newest motion
#     arrives, drops_full and motion_merged count what was dropped;
#   binding: a rebind while a key is held releases it in the guest; a
#     selector takes a device by name (bound lists it) and by prefix; the
#     instance's own uinput devices are always grabbed (an evdev reader
#     sees nothing); a device taken by name is grabbed only with grab=1.
# spar-timeout: 240

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
trap spar_remove_all EXIT

ctl="$SPAR_REPO/build/tools/sparctl"
prog="$SPAR_REPO/build/tools/input_test"
evr="$SPAR_REPO/build/tools/evdev_read"
work="$(mktemp -d /tmp/input.XXXXXX)"

t_declare input-setup input-defaults input-refuse-{sources,sources-many,grab,xres,yres} \
	input-refuse-unchanged input-res-set input-area input-res-busy \
	input-kbd input-mouse input-mouse-scaled input-unmapped-counted input-reports-counted \
	input-flow-keys-paired input-flow-hold-released input-flow-dropped \
	input-flow-newest-motion input-flow-merged input-flow-empty \
	input-rebind-release input-rebind-serves input-select-name \
	input-select-prefix input-select-clear input-own-grabbed \
	input-grab-hides input-grab-off-shows input-dmesg

a="$(new_uuid)"
D="$MDEV_DEVICES/$a"
if ! err="$(modprobe -a uinput evdev 2>&1)" || ! mdev_create spar-input "$a" > /dev/null; then
	t_fail input-setup "uinput/evdev or the instance: $err"
	t_done
fi
t_pass input-setup
base="$(dmesg | wc -l)"

stat() {
	rd "$D/stats/$1"
}

t_eq input-defaults "sources=[] grab=0 x_res=1024 y_res=768 bound=[]" \
	"sources=[$(rd "$D/sources")] grab=$(rd "$D/grab") x_res=$(rd "$D/x_res") y_res=$(rd "$D/y_res") bound=[$(rd "$D/bound")]"

# refuse NAME FILE VALUE PATTERN: the write fails and the kernel log says
# what was wrong.
refuse() {
	local out
	dmesg_mark
	if out="$(sysfs_write "$D/$2" "$3")"; then
		t_fail "$1" "'$3' was taken by $2"
		return
	fi
	t_match "$1" "$4" "$(dmesg_since)"
}
refuse input-refuse-sources sources "device=foo" "is not name=TEXT, phys=TEXT or uniq=TEXT"
refuse input-refuse-sources-many sources "name=1;name=2;name=3;name=4;name=5;name=6;name=7;name=8;name=9" "at most 8 selectors"
refuse input-refuse-grab grab 2 "grab: give 0 or 1"
refuse input-refuse-xres x_res 0 "x_res"
refuse input-refuse-yres y_res 40000 "y_res"
t_eq input-refuse-unchanged "[] 0 1024 768" \
	"[$(rd "$D/sources")] $(rd "$D/grab") $(rd "$D/x_res") $(rd "$D/y_res")"

t_ok input-res-set sh -c "echo 2000 > '$D/x_res' && echo 1000 > '$D/y_res'"
t_match input-area "mouse n_input_reports=50 x_res=2000 y_res=1000" \
	"$("$prog" area "$a" 2>&1)"

# reader OUT [ARGS...]: input_test read in the background, ready once it
# has the device; its PID in $rpid.
reader() {
	local out="$1" i
	shift
	rm -f "$work/ready"
	"$prog" read "$a" --ready "$work/ready" "$@" > "$out" 2>&1 &
	rpid=$!
	for ((i = 0; i < 100; i++)); do
		[ -e "$work/ready" ] && return 0
		kill -0 "$rpid" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}

# The device is open while the reader runs: the resolution is fixed.
reader "$work/busy" --timeout 3000 --count 1
out="$(sysfs_write "$D/x_res" 800)"
t_match input-res-busy "busy" "$out"
kill "$rpid" 2> /dev/null
wait "$rpid" 2> /dev/null

# --- translation ---------------------------------------------------------
unmapped0="$(stat drops_unmapped)"
reader "$work/tr" --timeout 4000 --count 35
"$ctl" input send "$a" > "$work/tr.ctl" 2>&1 << 'EOF'
tap a
key leftshift 1
tap 1
key leftshift 0
tap up
tap kpenter
tap kp5
tap kpslash
tap rightalt
tap sysrq
tap leftmeta
tap enter
led caps 1
led caps 0
abs 100 100
abs 0 0
abs 2000 1000
abs 1000 500
rel 10 -20
rel -5000 0
btn left 1
btn left 0
btn right 1
btn right 0
btn middle 1
btn middle 0
wheel 2
wheel -1
EOF
wait "$rpid"
kbd_want="$(printf 'kbd KEY_%s 0x%s 0x0000\n' \
	DOWN 001e UP 001e DOWN 002a DOWN 0002 UP 0002 UP 002a \
	DOWN 48e0 UP 48e0 DOWN 1ce0 UP 1ce0 DOWN 004c UP 004c \
	DOWN 0062 UP 0062 DOWN 38e0 UP 38e0 DOWN 001c UP 001c)
kbd LOCK_STATE 0x003a 0x0001
kbd LOCK_STATE 0x003a 0x0000"
mouse_want="mouse XY_MOTION 100 100
mouse XY_MOTION 0 0
mouse XY_MOTION 2000 1000
mouse XY_MOTION 1000 500
mouse XY_MOTION 1010 480
mouse XY_MOTION 0 480
mouse BUTTON_DOWN 1 0
mouse BUTTON_UP 1 0
mouse BUTTON_DOWN 3 0
mouse BUTTON_UP 3 0
mouse BUTTON_DOWN 2 0
mouse BUTTON_UP 2 0
mouse WHEEL_AWAY 0 0
mouse WHEEL_AWAY 0 0
mouse WHEEL_TOWARD 0 0"
t_eq input-kbd "$kbd_want" "$(grep '^kbd' "$work/tr")"
t_eq input-mouse "$mouse_want" "$(grep '^mouse' "$work/tr")"
t_eq input-unmapped-counted 2 "$(($(stat drops_unmapped) - unmapped0))"
t_eq input-reports-counted "20 15" "$(stat reports_kbd) $(stat reports_mouse)"
[ "$T_FAILS" -gt 0 ] && t_note "sparctl: $(cat "$work/tr.ctl")" "reader: $(cat "$work/tr")"

# A tablet of 0..32767 (a VNC pointer's range) scaled to 2000 x 1000,
# rounded to the nearest unit.
reader "$work/scale" --timeout 4000 --count 5
printf 'abs %s\n' "100 100" "32767 32767" "16384 16384" "8191 24575" "0 0" |
	"$ctl" input send "$a" --tablet-max 32767,32767 > "$work/scale.ctl" 2>&1
wait "$rpid"
t_eq input-mouse-scaled "6 3 2000 1000 1000 500 500 750 0 0" \
	"$(sed -n 's/^mouse XY_MOTION //p' "$work/scale" | paste -sd ' ')"

# --- flow control --------------------------------------------------------
# The guest takes nothing for 5 s while a held key, 300 taps and 600
# motions arrive: far more than its 50 slots and the host's 256.
{
	echo "key a 1"
	for ((i = 0; i < 300; i++)); do echo "tap b"; done
	echo "key a 0"
	for ((i = 1; i <= 600; i++)); do echo "abs $i $((i + 1))"; done
} > "$work/flow.in"
drops0="$(stat drops_full)"
merged0="$(stat motion_merged)"
reader "$work/flow" --delay-first 5000 --timeout 3000
"$ctl" input send "$a" < "$work/flow.in" > "$work/flow.ctl" 2>&1
wait "$rpid"
downs="$(grep -c '^kbd KEY_DOWN 0x0030' "$work/flow")"
ups="$(grep -c '^kbd KEY_UP 0x0030' "$work/flow")"
t_eq input-flow-keys-paired "$downs" "$ups"
t_eq input-flow-hold-released "kbd KEY_DOWN 0x001e 0x0000 kbd KEY_UP 0x001e 0x0000" \
	"$(grep '0x001e' "$work/flow" | paste -sd ' ')"
dropped=$(($(stat drops_full) - drops0))
if [ "$dropped" -gt 0 ] && [ "$downs" -lt 300 ]; then
	t_pass input-flow-dropped
else
	t_fail input-flow-dropped "drops_full grew by $dropped, $downs of 300 taps arrived"
fi
t_eq input-flow-newest-motion "mouse XY_MOTION 600 601" \
	"$(grep '^mouse XY_MOTION' "$work/flow" | tail -n 1)"
merged=$(($(stat motion_merged) - merged0))
if [ "$merged" -gt 0 ]; then
	t_pass input-flow-merged
else
	t_fail input-flow-merged "motion_merged did not grow"
fi
t_eq input-flow-empty "0 0" "$(stat pending_kbd) $(stat pending_mouse)"

# --- binding ---------------------------------------------------------------
# A rebind while a key is held: the guest hears the release at once, and
# the key's own release later is not repeated.
reader "$work/rebind" --timeout 4000 --count 4
printf '%s\n' "key c 1" "sleep 2000" "key c 0" "sleep 300" "tap d" |
	"$ctl" input send "$a" > "$work/rebind.ctl" 2>&1 &
cpid=$!
sleep 1
sysfs_write "$D/sources" "name=no such device" > /dev/null
wait "$cpid"
wait "$rpid"
t_eq input-rebind-release "kbd KEY_DOWN 0x002e 0x0000 kbd KEY_UP 0x002e 0x0000" \
	"$(grep -E '^kbd KEY_(DOWN|UP) 0x002e' "$work/rebind" | paste -sd ' ')"
t_eq input-rebind-serves "kbd KEY_DOWN 0x0020 0x0000 kbd KEY_UP 0x0020 0x0000" \
	"$(grep -E '^kbd KEY_(DOWN|UP) 0x0020' "$work/rebind" | paste -sd ' ')"

# A device of the VM itself, by name and by prefix.
dev_name="$(sed -n 's/^N: Name="\(.*\)"$/\1/p' /proc/bus/input/devices |
	grep -v '^sparctl' | head -n 1)"
if [ -z "$dev_name" ]; then
	t_fail input-select-name "the VM has no input device of its own"
	t_fail input-select-prefix "the VM has no input device of its own"
else
	sysfs_write "$D/sources" "name=$dev_name" > /dev/null
	t_match input-select-name "	$dev_name\$" "$(rd "$D/bound")"
	sysfs_write "$D/sources" "phys=nothing;name=${dev_name:0:3}*" > /dev/null
	t_match input-select-prefix "	$dev_name\$" "$(rd "$D/bound")"
fi
sysfs_write "$D/sources" "" > /dev/null
t_eq input-select-clear "[]" "[$(rd "$D/sources")]$(grep -v "spar-input/" "$D/bound")"

# The instance's own uinput devices are always grabbed: the host's evdev
# readers (and its console) see nothing of what is typed for the guest.
"$evr" --name "sparctl keyboard" --count 2 --timeout 3000 > "$work/evr" 2>&1 &
epid=$!
sleep 0.5
printf '%s\n' "sleep 1000" "tap x" | "$ctl" input send "$a" > /dev/null 2>&1
if wait "$epid"; then
	t_fail input-own-grabbed "evdev saw the keyboard made for the guest: $(head -n 3 "$work/evr")"
else
	t_pass input-own-grabbed
fi

# grab: a source taken by name is grabbed only with grab=1; another
# reader's EVIOCGRAB then fails.
if [ -n "$dev_name" ]; then
	sysfs_write "$D/sources" "name=$dev_name" > /dev/null
	sysfs_write "$D/grab" 1 > /dev/null
	if out="$("$evr" --name "$dev_name" --grab --timeout 500 2>&1)"; then
		t_fail input-grab-hides "another reader could grab $dev_name: $out"
	else
		t_match input-grab-hides "cannot grab" "$out"
	fi
	sysfs_write "$D/grab" 0 > /dev/null
	t_ok input-grab-off-shows "$evr" --name "$dev_name" --grab --timeout 500
	sysfs_write "$D/sources" "" > /dev/null
else
	t_fail input-grab-hides "the VM has no input device of its own"
	t_fail input-grab-off-shows "the VM has no input device of its own"
fi

log="$(dmesg | tail -n "+$((base + 1))")"
if dmesg_clean "$log" > /dev/null; then
	t_pass input-dmesg
else
	t_fail input-dmesg "$(dmesg_clean "$log" | head -n 5)"
fi
rm -rf "$work"
t_done
