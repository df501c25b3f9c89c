// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the spar-hba type.
 *
 * One VHBA IO channel per instance, with the limits the guest applies to
 * its SCSI host.  The type has no back-end yet: its queues are laid out
 * and served by nothing.
 */
#include "spar_iochan.h"

/* VHBA limits the guest applies to its SCSI host. */
#define SPAR_HBA_MAX_CHANNEL	1
#define SPAR_HBA_MAX_ID		SPAR_MAX_SCSI_TARGETS
#define SPAR_HBA_MAX_LUN	SPAR_MAX_SCSI_LUNS
#define SPAR_HBA_CMD_PER_LUN	64
/* One page per scatter entry, SPAR_MAX_PHYS_INFO entries. */
#define SPAR_HBA_MAX_IO_SIZE	(SPAR_MAX_PHYS_INFO * SPAR_PI_PAGE_SIZE)

static void spar_hba_write_area(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_io_channel *io = spar_chan_mem(sdev, ch);
	struct spar_vhba_config_max *max = &io->vhba.max;

	max->max_channel = cpu_to_le32(SPAR_HBA_MAX_CHANNEL);
	max->max_id = cpu_to_le32(SPAR_HBA_MAX_ID);
	max->max_lun = cpu_to_le32(SPAR_HBA_MAX_LUN);
	max->cmd_per_lun = cpu_to_le32(SPAR_HBA_CMD_PER_LUN);
	max->max_io_size = cpu_to_le32(SPAR_HBA_MAX_IO_SIZE);
}

static const struct spar_chan_plan spar_hba_chans[] = {
	SPAR_IOCHAN_PLAN(SPAR_VHBA_CHANNEL_GUID, SPAR_VHBA_CHANNEL_VERSIONID,
			 spar_hba_write_area),
};

const struct spar_type_desc spar_hba_type = {
	.sysfs_name = "hba",
	.name = "spar-hba",
	.description =
		"s-Par virtual SCSI HBA: one VHBA IO channel served by a LIO target",
	.pci_device = SPAR_PCI_DEVICE_ID_HBA,
	.pci_class = SPAR_PCI_CLASS_HBA,
	.transport_type = SPAR_TRANSPORT_TYPE_HBA,
	.default_limit = 16,
	.nr_chans = ARRAY_SIZE(spar_hba_chans),
	.chans = spar_hba_chans,
};
