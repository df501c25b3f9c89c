# SPDX-License-Identifier: GPL-2.0
#
# Copy a kernel log, leaving out the one report that is known to come from
# upstream code rather than from this project, and name it on stderr as
# "KNOWN <name>".  Every other line, every other report, passes through and
# is judged by dmesg-patterns as before.
#
# type1-lock-order: lockdep's "possible circular locking dependency"
# between the VFIO type1 IOMMU's own two locks.  vfio_iommu_type1 takes
# iommu->lock then device_list_lock when a device registers, and calls a
# device's dma_unmap holding device_list_lock, where the device must call
# vfio_unpin_pages(), which takes iommu->lock.  Any emulated device that
# holds pins when the user unmaps produces it (here: spar_pins_unmap).
# Recognised only when the chain has exactly those two locks, the first
# edge comes from register/unregister_device and the second from
# vfio_iommu_type1_unpin_pages called under spar_pins_unmap.
#
#   awk -f known-reports.awk DMESG > FILTERED

function flush_block(complete,   i, known) {
	known = complete && nblock > 0 && chain == 2 &&
		text ~ /\(&iommu->lock\)/ &&
		text ~ /\(&iommu->device_list_lock\)/ &&
		text ~ /vfio_iommu_type1_(un)?register_device/ &&
		text ~ /vfio_iommu_type1_unpin_pages/ &&
		text ~ /spar_pins_unmap/
	if (known) {
		print "KNOWN type1-lock-order" > "/dev/stderr"
	} else {
		for (i = 1; i <= nblock; i++)
			print block[i]
	}
	nblock = 0
	chain = 0
	text = ""
	inblock = 0
}

{
	if (!inblock && $0 ~ /WARNING: possible circular locking dependency detected/) {
		inblock = 1
		nblock = 0
		# the "=====" rule printed just before the title belongs to it
		if (held != "" && held ~ /======/) {
			block[++nblock] = held
			held = ""
		}
	}
	if (!inblock) {
		if (held != "")
			print held
		held = $0
		next
	}
	block[++nblock] = $0
	text = text "\n" $0
	if ($0 ~ /-> #[0-9]+ \(/)
		chain++
	if ($0 ~ /stack backtrace:/)
		backtrace = 1
	if (backtrace && $0 ~ /<\/TASK>/) {
		backtrace = 0
		flush_block(1)
	}
}

END {
	# a report cut short is never set aside
	if (inblock)
		flush_block(0)
	if (held != "")
		print held
}
