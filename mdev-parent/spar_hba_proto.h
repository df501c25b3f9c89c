/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-hba command validation: the private copy of one slot of the VHBA
 * command queue in, a checked SCSI command or task management request, or
 * the reason for refusing it, out.  Built into the host module and into
 * userspace (unit tests, fuzzing); it touches nothing but its arguments.
 *
 * It checks what the wire must get right.  Whether the addressed target
 * and logical unit exist is the back-end's business: a guest scanning its
 * bus asks for every one, and those that are absent get "no connect", not
 * a protocol error.
 */
#ifndef _SPAR_HBA_PROTO_H
#define _SPAR_HBA_PROTO_H

#include "spar_proto_shim.h"
#include <spar/iochannel.h>

/* Scatter-gather entries one command may describe. */
#define SPAR_HBA_MAX_SEGS	SPAR_MAX_PHYS_INFO
/* CDB bytes on the wire. */
#define SPAR_HBA_CDB_SIZE	SPAR_MAX_CMND_SIZE
/*
 * The opcode of the variable-length CDB, whose length is in the CDB
 * itself and can exceed the 16 bytes the wire carries.
 */
#define SPAR_HBA_VARLEN_OPCODE	0x7f

/**
 * struct spar_hba_limits - what the back-end serves, from its channel
 * @max_io_size: longest transfer one command may ask for, in bytes
 */
struct spar_hba_limits {
	u32 max_io_size;
};

/**
 * struct spar_hba_seg - one checked scatter-gather entry
 * @iova: guest address of the first byte
 * @len: bytes, at least 1; @iova + @len does not wrap
 */
struct spar_hba_seg {
	u64 iova;
	u32 len;
};

/**
 * struct spar_hba_dest - a SCSI address as the guest sent it
 * @channel: bus
 * @id: target
 * @lun: logical unit
 */
struct spar_hba_dest {
	u32 channel;
	u32 id;
	u32 lun;
};

/**
 * struct spar_hba_scsi - a checked SCSI command
 * @handle: the guest's cookie, echoed in the response
 * @cdb: the command descriptor block; never the variable-length opcode
 * @dir: SPAR_UIS_DMA_TO_DEVICE, SPAR_UIS_DMA_FROM_DEVICE or
 *	SPAR_UIS_DMA_NONE (bidirectional transfers are refused)
 * @len: bytes to transfer: 0 for SPAR_UIS_DMA_NONE, else 1 up to the
 *	back-end's max_io_size, and the entries add up to it
 * @nsegs: entries of @segs in use: 0 for SPAR_UIS_DMA_NONE, else 1 up to
 *	SPAR_HBA_MAX_SEGS
 * @segs: the data buffer, in order
 * @dest: target
 */
struct spar_hba_scsi {
	u64 handle;
	u8 cdb[SPAR_HBA_CDB_SIZE];
	u32 dir;
	u32 len;
	u32 nsegs;
	struct spar_hba_seg segs[SPAR_HBA_MAX_SEGS];
	struct spar_hba_dest dest;
};

/**
 * struct spar_hba_tmf - a checked task management request
 * @type: SPAR_TASK_MGMT_ABORT_TASK, _BUS_RESET, _LUN_RESET or
 *	_TARGET_RESET
 * @dest: target
 * @handle: the guest's cookies, echoed in the response
 * @notify_handle: see @handle
 * @notifyresult_handle: see @handle
 */
struct spar_hba_tmf {
	u32 type;
	struct spar_hba_dest dest;
	u64 handle;
	u64 notify_handle;
	u64 notifyresult_handle;
};

/**
 * struct spar_hba_cmd - a command from the guest, checked
 * @cmdtype: SPAR_CMD_SCSI_TYPE or SPAR_CMD_SCSITASKMGMT_TYPE once
 *	accepted; what the slot held otherwise (0 if it was too short)
 * @scsi: SPAR_CMD_SCSI_TYPE
 * @tmf: SPAR_CMD_SCSITASKMGMT_TYPE
 */
struct spar_hba_cmd {
	u8 cmdtype;
	union {
		struct spar_hba_scsi scsi;
		struct spar_hba_tmf tmf;
	};
};

const char *spar_hba_cmd_parse(const void *slot, size_t slot_len,
			       const struct spar_hba_limits *lim,
			       struct spar_hba_cmd *cmd);

#endif /* _SPAR_HBA_PROTO_H */
