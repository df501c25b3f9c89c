#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Autostart through udev: a real systemd-udevd runs in the VM with the
# host's rules.  An instance defined with `mdevctl define --auto` and an
# attribute (max_lun 4) must start, with the attribute, when spar_mdev is
# loaded and registers its parent.  First without our rule: Debian 12's
# 60-mdevctl.rules runs /usr/sbin/mdevctl, which the package does not
# install, so nothing starts (this is checked, so the test sees what the
# rule adds).  Then with tools/udev/60-spar-mdev.rules.in installed as
# `make install` does: the instance starts.  The run ends with the module
# loaded with the parameters the other tests use.
# spar-timeout: 240

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

RULE=/etc/udev/rules.d/60-spar-mdev.rules
UDEVD=/lib/systemd/systemd-udevd
u="$(new_uuid)"
dev="$MDEV_DEVICES/$u"

t_declare autostart-{udevd,define,attr,without-rule,rule,started,attr-applied} \
	autostart-{type,stop,undefine,dmesg}

cleanup() {
	mdevctl stop -u "$u" > /dev/null 2>&1
	mdevctl undefine -u "$u" > /dev/null 2>&1
	udevadm control --exit > /dev/null 2>&1
	rm -f "$RULE"
	if [ ! -d /sys/module/spar_mdev ]; then
		# shellcheck disable=SC2086 # a list of parameters
		insmod "$SPAR_KO" $SPAR_KO_ARGS
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

udevd_start() {
	"$UDEVD" --daemon || return 1
	udevadm control --ping
}

# reload: unload spar_mdev and load it again, as a boot does; wait for
# udev to handle the events.
reload() {
	# configfs holds the module while the LIO fabric's directory exists.
	rmdir /sys/kernel/config/target/spar 2> /dev/null
	rmmod spar_mdev || return 1
	# shellcheck disable=SC2086 # a list of parameters
	insmod "$SPAR_KO" $SPAR_KO_ARGS || return 1
	udevadm settle --timeout="$(t_time 60)"
}

# appears SECONDS: the instance exists within SECONDS.
appears() {
	local i
	for ((i = 0; i < $(t_time "$1"); i++)); do
		[ -d "$dev" ] && return 0
		sleep 1
	done
	[ -d "$dev" ]
}

spar_remove_all
dmesg_mark
t_ok autostart-udevd udevd_start
t_ok autostart-define mdevctl define -u "$u" -p spar -t spar-hba --auto
t_ok autostart-attr mdevctl modify -u "$u" --addattr=max_lun --value=4

if reload && ! appears 10; then
	t_pass autostart-without-rule
else
	t_fail autostart-without-rule "the instance started without our rule, or the reload failed"
fi

mdevctl="$(command -v mdevctl)"
t_ok autostart-rule sh -c "sed 's|@MDEVCTL@|$mdevctl|g' \
	'$SPAR_REPO/tools/udev/60-spar-mdev.rules.in' > '$RULE' &&
	udevadm control --reload"
reload
t_ok autostart-started appears 60
t_eq autostart-attr-applied 4 "$(rd "$dev/max_lun")"
t_eq autostart-type spar-hba "$(rd "$dev/mdev_type/name")"
t_ok autostart-stop mdevctl stop -u "$u"
t_ok autostart-undefine mdevctl undefine -u "$u"
if bad="$(dmesg_clean "$(dmesg_since)")"; then
	t_pass autostart-dmesg
else
	t_fail autostart-dmesg "$bad"
fi
t_done
