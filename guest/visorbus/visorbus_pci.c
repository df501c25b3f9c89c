// SPDX-License-Identifier: GPL-2.0
/*
 * visorbus over PCI: the guest side of the spar PCI transport.
 *
 * Binds to spar functions, brings the transport up as the transport
 * document prescribes and validates the transport page and its channel
 * directory before anything else may use them.  Function drivers attach
 * to the channels through the visorbus bus type.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uuid.h>

#include "visorbus_private.h"

/* What this driver implements of the transport's features. */
#define VISORBUS_FEATURES \
	(SPAR_TRANSPORT_F_NOTIFY_SUPPRESS | SPAR_TRANSPORT_F_PAUSE)

/* How long function drivers get to complete a pause. */
#define VISORBUS_PAUSE_TIMEOUT_MS	5000

static int visorbus_check_entry(struct visorbus_pci *vb, unsigned int i,
				const struct spar_transport_dir_entry *e)
{
	u64 off = le64_to_cpu(e->offset), size = le64_to_cpu(e->size);
	struct spar_channel_header hdr;
	u16 nq = le16_to_cpu(e->num_queues);
	unsigned int j;

	if (!(le16_to_cpu(e->flags) & SPAR_TRANSPORT_DIR_F_PRESENT) ||
	    off < SPAR_TRANSPORT_PAGE_SIZE || !size ||
	    !IS_ALIGNED(off | size, SPAR_TRANSPORT_PAGE_SIZE) ||
	    off >= vb->mem_size || size > vb->mem_size - off ||
	    !nq || nq > SPAR_TRANSPORT_MAX_QUEUES)
		return -EINVAL;
	for (j = 0; j < i; j++) {
		u64 o = le64_to_cpu(vb->dir[j].offset);

		if (off < o + le64_to_cpu(vb->dir[j].size) && o < off + size)
			return -EINVAL;
	}
	memcpy(&hdr, vb->mem + off, sizeof(hdr));
	if (le64_to_cpu(hdr.signature) != SPAR_CHANNEL_SIGNATURE ||
	    le64_to_cpu(hdr.size) != size ||
	    memcmp(&hdr.chtype, &e->type_guid, sizeof(hdr.chtype)))
		return -EINVAL;
	return 0;
}

static int visorbus_check_transport(struct visorbus_pci *vb)
{
	struct spar_transport_header hdr;
	unsigned int i, n;
	u32 want = visorbus_type_of[vb->pdev->device - SPAR_PCI_DEVICE_ID_NIC];

	memcpy(&hdr, vb->mem, sizeof(hdr));
	n = le32_to_cpu(hdr.num_channels);
	if (le32_to_cpu(hdr.magic) != SPAR_TRANSPORT_MAGIC ||
	    le32_to_cpu(hdr.version) != SPAR_TRANSPORT_VERSION ||
	    le32_to_cpu(hdr.device_type) != want ||
	    le32_to_cpu(hdr.page_size) != SPAR_TRANSPORT_PAGE_SIZE ||
	    le64_to_cpu(hdr.bar0_size) != vb->mem_size ||
	    !n || n > SPAR_TRANSPORT_MAX_CHANNELS) {
		pci_err(vb->pdev, "transport page is not valid\n");
		return -EINVAL;
	}
	/* One copy: the host never changes the directory under us. */
	memcpy(vb->dir, vb->mem + SPAR_TRANSPORT_DIR_OFFSET,
	       n * sizeof(vb->dir[0]));
	for (i = 0; i < n; i++) {
		if (visorbus_check_entry(vb, i, &vb->dir[i])) {
			pci_err(vb->pdev, "channel directory entry %u is not valid\n", i);
			return -EINVAL;
		}
	}
	vb->nr_chans = n;
	return 0;
}

static int visorbus_reset(struct visorbus_pci *vb)
{
	u32 status;

	if (ioread32(vb->regs + SPAR_REG_MAGIC) != SPAR_TRANSPORT_MAGIC ||
	    ioread32(vb->regs + SPAR_REG_VERSION) != SPAR_TRANSPORT_VERSION) {
		pci_err(vb->pdev, "not a spar transport version %u function\n",
			SPAR_TRANSPORT_VERSION);
		return -ENODEV;
	}
	iowrite32(SPAR_RESET_REQUEST, vb->regs + SPAR_REG_RESET);
	/* The read completes the reset and tells its outcome. */
	status = ioread32(vb->regs + SPAR_REG_STATUS);
	if (!(status & SPAR_STATUS_READY)) {
		pci_err(vb->pdev, "host did not become ready (status %#x)\n",
			status);
		return -EIO;
	}
	return 0;
}

