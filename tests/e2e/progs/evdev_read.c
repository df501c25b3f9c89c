// SPDX-License-Identifier: GPL-2.0
/*
 * evdev_read: print the events of an input device of a nested test guest,
 * found by its name, one line each, for the e2e tests of spar-input.
 * Built static with libc alone, since the guest has only busybox.
 *
 *   evdev_read --name NAME [--count N] [--timeout MS] [--info] [--grab]
 *              [--ready FILE] [--until "TYPE CODE VALUE"] [--state]
 *
 * --name     the device whose EVIOCGNAME is NAME; looked for again until
 *            the timeout, since a driver may make it late
 * --count    stop after N events, EV_SYN not counted
 * --timeout  how long to wait for the device, and then for each event
 *            (default 10000 ms)
 * --info     first print "name=... phys=... bus=0x.. vendor=0x..
 *            product=0x.. version=0x..", "types=EV_..." (the event types
 *            it has) and "abs_x_max=N", "abs_y_max=N" if it has the axes
 * --grab     take the device for this program alone (EVIOCGRAB)
 * --ready    create FILE once the device is open, so that a test knows
 *            it may start sending
 * --until    stop, with status 0, after printing the event that reads
 *            "TYPE CODE VALUE" (e.g. "EV_KEY KEY_F12 0"): the end mark of
 *            a sender whose event count is not known in advance
 * --state    at the end, print "keys_down=" and the keys and buttons the
 *            device reports as held (EVIOCGKEY), space-separated
 *
 * Each event is one line, "SEC.USEC TYPE CODE VALUE", e.g.
 * "1700000000.123456 EV_KEY KEY_A 1"; types and codes without a name
 * here are numbers.
 *
 * Exit status: 0 when N events came, or, without --count, when the
 * device was quiet for the timeout; 1 when the device did not show, or
 * fewer than N events came before it was quiet for the timeout, or on an
 * error; 2 for a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/input.h>

#define DEFAULT_TIMEOUT_MS	10000
#define FIND_POLL_MS		50
/* where the event devices are; a test build may look elsewhere */
#ifndef INPUT_DIR
#define INPUT_DIR		"/dev/input"
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BITS_PER_LONG		(8 * sizeof(long))
#define NLONGS(bits)		(((bits) + BITS_PER_LONG - 1) / BITS_PER_LONG)

static const char *prog = "evdev_read";

#define N(c)	[c] = #c

static const char *const type_names[EV_CNT] = {
	N(EV_SYN), N(EV_KEY), N(EV_REL), N(EV_ABS), N(EV_MSC), N(EV_SW),
	N(EV_LED), N(EV_SND), N(EV_REP), N(EV_FF), N(EV_PWR), N(EV_FF_STATUS),
};

static const char *const syn_names[] = {
	N(SYN_REPORT), N(SYN_CONFIG), N(SYN_MT_REPORT), N(SYN_DROPPED),
};

/* the keys, and the buttons up to BTN_GEAR_UP */
static const char *const key_names[BTN_GEAR_UP + 1] = {
	N(KEY_ESC), N(KEY_1), N(KEY_2), N(KEY_3), N(KEY_4), N(KEY_5), N(KEY_6),
	N(KEY_7), N(KEY_8), N(KEY_9), N(KEY_0), N(KEY_MINUS), N(KEY_EQUAL),
	N(KEY_BACKSPACE), N(KEY_TAB), N(KEY_Q), N(KEY_W), N(KEY_E), N(KEY_R),
	N(KEY_T), N(KEY_Y), N(KEY_U), N(KEY_I), N(KEY_O), N(KEY_P),
	N(KEY_LEFTBRACE), N(KEY_RIGHTBRACE), N(KEY_ENTER), N(KEY_LEFTCTRL),
	N(KEY_A), N(KEY_S), N(KEY_D), N(KEY_F), N(KEY_G), N(KEY_H), N(KEY_J),
	N(KEY_K), N(KEY_L), N(KEY_SEMICOLON), N(KEY_APOSTROPHE), N(KEY_GRAVE),
	N(KEY_LEFTSHIFT), N(KEY_BACKSLASH), N(KEY_Z), N(KEY_X), N(KEY_C),
	N(KEY_V), N(KEY_B), N(KEY_N), N(KEY_M), N(KEY_COMMA), N(KEY_DOT),
	N(KEY_SLASH), N(KEY_RIGHTSHIFT), N(KEY_KPASTERISK), N(KEY_LEFTALT),
	N(KEY_SPACE), N(KEY_CAPSLOCK), N(KEY_F1), N(KEY_F2), N(KEY_F3),
	N(KEY_F4), N(KEY_F5), N(KEY_F6), N(KEY_F7), N(KEY_F8), N(KEY_F9),
	N(KEY_F10), N(KEY_NUMLOCK), N(KEY_SCROLLLOCK), N(KEY_KP7), N(KEY_KP8),
	N(KEY_KP9), N(KEY_KPMINUS), N(KEY_KP4), N(KEY_KP5), N(KEY_KP6),
	N(KEY_KPPLUS), N(KEY_KP1), N(KEY_KP2), N(KEY_KP3), N(KEY_KP0),
	N(KEY_KPDOT), N(KEY_ZENKAKUHANKAKU), N(KEY_102ND), N(KEY_F11),
	N(KEY_F12), N(KEY_RO), N(KEY_KATAKANA), N(KEY_HIRAGANA), N(KEY_HENKAN),
	N(KEY_KATAKANAHIRAGANA), N(KEY_MUHENKAN), N(KEY_KPJPCOMMA),
	N(KEY_KPENTER), N(KEY_RIGHTCTRL), N(KEY_KPSLASH), N(KEY_SYSRQ),
	N(KEY_RIGHTALT), N(KEY_LINEFEED), N(KEY_HOME), N(KEY_UP),
	N(KEY_PAGEUP), N(KEY_LEFT), N(KEY_RIGHT), N(KEY_END), N(KEY_DOWN),
	N(KEY_PAGEDOWN), N(KEY_INSERT), N(KEY_DELETE), N(KEY_MACRO),
	N(KEY_MUTE), N(KEY_VOLUMEDOWN), N(KEY_VOLUMEUP), N(KEY_POWER),
	N(KEY_KPEQUAL), N(KEY_KPPLUSMINUS), N(KEY_PAUSE), N(KEY_SCALE),
	N(KEY_KPCOMMA), N(KEY_HANGEUL), N(KEY_HANJA), N(KEY_YEN),
	N(KEY_LEFTMETA), N(KEY_RIGHTMETA), N(KEY_COMPOSE), N(KEY_STOP),
	N(KEY_AGAIN), N(KEY_PROPS), N(KEY_UNDO), N(KEY_FRONT), N(KEY_COPY),
	N(KEY_OPEN), N(KEY_PASTE), N(KEY_FIND), N(KEY_CUT), N(KEY_HELP),
	N(KEY_MENU), N(KEY_CALC), N(KEY_SETUP), N(KEY_SLEEP), N(KEY_WAKEUP),
	N(KEY_FILE), N(KEY_SENDFILE), N(KEY_DELETEFILE), N(KEY_XFER),
	N(KEY_PROG1), N(KEY_PROG2), N(KEY_WWW), N(KEY_MSDOS), N(KEY_COFFEE),
	N(KEY_ROTATE_DISPLAY), N(KEY_CYCLEWINDOWS), N(KEY_MAIL),
	N(KEY_BOOKMARKS), N(KEY_COMPUTER), N(KEY_BACK), N(KEY_FORWARD),
	N(KEY_CLOSECD), N(KEY_EJECTCD), N(KEY_EJECTCLOSECD), N(KEY_NEXTSONG),
	N(KEY_PLAYPAUSE), N(KEY_PREVIOUSSONG), N(KEY_STOPCD), N(KEY_RECORD),
	N(KEY_REWIND), N(KEY_PHONE), N(KEY_ISO), N(KEY_CONFIG),
	N(KEY_HOMEPAGE), N(KEY_REFRESH), N(KEY_EXIT), N(KEY_MOVE), N(KEY_EDIT),
	N(KEY_SCROLLUP), N(KEY_SCROLLDOWN), N(KEY_KPLEFTPAREN),
	N(KEY_KPRIGHTPAREN), N(KEY_NEW), N(KEY_REDO), N(KEY_F13), N(KEY_F14),
	N(KEY_F15), N(KEY_F16), N(KEY_F17), N(KEY_F18), N(KEY_F19), N(KEY_F20),
	N(KEY_F21), N(KEY_F22), N(KEY_F23), N(KEY_F24), N(KEY_PLAYCD),
	N(KEY_PAUSECD), N(KEY_PROG3), N(KEY_PROG4), N(KEY_ALL_APPLICATIONS),
	N(KEY_SUSPEND), N(KEY_CLOSE), N(KEY_PLAY), N(KEY_FASTFORWARD),
	N(KEY_BASSBOOST), N(KEY_PRINT), N(KEY_HP), N(KEY_CAMERA), N(KEY_SOUND),
	N(KEY_QUESTION), N(KEY_EMAIL), N(KEY_CHAT), N(KEY_SEARCH),
	N(KEY_CONNECT), N(KEY_FINANCE), N(KEY_SPORT), N(KEY_SHOP),
	N(KEY_ALTERASE), N(KEY_CANCEL), N(KEY_BRIGHTNESSDOWN),
	N(KEY_BRIGHTNESSUP), N(KEY_MEDIA), N(KEY_SWITCHVIDEOMODE),
	N(KEY_KBDILLUMTOGGLE), N(KEY_KBDILLUMDOWN), N(KEY_KBDILLUMUP),
	N(KEY_SEND), N(KEY_REPLY), N(KEY_FORWARDMAIL), N(KEY_SAVE),
	N(KEY_DOCUMENTS), N(KEY_BATTERY), N(KEY_BLUETOOTH), N(KEY_WLAN),
	N(KEY_UWB), N(KEY_UNKNOWN), N(KEY_VIDEO_NEXT), N(KEY_VIDEO_PREV),
	N(KEY_BRIGHTNESS_CYCLE), N(KEY_BRIGHTNESS_AUTO), N(KEY_DISPLAY_OFF),
	N(KEY_WWAN), N(KEY_RFKILL), N(KEY_MICMUTE), N(BTN_0), N(BTN_1),
	N(BTN_2), N(BTN_3), N(BTN_4), N(BTN_5), N(BTN_6), N(BTN_7), N(BTN_8),
	N(BTN_9), N(BTN_LEFT), N(BTN_RIGHT), N(BTN_MIDDLE), N(BTN_SIDE),
	N(BTN_EXTRA), N(BTN_FORWARD), N(BTN_BACK), N(BTN_TASK), N(BTN_TRIGGER),
	N(BTN_THUMB), N(BTN_THUMB2), N(BTN_TOP), N(BTN_TOP2), N(BTN_PINKIE),
	N(BTN_BASE), N(BTN_BASE2), N(BTN_BASE3), N(BTN_BASE4), N(BTN_BASE5),
	N(BTN_BASE6), N(BTN_DEAD), N(BTN_SOUTH), N(BTN_EAST), N(BTN_C),
	N(BTN_NORTH), N(BTN_WEST), N(BTN_Z), N(BTN_TL), N(BTN_TR), N(BTN_TL2),
	N(BTN_TR2), N(BTN_SELECT), N(BTN_START), N(BTN_MODE), N(BTN_THUMBL),
	N(BTN_THUMBR), N(BTN_TOOL_PEN), N(BTN_TOOL_RUBBER), N(BTN_TOOL_BRUSH),
	N(BTN_TOOL_PENCIL), N(BTN_TOOL_AIRBRUSH), N(BTN_TOOL_FINGER),
	N(BTN_TOOL_MOUSE), N(BTN_TOOL_LENS), N(BTN_TOOL_QUINTTAP),
	N(BTN_STYLUS3), N(BTN_TOUCH), N(BTN_STYLUS), N(BTN_STYLUS2),
	N(BTN_TOOL_DOUBLETAP), N(BTN_TOOL_TRIPLETAP), N(BTN_TOOL_QUADTAP),
	N(BTN_GEAR_DOWN), N(BTN_GEAR_UP),
};

static const char *const rel_names[] = {
	N(REL_X), N(REL_Y), N(REL_Z), N(REL_RX), N(REL_RY), N(REL_RZ),
	N(REL_HWHEEL), N(REL_DIAL), N(REL_WHEEL), N(REL_MISC),
#ifdef REL_WHEEL_HI_RES
	N(REL_WHEEL_HI_RES), N(REL_HWHEEL_HI_RES),
#endif
};

static const char *const abs_names[] = {
	N(ABS_X), N(ABS_Y), N(ABS_Z), N(ABS_RX), N(ABS_RY), N(ABS_RZ),
	N(ABS_THROTTLE), N(ABS_RUDDER), N(ABS_WHEEL), N(ABS_GAS), N(ABS_BRAKE),
	N(ABS_HAT0X), N(ABS_HAT0Y), N(ABS_HAT1X), N(ABS_HAT1Y), N(ABS_HAT2X),
	N(ABS_HAT2Y), N(ABS_HAT3X), N(ABS_HAT3Y), N(ABS_PRESSURE),
	N(ABS_DISTANCE), N(ABS_TILT_X), N(ABS_TILT_Y), N(ABS_TOOL_WIDTH),
	N(ABS_VOLUME), N(ABS_MISC),
	N(ABS_MT_SLOT), N(ABS_MT_TOUCH_MAJOR), N(ABS_MT_TOUCH_MINOR),
	N(ABS_MT_WIDTH_MAJOR), N(ABS_MT_WIDTH_MINOR), N(ABS_MT_ORIENTATION),
	N(ABS_MT_POSITION_X), N(ABS_MT_POSITION_Y), N(ABS_MT_TOOL_TYPE),
	N(ABS_MT_BLOB_ID), N(ABS_MT_TRACKING_ID), N(ABS_MT_PRESSURE),
	N(ABS_MT_DISTANCE), N(ABS_MT_TOOL_X), N(ABS_MT_TOOL_Y),
};

static const char *const msc_names[] = {
	N(MSC_SERIAL), N(MSC_PULSELED), N(MSC_GESTURE), N(MSC_RAW),
	N(MSC_SCAN), N(MSC_TIMESTAMP),
};

static const char *const led_names[] = {
	N(LED_NUML), N(LED_CAPSL), N(LED_SCROLLL), N(LED_COMPOSE),
	N(LED_KANA), N(LED_SLEEP), N(LED_SUSPEND), N(LED_MUTE), N(LED_MISC),
	N(LED_MAIL), N(LED_CHARGING),
};

static const char *const rep_names[] = {
	N(REP_DELAY), N(REP_PERIOD),
};

#undef N

/* the codes of each type that have names here */
static const struct {
	const char *const *names;
	unsigned int count;
} code_names[EV_CNT] = {
	[EV_SYN] = { syn_names, ARRAY_SIZE(syn_names) },
	[EV_KEY] = { key_names, ARRAY_SIZE(key_names) },
	[EV_REL] = { rel_names, ARRAY_SIZE(rel_names) },
	[EV_ABS] = { abs_names, ARRAY_SIZE(abs_names) },
	[EV_MSC] = { msc_names, ARRAY_SIZE(msc_names) },
	[EV_LED] = { led_names, ARRAY_SIZE(led_names) },
	[EV_REP] = { rep_names, ARRAY_SIZE(rep_names) },
};

static void print_type(unsigned int type)
{
	if (type < EV_CNT && type_names[type])
		fputs(type_names[type], stdout);
	else
		printf("%u", type);
}

static void print_code(unsigned int type, unsigned int code)
{
	if (type < EV_CNT && code < code_names[type].count &&
	    code_names[type].names[code])
		fputs(code_names[type].names[code], stdout);
	else
		printf("%u", code);
}

/* "TYPE CODE VALUE" of @ev, with the names print_event uses */
static void event_text(const struct input_event *ev, char *buf, size_t len)
{
	char t[16], c[16];
	const char *tn = NULL, *cn = NULL;

	if (ev->type < EV_CNT)
		tn = type_names[ev->type];
	if (ev->type < EV_CNT && ev->code < code_names[ev->type].count)
		cn = code_names[ev->type].names[ev->code];
	if (!tn) {
		snprintf(t, sizeof(t), "%u", ev->type);
		tn = t;
	}
	if (!cn) {
		snprintf(c, sizeof(c), "%u", ev->code);
		cn = c;
	}
	snprintf(buf, len, "%s %s %d", tn, cn, ev->value);
}

static int test_bit(unsigned int bit, const unsigned long *bits);

/* The keys and buttons @fd reports held now, on one line. */
static void print_state(int fd)
{
	unsigned long keys[NLONGS(KEY_CNT)];
	unsigned int k;

	memset(keys, 0, sizeof(keys));
	fputs("keys_down=", stdout);
	if (ioctl(fd, EVIOCGKEY(sizeof(keys)), keys) < 0) {
		printf("unknown (%s)\n", strerror(errno));
		return;
	}
	for (k = 0; k < KEY_CNT; k++) {
		if (!test_bit(k, keys))
			continue;
		putchar(' ');
		print_code(EV_KEY, k);
	}
	putchar('\n');
	fflush(stdout);
}

static int test_bit(unsigned int bit, const unsigned long *bits)
{
	return (bits[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG)) & 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int event_dev(const struct dirent *de)
{
	return !strncmp(de->d_name, "event", 5);
}

/* an open event device named NAME, its path in PATH; or -1 */
static int find_dev(const char *name, char *path, size_t len)
{
	char buf[256];
	struct dirent **list;
	int n, i, fd = -1;

	n = scandir(INPUT_DIR, &list, event_dev, versionsort);
	for (i = 0; i < n; i++) {
		if (fd < 0) {
			snprintf(path, len, INPUT_DIR "/%s", list[i]->d_name);
			fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			memset(buf, 0, sizeof(buf));
			if (fd >= 0 &&
			    (ioctl(fd, EVIOCGNAME(sizeof(buf) - 1), buf) < 0 ||
			     strcmp(buf, name))) {
				close(fd);
				fd = -1;
			}
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return fd;
}

static void print_info(int fd)
{
	unsigned long types[NLONGS(EV_CNT)] = { 0 };
	unsigned long abs[NLONGS(ABS_CNT)] = { 0 };
	char name[256] = "", phys[256] = "";
	struct input_absinfo ai;
	struct input_id id = { 0 };
	unsigned int t, n;

	ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name);
	ioctl(fd, EVIOCGPHYS(sizeof(phys) - 1), phys);
	ioctl(fd, EVIOCGID, &id);
	printf("name=%s phys=%s bus=0x%04x vendor=0x%04x product=0x%04x version=0x%04x\n",
	       name, phys, id.bustype, id.vendor, id.product, id.version);
	ioctl(fd, EVIOCGBIT(0, sizeof(types)), types);
	printf("types=");
	for (t = 0, n = 0; t < EV_CNT; t++) {
		if (!test_bit(t, types))
			continue;
		if (n++)
			putchar(' ');
		print_type(t);
	}
	printf("\n");
	if (test_bit(EV_ABS, types) &&
	    ioctl(fd, EVIOCGBIT(EV_ABS, sizeof(abs)), abs) >= 0) {
		if (test_bit(ABS_X, abs) && !ioctl(fd, EVIOCGABS(ABS_X), &ai))
			printf("abs_x_max=%d\n", ai.maximum);
		if (test_bit(ABS_Y, abs) && !ioctl(fd, EVIOCGABS(ABS_Y), &ai))
			printf("abs_y_max=%d\n", ai.maximum);
	}
	fflush(stdout);
}

static void print_event(const struct input_event *ev)
{
#ifdef input_event_sec
	printf("%ld.%06ld ", (long)ev->input_event_sec,
	       (long)ev->input_event_usec);
#else
	printf("%ld.%06ld ", (long)ev->time.tv_sec, (long)ev->time.tv_usec);
#endif
	print_type(ev->type);
	putchar(' ');
	print_code(ev->type, ev->code);
	printf(" %d\n", ev->value);
	fflush(stdout);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s --name NAME [--count N] [--timeout MS] [--info] [--grab] [--ready FILE] [--until 'TYPE CODE VALUE'] [--state]\n",
		prog);
}

/* a whole decimal number 1..INT_MAX, or -1 */
static long positive(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v < 1 || v > 0x7fffffff ? -1 : v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "info", no_argument, NULL, 'i' },
		{ "grab", no_argument, NULL, 'g' },
		{ "ready", required_argument, NULL, 'r' },
		{ "until", required_argument, NULL, 'u' },
		{ "state", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *ready = NULL, *until = NULL;
	char text[128];
	long count = 0, timeout = DEFAULT_TIMEOUT_MS, seen = 0;
	int info = 0, grab = 0, state = 0, fd, c, i, n;
	struct input_event ev[64];
	char path[300];
	long long end;
	struct pollfd pfd;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'c':
			count = positive(optarg);
			if (count < 0) {
				fprintf(stderr, "%s: --count '%s': a number, 1 or more\n",
					prog, optarg);
				return 2;
			}
			break;
		case 't':
			timeout = positive(optarg);
			if (timeout < 0) {
				fprintf(stderr, "%s: --timeout '%s': milliseconds, 1 or more\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'i':
			info = 1;
			break;
		case 'g':
			grab = 1;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		case 's':
			state = 1;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (!name || optind != argc) {
		print_usage(stderr);
		return 2;
	}

	end = now_ms() + timeout;
	while ((fd = find_dev(name, path, sizeof(path))) < 0) {
		if (now_ms() >= end) {
			fprintf(stderr, "%s: no input device named '%s' in %s within %ld ms\n",
				prog, name, INPUT_DIR, timeout);
			return 1;
		}
		sleep_ms(FIND_POLL_MS);
	}
	if (grab && ioctl(fd, EVIOCGRAB, 1) < 0) {
		fprintf(stderr, "%s: cannot grab %s: %s\n", prog, path,
			strerror(errno));
		return 1;
	}
	if (info)
		print_info(fd);
	if (ready) {
		c = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c < 0) {
			fprintf(stderr, "%s: cannot create %s: %s\n", prog, ready,
				strerror(errno));
			return 1;
		}
		close(c);
	}

	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		c = poll(&pfd, 1, timeout);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0) {
			fprintf(stderr, "%s: poll %s: %s\n", prog, path,
				strerror(errno));
			return 1;
		}
		if (!c)
			break;
		n = read(fd, ev, sizeof(ev));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			fprintf(stderr, "%s: reading %s: %s\n", prog, path,
				!n || errno == ENODEV ? "the device went away" :
				strerror(errno));
			return 1;
		}
		for (i = 0; i < n / (int)sizeof(ev[0]); i++) {
			print_event(&ev[i]);
			if (ev[i].type != EV_SYN && count && ++seen == count)
				return 0;
			if (until) {
				event_text(&ev[i], text, sizeof(text));
				if (!strcmp(text, until)) {
					if (state)
						print_state(fd);
					return 0;
				}
			}
		}
	}
	if (state)
		print_state(fd);
	if (until) {
		fprintf(stderr, "%s: no '%s' before %ld ms of quiet\n", prog,
			until, timeout);
		return 1;
	}
	if (!count)
		return 0;
	fprintf(stderr, "%s: %ld of %ld events, then none for %ld ms\n", prog,
		seen, count, timeout);
	return 1;
}
