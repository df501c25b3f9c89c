// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the client role: the whole channel, its size and the caller's
 * buffer sizes come from the input.  Every call must stay inside the
 * channel and the caller's buffer (both exact-size heap blocks under
 * ASAN), return a documented code, and change only the bytes it owns.
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
#define MAX_CHAN 200000

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static u64 get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

/* bytes outside [lo1, hi1) and [lo2, hi2) must be unchanged */
static void check_diff(u8 *snap, const u8 *chan, u64 size, u64 lo1, u64 hi1,
		       u64 lo2, u64 hi2)
{
	if (hi1 > lo1)
		memcpy(snap + lo1, chan + lo1, hi1 - lo1);
	if (hi2 > lo2)
		memcpy(snap + lo2, chan + lo2, hi2 - lo2);
	ASSERT(!memcmp(snap, chan, size));
}

static u32 pick_queue(u8 q)
{
	/* mostly small queue numbers, sometimes huge ones */
	return q < 0xf0 ? q % 4 : 0xffffffffu - (0xffu - q);
}

struct view {			/* the queue header as the snapshot has it */
	u64 qoff, slots;
	u32 ss, max, head, tail;
};

static bool view_of(const struct spar_sq_client *cl, const u8 *snap,
		    u64 size, u32 queue, struct view *w)
{
	u64 cso = cl->ch_space_offset;

	if (cso >= size || (u64)queue * 128 + 128 > size - cso)
		return false;
	w->qoff = cso + (u64)queue * 128;
	w->ss = get32(snap + w->qoff + OFF(signal_size));
	w->max = get32(snap + w->qoff + OFF(max_slots));
	w->head = get32(snap + w->qoff + OFF(head));
	w->tail = get32(snap + w->qoff + OFF(tail));
	w->slots = w->qoff + get64(snap + w->qoff + OFF(sig_base_offset));
	return true;
}

static void one_op(const struct fuzz_op *op, struct spar_sq_client *cl,
		   u8 *chan, u8 *snap, u64 size)
{
	u32 queue = pick_queue(op->queue);
	struct view w;
	size_t len;
	u8 *buf;
	u64 slot;
	u32 val;
	int ret;

	memcpy(snap, chan, size);
	switch (op->op % FUZZ_NR_OPS) {
	case FUZZ_INSERT:
		len = op->arg % 1400;
		buf = malloc(len ? len : 1);
		memset(buf, (u8)op->val, len);
		ret = spar_sq_client_insert(cl, queue, buf, len);
		if (ret == 0) {
			ASSERT(view_of(cl, snap, size, queue, &w));
			ASSERT(w.max >= 2 && w.head < w.max && w.tail < w.max);
			ASSERT(w.ss && w.ss <= len);
			val = w.head + 1 == w.max ? 0 : w.head + 1;
			ASSERT(val != w.tail);
			ASSERT(get32(chan + w.qoff + OFF(head)) == val);
			slot = w.slots + (u64)val * w.ss;
			ASSERT(slot >= w.qoff + 128 && slot + w.ss <= size);
			ASSERT(!memcmp(chan + slot, buf, w.ss));
			check_diff(snap, chan, size, w.qoff + OFF(num_sent),
				   w.qoff + OFF(head) + 4, slot, slot + w.ss);
		} else if (ret == -EIO) {
			ASSERT(view_of(cl, snap, size, queue, &w));
			check_diff(snap, chan, size,
				   w.qoff + OFF(num_overflows),
				   w.qoff + OFF(num_overflows) + 8, 0, 0);
		} else {
			ASSERT(ret == -EPROTO || ret == -EMSGSIZE ||
			       ret == -EINVAL);
			check_diff(snap, chan, size, 0, 0, 0, 0);
		}
		free(buf);
		break;
	case FUZZ_REMOVE:
		len = op->arg % 1400;
		buf = malloc(len ? len : 1);
		ret = spar_sq_client_remove(cl, queue, buf, len);
		if (ret == 0) {
			ASSERT(view_of(cl, snap, size, queue, &w));
			ASSERT(w.head != w.tail && w.ss <= len);
			val = w.tail + 1 == w.max ? 0 : w.tail + 1;
			ASSERT(get32(chan + w.qoff + OFF(tail)) == val);
			slot = w.slots + (u64)val * w.ss;
			ASSERT(!memcmp(snap + slot, buf, w.ss));
			check_diff(snap, chan, size, w.qoff + OFF(num_received),
				   w.qoff + OFF(tail) + 4, 0, 0);
		} else {
			ASSERT(ret == -EAGAIN || ret == -EPROTO ||
			       ret == -EMSGSIZE || ret == -EINVAL);
			check_diff(snap, chan, size, 0, 0, 0, 0);
		}
		free(buf);
		break;
	case FUZZ_PENDING:
	case FUZZ_EMPTY:
		spar_sq_client_empty(cl, queue);
		check_diff(snap, chan, size, 0, 0, 0, 0);
		break;
	case FUZZ_POKE32:
		if (size >= 4) {
			val = op->val;
			memcpy(chan + op->arg % (size - 3), &val, 4);
		}
		break;
	case FUZZ_POKE_INDEX:
		if (view_of(cl, chan, size, queue, &w)) {
			val = htole32(w.max ? op->val % ((u64)w.max + 2) :
				      op->val);
			memcpy(chan + w.qoff + (op->arg & 1 ? OFF(head) :
						OFF(tail)), &val, 4);
		}
		break;
	case FUZZ_RESET:
	case FUZZ_RESYNC:
		ASSERT(spar_sq_client_init(cl, chan, size) == 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spar_sq_client cl;
	size_t nops, img_len, i;
	u64 chan_size;
	u8 *chan, *snap;

	if (size < FUZZ_HDR_LEN)
		return 0;
	nops = data[1] % (FUZZ_MAX_OPS + 1);
	if (nops > (size - FUZZ_HDR_LEN) / sizeof(struct fuzz_op))
		nops = (size - FUZZ_HDR_LEN) / sizeof(struct fuzz_op);
	img_len = size - FUZZ_HDR_LEN - nops * sizeof(struct fuzz_op);
	/* the channel is the image, at least a header, cut to MAX_CHAN */
	chan_size = img_len < SPAR_CHANNEL_HEADER_SIZE ?
		    SPAR_CHANNEL_HEADER_SIZE : img_len;
	if (chan_size > MAX_CHAN)
		chan_size = MAX_CHAN;
	if (img_len > chan_size)
		img_len = chan_size;

	chan = calloc(1, chan_size);
	snap = malloc(chan_size);
	memcpy(chan, data + FUZZ_HDR_LEN + nops * sizeof(struct fuzz_op),
	       img_len);
	ASSERT(spar_sq_client_init(&cl, chan, chan_size) == 0);
	/* byte 0 chooses a too-small size now and then */
	ASSERT(spar_sq_client_init(&cl, chan, data[0] & 0x7f) ==
	       ((data[0] & 0x7f) < 128 ? -EINVAL : 0));
	ASSERT(spar_sq_client_init(&cl, chan, chan_size) == 0);

	for (i = 0; i < nops; i++) {
		struct fuzz_op op;

		memcpy(&op, data + FUZZ_HDR_LEN + i * sizeof(op), sizeof(op));
		op.arg = le16toh(op.arg);
		op.val = le32toh(op.val);
		one_op(&op, &cl, chan, snap, chan_size);
	}
	free(snap);
	free(chan);
	return 0;
}
