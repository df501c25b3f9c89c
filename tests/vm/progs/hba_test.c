// SPDX-License-Identifier: GPL-2.0
/*
 * spar-hba end-to-end checks, run inside the test VM by
 * tests/vm/tests/70-hba.sh.  This program is the guest: it drives an
 * instance through VFIO (bring-up, the VHBA channel's two queues, SCSI
 * commands and task management) against the LIO target the test file
 * configured behind the instance (fabric "spar", a ramdisk on
 * tpgt_0/lun_0), and checks the host side through sysfs.
 *
 *   hba_test basic UUID BLOCKS     BLOCKS: capacity in 512-byte blocks
 *   hba_test malformed UUID UUID2  UUID2: a second instance with its own
 *                                  target; it must keep serving through
 *                                  every malicious case run on UUID
 *   hba_test reopen UUID
 *   hba_test --list SUBCOMMAND     the check names SUBCOMMAND reports
 *
 * Every case prints "PASS vm/hba-<case>" or "FAIL vm/hba-<case>" with
 * "# " lines saying why.  Exit status 1 if any case failed.
 * HBA_RACE_CYCLES=N sets the unmap/map cycles of evil-unmap-race (200).
 * SPAR_TEST_ABORT_AFTER=N makes it abort() after its Nth result, so that
 * the harness can be shown to catch a client that dies.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/iochannel.h>
#include <spar/transport.h>

#include "spar_decode.h"
#include "spar_guest.h"
#include "spar_vfio.h"

#define HBA_CH		0
#define CMD_Q		SPAR_IOCHAN_TO_IOPART
#define RSP_Q		SPAR_IOCHAN_FROM_IOPART
#define TMO		5000	/* ms for anything the host should do */
#define BLK		512

/*
 * One DMA arena for everything, carved up per case; the pieces never
 * overlap, so a stray write by the host shows up as a corrupted canary.
 */
#define ARENA_IOVA	0x10000000ULL
#define ARENA_SIZE	(8u << 20)
#define OFF_SMALL	0x000000	/* INQUIRY, capacity, REPORT LUNS */
#define OFF_WR		0x100000	/* the 64 KiB write-read */
#define OFF_BIG_W	0x200000	/* 64 entries, 20 KiB apart */
#define OFF_BIG_R	0x380000	/* 64 entries, 20 KiB apart */
#define BIG_STRIDE	0x5000
#define OFF_QD		0x500000	/* queue-depth: 128 KiB, then the reads */
#define OFF_LR		0x600000	/* lun-reset: 16 x 64 KiB */
#define OFF_EVIL	0x700000	/* malformed commands */
#define BAD_IOVA	0x7f0000000000ULL

#define CANARY		0xa5

/* SCSI opcodes */
#define OP_TEST_UNIT_READY	0x00
#define OP_INQUIRY		0x12
#define OP_READ_CAPACITY10	0x25
#define OP_READ10		0x28
#define OP_WRITE10		0x2a
#define OP_VARLEN		0x7f
#define OP_SERVICE_ACTION_IN16	0x9e
#define SAI_READ_CAPACITY16	0x10
#define OP_REPORT_LUNS		0xa0
#define OP_BAD			0xff

/* the Linux result word: host byte << 16 | SAM status */
#define SAM_GOOD		0x00
#define SAM_CHECK_CONDITION	0x02
#define DID_NO_CONNECT		0x01
#define DID_ABORT		0x05
#define DID_ERROR		0x07
#define DID_RESET		0x08
#define HOST_BYTE(ls)		(((ls) >> 16) & 0xff)

#define KEY_ILLEGAL_REQUEST	0x5
#define KEY_UNIT_ATTENTION	0x6
#define ASC_INVALID_OPCODE	0x20
#define ASC_LUN_NOT_SUPPORTED	0x25

#define UA_RETRIES	5	/* UNIT ATTENTIONs a TUR may meet first */

static int failures;
static char why[512];

static int results_left = -1;	/* SPAR_TEST_ABORT_AFTER */

static void result(const char *name, int ok)
{
	printf("%s vm/hba-%s\n", ok ? "PASS" : "FAIL", name);
	if (!ok) {
		failures++;
		printf("# hba-%s: %s\n", name, why[0] ? why : "failed");
	}
	why[0] = 0;
	/* A deliberate crash, to prove that the harness notices one. */
	if (results_left > 0 && --results_left == 0) {
		printf("# SPAR_TEST_ABORT_AFTER: aborting\n");
		fflush(stdout);
		abort();
	}
	fflush(stdout);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

/* like bad(), followed by ": " and what why said before */
static int bad_in(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad_in(const char *fmt, ...)
{
	char was[sizeof(why)], msg[sizeof(why)];
	va_list ap;

	snprintf(was, sizeof(was), "%s", why[0] ? why : "failed");
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, sizeof(why), "%.160s: %.340s", msg, was);
	return -1;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- one instance: device, guest, arena, responses ---- */

#define BACKLOG		256
#define HANDLE_BASE	0x5ba0000000000000ULL
#define MAX_TRACKED	65536	/* handles whose answers are counted */

struct hba {
	const char *uuid;
	struct spar_vfio v;
	struct spar_guest g;
	struct spar_arena a;
	int open;
	uint32_t max_io;	/* vhba max.max_io_size */
	uint32_t cmd_room;	/* commands the command queue holds */
	uint32_t rsp_room;	/* responses the response queue holds */
	uint64_t seq;		/* handles issued */
	/* responses pulled off the queue, not yet claimed, arrival order */
	struct spar_uiscmdrsp bl[BACKLOG];
	unsigned int nbl;
	/* answers per issued handle, for the exactly-once accounting */
	uint8_t answers[MAX_TRACKED];
	uint64_t dups;		/* a second answer to one handle */
	uint64_t unknown;	/* an answer to a handle never issued */
};

static long long stat_of(const char *uuid, const char *name)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "stats/%s", name);
	return spar_sysfs_u64(uuid, attr);
}

static int sysfs_status_is(const char *uuid, const char *want)
{
	char buf[32];

	return !spar_sysfs_read(uuid, "status", buf, sizeof(buf)) &&
	       !strcmp(buf, want);
}

static uint32_t status(struct hba *h)
{
	return spar_vfio_reg_read(&h->v, SPAR_REG_STATUS);
}

static const char *status_str(struct hba *h)
{
	static char s[64];

	spar_status_str(status(h), s, sizeof(s));
	return s;
}

#define QOFF(f)	offsetof(struct spar_signal_queue_header, f)

static uint32_t queue_u32(struct hba *h, unsigned int q, size_t off)
{
	const uint8_t *qh = spar_guest_queue(&h->g, HBA_CH, q);

	return le32toh(__atomic_load_n((const uint32_t *)(qh + off),
				       __ATOMIC_RELAXED));
}

static int hba_open(struct hba *h)
{
	struct spar_iochannel_vhba vh;
	char e[160];
	uint32_t slots;
	int ret;

	ret = spar_vfio_open(&h->v, h->uuid);
	if (ret)
		return bad("open %s: %s", h->uuid,
			   spar_vfio_strerror(&h->v, ret, e, sizeof(e)));
	h->open = 1;
	ret = spar_guest_bringup(&h->g, &h->v, SPAR_TRANSPORT_F_ALL, why,
				 sizeof(why));
	if (ret)
		return -1;
	if (h->g.type != SPAR_TRANSPORT_TYPE_HBA || h->g.nchan < 1)
		return bad("%s is not a spar-hba instance (type %u, %u channels)",
			   h->uuid, h->g.type, h->g.nchan);
	ret = spar_arena_create(&h->v, &h->a, ARENA_IOVA, ARENA_SIZE);
	if (ret)
		return bad("DMA arena of %u bytes: %s", ARENA_SIZE,
			   strerror(-ret));
	ret = spar_vfio_bar0_read(&h->v, h->g.chan_off[HBA_CH] +
				  offsetof(struct spar_io_channel, vhba),
				  &vh, sizeof(vh));
	if (ret)
		return bad("BAR0 read of the vhba area: %s", strerror(-ret));
	h->max_io = le32toh(vh.max.max_io_size);
	slots = queue_u32(h, CMD_Q, QOFF(max_slots));
	h->cmd_room = slots ? slots - 1 : 0;
	slots = queue_u32(h, RSP_Q, QOFF(max_slots));
	h->rsp_room = slots ? slots - 1 : 0;
	return 0;
}

static void hba_close(struct hba *h)
{
	if (!h->open)
		return;
	spar_arena_destroy(&h->v, &h->a);
	spar_vfio_close(&h->v);
	h->open = 0;
}

static uint8_t *buf_at(struct hba *h, size_t off)
{
	return h->a.va + off;
}

static uint64_t rsp_handle(const struct spar_uiscmdrsp *r)
{
	return r->cmdtype == SPAR_CMD_SCSITASKMGMT_TYPE ?
	       le64toh(r->scsitaskmgmt.handle) : le64toh(r->scsi.handle);
}

/* Move responses from the queue into the backlog; returns how many. */
static int hba_pump(struct hba *h)
{
	int moved = 0, ret;

	while (h->nbl < BACKLOG) {
		struct spar_uiscmdrsp *r = &h->bl[h->nbl];
		uint64_t id;

		ret = spar_guest_remove(&h->g, HBA_CH, RSP_Q, r, sizeof(*r));
		if (ret == -EAGAIN)
			break;
		if (ret)
			return ret;
		if (r->cmdtype == SPAR_CMD_NOTIFYGUEST_TYPE) {
			/* a disk notification: visorhba ignores them too */
			note("disk notification ignored: add %u, %u:%u:%u",
			     r->disknotify.add,
			     le32toh(r->disknotify.channel),
			     le32toh(r->disknotify.id),
			     le32toh(r->disknotify.lun));
			continue;
		}
		id = rsp_handle(r) - HANDLE_BASE;
		if (id >= h->seq) {
			h->unknown++;
			note("response with a handle never issued: cmdtype %u handle %#llx",
			     r->cmdtype, (unsigned long long)rsp_handle(r));
			continue;
		}
		if (id < MAX_TRACKED && h->answers[id]++) {
			h->dups++;
			note("second response to handle %#llx (cmdtype %u)",
			     (unsigned long long)rsp_handle(r), r->cmdtype);
			continue;
		}
		h->nbl++;
		moved++;
	}
	return moved;
}

/* the response to (@cmdtype, @handle) from the backlog, if there */
static int hba_take(struct hba *h, uint8_t cmdtype, uint64_t handle,
		    struct spar_uiscmdrsp *rsp)
{
	unsigned int i;

	for (i = 0; i < h->nbl; i++) {
		if (h->bl[i].cmdtype != cmdtype ||
		    rsp_handle(&h->bl[i]) != handle)
			continue;
		*rsp = h->bl[i];
		memmove(&h->bl[i], &h->bl[i + 1],
			(h->nbl - i - 1) * sizeof(h->bl[0]));
		h->nbl--;
		return 0;
	}
	return -EAGAIN;
}

/* the oldest response in the backlog */
static int hba_next(struct hba *h, struct spar_uiscmdrsp *rsp)
{
	if (!h->nbl) {
		int ret = hba_pump(h);

		if (ret < 0)
			return ret;
		if (!h->nbl)
			return -EAGAIN;
	}
	*rsp = h->bl[0];
	memmove(&h->bl[0], &h->bl[1], (h->nbl - 1) * sizeof(h->bl[0]));
	h->nbl--;
	return 0;
}

static int hba_wait(struct hba *h, uint8_t cmdtype, uint64_t handle,
		    struct spar_uiscmdrsp *rsp, int ms)
{
	uint64_t deadline = spar_now_us() + (uint64_t)ms * 1000;
	int ret;

	for (;;) {
		if (!hba_take(h, cmdtype, handle, rsp))
			return 0;
		ret = hba_pump(h);
		if (ret < 0)
			return ret;
		if (ret > 0)
			continue;
		if (spar_now_us() > deadline)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/* Insert one command without a doorbell; makes room when the ring is full. */
static int hba_queue(struct hba *h, const struct spar_uiscmdrsp *c)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;
	int ret;

	for (;;) {
		ret = spar_guest_insert(&h->g, HBA_CH, CMD_Q, c, sizeof(*c));
		if (ret != -EIO)
			return ret;
		/* full: let the host drain it, take its answers meanwhile */
		spar_guest_notify(&h->g, HBA_CH, CMD_Q);
		ret = hba_pump(h);
		if (ret < 0)
			return ret;
		if (spar_now_us() > deadline)
			return -ETIMEDOUT;
		usleep(50);
	}
}

static void hba_kick(struct hba *h)
{
	spar_guest_notify(&h->g, HBA_CH, CMD_Q);
}

static uint64_t new_handle(struct hba *h)
{
	return HANDLE_BASE + h->seq++;
}

/* ---- SCSI commands ---- */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* a SCSI command of no data to (channel 0, @id, @lun) */
static void scsi_cmd(struct hba *h, struct spar_uiscmdrsp *c,
		     const uint8_t *cdb, size_t cdb_len, uint32_t dir,
		     uint32_t id, uint32_t lun)
{
	memset(c, 0, sizeof(*c));
	c->cmdtype = SPAR_CMD_SCSI_TYPE;
	c->scsi.handle = htole64(new_handle(h));
	memcpy(c->scsi.cmnd, cdb, cdb_len);
	c->scsi.data_dir = htole32(dir);
	c->scsi.vdest.channel = htole32(0);
	c->scsi.vdest.id = htole32(id);
	c->scsi.vdest.lun = htole32(lun);
}

/* append @len bytes at @iova to the scatter list and the transfer */
static void scsi_seg_iova(struct spar_uiscmdrsp *c, uint64_t iova,
			  uint32_t len)
{
	uint16_t i = le16toh(c->scsi.guest_phys_entries);

	c->scsi.gpi_list[i].address = htole64(iova);
	c->scsi.gpi_list[i].length = htole64(len);
	c->scsi.guest_phys_entries = htole16(i + 1);
	c->scsi.bufflen = htole32(le32toh(c->scsi.bufflen) + len);
}

static void scsi_seg(struct hba *h, struct spar_uiscmdrsp *c, size_t off,
		     uint32_t len)
{
	scsi_seg_iova(c, h->a.iova + off, len);
}

static void cdb_rw10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t blocks)
{
	memset(cdb, 0, 10);
	cdb[0] = op;
	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, blocks);
}

static void rw10(struct hba *h, struct spar_uiscmdrsp *c, int write,
		 uint32_t lba, uint16_t blocks)
{
	uint8_t cdb[10];

	cdb_rw10(cdb, write ? OP_WRITE10 : OP_READ10, lba, blocks);
	scsi_cmd(h, c, cdb, sizeof(cdb), write ? SPAR_UIS_DMA_TO_DEVICE :
		 SPAR_UIS_DMA_FROM_DEVICE, 0, 0);
}

struct sense {
	int key, asc, ascq;
};

/* fixed or descriptor format; -1 for what the sense buffer does not say */
static struct sense sense_of(const struct spar_uiscmdrsp *r)
{
	const uint8_t *b = r->scsi.sensebuf;
	struct sense s = { -1, -1, -1 };

	switch (b[0] & 0x7f) {
	case 0x70:
	case 0x71:
		s.key = b[2] & 0xf;
		s.asc = b[12];
		s.ascq = b[13];
		break;
	case 0x72:
	case 0x73:
		s.key = b[1] & 0xf;
		s.asc = b[2];
		s.ascq = b[3];
		break;
	}
	return s;
}

static const char *describe(const struct spar_uiscmdrsp *r)
{
	static char s[160];
	struct sense k = sense_of(r);
	int n;

	n = snprintf(s, sizeof(s), "linuxstat %#x scsistat %#x addlstat %u",
		     le32toh(r->scsi.linuxstat), r->scsi.scsistat,
		     r->scsi.addlstat);
	if (k.key >= 0)
		snprintf(s + n, sizeof(s) - n, " sense key %#x ASC %#x ASCQ %#x",
			 k.key, k.asc, k.ascq);
	else if (r->scsi.sensebuf[0])
		snprintf(s + n, sizeof(s) - n, " sense response code %#x",
			 r->scsi.sensebuf[0]);
	return s;
}

static int is_good(const struct spar_uiscmdrsp *r)
{
	return le32toh(r->scsi.linuxstat) == 0;
}

/* the response repeats what the command said: cmdtype, handle, CDB, vdest */
static int echo_check(const struct spar_uiscmdrsp *c,
		      const struct spar_uiscmdrsp *r)
{
	if (r->cmdtype != c->cmdtype ||
	    r->scsi.handle != c->scsi.handle ||
	    memcmp(r->scsi.cmnd, c->scsi.cmnd, sizeof(c->scsi.cmnd)) ||
	    r->scsi.vdest.channel != c->scsi.vdest.channel ||
	    r->scsi.vdest.id != c->scsi.vdest.id ||
	    r->scsi.vdest.lun != c->scsi.vdest.lun)
		return bad("response to opcode %#x does not echo the command (cmdtype %u, vdest %u:%u:%u)",
			   c->scsi.cmnd[0], r->cmdtype,
			   le32toh(r->scsi.vdest.channel),
			   le32toh(r->scsi.vdest.id),
			   le32toh(r->scsi.vdest.lun));
	return 0;
}

/* one command, doorbell, its response */
static int hba_exec(struct hba *h, const struct spar_uiscmdrsp *c,
		    struct spar_uiscmdrsp *r)
{
	int ret = hba_queue(h, c);

	if (ret)
		return bad("queueing opcode %#x: %s", c->scsi.cmnd[0],
			   strerror(-ret));
	hba_kick(h);
	ret = hba_wait(h, c->cmdtype, le64toh(c->scsi.handle), r, TMO);
	if (ret)
		return bad("no response to opcode %#x: %s (STATUS %s)",
			   c->scsi.cmnd[0], strerror(-ret), status_str(h));
	return echo_check(c, r);
}

/* the command failed with CHECK CONDITION, @key and @asc */
static int want_check(const struct spar_uiscmdrsp *r, int key, int asc)
{
	struct sense s = sense_of(r);

	if (le32toh(r->scsi.linuxstat) != SAM_CHECK_CONDITION ||
	    r->scsi.scsistat != SAM_CHECK_CONDITION)
		return bad("%s, want CHECK CONDITION (linuxstat 2, scsistat 2)",
			   describe(r));
	if (s.key != key || s.asc != asc)
		return bad("%s, want sense key %#x ASC %#x", describe(r), key,
			   asc);
	return 0;
}

static int test_unit_ready(struct hba *h, uint32_t id, uint32_t lun,
			   struct spar_uiscmdrsp *r)
{
	static const uint8_t cdb[6] = { OP_TEST_UNIT_READY };
	struct spar_uiscmdrsp c;

	scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_NONE, id, lun);
	return hba_exec(h, &c, r);
}

/* TEST UNIT READY until GOOD, through at most UA_RETRIES UNIT ATTENTIONs */
static int tur_ready(struct hba *h)
{
	struct spar_uiscmdrsp r;
	int i;

	for (i = 0; i <= UA_RETRIES; i++) {
		if (test_unit_ready(h, 0, 0, &r))
			return -1;
		if (is_good(&r)) {
			if (i)
				note("TEST UNIT READY good after %d UNIT ATTENTION%s",
				     i, i > 1 ? "s" : "");
			return 0;
		}
		if (le32toh(r.scsi.linuxstat) != SAM_CHECK_CONDITION ||
		    sense_of(&r).key != KEY_UNIT_ATTENTION)
			return bad("TEST UNIT READY: %s", describe(&r));
	}
	return bad("TEST UNIT READY: still UNIT ATTENTION after %d tries",
		   UA_RETRIES + 1);
}

/* ---- data ---- */

static uint64_t rng_state;

static uint8_t rnd8(void)
{
	/* xorshift64 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static void fill_random(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rnd8();
}

/* where two buffers first differ, or -1 */
static long first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/* the bytes [@off, @off + @len) of the arena still hold the canary */
static int canary_intact(struct hba *h, size_t off, size_t len,
			 const char *what)
{
	const uint8_t *p = buf_at(h, off);
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != CANARY)
			return bad("%s: byte %zu past arena offset %#zx overwritten (%#x)",
				   what, i, off, p[i]);
	return 0;
}

/* ---- basic ---- */

static int case_bringup(struct hba *h)
{
	const struct spar_transport_page *tp = (const void *)h->g.bar0;
	const struct spar_channel_header *ch =
		(const void *)spar_guest_chan(&h->g, HBA_CH);
	static const struct spar_guid vhba = SPAR_VHBA_CHANNEL_GUID;
	uint8_t cfg[SPAR_CFG_BYTES];

	if (spar_vfio_cfg_read(&h->v, 0, cfg, sizeof(cfg)) ||
	    spar_check_config(cfg, why, sizeof(why)))
		return -1;
	if (le32toh(tp->hdr.device_type) != SPAR_TRANSPORT_TYPE_HBA ||
	    le32toh(tp->hdr.num_channels) != 1)
		return bad("transport header: type %u, %u channels",
			   le32toh(tp->hdr.device_type),
			   le32toh(tp->hdr.num_channels));
	if (memcmp(&tp->dir[0].type_guid, &vhba, sizeof(vhba)) ||
	    le16toh(tp->dir[0].num_queues) != 2 ||
	    !(le16toh(tp->dir[0].flags) & SPAR_TRANSPORT_DIR_F_PRESENT))
		return bad("directory entry 0 is not a present VHBA channel");
	if (le64toh(ch->signature) != SPAR_CHANNEL_SIGNATURE ||
	    memcmp(&ch->chtype, &vhba, sizeof(vhba)) ||
	    le32toh(ch->version_id) != SPAR_VHBA_CHANNEL_VERSIONID ||
	    le64toh(ch->size) != le64toh(tp->dir[0].size))
		return bad("channel header");
	if (status(h) != SPAR_STATUS_READY || !sysfs_status_is(h->uuid, "ready"))
		return bad("STATUS %s, want READY", status_str(h));
	note("vhba: max_io_size %u, queues of %u commands and %u responses",
	     h->max_io, h->cmd_room, h->rsp_room);
	if (h->max_io < 128 * 1024)
		return bad("max_io_size %u: below the 128 KiB these checks move",
			   h->max_io);
	if (h->cmd_room < 33 || h->rsp_room < 32)
		return bad("queues hold %u commands and %u responses, want 33 and 32",
			   h->cmd_room, h->rsp_room);
	return 0;
}

static int case_inquiry(struct hba *h)
{
	uint8_t cdb[6] = { OP_INQUIRY, 0, 0, 0, 36, 0 };
	uint8_t *d = buf_at(h, OFF_SMALL);
	struct spar_uiscmdrsp c, r;

	memset(d, 0xee, 64);
	scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_FROM_DEVICE, 0, 0);
	scsi_seg(h, &c, OFF_SMALL, 36);
	if (hba_exec(h, &c, &r))
		return -1;
	if (!is_good(&r))
		return bad("INQUIRY: %s", describe(&r));
	if ((d[0] & 0x1f) != 0)
		return bad("INQUIRY: peripheral device type %#x, want 0 (disk)",
			   d[0] & 0x1f);
	if (memcmp(d + 8, "LIO-ORG ", 8))
		return bad("INQUIRY: vendor '%.8s', want 'LIO-ORG '", d + 8);
	if (d[36] != 0xee)
		return bad("INQUIRY wrote past its 36-byte buffer");
	note("INQUIRY: '%.8s' '%.16s' '%.4s'", d + 8, d + 16, d + 32);
	return 0;
}

static int case_capacity10(struct hba *h, uint32_t blocks)
{
	uint8_t cdb[10] = { OP_READ_CAPACITY10 };
	uint8_t *d = buf_at(h, OFF_SMALL);
	struct spar_uiscmdrsp c, r;

	memset(d, 0xee, 16);
	scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_FROM_DEVICE, 0, 0);
	scsi_seg(h, &c, OFF_SMALL, 8);
	if (hba_exec(h, &c, &r))
		return -1;
	if (!is_good(&r))
		return bad("READ CAPACITY(10): %s", describe(&r));
	if (get_be32(d) != blocks - 1 || get_be32(d + 4) != BLK)
		return bad("READ CAPACITY(10): last LBA %u, block size %u; want %u, %u",
			   get_be32(d), get_be32(d + 4), blocks - 1, BLK);
	return 0;
}

static int case_capacity16(struct hba *h, uint32_t blocks)
{
	uint8_t cdb[16] = { OP_SERVICE_ACTION_IN16, SAI_READ_CAPACITY16 };
	uint8_t *d = buf_at(h, OFF_SMALL);
	struct spar_uiscmdrsp c, r;

	put_be32(cdb + 10, 32);
	memset(d, 0xee, 64);
	scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_FROM_DEVICE, 0, 0);
	scsi_seg(h, &c, OFF_SMALL, 32);
	if (hba_exec(h, &c, &r))
		return -1;
	if (!is_good(&r))
		return bad("READ CAPACITY(16): %s", describe(&r));
	if (get_be64(d) != blocks - 1ULL || get_be32(d + 8) != BLK)
		return bad("READ CAPACITY(16): last LBA %llu, block size %u; want %u, %u",
			   (unsigned long long)get_be64(d), get_be32(d + 8),
			   blocks - 1, BLK);
	return 0;
}

static int case_report_luns(struct hba *h)
{
	uint8_t cdb[12] = { OP_REPORT_LUNS };
	uint8_t *d = buf_at(h, OFF_SMALL);
	static const uint8_t lun0[8];
	struct spar_uiscmdrsp c, r;

	put_be32(cdb + 6, 256);
	memset(d, 0xee, 256);
	scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_FROM_DEVICE, 0, 0);
	scsi_seg(h, &c, OFF_SMALL, 256);
	if (hba_exec(h, &c, &r))
		return -1;
	if (!is_good(&r))
		return bad("REPORT LUNS: %s", describe(&r));
	if (get_be32(d) != 8)
		return bad("REPORT LUNS: list of %u bytes, want 8 (one LUN)",
			   get_be32(d));
	if (memcmp(d + 8, lun0, 8))
		return bad("REPORT LUNS: the one LUN is not LUN 0");
	return 0;
}

/* a WRITE or READ through @n pieces of the arena (@off, @len pairs) */
static int rw_pieces(struct hba *h, int write, uint32_t lba,
		     const size_t *off, const uint32_t *len, unsigned int n)
{
	struct spar_uiscmdrsp c, r;
	uint32_t total = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		total += len[i];
	rw10(h, &c, write, lba, total / BLK);
	for (i = 0; i < n; i++)
		scsi_seg(h, &c, off[i], len[i]);
	if (hba_exec(h, &c, &r))
		return -1;
	if (!is_good(&r))
		return bad("%s(10) of %u bytes at LBA %u in %u pieces: %s",
			   write ? "WRITE" : "READ", total, lba, n,
			   describe(&r));
	return 0;
}

/* the concatenation of the pieces equals @want */
static int pieces_equal(struct hba *h, const uint8_t *want,
			const size_t *off, const uint32_t *len, unsigned int n,
			const char *what)
{
	size_t at = 0;
	unsigned int i;
	long d;

	for (i = 0; i < n; i++) {
		d = first_diff(buf_at(h, off[i]), want + at, len[i]);
		if (d >= 0)
			return bad("%s: data differs at byte %zu (entry %u, byte %ld)",
				   what, at + d, i, d);
		at += len[i];
	}
	return 0;
}

/*
 * 64 KiB in three entries (the first 512 bytes into a page, two crossing
 * page boundaries), read back in two others; then the largest transfer
 * the channel allows up to 1 MiB, in 64 entries.
 */
static int case_write_read(struct hba *h)
{
	static const size_t woff[3] = {
		OFF_WR + 0x00200, OFF_WR + 0x10c00, OFF_WR + 0x20000,
	};
	static const uint32_t wlen[3] = { 0x2000, 0x5400, 0x8c00 };
	static const size_t roff[2] = { OFF_WR + 0x40000, OFF_WR + 0x50800 };
	static const uint32_t rlen[2] = { 0x5200, 0xae00 };
	static uint8_t pat[1 << 20];
	size_t boff[SPAR_MAX_PHYS_INFO], roff_big[SPAR_MAX_PHYS_INFO];
	uint32_t blen[SPAR_MAX_PHYS_INFO];
	uint32_t big, piece, at;
	unsigned int i;

	/* 64 KiB */
	fill_random(pat, 0x10000);
	for (i = 0, at = 0; i < 3; at += wlen[i], i++)
		memcpy(buf_at(h, woff[i]), pat + at, wlen[i]);
	memset(buf_at(h, OFF_WR + 0x40000), CANARY, 0x20000);
	if (rw_pieces(h, 1, 1000, woff, wlen, 3) ||
	    rw_pieces(h, 0, 1000, roff, rlen, 2) ||
	    pieces_equal(h, pat, roff, rlen, 2, "64 KiB read back"))
		return -1;
	if (canary_intact(h, OFF_WR + 0x40000 + 0x5200, 0x50800 - 0x45200,
			  "between the read entries") ||
	    canary_intact(h, OFF_WR + 0x50800 + 0xae00,
			  0x60000 - 0x5b600, "after the read entries"))
		return -1;

	/* up to 1 MiB in 64 entries */
	big = h->max_io < (1u << 20) ? h->max_io : (1u << 20);
	piece = big / SPAR_MAX_PHYS_INFO / BLK * BLK;
	big = piece * SPAR_MAX_PHYS_INFO;
	if (big != (1u << 20))
		note("max_io_size %u: the big transfer is %u bytes, 64 entries of %u",
		     h->max_io, big, piece);
	fill_random(pat, big);
	memset(buf_at(h, OFF_BIG_R), CANARY, SPAR_MAX_PHYS_INFO * BIG_STRIDE);
	for (i = 0; i < SPAR_MAX_PHYS_INFO; i++) {
		boff[i] = OFF_BIG_W + (size_t)i * BIG_STRIDE;
		roff_big[i] = OFF_BIG_R + (size_t)i * BIG_STRIDE;
		blen[i] = piece;
		memcpy(buf_at(h, boff[i]), pat + (size_t)i * piece, piece);
	}
	if (rw_pieces(h, 1, 2048, boff, blen, SPAR_MAX_PHYS_INFO) ||
	    rw_pieces(h, 0, 2048, roff_big, blen, SPAR_MAX_PHYS_INFO) ||
	    pieces_equal(h, pat, roff_big, blen, SPAR_MAX_PHYS_INFO,
			 "big transfer read back"))
		return -1;
	for (i = 0; i < SPAR_MAX_PHYS_INFO; i++)
		if (canary_intact(h, roff_big[i] + piece, BIG_STRIDE - piece,
				  "between the big read entries"))
			return -1;
	return 0;
}

static int case_bad_opcode(struct hba *h)
{
	static const uint8_t cdb[10] = { OP_BAD };
	struct spar_uiscmdrsp c, r;

	scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_NONE, 0, 0);
	if (hba_exec(h, &c, &r))
		return -1;
	return want_check(&r, KEY_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
}

static int case_bad_lun(struct hba *h)
{
	struct spar_uiscmdrsp r;

	if (test_unit_ready(h, 0, 5, &r))
		return -1;
	return want_check(&r, KEY_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
}

/* TEST UNIT READY to target @id LUN @lun gets DID_NO_CONNECT */
static int want_no_connect(struct hba *h, uint32_t id, uint32_t lun)
{
	struct spar_uiscmdrsp r;

	if (test_unit_ready(h, id, lun, &r))
		return -1;
	if (le32toh(r.scsi.linuxstat) != DID_NO_CONNECT << 16 ||
	    r.scsi.addlstat != SPAR_ADDL_SEL_TIMEOUT)
		return bad("target %u LUN %u: %s, want linuxstat 0x10000 (DID_NO_CONNECT), addlstat 4",
			   id, lun, describe(&r));
	return 0;
}

static int case_no_target(struct hba *h)
{
	struct spar_uiscmdrsp r;

	if (test_unit_ready(h, 3, 0, &r))
		return -1;
	if (le32toh(r.scsi.linuxstat) != DID_NO_CONNECT << 16 ||
	    r.scsi.addlstat != SPAR_ADDL_SEL_TIMEOUT)
		return bad("%s, want linuxstat 0x10000 (DID_NO_CONNECT), addlstat 4",
			   describe(&r));
	return 0;
}

#define QD_CMDS		32
#define QD_LBA		6000
#define QD_BYTES	4096
#define QD_READS	(OFF_QD + 0x40000)
#define QD_STRIDE	0x2000

/* 32 READs queued at once, one doorbell, answered in any order */
static int case_queue_depth(struct hba *h)
{
	static const size_t woff[1] = { OFF_QD };
	static const uint32_t wlen[1] = { QD_CMDS * QD_BYTES };
	struct spar_uiscmdrsp c[QD_CMDS], r;
	int got[QD_CMDS] = { 0 };
	unsigned int i, n, inorder = 1, last = 0;
	uint64_t db0;
	int ret;

	fill_random(buf_at(h, OFF_QD), QD_CMDS * QD_BYTES);
	if (rw_pieces(h, 1, QD_LBA, woff, wlen, 1))
		return -1;
	memset(buf_at(h, QD_READS), CANARY, QD_CMDS * QD_STRIDE);
	db0 = h->g.doorbells + h->g.doorbells_skipped;
	for (i = 0; i < QD_CMDS; i++) {
		rw10(h, &c[i], 0, QD_LBA + i * (QD_BYTES / BLK),
		     QD_BYTES / BLK);
		scsi_seg(h, &c[i], QD_READS + (size_t)i * QD_STRIDE, QD_BYTES);
		ret = hba_queue(h, &c[i]);
		if (ret)
			return bad("queueing READ %u of %u: %s", i, QD_CMDS,
				   strerror(-ret));
	}
	hba_kick(h);
	if (h->g.doorbells + h->g.doorbells_skipped - db0 != 1)
		return bad("the queue filled up: more than one doorbell needed");
	for (n = 0; n < QD_CMDS;) {
		uint64_t deadline = spar_now_us() + TMO * 1000ULL;

		while ((ret = hba_next(h, &r)) == -EAGAIN &&
		       spar_now_us() < deadline)
			usleep(100);
		if (ret)
			return bad("%u of %u READs answered: %s (STATUS %s)", n,
				   QD_CMDS, strerror(-ret), status_str(h));
		i = (unsigned int)(rsp_handle(&r) - le64toh(c[0].scsi.handle));
		if (r.cmdtype != SPAR_CMD_SCSI_TYPE || i >= QD_CMDS) {
			note("unexpected response: cmdtype %u handle %#llx",
			     r.cmdtype, (unsigned long long)rsp_handle(&r));
			continue;
		}
		if (got[i]++)
			return bad("READ %u answered twice", i);
		n++;
		if (i < last)
			inorder = 0;
		last = i;
		if (echo_check(&c[i], &r))
			return -1;
		if (!is_good(&r))
			return bad("READ %u: %s", i, describe(&r));
		if (memcmp(buf_at(h, QD_READS + (size_t)i * QD_STRIDE),
			   buf_at(h, OFF_QD + (size_t)i * QD_BYTES), QD_BYTES))
			return bad("READ %u: wrong data", i);
		if (canary_intact(h, QD_READS + (size_t)i * QD_STRIDE +
				  QD_BYTES, QD_STRIDE - QD_BYTES,
				  "after a queue-depth read"))
			return -1;
	}
	note("%u READs answered %s", QD_CMDS,
	     inorder ? "in order" : "out of order");
	return 0;
}

#define LR_CMDS		16
#define LR_BYTES	0x10000

static void tmf_cmd(struct hba *h, struct spar_uiscmdrsp *c,
		    uint32_t type, uint32_t id, uint32_t lun)
{
	uint64_t handle = new_handle(h);

	memset(c, 0, sizeof(*c));
	c->cmdtype = SPAR_CMD_SCSITASKMGMT_TYPE;
	c->scsitaskmgmt.tasktype = htole32(type);
	c->scsitaskmgmt.vdest.channel = htole32(0);
	c->scsitaskmgmt.vdest.id = htole32(id);
	c->scsitaskmgmt.vdest.lun = htole32(lun);
	c->scsitaskmgmt.handle = htole64(handle);
	c->scsitaskmgmt.notify_handle = htole64(handle ^ 0x1111);
	c->scsitaskmgmt.notifyresult_handle = htole64(handle ^ 0x2222);
}

/*
 * 16 READs, then a LUN RESET: every READ is answered exactly once, GOOD
 * or aborted, before the reset's answer.
 */
static int case_lun_reset(struct hba *h)
{
	struct spar_uiscmdrsp c[LR_CMDS], t, r;
	int got[LR_CMDS] = { 0 };
	unsigned int i, good = 0, aborted = 0, tmf_at = 0, n = 0;
	uint64_t dups0 = h->dups, deadline;
	int ret, tmf = 0;

	for (i = 0; i < LR_CMDS; i++) {
		rw10(h, &c[i], 0, i * (LR_BYTES / BLK), LR_BYTES / BLK);
		scsi_seg(h, &c[i], OFF_LR + (size_t)i * LR_BYTES, LR_BYTES);
		ret = hba_queue(h, &c[i]);
		if (ret)
			return bad("queueing READ %u: %s", i, strerror(-ret));
	}
	tmf_cmd(h, &t, SPAR_TASK_MGMT_LUN_RESET, 0, 0);
	ret = hba_queue(h, &t);
	if (ret)
		return bad("queueing LUN RESET: %s", strerror(-ret));
	hba_kick(h);

	deadline = spar_now_us() + 2 * TMO * 1000ULL;
	while (!tmf) {
		ret = hba_next(h, &r);
		if (ret == -EAGAIN) {
			if (spar_now_us() > deadline)
				return bad("LUN RESET not answered (%u READs answered; STATUS %s)",
					   good + aborted, status_str(h));
			usleep(100);
			continue;
		}
		if (ret)
			return bad("response queue: %s", strerror(-ret));
		n++;
		if (r.cmdtype == SPAR_CMD_SCSITASKMGMT_TYPE &&
		    r.scsitaskmgmt.handle == t.scsitaskmgmt.handle) {
			tmf = 1;
			tmf_at = n;
			break;
		}
		i = (unsigned int)(rsp_handle(&r) - le64toh(c[0].scsi.handle));
		if (r.cmdtype != SPAR_CMD_SCSI_TYPE || i >= LR_CMDS) {
			note("unexpected response: cmdtype %u handle %#llx",
			     r.cmdtype, (unsigned long long)rsp_handle(&r));
			continue;
		}
		if (got[i]++)
			return bad("READ %u answered twice", i);
		if (echo_check(&c[i], &r))
			return -1;
		if (is_good(&r)) {
			good++;
		} else if (HOST_BYTE(le32toh(r.scsi.linuxstat)) == DID_ABORT ||
			   HOST_BYTE(le32toh(r.scsi.linuxstat)) == DID_RESET) {
			aborted++;
		} else {
			return bad("READ %u: %s, want GOOD, DID_ABORT or DID_RESET",
				   i, describe(&r));
		}
	}
	note("LUN RESET answered as response %u: %u READs GOOD, %u aborted before it",
	     tmf_at, good, aborted);
	for (i = 0; i < LR_CMDS; i++)
		if (!got[i])
			return bad("READ %u not answered before the LUN RESET's answer",
				   i);
	if (r.scsitaskmgmt.tasktype != t.scsitaskmgmt.tasktype ||
	    r.scsitaskmgmt.vdest.channel != t.scsitaskmgmt.vdest.channel ||
	    r.scsitaskmgmt.vdest.id != t.scsitaskmgmt.vdest.id ||
	    r.scsitaskmgmt.vdest.lun != t.scsitaskmgmt.vdest.lun ||
	    r.scsitaskmgmt.notify_handle != t.scsitaskmgmt.notify_handle ||
	    r.scsitaskmgmt.notifyresult_handle !=
	    t.scsitaskmgmt.notifyresult_handle)
		return bad("LUN RESET response does not echo the request");
	if (r.scsitaskmgmt.result != SPAR_TASK_MGMT_SUCCESS)
		return bad("LUN RESET result %u, want 1 (success)",
			   r.scsitaskmgmt.result);
	/* nothing more comes for these commands */
	usleep(300000);
	if (hba_pump(h) < 0)
		return bad("response queue broken after the LUN RESET");
	if (h->dups != dups0)
		return bad("%llu commands answered again after the LUN RESET",
			   (unsigned long long)(h->dups - dups0));
	return 0;
}

/*
 * ---- Bus Master Enable cleared with commands in flight ----
 *
 * 16 READs of max_io_size in 64 entries, one doorbell, and at once Bus
 * Master Enable goes off.  When that config write returns the host has
 * ended its pass and LIO has released every command it was handed, their
 * pages unpinned (stats/pins_owned 0).  4 READs of 4 KiB queued then stay
 * in the queue: no answer, no data, no MSI.  With the bit set again all
 * 20 are answered once, GOOD, with the data written there first, and an
 * MSI comes.  A separate arena, so that nothing else shares the buffers.
 */
#define PCI_CMD_MASTER	0x4
#define BM_IOVA		0x20000000ULL
#define BM_BIG		16	/* READs of max_io_size before the bit goes off */
#define BM_SMALL	4	/* READs of 4 KiB queued while it is off */
#define BM_CMDS		(BM_BIG + BM_SMALL)
#define BM_SMALL_BYTES	4096
#define BM_SMALL_STRIDE	0x2000	/* 4 KiB buffer, 4 KiB guard */
#define BM_LBA		8192
#define BM_SETTLE_MS	100	/* before stats/cmds_done is read */
#define BM_STEADY_MS	200	/* between its two reads */

/* @len bytes at @p, anywhere, still hold the canary */
static int canary_intact_va(const uint8_t *p, size_t len, const char *what)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != CANARY)
			return bad("%s: byte %zu overwritten (%#x)", what, i,
				   p[i]);
	return 0;
}

struct bm {
	struct hba *h;
	struct spar_arena a;
	uint8_t *pat;		/* what the LBAs hold */
	uint32_t big;		/* bytes of each big READ */
	uint32_t piece;		/* bytes of each of its 64 entries */
	struct spar_uiscmdrsp c[BM_CMDS];
	uint8_t got[BM_CMDS];
	unsigned int queued;	/* commands in the queue or answered */
	unsigned int answered;
	int master_off;		/* Bus Master Enable is clear */
	int msi;		/* the MSI eventfd is set up */
};

static size_t bm_small_off(const struct bm *b, unsigned int j)
{
	return (size_t)BM_BIG * b->big + (size_t)j * BM_SMALL_STRIDE;
}

/* where in the pattern small READ @j reads: the middle of big READ @j */
static size_t bm_small_at(const struct bm *b, unsigned int j)
{
	return (size_t)j * b->big + b->big / 2;
}

/* the big READ or WRITE @i: its own max_io_size buffer in 64 entries */
static void bm_big_cmd(struct bm *b, struct spar_uiscmdrsp *c, int write,
		       unsigned int i)
{
	unsigned int s;

	rw10(b->h, c, write, BM_LBA + i * (b->big / BLK), b->big / BLK);
	for (s = 0; s < SPAR_MAX_PHYS_INFO; s++)
		scsi_seg_iova(c, b->a.iova + (size_t)i * b->big +
			      (size_t)s * b->piece, b->piece);
}

/* the arena, the pattern on the LBAs, the 20 READs built; 0 or why */
static int bm_setup(struct bm *b, unsigned long blocks)
{
	struct hba *h = b->h;
	uint64_t avail = (uint64_t)(blocks - BM_LBA) * BLK / BM_BIG;
	struct spar_uiscmdrsp c, r;
	size_t size;
	unsigned int i;
	int ret;

	b->big = h->max_io;
	if (b->big > (1u << 20))
		b->big = 1u << 20;
	if (b->big > avail)
		b->big = (uint32_t)avail;
	b->piece = b->big / SPAR_MAX_PHYS_INFO / BLK * BLK;
	b->big = b->piece * SPAR_MAX_PHYS_INFO;
	if (!b->piece)
		return bad("max_io_size %u: too small for %u entries of 512 bytes",
			   h->max_io, SPAR_MAX_PHYS_INFO);
	if (b->big != h->max_io)
		note("max_io_size %u: the big READs are %u bytes, 64 entries of %u",
		     h->max_io, b->big, b->piece);
	size = bm_small_off(b, BM_SMALL);
	b->pat = malloc((size_t)BM_BIG * b->big);
	if (!b->pat)
		return bad("out of memory");
	ret = spar_arena_create(&h->v, &b->a, BM_IOVA, size);
	if (ret)
		return bad("DMA arena of %zu bytes: %s", size, strerror(-ret));

	/* the pattern onto LBAs BM_LBA..., written from the big buffers */
	fill_random(b->pat, (size_t)BM_BIG * b->big);
	memcpy(b->a.va, b->pat, (size_t)BM_BIG * b->big);
	for (i = 0; i < BM_BIG; i++) {
		bm_big_cmd(b, &c, 1, i);
		if (hba_exec(h, &c, &r))
			return bad_in("writing the pattern");
		if (!is_good(&r))
			return bad("WRITE(10) of %u bytes at LBA %u: %s", b->big,
				   BM_LBA + i * (b->big / BLK), describe(&r));
	}
	memset(b->a.va, CANARY, size);

	/* consecutive handles: the 16 big READs, then the 4 small ones */
	for (i = 0; i < BM_BIG; i++)
		bm_big_cmd(b, &b->c[i], 0, i);
	for (i = 0; i < BM_SMALL; i++) {
		rw10(h, &b->c[BM_BIG + i], 0,
		     BM_LBA + bm_small_at(b, i) / BLK, BM_SMALL_BYTES / BLK);
		scsi_seg_iova(&b->c[BM_BIG + i], b->a.iova + bm_small_off(b, i),
			      BM_SMALL_BYTES);
	}
	return 0;
}

/*
 * One answer off the queue: which READ, once, GOOD, the right data.
 * @off: bus mastering is off, and the small READs must not be answered.
 */
static int bm_account(struct bm *b, const struct spar_uiscmdrsp *r, int off)
{
	uint64_t first = le64toh(b->c[0].scsi.handle);
	unsigned int i = (unsigned int)(rsp_handle(r) - first), j;
	const uint8_t *want;
	long d;

	if (r->cmdtype != SPAR_CMD_SCSI_TYPE || rsp_handle(r) < first ||
	    i >= b->queued) {
		note("unexpected response: cmdtype %u handle %#llx",
		     r->cmdtype, (unsigned long long)rsp_handle(r));
		return 0;
	}
	if (b->got[i]++)
		return bad("READ %u answered twice", i);
	b->answered++;
	if (off && i >= BM_BIG)
		return bad("4 KiB READ %u, queued with bus mastering off, answered while it was still off (%s)",
			   i - BM_BIG, describe(r));
	if (echo_check(&b->c[i], r))
		return -1;
	if (!is_good(r))
		return bad("%s READ %u: %s", i < BM_BIG ? "big" : "4 KiB",
			   i < BM_BIG ? i : i - BM_BIG, describe(r));
	if (i < BM_BIG) {
		want = b->pat + (size_t)i * b->big;
		d = first_diff(b->a.va + (size_t)i * b->big, want, b->big);
		if (d >= 0)
			return bad("big READ %u: wrong data from byte %ld (entry %ld)",
				   i, d, d / (long)b->piece);
		return 0;
	}
	j = i - BM_BIG;
	d = first_diff(b->a.va + bm_small_off(b, j), b->pat + bm_small_at(b, j),
		       BM_SMALL_BYTES);
	if (d >= 0)
		return bad("4 KiB READ %u: wrong data from byte %ld", j, d);
	return canary_intact_va(b->a.va + bm_small_off(b, j) + BM_SMALL_BYTES,
				BM_SMALL_STRIDE - BM_SMALL_BYTES,
				"guard after a 4 KiB READ");
}

/* the answers on the queue now */
static int bm_collect(struct bm *b, int off)
{
	struct spar_uiscmdrsp r;
	int ret;

	while (!(ret = hba_next(b->h, &r)))
		if (bm_account(b, &r, off))
			return -1;
	return ret == -EAGAIN ? 0 : bad("response queue: %s", strerror(-ret));
}

/* MSIs signalled so far; 0 if none within @ms */
static uint64_t bm_msis(struct bm *b, int ms)
{
	uint64_t n = 0, cnt;

	while (spar_vfio_irq_wait(&b->h->v, VFIO_PCI_MSI_IRQ_INDEX, ms,
				  &cnt) > 0) {
		n += cnt;
		ms = 0;
	}
	return n;
}

static int bm_run(struct bm *b)
{
	struct hba *h = b->h;
	uint32_t slots = queue_u32(h, CMD_Q, QOFF(max_slots));
	long long c0, d1, d2, i1, i2, po, moved;
	uint32_t tail0, tail1, tail2;
	uint64_t t0, t1, db0, dups0 = h->dups, msis;
	unsigned int i, taken, early;
	int ret;

	if (!slots)
		return bad("command queue of 0 slots");
	/* MSIs on the response queue, not suppressed */
	ret = spar_vfio_irq_enable(&h->v, VFIO_PCI_MSI_IRQ_INDEX);
	if (ret)
		return bad("MSI eventfd: %s", strerror(-ret));
	b->msi = 1;
	spar_guest_set_polling(&h->g, SPAR_TRANSPORT_NOTIFY_INDEX(HBA_CH, RSP_Q),
			       SPAR_TRANSPORT_NOTIFY);
	bm_msis(b, 0);
	c0 = stat_of(h->uuid, "cmds_done");

	/* 1: 16 big READs, one doorbell, bus mastering off at once */
	tail0 = queue_u32(h, CMD_Q, QOFF(tail));
	db0 = h->g.doorbells + h->g.doorbells_skipped;
	for (i = 0; i < BM_BIG; i++) {
		ret = hba_queue(h, &b->c[i]);
		if (ret)
			return bad("queueing big READ %u: %s", i, strerror(-ret));
		b->queued++;
	}
	hba_kick(h);
	/* once the worker has begun taking them, so that some are in flight */
	t0 = spar_now_us();
	while (queue_u32(h, CMD_Q, QOFF(tail)) == tail0 &&
	       spar_now_us() - t0 < 2000000)
		;
	t0 = spar_now_us();
	ret = spar_vfio_command(&h->v, 0, PCI_CMD_MASTER);
	t1 = spar_now_us();
	/* 2: LIO has released them all, their pages are unpinned */
	po = stat_of(h->uuid, "pins_owned");
	if (ret)
		return bad("clearing Bus Master Enable: %s", strerror(-ret));
	b->master_off = 1;
	tail1 = queue_u32(h, CMD_Q, QOFF(tail));
	taken = (tail1 + slots - tail0) % slots;
	note("Bus Master Enable cleared in %llu us, after the worker began on 16 READs of %u bytes; the worker had taken %u of them; stats/pins_owned %lld",
	     (unsigned long long)(t1 - t0), b->big, taken, po);
	if (h->g.doorbells + h->g.doorbells_skipped - db0 != 1)
		return bad("the queue filled up: more than one doorbell needed");
	if (po != 0)
		return bad("stats/pins_owned %lld when the config write clearing Bus Master Enable returned, want 0",
			   po);
	if (t1 - t0 > TMO * 1000ULL)
		return bad("the config write clearing Bus Master Enable took %llu ms",
			   (unsigned long long)(t1 - t0) / 1000);
	if (!taken)
		note("no READ was in flight when bus mastering went off: this run did not test the wait for LIO");
	/* any MSI of the pass that ended before the bit went off */
	msis = bm_msis(b, 0);
	i1 = stat_of(h->uuid, "interrupts");

	/* 3: 4 small READs queued with bus mastering off */
	for (i = BM_BIG; i < BM_CMDS; i++) {
		ret = hba_queue(h, &b->c[i]);
		if (ret)
			return bad("queueing 4 KiB READ %u: %s", i - BM_BIG,
				   strerror(-ret));
		b->queued++;
	}
	hba_kick(h);
	usleep(BM_SETTLE_MS * 1000);
	d1 = stat_of(h->uuid, "cmds_done");
	usleep(BM_STEADY_MS * 1000);
	d2 = stat_of(h->uuid, "cmds_done");
	tail2 = queue_u32(h, CMD_Q, QOFF(tail));
	if (bm_collect(b, 1))
		return -1;
	early = b->answered;
	i2 = stat_of(h->uuid, "interrupts");
	note("with bus mastering off for %d ms: %u of the 16 big READs answered, stats/cmds_done +%lld, then +%lld over %d ms; %u MSIs before the bit went off",
	     BM_SETTLE_MS + BM_STEADY_MS, early, d1 - c0, d2 - d1,
	     BM_STEADY_MS, (unsigned int)msis);
	for (i = 0; i < BM_SMALL; i++)
		if (canary_intact_va(b->a.va + bm_small_off(b, i),
				     BM_SMALL_STRIDE,
				     "buffer of a 4 KiB READ queued with bus mastering off"))
			return -1;
	if (c0 < 0 || d1 < 0 || d2 < 0 || i1 < 0 || i2 < 0)
		return bad("stats/cmds_done or stats/interrupts unreadable");
	if (d2 != d1)
		return bad("stats/cmds_done moved from %lld to %lld in %d ms with bus mastering off",
			   d1, d2, BM_STEADY_MS);
	if (d2 - c0 != early)
		return bad("stats/cmds_done moved by %lld with bus mastering off, %u answers reached the response queue",
			   d2 - c0, early);
	if (tail2 != tail1)
		return bad("the worker took %u commands off the queue with bus mastering off",
			   (tail2 + slots - tail1) % slots);
	if (bm_msis(b, 0) || i2 != i1)
		return bad("MSI sent with bus mastering off (stats/interrupts %lld -> %lld)",
			   i1, i2);

	/* 4: bus mastering on: every READ answered, and an MSI */
	ret = spar_vfio_command(&h->v, PCI_CMD_MASTER, 0);
	if (ret)
		return bad("setting Bus Master Enable: %s", strerror(-ret));
	b->master_off = 0;
	t0 = spar_now_us();
	while (b->answered < BM_CMDS) {
		if (bm_collect(b, 0))
			return -1;
		if (b->answered == BM_CMDS)
			break;
		if (spar_now_us() - t0 > 2 * TMO * 1000ULL)
			return bad("%u of %u READs answered %d s after bus mastering came back (STATUS %s)",
				   b->answered, BM_CMDS, 2 * TMO / 1000,
				   status_str(h));
		usleep(100);
	}
	msis = bm_msis(b, TMO);
	i2 = stat_of(h->uuid, "interrupts");
	moved = stat_of(h->uuid, "cmds_done") - c0;
	/* nothing more comes for them */
	usleep(200000);
	if (bm_collect(b, 0))
		return -1;
	msis += bm_msis(b, 0);
	note("bus mastering on again: %u READs answered after it (%u before), all GOOD with the right data; %llu MSIs, stats/interrupts +%lld",
	     BM_CMDS - early, early, (unsigned long long)msis, i2 - i1);
	if (h->dups != dups0)
		return bad("%llu READs answered more than once",
			   (unsigned long long)(h->dups - dups0));
	if (moved != BM_CMDS)
		return bad("stats/cmds_done moved by %lld for %u READs", moved,
			   BM_CMDS);
	if (!msis)
		return bad("no MSI within %d ms after bus mastering came back",
			   TMO);
	return 0;
}

static int case_busmaster(struct hba *h, unsigned long blocks)
{
	static struct bm b;
	uint64_t deadline;
	int fail;

	memset(&b, 0, sizeof(b));
	b.h = h;
	/* the LUN reset before left a UNIT ATTENTION to take first */
	fail = tur_ready(h) || bm_setup(&b, blocks) || bm_run(&b);
	/* whatever happened, leave the device serving and nothing in flight */
	if (b.master_off)
		spar_vfio_command(&h->v, PCI_CMD_MASTER, 0);
	if (b.msi)
		spar_vfio_irq_disable(&h->v, VFIO_PCI_MSI_IRQ_INDEX);
	deadline = spar_now_us() + TMO * 1000ULL;
	while (fail && b.answered < b.queued && spar_now_us() < deadline) {
		struct spar_uiscmdrsp r;
		uint64_t id;

		if (hba_next(h, &r)) {
			usleep(200);
			continue;
		}
		id = rsp_handle(&r) - le64toh(b.c[0].scsi.handle);
		if (r.cmdtype == SPAR_CMD_SCSI_TYPE && id < b.queued &&
		    !b.got[id]++)
			b.answered++;
	}
	if (b.a.va)
		spar_arena_destroy(&h->v, &b.a);
	free(b.pat);
	return fail ? -1 : 0;
}

static int case_stats(struct hba *h, long long pe0)
{
	long long pe = stat_of(h->uuid, "protocol_errors");

	if (tur_ready(h))
		return -1;
	if (pe0 < 0 || pe != pe0)
		return bad("stats/protocol_errors %lld, was %lld at the start",
			   pe, pe0);
	if (h->dups || h->unknown)
		return bad("%llu duplicate responses, %llu with unknown handles",
			   (unsigned long long)h->dups,
			   (unsigned long long)h->unknown);
	return 0;
}

/* two instances at most: malformed serves a second one throughout */
static struct hba the_hba[2];

static struct hba *hba_new(const char *uuid, unsigned int i)
{
	memset(&the_hba[i], 0, sizeof(the_hba[i]));
	the_hba[i].uuid = uuid;
	return &the_hba[i];
}

static void seed_rng(void)
{
	rng_state = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^
		    0x9e3779b97f4a7c15ULL;
	note("random seed %#llx", (unsigned long long)rng_state);
}

static int do_basic(char **argv)
{
	struct hba *h = hba_new(argv[0], 0);
	long long pe0 = stat_of(h->uuid, "protocol_errors");
	unsigned long blocks = strtoul(argv[1], NULL, 0);
	int ok;

	seed_rng();
	if (blocks < 16384 || blocks > 0xffffffffUL) {
		bad("BLOCKS %s: want at least 16384", argv[1]);
		result("bring-up", 0);
		return 0;
	}
	ok = !hba_open(h) && !case_bringup(h);
	result("bring-up", ok);
	if (!ok)
		goto out;
	result("tur", !tur_ready(h));
	result("inquiry", !case_inquiry(h));
	result("read-capacity10", !case_capacity10(h, blocks));
	result("read-capacity16", !case_capacity16(h, blocks));
	result("report-luns", !case_report_luns(h));
	result("write-read", !case_write_read(h));
	result("bad-opcode", !case_bad_opcode(h));
	result("bad-lun", !case_bad_lun(h));
	result("no-target", !case_no_target(h));
	result("queue-depth", !case_queue_depth(h));
	result("lun-reset", !case_lun_reset(h));
	result("busmaster", !case_busmaster(h, blocks));
	result("stats", !case_stats(h, pe0));
out:
	hba_close(h);
	return 0;
}

/* ---- malicious guest ---- */

/*
 * Every case runs on the first instance while a second one, with its
 * own target and ramdisk, keeps serving: after each case it must read
 * back the pattern written to it at the start.  The first instance
 * either keeps serving (no protocol error) or needs a reset, which the
 * case does; then TEST UNIT READY must be GOOD.
 *
 * Arena of either instance during these cases:
 */
#define OFF_PAT		0x000000	/* the pattern, written at the start */
#define OFF_CHK		0x010000	/* 4 KiB read back, then a guard page */
#define OFF_FLOOD	0x100000	/* FLOOD_BUFS x 4 KiB */
#define OFF_DUP		0x200000	/* DUP_CMDS x 4 KiB */
#define OFF_LUNX	0x220000	/* reads to absent LUNs, 4 KiB + guard */
#define OFF_CDB		(OFF_EVIL + 0x2000)	/* 2 guard pages */
#define PAT_LBA		64		/* 4 KiB there, on either LUN */
#define PAT_BYTES	4096
#define FLOOD_BUFS	256
#define DUP_CMDS	8
#define DUP_LBA		200

#define OP_READ16		0x88
#define SAM_TASK_SET_FULL	0x28

static uint8_t pat1[PAT_BYTES], pat2[PAT_BYTES];

enum evil {
	EVIL_VARLEN, EVIL_GPI_SHORT, EVIL_GPI_LONG, EVIL_ENTRIES,
	EVIL_DIR_UNKNOWN, EVIL_DIR_BIDI, EVIL_IOVA, EVIL_LUN_MAX,
	EVIL_TMF_UNKNOWN, EVIL_DUP_HANDLES, EVIL_FLOOD, EVIL_CDB_LEN,
	EVIL_UNMAP_RACE, EVIL_NR,
};

static const char *const evil_names[EVIL_NR] = {
	"evil-varlen-cdb", "evil-gpi-short", "evil-gpi-long",
	"evil-gpi-entries", "evil-data-dir", "evil-bidirectional",
	"evil-unmapped-iova", "evil-lun-beyond-max", "evil-tmf-unknown",
	"evil-dup-handles", "evil-flood", "evil-cdb-len", "evil-unmap-race",
};

/* what the host must do about each case */
enum evil_outcome {
	EVIL_RESETS,	/* protocol error: NEEDS_RESET, recovered by a RESET */
	EVIL_SERVES,	/* no protocol error: READY throughout */
	EVIL_EITHER,	/* DID_ERROR or NEEDS_RESET; the case judges */
};

static enum evil_outcome evil_outcome(enum evil e)
{
	switch (e) {
	case EVIL_VARLEN:
	case EVIL_GPI_SHORT:
	case EVIL_GPI_LONG:
	case EVIL_ENTRIES:
	case EVIL_DIR_UNKNOWN:
	case EVIL_DIR_BIDI:
		return EVIL_RESETS;
	case EVIL_IOVA:
	case EVIL_UNMAP_RACE:
		return EVIL_EITHER;
	default:
		return EVIL_SERVES;
	}
}

static int wait_needs_reset(struct hba *h)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;

	while (spar_now_us() < deadline) {
		if (status(h) & SPAR_STATUS_NEEDS_RESET)
			return sysfs_status_is(h->uuid, "needs-reset") ? 0 :
			       bad("STATUS NEEDS_RESET but sysfs status differs");
		usleep(2000);
	}
	return bad("STATUS %s, want NEEDS_RESET", status_str(h));
}

/* a RESET write recovers the device, and it serves again */
static int recover(struct hba *h)
{
	h->nbl = 0;
	if (spar_guest_restart(&h->g, why, sizeof(why)))
		return -1;
	return tur_ready(h) ? bad_in("after RESET") : 0;
}

/* READY, no new protocol error, TEST UNIT READY good */
static int serves(struct hba *h, long long pe)
{
	long long now = stat_of(h->uuid, "protocol_errors");

	if (status(h) != SPAR_STATUS_READY ||
	    !sysfs_status_is(h->uuid, "ready"))
		return bad("STATUS %s, want READY (no protocol error)",
			   status_str(h));
	if (now != pe)
		return bad("stats/protocol_errors %lld, was %lld: counted as a protocol error",
			   now, pe);
	return tur_ready(h) ? bad_in("serving after the case") : 0;
}

/* a 4 KiB READ(10) at @lba into OFF_CHK is GOOD and returns @want */
static int read_back(struct hba *h, uint32_t lba, const uint8_t *want)
{
	struct spar_uiscmdrsp c, r;
	long d;
	int i;

	for (i = 0; i <= UA_RETRIES; i++) {
		memset(buf_at(h, OFF_CHK), CANARY, 2 * PAT_BYTES);
		rw10(h, &c, 0, lba, PAT_BYTES / BLK);
		scsi_seg(h, &c, OFF_CHK, PAT_BYTES);
		if (hba_exec(h, &c, &r))
			return -1;
		if (le32toh(r.scsi.linuxstat) != SAM_CHECK_CONDITION ||
		    sense_of(&r).key != KEY_UNIT_ATTENTION)
			break;
	}
	if (!is_good(&r))
		return bad("READ(10) of 4 KiB at LBA %u: %s", lba, describe(&r));
	d = first_diff(buf_at(h, OFF_CHK), want, PAT_BYTES);
	if (d >= 0)
		return bad("READ(10) of 4 KiB at LBA %u: wrong data from byte %ld",
			   lba, d);
	return canary_intact(h, OFF_CHK + PAT_BYTES, PAT_BYTES,
			     "after a 4 KiB read");
}

/* the second instance: READY, no protocol error, its pattern reads back */
static int other_serves(struct hba *o, long long pe0)
{
	long long pe = stat_of(o->uuid, "protocol_errors");

	if (status(o) != SPAR_STATUS_READY || !sysfs_status_is(o->uuid, "ready"))
		return bad("second instance: STATUS %s, want READY",
			   status_str(o));
	if (pe != pe0)
		return bad("second instance: stats/protocol_errors %lld, was %lld",
			   pe, pe0);
	if (read_back(o, PAT_LBA, pat2))
		return bad_in("second instance");
	return 0;
}

/* an unmapped IOVA: DID_ERROR in the response, or NEEDS_RESET */
static int evil_iova(struct hba *h, const struct spar_uiscmdrsp *c,
		     long long pe)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;
	struct spar_uiscmdrsp r;

	while (spar_now_us() < deadline) {
		if (!hba_wait(h, c->cmdtype, le64toh(c->scsi.handle), &r, 10)) {
			if (HOST_BYTE(le32toh(r.scsi.linuxstat)) != DID_ERROR)
				return bad("READ into an unmapped IOVA: %s, want host byte DID_ERROR (7) or NEEDS_RESET",
					   describe(&r));
			note("unmapped IOVA: answered with DID_ERROR (%s)",
			     describe(&r));
			return 0;
		}
		if (status(h) & SPAR_STATUS_NEEDS_RESET) {
			note("unmapped IOVA: device needs reset");
			if (!sysfs_status_is(h->uuid, "needs-reset"))
				return bad("STATUS NEEDS_RESET but sysfs status differs");
			if (stat_of(h->uuid, "protocol_errors") <= pe)
				return bad("stats/protocol_errors did not move");
			return 0;
		}
	}
	return bad("READ into an unmapped IOVA: no response and STATUS %s",
		   status_str(h));
}

/*
 * One malformed command: the device must need a reset (or, for an
 * unmapped IOVA, answer DID_ERROR).
 */
static int evil_malformed(struct hba *h, enum evil e, long long pe)
{
	struct spar_uiscmdrsp c;
	uint8_t cdb[16] = { 0 };
	int i, ret;

	rw10(h, &c, 0, 0, 8);
	switch (e) {
	case EVIL_VARLEN:
		/* a variable-length CDB: its length is inside it */
		cdb[0] = OP_VARLEN;
		cdb[7] = 0x18;
		scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_NONE, 0, 0);
		break;
	case EVIL_GPI_SHORT:
		/* the entries add up to less than bufflen */
		scsi_seg(h, &c, OFF_EVIL, 2048);
		c.scsi.bufflen = htole32(4096);
		break;
	case EVIL_GPI_LONG:
		/* the entries add up to more than bufflen */
		scsi_seg(h, &c, OFF_EVIL, 4096);
		c.scsi.bufflen = htole32(2048);
		break;
	case EVIL_ENTRIES:
		for (i = 0; i < SPAR_MAX_PHYS_INFO; i++)
			scsi_seg(h, &c, OFF_EVIL + i * 64, 64);
		c.scsi.guest_phys_entries = htole16(SPAR_MAX_PHYS_INFO + 1);
		break;
	case EVIL_DIR_UNKNOWN:
		scsi_seg(h, &c, OFF_EVIL, 4096);
		c.scsi.data_dir = htole32(7);
		break;
	case EVIL_DIR_BIDI:
		scsi_seg(h, &c, OFF_EVIL, 4096);
		c.scsi.data_dir = htole32(SPAR_UIS_DMA_BIDIRECTIONAL);
		break;
	case EVIL_IOVA:
		scsi_seg_iova(&c, BAD_IOVA, 4096);
		break;
	default:
		return bad("no such case");
	}
	ret = hba_queue(h, &c);
	if (ret)
		return bad("queueing: %s", strerror(-ret));
	hba_kick(h);
	if (e == EVIL_IOVA)
		return evil_iova(h, &c, pe);
	if (wait_needs_reset(h))
		return -1;
	if (stat_of(h->uuid, "protocol_errors") <= pe)
		return bad("stats/protocol_errors did not move");
	return 0;
}

/* an answer to a command for an absent LUN: CHECK CONDITION or no connect */
static int absent_lun_answer(const struct spar_uiscmdrsp *r, const char *what,
			     uint32_t lun)
{
	uint32_t ls = le32toh(r->scsi.linuxstat);
	struct sense s = sense_of(r);

	if (ls == SAM_CHECK_CONDITION && r->scsi.scsistat == SAM_CHECK_CONDITION) {
		note("%s to LUN %u: CHECK CONDITION, sense key %#x ASC %#x",
		     what, lun, s.key, s.asc);
		return 0;
	}
	if (HOST_BYTE(ls) == DID_NO_CONNECT) {
		note("%s to LUN %u: DID_NO_CONNECT (%s)", what, lun,
		     describe(r));
		return 0;
	}
	return bad("%s to LUN %u (max_lun %u): %s, want CHECK CONDITION or DID_NO_CONNECT",
		   what, lun, SPAR_MAX_SCSI_LUNS, describe(r));
}

/* TEST UNIT READY and a 4 KiB READ to LUN 16 and LUN 1000 */
static int evil_lun_max(struct hba *h)
{
	static const uint32_t luns[2] = { SPAR_MAX_SCSI_LUNS, 1000 };
	static const uint8_t tur[6] = { OP_TEST_UNIT_READY };
	struct spar_uiscmdrsp c, r;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		scsi_cmd(h, &c, tur, sizeof(tur), SPAR_UIS_DMA_NONE, 0, luns[i]);
		if (hba_exec(h, &c, &r) ||
		    absent_lun_answer(&r, "TEST UNIT READY", luns[i]))
			return -1;
		memset(buf_at(h, OFF_LUNX), CANARY, 2 * PAT_BYTES);
		rw10(h, &c, 0, PAT_LBA, PAT_BYTES / BLK);
		c.scsi.vdest.lun = htole32(luns[i]);
		scsi_seg(h, &c, OFF_LUNX, PAT_BYTES);
		if (hba_exec(h, &c, &r) ||
		    absent_lun_answer(&r, "READ(10)", luns[i]))
			return -1;
		if (canary_intact(h, OFF_LUNX, 2 * PAT_BYTES,
				  "buffer of a READ to an absent LUN"))
			return -1;
	}
	return 0;
}

/* LUN RESET and ABORT TASK, nothing in flight, to target 5 (no TPG) */
static int evil_tmf_unknown(struct hba *h)
{
	static const uint32_t types[2] = {
		SPAR_TASK_MGMT_LUN_RESET, SPAR_TASK_MGMT_ABORT_TASK,
	};
	static const char *const tname[2] = { "LUN RESET", "ABORT TASK" };
	struct spar_uiscmdrsp t, r;
	unsigned int i;
	int ret;

	for (i = 0; i < 2; i++) {
		tmf_cmd(h, &t, types[i], 5, 0);
		ret = hba_queue(h, &t);
		if (ret)
			return bad("queueing %s: %s", tname[i], strerror(-ret));
		hba_kick(h);
		ret = hba_wait(h, SPAR_CMD_SCSITASKMGMT_TYPE,
			       le64toh(t.scsitaskmgmt.handle), &r, TMO);
		if (ret)
			return bad("%s to target 5: no answer: %s (STATUS %s)",
				   tname[i], strerror(-ret), status_str(h));
		if (r.scsitaskmgmt.tasktype != t.scsitaskmgmt.tasktype ||
		    r.scsitaskmgmt.vdest.id != t.scsitaskmgmt.vdest.id ||
		    r.scsitaskmgmt.vdest.lun != t.scsitaskmgmt.vdest.lun ||
		    r.scsitaskmgmt.notify_handle !=
		    t.scsitaskmgmt.notify_handle ||
		    r.scsitaskmgmt.notifyresult_handle !=
		    t.scsitaskmgmt.notifyresult_handle)
			return bad("%s to target 5: the answer does not echo the request",
				   tname[i]);
		if (r.scsitaskmgmt.result != SPAR_TASK_MGMT_FAILED &&
		    r.scsitaskmgmt.result != SPAR_TASK_MGMT_SUCCESS)
			return bad("%s to target 5: result %u, want 0 or 1",
				   tname[i], r.scsitaskmgmt.result);
		note("%s to target 5 (no portal group): result %u (%s)",
		     tname[i], r.scsitaskmgmt.result,
		     r.scsitaskmgmt.result ? "success" : "failed");
	}
	return 0;
}

/*
 * 8 READs that all carry one handle: the host must answer each once,
 * with that handle.  Read straight off the queue, past the per-handle
 * accounting, which would take the 2nd to 8th answers for duplicates.
 * The READs differ in their LBA, so the echoed CDB tells them apart.
 */
static int evil_dup_handles(struct hba *h)
{
	struct spar_uiscmdrsp c, r;
	int got[DUP_CMDS] = { 0 };
	unsigned int i, n = 0, good = 0, extra = 0;
	uint64_t handle = 0, deadline, id;
	int ret;

	if (h->nbl)
		return bad("%u answers left over from an earlier case", h->nbl);
	for (i = 0; i < DUP_CMDS; i++) {
		rw10(h, &c, 0, DUP_LBA + i * 8, 8);
		if (!i)
			handle = le64toh(c.scsi.handle);
		c.scsi.handle = htole64(handle);
		scsi_seg(h, &c, OFF_DUP + (size_t)i * 4096, 4096);
		ret = hba_queue(h, &c);
		if (ret)
			return bad("queueing READ %u: %s", i, strerror(-ret));
	}
	if (h->nbl)
		return bad("answers arrived while queueing");
	hba_kick(h);
	deadline = spar_now_us() + 2 * TMO * 1000ULL;
	/* 8 answers, then 300 ms to show that no 9th comes */
	for (;;) {
		ret = spar_guest_remove(&h->g, HBA_CH, RSP_Q, &r, sizeof(r));
		if (ret == -EAGAIN) {
			if (n == DUP_CMDS && spar_now_us() > deadline)
				break;
			if (n < DUP_CMDS && spar_now_us() > deadline)
				return bad("%u of %u READs with one handle answered (STATUS %s)",
					   n, DUP_CMDS, status_str(h));
			usleep(200);
			continue;
		}
		if (ret)
			return bad("response queue: %s", strerror(-ret));
		if (r.cmdtype == SPAR_CMD_NOTIFYGUEST_TYPE)
			continue;
		if (r.cmdtype != SPAR_CMD_SCSI_TYPE ||
		    le64toh(r.scsi.handle) != handle) {
			extra++;
			note("unexpected answer: cmdtype %u handle %#llx",
			     r.cmdtype, (unsigned long long)rsp_handle(&r));
			continue;
		}
		i = (get_be32(r.scsi.cmnd + 2) - DUP_LBA) / 8;
		if (r.scsi.cmnd[0] != OP_READ10 || i >= DUP_CMDS ||
		    get_be32(r.scsi.cmnd + 2) != DUP_LBA + i * 8)
			return bad("an answer with the shared handle echoes no READ sent (opcode %#x, LBA %u)",
				   r.scsi.cmnd[0], get_be32(r.scsi.cmnd + 2));
		if (got[i]++)
			return bad("READ %u (LBA %u) answered twice", i,
				   DUP_LBA + i * 8);
		if (is_good(&r))
			good++;
		if (++n == DUP_CMDS)
			deadline = spar_now_us() + 300000;
	}
	id = handle - HANDLE_BASE;
	if (id < MAX_TRACKED)
		h->answers[id] = 1;
	note("%u READs sharing handle %#llx: %u answers carrying it, %u GOOD",
	     DUP_CMDS, (unsigned long long)handle, n, good);
	if (extra)
		return bad("%u answers to other handles", extra);
	return 0;
}

/*
 * The command queue filled to the last slot with 4 KiB READs, one
 * doorbell: each is answered once, GOOD or TASK SET FULL.  The second
 * instance is checked while the flood is being served.
 */
static int evil_flood(struct hba *h, struct hba *o, long long pe_o)
{
	long long tsf0 = stat_of(h->uuid, "task_set_full"), tsf_stat;
	unsigned int n = 0, i, done = 0, good = 0, tsf = 0, nudges = 0;
	unsigned int max = 4 * (h->cmd_room ? h->cmd_room : 64);
	uint64_t first = HANDLE_BASE + h->seq, dups0 = h->dups, db0, last;
	uint64_t nudged;
	uint8_t used[FLOOD_BUFS] = { 0 };
	struct spar_uiscmdrsp c, r;
	uint8_t *got;
	int ret, fail = 0;

	got = calloc(max, 1);
	if (!got)
		return bad("out of memory");
	memset(buf_at(h, OFF_FLOOD), CANARY, (size_t)FLOOD_BUFS * 4096);
	db0 = h->g.doorbells + h->g.doorbells_skipped;
	while (n < max) {
		rw10(h, &c, 0, PAT_LBA, PAT_BYTES / BLK);
		scsi_seg(h, &c, OFF_FLOOD + (size_t)(n % FLOOD_BUFS) * 4096,
			 PAT_BYTES);
		ret = spar_guest_insert(&h->g, HBA_CH, CMD_Q, &c, sizeof(c));
		if (ret == -EIO)
			break;		/* full */
		if (ret) {
			fail = bad("queueing READ %u: %s", n, strerror(-ret));
			goto out;
		}
		n++;
	}
	hba_kick(h);
	if (h->g.doorbells + h->g.doorbells_skipped - db0 != 1) {
		fail = bad("%llu doorbells for the flood, want 1",
			   (unsigned long long)(h->g.doorbells +
						h->g.doorbells_skipped - db0));
		goto out;
	}
	if (n < h->cmd_room) {
		fail = bad("only %u READs fit in a queue of %u", n,
			   h->cmd_room);
		goto out;
	}
	if (other_serves(o, pe_o)) {
		fail = bad_in("during the flood");
		goto out;
	}
	last = nudged = spar_now_us();
	while (done < n) {
		ret = hba_next(h, &r);
		if (ret == -EAGAIN) {
			uint64_t now = spar_now_us();

			if (now - last > 30000000ULL) {
				fail = bad("%u of %u READs answered, none for 30 s (STATUS %s)",
					   done, n, status_str(h));
				goto out;
			}
			/*
			 * The host may wait for room in the response queue
			 * that this client makes without telling it.
			 */
			if (now - last > 1000000 && now - nudged > 1000000) {
				nudges++;
				nudged = now;
				hba_kick(h);
			}
			usleep(100);
			continue;
		}
		if (ret) {
			fail = bad("response queue: %s", strerror(-ret));
			goto out;
		}
		last = spar_now_us();
		i = (unsigned int)(rsp_handle(&r) - first);
		if (r.cmdtype != SPAR_CMD_SCSI_TYPE || i >= n) {
			note("unexpected response: cmdtype %u handle %#llx",
			     r.cmdtype, (unsigned long long)rsp_handle(&r));
			continue;
		}
		if (got[i]++) {
			fail = bad("READ %u answered twice", i);
			goto out;
		}
		done++;
		if (is_good(&r)) {
			good++;
			used[i % FLOOD_BUFS] = 1;
		} else if (le32toh(r.scsi.linuxstat) == SAM_TASK_SET_FULL &&
			   r.scsi.scsistat == SAM_TASK_SET_FULL) {
			tsf++;
		} else {
			fail = bad("READ %u of the flood: %s, want GOOD or TASK SET FULL",
				   i, describe(&r));
			goto out;
		}
	}
	tsf_stat = stat_of(h->uuid, "task_set_full") - tsf0;
	note("flood of %u READs (the queue holds %u%s), one doorbell: %u GOOD, %u TASK SET FULL, none lost; %u nudging doorbells while waiting",
	     n, h->cmd_room, n > h->cmd_room ?
	     "; the host took some while they were queued" : "",
	     good, tsf, nudges);
	if (h->dups != dups0) {
		fail = bad("%llu duplicate answers",
			   (unsigned long long)(h->dups - dups0));
		goto out;
	}
	/* LIO may answer TASK SET FULL itself (out of resources) */
	if (tsf_stat < 0 || tsf_stat > tsf) {
		fail = bad("stats/task_set_full moved by %lld, %u answers said TASK SET FULL",
			   tsf_stat, tsf);
		goto out;
	}
	if (tsf_stat < tsf)
		note("%lld TASK SET FULL answers from the fabric's slot limit, %lld from LIO",
		     tsf_stat, tsf - tsf_stat);
	for (i = 0; i < FLOOD_BUFS; i++) {
		const uint8_t *b = buf_at(h, OFF_FLOOD + (size_t)i * 4096);

		if (used[i] && memcmp(b, pat1, PAT_BYTES)) {
			fail = bad("a GOOD READ of the flood returned wrong data (buffer %u)",
				   i);
			goto out;
		}
		if (!used[i] && i < n &&
		    canary_intact(h, OFF_FLOOD + (size_t)i * 4096, 4096,
				  "buffer of a READ refused with TASK SET FULL")) {
			fail = -1;
			goto out;
		}
	}
out:
	free(got);
	return fail ? -1 : 0;
}

/*
 * READ(16) of 8 blocks with a buffer of 512 bytes in the middle of a
 * page: answered, and nothing written around the 512 bytes.
 */
static int evil_cdb_len(struct hba *h)
{
	const size_t at = OFF_CDB + 0x400;
	uint8_t cdb[16] = { OP_READ16 };
	struct spar_uiscmdrsp c, r;

	put_be32(cdb + 6, PAT_LBA);
	put_be32(cdb + 10, 8);
	memset(buf_at(h, OFF_CDB), CANARY, 0x2000);
	scsi_cmd(h, &c, cdb, sizeof(cdb), SPAR_UIS_DMA_FROM_DEVICE, 0, 0);
	scsi_seg(h, &c, at, BLK);
	if (hba_exec(h, &c, &r))
		return -1;
	note("READ(16) of 8 blocks into 512 bytes: %s", describe(&r));
	if (canary_intact(h, OFF_CDB, at - OFF_CDB, "before the 512-byte entry") ||
	    canary_intact(h, at + BLK, OFF_CDB + 0x2000 - at - BLK,
			  "after the 512-byte entry"))
		return -1;
	if (is_good(&r) && memcmp(buf_at(h, at), pat1, BLK))
		return bad("READ(16) answered GOOD with the wrong 512 bytes");
	return 0;
}

/*
 * ---- dma_unmap racing the pins of commands in flight ----
 *
 * A thread keeps RACE_DEPTH WRITE(10)s of max_io_size in flight whose
 * scatter lists cover the RACE_PAGES-page range R, each entry in another
 * page, while the main thread unmaps R and maps it again.  The type1
 * IOMMU calls dma_unmap once per round; a second round means a command
 * pinned in R while it was being unmapped.  When the unmap returns no
 * command of the instance may hold a pin (all of them lie in R).
 * Commands that meet the unmapped range are answered DID_ERROR.
 */
#define RACE_IOVA	0x40000000ULL
#define RACE_PAGES	64
#define RACE_DEPTH	8
#define RACE_LBA	8192
#define RACE_CYCLES	200

struct race {
	struct hba *h;
	struct spar_arena r;
	pthread_mutex_t mu;	/* the instance's queues and these fields */
	int stop;
	uint32_t per;		/* bytes per scatter entry */
	unsigned int nseg;
	uint64_t inflight[RACE_DEPTH];	/* handles; 0: free */
	unsigned int n;
	uint64_t rot;
	uint64_t sent, good, did_error, tsf, other, stray, lost;
	int err;
	char first_other[200];
};

static void race_account(struct race *x, const struct spar_uiscmdrsp *a)
{
	uint32_t ls = le32toh(a->scsi.linuxstat);
	unsigned int i;

	if (a->cmdtype != SPAR_CMD_SCSI_TYPE) {
		x->stray++;
		return;
	}
	for (i = 0; i < RACE_DEPTH; i++)
		if (x->inflight[i] && x->inflight[i] == le64toh(a->scsi.handle))
			break;
	if (i == RACE_DEPTH) {
		x->stray++;
		return;
	}
	x->inflight[i] = 0;
	x->n--;
	if (!ls) {
		x->good++;
	} else if (HOST_BYTE(ls) == DID_ERROR) {
		x->did_error++;
	} else if (ls == SAM_TASK_SET_FULL) {
		x->tsf++;
	} else {
		if (!x->other)
			snprintf(x->first_other, sizeof(x->first_other), "%s",
				 describe(a));
		x->other++;
	}
}

/* a WRITE(10) of nseg entries, each in another page of R */
static void race_write(struct race *x, struct spar_uiscmdrsp *c)
{
	unsigned int i;

	rw10(x->h, c, 1, RACE_LBA, x->per * x->nseg / BLK);
	for (i = 0; i < x->nseg; i++) {
		uint64_t page = (x->rot + (uint64_t)i * 7) % RACE_PAGES;

		scsi_seg_iova(c, RACE_IOVA + page * 4096, x->per);
	}
	x->rot++;
}

/* answers in, then the queue topped up to RACE_DEPTH; with x->mu held */
static void race_step(struct race *x)
{
	struct hba *h = x->h;
	struct spar_uiscmdrsp c, a;
	unsigned int i, added = 0;
	int ret;

	if (__atomic_load_n(&x->err, __ATOMIC_RELAXED) ||
	    status(h) != SPAR_STATUS_READY)
		return;
	while (!(ret = hba_next(h, &a)))
		race_account(x, &a);
	if (ret != -EAGAIN) {
		__atomic_store_n(&x->err, ret, __ATOMIC_RELAXED);
		return;
	}
	while (x->n < RACE_DEPTH) {
		race_write(x, &c);
		if (spar_guest_insert(&h->g, HBA_CH, CMD_Q, &c, sizeof(c)))
			break;
		for (i = 0; x->inflight[i]; i++)
			;
		x->inflight[i] = le64toh(c.scsi.handle);
		x->n++;
		x->sent++;
		added++;
	}
	if (added)
		hba_kick(h);
}

static void *race_thread(void *arg)
{
	struct race *x = arg;

	while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&x->mu);
		race_step(x);
		pthread_mutex_unlock(&x->mu);
		usleep(100);
	}
	return NULL;
}

/* NEEDS_RESET: forget what was in flight and recover; with x->mu held */
static int race_recover(struct race *x)
{
	x->lost += x->n;
	x->n = 0;
	memset(x->inflight, 0, sizeof(x->inflight));
	return recover(x->h);
}

static int evil_unmap_race(struct hba *h)
{
	static struct race x;
	const char *env = getenv("HBA_RACE_CYCLES");
	long cycles = env && *env ? atol(env) : RACE_CYCLES;
	long armed = 0, resets = 0, hist[3] = { 0 }, c;
	long long max_rounds = 0, du0, du1, po, rounds;
	uint32_t len;
	uint64_t t0, deadline;
	pthread_t tid;
	int ret, fail = 0;

	memset(&x, 0, sizeof(x));
	x.h = h;
	pthread_mutex_init(&x.mu, NULL);
	len = h->max_io < RACE_PAGES * 4096 ? h->max_io : RACE_PAGES * 4096;
	x.nseg = RACE_PAGES;
	x.per = len / RACE_PAGES / BLK * BLK;
	if (cycles < 1)
		return bad("HBA_RACE_CYCLES=%s: want at least 1", env);
	if (!x.per)
		return bad("max_io_size %u: too small for %u entries of 512 bytes",
			   h->max_io, RACE_PAGES);
	ret = spar_arena_create(&h->v, &x.r, RACE_IOVA, RACE_PAGES * 4096);
	if (ret)
		return bad("mapping R: %s", strerror(-ret));
	fill_random(x.r.va, RACE_PAGES * 4096);
	note("unmap race: %ld cycles, %u WRITE(10)s of %u bytes (max_io_size %u) in flight, %u entries of %u bytes over %u pages",
	     cycles, RACE_DEPTH, x.per * x.nseg, h->max_io, x.nseg, x.per,
	     RACE_PAGES);
	ret = pthread_create(&tid, NULL, race_thread, &x);
	if (ret) {
		spar_arena_destroy(&h->v, &x.r);
		return bad("pthread_create: %s", strerror(ret));
	}
	t0 = spar_now_us();
	for (c = 0; c < cycles && !fail; c++) {
		/* arm once a command holds pins in R (all of them are there) */
		deadline = spar_now_us() + 500000;
		while (stat_of(h->uuid, "pins_owned") <= 0 &&
		       spar_now_us() < deadline)
			usleep(200);
		if (stat_of(h->uuid, "pins_owned") > 0)
			armed++;
		du0 = stat_of(h->uuid, "dma_unmaps");
		ret = spar_arena_unmap(&h->v, &x.r);
		if (ret) {
			fail = bad("cycle %ld: VFIO_IOMMU_UNMAP_DMA of R: %s", c,
				   strerror(-ret));
			break;
		}
		du1 = stat_of(h->uuid, "dma_unmaps");
		po = stat_of(h->uuid, "pins_owned");
		rounds = du1 - du0;
		if (du0 < 0 || du1 < 0 || po < 0) {
			fail = bad("cycle %ld: stats/dma_unmaps or stats/pins_owned unreadable",
				   c);
			break;
		}
		hist[rounds > 2 ? 2 : rounds]++;
		if (rounds > max_rounds)
			max_rounds = rounds;
		if (rounds > 1)
			fail = bad("cycle %ld: one unmap took %lld dma_unmap rounds: a command pinned R while it was being unmapped",
				   c, rounds);
		else if (po)
			fail = bad("cycle %ld: stats/pins_owned %lld after the unmap of R returned, every command's buffer being in R",
				   c, po);
		ret = spar_arena_map(&h->v, &x.r);
		if (ret) {
			fail = bad("cycle %ld: VFIO_IOMMU_MAP_DMA of R: %s", c,
				   strerror(-ret));
			break;
		}
		if (status(h) & SPAR_STATUS_NEEDS_RESET) {
			pthread_mutex_lock(&x.mu);
			resets++;
			if (race_recover(&x) && !fail)
				fail = bad_in("cycle %ld: recovery", c);
			pthread_mutex_unlock(&x.mu);
		}
		if (__atomic_load_n(&x.err, __ATOMIC_RELAXED) && !fail)
			fail = bad("cycle %ld: response queue: %s", c,
				   strerror(-x.err));
	}
	__atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);

	/* what is still in flight is answered */
	deadline = spar_now_us() + 2 * TMO * 1000ULL;
	while (x.n && !x.err && spar_now_us() < deadline) {
		struct spar_uiscmdrsp a;

		if (status(h) & SPAR_STATUS_NEEDS_RESET) {
			resets++;
			if (race_recover(&x) && !fail)
				fail = bad_in("recovery after the race");
			break;
		}
		ret = hba_next(h, &a);
		if (!ret)
			race_account(&x, &a);
		else if (ret == -EAGAIN)
			usleep(200);
		else
			x.err = ret;
	}
	note("%ld unmap/map cycles in %llu ms, %ld armed with pins held; dma_unmap rounds per unmap: 0: %ld, 1: %ld, 2+: %ld (most %lld)",
	     c, (unsigned long long)(spar_now_us() - t0) / 1000, armed,
	     hist[0], hist[1], hist[2], max_rounds);
	note("%llu WRITEs sent: %llu GOOD, %llu DID_ERROR, %llu TASK SET FULL, %llu other, %llu stray answers, %llu lost to %ld resets, %u unanswered",
	     (unsigned long long)x.sent, (unsigned long long)x.good,
	     (unsigned long long)x.did_error, (unsigned long long)x.tsf,
	     (unsigned long long)x.other, (unsigned long long)x.stray,
	     (unsigned long long)x.lost, resets, x.n);
	if (!fail && x.err)
		fail = bad("response queue: %s", strerror(-x.err));
	if (!fail && x.n)
		fail = bad("%u WRITEs never answered (STATUS %s)", x.n,
			   status_str(h));
	if (!fail && x.stray)
		fail = bad("%llu answers to no command in flight",
			   (unsigned long long)x.stray);
	if (!fail && x.other)
		fail = bad("%llu answers neither GOOD, DID_ERROR nor TASK SET FULL, first: %s",
			   (unsigned long long)x.other, x.first_other);
	if (!fail && !x.good)
		fail = bad("no WRITE succeeded");
	if (!fail && armed < c / 2)
		fail = bad("only %ld of %ld unmaps found pins held in R", armed,
			   c);
	if (!fail && (status(h) & SPAR_STATUS_NEEDS_RESET)) {
		resets++;
		if (race_recover(&x))
			fail = bad_in("recovery after the race");
	}
	spar_arena_destroy(&h->v, &x.r);
	pthread_mutex_destroy(&x.mu);
	return fail ? -1 : 0;
}

static int evil_case(struct hba *h, struct hba *o, enum evil e,
		     long long pe_o)
{
	long long pe = stat_of(h->uuid, "protocol_errors");
	enum evil_outcome want = evil_outcome(e);
	int ret;

	switch (e) {
	case EVIL_LUN_MAX:
		ret = evil_lun_max(h);
		break;
	case EVIL_TMF_UNKNOWN:
		ret = evil_tmf_unknown(h);
		break;
	case EVIL_DUP_HANDLES:
		ret = evil_dup_handles(h);
		break;
	case EVIL_FLOOD:
		ret = evil_flood(h, o, pe_o);
		break;
	case EVIL_CDB_LEN:
		ret = evil_cdb_len(h);
		break;
	case EVIL_UNMAP_RACE:
		ret = evil_unmap_race(h);
		break;
	default:
		ret = evil_malformed(h, e, pe);
		break;
	}
	if (ret)
		return -1;
	if (want == EVIL_SERVES) {
		if (serves(h, pe))
			return -1;
	} else if (e == EVIL_UNMAP_RACE) {
		/* the race recovered a device that needed it */
		if (tur_ready(h))
			return bad_in("after the race");
	} else if (recover(h)) {
		return -1;
	}
	return other_serves(o, pe_o);
}

static int malformed_setup(struct hba *h, struct hba *o)
{
	static const size_t off[1] = { OFF_PAT };
	static const uint32_t len[1] = { PAT_BYTES };

	if (hba_open(h) || tur_ready(h))
		return -1;
	if (hba_open(o) || tur_ready(o))
		return bad_in("second instance");
	fill_random(pat1, PAT_BYTES);
	fill_random(pat2, PAT_BYTES);
	memcpy(buf_at(h, OFF_PAT), pat1, PAT_BYTES);
	memcpy(buf_at(o, OFF_PAT), pat2, PAT_BYTES);
	if (rw_pieces(h, 1, PAT_LBA, off, len, 1))
		return -1;
	if (rw_pieces(o, 1, PAT_LBA, off, len, 1) ||
	    read_back(o, PAT_LBA, pat2))
		return bad_in("second instance");
	return 0;
}

static int do_malformed(char **argv)
{
	struct hba *h = hba_new(argv[0], 0), *o = hba_new(argv[1], 1);
	long long pe_o;
	int e;

	seed_rng();
	if (!strcasecmp(argv[0], argv[1])) {
		bad("the two UUIDs are the same");
		result("evil-setup", 0);
		return 0;
	}
	if (malformed_setup(h, o)) {
		result("evil-setup", 0);
		goto out;
	}
	pe_o = stat_of(o->uuid, "protocol_errors");
	for (e = 0; e < EVIL_NR; e++)
		result(evil_names[e], !evil_case(h, o, e, pe_o));
out:
	hba_close(o);
	hba_close(h);
	return 0;
}

/* ---- the VHBA limits set through the instance's attributes ---- */

/*
 * The channel carries what the attributes say, the host refuses a target
 * or a LUN beyond them, and the attributes do not change while the device
 * is open.
 */
static int do_limits(char **argv)
{
	struct hba *h = hba_new(argv[0], 0);
	uint32_t want[4], got[4];
	struct spar_vhba_config_max max;
	unsigned int i;
	int ret, ok;

	for (i = 0; i < 4; i++)
		want[i] = strtoul(argv[i + 1], NULL, 0);
	ok = !hba_open(h);
	result("limits-open", ok);
	if (!ok)
		goto out;
	ret = spar_vfio_bar0_read(&h->v, h->g.chan_off[HBA_CH] +
				  offsetof(struct spar_io_channel, vhba) +
				  offsetof(struct spar_iochannel_vhba, max),
				  &max, sizeof(max));
	got[0] = le32toh(max.max_id);
	got[1] = le32toh(max.max_lun);
	got[2] = le32toh(max.cmd_per_lun);
	got[3] = le32toh(max.max_io_size);
	ok = !ret && !memcmp(got, want, sizeof(got));
	if (!ok)
		bad("vhba area: max_id %u max_lun %u cmd_per_lun %u max_io_size %u, want %u %u %u %u",
		    got[0], got[1], got[2], got[3], want[0], want[1],
		    want[2], want[3]);
	result("limits-area", ok);
	result("limits-tur", !tur_ready(h));
	result("limits-lun-beyond", !want_no_connect(h, 0, want[1]));
	result("limits-id-beyond", !want_no_connect(h, want[0], 0));
	ret = spar_sysfs_write(h->uuid, "max_lun", "1");
	ok = ret == -EBUSY;
	if (!ok)
		bad("writing max_lun while open: %s, want EBUSY",
		    ret ? strerror(-ret) : "accepted");
	result("limits-busy", ok);
out:
	hba_close(h);
	return 0;
}

/* ---- close and open again ---- */

static int do_reopen(char **argv)
{
	struct hba *h = hba_new(argv[0], 0);
	int ok;

	ok = !hba_open(h) && !tur_ready(h);
	hba_close(h);
	if (ok && !sysfs_status_is(argv[0], "closed"))
		ok = !bad("status not closed after close");
	result("reopen-first", ok);
	h = hba_new(argv[0], 0);
	ok = !hba_open(h) && !tur_ready(h);
	result("reopen-second", ok);
	hba_close(h);
	return 0;
}

int main(int argc, char **argv)
{
	/*
	 * checks: every name the subcommand reports when nothing fails
	 * (hba_test --list CMD prints them, and the harness fails any that
	 * did not appear).  Names reported only on a failure are not listed.
	 */
	static const struct {
		const char *name;
		int args;
		int (*fn)(char **argv);
		const char *checks;
	} cmds[] = {
		{ "basic", 2, do_basic,
		  "bring-up tur inquiry read-capacity10 read-capacity16 "
		  "report-luns write-read bad-opcode bad-lun no-target "
		  "queue-depth lun-reset busmaster stats" },
		{ "malformed", 2, do_malformed,
		  "evil-varlen-cdb evil-gpi-short evil-gpi-long "
		  "evil-gpi-entries evil-data-dir evil-bidirectional "
		  "evil-unmapped-iova evil-lun-beyond-max evil-tmf-unknown "
		  "evil-dup-handles evil-flood evil-cdb-len evil-unmap-race" },
		{ "reopen", 1, do_reopen, "reopen-first reopen-second" },
		{ "limits", 5, do_limits,
		  "limits-open limits-area limits-tur limits-lun-beyond "
		  "limits-id-beyond limits-busy" },
	};
	const char *abort_after = getenv("SPAR_TEST_ABORT_AFTER");
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (abort_after && *abort_after)
		results_left = atoi(abort_after);
	if (argc == 3 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			char list[512], *tok, *save = NULL;

			if (strcmp(argv[2], cmds[i].name))
				continue;
			snprintf(list, sizeof(list), "%s", cmds[i].checks);
			for (tok = strtok_r(list, " ", &save); tok;
			     tok = strtok_r(NULL, " ", &save))
				printf("hba-%s\n", tok);
			return 0;
		}
		fprintf(stderr, "hba_test: no subcommand '%s'\n", argv[2]);
		return 2;
	}
	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (argc != cmds[i].args + 2)
			break;
		cmds[i].fn(argv + 2);
		return failures ? 1 : 0;
	}
	fprintf(stderr, "usage: hba_test basic UUID BLOCKS\n"
		"       hba_test malformed UUID UUID2\n"
		"       hba_test reopen UUID\n"
		"       hba_test limits UUID MAX_ID MAX_LUN CMD_PER_LUN MAX_IO_SIZE\n"
		"       hba_test --list SUBCOMMAND\n");
	return 2;
}
