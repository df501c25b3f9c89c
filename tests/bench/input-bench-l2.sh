#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the nested guest (L2) of the spar-input latency benchmark, from
# its initramfs (/l2.d/, started by tests/e2e/l2-init, which has loaded
# virtio_console, virtio_input, evdev, visorbus.ko and visorinput.ko).  L2
# has two keyboards fed from the test VM (L1): "visor Keyboard"
# (visorinput on the spar-input instance) and "QEMU Virtio Keyboard"
# (virtio-keyboard-pci on QEMU's input-linux), and a virtio-serial port
# "bench" to L1's tests/bench/input_bench.  /bench/input_bench_l2 opens
# both keyboards, says READY on the port and then answers L1's clock pings
# and passes the key events on, with their evdev timestamps, until L1 says
# the end (see tests/bench/input_bench_l2.c).  /bench.conf may set WAIT
# (seconds for the devices and the port) and IDLE (seconds without a word
# from L1 before it gives up).

WAIT=120
IDLE=300
# shellcheck disable=SC1091 # written next to this script in the initramfs
[ -r /bench.conf ] && . /bench.conf

grep '^N: ' /proc/bus/input/devices | sed 's/^/IB-L2 input /'
/bench/input_bench_l2 --wait "$WAIT" --idle "$IDLE"
echo "IB-L2 exit $?"
grep -i -e visor -e virtio /proc/interrupts | sed 's/^/# l2 /'
