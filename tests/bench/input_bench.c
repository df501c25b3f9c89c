// SPDX-License-Identifier: GPL-2.0
/*
 * input_bench: the spar-input latency bench (the fourth part of `make
 * bench`, tests/bench/input-bench.sh), run in the test VM (L1) by
 * tests/bench/input-bench-l1.sh.  It measures the time from a key event
 * written to a uinput keyboard here to its evdev timestamp in the nested
 * guest (L2), on two paths into the same L2:
 *
 *   spar    a uinput keyboard with the phys "spar-input/<UUID>/bench",
 *           which the spar-input instance UUID takes; L2 reads it as
 *           "visor Keyboard" (visorinput)
 *   virtio  a uinput keyboard with the phys "input-bench/virtio", which
 *           L2's QEMU reads (-object input-linux,evdev=...); L2 reads it
 *           as "QEMU Virtio Keyboard" (virtio-keyboard-pci)
 *
 *   input_bench --uuid UUID --socket PATH --ready FILE [--events N]
 *               [--warmup N] [--timeout MS] [--pings N] [--sync-every N]
 *               [--wait SECONDS]
 *
 * --uuid        the spar-input instance
 * --socket      the UNIX socket of L2's virtio-serial port (QEMU's
 *               "-chardev socket,server=on,wait=off"), where
 *               input_bench_l2 answers
 * --ready       once both keyboards exist and the instance has taken the
 *               spar one, the virtio one's event device
 *               ("/dev/input/eventN") is written to FILE (whole, by a
 *               rename): what L2's QEMU is to read
 * --events      measured events per path, presses and releases (default
 *               1000; rounded up to an even number)
 * --warmup      unmeasured taps per path first (default 5)
 * --timeout     how long to wait for each event in L2 (default 5000 ms)
 * --pings       clock pings of the first and the last sync round
 *               (default 200; the rounds between have a quarter)
 * --sync-every  a sync round after every N taps per path (default 50)
 * --wait        how long to wait for L2's QEMU and for L2 to be ready
 *               (default 600 s)
 *
 * Steps: make both keyboards; wait until the instance's "bound" lists the
 * spar one; write FILE; connect to the socket (again and again, until
 * L2's QEMU listens); wait for L2's "READY" (see input_bench_l2.c for the
 * protocol).  Then the warm-up taps, a clock sync round, and the measured
 * taps, spar and virtio in turn, with a sync round after every
 * --sync-every taps per path and at the end.  Each event is written as a
 * key event and a SYN_REPORT in one write(); the send time is
 * CLOCK_MONOTONIC right before it.  The next event is sent only once L2
 * has reported this one (the same device, key and value; anything else
 * from L2 is stale and skipped) or the timeout expired (lost).  Keys
 * rotate over 20 letters, so a late event is never taken for a later one.
 * After 10 lost events in a row a path is given up: its remaining events
 * are "skipped".
 *
 * The clock: L1 and L2 have their own CLOCK_MONOTONIC.  A sync round
 * sends pings one at a time: T1 here before the ping, T2 in L2 when it
 * arrived, T3 here when the answer arrived.  The ping with the shortest
 * round trip T3 - T1 gives offset = T2 - (T1 + T3) / 2, to within
 * (T3 - T1) / 2, at L1 time (T1 + T3) / 2.  An event's L2 timestamp is
 * brought to L1's clock with the offset interpolated linearly between the
 * rounds around its send time (which follows a drift of the two clocks),
 * and its latency is that minus the send time.
 *
 * Output, on standard output (times in microseconds):
 *
 *   INPUT-BENCH warmup PATH sent=N got=N
 *   INPUT-BENCH sync ROUND at_s=S offset_us=O rtt_us=R err_us=E pings=N answered=N
 *   INPUT-BENCH clock rounds=N err_us=E rtt_min_us=R drift_ppm=D
 *   INPUT-BENCH PATH n=N lost=N skipped=N stale=N median_us=M p90_us=P
 *               p99_us=P min_us=M max_us=M mean_us=M write_p99_us=W
 *               write_max_us=W
 *   INPUT-BENCH counters events=N reports_kbd=N drops_full=N doorbells=N
 *               interrupts=N     (the instance's, over the measured taps)
 *   INPUT-BENCH l2-counts ...    (what L2 counted, its "BYE" line)
 *
 * err_us is the largest error bound of the rounds.  write_*: how long
 * the write() to uinput took (the input handlers, spar-input's among
 * them, run in it); a latency counts from its end, so a long write()
 * (the writer preempted) shortens it.  Diagnostics go to
 * standard error.  Exit status: 0 if both paths were measured; 1 if
 * something could not be; 2 for a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/input.h>
#include <linux/uinput.h>

/* where things are; a test build may look elsewhere */
#ifndef MDEV_DEVICES
#define MDEV_DEVICES		"/sys/bus/mdev/devices"
#endif
#ifndef SYS_INPUT_DIR
#define SYS_INPUT_DIR		"/sys/class/input"
#endif
#ifndef INPUT_DIR
#define INPUT_DIR		"/dev/input"
#endif
#define UINPUT_PATH		"/dev/uinput"
#define BOUND_WAIT_MS		10000
#define POLL_MS			50
#define PING_TIMEOUT_MS		2000
#define MAX_UNANSWERED_IN_A_ROW	5
#define BYE_TIMEOUT_MS		10000
#define MAX_LOST_IN_A_ROW	10
#define NS			1000000000LL

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* letters, which both paths carry as the same key */
static const unsigned short keys[] = {
	KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O, KEY_P,
	KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K, KEY_L, KEY_Z,
};

enum { PATH_SPAR, PATH_VIRTIO, NR_PATHS };

struct sample {
	long long sent;		/* L1 ns, after the write() */
	long long seen;		/* L2 ns, the evdev timestamp */
	long long wr;		/* how long the write() took, ns */
};

struct path {
	const char *name;	/* in the output lines */
	char tag;		/* in L2's lines */
	const char *dev_name;	/* of the uinput keyboard */
	unsigned short product;
	char phys[80];
	int fd;
	int up;			/* L2 has the device open, and it answers */
	int lost_in_a_row;
	long lost, skipped;	/* of the measured events */
	long stale;		/* reports that came after their timeout */
	struct sample *s;
	long n;
};

static struct path paths[NR_PATHS] = {
	[PATH_SPAR] = {
		.name = "spar", .tag = 's', .product = 0x5350,
		.dev_name = "input-bench spar keyboard", .fd = -1,
	},
	[PATH_VIRTIO] = {
		.name = "virtio", .tag = 'v', .product = 0x5351,
		.dev_name = "input-bench virtio keyboard", .fd = -1,
	},
};

struct round {
	long long at;		/* L1 ns */
	long long offset;	/* L2 - L1, ns */
	long long rtt;		/* ns */
};

static const char *prog = "input_bench";
static const char *uuid;
static int sock = -1;
static unsigned long ping_seq;
static struct round *rounds;
static int nr_rounds;

/* L2's lines */
static struct {
	char buf[8192];
	size_t len;
	long long t_read;	/* when the last read() returned */
} in;

static void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int ms_left(long long deadline)
{
	long long left = deadline - now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

static double us(long long ns)
{
	return ns / 1000.0;
}

/* --- the uinput keyboards ------------------------------------------- */

static int make_kbd(struct path *p, const char *phys)
{
	struct uinput_setup setup = { 0 };
	const char *step;
	unsigned int k;
	int fd, e;

	snprintf(p->phys, sizeof(p->phys), "%s", phys);
	fd = open(UINPUT_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err("cannot open %s: %s (modprobe uinput)", UINPUT_PATH,
		    strerror(errno));
		return -1;
	}
	setup.id.bustype = BUS_VIRTUAL;
	setup.id.vendor = 0x1;
	setup.id.product = p->product;
	setup.id.version = 1;
	snprintf(setup.name, sizeof(setup.name), "%s", p->dev_name);
	step = "setting the capabilities of";
	if (ioctl(fd, UI_SET_EVBIT, EV_KEY))
		goto fail;
	for (k = 0; k < ARRAY_SIZE(keys); k++)
		if (ioctl(fd, UI_SET_KEYBIT, keys[k]))
			goto fail;
	step = "setting the phys of";
	if (ioctl(fd, UI_SET_PHYS, p->phys))
		goto fail;
	step = "setting up";
	if (ioctl(fd, UI_DEV_SETUP, &setup))
		goto fail;
	step = "creating";
	if (ioctl(fd, UI_DEV_CREATE))
		goto fail;
	p->fd = fd;
	return 0;
fail:
	e = errno;
	err("%s the uinput device '%s': %s", step, p->dev_name, strerror(e));
	close(fd);
	return -1;
}

/* read the attribute NAME of the instance into BUF; 0 or -errno */
static int attr_read(const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd, e;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/%s", uuid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return 0;
}

/* the counter stats/NAME of the instance, or -1 */
static long long stat_of(const char *name)
{
	char attr[64], buf[64];

	snprintf(attr, sizeof(attr), "stats/%s", name);
	if (attr_read(attr, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* is PHYS among the devices in BUF, the text of "bound"? */
static int is_bound(const char *buf, const char *phys)
{
	size_t len = strlen(phys);
	const char *line, *end, *f;

	for (line = buf; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		f = memchr(line, '\t', end - line);
		if (f && (size_t)(end - f - 1) >= len &&
		    !strncmp(f + 1, phys, len) &&
		    (f + 1 + len == end || f[1 + len] == '\t'))
			return 1;
	}
	return 0;
}

/* wait until the instance has taken the spar keyboard */
static int wait_bound(const struct path *p)
{
	char buf[8192];
	int waited, ret;

	for (waited = 0;; waited += POLL_MS) {
		ret = attr_read("bound", buf, sizeof(buf));
		if (ret) {
			err("cannot read %s/%s/bound: %s", MDEV_DEVICES, uuid,
			    strerror(-ret));
			return -1;
		}
		if (is_bound(buf, p->phys))
			return 0;
		if (waited >= BOUND_WAIT_MS)
			break;
		sleep_ms(POLL_MS);
	}
	err("%s did not take the uinput keyboard (phys %s) within %d s: see dmesg",
	    uuid, p->phys, BOUND_WAIT_MS / 1000);
	return -1;
}

/* "/dev/input/eventN" of the uinput device P into BUF */
static int event_node(const struct path *p, char *buf, size_t len)
{
	char sysname[64], dir[128];
	struct dirent *de;
	DIR *d;
	int found = 0;

	memset(sysname, 0, sizeof(sysname));
	if (ioctl(p->fd, UI_GET_SYSNAME(sizeof(sysname) - 1), sysname) < 0) {
		err("UI_GET_SYSNAME: %s", strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), SYS_INPUT_DIR "/%s", sysname);
	d = opendir(dir);
	if (!d) {
		err("cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	while (!found && (de = readdir(d))) {
		if (strncmp(de->d_name, "event", 5))
			continue;
		snprintf(buf, len, INPUT_DIR "/%s", de->d_name);
		found = 1;
	}
	closedir(d);
	if (!found || access(buf, R_OK)) {
		err("%s (%s) has no event device (modprobe evdev)", dir,
		    p->dev_name);
		return -1;
	}
	return 0;
}

/* write TEXT and a newline to FILE, whole (a rename) */
static int write_ready(const char *file, const char *text)
{
	char tmp[512];
	FILE *f;
	int bad;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "we");
	if (!f) {
		err("cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	bad = fprintf(f, "%s\n", text) < 0;
	if (fclose(f) || bad || rename(tmp, file)) {
		err("cannot write %s: %s", file, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- the port to L2 ------------------------------------------------- */

/* connect to PATH, again until DEADLINE: QEMU makes it when it starts */
static int connect_port(const char *path, long long deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		err("socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err("socket: %s", strerror(errno));
			return -1;
		}
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		e = errno;
		close(fd);
		if (e != ENOENT && e != ECONNREFUSED && e != EAGAIN) {
			err("connecting to %s: %s", path, strerror(e));
			return -1;
		}
		if (now_ns() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	err("nothing listens on %s: %s (did L2's QEMU start?)", path,
	    strerror(e));
	return -1;
}

static int send_line(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	size_t off = 0;
	ssize_t n;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (len < 0 || len >= (int)sizeof(buf) - 1)
		return -1;
	buf[len++] = '\n';
	while (off < (size_t)len) {
		n = write(sock, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err("writing to L2: %s", n < 0 ? strerror(errno) : "short write");
			return -1;
		}
		off += n;
	}
	return 0;
}

/*
 * The next line from L2 into LINE, its arrival time (the read() that
 * completed it) in *AT.  1: a line; 0: none before DEADLINE; -1: L2's end
 * is closed (QEMU is gone) or an error.
 */
static int get_line(char *line, size_t len, long long deadline, long long *at)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	char *nl;
	ssize_t n;
	size_t l;

	for (;;) {
		nl = memchr(in.buf, '\n', in.len);
		if (nl) {
			l = nl - in.buf;
			if (l >= len)
				l = len - 1;
			memcpy(line, in.buf, l);
			line[l] = 0;
			in.len -= nl + 1 - in.buf;
			memmove(in.buf, nl + 1, in.len);
			if (at)
				*at = in.t_read;
			return 1;
		}
		if (in.len == sizeof(in.buf))
			in.len = 0;	/* no line end in a full buffer */
		n = poll(&pfd, 1, ms_left(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err("poll: %s", strerror(errno));
			return -1;
		}
		if (!n)
			return 0;
		n = read(sock, in.buf + in.len, sizeof(in.buf) - in.len);
		in.t_read = now_ns();
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err("reading from L2: %s",
			    n < 0 ? strerror(errno) : "L2's QEMU closed the port");
			return -1;
		}
		in.len += n;
	}
}

/* --- the clock ------------------------------------------------------ */

/* one sync round of N pings; 0, or -1 if L2 is gone */
static int sync_round(int n)
{
	struct round best = { .rtt = -1 };
	long long t1, t2 = 0, t3 = 0, deadline;
	unsigned long seq;
	char line[256];
	int i, r = 0, answered = 0, unanswered = 0;

	for (i = 0; i < n && unanswered < MAX_UNANSWERED_IN_A_ROW; i++) {
		seq = ++ping_seq;
		t1 = now_ns();
		if (send_line("P %lu", seq))
			return -1;
		deadline = t1 + PING_TIMEOUT_MS * 1000000LL;
		for (;;) {
			r = get_line(line, sizeof(line), deadline, &t3);
			if (r < 0)
				return -1;
			if (!r)
				break;	/* unanswered: a late answer is stale */
			if (line[0] == 'Q') {
				unsigned long s;

				if (sscanf(line, "Q %lu %lld", &s, &t2) == 2 &&
				    s == seq)
					break;
				continue;
			}
			if (line[0] == 'K')
				paths[line[2] == 's' ? PATH_SPAR : PATH_VIRTIO].stale++;
		}
		if (!r) {
			unanswered++;
			continue;
		}
		unanswered = 0;
		answered++;
		if (best.rtt < 0 || t3 - t1 < best.rtt) {
			best.rtt = t3 - t1;
			best.at = t1 + (t3 - t1) / 2;
			best.offset = t2 - best.at;
		}
	}
	if (best.rtt < 0)
		printf("INPUT-BENCH sync %d at_s=%.3f offset_us=-1 rtt_us=-1 err_us=-1 pings=%d answered=0\n",
		       nr_rounds, now_ns() / 1e9, n);
	else
		printf("INPUT-BENCH sync %d at_s=%.3f offset_us=%.1f rtt_us=%.1f err_us=%.1f pings=%d answered=%d\n",
		       nr_rounds, best.at / 1e9, us(best.offset),
		       us(best.rtt), us(best.rtt) / 2, n, answered);
	if (best.rtt >= 0) {
		rounds[nr_rounds] = best;
		nr_rounds++;
	}
	return 0;
}

/* L2 - L1 at L1 time T: linear between the rounds around it */
static long long offset_at(long long t)
{
	const struct round *a, *b;
	int i;

	if (t <= rounds[0].at || nr_rounds == 1)
		return rounds[0].offset;
	for (i = 1; i < nr_rounds; i++) {
		a = &rounds[i - 1];
		b = &rounds[i];
		if (t <= b->at)
			return a->offset + (long long)((double)(b->offset - a->offset) *
				(double)(t - a->at) / (double)(b->at - a->at));
	}
	return rounds[nr_rounds - 1].offset;
}

/* --- the events ----------------------------------------------------- */

/*
 * Send key KEY with VALUE on P and wait for L2 to report it; record it
 * if MEASURE.  1: seen; 0: lost; -1: L2 is gone.
 */
static int event(struct path *p, unsigned short key, int value, int measure,
		 long timeout_ms)
{
	struct input_event ev[2] = {
		{ .type = EV_KEY, .code = key, .value = value },
		{ .type = EV_SYN, .code = SYN_REPORT, .value = 0 },
	};
	long long before, sent, seen = 0, deadline;
	unsigned int code;
	char line[256], tag;
	int r = 0, v;

	before = now_ns();
	if (write(p->fd, ev, sizeof(ev)) != sizeof(ev)) {
		err("writing to the uinput device '%s': %s", p->dev_name,
		    strerror(errno));
		return -1;
	}
	sent = now_ns();
	deadline = sent + timeout_ms * 1000000LL;
	for (;;) {
		r = get_line(line, sizeof(line), deadline, NULL);
		if (r <= 0)
			break;
		if (line[0] == 'D') {
			err("L2's evdev buffer of the %s device overflowed",
			    line[2] == 's' ? "spar" : "virtio");
			continue;
		}
		if (line[0] != 'K' ||
		    sscanf(line, "K %c %u %d %lld", &tag, &code, &v, &seen) != 4)
			continue;
		if (tag == p->tag && code == key && v == value)
			break;
		/* a late event of either path */
		paths[tag == 's' ? PATH_SPAR : PATH_VIRTIO].stale++;
	}
	if (r < 0)
		return -1;
	if (!r) {
		if (measure)
			p->lost++;
		p->lost_in_a_row++;
		return 0;
	}
	p->lost_in_a_row = 0;
	if (measure) {
		/*
		 * From before the write(): on the spar path the write runs
		 * the instance's handler, which may deliver the report
		 * before the call returns.
		 */
		p->s[p->n].sent = before;
		p->s[p->n].seen = seen;
		p->s[p->n].wr = sent - before;
		p->n++;
	}
	return 1;
}

/* one tap (press, release) of KEY on P; -1 if L2 is gone */
static int tap(struct path *p, unsigned short key, int measure,
	       long timeout_ms, long *got)
{
	int v, r;

	for (v = 1; v >= 0; v--) {
		if (!p->up) {
			if (measure)
				p->skipped++;
			continue;
		}
		r = event(p, key, v, measure, timeout_ms);
		if (r < 0)
			return -1;
		if (got)
			*got += r;
		if (p->lost_in_a_row >= MAX_LOST_IN_A_ROW) {
			err("%d %s events in a row lost: giving the path up",
			    MAX_LOST_IN_A_ROW, p->name);
			p->up = 0;
			/* no key may stay held */
			if (v) {
				struct input_event ev[2] = {
					{ .type = EV_KEY, .code = key },
					{ .type = EV_SYN, .code = SYN_REPORT },
				};

				if (write(p->fd, ev, sizeof(ev)) != sizeof(ev))
					err("releasing a key: %s", strerror(errno));
			}
		}
	}
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: the smallest value with at least Q of them at or below */
static long long pct(const long long *v, long n, double q)
{
	long i = (long)(q * n + 0.999999) - 1;

	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return v[i];
}

static void report(const struct path *p)
{
	long long *lat, *wr, sum = 0, med;
	long i;

	printf("INPUT-BENCH %s n=%ld lost=%ld skipped=%ld stale=%ld", p->name,
	       p->n, p->lost, p->skipped, p->stale);
	lat = calloc(p->n + 1, sizeof(*lat));
	wr = calloc(p->n + 1, sizeof(*wr));
	if (!p->n || !lat || !wr) {
		printf(" median_us=-1 p90_us=-1 p99_us=-1 min_us=-1 max_us=-1 mean_us=-1 write_p99_us=-1 write_max_us=-1\n");
		if (p->n)
			err("out of memory");
		free(lat);
		free(wr);
		return;
	}
	for (i = 0; i < p->n; i++) {
		lat[i] = p->s[i].seen - offset_at(p->s[i].sent) - p->s[i].sent;
		wr[i] = p->s[i].wr;
		sum += lat[i];
	}
	qsort(lat, p->n, sizeof(*lat), cmp_ll);
	qsort(wr, p->n, sizeof(*wr), cmp_ll);
	med = p->n % 2 ? lat[p->n / 2] :
	      (lat[p->n / 2 - 1] + lat[p->n / 2]) / 2;
	printf(" median_us=%.1f p90_us=%.1f p99_us=%.1f min_us=%.1f max_us=%.1f mean_us=%.1f write_p99_us=%.1f write_max_us=%.1f\n",
	       us(med), us(pct(lat, p->n, 0.90)), us(pct(lat, p->n, 0.99)),
	       us(lat[0]), us(lat[p->n - 1]), us(sum / p->n),
	       us(pct(wr, p->n, 0.99)), us(wr[p->n - 1]));
	free(lat);
	free(wr);
}

/* --- main ----------------------------------------------------------- */

static const char *const counter_names[] = {
	"events", "reports_kbd", "drops_full", "doorbells", "interrupts",
};

static void counters(long long *c)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counter_names); i++)
		c[i] = stat_of(counter_names[i]);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s --uuid UUID --socket PATH --ready FILE [--events N] [--warmup N]\n"
		"       [--timeout MS] [--pings N] [--sync-every N] [--wait SECONDS]\n",
		prog);
}

/* a whole decimal number MIN..MAX, or -1 */
static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v < min || v > max ? -1 : v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ "socket", required_argument, NULL, 's' },
		{ "ready", required_argument, NULL, 'r' },
		{ "events", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pings", required_argument, NULL, 'p' },
		{ "sync-every", required_argument, NULL, 'y' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long events = 1000, warmup = 5, timeout_ms = 5000, pings = 200;
	long sync_every = 50, wait_s = 600, taps, t, got, v;
	long long before[ARRAY_SIZE(counter_names)];
	long long after[ARRAY_SIZE(counter_names)];
	const char *sock_path = NULL, *ready = NULL;
	char phys[80], node[300], line[512];
	long long deadline, err_max = 0, rtt_min = -1;
	int c, i, r, rc = 0, spar = 0, virtio = 0, gone;
	struct path *p;
	unsigned int k;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			uuid = optarg;
			continue;
		case 's':
			sock_path = optarg;
			continue;
		case 'r':
			ready = optarg;
			continue;
		case 'h':
			print_usage(stdout);
			return 0;
		case 'n':
		case 'W':
		case 't':
		case 'p':
		case 'y':
		case 'w':
			break;
		default:
			print_usage(stderr);
			return 2;
		}
		v = number(optarg, c == 'W' ? 0 : 1, 10000000);
		if (v < 0) {
			err("'%s': a whole number%s", optarg,
			    c == 'W' ? "" : ", 1 or more");
			return 2;
		}
		if (c == 'n')
			events = v;
		else if (c == 'W')
			warmup = v;
		else if (c == 't')
			timeout_ms = v;
		else if (c == 'p')
			pings = v;
		else if (c == 'y')
			sync_every = v;
		else
			wait_s = v;
	}
	if (!uuid || !sock_path || !ready || optind != argc) {
		print_usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	taps = (events + 1) / 2;
	for (i = 0; i < NR_PATHS; i++) {
		paths[i].s = calloc(2 * taps, sizeof(struct sample));
		if (!paths[i].s) {
			err("out of memory");
			return 1;
		}
	}
	rounds = calloc(taps / sync_every + 3, sizeof(*rounds));
	if (!rounds) {
		err("out of memory");
		return 1;
	}

	snprintf(phys, sizeof(phys), "spar-input/%s/bench", uuid);
	if (make_kbd(&paths[PATH_SPAR], phys) ||
	    make_kbd(&paths[PATH_VIRTIO], "input-bench/virtio") ||
	    wait_bound(&paths[PATH_SPAR]) ||
	    event_node(&paths[PATH_VIRTIO], node, sizeof(node)) ||
	    write_ready(ready, node))
		return 1;
	fprintf(stderr, "%s: keyboards made, the virtio one is %s; waiting for L2\n",
		prog, node);

	deadline = now_ns() + wait_s * NS;
	sock = connect_port(sock_path, deadline);
	if (sock < 0)
		return 1;
	for (;;) {
		r = get_line(line, sizeof(line), deadline, NULL);
		if (r <= 0) {
			if (!r)
				err("L2 was not ready within %ld s", wait_s);
			return 1;
		}
		if (sscanf(line, "READY spar=%d virtio=%d", &spar, &virtio) == 2)
			break;
	}
	paths[PATH_SPAR].up = spar;
	paths[PATH_VIRTIO].up = virtio;
	fprintf(stderr, "%s: L2 is ready (spar=%d virtio=%d)\n", prog, spar,
		virtio);

	/* warm-up: unmeasured taps; a path that answers none is left out */
	for (i = 0; i < NR_PATHS; i++) {
		p = &paths[i];
		got = 0;
		for (t = 0; t < warmup && p->up; t++)
			if (tap(p, keys[t % ARRAY_SIZE(keys)], 0, timeout_ms, &got))
				return 1;
		printf("INPUT-BENCH warmup %s sent=%ld got=%ld\n", p->name,
		       2 * t, got);
		if (warmup && !got && p->up) {
			err("the %s path carried no warm-up event: left out",
			    p->name);
			p->up = 0;
		}
		p->lost_in_a_row = 0;
	}

	/*
	 * If L2 goes away half-way (QEMU's time limit), what was measured
	 * until then is still reported, with the rounds made until then.
	 */
	counters(before);
	gone = sync_round(pings);
	for (t = 0; t < taps && !gone; t++) {
		k = keys[t % ARRAY_SIZE(keys)];
		for (i = 0; i < NR_PATHS && !gone; i++)
			gone = tap(&paths[i], k, 1, timeout_ms, NULL);
		if (!gone && (t + 1) % sync_every == 0 && t + 1 < taps)
			gone = sync_round(pings / 4 > 10 ? pings / 4 : 10);
	}
	if (!gone)
		gone = sync_round(pings);
	counters(after);

	if (gone) {
		err("L2 went away before the end: the lines below are for the events until then");
		rc = 1;
	} else if (send_line("E")) {
		rc = 1;
	}
	deadline = now_ns() + BYE_TIMEOUT_MS * 1000000LL;
	while (!rc && (r = get_line(line, sizeof(line), deadline, NULL)) > 0) {
		if (!strncmp(line, "BYE ", 4)) {
			printf("INPUT-BENCH l2-counts %s\n", line + 4);
			break;
		}
	}

	if (!nr_rounds) {
		printf("INPUT-BENCH clock rounds=0 err_us=-1 rtt_min_us=-1 drift_ppm=0\n");
		err("no clock ping was answered: no latency can be given");
		return 1;
	}
	for (i = 0; i < nr_rounds; i++) {
		if (rounds[i].rtt / 2 > err_max)
			err_max = rounds[i].rtt / 2;
		if (rtt_min < 0 || rounds[i].rtt < rtt_min)
			rtt_min = rounds[i].rtt;
	}
	printf("INPUT-BENCH clock rounds=%d err_us=%.1f rtt_min_us=%.1f drift_ppm=%.1f\n",
	       nr_rounds, us(err_max), us(rtt_min),
	       nr_rounds > 1 && rounds[nr_rounds - 1].at > rounds[0].at ?
	       1e6 * (rounds[nr_rounds - 1].offset - rounds[0].offset) /
	       (double)(rounds[nr_rounds - 1].at - rounds[0].at) : 0.0);
	for (i = 0; i < NR_PATHS; i++) {
		report(&paths[i]);
		if (!paths[i].n)
			rc = 1;
	}
	printf("INPUT-BENCH counters");
	for (k = 0; k < ARRAY_SIZE(counter_names); k++)
		printf(" %s=%lld", counter_names[k],
		       before[k] < 0 || after[k] < 0 ? -1 : after[k] - before[k]);
	printf("\n");
	return rc;
}
