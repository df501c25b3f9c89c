#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# visornic behind a virtual IOMMU: the L2 guest is a q35 machine with
# QEMU's intel-iommu (caching mode, as VFIO needs) and boots with
# intel_iommu=on iommu=nopt, so every buffer visornic hands the function
# goes through the DMA API into an IOVA mapping that QEMU mirrors into the
# VFIO container: transmit buffers read-only (DMA_TO_DEVICE), receive
# buffers writable.  Pings both ways and transfers both ways checked by
# MD5; on this side, the guest's unmaps reach the host (pin_unmap_drops
# grows) and no transmit is refused.  Addresses 10.98.0.0/24 exist only
# inside this VM.  The L2 guest talks to this side as in 30-visornic.

set -u
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/guest.sh
. "$SPAR_REPO/tests/vm/lib/guest.sh"
# shellcheck source-path=SCRIPTDIR source=../../vm/lib/l2.sh
. "$SPAR_REPO/tests/vm/lib/l2.sh"

IFNAME=spn-viommu
HOST_IP=10.98.0.1
GUEST_IP=10.98.0.2
WORK=/tmp/viommu-e2e
WWW=$WORK/www
BB="$(command -v busybox)"
L2_CHECKS="viommu-on load carrier-up ping-guest-to-host get-from-host"
# shellcheck disable=SC2046 # one check name a word
t_declare viommu-{modules-built,create,ifname,host-up,initrd} \
	viommu-{ping-host-to-guest,get-from-guest,md5-guest-to-host} \
	viommu-{md5-host-to-guest,unmaps-reach-host,no-refused-transmit} \
	viommu-{l2-end,qemu-exit,l2-dmesg,l1-dmesg} \
	$(printf 'viommu-%s ' $L2_CHECKS)

# The script the L2 guest runs (busybox sh).
# shellcheck disable=SC2317 # called through make_initrd
l2_script() {
	cat << 'EOF'
say() { echo "IOMMUTEST $*"; }
step() {
	: > "/tmp/www/step-$1"
	say "$1"
}
res() { if [ "$2" = 0 ]; then say PASS "$1"; else say FAIL "$1" "$3"; fi; }
fetch() { timeout "$(($1 * SLOW))" wget -q -O "$2" "$3"; }
go() {
	i=0
	while [ "$i" -lt "$(($2 * SLOW))" ]; do
		fetch 5 /dev/null "http://10.98.0.1:8080/go-$1" 2> /dev/null &&
			return 0
		sleep 1
		i=$((i + 1))
	done
	say FAIL "sync-$1" "no go from the host"
	dmesg | tail -n 20
	return 1
}
md5() { md5sum "$1" | cut -d' ' -f1; }
pings() {
	n="$1"
	shift
	ping -c "$n" "$@" 2>&1 | grep -q " $n packets received"
}

mkdir -p /tmp/www
# The function (vendor 0x1018) sits behind the IOMMU: its group
# translates (a DMA domain, strict or lazy).
t=none
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1018 ] || continue
	t="$(cat "$d/iommu_group/type" 2> /dev/null)"
done
case "$t" in
DMA | DMA-FQ) dmesg | grep -q 'DMAR: IOMMU enabled' ;;
*) false ;;
esac
res viommu-on "$?" "IOMMU group of type '$t'; $(dmesg | grep -m1 DMAR)"
insmod /modules/visornic.ko
res load "$?"
ip addr add 10.98.0.2/24 dev eth0 && ip link set eth0 up
i=0
while [ "$i" -lt "$((30 * SLOW))" ] && [ "$(cat /sys/class/net/eth0/carrier 2> /dev/null)" != 1 ]; do
	sleep 1
	i=$((i + 1))
done
[ "$(cat /sys/class/net/eth0/carrier 2> /dev/null)" = 1 ]
res carrier-up "$?"
httpd -p 8080 -h /tmp/www
pings 5 -W 3 10.98.0.1
res ping-guest-to-host "$?"
step HOSTPING
go hostping 90
fetch 180 /tmp/l1.bin http://10.98.0.1:8080/l1.bin
res get-from-host "$?"
say MD5 l1 "$(md5 /tmp/l1.bin)"
rm -f /tmp/l1.bin
dd if=/dev/urandom of=/tmp/www/l2.bin bs=64k count=8 2> /dev/null
say MD5 l2 "$(md5 /tmp/www/l2.bin)"
step SERVE
go serve 240
say END
EOF
}

mark() {
	local end=$((SECONDS + $(t_time "$2")))
	while ((SECONDS < end)); do
		grep -q "^IOMMUTEST $1\$" "$LOG" 2> /dev/null && return 0
		curl -sf -m 2 -o /dev/null "http://$GUEST_IP:8080/step-$1" 2> /dev/null &&
			return 0
		kill -0 "$QPID" 2> /dev/null || return 1
		sleep 0.5
	done
	return 1
}

# shellcheck disable=SC2317 # called through t_ok
host_pings() {
	local n="$1"
	shift
	"$BB" ping -c "$n" "$@" 2>&1 | grep -q " $n packets received"
}

host_diag() {
	ip -s link show "$IFNAME" | sed 's/^/# /'
	grep -H . "$DEV"/stats/* 2> /dev/null | sed "s|^$DEV/stats/|# |"
}

md5_check() {
	local sum
	sum="$(md5sum "$3" 2> /dev/null | cut -d' ' -f1)"
	if [ -z "$sum" ]; then
		t_fail "$1" "no $3 here"
	elif grep -qx "IOMMUTEST MD5 $2 $sum" "$LOG"; then
		t_pass "$1"
	else
		t_fail "$1" "L2 reported '$(grep -m1 "^IOMMUTEST MD5 $2" "$LOG")', expected $sum"
	fi
}

# shellcheck disable=SC2317 # called through t_ok
make_initrd() {
	l2_script | l2_guest_initrd "$WORK" 35-visornic-viommu.sh
}

host_side() {
	if mark HOSTPING 400; then
		t_ok viommu-ping-host-to-guest host_pings 3 -W 3 "$GUEST_IP"
		: > "$WWW/go-hostping"
	else
		t_fail viommu-l2-up "the L2 guest did not get its interface up"
		return
	fi
	if mark SERVE 300; then
		rm -f "$WORK/l2.bin"
		t_ok viommu-get-from-guest curl -sf -m 200 -o "$WORK/l2.bin" \
			"http://$GUEST_IP:8080/l2.bin"
		: > "$WWW/go-serve"
	else
		t_fail viommu-get-from-guest "the L2 guest did not reach the SERVE step"
	fi
}

T_FAILS=0
t_ok viommu-modules-built test -r "$SPAR_GUEST_KO/visornic/visornic.ko"
[ "$T_FAILS" -eq 0 ] || t_done

rm -rf "$WORK"
mkdir -p "$WWW"
UUID="$(new_uuid)"
DEV="$MDEV_DEVICES/$UUID"
t_ok viommu-create mdev_create spar-nic "$UUID"
t_ok viommu-ifname sysfs_write "$DEV/ifname" "$IFNAME"
ip addr add "$HOST_IP/24" dev "$IFNAME"
t_ok viommu-host-up ip link set "$IFNAME" up
t_ok viommu-initrd make_initrd
[ "$T_FAILS" -eq 0 ] || t_done

dd if=/dev/urandom of="$WWW/l1.bin" bs=64k count=8 2> /dev/null
"$BB" httpd -f -p "$HOST_IP:8080" -h "$WWW" &
HTTPD=$!
dmesg_mark

LOG="$(l2_log viommu)"
rm -f "$LOG"
start=$SECONDS
# intel-iommu must come before the device it translates for.
L2_INITRD="$WORK/initrd.gz" \
	L2_APPEND="${L2_APPEND:-console=ttyS0 loglevel=4 log_buf_len=16M panic=-1 mitigations=off rdinit=/init} intel_iommu=on iommu=nopt" \
	l2_boot viommu "${SPAR_NIC_L2_TIMEOUT:-600}" \
	-machine q35 -device intel-iommu,intremap=off,caching-mode=on \
	-device "vfio-pci,sysfsdev=$DEV" &
QPID=$!
host_side
wait "$QPID"
rc=$?
echo "# l2 viommu: $((SECONDS - start)) s"
host_diag
kill "$HTTPD" 2> /dev/null

# shellcheck disable=SC2086 # one check name a word
l2_verdicts IOMMUTEST viommu "$LOG" $L2_CHECKS
md5_check viommu-md5-guest-to-host l2 "$WORK/l2.bin"
md5_check viommu-md5-host-to-guest l1 "$WWW/l1.bin"
drops="$(cat "$DEV/stats/pin_unmap_drops" 2> /dev/null)"
if [ "${drops:-0}" -gt 0 ]; then
	t_pass viommu-unmaps-reach-host
	t_note "pin_unmap_drops $drops, dma_unmaps $(cat "$DEV/stats/dma_unmaps")"
else
	t_fail viommu-unmaps-reach-host "pin_unmap_drops '${drops:-missing}': no guest unmap dropped a pin"
fi
errs="$(cat "$DEV/stats/protocol_errors" 2> /dev/null)"
t_eq viommu-no-refused-transmit 0 "${errs:-missing}"
t_ok viommu-l2-end grep -qx 'IOMMUTEST END' "$LOG"
t_eq viommu-qemu-exit 0 "$rc"

l2_dmesg_checks viommu "$LOG"
mdev_remove "$UUID" > /dev/null
t_done
