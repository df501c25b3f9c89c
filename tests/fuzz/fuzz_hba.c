// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the spar-hba command validator.  Whatever the slot,
 * the validator must not read past it or write to it, must answer the
 * same way twice, must give one of its known reasons when it refuses,
 * and when it accepts, every field it hands the back-end must obey the
 * protocol's limits and match the slot.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spar_hba_proto.h"
#include "fuzz_hba.h"
#include "fuzz_assert.h"

static const char *const reasons[] = {
	"command slot shorter than a command",
	"not a SCSI command on an HBA channel",
	"variable-length CDB",
	"data without a data direction",
	"data direction without data",
	"bidirectional transfer",
	"unknown data direction",
	"transfer longer than max_io_size",
	"scatter list length out of range",
	"scatter list entry out of range",
	"scatter list does not add up to the transfer",
	"unknown task management function",
};

static int known_reason(const char *why)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(why, reasons[i]))
			return 1;
	return 0;
}

static void check_dest(const struct spar_hba_dest *d,
		       const struct spar_uisscsi_dest *raw)
{
	ASSERT(d->channel == le32toh(raw->channel));
	ASSERT(d->id == le32toh(raw->id));
	ASSERT(d->lun == le32toh(raw->lun));
}

static void check_scsi(const struct spar_hba_scsi *s,
		       const struct spar_uiscmdrsp_scsi *raw, u32 max_io)
{
	u64 sum = 0;
	u32 i;

	ASSERT(s->handle == le64toh(raw->handle));
	ASSERT(!memcmp(s->cdb, raw->cmnd, SPAR_HBA_CDB_SIZE));
	ASSERT(s->cdb[0] != SPAR_HBA_VARLEN_OPCODE);
	ASSERT(s->dir == le32toh(raw->data_dir));
	ASSERT(s->len == le32toh(raw->bufflen));
	ASSERT(s->nsegs == le16toh(raw->guest_phys_entries));
	check_dest(&s->dest, &raw->vdest);
	if (s->dir == SPAR_UIS_DMA_NONE) {
		ASSERT(!s->len && !s->nsegs);
		return;
	}
	ASSERT(s->dir == SPAR_UIS_DMA_TO_DEVICE ||
	       s->dir == SPAR_UIS_DMA_FROM_DEVICE);
	ASSERT(s->len >= 1 && s->len <= max_io);
	ASSERT(s->nsegs >= 1 && s->nsegs <= SPAR_HBA_MAX_SEGS);
	for (i = 0; i < s->nsegs; i++) {
		const struct spar_hba_seg *g = &s->segs[i];

		ASSERT(g->iova == le64toh(raw->gpi_list[i].address));
		ASSERT(g->len == le64toh(raw->gpi_list[i].length));
		ASSERT(g->len >= 1 && g->iova + (g->len - 1) >= g->iova);
		sum += g->len;
	}
	ASSERT(sum == s->len);
}

static void check_tmf(const struct spar_hba_tmf *t,
		      const struct spar_uiscmdrsp_scsitaskmgmt *raw)
{
	ASSERT(t->type == le32toh(raw->tasktype));
	ASSERT(t->type >= SPAR_TASK_MGMT_ABORT_TASK &&
	       t->type <= SPAR_TASK_MGMT_TARGET_RESET);
	check_dest(&t->dest, &raw->vdest);
	ASSERT(t->handle == le64toh(raw->handle));
	ASSERT(t->notify_handle == le64toh(raw->notify_handle));
	ASSERT(t->notifyresult_handle == le64toh(raw->notifyresult_handle));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spar_hba_cmd *cmd, *again;
	struct spar_hba_limits lim;
	const struct spar_uiscmdrsp *raw;
	const char *why;
	size_t slot_len;
	u8 *slot, *copy;

	if (size < FUZZ_HBA_HDR_LEN)
		return 0;
	lim.max_io_size = data[0] | data[1] << 8 | data[2] << 16 |
			  (u32)data[3] << 24;
	slot_len = data[4] | data[5] << 8;
	data += FUZZ_HBA_HDR_LEN;
	size -= FUZZ_HBA_HDR_LEN;
	if (size > slot_len)
		size = slot_len;

	slot = malloc(slot_len ? slot_len : 1);
	copy = malloc(slot_len ? slot_len : 1);
	cmd = malloc(sizeof(*cmd));
	again = malloc(sizeof(*again));
	ASSERT(slot && copy && cmd && again);
	memset(slot, 0, slot_len);
	memcpy(slot, data, size);
	memcpy(copy, slot, slot_len);
	raw = (const void *)slot;

	why = spar_hba_cmd_parse(slot, slot_len, &lim, cmd);
	ASSERT(!memcmp(slot, copy, slot_len));
	if (slot_len < sizeof(*raw)) {
		ASSERT(why && !strcmp(why, reasons[0]));
		ASSERT(cmd->cmdtype == 0);
	} else {
		ASSERT(cmd->cmdtype == raw->cmdtype);
	}
	if (why) {
		ASSERT(known_reason(why));
	} else if (cmd->cmdtype == SPAR_CMD_SCSI_TYPE) {
		check_scsi(&cmd->scsi, &raw->scsi, lim.max_io_size);
	} else {
		ASSERT(cmd->cmdtype == SPAR_CMD_SCSITASKMGMT_TYPE);
		check_tmf(&cmd->tmf, &raw->scsitaskmgmt);
	}

	/* Nothing but the arguments decides. */
	ASSERT(spar_hba_cmd_parse(slot, slot_len, &lim, again) == why);

	free(again);
	free(cmd);
	free(copy);
	free(slot);
	return 0;
}
