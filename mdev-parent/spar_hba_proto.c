// SPDX-License-Identifier: GPL-2.0
/*
 * spar-hba command validation.  Every field the back-end acts on is
 * decoded here, once, from the private copy of the slot, and checked
 * against the protocol's limits before the back-end sees it.
 */
#include "spar_hba_proto.h"

static void hba_dest(const struct spar_uisscsi_dest *raw,
		     struct spar_hba_dest *d)
{
	d->channel = le32_to_cpu(raw->channel);
	d->id = le32_to_cpu(raw->id);
	d->lun = le32_to_cpu(raw->lun);
}

/* The data buffer of a command that moves data: entries, lengths, sum. */
static const char *hba_parse_segs(const struct spar_uiscmdrsp_scsi *raw,
				  const struct spar_hba_limits *lim,
				  struct spar_hba_scsi *s)
{
	u64 sum = 0;
	u32 i;

	if (!s->len)
		return "data direction without data";
	if (s->len > lim->max_io_size)
		return "transfer longer than max_io_size";
	if (!s->nsegs || s->nsegs > SPAR_HBA_MAX_SEGS)
		return "scatter list length out of range";
	for (i = 0; i < s->nsegs; i++) {
		u64 iova = le64_to_cpu(raw->gpi_list[i].address);
		u64 len = le64_to_cpu(raw->gpi_list[i].length);

		/* Each entry at most max_io_size: the sum cannot wrap. */
		if (!len || len > lim->max_io_size || iova + (len - 1) < iova)
			return "scatter list entry out of range";
		s->segs[i].iova = iova;
		s->segs[i].len = len;
		sum += len;
	}
	if (sum != s->len)
		return "scatter list does not add up to the transfer";
	return NULL;
}

static const char *hba_parse_scsi(const struct spar_uiscmdrsp_scsi *raw,
				  const struct spar_hba_limits *lim,
				  struct spar_hba_scsi *s)
{
	u32 i;

	s->handle = le64_to_cpu(raw->handle);
	for (i = 0; i < SPAR_HBA_CDB_SIZE; i++)
		s->cdb[i] = raw->cmnd[i];
	s->dir = le32_to_cpu(raw->data_dir);
	s->len = le32_to_cpu(raw->bufflen);
	s->nsegs = le16_to_cpu(raw->guest_phys_entries);
	hba_dest(&raw->vdest, &s->dest);

	if (s->cdb[0] == SPAR_HBA_VARLEN_OPCODE)
		return "variable-length CDB";
	switch (s->dir) {
	case SPAR_UIS_DMA_NONE:
		if (s->len || s->nsegs)
			return "data without a data direction";
		return NULL;
	case SPAR_UIS_DMA_TO_DEVICE:
	case SPAR_UIS_DMA_FROM_DEVICE:
		return hba_parse_segs(raw, lim, s);
	case SPAR_UIS_DMA_BIDIRECTIONAL:
		return "bidirectional transfer";
	default:
		return "unknown data direction";
	}
}

static const char *hba_parse_tmf(const struct spar_uiscmdrsp_scsitaskmgmt *raw,
				 struct spar_hba_tmf *t)
{
	t->type = le32_to_cpu(raw->tasktype);
	hba_dest(&raw->vdest, &t->dest);
	t->handle = le64_to_cpu(raw->handle);
	t->notify_handle = le64_to_cpu(raw->notify_handle);
	t->notifyresult_handle = le64_to_cpu(raw->notifyresult_handle);

	switch (t->type) {
	case SPAR_TASK_MGMT_ABORT_TASK:
	case SPAR_TASK_MGMT_BUS_RESET:
	case SPAR_TASK_MGMT_LUN_RESET:
	case SPAR_TASK_MGMT_TARGET_RESET:
		return NULL;
	default:
		return "unknown task management function";
	}
}

/**
 * spar_hba_cmd_parse() - check one command from a spar-hba command queue
 * @slot: private copy of the slot, never shared memory
 * @slot_len: bytes in @slot, the queue's signal size
 * @lim: what the back-end serves
 * @cmd: the checked command
 *
 * Accepts SCSI commands and task management requests; refuses anything
 * else, and any of those whose CDB, data direction, scatter list or
 * function break the protocol.  @cmd->cmdtype says what the slot held,
 * accepted or not; the other fields of @cmd are valid only if it was
 * accepted.
 *
 * Context: any context; touches nothing but its arguments.
 * Return: NULL if the command is accepted, or a short description of
 * what the guest got wrong, for the caller's log.
 */
const char *spar_hba_cmd_parse(const void *slot, size_t slot_len,
			       const struct spar_hba_limits *lim,
			       struct spar_hba_cmd *cmd)
{
	const struct spar_uiscmdrsp *raw = slot;

	cmd->cmdtype = 0;
	if (slot_len < sizeof(*raw))
		return "command slot shorter than a command";
	cmd->cmdtype = raw->cmdtype;
	switch (raw->cmdtype) {
	case SPAR_CMD_SCSI_TYPE:
		return hba_parse_scsi(&raw->scsi, lim, &cmd->scsi);
	case SPAR_CMD_SCSITASKMGMT_TYPE:
		return hba_parse_tmf(&raw->scsitaskmgmt, &cmd->tmf);
	default:
		return "not a SCSI command on an HBA channel";
	}
}
