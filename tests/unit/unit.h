/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal harness for the userspace unit tests.
 *
 * A test binary lists its cases in a struct unit_case array and calls
 * unit_main().  Each case prints one "PASS unit/<prefix>-<name>" or
 * "FAIL unit/<prefix>-<name>" line on stdout; diagnostics go to stderr.
 * A fault inside a case (for instance a touch of a guard page) is caught
 * and reported as a FAIL of that case.  The exit status is non-zero if any
 * case failed.
 *
 * Guarded buffers: unit_guard_alloc() places a buffer so that its last
 * byte is followed (within 8 bytes) by an inaccessible page and its first
 * byte is preceded by canary bytes and an inaccessible page; any access
 * past either end faults or shows up in unit_guard_check().
 */
#ifndef _SPAR_UNIT_H
#define _SPAR_UNIT_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

static int unit_failed;
static sigjmp_buf unit_jmp;
static volatile sig_atomic_t unit_armed;

#define UNIT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			unit_failed = 1;				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			fprintf(stderr,					\
				"%s:%d: check failed: %s == %s "	\
				"(%lld != %lld)\n", __FILE__, __LINE__,	\
				#a, #b, _a, _b);			\
			unit_failed = 1;				\
		}							\
	} while (0)

/* A validator's verdict: @got is the reason @want (NULL: accepted). */
#define CHECK_WHY(got, want)						\
	do {								\
		const char *_g = (got), *_w = (want);			\
		if (_g != _w && (!_g || !_w || strcmp(_g, _w))) {	\
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", \
				__FILE__, __LINE__,			\
				_g ? _g : "accepted",			\
				_w ? _w : "accepted");			\
			unit_failed = 1;				\
		}							\
	} while (0)

static void unit_fault(int sig)
{
	if (unit_armed) {
		unit_armed = 0;
		siglongjmp(unit_jmp, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* run one case; nothing here changes between sigsetjmp and siglongjmp */
static int unit_run_one(const char *prefix, const struct unit_case *c)
{
	int sig;

	unit_failed = 0;
	sig = sigsetjmp(unit_jmp, 1);
	if (!sig) {
		unit_armed = 1;
		c->fn();
		unit_armed = 0;
	} else {
		fprintf(stderr, "%s-%s: signal %d\n", prefix, c->name, sig);
		unit_failed = 1;
	}
	printf("%s unit/%s-%s\n", unit_failed ? "FAIL" : "PASS", prefix,
	       c->name);
	return unit_failed;
}

static int unit_main(const char *prefix, const struct unit_case *cases,
		     size_t n)
{
	struct sigaction sa;
	int failures = 0;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = unit_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < n; i++)
		failures += unit_run_one(prefix, &cases[i]);
	return failures ? 1 : 0;
}

#define UNIT_CANARY 0xa5

struct unit_guard {
	uint8_t *map;
	size_t map_len;
	uint8_t *buf;
	size_t len;
	size_t page;
};

/* @len bytes, 8-byte aligned, guard pages on both sides */
static inline uint8_t *unit_guard_alloc(struct unit_guard *g, size_t len)
{
	size_t pages, room;

	g->page = (size_t)sysconf(_SC_PAGESIZE);
	pages = (len + g->page - 1) / g->page;
	if (!pages)
		pages = 1;
	g->map_len = (pages + 2) * g->page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	room = pages * g->page;
	memset(g->map + g->page, UNIT_CANARY, room);
	mprotect(g->map, g->page, PROT_NONE);
	mprotect(g->map + g->page + room, g->page, PROT_NONE);
	g->buf = g->map + g->page + ((room - len) & ~(size_t)7);
	g->len = len;
	memset(g->buf, 0, len);
	return g->buf;
}

/* true if every byte around the buffer still holds the canary */
static inline int unit_guard_check(const struct unit_guard *g)
{
	const uint8_t *start = g->map + g->page;
	const uint8_t *end = start + (g->map_len - 2 * g->page);
	const uint8_t *p;

	for (p = start; p < g->buf; p++)
		if (*p != UNIT_CANARY)
			return 0;
	for (p = g->buf + g->len; p < end; p++)
		if (*p != UNIT_CANARY)
			return 0;
	return 1;
}

static inline void unit_guard_free(struct unit_guard *g)
{
	munmap(g->map, g->map_len);
	g->map = NULL;
}

#endif /* _SPAR_UNIT_H */
