// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the server role: the guest owns the channel bytes and changes them
 * between calls; the server's geometry is trusted.  Every call must stay
 * inside the channel (ASAN sees the channel as an exact-size heap block),
 * return a documented code, keep the private index below max_slots, and
 * change only the bytes the call owns.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spar/channel.h>
#include "signalqueue.h"
#include "fuzz.h"
#include "fuzz_assert.h"

#define OFF(f) offsetof(struct spar_signal_queue_header, f)

struct variant {
	u64 chan_size;
	int nq;
	struct spar_sq_geometry geo[2];
	enum spar_sq_role role[2];
};

static const struct variant variants[] = {
	{ 384, 1, { { 128, 256, 16, 8 } }, { SPAR_SQ_SERVER_PRODUCES } },
	{ 384, 1, { { 128, 256, 16, 8 } }, { SPAR_SQ_SERVER_CONSUMES } },
	{ 1064, 1, { { 136, 264, 16, 50 } }, { SPAR_SQ_SERVER_PRODUCES } },
	{ 624, 2, { { 128, 384, 24, 5 }, { 256, 504, 24, 5 } },
	  { SPAR_SQ_SERVER_CONSUMES, SPAR_SQ_SERVER_PRODUCES } },
	{ 259, 1, { { 128, 256, 1, 3 } }, { SPAR_SQ_SERVER_CONSUMES } },
	{ 258, 1, { { 128, 256, 1, 2 } }, { SPAR_SQ_SERVER_PRODUCES } },
	{ 159744, 2, { { 128, 1472, 1216, 65 }, { 256, 80512, 1216, 65 } },
	  { SPAR_SQ_SERVER_CONSUMES, SPAR_SQ_SERVER_PRODUCES } },
};

#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

struct span {
	u64 lo, hi;
};

/*
 * Every byte that differs must lie in one of @spans.  @snap is scratch:
 * the allowed spans are copied over from @chan, then the rest compared.
 */
static void check_diff(u8 *snap, const u8 *chan, u64 size,
		       const struct span *spans, int n)
{
	u64 i;
	int k;

	for (k = 0; k < n; k++)
		memcpy(snap + spans[k].lo, chan + spans[k].lo,
		       spans[k].hi - spans[k].lo);
	if (!memcmp(snap, chan, size))
		return;
	for (i = 0; i < size && snap[i] == chan[i]; i++)
		;
	fprintf(stderr, "unexpected write at %llu\n", (unsigned long long)i);
	abort();
}

static u32 next(u32 i, u32 max)
{
	return i + 1 == max ? 0 : i + 1;
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static void one_op(const struct fuzz_op *op, u8 *chan, u8 *snap,
		   const struct variant *v, struct spar_sq_server *sqs)
{
	int qi = op->queue % v->nq;
	struct spar_sq_server *s = &sqs[qi], old = *s;
	const struct spar_sq_geometry *geo = &v->geo[qi];
	u64 q = geo->queue_offset, size = v->chan_size;
	bool prod = v->role[qi] == SPAR_SQ_SERVER_PRODUCES;
	u32 ss = geo->signal_size, max = geo->max_slots;
	struct span sp[3];
	size_t len;
	u8 *buf;
	u32 val;
	u64 off;
	int ret;

	memcpy(snap, chan, size);
	switch (op->op % FUZZ_NR_OPS) {
	case FUZZ_INSERT:
		len = op->arg % (ss + 1);
		buf = malloc(len ? len : 1);
		memset(buf, (u8)op->val, len);
		ret = spar_sq_server_insert(s, buf, len);
		if (!prod) {
			ASSERT(ret == -EINVAL);
			check_diff(snap, chan, size, NULL, 0);
		} else if (ret == 0) {
			u64 slot = geo->slot_offset + (u64)s->index * ss;

			ASSERT(!old.broken);
			ASSERT(s->index == next(old.index, max));
			ASSERT(get32(chan + q + OFF(head)) == s->index);
			ASSERT(s->count == old.count + 1);
			ASSERT(!memcmp(chan + slot, buf, len));
			for (off = len; off < ss; off++)
				ASSERT(chan[slot + off] == 0);
			sp[0] = (struct span){ q + OFF(head), q + OFF(head) + 4 };
			sp[1] = (struct span){ q + OFF(num_sent),
					       q + OFF(num_sent) + 8 };
			sp[2] = (struct span){ slot, slot + ss };
			check_diff(snap, chan, size, sp, 3);
		} else if (ret == -ENOSPC) {
			ASSERT(!old.broken);
			ASSERT(s->index == old.index);
			ASSERT(s->overflows == old.overflows + 1);
			ASSERT(get32(snap + q + OFF(tail)) == next(s->index, max));
			sp[0] = (struct span){ q + OFF(num_overflows),
					       q + OFF(num_overflows) + 8 };
			check_diff(snap, chan, size, sp, 1);
		} else {
			ASSERT(ret == -EPROTO && s->broken);
			ASSERT(old.broken || get32(snap + q + OFF(tail)) >= max);
			check_diff(snap, chan, size, NULL, 0);
		}
		free(buf);
		break;
	case FUZZ_REMOVE:
		len = op->arg % (ss + 1);
		buf = malloc(len ? len : 1);
		ret = spar_sq_server_remove(s, buf, len);
		if (prod) {
			ASSERT(ret == -EINVAL);
			check_diff(snap, chan, size, NULL, 0);
		} else if (ret == 0) {
			u64 slot = geo->slot_offset + (u64)s->index * ss;

			ASSERT(!old.broken);
			ASSERT(s->index == next(old.index, max));
			ASSERT(get32(chan + q + OFF(tail)) == s->index);
			ASSERT(s->count == old.count + 1);
			ASSERT(!memcmp(snap + slot, buf, len));
			sp[0] = (struct span){ q + OFF(num_received),
					       q + OFF(tail) + 4 };
			check_diff(snap, chan, size, sp, 1);
		} else if (ret == -EAGAIN) {
			ASSERT(!old.broken);
			ASSERT(get32(snap + q + OFF(head)) == s->index);
			check_diff(snap, chan, size, NULL, 0);
		} else {
			ASSERT(ret == -EPROTO && s->broken);
			ASSERT(old.broken || get32(snap + q + OFF(head)) >= max);
			check_diff(snap, chan, size, NULL, 0);
		}
		free(buf);
		break;
	case FUZZ_PENDING:
		ret = spar_sq_server_pending(s);
		ASSERT(ret == -EPROTO ? s->broken : ret >= 0 && (u32)ret < max);
		check_diff(snap, chan, size, NULL, 0);
		break;
	case FUZZ_EMPTY:
		if (spar_sq_server_empty(s))
			ASSERT(!s->broken);
		check_diff(snap, chan, size, NULL, 0);
		break;
	case FUZZ_POKE32:
		off = op->arg % (size - 3);
		val = op->val;
		memcpy(chan + off, &val, 4);
		break;
	case FUZZ_POKE_INDEX:
		val = htole32(op->val % (max + 2));
		memcpy(chan + q + (prod ? OFF(tail) : OFF(head)), &val, 4);
		break;
	case FUZZ_RESET:
		spar_sq_server_reset(s);
		ASSERT(!s->broken && s->index == 0 && s->count == 0);
		ASSERT(get32(chan + q + OFF(max_slots)) == max);
		ASSERT(get32(chan + q + OFF(signal_size)) == ss);
		sp[0] = (struct span){ q, q + SPAR_SIGNAL_QUEUE_HEADER_SIZE };
		check_diff(snap, chan, size, sp, 1);
		break;
	case FUZZ_RESYNC:
		ret = spar_sq_server_resync(s);
		if (ret == 0) {
			ASSERT(!s->broken);
			ASSERT(s->index == get32(chan + q +
						 (prod ? OFF(head) : OFF(tail))));
		} else {
			ASSERT(ret == -EPROTO && s->broken);
		}
		check_diff(snap, chan, size, NULL, 0);
		break;
	}
	/* the invariants that make every later slot access safe */
	ASSERT(s->index < max);
	ASSERT(!memcmp(&s->geo, geo, sizeof(*geo)));
	ASSERT(s->qh == chan + geo->queue_offset);
	ASSERT(s->slots == chan + geo->slot_offset);
	if (old.broken && (op->op % FUZZ_NR_OPS) != FUZZ_RESET &&
	    (op->op % FUZZ_NR_OPS) != FUZZ_RESYNC)
		ASSERT(s->broken);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct variant *v;
	struct spar_sq_server sqs[2];
	size_t nops, img_len, i;
	const u8 *img;
	u8 *chan, *snap;
	bool late;

	if (size < FUZZ_HDR_LEN)
		return 0;
	v = &variants[(data[0] & 0x7f) % NVARIANTS];
	late = data[0] & FUZZ_IMAGE_LATE;
	nops = data[1] % (FUZZ_MAX_OPS + 1);
	if (nops > (size - FUZZ_HDR_LEN) / sizeof(struct fuzz_op))
		nops = (size - FUZZ_HDR_LEN) / sizeof(struct fuzz_op);
	img = data + FUZZ_HDR_LEN + nops * sizeof(struct fuzz_op);
	img_len = size - FUZZ_HDR_LEN - nops * sizeof(struct fuzz_op);
	if (img_len > v->chan_size)
		img_len = v->chan_size;

	chan = calloc(1, v->chan_size);
	snap = malloc(v->chan_size);
	if (!late)
		memcpy(chan, img, img_len);
	for (i = 0; i < (size_t)v->nq; i++)
		ASSERT(spar_sq_server_init(&sqs[i], chan, v->chan_size,
					   &v->geo[i], v->role[i]) == 0);
	if (late)
		memcpy(chan, img, img_len);

	for (i = 0; i < nops; i++) {
		struct fuzz_op op;

		memcpy(&op, data + FUZZ_HDR_LEN + i * sizeof(op), sizeof(op));
		op.arg = le16toh(op.arg);
		op.val = le32toh(op.val);
		one_op(&op, chan, snap, v, sqs);
	}
	free(snap);
	free(chan);
	return 0;
}
