// SPDX-License-Identifier: GPL-2.0
/*
 * Two threads push millions of sequence-numbered signals through a small
 * ring, once with the client producing and the server consuming and once
 * the other way round.  The consumer checks order, loss and every payload
 * byte (a torn or stale slot shows up as a payload mismatch); at the end
 * the shared and private counters must agree with what the threads saw.
 * The whole binary is bounded by an alarm.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spar/channel.h>
#include "signalqueue.h"
#include "unit.h"

#if defined(__SANITIZE_ADDRESS__)
#define STRESS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRESS_SANITIZED 1
#endif
#endif

#ifdef STRESS_SANITIZED
#define STRESS_MSGS	1000000ULL
#else
#define STRESS_MSGS	3000000ULL
#endif
#define STRESS_TIMEOUT	50	/* seconds for the whole binary */
#define STRESS_SS	64
#define STRESS_SLOTS	8

struct stress_msg {
	u64 seq;
	u64 inv;
	u8 pad[STRESS_SS - 16];
};

struct stress {
	struct spar_sq_server srv;
	struct spar_sq_client cl;
	u8 *chan;
	bool server_produces;
	u64 n;
	u64 full;		/* producer: inserts refused as full */
	u64 empty;		/* consumer: removes that found nothing */
	u64 bad;		/* consumer: first wrong message + 1 */
	int err;		/* first unexpected return code */
	int stop;		/* set by either thread to end both */
};

static u64 stress_msgs = STRESS_MSGS;

static void relax(unsigned int *spins)
{
	if (++*spins < 128) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	} else {
		*spins = 0;
		sched_yield();
	}
}

static int stopped(struct stress *st)
{
	return __atomic_load_n(&st->stop, __ATOMIC_RELAXED);
}

static void make_msg(struct stress_msg *m, u64 seq)
{
	size_t i;

	m->seq = seq;
	m->inv = ~seq;
	for (i = 0; i < sizeof(m->pad); i++)
		m->pad[i] = (u8)(seq + i);
}

static void *producer(void *arg)
{
	struct stress *st = arg;
	struct stress_msg m;
	unsigned int spins = 0;
	u64 seq;
	int ret;

	for (seq = 0; seq < st->n && !stopped(st); seq++) {
		make_msg(&m, seq);
		for (;;) {
			if (st->server_produces)
				ret = spar_sq_server_insert(&st->srv, &m,
							    sizeof(m));
			else
				ret = spar_sq_client_insert(&st->cl, 0, &m,
							    sizeof(m));
			if (!ret)
				break;
			if (ret != (st->server_produces ? -ENOSPC : -EIO)) {
				st->err = ret;
				__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
				return NULL;
			}
			st->full++;
			if (stopped(st))
				return NULL;
			relax(&spins);
		}
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct stress *st = arg;
	struct stress_msg m, want;
	unsigned int spins = 0;
	u64 seq;
	int ret;

	for (seq = 0; seq < st->n && !stopped(st); seq++) {
		for (;;) {
			if (st->server_produces)
				ret = spar_sq_client_remove(&st->cl, 0, &m,
							    sizeof(m));
			else
				ret = spar_sq_server_remove(&st->srv, &m,
							    sizeof(m));
			if (!ret)
				break;
			if (ret != -EAGAIN) {
				st->err = ret;
				__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
				return NULL;
			}
			st->empty++;
			if (stopped(st))
				return NULL;
			relax(&spins);
		}
		make_msg(&want, seq);
		if (memcmp(&m, &want, sizeof(m))) {
			st->bad = seq + 1;
			__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
			return NULL;
		}
	}
	return NULL;
}

static void run(bool server_produces)
{
	struct spar_sq_geometry geo = { 128, 256, STRESS_SS, STRESS_SLOTS };
	const u64 size = 256 + STRESS_SS * STRESS_SLOTS;
	struct spar_signal_queue_header *q;
	struct timespec t0, t1;
	struct stress st;
	struct unit_guard g;
	pthread_t pt, ct;

	memset(&st, 0, sizeof(st));
	st.server_produces = server_produces;
	st.n = stress_msgs;
	st.chan = unit_guard_alloc(&g, size);
	((struct spar_channel_header *)st.chan)->ch_space_offset = htole64(128);
	CHECK_EQ(spar_sq_server_init(&st.srv, st.chan, size, &geo,
				     server_produces ? SPAR_SQ_SERVER_PRODUCES :
				     SPAR_SQ_SERVER_CONSUMES), 0);
	CHECK_EQ(spar_sq_client_init(&st.cl, st.chan, size), 0);
	q = (struct spar_signal_queue_header *)(st.chan + 128);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pthread_create(&ct, NULL, consumer, &st) ||
	    pthread_create(&pt, NULL, producer, &st)) {
		perror("pthread_create");
		exit(2);
	}
	pthread_join(pt, NULL);
	pthread_join(ct, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	fprintf(stderr, "stress %s: %llu msgs in %.2fs, %llu full, %llu empty\n",
		server_produces ? "server->client" : "client->server",
		(unsigned long long)st.n,
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		(unsigned long long)st.full, (unsigned long long)st.empty);
	CHECK_EQ(st.err, 0);
	CHECK_EQ(st.bad, 0);
	CHECK_EQ(le64toh(q->num_sent), st.n);
	CHECK_EQ(le64toh(q->num_received), st.n);
	CHECK_EQ(le64toh(q->num_overflows), st.full);
	CHECK_EQ(st.srv.count, st.n);
	CHECK_EQ(st.srv.overflows, server_produces ? st.full : 0);
	CHECK(spar_sq_server_empty(&st.srv));
	CHECK(spar_sq_client_empty(&st.cl, 0));
	CHECK(!st.srv.broken);
	CHECK(unit_guard_check(&g));
	unit_guard_free(&g);
}

static void t_client_to_server(void)
{
	run(false);
}

static void t_server_to_client(void)
{
	run(true);
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL unit/stress-timeout\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(1);
}

static const struct unit_case cases[] = {
	{ "client-to-server", t_client_to_server },
	{ "server-to-client", t_server_to_client },
};

int main(void)
{
	const char *env = getenv("UNIT_STRESS_MSGS");

	if (env)
		stress_msgs = strtoull(env, NULL, 0);
	signal(SIGALRM, on_alarm);
	alarm(STRESS_TIMEOUT);
	return unit_main("stress", cases, UNIT_ARRAY_SIZE(cases));
}
