// SPDX-License-Identifier: GPL-2.0
/*
 * Signal queue tests: geometry and server initialisation, ring behaviour
 * (empty, full, capacity, wraparound, counters), client/server interop and
 * shared memory written by a hostile peer, for both roles.  Channels live
 * in guarded buffers; every case checks that nothing outside the channel
 * was touched.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spar/channel.h>
#include "signalqueue.h"
#include "unit.h"

#define QH(chan, off) ((struct spar_signal_queue_header *)((chan) + (off)))

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill(void *buf, size_t len, u64 seed)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed * 131 + i * 7 + (seed >> 8) + (i >> 8));
}

static void put_header(u8 *chan, u64 size, u64 ch_space_offset)
{
	struct spar_channel_header *ch = (struct spar_channel_header *)chan;

	ch->signature = htole64(SPAR_CHANNEL_SIGNATURE);
	ch->header_size = htole32(SPAR_CHANNEL_HEADER_SIZE);
	ch->size = htole64(size);
	ch->ch_space_offset = htole64(ch_space_offset);
}

/* ---- geometry and server init ---------------------------------------- */

static void check_zero(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i]) {
			fprintf(stderr, "non-zero byte at +%zu\n", i);
			CHECK(0);
			return;
		}
}

/* every byte of a freshly initialised queue header */
static void check_init_header(const u8 *chan, u64 qoff, u64 sbo, u32 ss,
			      u32 slots)
{
	const struct spar_signal_queue_header *q = QH(chan, qoff);
	struct spar_signal_queue_header z;

	CHECK_EQ(le64toh(q->size), (u64)ss * slots);
	CHECK_EQ(le64toh(q->sig_base_offset), sbo);
	CHECK_EQ(le32toh(q->signal_size), ss);
	CHECK_EQ(le32toh(q->max_slots), slots);
	CHECK_EQ(le32toh(q->max_signals), slots - 1);
	memcpy(&z, q, sizeof(z));
	z.size = 0;
	z.sig_base_offset = 0;
	z.signal_size = 0;
	z.max_slots = 0;
	z.max_signals = 0;
	check_zero((const u8 *)&z, sizeof(z));
}

static void t_io_geometry_min(void)
{
	const u64 size = 159744;
	struct spar_sq_geometry cmd, rsp;
	struct spar_sq_server s0, s1;
	struct unit_guard g;
	u8 *chan = unit_guard_alloc(&g, size);

	memset(chan, 0xee, size);
	CHECK_EQ(spar_sq_io_geometry(size, &cmd, &rsp), 0);
	CHECK_EQ(cmd.max_slots, 65);
	CHECK_EQ(rsp.max_slots, 65);
	CHECK_EQ(cmd.signal_size, 1216);
	CHECK_EQ(cmd.queue_offset, 128);
	CHECK_EQ(cmd.slot_offset, 1472);
	CHECK_EQ(rsp.queue_offset, 256);
	CHECK_EQ(rsp.slot_offset, 1472 + 65 * 1216);

	CHECK_EQ(spar_sq_server_init(&s0, chan, size, &cmd,
				     SPAR_SQ_SERVER_CONSUMES), 0);
	CHECK_EQ(spar_sq_server_init(&s1, chan, size, &rsp,
				     SPAR_SQ_SERVER_PRODUCES), 0);
	check_init_header(chan, 128, 1344, 1216, 65);
	check_init_header(chan, 256, 1472 + 65 * 1216 - 256, 1216, 65);
	CHECK_EQ(le64toh(QH(chan, 256)->sig_base_offset),
		 1472 + le64toh(QH(chan, 128)->size) - 256);
	/* init writes the two queue headers and nothing else */
	CHECK_EQ(chan[127], 0xee);
	CHECK_EQ(chan[384], 0xee);
	CHECK_EQ(chan[1472], 0xee);
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

static void t_io_geometry_limits(void)
{
	struct spar_sq_geometry cmd, rsp;
	const u64 per = 2ULL * 1216;

	CHECK_EQ(spar_sq_io_geometry(0, &cmd, &rsp), -EINVAL);
	CHECK_EQ(spar_sq_io_geometry(1471, &cmd, &rsp), -EINVAL);
	CHECK_EQ(spar_sq_io_geometry(1472, &cmd, &rsp), -EINVAL);
	CHECK_EQ(spar_sq_io_geometry(1472 + 64 * per - 1, &cmd, &rsp),
		 -EINVAL);
	CHECK_EQ(spar_sq_io_geometry(1472 + 64 * per, &cmd, &rsp), 0);
	CHECK_EQ(cmd.max_slots, 64);
	CHECK_EQ(spar_sq_io_geometry(1472 + 4096 * per, &cmd, &rsp), 0);
	CHECK_EQ(cmd.max_slots, 4096);
	CHECK_EQ(rsp.slot_offset + 4096ULL * 1216, 1472 + 4096 * per);
	CHECK_EQ(spar_sq_io_geometry(1472 + 4097 * per - 1, &cmd, &rsp), 0);
	CHECK_EQ(cmd.max_slots, 4096);
	CHECK_EQ(spar_sq_io_geometry(1472 + 4097 * per, &cmd, &rsp), -EINVAL);
	CHECK_EQ(spar_sq_io_geometry(1ULL << 32, &cmd, &rsp), -EINVAL);
	CHECK_EQ(spar_sq_io_geometry((1ULL << 32) + 1472 + 64 * per, &cmd,
				     &rsp), -EINVAL);
	CHECK_EQ(spar_sq_io_geometry(UINT64_MAX, &cmd, &rsp), -EINVAL);
}

static void t_input_geometry(void)
{
	struct spar_sq_geometry geo;
	struct spar_sq_server s;
	struct unit_guard g;
	u8 *chan = unit_guard_alloc(&g, 4096);

	CHECK_EQ(spar_sq_input_geometry(1063, &geo), -EINVAL);
	CHECK_EQ(spar_sq_input_geometry(1064, &geo), 0);
	CHECK_EQ(spar_sq_input_geometry(4096, &geo), 0);
	CHECK_EQ(geo.queue_offset, 136);
	CHECK_EQ(geo.slot_offset, 264);
	CHECK_EQ(geo.signal_size, 16);
	CHECK_EQ(geo.max_slots, 50);
	memset(chan, 0xee, 4096);
	CHECK_EQ(spar_sq_server_init(&s, chan, 4096, &geo,
				     SPAR_SQ_SERVER_PRODUCES), 0);
	check_init_header(chan, 136, 128, 16, 50);
	CHECK_EQ(chan[135], 0xee);
	CHECK_EQ(chan[264], 0xee);
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

static void t_geometry_rejects(void)
{
	static const struct {
		struct spar_sq_geometry geo;
		u64 chan;
		int ret;
	} v[] = {
		{ { 128, 256, 64, 8 }, 4096, 0 },
		{ { 128, 256, 64, 60 }, 4096, 0 },	/* ends at the end */
		{ { 128, 256, 64, 61 }, 4096, -EINVAL },
		{ { 128, 256, 64, 0 }, 4096, -EINVAL },
		{ { 128, 256, 64, 1 }, 4096, -EINVAL },
		{ { 128, 256, 1, 2 }, 4096, 0 },
		{ { 128, 256, 1, SPAR_SQ_MAX_SLOTS }, 1 << 20, 0 },
		{ { 128, 256, 1, SPAR_SQ_MAX_SLOTS + 1 }, 1 << 20, -EINVAL },
		{ { 128, 256, 1, UINT32_MAX }, UINT64_MAX, -EINVAL },
		{ { 128, 256, 0, 8 }, 4096, -EINVAL },
		{ { 120, 256, 64, 8 }, 4096, -EINVAL },	/* in ch header */
		{ { 0, 256, 64, 8 }, 4096, -EINVAL },
		{ { 132, 260, 64, 8 }, 4096, -EINVAL },	/* misaligned */
		{ { 128, 255, 64, 8 }, 4096, -EINVAL },	/* overlaps qh */
		{ { 512, 256, 64, 2 }, 4096, -EINVAL },	/* before qh */
		{ { 3968, 4096, 64, 2 }, 4096, -EINVAL },
		{ { 3976, 4104, 64, 2 }, 4096, -EINVAL },	/* qh outside */
		{ { 4096, 4224, 64, 2 }, 4096, -EINVAL },
		{ { 128, 4000, 64, 2 }, 4096, -EINVAL },
		{ { UINT64_MAX - 7, 128, 64, 2 }, 4096, -EINVAL },
		{ { UINT64_MAX - 7, 256, 64, 2 }, UINT64_MAX, -EINVAL },
		{ { 128, UINT64_MAX - 63, 64, 2 }, UINT64_MAX, -EINVAL },
		{ { 128, UINT64_MAX - 64 * 8, 64, 8 }, UINT64_MAX, 0 },
		{ { 128, 256, UINT32_MAX, SPAR_SQ_MAX_SLOTS }, UINT64_MAX, 0 },
		{ { 128, UINT64_MAX - 255, UINT32_MAX, 2 }, UINT64_MAX,
		  -EINVAL },
		{ { 128, 256, 64, 8 }, 0, -EINVAL },
		{ { 128, 256, 64, 8 }, 767, -EINVAL },
		{ { 128, 256, 64, 8 }, 768, 0 },
	};
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(v); i++) {
		int ret = spar_sq_geometry_check(&v[i].geo, v[i].chan);

		if (ret != v[i].ret) {
			fprintf(stderr, "geometry case %zu: %d, want %d\n", i,
				ret, v[i].ret);
			CHECK(0);
		}
	}
}

static void t_server_init_rejects(void)
{
	struct spar_sq_geometry geo = { 128, 256, 64, 8 };
	struct spar_sq_geometry bad = { 128, 256, 64, 1 };
	struct spar_sq_server s;
	struct unit_guard g;
	u8 *chan = unit_guard_alloc(&g, 4096);

	memset(chan, 0xee, 4096);
	CHECK_EQ(spar_sq_server_init(&s, chan, 4096, &geo,
				     (enum spar_sq_role)7), -EINVAL);
	CHECK_EQ(spar_sq_server_init(&s, chan, 4096, &bad,
				     SPAR_SQ_SERVER_PRODUCES), -EINVAL);
	CHECK_EQ(spar_sq_server_init(&s, chan, 512, &geo,
				     SPAR_SQ_SERVER_PRODUCES), -EINVAL);
	CHECK_EQ(chan[128], 0xee);	/* refused: nothing written */
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

/* ---- ring behaviour -------------------------------------------------- */

struct io_fix {
	struct unit_guard g;
	u8 *chan;
	u64 size;
	struct spar_sq_geometry cmd, rsp;
	struct spar_sq_server srv_cmd;	/* server consumes queue 0 */
	struct spar_sq_server srv_rsp;	/* server produces queue 1 */
	struct spar_sq_client cl;
};

static void io_setup(struct io_fix *f, u64 size)
{
	f->size = size;
	f->chan = unit_guard_alloc(&f->g, size);
	put_header(f->chan, size, 128);
	CHECK_EQ(spar_sq_io_geometry(size, &f->cmd, &f->rsp), 0);
	CHECK_EQ(spar_sq_server_init(&f->srv_cmd, f->chan, size, &f->cmd,
				     SPAR_SQ_SERVER_CONSUMES), 0);
	CHECK_EQ(spar_sq_server_init(&f->srv_rsp, f->chan, size, &f->rsp,
				     SPAR_SQ_SERVER_PRODUCES), 0);
	CHECK_EQ(spar_sq_client_init(&f->cl, f->chan, size), 0);
	CHECK_EQ(f->cl.ch_space_offset, 128);
}

static void io_teardown(struct io_fix *f)
{
	CHECK(unit_guard_check(&f->g));
	unit_guard_free(&f->g);
}

/* a channel of one queue: header at 128, @slots slots of @ss bytes at 256 */
struct small_fix {
	struct unit_guard g;
	u8 *chan;
	u64 size;
	struct spar_sq_geometry geo;
	struct spar_sq_server srv;
	struct spar_sq_client cl;
};

static void small_setup(struct small_fix *f, u32 ss, u32 slots,
			enum spar_sq_role role)
{
	f->geo.queue_offset = 128;
	f->geo.slot_offset = 256;
	f->geo.signal_size = ss;
	f->geo.max_slots = slots;
	f->size = 256 + (u64)ss * slots;
	f->chan = unit_guard_alloc(&f->g, f->size);
	put_header(f->chan, f->size, 128);
	CHECK_EQ(spar_sq_server_init(&f->srv, f->chan, f->size, &f->geo,
				     role), 0);
	CHECK_EQ(spar_sq_client_init(&f->cl, f->chan, f->size), 0);
}

static void small_teardown(struct small_fix *f)
{
	CHECK(unit_guard_check(&f->g));
	unit_guard_free(&f->g);
}

static void t_capacity_server_produces(void)
{
	struct spar_sq_geometry geo;
	struct spar_sq_server s;
	struct spar_sq_client cl;
	struct unit_guard g;
	u8 msg[16], out[16];
	u8 *chan = unit_guard_alloc(&g, 4096);
	u32 i;

	put_header(chan, 4096, 136);
	CHECK_EQ(spar_sq_input_geometry(4096, &geo), 0);
	CHECK_EQ(spar_sq_server_init(&s, chan, 4096, &geo,
				     SPAR_SQ_SERVER_PRODUCES), 0);
	CHECK_EQ(spar_sq_client_init(&cl, chan, 4096), 0);
	CHECK(spar_sq_client_empty(&cl, 0));
	CHECK(spar_sq_server_empty(&s));
	CHECK_EQ(spar_sq_client_remove(&cl, 0, out, sizeof(out)), -EAGAIN);

	for (i = 0; i < 49; i++) {
		fill(msg, sizeof(msg), i);
		CHECK_EQ(spar_sq_server_insert(&s, msg, sizeof(msg)), 0);
		CHECK_EQ(spar_sq_server_pending(&s), i + 1);
	}
	CHECK_EQ(spar_sq_server_insert(&s, msg, sizeof(msg)), -ENOSPC);
	CHECK_EQ(spar_sq_server_insert(&s, msg, sizeof(msg)), -ENOSPC);
	CHECK_EQ(s.overflows, 2);
	CHECK_EQ(le64toh(QH(chan, 136)->num_overflows), 2);
	CHECK_EQ(le64toh(QH(chan, 136)->num_sent), 49);
	CHECK_EQ(le32toh(QH(chan, 136)->head), 49);
	CHECK(!spar_sq_client_empty(&cl, 0));

	for (i = 0; i < 49; i++) {
		fill(msg, sizeof(msg), i);
		memset(out, 0, sizeof(out));
		CHECK_EQ(spar_sq_client_remove(&cl, 0, out, sizeof(out)), 0);
		CHECK(!memcmp(msg, out, sizeof(out)));
	}
	CHECK_EQ(spar_sq_client_remove(&cl, 0, out, sizeof(out)), -EAGAIN);
	CHECK(spar_sq_client_empty(&cl, 0));
	CHECK(spar_sq_server_empty(&s));
	CHECK_EQ(le64toh(QH(chan, 136)->num_received), 49);
	CHECK_EQ(le32toh(QH(chan, 136)->tail), 49);
	/* room again, and the next slot wraps to 0 */
	CHECK_EQ(spar_sq_server_insert(&s, msg, sizeof(msg)), 0);
	CHECK_EQ(s.index, 0);
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

static void t_capacity_client_produces(void)
{
	struct io_fix f;
	u8 msg[1216], out[1216];
	u32 i;

	io_setup(&f, 159744);
	for (i = 0; i < 64; i++) {
		fill(msg, sizeof(msg), i);
		CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, sizeof(msg)), 0);
	}
	CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, sizeof(msg)), -EIO);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_overflows), 1);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_sent), 64);
	CHECK_EQ(spar_sq_server_pending(&f.srv_cmd), 64);
	for (i = 0; i < 64; i++) {
		fill(msg, sizeof(msg), i);
		CHECK_EQ(spar_sq_server_remove(&f.srv_cmd, out, sizeof(out)), 0);
		CHECK(!memcmp(msg, out, sizeof(out)));
	}
	CHECK_EQ(spar_sq_server_remove(&f.srv_cmd, out, sizeof(out)), -EAGAIN);
	CHECK_EQ(f.srv_cmd.count, 64);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_received), 64);
	/* queue 1 untouched */
	CHECK_EQ(le32toh(QH(f.chan, 256)->head), 0);
	CHECK_EQ(le64toh(QH(f.chan, 256)->num_sent), 0);
	io_teardown(&f);
}

/*
 * Random bursts through a tiny ring, both directions, checking every byte
 * and the counters at the end.
 */
static void wrap_run(u32 ss, u32 slots, enum spar_sq_role role, u32 rounds)
{
	struct small_fix f;
	u64 sent = 0, got = 0, full = 0;
	u8 msg[256], out[256];
	u32 r, n, k;
	int ret;

	small_setup(&f, ss, slots, role);
	for (r = 0; r < rounds; r++) {
		n = rng() % (slots + 1);
		for (k = 0; k < n; k++) {
			fill(msg, ss, sent);
			if (role == SPAR_SQ_SERVER_PRODUCES)
				ret = spar_sq_server_insert(&f.srv, msg, ss);
			else
				ret = spar_sq_client_insert(&f.cl, 0, msg,
							    sizeof(msg));
			if (ret) {
				CHECK_EQ(ret, role == SPAR_SQ_SERVER_PRODUCES ?
					 -ENOSPC : -EIO);
				CHECK_EQ(sent - got, slots - 1);
				full++;
				break;
			}
			sent++;
		}
		n = rng() % (slots + 1);
		for (k = 0; k < n; k++) {
			if (role == SPAR_SQ_SERVER_PRODUCES)
				ret = spar_sq_client_remove(&f.cl, 0, out,
							    sizeof(out));
			else
				ret = spar_sq_server_remove(&f.srv, out, ss);
			if (ret) {
				CHECK_EQ(ret, -EAGAIN);
				CHECK_EQ(sent, got);
				break;
			}
			fill(msg, ss, got);
			if (memcmp(msg, out, ss)) {
				fprintf(stderr, "message %llu differs\n",
					(unsigned long long)got);
				CHECK(0);
				r = rounds;
				break;
			}
			got++;
		}
		CHECK_EQ(spar_sq_server_pending(&f.srv), sent - got);
	}
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_sent), sent);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_received), got);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_overflows), full);
	CHECK_EQ(f.srv.count, role == SPAR_SQ_SERVER_PRODUCES ? sent : got);
	CHECK(sent > (u64)rounds / 4);
	small_teardown(&f);
}

static void t_wrap_many_cycles(void)
{
	wrap_run(24, 2, SPAR_SQ_SERVER_PRODUCES, 20000);
	wrap_run(24, 2, SPAR_SQ_SERVER_CONSUMES, 20000);
	wrap_run(8, 3, SPAR_SQ_SERVER_PRODUCES, 20000);
	wrap_run(8, 3, SPAR_SQ_SERVER_CONSUMES, 20000);
	wrap_run(1, 7, SPAR_SQ_SERVER_PRODUCES, 20000);
	wrap_run(100, 7, SPAR_SQ_SERVER_CONSUMES, 20000);
	wrap_run(256, 50, SPAR_SQ_SERVER_PRODUCES, 5000);
	wrap_run(256, 50, SPAR_SQ_SERVER_CONSUMES, 5000);
}

static void t_interop_byte_exact(void)
{
	struct io_fix f;
	u8 msg[1216], out[1300];
	u32 i;

	io_setup(&f, 159744 + 3 * 4096);
	CHECK_EQ(f.cmd.max_slots, 70);
	for (i = 0; i < 500; i++) {
		/* client to server, whole slots */
		fill(msg, sizeof(msg), rng());
		CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, sizeof(msg)), 0);
		memset(out, 0x5a, sizeof(out));
		CHECK_EQ(spar_sq_server_remove(&f.srv_cmd, out, 1216), 0);
		CHECK(!memcmp(out, msg, 1216));
		CHECK_EQ(out[1216], 0x5a);

		/* server to client, a 1185-byte body in a 1216-byte slot */
		fill(msg, sizeof(msg), rng());
		CHECK_EQ(spar_sq_server_insert(&f.srv_rsp, msg, 1185), 0);
		memset(out, 0x5a, sizeof(out));
		CHECK_EQ(spar_sq_client_remove(&f.cl, 1, out, sizeof(out)), 0);
		CHECK(!memcmp(out, msg, 1185));
		check_zero(out + 1185, 1216 - 1185);
		CHECK_EQ(out[1216], 0x5a);	/* signal_size bytes, no more */
	}
	/* short copies on the server side */
	fill(msg, sizeof(msg), 77);
	CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, sizeof(msg)), 0);
	memset(out, 0x5a, sizeof(out));
	CHECK_EQ(spar_sq_server_remove(&f.srv_cmd, out, 100), 0);
	CHECK(!memcmp(out, msg, 100));
	CHECK_EQ(out[100], 0x5a);
	CHECK_EQ(spar_sq_server_insert(&f.srv_rsp, NULL, 0), 0);
	CHECK_EQ(spar_sq_client_remove(&f.cl, 1, out, sizeof(out)), 0);
	check_zero(out, 1216);

	CHECK_EQ(le64toh(QH(f.chan, 128)->num_sent), 501);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_received), 501);
	CHECK_EQ(le64toh(QH(f.chan, 256)->num_sent), 501);
	CHECK_EQ(le64toh(QH(f.chan, 256)->num_received), 501);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_overflows), 0);
	io_teardown(&f);
}

static void t_call_errors(void)
{
	struct io_fix f;
	u8 msg[1300], out[1300];

	io_setup(&f, 159744);
	fill(msg, sizeof(msg), 1);
	/* wrong role */
	CHECK_EQ(spar_sq_server_insert(&f.srv_cmd, msg, 16), -EINVAL);
	CHECK_EQ(spar_sq_server_remove(&f.srv_rsp, out, 16), -EINVAL);
	/* longer than a slot */
	CHECK_EQ(spar_sq_server_insert(&f.srv_rsp, msg, 1217), -EINVAL);
	CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, 1216), 0);
	CHECK_EQ(spar_sq_server_remove(&f.srv_cmd, out, 1217), -EINVAL);
	CHECK_EQ(spar_sq_server_pending(&f.srv_cmd), 1);
	/* client buffer smaller than signal_size: nothing moves */
	CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, 1215), -EMSGSIZE);
	CHECK_EQ(spar_sq_server_insert(&f.srv_rsp, msg, 1216), 0);
	CHECK_EQ(spar_sq_client_remove(&f.cl, 1, out, 1215), -EMSGSIZE);
	CHECK(!spar_sq_client_empty(&f.cl, 1));
	CHECK_EQ(spar_sq_client_remove(&f.cl, 1, out, 1216), 0);
	CHECK_EQ(spar_sq_server_pending(&f.srv_cmd), 1);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_sent), 1);
	CHECK_EQ(spar_sq_client_init(&f.cl, f.chan, 127), -EINVAL);
	io_teardown(&f);
}

static void t_pending_counts(void)
{
	struct small_fix f;
	u8 msg[8];
	u32 i;

	small_setup(&f, 8, 5, SPAR_SQ_SERVER_PRODUCES);
	memset(msg, 1, sizeof(msg));
	for (i = 0; i < 3; i++)
		CHECK_EQ(spar_sq_server_insert(&f.srv, msg, 8), 0);
	CHECK_EQ(spar_sq_server_pending(&f.srv), 3);
	for (i = 0; i < 3; i++)
		CHECK_EQ(spar_sq_client_remove(&f.cl, 0, msg, 8), 0);
	CHECK(spar_sq_server_empty(&f.srv));
	/* head wraps below tail */
	for (i = 0; i < 4; i++)
		CHECK_EQ(spar_sq_server_insert(&f.srv, msg, 8), 0);
	CHECK_EQ(le32toh(QH(f.chan, 128)->head), 2);
	CHECK_EQ(le32toh(QH(f.chan, 128)->tail), 3);
	CHECK_EQ(spar_sq_server_pending(&f.srv), 4);
	CHECK(!spar_sq_server_empty(&f.srv));
	CHECK_EQ(spar_sq_server_insert(&f.srv, msg, 8), -ENOSPC);
	small_teardown(&f);

	small_setup(&f, 8, 5, SPAR_SQ_SERVER_CONSUMES);
	for (i = 0; i < 4; i++)
		CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, 8), 0);
	CHECK_EQ(spar_sq_server_pending(&f.srv), 4);
	CHECK_EQ(spar_sq_server_remove(&f.srv, msg, 8), 0);
	CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, 8), 0);
	CHECK_EQ(le32toh(QH(f.chan, 128)->head), 0);
	CHECK_EQ(spar_sq_server_pending(&f.srv), 4);
	small_teardown(&f);
}

/* ---- hostile shared memory: server role ------------------------------ */

/*
 * Bytes a server call may change: its own index and counters, and the
 * body of the slot it fills.  Everything else must be as before.
 */
static void check_server_diff(const u8 *before, const u8 *after, u64 size,
			      const struct spar_sq_server *s, int slot)
{
	u64 q = s->geo.queue_offset, lo = 0, hi = 0, i;
	bool prod = s->role == SPAR_SQ_SERVER_PRODUCES;

	if (slot >= 0) {
		lo = s->geo.slot_offset + (u64)slot * s->geo.signal_size;
		hi = lo + s->geo.signal_size;
	}
	for (i = 0; i < size; i++) {
		u64 f = i - q;

		if (before[i] == after[i] || (i >= lo && i < hi))
			continue;
		if (i >= q && prod &&
		    ((f >= 60 && f < 64) || (f >= 32 && f < 48)))
			continue;	/* head, num_sent, num_overflows */
		if (i >= q && !prod && f >= 64 && f < 76)
			continue;	/* num_received, tail */
		fprintf(stderr, "server wrote byte %llu\n",
			(unsigned long long)i);
		CHECK(0);
		return;
	}
}

static void t_server_bad_peer_index(void)
{
	static const u32 bad[] = { 50, 51, 0x7fffffff, 0x80000000,
				   0xffffffff };
	struct spar_sq_geometry geo;
	struct spar_sq_server s;
	struct unit_guard g;
	u8 *chan = unit_guard_alloc(&g, 4096);
	u8 *snap = malloc(4096);
	u8 msg[16] = { 0 };
	size_t i;
	int role;

	CHECK_EQ(spar_sq_input_geometry(4096, &geo), 0);
	for (role = 0; role < 2; role++) {
		for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
			struct spar_signal_queue_header *q = QH(chan, 136);

			CHECK_EQ(spar_sq_server_init(&s, chan, 4096, &geo,
						     role), 0);
			if (role == SPAR_SQ_SERVER_PRODUCES)
				q->tail = htole32(bad[i]);
			else
				q->head = htole32(bad[i]);
			memcpy(snap, chan, 4096);
			if (role == SPAR_SQ_SERVER_PRODUCES)
				CHECK_EQ(spar_sq_server_insert(&s, msg, 16),
					 -EPROTO);
			else
				CHECK_EQ(spar_sq_server_remove(&s, msg, 16),
					 -EPROTO);
			CHECK(s.broken);
			CHECK(!memcmp(snap, chan, 4096));
			CHECK_EQ(spar_sq_server_pending(&s), -EPROTO);
			CHECK(!spar_sq_server_empty(&s));
			/* broken stays broken after the peer repairs it */
			q->tail = 0;
			q->head = 0;
			if (role == SPAR_SQ_SERVER_PRODUCES)
				CHECK_EQ(spar_sq_server_insert(&s, msg, 16),
					 -EPROTO);
			else
				CHECK_EQ(spar_sq_server_remove(&s, msg, 16),
					 -EPROTO);
			CHECK_EQ(s.index, 0);
			spar_sq_server_reset(&s);
			CHECK(!s.broken);
			CHECK(spar_sq_server_empty(&s));
		}
	}
	free(snap);
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

/* the peer rewrites every geometry word; the server must not care */
static void t_server_ignores_shared_geometry(void)
{
	struct spar_sq_geometry geo = { 128, 256, 32, 4 };
	struct spar_sq_server sp, sc;
	struct unit_guard g;
	const u64 size = 256 + 32 * 4 + 128 + 32 * 4;
	u8 *chan = unit_guard_alloc(&g, size);
	struct spar_sq_geometry geo2 = { 384, 512, 32, 4 };
	u8 *snap = malloc(size);
	u8 msg[32], out[32];
	u32 i;
	int ret;

	CHECK_EQ(spar_sq_server_init(&sp, chan, size, &geo,
				     SPAR_SQ_SERVER_PRODUCES), 0);
	CHECK_EQ(spar_sq_server_init(&sc, chan, size, &geo2,
				     SPAR_SQ_SERVER_CONSUMES), 0);
	for (i = 0; i < 200; i++) {
		struct spar_signal_queue_header *p = QH(chan, 128);
		struct spar_signal_queue_header *c = QH(chan, 384);
		u32 peer = (u32)(rng() % 4);

		/* hostile but in-range indices, garbage everywhere else */
		fill(chan + 128, 128, rng());
		fill(chan + 384, 128, rng());
		p->tail = htole32(peer);
		p->sig_base_offset = htole64(UINT64_MAX - i);
		c->head = htole32((u32)(rng() % 4));
		c->max_slots = htole32(i & 1);
		c->signal_size = htole32(0xffffffff);

		fill(msg, sizeof(msg), i);
		memcpy(snap, chan, size);
		ret = spar_sq_server_insert(&sp, msg, sizeof(msg));
		if (ret) {
			CHECK_EQ(ret, -ENOSPC);
			check_server_diff(snap, chan, size, &sp, -1);
		} else {
			CHECK_EQ(le32toh(p->head), sp.index);
			CHECK(!memcmp(chan + 256 + sp.index * 32, msg, 32));
			check_server_diff(snap, chan, size, &sp, sp.index);
		}
		CHECK(sp.index < 4);

		memcpy(snap, chan, size);
		ret = spar_sq_server_remove(&sc, out, sizeof(out));
		if (ret) {
			CHECK_EQ(ret, -EAGAIN);
		} else {
			CHECK_EQ(le32toh(c->tail), sc.index);
			CHECK(!memcmp(chan + 512 + sc.index * 32, out, 32));
		}
		check_server_diff(snap, chan, size, &sc, -1);
		CHECK(sc.index < 4);
	}
	CHECK(!sp.broken && !sc.broken);
	free(snap);
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

static void t_server_resync(void)
{
	struct small_fix f;
	struct spar_signal_queue_header *q;
	u8 msg[16];

	small_setup(&f, 16, 8, SPAR_SQ_SERVER_PRODUCES);
	q = QH(f.chan, 128);
	memset(msg, 3, sizeof(msg));
	CHECK_EQ(spar_sq_server_insert(&f.srv, msg, 16), 0);
	CHECK_EQ(spar_sq_server_insert(&f.srv, msg, 16), 0);

	/* a restarted server picks up head and counters */
	f.srv.index = 0;
	f.srv.count = 0;
	CHECK_EQ(spar_sq_server_resync(&f.srv), 0);
	CHECK_EQ(f.srv.index, 2);
	CHECK_EQ(f.srv.count, 2);
	CHECK_EQ(spar_sq_server_pending(&f.srv), 2);

	q->head = htole32(8);
	CHECK_EQ(spar_sq_server_resync(&f.srv), -EPROTO);
	CHECK(f.srv.broken);
	CHECK_EQ(f.srv.index, 2);
	q->head = htole32(2);
	q->tail = htole32(0xffffffff);
	CHECK_EQ(spar_sq_server_resync(&f.srv), -EPROTO);
	q->tail = htole32(1);
	q->num_sent = htole64(1000);
	CHECK_EQ(spar_sq_server_resync(&f.srv), 0);
	CHECK(!f.srv.broken);
	CHECK_EQ(f.srv.count, 1000);
	CHECK_EQ(spar_sq_server_pending(&f.srv), 1);
	CHECK_EQ(spar_sq_server_insert(&f.srv, msg, 16), 0);
	CHECK_EQ(le64toh(q->num_sent), 1001);
	CHECK_EQ(le32toh(q->head), 3);
	small_teardown(&f);

	small_setup(&f, 16, 8, SPAR_SQ_SERVER_CONSUMES);
	q = QH(f.chan, 128);
	q->tail = htole32(5);
	q->head = htole32(7);
	q->num_received = htole64(5);
	CHECK_EQ(spar_sq_server_resync(&f.srv), 0);
	CHECK_EQ(f.srv.index, 5);
	CHECK_EQ(spar_sq_server_pending(&f.srv), 2);
	CHECK_EQ(spar_sq_server_remove(&f.srv, msg, 16), 0);
	CHECK_EQ(le32toh(q->tail), 6);
	CHECK_EQ(le64toh(q->num_received), 6);
	small_teardown(&f);
}

/* ---- hostile shared memory: client role ------------------------------ */

enum cfield { F_NONE, F_MAX, F_SS, F_SBO, F_HEAD, F_TAIL, F_CSO, F_QUEUE };

static const struct {
	const char *what;
	enum cfield field;
	u64 val;
	int ret;
} cvar[] = {
	{ "valid", F_NONE, 0, 0 },
	{ "max_slots 0", F_MAX, 0, -EPROTO },
	{ "max_slots 1", F_MAX, 1, -EPROTO },
	{ "max_slots 2", F_MAX, 2, 0 },
	{ "max_slots to the end", F_MAX, 60, 0 },
	{ "max_slots past the end", F_MAX, 61, -EPROTO },
	{ "max_slots huge", F_MAX, 0xffffffff, -EPROTO },
	{ "max_slots 2^31", F_MAX, 0x80000000, -EPROTO },
	{ "signal_size 0", F_SS, 0, -EPROTO },
	{ "signal_size > buffer", F_SS, 65, -EMSGSIZE },
	{ "signal_size smaller", F_SS, 1, 0 },
	{ "signal_size huge", F_SS, 0xffffffff, -EPROTO },
	{ "signal_size fills the channel", F_SS, 480, -EMSGSIZE },
	{ "sig_base_offset 0", F_SBO, 0, -EPROTO },
	{ "sig_base_offset 127", F_SBO, 127, -EPROTO },
	{ "sig_base_offset to the end", F_SBO, 4096 - 128 - 512, 0 },
	{ "sig_base_offset past the end", F_SBO, 4096 - 128 - 511, -EPROTO },
	{ "sig_base_offset outside", F_SBO, 4096, -EPROTO },
	{ "sig_base_offset 2^63", F_SBO, 1ULL << 63, -EPROTO },
	{ "sig_base_offset wraps to 0", F_SBO, 0ULL - 128, -EPROTO },
	{ "sig_base_offset wraps to 64", F_SBO, 0ULL - 64, -EPROTO },
	{ "sig_base_offset max", F_SBO, UINT64_MAX, -EPROTO },
	{ "head = max_slots", F_HEAD, 8, -EPROTO },
	{ "head huge", F_HEAD, 0xffffffff, -EPROTO },
	{ "head last", F_HEAD, 7, 0 },
	{ "tail = max_slots", F_TAIL, 8, -EPROTO },
	{ "tail huge", F_TAIL, 0x80000001, -EPROTO },
	{ "ch_space_offset 0", F_CSO, 0, -EINVAL },
	{ "ch_space_offset 127", F_CSO, 127, -EINVAL },
	{ "ch_space_offset misaligned", F_CSO, 132, -EINVAL },
	{ "ch_space_offset outside", F_CSO, 4096, -EPROTO },
	{ "ch_space_offset last header", F_CSO, 4096 - 128, -EPROTO },
	{ "ch_space_offset huge", F_CSO, UINT64_MAX - 7, -EPROTO },
	{ "queue 1 holds garbage", F_QUEUE, 1, -EPROTO },
	{ "queue 31 is the last", F_QUEUE, 30, -EPROTO },
	{ "queue outside", F_QUEUE, 31, -EPROTO },
	{ "queue huge", F_QUEUE, 0xffffffff, -EPROTO },
};

static void t_client_bad_geometry(void)
{
	const u64 size = 4096;
	struct spar_sq_geometry geo = { 128, 256, 64, 8 };
	struct spar_sq_server s;
	struct spar_sq_client cl;
	struct unit_guard g;
	u8 *chan = unit_guard_alloc(&g, size);
	u8 *snap = malloc(size);
	u8 msg[64], out[64];
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(cvar); i++) {
		struct spar_signal_queue_header *q = QH(chan, 128);
		u32 queue = 0;
		int ret, want = cvar[i].ret;

		memset(chan, 0, size);
		put_header(chan, size, 128);
		CHECK_EQ(spar_sq_server_init(&s, chan, size, &geo,
					     SPAR_SQ_SERVER_CONSUMES), 0);
		/* queue 1 onwards: bytes that are no queue header */
		memset(chan + 256, 0xff, size - 256);
		switch (cvar[i].field) {
		case F_NONE:
			break;
		case F_MAX:
			q->max_slots = htole32((u32)cvar[i].val);
			break;
		case F_SS:
			q->signal_size = htole32((u32)cvar[i].val);
			break;
		case F_SBO:
			q->sig_base_offset = htole64(cvar[i].val);
			break;
		case F_HEAD:
			q->head = htole32((u32)cvar[i].val);
			q->tail = q->head;
			break;
		case F_TAIL:
			q->tail = htole32((u32)cvar[i].val);
			break;
		case F_CSO:
			((struct spar_channel_header *)chan)->ch_space_offset =
				htole64(cvar[i].val);
			break;
		case F_QUEUE:
			queue = (u32)cvar[i].val;
			break;
		}
		CHECK_EQ(spar_sq_client_init(&cl, chan, size), 0);
		memcpy(snap, chan, size);
		fill(msg, sizeof(msg), i);

		ret = spar_sq_client_insert(&cl, queue, msg, sizeof(msg));
		if (ret != want) {
			fprintf(stderr, "%s: insert %d, want %d\n",
				cvar[i].what, ret, want);
			CHECK(0);
		}
		if (want) {
			CHECK(!memcmp(snap, chan, size));
			ret = spar_sq_client_remove(&cl, queue, out,
						    sizeof(out));
			if (ret != want) {
				fprintf(stderr, "%s: remove %d, want %d\n",
					cvar[i].what, ret, want);
				CHECK(0);
			}
			CHECK(!memcmp(snap, chan, size));
			CHECK(spar_sq_client_empty(&cl, queue));
			CHECK(!memcmp(snap, chan, size));
		} else {
			u32 ss = le32toh(q->signal_size);

			CHECK(!spar_sq_client_empty(&cl, queue));
			memset(out, 0, sizeof(out));
			CHECK_EQ(spar_sq_client_remove(&cl, queue, out,
						       sizeof(out)), 0);
			CHECK(!memcmp(msg, out, ss));
			CHECK(spar_sq_client_empty(&cl, queue));
		}
	}
	free(snap);
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

/* a slot area that ends on the channel's last byte, next to a guard page */
static void t_client_last_slot(void)
{
	const u64 size = 128 + 128 + 7 * 64;
	struct spar_sq_geometry geo = { 128, 256, 64, 7 };
	struct spar_sq_server s;
	struct spar_sq_client cl;
	struct unit_guard g;
	u8 *chan = unit_guard_alloc(&g, size);
	u8 msg[64], out[64];
	u32 i;

	put_header(chan, size, 128);
	CHECK_EQ(spar_sq_server_init(&s, chan, size, &geo,
				     SPAR_SQ_SERVER_CONSUMES), 0);
	CHECK_EQ(spar_sq_client_init(&cl, chan, size), 0);
	CHECK_EQ(g.buf + g.len, g.map + g.map_len - g.page);
	for (i = 0; i < 20; i++) {
		fill(msg, sizeof(msg), i);
		CHECK_EQ(spar_sq_client_insert(&cl, 0, msg, sizeof(msg)), 0);
		CHECK_EQ(spar_sq_server_remove(&s, out, sizeof(out)), 0);
		CHECK(!memcmp(msg, out, sizeof(out)));
	}
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

static void t_client_overflow_counts(void)
{
	struct small_fix f;
	u8 msg[8];
	u32 i;

	small_setup(&f, 8, 4, SPAR_SQ_SERVER_CONSUMES);
	memset(msg, 9, sizeof(msg));
	QH(f.chan, 128)->num_overflows = htole64(40);
	for (i = 0; i < 3; i++)
		CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, 8), 0);
	for (i = 0; i < 5; i++)
		CHECK_EQ(spar_sq_client_insert(&f.cl, 0, msg, 8), -EIO);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_overflows), 45);
	CHECK_EQ(le64toh(QH(f.chan, 128)->num_sent), 3);
	CHECK_EQ(le32toh(QH(f.chan, 128)->head), 3);
	small_teardown(&f);
}

static const struct unit_case cases[] = {
	{ "io-geometry-159744", t_io_geometry_min },
	{ "io-geometry-limits", t_io_geometry_limits },
	{ "input-geometry", t_input_geometry },
	{ "geometry-rejects", t_geometry_rejects },
	{ "server-init-rejects", t_server_init_rejects },
	{ "capacity-server-produces", t_capacity_server_produces },
	{ "capacity-client-produces", t_capacity_client_produces },
	{ "wraparound-many-cycles", t_wrap_many_cycles },
	{ "interop-byte-exact", t_interop_byte_exact },
	{ "call-errors", t_call_errors },
	{ "pending-counts", t_pending_counts },
	{ "server-bad-peer-index", t_server_bad_peer_index },
	{ "server-ignores-shared-geometry", t_server_ignores_shared_geometry },
	{ "server-resync", t_server_resync },
	{ "client-bad-geometry", t_client_bad_geometry },
	{ "client-last-slot", t_client_last_slot },
	{ "client-overflow-counts", t_client_overflow_counts },
};

int main(void)
{
	return unit_main("sq", cases, UNIT_ARRAY_SIZE(cases));
}
