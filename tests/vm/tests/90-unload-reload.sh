#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading with no instances removes the class cleanly, bad parameters make
# the load fail with a message, and the module loads again afterwards (the
# run ends with the module loaded and the parameters the other tests use).

set -u
# shellcheck source-path=SCRIPTDIR source=../lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"

t_declare unload-{no-instances,rmmod,module-gone,class-gone,mdev-bus-gone,dmesg-quiet} \
	load-defaults{,-nic,-hba,-input,-rmmod} \
	reload-{insmod,parent,avail,create,remove,rmmod,class-gone,again}
for bad in max_nic-0 max_hba-0 max_input-0 max_nic-1025 max_input-100000; do
	t_declare "load-bad-$bad"{,-not-loaded,-message}
done

loaded() {
	test -d /sys/module/spar_mdev
}

spar_remove_all
t_eq unload-no-instances "" "$(spar_instances)"
dmesg_mark
t_ok unload-rmmod rmmod spar_mdev
t_not unload-module-gone loaded
t_not unload-class-gone test -e /sys/class/spar
t_not unload-mdev-bus-gone test -e /sys/class/mdev_bus/spar
t_eq unload-dmesg-quiet "" \
	"$(dmesg_since | grep -Ei 'warn|error|fail|leak|busy|still|BUG|Call Trace')"

# Out-of-range limits: the load fails and the log says why.
for bad in max_nic=0 max_hba=0 max_input=0 max_nic=1025 max_input=100000; do
	p="${bad%%=*}"
	n="load-bad-$p-${bad#*=}"
	dmesg_mark
	t_not "$n" insmod "$SPAR_KO" "$bad"
	t_not "$n-not-loaded" loaded
	# The module's own range message, not a generic parameter error.
	t_match "$n-message" "spar_mdev: $p=${bad#*=} is out of range: it must be between 1 and [0-9]+" \
		"$(dmesg_since)"
	loaded && rmmod spar_mdev
done

# Defaults (16/16/4) when no parameter is given.
if insmod "$SPAR_KO"; then
	t_pass load-defaults
	t_eq load-defaults-nic 16 "$(avail spar-nic)"
	t_eq load-defaults-hba 16 "$(avail spar-hba)"
	t_eq load-defaults-input 4 "$(avail spar-input)"
	t_ok load-defaults-rmmod rmmod spar_mdev
else
	t_fail load-defaults "insmod without parameters failed"
fi

# Reload with the test limits; create/remove works again.
# shellcheck disable=SC2086 # SPAR_KO_ARGS is a list of parameters
t_ok reload-insmod insmod "$SPAR_KO" $SPAR_KO_ARGS
t_ok reload-parent test -d "$SPAR_PARENT"
t_eq reload-avail "$SPAR_MAX_NIC" "$(avail spar-nic)"
u="$(new_uuid)"
t_ok reload-create mdev_create spar-nic "$u"
t_ok reload-remove mdev_remove "$u"

# A second unload/load cycle right after use.
t_ok reload-rmmod rmmod spar_mdev
t_not reload-class-gone test -e /sys/class/spar
# shellcheck disable=SC2086
t_ok reload-again insmod "$SPAR_KO" $SPAR_KO_ARGS

t_done
