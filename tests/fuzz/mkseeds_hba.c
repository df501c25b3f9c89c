// SPDX-License-Identifier: GPL-2.0
/*
 * Write a small seed corpus for the spar-hba command validator:
 *   mkseeds_hba DIR
 * One well-formed command of each kind the guest sends (no data, read,
 * write, the largest transfer, each task management function), a few
 * refused ones, under the back-end's limits and under others.  Trailing
 * zero bytes are left out: the target pads the slot with zeros.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spar_hba_proto.h"
#include "fuzz_hba.h"

static union {
	struct spar_uiscmdrsp cmd;
	u8 bytes[SPAR_SIZEOF_CMDRSP];
} slot;
static const char *dir;
static int seq;

static void save(u32 max_io, u16 slot_len)
{
	u8 hdr[FUZZ_HBA_HDR_LEN] = {
		max_io, max_io >> 8, max_io >> 16, max_io >> 24,
		slot_len, slot_len >> 8,
	};
	size_t len = sizeof(slot.bytes);
	char path[4096];
	FILE *f;

	while (len && !slot.bytes[len - 1])
		len--;
	snprintf(path, sizeof(path), "%s/seed-%02d", dir, seq++);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(slot.bytes, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void scsi(u8 op, u32 data_dir, u32 len, u32 nsegs)
{
	u32 i, left = len;

	memset(&slot, 0, sizeof(slot));
	slot.cmd.cmdtype = SPAR_CMD_SCSI_TYPE;
	slot.cmd.scsi.handle = htole64(0x100 + seq);
	slot.cmd.scsi.cmnd[0] = op;
	slot.cmd.scsi.data_dir = htole32(data_dir);
	slot.cmd.scsi.bufflen = htole32(len);
	slot.cmd.scsi.guest_phys_entries = htole16(nsegs);
	slot.cmd.scsi.vdest.lun = htole32(seq & 7);
	for (i = 0; i < nsegs; i++) {
		u32 n = i + 1 < nsegs ? len / nsegs : left;

		slot.cmd.scsi.gpi_list[i].address =
			htole64(0x200000ULL + 0x10000ULL * i);
		slot.cmd.scsi.gpi_list[i].length = htole64(n);
		left -= n;
	}
}

static void tmf(u32 type)
{
	memset(&slot, 0, sizeof(slot));
	slot.cmd.cmdtype = SPAR_CMD_SCSITASKMGMT_TYPE;
	slot.cmd.scsitaskmgmt.tasktype = htole32(type);
	slot.cmd.scsitaskmgmt.vdest.lun = htole32(1);
	slot.cmd.scsitaskmgmt.handle = htole64(0x300 + seq);
}

int main(int argc, char **argv)
{
	const u32 max_io = 256 * 1024;
	u32 t;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds_hba DIR\n");
		return 2;
	}
	dir = argv[1];

	scsi(0x00, SPAR_UIS_DMA_NONE, 0, 0);		/* TEST UNIT READY */
	save(max_io, SPAR_SIZEOF_CMDRSP);
	scsi(0x12, SPAR_UIS_DMA_FROM_DEVICE, 36, 1);	/* INQUIRY */
	save(max_io, SPAR_SIZEOF_CMDRSP);
	scsi(0x28, SPAR_UIS_DMA_FROM_DEVICE, 8192, 2);	/* READ(10) */
	save(max_io, SPAR_SIZEOF_CMDRSP);
	scsi(0x2a, SPAR_UIS_DMA_TO_DEVICE, max_io, SPAR_MAX_PHYS_INFO);
	save(max_io, SPAR_SIZEOF_CMDRSP);
	scsi(0x2a, SPAR_UIS_DMA_TO_DEVICE, 4096, 1);
	save(4096, sizeof(struct spar_uiscmdrsp));
	for (t = SPAR_TASK_MGMT_ABORT_TASK; t <= SPAR_TASK_MGMT_TARGET_RESET;
	     t++) {
		tmf(t);
		save(max_io, SPAR_SIZEOF_CMDRSP);
	}
	/* refused: bidirectional, variable-length CDB, bad sum, short slot */
	scsi(0x28, SPAR_UIS_DMA_BIDIRECTIONAL, 4096, 1);
	save(max_io, SPAR_SIZEOF_CMDRSP);
	scsi(SPAR_HBA_VARLEN_OPCODE, SPAR_UIS_DMA_NONE, 0, 0);
	save(max_io, SPAR_SIZEOF_CMDRSP);
	scsi(0x28, SPAR_UIS_DMA_FROM_DEVICE, 8192, 2);
	slot.cmd.scsi.bufflen = htole32(8193);
	save(max_io, SPAR_SIZEOF_CMDRSP);
	scsi(0x28, SPAR_UIS_DMA_FROM_DEVICE, 8192, 2);
	save(max_io, 100);
	return 0;
}
