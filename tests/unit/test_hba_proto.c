// SPDX-License-Identifier: GPL-2.0
/*
 * spar-hba command validation: well-formed SCSI commands and task
 * management requests are accepted and decoded, each kind of malformed
 * one is refused with its own reason, and the validator reads nothing
 * past the command (every slot is a guarded buffer of exactly the length
 * given).
 *
 * Prints one "PASS unit/hba_proto-<name>" or "FAIL unit/hba_proto-<name>"
 * line per case.
 */
#include "spar_hba_proto.h"
#include "unit.h"

#define WHY_SLOT	"command slot shorter than a command"
#define WHY_NOT_SCSI	"not a SCSI command on an HBA channel"
#define WHY_VARLEN	"variable-length CDB"
#define WHY_NODIR	"data without a data direction"
#define WHY_NODATA	"data direction without data"
#define WHY_BIDI	"bidirectional transfer"
#define WHY_DIR		"unknown data direction"
#define WHY_LONG	"transfer longer than max_io_size"
#define WHY_NSEGS	"scatter list length out of range"
#define WHY_SEG		"scatter list entry out of range"
#define WHY_SUM		"scatter list does not add up to the transfer"
#define WHY_TMF		"unknown task management function"

#define CMD_LEN		sizeof(struct spar_uiscmdrsp)
#define HANDLE		0x0123456789abcdefULL
#define MAX_IO		(256 * 1024)

static const struct spar_hba_limits lim = { .max_io_size = MAX_IO };
static struct unit_guard guard;

static struct spar_uiscmdrsp *slot_new(size_t len)
{
	return (struct spar_uiscmdrsp *)unit_guard_alloc(&guard, len);
}

static void slot_free(void)
{
	CHECK(unit_guard_check(&guard));
	unit_guard_free(&guard);
}

static void set_dest(struct spar_uisscsi_dest *d, u32 ch, u32 id, u32 lun)
{
	d->channel = htole32(ch);
	d->id = htole32(id);
	d->lun = htole32(lun);
}

/* a READ(10)-like command of @len bytes in @nsegs equal entries */
static void set_scsi(struct spar_uiscmdrsp *c, u32 dir, u32 len, u32 nsegs)
{
	u32 i, left = len;

	c->cmdtype = SPAR_CMD_SCSI_TYPE;
	c->scsi.handle = htole64(HANDLE);
	c->scsi.cmnd[0] = dir == SPAR_UIS_DMA_TO_DEVICE ? 0x2a : 0x28;
	c->scsi.cmnd[15] = 0x5a;
	c->scsi.data_dir = htole32(dir);
	c->scsi.bufflen = htole32(len);
	c->scsi.guest_phys_entries = htole16(nsegs);
	set_dest(&c->scsi.vdest, 0, 1, 2);
	for (i = 0; i < nsegs && i < SPAR_MAX_PHYS_INFO; i++) {
		u32 n = i + 1 < nsegs ? len / nsegs : left;

		c->scsi.gpi_list[i].address = htole64(0x100000ULL * (i + 1));
		c->scsi.gpi_list[i].length = htole64(n);
		left -= n;
	}
}

static const char *parse(struct spar_uiscmdrsp *c, struct spar_hba_cmd *cmd)
{
	return spar_hba_cmd_parse(c, CMD_LEN, &lim, cmd);
}

static void t_short_slot(void)
{
	static const size_t lens[] = { 0, 1, CMD_LEN - 1 };
	struct spar_hba_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(lens); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_scsi(c, SPAR_UIS_DMA_NONE, 0, 0);
		memset(&cmd, 0xff, sizeof(cmd));
		CHECK_WHY(spar_hba_cmd_parse(c, lens[i], &lim, &cmd), WHY_SLOT);
		CHECK_EQ(cmd.cmdtype, 0);
		slot_free();
	}
}

static void t_slot_sizes(void)
{
	static const size_t lens[] = { CMD_LEN, SPAR_SIZEOF_CMDRSP };
	struct spar_hba_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(lens); i++) {
		struct spar_uiscmdrsp *c = slot_new(lens[i]);

		set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 4096, 1);
		CHECK_WHY(spar_hba_cmd_parse(c, lens[i], &lim, &cmd), NULL);
		slot_free();
	}
}

static void t_not_scsi(void)
{
	static const u8 types[] = { 0, SPAR_CMD_NET_TYPE,
				    SPAR_CMD_NOTIFYGUEST_TYPE,
				    SPAR_CMD_VDISKMGMT_TYPE, 0xff };
	struct spar_hba_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(types); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_scsi(c, SPAR_UIS_DMA_NONE, 0, 0);
		c->cmdtype = types[i];
		CHECK_WHY(parse(c, &cmd), WHY_NOT_SCSI);
		CHECK_EQ(cmd.cmdtype, types[i]);
		slot_free();
	}
}

static void t_read_good(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;
	u32 i;

	set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 3 * 4096 + 512, 4);
	c->scsi.gpi_list[3].address = htole64(0xfffffffffffff000ULL);
	CHECK_WHY(parse(c, &cmd), NULL);
	CHECK_EQ(cmd.cmdtype, SPAR_CMD_SCSI_TYPE);
	CHECK(cmd.scsi.handle == HANDLE);
	CHECK_EQ(cmd.scsi.cdb[0], 0x28);
	CHECK_EQ(cmd.scsi.cdb[15], 0x5a);
	CHECK_EQ(cmd.scsi.dir, SPAR_UIS_DMA_FROM_DEVICE);
	CHECK_EQ(cmd.scsi.len, 3 * 4096 + 512);
	CHECK_EQ(cmd.scsi.nsegs, 4);
	for (i = 0; i < 3; i++) {
		CHECK(cmd.scsi.segs[i].iova == 0x100000ULL * (i + 1));
		CHECK_EQ(cmd.scsi.segs[i].len, (3 * 4096 + 512) / 4);
	}
	CHECK(cmd.scsi.segs[3].iova == 0xfffffffffffff000ULL);
	CHECK_EQ(cmd.scsi.dest.channel, 0);
	CHECK_EQ(cmd.scsi.dest.id, 1);
	CHECK_EQ(cmd.scsi.dest.lun, 2);
	slot_free();
}

static void t_write_max(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_TO_DEVICE, MAX_IO, SPAR_MAX_PHYS_INFO);
	CHECK_WHY(parse(c, &cmd), NULL);
	CHECK_EQ(cmd.scsi.nsegs, SPAR_HBA_MAX_SEGS);
	CHECK_EQ(cmd.scsi.len, MAX_IO);
	set_scsi(c, SPAR_UIS_DMA_TO_DEVICE, MAX_IO + 1, 4);
	CHECK_WHY(parse(c, &cmd), WHY_LONG);
	/* one entry may describe the whole transfer */
	set_scsi(c, SPAR_UIS_DMA_TO_DEVICE, MAX_IO, 1);
	CHECK_WHY(parse(c, &cmd), NULL);
	slot_free();
}

static void t_no_data(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_NONE, 0, 0);
	c->scsi.cmnd[0] = 0x00;	/* TEST UNIT READY */
	CHECK_WHY(parse(c, &cmd), NULL);
	CHECK_EQ(cmd.scsi.len, 0);
	CHECK_EQ(cmd.scsi.nsegs, 0);
	set_scsi(c, SPAR_UIS_DMA_NONE, 512, 1);
	CHECK_WHY(parse(c, &cmd), WHY_NODIR);
	set_scsi(c, SPAR_UIS_DMA_NONE, 0, 1);
	CHECK_WHY(parse(c, &cmd), WHY_NODIR);
	set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 0, 0);
	CHECK_WHY(parse(c, &cmd), WHY_NODATA);
	set_scsi(c, SPAR_UIS_DMA_TO_DEVICE, 0, 1);
	CHECK_WHY(parse(c, &cmd), WHY_NODATA);
	slot_free();
}

static void t_direction(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_BIDIRECTIONAL, 4096, 1);
	CHECK_WHY(parse(c, &cmd), WHY_BIDI);
	set_scsi(c, 4, 4096, 1);
	CHECK_WHY(parse(c, &cmd), WHY_DIR);
	set_scsi(c, 0xffffffff, 4096, 1);
	CHECK_WHY(parse(c, &cmd), WHY_DIR);
	slot_free();
}

static void t_varlen_cdb(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_NONE, 0, 0);
	c->scsi.cmnd[0] = SPAR_HBA_VARLEN_OPCODE;
	CHECK_WHY(parse(c, &cmd), WHY_VARLEN);
	/* every other opcode's CDB fits the 16 bytes */
	c->scsi.cmnd[0] = 0x7e;
	CHECK_WHY(parse(c, &cmd), NULL);
	c->scsi.cmnd[0] = 0xff;
	CHECK_WHY(parse(c, &cmd), NULL);
	slot_free();
}

static void t_segs_count(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 4096, 1);
	c->scsi.guest_phys_entries = 0;
	CHECK_WHY(parse(c, &cmd), WHY_NSEGS);
	c->scsi.guest_phys_entries = htole16(SPAR_MAX_PHYS_INFO + 1);
	CHECK_WHY(parse(c, &cmd), WHY_NSEGS);
	c->scsi.guest_phys_entries = htole16(0xffff);
	CHECK_WHY(parse(c, &cmd), WHY_NSEGS);
	slot_free();
}

static void t_seg_bad(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 8192, 2);
	c->scsi.gpi_list[1].length = 0;
	CHECK_WHY(parse(c, &cmd), WHY_SEG);
	/* an entry that wraps the address space */
	set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 8192, 2);
	c->scsi.gpi_list[1].address = htole64(0xfffffffffffff001ULL);
	CHECK_WHY(parse(c, &cmd), WHY_SEG);
	/* an entry longer than any transfer, whose sum would wrap */
	set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 8192, 2);
	c->scsi.gpi_list[0].length = htole64(0xfffffffffffff000ULL);
	CHECK_WHY(parse(c, &cmd), WHY_SEG);
	set_scsi(c, SPAR_UIS_DMA_FROM_DEVICE, 8192, 2);
	c->scsi.gpi_list[0].length = htole64(MAX_IO + 1ULL);
	CHECK_WHY(parse(c, &cmd), WHY_SEG);
	slot_free();
}

static void t_sum(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_TO_DEVICE, 8192, 2);
	c->scsi.bufflen = htole32(8191);
	CHECK_WHY(parse(c, &cmd), WHY_SUM);
	c->scsi.bufflen = htole32(8193);
	CHECK_WHY(parse(c, &cmd), WHY_SUM);
	/* entries past guest_phys_entries are not counted */
	set_scsi(c, SPAR_UIS_DMA_TO_DEVICE, 8192, 2);
	c->scsi.gpi_list[2].length = htole64(4096);
	c->scsi.gpi_list[2].address = htole64(0x9000);
	CHECK_WHY(parse(c, &cmd), NULL);
	slot_free();
}

/* addresses are the back-end's business: any value is decoded */
static void t_dest_any(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;

	set_scsi(c, SPAR_UIS_DMA_NONE, 0, 0);
	set_dest(&c->scsi.vdest, 7, 0xffffffff, 0x80000000);
	CHECK_WHY(parse(c, &cmd), NULL);
	CHECK_EQ(cmd.scsi.dest.channel, 7);
	CHECK(cmd.scsi.dest.id == 0xffffffff);
	CHECK(cmd.scsi.dest.lun == 0x80000000);
	slot_free();
}

static void t_tmf(void)
{
	static const u32 good[] = { SPAR_TASK_MGMT_ABORT_TASK,
				    SPAR_TASK_MGMT_BUS_RESET,
				    SPAR_TASK_MGMT_LUN_RESET,
				    SPAR_TASK_MGMT_TARGET_RESET };
	static const u32 bad[] = { 0, 5, 0xffffffff };
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_hba_cmd cmd;
	size_t i;

	c->cmdtype = SPAR_CMD_SCSITASKMGMT_TYPE;
	set_dest(&c->scsitaskmgmt.vdest, 0, 3, 4);
	c->scsitaskmgmt.handle = htole64(HANDLE);
	c->scsitaskmgmt.notify_handle = htole64(HANDLE + 1);
	c->scsitaskmgmt.notifyresult_handle = htole64(HANDLE + 2);
	for (i = 0; i < UNIT_ARRAY_SIZE(good); i++) {
		c->scsitaskmgmt.tasktype = htole32(good[i]);
		CHECK_WHY(parse(c, &cmd), NULL);
		CHECK_EQ(cmd.cmdtype, SPAR_CMD_SCSITASKMGMT_TYPE);
		CHECK_EQ(cmd.tmf.type, good[i]);
		CHECK_EQ(cmd.tmf.dest.id, 3);
		CHECK_EQ(cmd.tmf.dest.lun, 4);
		CHECK(cmd.tmf.handle == HANDLE);
		CHECK(cmd.tmf.notify_handle == HANDLE + 1);
		CHECK(cmd.tmf.notifyresult_handle == HANDLE + 2);
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		c->scsitaskmgmt.tasktype = htole32(bad[i]);
		CHECK_WHY(parse(c, &cmd), WHY_TMF);
		CHECK_EQ(cmd.cmdtype, SPAR_CMD_SCSITASKMGMT_TYPE);
	}
	slot_free();
}

static const struct unit_case cases[] = {
	{ "short-slot", t_short_slot },
	{ "slot-sizes", t_slot_sizes },
	{ "not-scsi", t_not_scsi },
	{ "read-good", t_read_good },
	{ "write-max", t_write_max },
	{ "no-data", t_no_data },
	{ "direction", t_direction },
	{ "varlen-cdb", t_varlen_cdb },
	{ "segs-count", t_segs_count },
	{ "seg-bad", t_seg_bad },
	{ "sum", t_sum },
	{ "dest-any", t_dest_any },
	{ "tmf", t_tmf },
};

int main(void)
{
	return unit_main("hba_proto", cases, UNIT_ARRAY_SIZE(cases));
}
