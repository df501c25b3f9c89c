#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the nested guest (L2) of the nested benchmark, from its initramfs
# (/l2.d/, started by tests/e2e/l2-init after visorbus, visornic and
# virtio_net are loaded).  It only sets up and serves; the test VM (L1,
# tests/bench/e2e-bench-l1.sh) drives every measurement:
#
#   spar-nic, offloads (visornic)   MAC 02:00:00:00:00:11   10.97.0.2/24
#   spar-nic, legacy (visornic)     MAC 02:00:00:00:00:12   10.98.0.2/24
#   virtio-net                      MAC 02:00:00:00:00:13   10.96.0.2/24
#   GET  :8080/blob       $MIB MiB of zeros, busybox httpd (guest to host)
#   TCP  :5001            busybox dd reads everything up to the sender's
#                         FIN into /dev/null in 64 KiB reads, then answers
#                         with its record counts (host to guest)
#   GET  :8080/cgi-bin/end  ends this script; l2-init then powers off
#
# The two visornic interfaces come up as eth0 and eth1 in either order:
# each interface is found by the MAC L1 gave its device (the same list is
# in e2e-bench-l1.sh) and must be bound to the expected driver.  Lines for
# L1 start with "BENCH ".  /bench.conf may set MIB and WAIT.

MIB=8
WAIT=900
# shellcheck disable=SC1091 # written next to this script in the initramfs
[ -r /bench.conf ] && . /bench.conf

say() {
	echo "BENCH $*"
}

# nic_of MAC: the interface with that address.
nic_of() {
	for n in /sys/class/net/*; do
		if [ "$(cat "$n/address" 2> /dev/null)" = "$1" ]; then
			echo "${n##*/}"
			return 0
		fi
	done
	return 1
}

# setup NAME DRIVER MAC ADDRESS: address the interface with MAC, which
# DRIVER must drive, bring it up without IPv6 (no stray packets in the
# counters), wait for carrier.
setup() {
	i=0
	until n="$(nic_of "$3")"; do
		i=$((i + 1))
		if [ "$i" -gt 60 ]; then
			say FAIL "$1" "no interface with MAC $3"
			return 1
		fi
		sleep 1
	done
	d="$(readlink "/sys/class/net/$n/device/driver" 2> /dev/null)"
	if [ "${d##*/}" != "$2" ]; then
		say FAIL "$1" "$n (MAC $3) is bound to '${d##*/}', not $2"
		return 1
	fi
	echo 1 > "/proc/sys/net/ipv6/conf/$n/disable_ipv6"
	ip addr add "$4/24" dev "$n"
	ip link set "$n" up
	i=0
	while [ "$(cat "/sys/class/net/$n/carrier" 2> /dev/null)" != 1 ]; do
		i=$((i + 1))
		if [ "$i" -gt 30 ]; then
			say FAIL "$1" "$n has no carrier"
			return 1
		fi
		sleep 1
	done
	say NIC "$1" "$n" "mtu=$(cat "/sys/class/net/$n/mtu")"
}

diag() {
	for n in /sys/class/net/eth*; do
		printf '# l2 %s:' "${n##*/}"
		for c in rx_packets rx_bytes rx_dropped rx_errors \
			rx_missed_errors tx_packets tx_bytes tx_dropped tx_errors; do
			printf ' %s=%s' "$c" "$(cat "$n/statistics/$c")"
		done
		echo
	done
	grep -i -e visor -e virtio /proc/interrupts | sed 's/^/# l2 /'
}

ok=0
setup spar visornic 02:00:00:00:00:11 10.97.0.2 || ok=1
setup legacy visornic 02:00:00:00:00:12 10.98.0.2 || ok=1
setup virtio virtio_net 02:00:00:00:00:13 10.96.0.2 || ok=1

mkdir -p /tmp/www/cgi-bin
dd if=/dev/zero of=/tmp/www/blob bs=1M count="$MIB" 2> /dev/null
cat > /tmp/www/cgi-bin/end << 'EOF'
#!/bin/sh
: > /tmp/end
printf 'Content-Type: text/plain\r\n\r\nbye\n'
EOF
chmod 0755 /tmp/www/cgi-bin/end
httpd -p 8080 -h /tmp/www
# One reader straight off the socket, no relay through another process.
nc -ll -p 5001 -e sh -c 'dd of=/dev/null bs=64k 2>&1' &
echo "$ok" > /tmp/www/ready
say READY "$ok"

i=0
while [ ! -e /tmp/end ] && [ "$i" -lt "$WAIT" ]; do
	sleep 1
	i=$((i + 1))
done
[ -e /tmp/end ] || say FAIL end "no end request in $WAIT s"
diag
say END
