// SPDX-License-Identifier: GPL-2.0
/*
 * spar-input guest for the VM test tier: a userspace VFIO client that
 * plays the guest of one spar-input instance (keyboard channel 0, mouse
 * channel 1, each one queue of 16-byte reports that only the host fills),
 * run as root inside the test VM with spar_mdev loaded.
 *
 *   input_test area UUID
 *	Bring the instance up and print what a guest validates and reads:
 *	"kbd n_input_reports=N", "mouse n_input_reports=N x_res=X y_res=Y",
 *	the directory entries, channel headers (signature, size, version,
 *	GUID, ...) and queue headers of both channels.  Every value is
 *	checked against spar/input.h and what the host's layout writes
 *	(mdev-parent/spar_layout.c, spar_input.c, channel/signalqueue.c);
 *	each disagreement is a "# " line.  x_res / y_res are checked
 *	against the instance's x_res / y_res attributes when it has them,
 *	else against the defaults.
 *
 *   input_test read UUID [--count N] [--timeout MS] [--delay-first MS]
 *		    [--slow MS] [--ready FILE]
 *	Bring the instance up (bus master, DRIVER_OK, MSI), create FILE,
 *	wait --delay-first MS without removing anything (the host's queues
 *	fill), then remove reports from both channels, one line each:
 *	"kbd|mouse ACTION ARG1 ARG2", the arguments 0x%04x for the key
 *	actions (64..67) and decimal otherwise.  After each batch of removals
 *	the doorbell is rung if host_polling asks for it.  --slow sleeps MS
 *	after every removal (and then takes the channels in turns, one
 *	report each).  Stops after N reports, or after --timeout MS (default
 *	5000) without a report, counted from the end of --delay-first.  A
 *	pause of the back-end is acknowledged and resumed like a guest
 *	driver does.
 *
 *   input_test malicious UUID CASE [--timeout MS] [--seed N]
 *	Misbehave as a hostile guest for --timeout MS (default 3000) while
 *	the caller keeps the host delivering events, then print one line
 *	"malicious case=CASE status=NAMES status_raw=0x.. reports=N kbd=N
 *	mouse=N interrupts=N doorbells=N writes=N bad_headers=N
 *	elapsed_ms=N": STATUS as the register reads at the end (ready,
 *	paused, needs-reset, broken, joined by '+'; "none" for 0,
 *	"unreadable" if the read failed) and the reports this guest removed.
 *	Judging the outcome (host log, other instances) is the caller's job.
 *	Reports are removed with the geometry the host wrote at bring-up,
 *	whatever the case scribbled over.  --seed repeats a run.  Cases:
 *
 *	tail-out-of-range   tail = max_slots + 7 on both queues, doorbells
 *	tail-wild           random u32s (some near the ring) in tail
 *	head-scribble       garbage in head and num_sent, consuming
 *	queue-geometry      max_slots, signal_size, sig_base_offset, size,
 *			    the counters ... of the queue headers
 *	chan-header         signature, size, ch_space_offset, version_id,
 *			    chtype, every other header field, channel data
 *	doorbell-storm      200000 doorbells, some with nonsense indexes
 *	never-consume       nothing removed: the host's queues stay full
 *	bus-master-flap     Bus Master off and on every 10 ms, consuming
 *	transport-scribble  transport page: header, directory, both
 *			    notification arrays
 *	reset-storm         RESET and bring-up again every 2..5 ms
 *	register-scribble   writes to read-only, W1C and undefined registers,
 *			    RESET values other than 1 (no violation)
 *	guest-status        illegal GUEST_STATUS writes (a violation)
 *
 *   input_test --list malicious	the CASE names, one a line
 *
 * Exit status:
 *   0  area: everything as expected; read: N reports seen (--count), or
 *      the timeout passed without --count; malicious: the case ran
 *   1  area: a value disagrees; read: the timeout passed before --count
 *      reports, or the device stopped serving (NEEDS_RESET, BROKEN) or
 *      showed an unusable queue header
 *   2  usage error
 *   3  the instance could not be opened or brought up (no such
 *      instance, VFIO error, not a spar-input instance), the --ready file
 *      could not be created, or a malicious case could not do its part
 *
 * Diagnostics on stdout start with "# "; errors go to stderr prefixed with
 * "input_test: ".  stdout is flushed after every line.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/input.h>
#include <spar/transport.h>

#include "spar_decode.h"
#include "spar_guest.h"
#include "spar_vfio.h"

#define EXIT_CHECK	1
#define EXIT_USAGE	2
#define EXIT_SETUP	3

#define KBD		0
#define MOUSE		1
#define NCHAN		2
#define Q		SPAR_INPUT_QUEUE

#define PCI_CMD_MASTER	0x4
#define POLL_MS		5	/* queues are looked at this often at least */

/* What the host's layout writes (spar_layout.c, spar_sq_server_reset()) */
#define SLOTS		SPAR_INPUT_MAXINPUTREPORTS
#define SIG_SIZE	SPAR_INPUT_REPORT_SIZE
#define CHAN_SIZE	SPAR_INPUT_CHANNEL_SIZE
#define BAR0_SIZE	16384	/* transport page + 2 channels, power of 2 */
#define MAX_RES		32767	/* x_res / y_res attribute range */

_Static_assert(sizeof(struct spar_input_report) == SPAR_INPUT_REPORT_SIZE,
	       "input report size");
_Static_assert(sizeof(struct spar_input_channel) == SPAR_INPUT_CHANNEL_END,
	       "input channel layout");
_Static_assert(offsetof(struct spar_input_channel, input_report_q) ==
	       SPAR_INPUT_QUEUE_OFFSET, "queue header offset");
_Static_assert(offsetof(struct spar_input_channel, input_report) ==
	       SPAR_INPUT_SLOTS_OFFSET, "slot offset");

static const char *const chname[NCHAN] = { "kbd", "mouse" };
static const struct spar_guid chguid[NCHAN] = {
	SPAR_KEYBOARD_CHANNEL_GUID, SPAR_MOUSE_CHANNEL_GUID
};
static const uint32_t chversion[NCHAN] = {
	SPAR_KEYBOARD_CHANNEL_VERSIONID, SPAR_MOUSE_CHANNEL_VERSIONID
};

/* ---- messages ---- */

static int err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "input_test: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
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

/* ---- BAR0 words (shared memory: single loads and stores) ---- */

static uint16_t ld16(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static uint32_t ld32(const uint8_t *p)
{
	return le32toh(__atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED));
}

static uint64_t ld64(const uint8_t *p)
{
	return le64toh(__atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED));
}

static void st32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

static void st64(uint8_t *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, htole64(v), __ATOMIC_RELAXED);
}

/* a store of @width bytes (1, 2, 4, 8 or 16) of @v at @p */
static void scribble(uint8_t *p, unsigned int width, uint64_t v)
{
	switch (width) {
	case 1:
		__atomic_store_n(p, (uint8_t)v, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((uint16_t *)p, htole16((uint16_t)v),
				 __ATOMIC_RELAXED);
		break;
	case 4:
		st32(p, (uint32_t)v);
		break;
	case 8:
		st64(p, v);
		break;
	case 16:
		st64(p, v);
		st64(p + 8, ~v * 0x9e3779b97f4a7c15ULL);
		break;
	}
}

#define QH(f)	offsetof(struct spar_signal_queue_header, f)
#define CH(f)	offsetof(struct spar_channel_header, f)
#define TP(f)	offsetof(struct spar_transport_page, f)
#define DIR(f)	offsetof(struct spar_transport_dir_entry, f)
#define HDR(f)	offsetof(struct spar_transport_header, f)

/* ---- numbers and names ---- */

static int parse_num(const char *s, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static const char *action_name(uint16_t a)
{
	switch (a) {
	case SPAR_INPUTACTION_NONE:
		return "NONE";
	case SPAR_INPUTACTION_XY_MOTION:
		return "XY_MOTION";
	case SPAR_INPUTACTION_MOUSE_BUTTON_DOWN:
		return "BUTTON_DOWN";
	case SPAR_INPUTACTION_MOUSE_BUTTON_UP:
		return "BUTTON_UP";
	case SPAR_INPUTACTION_MOUSE_BUTTON_CLICK:
		return "BUTTON_CLICK";
	case SPAR_INPUTACTION_MOUSE_BUTTON_DCLICK:
		return "BUTTON_DCLICK";
	case SPAR_INPUTACTION_WHEEL_ROTATE_AWAY:
		return "WHEEL_AWAY";
	case SPAR_INPUTACTION_WHEEL_ROTATE_TOWARD:
		return "WHEEL_TOWARD";
	case SPAR_INPUTACTION_SET_MAX_XY:
		return "SET_MAX_XY";
	case SPAR_INPUTACTION_KEY_DOWN:
		return "KEY_DOWN";
	case SPAR_INPUTACTION_KEY_UP:
		return "KEY_UP";
	case SPAR_INPUTACTION_SET_LOCKING_KEY_STATE:
		return "LOCK_STATE";
	case SPAR_INPUTACTION_KEY_DOWN_UP:
		return "KEY_DOWN_UP";
	}
	return NULL;
}

static int is_key_action(uint16_t a)
{
	return a >= SPAR_INPUTACTION_KEY_DOWN &&
	       a <= SPAR_INPUTACTION_KEY_DOWN_UP;
}

static void print_report(unsigned int ch, const struct spar_input_report *r)
{
	uint16_t a = le16toh(r->activity.action);
	uint16_t a1 = le16toh(r->activity.arg1);
	uint16_t a2 = le16toh(r->activity.arg2);
	const char *name = action_name(a);
	char num[8];

	if (!name) {
		snprintf(num, sizeof(num), "%u", a);
		name = num;
	}
	if (is_key_action(a))
		printf("%s %s 0x%04x 0x%04x\n", chname[ch], name, a1, a2);
	else
		printf("%s %s %u %u\n", chname[ch], name, a1, a2);
	fflush(stdout);
}

/* STATUS bits by name, as the instance's sysfs status attribute names them */
static const char *status_names(uint32_t st, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{ SPAR_STATUS_READY, "ready" },
		{ SPAR_STATUS_PAUSED, "paused" },
		{ SPAR_STATUS_NEEDS_RESET, "needs-reset" },
		{ SPAR_STATUS_BROKEN, "broken" },
	};
	size_t n = 0, i;

	if (st == 0xffffffff) {
		snprintf(buf, len, "unreadable");
		return buf;
	}
	buf[0] = 0;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if ((st & bits[i].bit) && n < len)
			n += snprintf(buf + n, len - n, "%s%s", n ? "+" : "",
				      bits[i].name);
	if ((st & ~0xfU) && n < len)
		n += snprintf(buf + n, len - n, "%s0x%x", n ? "+" : "",
			      st & ~0xfU);
	if (!n)
		snprintf(buf, len, "none");
	return buf;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- one instance ---- */

struct inst {
	const char *uuid;
	struct spar_vfio v;
	struct spar_guest g;
	int open;
	int msi;		/* the MSI eventfd is set up */
	uint32_t gstatus;	/* GUEST_STATUS as we last wrote it */
	uint64_t irqs;		/* MSIs seen */
};

static uint8_t *chan(struct inst *in, unsigned int ch)
{
	return spar_guest_chan(&in->g, ch);
}

/* queue 0 of @ch where the host put it (ch_space_offset read at bring-up) */
static uint8_t *queue(struct inst *in, unsigned int ch)
{
	return spar_guest_queue(&in->g, ch, Q);
}

static uint32_t reg(struct inst *in, unsigned int off)
{
	return spar_vfio_reg_read(&in->v, off);
}

/* hdr.status: the host's copy of STATUS in the transport page */
static uint32_t hdr_status(struct inst *in)
{
	return ld32(in->g.bar0 + TP(hdr) + HDR(status));
}

static void inst_close(struct inst *in)
{
	if (in->open)
		spar_vfio_close(&in->v);
	in->open = 0;
}

/*
 * Open and bring up: memory space and bus master, RESET, transport page
 * validated, features, DRIVER_OK.  Errors are printed.
 */
static int inst_open(struct inst *in, const char *uuid, uint32_t features)
{
	char e[200], why[256] = "";
	int ret;

	memset(in, 0, sizeof(*in));
	in->uuid = uuid;
	ret = spar_vfio_open(&in->v, uuid);
	if (ret)
		return err("open %s: %s", uuid,
			   spar_vfio_strerror(&in->v, ret, e, sizeof(e)));
	in->open = 1;
	ret = spar_guest_bringup(&in->g, &in->v, features, why, sizeof(why));
	if (ret)
		return err("bring-up of %s: %s (%s)", uuid,
			   why[0] ? why : "failed", strerror(-ret));
	in->gstatus = SPAR_GUEST_STATUS_DRIVER_OK;
	if (in->g.type != SPAR_TRANSPORT_TYPE_INPUT)
		return err("%s is not a spar-input instance (transport type %u)",
			   uuid, in->g.type);
	if (in->g.nchan < NCHAN)
		return err("%s has %u channels, a spar-input instance has %u",
			   uuid, in->g.nchan, NCHAN);
	return 0;
}

/* The channels are the keyboard and the mouse, in that order. */
static int inst_check_chans(struct inst *in)
{
	const struct spar_transport_page *tp = (const void *)in->g.bar0;
	unsigned int ch;
	char g[40];

	for (ch = 0; ch < NCHAN; ch++)
		if (memcmp(&tp->dir[ch].type_guid, &chguid[ch],
			   sizeof(chguid[ch])))
			return err("directory entry %u is %s, want the %s channel",
				   ch, spar_guid_str(&tp->dir[ch].type_guid, g),
				   chname[ch]);
	return 0;
}

static int inst_msi(struct inst *in)
{
	char e[200];
	int ret;

	ret = spar_vfio_irq_enable(&in->v, VFIO_PCI_MSI_IRQ_INDEX);
	if (ret) {
		note("MSI eventfd unavailable (%s): polling the queues every %d ms",
		     spar_vfio_strerror(&in->v, ret, e, sizeof(e)), POLL_MS);
		return 0;
	}
	in->msi = 1;
	/* ask for an interrupt when a report arrives (the reset default) */
	spar_guest_set_polling(&in->g, SPAR_TRANSPORT_NOTIFY_INDEX(KBD, Q),
			       SPAR_TRANSPORT_NOTIFY);
	spar_guest_set_polling(&in->g, SPAR_TRANSPORT_NOTIFY_INDEX(MOUSE, Q),
			       SPAR_TRANSPORT_NOTIFY);
	return 0;
}

/* Wait up to @ms for an interrupt (or just sleep without MSI). */
static void inst_wait(struct inst *in, int ms)
{
	uint64_t cnt = 0;

	if (ms < 0)
		ms = 0;
	if (in->msi) {
		if (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, ms,
				       &cnt) > 0)
			in->irqs += cnt;
	} else if (ms) {
		usleep(ms * 1000);
	}
}

/* MSIs that arrived by now, without waiting */
static uint64_t inst_take_irqs(struct inst *in)
{
	uint64_t n = 0, cnt;

	while (in->msi && spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, 0,
					     &cnt) > 0)
		n += cnt;
	in->irqs += n;
	return n;
}

/*
 * A guest driver's answer to @st: acknowledge a pause, resume after it.
 * Returns 1 while the queues may be used, 0 while they must not be
 * (paused, or a reset in progress), -1 once the device stopped serving
 * (NEEDS_RESET, BROKEN).
 */
static int inst_follow_status(struct inst *in, uint32_t st)
{
	if (st == SPAR_STATUS_READY) {
		if (in->gstatus & SPAR_GUEST_STATUS_PAUSED) {
			in->gstatus = SPAR_GUEST_STATUS_DRIVER_OK;
			spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_STATUS,
					    in->gstatus);
			note("resumed after a pause of the back-end");
		}
		return 1;
	}
	if (st & (SPAR_STATUS_NEEDS_RESET | SPAR_STATUS_BROKEN))
		return -1;
	if ((st & SPAR_STATUS_PAUSED) &&
	    in->gstatus == SPAR_GUEST_STATUS_DRIVER_OK) {
		in->gstatus |= SPAR_GUEST_STATUS_PAUSED;
		spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_STATUS,
				    in->gstatus);
		note("back-end paused: acknowledged");
	}
	return 0;
}

/* ---- area ---- */

static int mismatches;

static void mismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mismatch(const char *fmt, ...)
{
	va_list ap;

	mismatches++;
	printf("# MISMATCH ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void want_u64(const char *who, const char *field, uint64_t got,
		     uint64_t want)
{
	if (got != want)
		mismatch("%s %s %llu (0x%llx), want %llu (0x%llx)", who, field,
			 (unsigned long long)got, (unsigned long long)got,
			 (unsigned long long)want, (unsigned long long)want);
}

static void want_guid(const char *who, const char *field, const void *got,
		      const struct spar_guid *want)
{
	struct spar_guid g;
	char a[40], b[40];

	memcpy(&g, got, sizeof(g));
	if (memcmp(&g, want, sizeof(g)))
		mismatch("%s %s %s, want %s", who, field, spar_guid_str(&g, a),
			 spar_guid_str(want, b));
}

/* x_res / y_res the host should have written: the attribute, else default */
static uint32_t want_res(const char *uuid, const char *attr, uint32_t def)
{
	long long v = spar_sysfs_u64(uuid, attr);

	if (v < 0) {
		note("instance has no readable %s attribute: want the default %u",
		     attr, def);
		return def;
	}
	return (uint32_t)v;
}

static void area_chan(struct inst *in, unsigned int ch)
{
	const uint8_t *tp = in->g.bar0;
	const uint8_t *e = tp + TP(dir) + ch * SPAR_TRANSPORT_DIR_ENTRY_SIZE;
	const uint8_t *c = chan(in, ch), *q;
	const char *who = chname[ch];
	struct spar_guid tguid, zguid, hguid, hzone;
	char gs[40], zs[40];
	uint64_t sbo;
	uint32_t n;

	/* directory entry */
	memcpy(&tguid, e + DIR(type_guid), sizeof(tguid));
	memcpy(&zguid, e + DIR(zone_guid), sizeof(zguid));
	printf("%s dir offset=0x%llx size=%llu num_queues=%u flags=0x%x partition_handle=0x%llx guid=%s zone=%s\n",
	       who, (unsigned long long)ld64(e + DIR(offset)),
	       (unsigned long long)ld64(e + DIR(size)),
	       ld16(e + DIR(num_queues)), ld16(e + DIR(flags)),
	       (unsigned long long)ld64(e + DIR(partition_handle)),
	       spar_guid_str(&tguid, gs), spar_guid_str(&zguid, zs));
	want_guid(who, "dir type_guid", &tguid, &chguid[ch]);
	want_u64(who, "dir size", ld64(e + DIR(size)), CHAN_SIZE);
	want_u64(who, "dir num_queues", ld16(e + DIR(num_queues)),
		 SPAR_INPUT_NUM_QUEUES);
	want_u64(who, "dir flags", ld16(e + DIR(flags)),
		 SPAR_TRANSPORT_DIR_F_PRESENT);

	/* channel header */
	memcpy(&hguid, c + CH(chtype), sizeof(hguid));
	memcpy(&hzone, c + CH(zone_guid), sizeof(hzone));
	printf("%s signature=0x%016llx header_size=%u size=%llu version=%u ch_space_offset=%llu srv_state=%u features=0x%llx partition_handle=0x%llx guid=%s zone=%s\n",
	       who, (unsigned long long)ld64(c + CH(signature)),
	       ld32(c + CH(header_size)),
	       (unsigned long long)ld64(c + CH(size)),
	       ld32(c + CH(version_id)),
	       (unsigned long long)ld64(c + CH(ch_space_offset)),
	       ld32(c + CH(srv_state)),
	       (unsigned long long)ld64(c + CH(features)),
	       (unsigned long long)ld64(c + CH(partition_handle)),
	       spar_guid_str(&hguid, gs), spar_guid_str(&hzone, zs));
	want_u64(who, "signature", ld64(c + CH(signature)),
		 SPAR_CHANNEL_SIGNATURE);
	want_u64(who, "header_size", ld32(c + CH(header_size)),
		 SPAR_CHANNEL_HEADER_SIZE);
	want_u64(who, "size", ld64(c + CH(size)), CHAN_SIZE);
	want_u64(who, "version_id", ld32(c + CH(version_id)),
		 chversion[ch]);
	want_u64(who, "ch_space_offset", ld64(c + CH(ch_space_offset)),
		 SPAR_INPUT_QUEUE_OFFSET);
	want_u64(who, "srv_state", ld32(c + CH(srv_state)),
		 SPAR_CHANNELSRV_READY);
	want_guid(who, "chtype", &hguid, &chguid[ch]);
	want_guid(who, "zone_guid (as the directory's)", &hzone, &zguid);
	want_u64(who, "partition_handle (as the directory's)",
		 ld64(c + CH(partition_handle)),
		 ld64(e + DIR(partition_handle)));

	/* channel data */
	n = ld32(c + SPAR_INPUT_CHANNEL_DATA_OFFSET);
	if (ch == KBD) {
		uint32_t flags = ld32(c + SPAR_INPUT_CHANNEL_DATA_OFFSET + 4);

		printf("kbd n_input_reports=%u\n", n);
		printf("kbd flags=0x%x\n", flags);
		want_u64(who, "flags", flags, 0);
	} else {
		uint16_t x = ld16(c + SPAR_INPUT_CHANNEL_DATA_OFFSET + 4);
		uint16_t y = ld16(c + SPAR_INPUT_CHANNEL_DATA_OFFSET + 6);

		printf("mouse n_input_reports=%u x_res=%u y_res=%u\n", n, x, y);
		if (!x || x > MAX_RES || !y || y > MAX_RES)
			mismatch("mouse x_res %u y_res %u: want 1..%u each", x,
				 y, MAX_RES);
		want_u64(who, "x_res", x, want_res(in->uuid, "x_res",
						   SPAR_MOUSE_DEFAULT_X_RES));
		want_u64(who, "y_res", y, want_res(in->uuid, "y_res",
						   SPAR_MOUSE_DEFAULT_Y_RES));
	}
	want_u64(who, "n_input_reports", n, SPAR_INPUT_MAXINPUTREPORTS);

	/* queue header, where ch_space_offset says (checked above) */
	q = c + SPAR_INPUT_QUEUE_OFFSET;
	sbo = ld64(q + QH(sig_base_offset));
	printf("%s queue version=%u chtype=%u size=%llu sig_base_offset=%llu signal_size=%u max_slots=%u max_signals=%u head=%u tail=%u num_sent=%llu num_received=%llu num_overflows=%llu\n",
	       who, ld32(q + QH(version)), ld32(q + QH(chtype)),
	       (unsigned long long)ld64(q + QH(size)),
	       (unsigned long long)sbo, ld32(q + QH(signal_size)),
	       ld32(q + QH(max_slots)), ld32(q + QH(max_signals)),
	       ld32(q + QH(head)), ld32(q + QH(tail)),
	       (unsigned long long)ld64(q + QH(num_sent)),
	       (unsigned long long)ld64(q + QH(num_received)),
	       (unsigned long long)ld64(q + QH(num_overflows)));
	want_u64(who, "queue version", ld32(q + QH(version)), 0);
	want_u64(who, "queue chtype", ld32(q + QH(chtype)), 0);
	want_u64(who, "queue size", ld64(q + QH(size)),
		 (uint64_t)SLOTS * SIG_SIZE);
	want_u64(who, "queue sig_base_offset", sbo,
		 SPAR_INPUT_SIG_BASE_OFFSET);
	want_u64(who, "queue signal_size", ld32(q + QH(signal_size)),
		 SIG_SIZE);
	want_u64(who, "queue max_slots", ld32(q + QH(max_slots)), SLOTS);
	want_u64(who, "queue max_signals", ld32(q + QH(max_signals)),
		 SLOTS - 1);
	want_u64(who, "queue tail (nothing removed yet)", ld32(q + QH(tail)),
		 0);
	if (ld32(q + QH(head)) >= SLOTS)
		mismatch("%s queue head %u, want below %u", who,
			 ld32(q + QH(head)), SLOTS);
	/* the slots end inside the channel */
	if (SPAR_INPUT_QUEUE_OFFSET + sbo + (uint64_t)SLOTS * SIG_SIZE >
	    ld64(e + DIR(size)))
		mismatch("%s slot area ends at %llu, beyond the channel (%llu bytes)",
			 who, (unsigned long long)(SPAR_INPUT_QUEUE_OFFSET +
			 sbo + (uint64_t)SLOTS * SIG_SIZE),
			 (unsigned long long)ld64(e + DIR(size)));
}

static int do_area(int argc, char **argv)
{
	struct inst in;
	const uint8_t *tp;
	unsigned int ch;
	int rc = 0;

	if (argc != 1)
		return -EXIT_USAGE;
	if (inst_open(&in, argv[0], SPAR_TRANSPORT_F_ALL)) {
		inst_close(&in);
		return EXIT_SETUP;
	}
	tp = in.g.bar0;
	printf("transport magic=0x%08x version=%u device_type=%u num_channels=%u bar0_size=%llu page_size=%u generation=%u host_features=0x%x guest_features=0x%x\n",
	       ld32(tp + HDR(magic)), ld32(tp + HDR(version)),
	       ld32(tp + HDR(device_type)), ld32(tp + HDR(num_channels)),
	       (unsigned long long)ld64(tp + HDR(bar0_size)),
	       ld32(tp + HDR(page_size)), ld32(tp + HDR(generation)),
	       reg(&in, SPAR_REG_HOST_FEATURES),
	       reg(&in, SPAR_REG_GUEST_FEATURES));
	want_u64("transport", "num_channels", ld32(tp + HDR(num_channels)),
		 NCHAN);
	want_u64("transport", "bar0_size", ld64(tp + HDR(bar0_size)),
		 BAR0_SIZE);
	for (ch = 0; ch < NCHAN; ch++)
		area_chan(&in, ch);
	printf("notify host_polling=%u,%u guest_polling=%u,%u\n",
	       spar_guest_host_polling(&in.g,
				       SPAR_TRANSPORT_NOTIFY_INDEX(KBD, Q)),
	       spar_guest_host_polling(&in.g,
				       SPAR_TRANSPORT_NOTIFY_INDEX(MOUSE, Q)),
	       ld32(tp + TP(guest_polling) +
		    4 * SPAR_TRANSPORT_NOTIFY_INDEX(KBD, Q)),
	       ld32(tp + TP(guest_polling) +
		    4 * SPAR_TRANSPORT_NOTIFY_INDEX(MOUSE, Q)));
	if (mismatches) {
		err("area of %s: %d value%s disagree%s with spar/input.h and the host's layout",
		    in.uuid, mismatches, mismatches == 1 ? "" : "s",
		    mismatches == 1 ? "s" : "");
		rc = EXIT_CHECK;
	} else {
		printf("area ok\n");
	}
	inst_close(&in);
	return rc;
}

/* ---- options ---- */

struct opts {
	long long count;	/* -1: none */
	long long timeout;
	long long delay_first;
	long long slow;
	long long seed;		/* -1: from the clock */
	const char *ready;
};

/*
 * Options after the positional arguments; @allowed lists the names this
 * subcommand takes.  "--opt VAL" and "--opt=VAL" both work.
 */
static int parse_opts(int argc, char **argv, const char *allowed,
		      struct opts *o)
{
	static const char *const names[] = {
		"count", "timeout", "delay-first", "slow", "seed", "ready",
	};
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val, *eq;
		char name[32];
		long long *dst = NULL, max = 24LL * 3600 * 1000;
		size_t n, k;

		if (strncmp(a, "--", 2))
			return err("unexpected argument '%s'", a);
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		if (n >= sizeof(name))
			return err("unknown option '--%s'", a);
		memcpy(name, a, n);
		name[n] = 0;
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcmp(name, names[k]))
				break;
		if (k == sizeof(names) / sizeof(names[0]) ||
		    !strstr(allowed, name))
			return err("unknown option '--%s'", name);
		if (eq) {
			val = eq + 1;
		} else {
			if (i + 1 >= argc)
				return err("option '--%s' needs a value", name);
			val = argv[++i];
		}
		if (!strcmp(name, "ready")) {
			if (!*val)
				return err("--ready needs a file name");
			o->ready = val;
			continue;
		}
		if (!strcmp(name, "count")) {
			dst = &o->count;
			max = 1LL << 40;
		} else if (!strcmp(name, "timeout")) {
			dst = &o->timeout;
		} else if (!strcmp(name, "delay-first")) {
			dst = &o->delay_first;
		} else if (!strcmp(name, "slow")) {
			dst = &o->slow;
		} else {
			dst = &o->seed;
			max = 0xffffffffLL;
		}
		if (parse_num(val, max, dst))
			return err("--%s '%s': want a whole number 0..%lld",
				   name, val, max);
	}
	return 0;
}

static int write_ready(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err("--ready %s: %s", path, strerror(errno));
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n) {
		int e = errno;

		close(fd);
		return err("--ready %s: write: %s", path, strerror(e));
	}
	if (close(fd))
		return err("--ready %s: %s", path, strerror(errno));
	return 0;
}

/* ---- read ---- */

static int do_read(int argc, char **argv)
{
	struct opts o = { .count = -1, .timeout = 5000, .seed = -1 };
	struct spar_input_report r;
	uint64_t seen = 0, last, now, t0;
	struct inst in;
	char s[64];
	int rc = 0, st, ch, ret;

	if (argc < 1)
		return -EXIT_USAGE;
	if (parse_opts(argc - 1, argv + 1,
		       "count timeout delay-first slow ready", &o))
		return -EXIT_USAGE;
	if (inst_open(&in, argv[0], SPAR_TRANSPORT_F_ALL) ||
	    inst_check_chans(&in) || inst_msi(&in)) {
		inst_close(&in);
		return EXIT_SETUP;
	}
	if (o.ready && write_ready(o.ready)) {
		inst_close(&in);
		return EXIT_SETUP;
	}
	note("%s up: features 0x%x, %s", in.uuid, in.g.features,
	     in.msi ? "MSI" : "polling");

	/* let the host's queues fill; still answer a pause */
	t0 = spar_now_us();
	while (spar_now_us() - t0 < (uint64_t)o.delay_first * 1000) {
		if (inst_follow_status(&in, hdr_status(&in)) < 0)
			break;
		sleep_ms(POLL_MS);
	}

	last = spar_now_us();
	while (o.count < 0 || seen < (uint64_t)o.count) {
		int got = 0;

		st = inst_follow_status(&in, hdr_status(&in));
		if (st < 0) {
			err("%s stopped serving: STATUS %s after %llu reports",
			    in.uuid, status_names(reg(&in, SPAR_REG_STATUS), s,
						  sizeof(s)),
			    (unsigned long long)seen);
			rc = EXIT_CHECK;
			break;
		}
		/*
		 * Round robin: at most a ring's worth per channel and round
		 * (one with --slow), so that a channel the host keeps
		 * refilling does not starve the other.
		 */
		for (ch = 0; st > 0 && ch < NCHAN; ch++) {
			int batch = 0, taken = 0;

			while ((o.count < 0 || seen < (uint64_t)o.count) &&
			       taken < (o.slow ? 1 : SLOTS)) {
				ret = spar_guest_remove(&in.g, ch, Q, &r,
							sizeof(r));
				if (ret == -EAGAIN)
					break;
				if (ret) {
					err("%s queue of %s: %s%s", chname[ch],
					    in.uuid, strerror(-ret),
					    ret == -EPROTO ?
					    " (impossible queue header)" : "");
					rc = EXIT_CHECK;
					goto out;
				}
				print_report(ch, &r);
				seen++;
				batch++;
				taken++;
				if (o.slow) {
					spar_guest_notify(&in.g, ch, Q);
					batch = 0;
					sleep_ms(o.slow);
				}
			}
			if (batch)
				spar_guest_notify(&in.g, ch, Q);
			got += taken;
		}
		now = spar_now_us();
		if (got) {
			last = now;
			continue;
		}
		if (now - last >= (uint64_t)o.timeout * 1000) {
			if (o.count >= 0) {
				err("timeout: %llu of %lld reports within %lld ms of the last one (STATUS %s)",
				    (unsigned long long)seen, o.count,
				    o.timeout,
				    status_names(reg(&in, SPAR_REG_STATUS), s,
						 sizeof(s)));
				rc = EXIT_CHECK;
			}
			break;
		}
		ret = (int)((o.timeout * 1000 - (int64_t)(now - last)) / 1000);
		inst_wait(&in, ret < POLL_MS ? ret : POLL_MS);
	}
out:
	note("%llu reports, %llu interrupts, %llu doorbells (%llu not needed)",
	     (unsigned long long)seen, (unsigned long long)in.irqs,
	     (unsigned long long)in.g.doorbells,
	     (unsigned long long)in.g.doorbells_skipped);
	inst_close(&in);
	return rc;
}

/* ---- malicious ---- */

struct mal {
	struct inst in;
	const char *name;
	uint64_t t0, deadline;
	uint64_t rng;
	uint64_t seen[NCHAN];
	uint64_t doorbells;	/* rung directly (the library counts its own) */
	uint64_t writes;	/* hostile stores and register writes */
	uint64_t bad_headers;	/* our consumer met an impossible header */
	uint32_t max_slots[NCHAN];	/* as the host wrote them */
	uint32_t status;	/* STATUS at the last look */
	uint64_t next_look;
	int fatal;		/* the case could not do its part */
};

static uint64_t rnd(struct mal *m)
{
	/* xorshift64* */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dULL;
}

static int running(struct mal *m)
{
	return !m->fatal && spar_now_us() < m->deadline;
}

static unsigned int elapsed_ms(struct mal *m)
{
	return (unsigned int)((spar_now_us() - m->t0) / 1000);
}

/*
 * Every 20 ms: STATUS from the register (hdr.status may be scribbled),
 * changes noted, a pause acknowledged.  Returns 1 while the queues may be
 * used.
 */
static int look(struct mal *m)
{
	uint64_t now = spar_now_us();
	char a[64], b[64];
	uint32_t st;

	if (now >= m->next_look) {
		m->next_look = now + 20000;
		st = reg(&m->in, SPAR_REG_STATUS);
		if (st != m->status) {
			note("STATUS %s -> %s at %u ms",
			     status_names(m->status, a, sizeof(a)),
			     status_names(st, b, sizeof(b)), elapsed_ms(m));
			m->status = st;
		}
		if (st != 0xffffffff)
			inst_follow_status(&m->in, st);
	}
	return m->status == SPAR_STATUS_READY;
}

static void ring(struct mal *m, uint32_t idx)
{
	spar_vfio_reg_write(&m->in.v, SPAR_REG_DOORBELL, idx);
	m->doorbells++;
}

/*
 * Remove one report with the geometry the host wrote at bring-up (what
 * input.h says), not what the queue header says now: the cases scribble
 * on it.  Only head and tail come from shared memory.
 */
static int raw_remove(struct mal *m, unsigned int ch,
		      struct spar_input_report *r)
{
	uint8_t *q = queue(&m->in, ch);
	uint32_t head = ld32(q + QH(head)), tail = ld32(q + QH(tail));

	if (head >= SLOTS || tail >= SLOTS)
		return -EPROTO;
	if (head == tail)
		return -EAGAIN;
	tail = (tail + 1) % SLOTS;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(r, q + SPAR_INPUT_SIG_BASE_OFFSET + (size_t)tail * SIG_SIZE,
	       sizeof(*r));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	st32(q + QH(tail), tail);
	st64(q + QH(num_received), ld64(q + QH(num_received)) + 1);
	return 0;
}

/* Take what both queues hold (at most a ring each); ring when asked. */
static int consume(struct mal *m)
{
	struct spar_input_report r;
	unsigned int ch, i;
	int total = 0, ret;

	if (!look(m))
		return 0;
	for (ch = 0; ch < NCHAN; ch++) {
		for (i = 0; i < SLOTS; i++) {
			ret = raw_remove(m, ch, &r);
			if (ret == -EPROTO)
				m->bad_headers++;
			if (ret)
				break;
			m->seen[ch]++;
		}
		if (i)
			spar_guest_notify(&m->in.g, ch, Q);
		total += i;
	}
	return total;
}

/* consume and wait for interrupts for @ms */
static void consume_for(struct mal *m, int ms)
{
	uint64_t end = spar_now_us() + (uint64_t)ms * 1000;

	do {
		consume(m);
		inst_wait(&m->in, ms < 1 ? 0 : 1);
	} while (spar_now_us() < end && running(m));
}

static const uint32_t nasty32[] = {
	0, 1, 2, SLOTS - 1, SLOTS, SLOTS + 1, SLOTS + 7, 64, 4096, 0x7fffffff,
	0x80000000, 0xfffffffe, 0xffffffff,
};

static const uint64_t nasty64[] = {
	0, 1, 8, 127, 128, 0x1000, 0xfff8, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, 0xfffffffffffffff8ULL, 0xffffffffffffffffULL,
};

static uint64_t nasty(struct mal *m, unsigned int width)
{
	uint64_t r = rnd(m);

	/* one in four random, else a boundary value of the width */
	if (!(r & 3))
		return rnd(m);
	if (width <= 4)
		return nasty32[(r >> 8) % (sizeof(nasty32) /
					   sizeof(nasty32[0]))];
	return nasty64[(r >> 8) % (sizeof(nasty64) / sizeof(nasty64[0]))];
}

struct field {
	const char *name;
	size_t off;
	unsigned int width;
};

/* tail = max_slots + 7 on both queues, kept there, doorbells rung */
static void case_tail_out_of_range(struct mal *m)
{
	unsigned int ch;

	note("tail = %u on the kbd queue, %u on the mouse queue",
	     m->max_slots[KBD] + 7, m->max_slots[MOUSE] + 7);
	while (running(m)) {
		for (ch = 0; ch < NCHAN; ch++) {
			st32(queue(&m->in, ch) + QH(tail),
			     m->max_slots[ch] + 7);
			m->writes++;
			ring(m, SPAR_TRANSPORT_NOTIFY_INDEX(ch, Q));
		}
		look(m);
		inst_wait(&m->in, POLL_MS);
	}
}

/* random u32s in tail, all the time */
static void case_tail_wild(struct mal *m)
{
	uint64_t i;
	unsigned int ch;

	for (i = 0; running(m); i++) {
		for (ch = 0; ch < NCHAN; ch++) {
			uint32_t v = (uint32_t)rnd(m);

			/* one in four near the ring, to hit the edges */
			if ((i & 3) == 3)
				v %= SLOTS + 8;
			st32(queue(&m->in, ch) + QH(tail), v);
			m->writes++;
		}
		ring(m, SPAR_TRANSPORT_NOTIFY_INDEX(i & 1, Q));
		if (!(i & 63)) {
			look(m);
			inst_take_irqs(&m->in);
		}
		usleep(100);
	}
}

/* garbage in head (and num_sent), consuming with our own tail meanwhile */
static void case_head_scribble(struct mal *m)
{
	uint64_t i;
	unsigned int ch;

	for (i = 0; running(m); i++) {
		for (ch = 0; ch < NCHAN; ch++) {
			uint8_t *q = queue(&m->in, ch);
			uint32_t tail = ld32(q + QH(tail));
			uint32_t v;

			switch (i % 5) {
			case 0:
				v = (uint32_t)rnd(m);
				break;
			case 1:
				v = (uint32_t)(rnd(m) % SLOTS);
				break;
			case 2:
				v = tail;	/* looks empty */
				break;
			case 3:
				v = (tail + SLOTS - 1) % SLOTS; /* looks full */
				break;
			default:
				v = nasty32[rnd(m) % (sizeof(nasty32) /
						      sizeof(nasty32[0]))];
				break;
			}
			st32(q + QH(head), v);
			if (!(i & 7))
				st64(q + QH(num_sent), rnd(m));
			m->writes++;
		}
		usleep(500);
		consume(m);
		inst_take_irqs(&m->in);
	}
	note("reports counts the slots a scribbled head announced too, not only the host's reports");
}

/* the geometry words and the counters of the queue header */
static void case_queue_geometry(struct mal *m)
{
	static const struct field f[] = {
		{ "max_slots", QH(max_slots), 4 },
		{ "signal_size", QH(signal_size), 4 },
		{ "sig_base_offset", QH(sig_base_offset), 8 },
		{ "size", QH(size), 8 },
		{ "max_signals", QH(max_signals), 4 },
		{ "version", QH(version), 4 },
		{ "chtype", QH(chtype), 4 },
		{ "features", QH(features), 8 },
		{ "num_sent", QH(num_sent), 8 },
		{ "num_overflows", QH(num_overflows), 8 },
		{ "num_received", QH(num_received), 8 },
		{ "errorflags", QH(errorflags), 4 },
		{ "client_queue", QH(client_queue), 8 },
		{ "num_empty", QH(num_empty), 8 },
		{ "reserved1", QH(reserved1), 4 },
	};
	const unsigned int nf = sizeof(f) / sizeof(f[0]);
	uint64_t i;
	unsigned int ch;

	for (i = 0; running(m); i++) {
		/* max_slots, signal_size, sig_base_offset every other round */
		const struct field *x = &f[i % 2 ? i / 2 % 3 : i / 2 % nf];

		for (ch = 0; ch < NCHAN; ch++)
			scribble(queue(&m->in, ch) + x->off, x->width,
				 nasty(m, x->width));
		m->writes++;
		usleep(200);
		consume(m);
		inst_take_irqs(&m->in);
	}
}

/* every field of the channel header, and the channel data */
static void case_chan_header(struct mal *m)
{
	static const struct field f[] = {
		{ "signature", CH(signature), 8 },
		{ "size", CH(size), 8 },
		{ "ch_space_offset", CH(ch_space_offset), 8 },
		{ "version_id", CH(version_id), 4 },
		{ "chtype", CH(chtype), 16 },
		{ "header_size", CH(header_size), 4 },
		{ "features", CH(features), 8 },
		{ "legacy_state", CH(legacy_state), 4 },
		{ "partition_handle", CH(partition_handle), 8 },
		{ "handle", CH(handle), 8 },
		{ "partition_index", CH(partition_index), 4 },
		{ "zone_guid", CH(zone_guid), 16 },
		{ "cli_str_offset", CH(cli_str_offset), 4 },
		{ "cli_state_boot", CH(cli_state_boot), 4 },
		{ "cmd_state_cli", CH(cmd_state_cli), 4 },
		{ "cli_state_os", CH(cli_state_os), 4 },
		{ "ch_characteristic", CH(ch_characteristic), 4 },
		{ "cmd_state_srv", CH(cmd_state_srv), 4 },
		{ "srv_state", CH(srv_state), 4 },
		{ "cli_error_boot", CH(cli_error_boot), 1 },
		{ "cli_error_os", CH(cli_error_os), 1 },
		{ "recover_channel", CH(recover_channel), 1 },
		{ "n_input_reports", SPAR_INPUT_CHANNEL_DATA_OFFSET, 4 },
		{ "x_res/flags", SPAR_INPUT_CHANNEL_DATA_OFFSET + 4, 2 },
		{ "y_res", SPAR_INPUT_CHANNEL_DATA_OFFSET + 6, 2 },
	};
	static const struct spar_guid others[] = {
		SPAR_MOUSE_CHANNEL_GUID, SPAR_KEYBOARD_CHANNEL_GUID,
		SPAR_VNIC_CHANNEL_GUID, SPAR_NULL_GUID,
	};
	const unsigned int nf = sizeof(f) / sizeof(f[0]);
	uint64_t i;
	unsigned int ch;

	for (i = 0; running(m); i++) {
		/*
		 * signature, size, ch_space_offset, version_id, chtype every
		 * other round
		 */
		const struct field *x = &f[i % 2 ? i / 2 % 5 : i / 2 % nf];

		for (ch = 0; ch < NCHAN; ch++) {
			uint8_t *p = chan(&m->in, ch) + x->off;

			if (x->width == 16 && (i & 4))
				memcpy(p, &others[(i / 8 + ch) % 4],
				       sizeof(others[0]));
			else
				scribble(p, x->width, nasty(m, x->width));
		}
		m->writes++;
		usleep(200);
		consume(m);
		inst_take_irqs(&m->in);
	}
}

#define STORM		200000

/* 200k doorbells, mostly the two real indexes, some nonsense ones */
static void case_doorbell_storm(struct mal *m)
{
	static const uint32_t odd[] = {
		1, 2, 3, 5, 7, 8, 31, 32, 33, 0x100, 0x7fffffff, 0xffffffff,
	};
	uint64_t t0 = spar_now_us();
	uint32_t i, idx;

	for (i = 0; i < STORM; i++) {
		if ((i & 63) == 63)
			idx = odd[(i >> 6) % (sizeof(odd) / sizeof(odd[0]))];
		else
			idx = SPAR_TRANSPORT_NOTIFY_INDEX(i & 1, Q);
		ring(m, idx);
		if (!(i & 1023)) {
			consume(m);
			inst_take_irqs(&m->in);
		}
	}
	note("%u doorbells in %llu ms", STORM,
	     (unsigned long long)(spar_now_us() - t0) / 1000);
	while (running(m))
		consume_for(m, POLL_MS);
}

/* never remove: the host's queues stay full */
static void case_never_consume(struct mal *m)
{
	unsigned int ch;

	while (running(m)) {
		look(m);
		inst_wait(&m->in, POLL_MS);
	}
	for (ch = 0; ch < NCHAN; ch++) {
		const uint8_t *q = queue(&m->in, ch);
		uint32_t head = ld32(q + QH(head)), tail = ld32(q + QH(tail));

		note("%s queue at the end: head %u tail %u (%u pending) num_sent %llu num_overflows %llu host_polling %u",
		     chname[ch], head, tail,
		     head < SLOTS && tail < SLOTS ?
		     (head + SLOTS - tail) % SLOTS : 0,
		     (unsigned long long)ld64(q + QH(num_sent)),
		     (unsigned long long)ld64(q + QH(num_overflows)),
		     spar_guest_host_polling(&m->in.g,
					     SPAR_TRANSPORT_NOTIFY_INDEX(ch, Q)));
	}
}

#define FLAP_MS		10

/* bus mastering off and on, FLAP_MS each, consuming throughout */
static void case_bus_master_flap(struct mal *m)
{
	uint64_t flaps = 0, msi_off = 0;
	char e[200];
	int ret;

	while (running(m)) {
		ret = spar_vfio_command(&m->in.v, 0, PCI_CMD_MASTER);
		if (ret) {
			err("clearing Bus Master: %s",
			    spar_vfio_strerror(&m->in.v, ret, e, sizeof(e)));
			m->fatal = 1;
			break;
		}
		m->writes++;
		inst_take_irqs(&m->in);
		consume_for(m, FLAP_MS);
		/* MSIs the eventfd got while the bit was off (informative) */
		usleep(1000);
		msi_off += inst_take_irqs(&m->in);
		ret = spar_vfio_command(&m->in.v, PCI_CMD_MASTER, 0);
		if (ret) {
			err("setting Bus Master: %s",
			    spar_vfio_strerror(&m->in.v, ret, e, sizeof(e)));
			m->fatal = 1;
			break;
		}
		m->writes++;
		flaps++;
		consume_for(m, FLAP_MS);
	}
	note("%llu off/on flaps of %d ms each; %llu MSIs signalled while Bus Master was off",
	     (unsigned long long)flaps, FLAP_MS,
	     (unsigned long long)msi_off);
}

/* the transport page: header, directory, both notification arrays */
static void case_transport_scribble(struct mal *m)
{
	static const struct field f[] = {
		{ "hdr.magic", TP(hdr) + HDR(magic), 4 },
		{ "hdr.version", TP(hdr) + HDR(version), 4 },
		{ "hdr.device_type", TP(hdr) + HDR(device_type), 4 },
		{ "hdr.num_channels", TP(hdr) + HDR(num_channels), 4 },
		{ "hdr.bar0_size", TP(hdr) + HDR(bar0_size), 8 },
		{ "hdr.page_size", TP(hdr) + HDR(page_size), 4 },
		{ "hdr.generation", TP(hdr) + HDR(generation), 4 },
		{ "hdr.status", TP(hdr) + HDR(status), 4 },
		{ "dir[0].offset", TP(dir) + DIR(offset), 8 },
		{ "dir[0].size", TP(dir) + DIR(size), 8 },
		{ "dir[0].num_queues", TP(dir) + DIR(num_queues), 2 },
		{ "dir[0].type_guid", TP(dir) + DIR(type_guid), 16 },
		{ "dir[1].offset", TP(dir) + 64 + DIR(offset), 8 },
		{ "dir[1].size", TP(dir) + 64 + DIR(size), 8 },
		{ "dir[1].flags", TP(dir) + 64 + DIR(flags), 2 },
		{ "dir[2].offset", TP(dir) + 128 + DIR(offset), 8 },
		{ "host_polling[0]", TP(host_polling), 4 },
		{ "host_polling[4]", TP(host_polling) + 16, 4 },
		{ "host_polling[31]", TP(host_polling) + 124, 4 },
		{ "guest_polling[0]", TP(guest_polling), 4 },
		{ "guest_polling[4]", TP(guest_polling) + 16, 4 },
		{ "guest_polling[9]", TP(guest_polling) + 36, 4 },
		{ "reserved0", TP(reserved0), 8 },
		{ "reserved2", TP(reserved2) + 1000, 8 },
	};
	const unsigned int nf = sizeof(f) / sizeof(f[0]);
	uint64_t i;

	for (i = 0; running(m); i++) {
		const struct field *x = &f[i % nf];

		scribble(m->in.g.bar0 + x->off, x->width, nasty(m, x->width));
		m->writes++;
		/* doorbells regardless of the (scribbled) host_polling */
		ring(m, SPAR_TRANSPORT_NOTIFY_INDEX(i & 1, Q));
		usleep(200);
		consume(m);
		inst_take_irqs(&m->in);
	}
}

/* RESET and bring-up again every few ms while reports flow */
static void case_reset_storm(struct mal *m)
{
	uint64_t resets = 0, failed = 0;
	char why[200];

	while (running(m)) {
		if (spar_guest_restart(&m->in.g, why, sizeof(why))) {
			if (!failed++)
				note("first failed re-bring-up: %s", why);
		}
		m->in.gstatus = SPAR_GUEST_STATUS_DRIVER_OK;
		resets++;
		m->writes++;
		consume_for(m, 2 + (int)(rnd(m) % 4));
	}
	note("%llu RESETs, %llu re-bring-ups failed", (unsigned long long)resets,
	     (unsigned long long)failed);
}

/* read-only, write-1-to-clear and undefined registers; no violation */
static void case_register_scribble(struct mal *m)
{
	static const unsigned int offs[] = {
		SPAR_REG_MAGIC, SPAR_REG_VERSION, SPAR_REG_HOST_FEATURES,
		SPAR_REG_GUEST_FEATURES, SPAR_REG_STATUS, SPAR_REG_GENERATION,
		SPAR_REG_INT_STATUS, 0x28, 0x2c, 0x30, 0x3c,
		SPAR_REG_BLOCK_SIZE, 0x100, 0x800, 0xffc,
	};
	static const uint32_t reset_vals[] = { 0, 2, 0x80000001, 0xffffffff };
	uint64_t i;

	for (i = 0; running(m); i++) {
		unsigned int off = offs[i % (sizeof(offs) / sizeof(offs[0]))];

		spar_vfio_reg_write(&m->in.v, off, (uint32_t)rnd(m));
		reg(&m->in, off);
		if (!(i % 16))
			spar_vfio_reg_write(&m->in.v, SPAR_REG_RESET,
					    reset_vals[i / 16 % 4]);
		m->writes++;
		usleep(200);
		consume(m);
		inst_take_irqs(&m->in);
	}
}

/* illegal GUEST_STATUS transitions (the host must ask for a reset) */
static void case_guest_status(struct mal *m)
{
	static const uint32_t vals[] = {
		SPAR_GUEST_STATUS_DRIVER_OK,	/* the same value: ignored */
		SPAR_GUEST_STATUS_DRIVER_OK | SPAR_GUEST_STATUS_PAUSED,
		0, SPAR_GUEST_STATUS_PAUSED, 0xfffffffc, 0xffffffff,
	};
	uint64_t i;

	consume_for(m, 50);
	for (i = 0; running(m); i++) {
		spar_vfio_reg_write(&m->in.v, SPAR_REG_GUEST_STATUS,
				    vals[i % (sizeof(vals) / sizeof(vals[0]))]);
		m->writes++;
		consume_for(m, 2);
	}
	/* our own bookkeeping no longer means anything */
	m->in.gstatus = 0;
}

static const struct {
	const char *name;
	void (*run)(struct mal *m);
} cases[] = {
	{ "tail-out-of-range", case_tail_out_of_range },
	{ "tail-wild", case_tail_wild },
	{ "head-scribble", case_head_scribble },
	{ "queue-geometry", case_queue_geometry },
	{ "chan-header", case_chan_header },
	{ "doorbell-storm", case_doorbell_storm },
	{ "never-consume", case_never_consume },
	{ "bus-master-flap", case_bus_master_flap },
	{ "transport-scribble", case_transport_scribble },
	{ "reset-storm", case_reset_storm },
	{ "register-scribble", case_register_scribble },
	{ "guest-status", case_guest_status },
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static int do_malicious(int argc, char **argv)
{
	struct opts o = { .count = -1, .timeout = 3000, .seed = -1 };
	static struct mal m;
	unsigned int c, ch;
	char s[64];
	uint32_t st;

	if (argc < 2)
		return -EXIT_USAGE;
	for (c = 0; c < NCASES; c++)
		if (!strcmp(argv[1], cases[c].name))
			break;
	if (c == NCASES) {
		err("no malicious case '%s' (input_test --list malicious)",
		    argv[1]);
		return -EXIT_USAGE;
	}
	if (parse_opts(argc - 2, argv + 2, "timeout seed", &o))
		return -EXIT_USAGE;

	memset(&m, 0, sizeof(m));
	m.name = cases[c].name;
	m.rng = o.seed >= 0 ? (uint64_t)o.seed :
		(spar_now_us() ^ ((uint64_t)getpid() << 32)) & 0xffffffff;
	note("case %s, --seed %llu, %lld ms", m.name,
	     (unsigned long long)m.rng, o.timeout);
	m.rng = m.rng * 0x9e3779b97f4a7c15ULL + 1;
	if (inst_open(&m.in, argv[0], SPAR_TRANSPORT_F_ALL) ||
	    inst_check_chans(&m.in) || inst_msi(&m.in)) {
		inst_close(&m.in);
		return EXIT_SETUP;
	}
	for (ch = 0; ch < NCHAN; ch++) {
		const uint8_t *q = queue(&m.in, ch);

		m.max_slots[ch] = ld32(q + QH(max_slots));
		if (m.max_slots[ch] != SLOTS ||
		    ld32(q + QH(signal_size)) != SIG_SIZE ||
		    ld64(q + QH(sig_base_offset)) !=
		    SPAR_INPUT_SIG_BASE_OFFSET ||
		    ld64(chan(&m.in, ch) + CH(ch_space_offset)) !=
		    SPAR_INPUT_QUEUE_OFFSET)
			note("%s queue is not laid out as spar/input.h says (input_test area tells how); consuming as if it were",
			     chname[ch]);
	}
	m.status = reg(&m.in, SPAR_REG_STATUS);
	m.t0 = spar_now_us();
	m.deadline = m.t0 + (uint64_t)o.timeout * 1000;
	cases[c].run(&m);

	/* bus mastering back on, whatever the case did */
	spar_vfio_command(&m.in.v, PCI_CMD_MASTER, 0);
	inst_take_irqs(&m.in);
	st = reg(&m.in, SPAR_REG_STATUS);
	printf("malicious case=%s status=%s status_raw=0x%08x reports=%llu kbd=%llu mouse=%llu interrupts=%llu doorbells=%llu writes=%llu bad_headers=%llu elapsed_ms=%u\n",
	       m.name, status_names(st, s, sizeof(s)), st,
	       (unsigned long long)(m.seen[KBD] + m.seen[MOUSE]),
	       (unsigned long long)m.seen[KBD],
	       (unsigned long long)m.seen[MOUSE],
	       (unsigned long long)m.in.irqs,
	       (unsigned long long)(m.doorbells + m.in.g.doorbells),
	       (unsigned long long)m.writes,
	       (unsigned long long)m.bad_headers, elapsed_ms(&m));
	fflush(stdout);
	inst_close(&m.in);
	return m.fatal ? EXIT_SETUP : 0;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: input_test area UUID\n"
		"       input_test read UUID [--count N] [--timeout MS] [--delay-first MS]\n"
		"                            [--slow MS] [--ready FILE]\n"
		"       input_test malicious UUID CASE [--timeout MS] [--seed N]\n"
		"       input_test --list malicious\n");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "area", do_area },
		{ "read", do_read },
		{ "malicious", do_malicious },
	};
	unsigned int i;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "--list") &&
	    !strcmp(argv[2], "malicious")) {
		for (i = 0; i < NCASES; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (argc > 2 && !spar_uuid_valid(argv[2])) {
			err("'%s' is not a UUID", argv[2]);
			usage();
			return EXIT_USAGE;
		}
		ret = cmds[i].fn(argc - 2, argv + 2);
		if (ret < 0) {
			usage();
			return -ret;
		}
		return ret;
	}
	usage();
	return EXIT_USAGE;
}
