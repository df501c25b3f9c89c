// SPDX-License-Identifier: GPL-2.0
/*
 * input_bench_l2: the nested guest's (L2's) side of the spar-input latency
 * bench (tests/bench/input-bench.sh; the L1 side is input_bench.c).  Built
 * static with libc alone, since L2 has only busybox.
 *
 *   input_bench_l2 [--port NAME] [--spar NAME] [--virtio NAME]
 *                  [--wait SECONDS] [--idle SECONDS]
 *
 * --port    the virtio-serial port to L1, by the name QEMU gave it
 *           (virtserialport,name=NAME; default "bench")
 * --spar    the input device that visorinput makes (default "visor
 *           Keyboard")
 * --virtio  the input device that virtio-keyboard-pci makes (default "QEMU
 *           Virtio Keyboard")
 * --wait    how long to wait for the devices, the port and L1's end of
 *           it (default 120 s)
 * --idle    give up after this long without a message from L1 or an
 *           event (default 300 s)
 *
 * It opens both input devices by name (a missing one is reported and
 * left out), makes them stamp their events with CLOCK_MONOTONIC
 * (EVIOCSCLOCKID), opens the port and, once L1 holds its end, sends
 * "READY". Then, one text line per message:
 *
 *   L1 -> L2  P SEQ              clock ping
 *   L2 -> L1  Q SEQ T2           T2: this side's CLOCK_MONOTONIC in ns,
 *                                read as soon as the ping arrived
 *   L2 -> L1  K DEV CODE VALUE TS
 *                                a key press (VALUE 1) or release (0) on
 *                                DEV, "s" (spar) or "v" (virtio); TS: its
 *                                evdev timestamp in ns of CLOCK_MONOTONIC
 *   L2 -> L1  D DEV              the device's evdev buffer overflowed
 *                                (SYN_DROPPED)
 *   L1 -> L2  E                  end: answered with "BYE counters..."
 *
 * The first line it sends is "READY spar=0|1 virtio=0|1" (the devices it
 * has open).  Autorepeats (VALUE 2) are not sent.  Progress goes to the
 * console on lines starting with "IB-L2 ".  Exit status: 0 after "E" or
 * when L1 closed its end; 1 on an error or a timeout; 2 for a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/input.h>

#define POLL_MS			50
/* where things are; a test build may look elsewhere */
#ifndef PORTS_DIR
#define PORTS_DIR		"/sys/class/virtio-ports"
#endif
#ifndef INPUT_DIR
#define INPUT_DIR		"/dev/input"
#endif
#ifndef DEV_DIR
#define DEV_DIR			"/dev"
#endif

enum { DEV_SPAR, DEV_VIRTIO, NR_DEVS };

struct dev {
	const char *name;	/* EVIOCGNAME */
	char tag;		/* in the K and D lines */
	int fd;
	char path[300];
	long keys;		/* presses and releases sent */
	long dropped;		/* SYN_DROPPED seen */
};

static struct dev devs[NR_DEVS] = {
	[DEV_SPAR] = { .name = "visor Keyboard", .tag = 's', .fd = -1 },
	[DEV_VIRTIO] = { .name = "QEMU Virtio Keyboard", .tag = 'v', .fd = -1 },
};

static const char *prog = "input_bench_l2";
static int port = -1;
static long pings;

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("IB-L2 ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* milliseconds from now to DEADLINE (ns), at least 0 */
static int ms_left(long long deadline)
{
	long long left = deadline - now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

static int event_dev(const struct dirent *de)
{
	return !strncmp(de->d_name, "event", 5);
}

/* open the event device named D->name; 0, or -1 if there is none (yet) */
static int find_dev(struct dev *d)
{
	char buf[256];
	struct dirent **list;
	int n, i, fd;

	n = scandir(INPUT_DIR, &list, event_dev, versionsort);
	for (i = 0; i < n; i++) {
		if (d->fd < 0) {
			snprintf(d->path, sizeof(d->path), INPUT_DIR "/%s",
				 list[i]->d_name);
			fd = open(d->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			memset(buf, 0, sizeof(buf));
			if (fd >= 0 &&
			    (ioctl(fd, EVIOCGNAME(sizeof(buf) - 1), buf) < 0 ||
			     strcmp(buf, d->name)))
				close(fd);
			else if (fd >= 0)
				d->fd = fd;
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return d->fd >= 0 ? 0 : -1;
}

/* the port named NAME opened in PATH; its fd, or -1 if there is none (yet) */
static int find_port(const char *name, char *path, size_t len)
{
	char file[300], buf[128];
	struct dirent *de;
	DIR *dir;
	int fd = -1;
	FILE *f;

	dir = opendir(PORTS_DIR);
	if (!dir)
		return -1;
	while (fd < 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), PORTS_DIR "/%s/name", de->d_name);
		f = fopen(file, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = 0;
			if (!strcmp(buf, name)) {
				snprintf(path, len, DEV_DIR "/%s", de->d_name);
				fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
			}
		}
		fclose(f);
	}
	closedir(dir);
	return fd;
}

/*
 * Wait until L1 holds its end of the port: until then the port reads as
 * hung up (POLLHUP, and reads return 0) and cannot be written, and there
 * is no wakeup for the moment it connects, so look again every POLL_MS.
 */
static int wait_host(long long deadline)
{
	struct pollfd pfd = { .fd = port, .events = POLLOUT };
	int n;

	for (;;) {
		n = poll(&pfd, 1, POLL_MS);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && (pfd.revents & POLLOUT))
			return 0;
		if (now_ns() >= deadline)
			return -1;
		if (n > 0)
			sleep_ms(POLL_MS);
	}
}

/* send one line to L1; 0, or -1 if L1 went away or it could not be sent */
static int send_line(const char *fmt, ...)
{
	char buf[256];
	struct pollfd pfd = { .fd = port, .events = POLLOUT };
	long long deadline = now_ns() + 10 * 1000000000LL;
	size_t len, off = 0;
	va_list ap;
	ssize_t n;
	int len_i;

	va_start(ap, fmt);
	len_i = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (len_i < 0 || (size_t)len_i >= sizeof(buf) - 1)
		return -1;
	len = len_i;
	buf[len++] = '\n';
	while (off < len) {
		n = write(port, buf + off, len - off);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		/* the queue to L1 is full, or L1 closed its end */
		if (poll(&pfd, 1, ms_left(deadline)) <= 0)
			return -1;
		if ((pfd.revents & POLLHUP) && !(pfd.revents & POLLOUT))
			return -1;
	}
	return 0;
}

/* one line from L1; returns 1 to go on, 0 at the end */
static int handle_line(char *line, long long t2)
{
	unsigned long seq;

	if (line[0] == 'P' && sscanf(line, "P %lu", &seq) == 1) {
		pings++;
		return send_line("Q %lu %lld", seq, t2) ? 0 : 1;
	}
	if (!strcmp(line, "E")) {
		send_line("BYE spar_keys=%ld virtio_keys=%ld spar_dropped=%ld virtio_dropped=%ld pings=%ld",
			  devs[DEV_SPAR].keys, devs[DEV_VIRTIO].keys,
			  devs[DEV_SPAR].dropped, devs[DEV_VIRTIO].dropped,
			  pings);
		say("end from L1");
		return 0;
	}
	say("unknown line from L1: '%.60s'", line);
	return 1;
}

/* read what L1 sent; 1 to go on, 0 at the end */
static int read_port(void)
{
	static char buf[4096];
	static size_t len;
	char *nl, *line;
	long long t2;
	ssize_t n;

	n = read(port, buf + len, sizeof(buf) - 1 - len);
	/* the ping's arrival, before anything else is done */
	t2 = now_ns();
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n < 0) {
		say("reading the port: %s", strerror(errno));
		return 0;
	}
	if (!n) {
		say("L1 closed its end of the port");
		return 0;
	}
	len += n;
	buf[len] = 0;
	line = buf;
	while ((nl = strchr(line, '\n'))) {
		*nl = 0;
		if (!handle_line(line, t2))
			return 0;
		line = nl + 1;
	}
	len -= line - buf;
	memmove(buf, line, len);
	if (len == sizeof(buf) - 1)
		len = 0;	/* no line end in a full buffer: garbage */
	return 1;
}

/* pass the key events of D on; 1 to go on, 0 if L1 went away */
static int read_dev(struct dev *d)
{
	struct input_event ev[64];
	long long ts;
	ssize_t n;
	int i;

	n = read(d->fd, ev, sizeof(ev));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0) {
		say("reading %s: %s", d->path,
		    !n || errno == ENODEV ? "the device went away" :
		    strerror(errno));
		close(d->fd);
		d->fd = -1;
		return 1;
	}
	for (i = 0; i < n / (int)sizeof(ev[0]); i++) {
		if (ev[i].type == EV_SYN && ev[i].code == SYN_DROPPED) {
			d->dropped++;
			if (send_line("D %c", d->tag))
				return 0;
			continue;
		}
		if (ev[i].type != EV_KEY || (ev[i].value != 0 && ev[i].value != 1))
			continue;
#ifdef input_event_sec
		ts = ev[i].input_event_sec * 1000000000LL +
		     ev[i].input_event_usec * 1000LL;
#else
		ts = ev[i].time.tv_sec * 1000000000LL +
		     ev[i].time.tv_usec * 1000LL;
#endif
		d->keys++;
		if (send_line("K %c %u %d %lld", d->tag, ev[i].code,
			      ev[i].value, ts))
			return 0;
	}
	return 1;
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s [--port NAME] [--spar NAME] [--virtio NAME] [--wait SECONDS] [--idle SECONDS]\n",
		prog);
}

/* a whole decimal number 1..86400, or -1 */
static long seconds(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v < 1 || v > 86400 ? -1 : v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "spar", required_argument, NULL, 's' },
		{ "virtio", required_argument, NULL, 'v' },
		{ "wait", required_argument, NULL, 'w' },
		{ "idle", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *port_name = "bench";
	long wait_s = 120, idle_s = 300;
	struct pollfd pfd[1 + NR_DEVS];
	char port_path[300];
	int clk = CLOCK_MONOTONIC, c, d, n, missing;
	long long deadline;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port_name = optarg;
			break;
		case 's':
			devs[DEV_SPAR].name = optarg;
			break;
		case 'v':
			devs[DEV_VIRTIO].name = optarg;
			break;
		case 'w':
		case 'i':
			if (seconds(optarg) < 0) {
				fprintf(stderr, "%s: '%s': seconds, 1 to 86400\n",
					prog, optarg);
				return 2;
			}
			*(c == 'w' ? &wait_s : &idle_s) = seconds(optarg);
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		print_usage(stderr);
		return 2;
	}

	/* The devices first: READY says which ones are open. */
	deadline = now_ns() + wait_s * 1000000000LL;
	for (;;) {
		missing = 0;
		for (d = 0; d < NR_DEVS; d++)
			if (devs[d].fd < 0 && find_dev(&devs[d]))
				missing++;
		if (!missing || now_ns() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	for (d = 0; d < NR_DEVS; d++) {
		if (devs[d].fd < 0) {
			say("no input device named '%s' within %ld s",
			    devs[d].name, wait_s);
			continue;
		}
		/* the clock L1's pings read, for the events' timestamps */
		if (ioctl(devs[d].fd, EVIOCSCLOCKID, &clk)) {
			say("EVIOCSCLOCKID on %s: %s", devs[d].path,
			    strerror(errno));
			return 1;
		}
	}
	while ((port = find_port(port_name, port_path, sizeof(port_path))) < 0) {
		if (now_ns() >= deadline) {
			say("no virtio-serial port named '%s' within %ld s",
			    port_name, wait_s);
			return 1;
		}
		sleep_ms(POLL_MS);
	}
	if (wait_host(deadline)) {
		say("L1 did not open its end of %s within %ld s", port_path,
		    wait_s);
		return 1;
	}
	if (send_line("READY spar=%d virtio=%d", devs[DEV_SPAR].fd >= 0,
		      devs[DEV_VIRTIO].fd >= 0)) {
		say("cannot write to %s", port_path);
		return 1;
	}
	say("READY port=%s spar=%s virtio=%s", port_path,
	    devs[DEV_SPAR].fd >= 0 ? devs[DEV_SPAR].path : "none",
	    devs[DEV_VIRTIO].fd >= 0 ? devs[DEV_VIRTIO].path : "none");

	for (;;) {
		pfd[0].fd = port;
		pfd[0].events = POLLIN;
		for (d = 0; d < NR_DEVS; d++) {
			/* a negative fd is left out by poll */
			pfd[1 + d].fd = devs[d].fd;
			pfd[1 + d].events = POLLIN;
		}
		n = poll(pfd, 1 + NR_DEVS, idle_s * 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say("poll: %s", strerror(errno));
			return 1;
		}
		if (!n) {
			say("nothing from L1 for %ld s; giving up", idle_s);
			return 1;
		}
		/* the events first: their timestamps are taken already */
		for (d = 0; d < NR_DEVS; d++)
			if (devs[d].fd >= 0 && pfd[1 + d].revents &&
			    !read_dev(&devs[d]))
				goto out;
		if (pfd[0].revents && !read_port())
			break;
	}
out:
	say("done: spar_keys=%ld virtio_keys=%ld spar_dropped=%ld virtio_dropped=%ld pings=%ld",
	    devs[DEV_SPAR].keys, devs[DEV_VIRTIO].keys, devs[DEV_SPAR].dropped,
	    devs[DEV_VIRTIO].dropped, pings);
	return 0;
}
