// SPDX-License-Identifier: GPL-2.0
/*
 * sparctl input: the host input devices a spar-input instance takes, and
 * key and pointer events injected into it through uinput.
 *
 *   sparctl input show UUID
 *   sparctl input bind UUID SELECTOR
 *   sparctl input unbind UUID SELECTOR|--all
 *   sparctl input grab UUID on|off
 *   sparctl input type UUID TEXT [--delay MS]
 *   sparctl input key UUID NAME[+NAME...] [--hold MS]
 *   sparctl input move UUID X Y
 *   sparctl input button UUID left|middle|right [--hold MS]
 *   sparctl input wheel UUID N
 *   sparctl input send UUID [--tablet-max X,Y] < SCRIPT
 *
 * An instance takes the host input devices its "sources" selectors match,
 * and every device whose phys starts with "spar-input/<UUID>/".  The
 * injecting commands make such devices with uinput (a keyboard, an
 * absolute tablet, a relative mouse: only those the command needs, all
 * three for send), wait until the instance's "bound" attribute lists
 * them, write the events, and destroy the devices.  Everything the user
 * gave is checked before a device is made.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/input.h>
#include <linux/uinput.h>

#include <spar/input.h>

#include "spar_vfio.h"
#include "sparctl.h"


#define INPUT_TYPE		"spar-input"
#define UINPUT_PATH		"/dev/uinput"

/* the "sources" attribute's limits */
#define SOURCES_MAX		8
#define SELECTOR_MAX		127

/* x_res and y_res */
#define RES_MAX			32767

#define BOUND_POLL_MS		20
#define BOUND_WAIT_MS		5000
/* before destroying the devices, so that the last events are taken */
#define DRAIN_MS		50

#define MS_MAX			60000	/* --hold, --delay, sleep */
#define WHEEL_MAX		100	/* notches of one wheel command */
#define MOVE_MAX		32767	/* rel DX, DY */
#define COMBO_MAX		8	/* keys of one "key" command */
#define SCRIPT_MAX_LINES	100000
#define SCRIPT_MAX_ERRORS	20

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* the keyboard declares the keys KEY_ESC .. KEY_MICMUTE */
#define KBD_KEY_MIN		KEY_ESC
#define KBD_KEY_MAX		KEY_MICMUTE

/* --- sysfs ----------------------------------------------------------- */

/* ATTR of instance UUID; the names are short: one that does not fit is a bug */
static char *attr_path(char *buf, size_t len, const char *uuid,
		       const char *attr)
{
	if ((size_t)snprintf(buf, len, SPARCTL_ROOT SPAR_MDEV_DEVICES "/%s/%s",
			     uuid, attr) >= len)
		abort();
	return buf;
}

/* whole of a (small) attribute; 0 or -errno */
static int attr_read(const char *uuid, const char *attr, char *buf,
		     size_t len)
{
	char path[PATH_MAX];
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(attr_path(path, sizeof(path), uuid, attr),
		  O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		got += n;
	}
	close(fd);
	buf[got] = 0;
	return 0;
}

/* first line of an attribute, without its newline; 0 or -errno */
static int attr_line(const char *uuid, const char *attr, char *buf,
		     size_t len)
{
	int ret = attr_read(uuid, attr, buf, len);

	if (!ret)
		buf[strcspn(buf, "\n")] = 0;
	return ret;
}

/* one write(), as sysfs wants it; 0 or -errno */
static int attr_write(const char *uuid, const char *attr, const char *val)
{
	char path[PATH_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(attr_path(path, sizeof(path), uuid, attr),
		  O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	if (close(fd))
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * A whole decimal number, optionally negative, in MIN..MAX: 0, -EINVAL
 * (not a number) or -ERANGE.
 */
static int parse_int(const char *s, long min, long max, long *v)
{
	const char *d = s + (*s == '-');
	char *end;

	if (!*d)
		return -EINVAL;
	for (; *d; d++)
		if (!isdigit((unsigned char)*d))
			return -EINVAL;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno || *v < min || *v > max)
		return -ERANGE;
	return 0;
}

/* x_res and y_res of UUID; 0, or -errno after saying why */
static int get_res(const char *uuid, int *x_res, int *y_res)
{
	static const char *const names[2] = { "x_res", "y_res" };
	int *res[2] = { x_res, y_res };
	char buf[64];
	long v;
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = attr_line(uuid, names[i], buf, sizeof(buf));
		if (ret) {
			sparctl_err("cannot read %s of %s: %s%s", names[i], uuid,
			    strerror(-ret), ret == -ENOENT ?
			    " (this spar_mdev has no input back-end)" : "");
			return ret;
		}
		if (parse_int(buf, 1, RES_MAX, &v)) {
			sparctl_err("%s of %s reads '%s', not 1 to %d", names[i], uuid,
			    buf, RES_MAX);
			return -EINVAL;
		}
		*res[i] = v;
	}
	return 0;
}

/* --- selectors ------------------------------------------------------- */

#define SELECTOR_FORMS	"name=TEXT, phys=TEXT or uniq=TEXT (TEXT ending in '*' matches as a prefix)"

/* NULL if SEL is a selector the instance takes, else what is wrong */
static const char *selector_error(const char *sel)
{
	static const char *const keys[] = { "name=", "phys=", "uniq=" };
	const char *text = NULL, *p;
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (!strncmp(sel, keys[i], 5))
			text = sel + 5;
	if (!text)
		return "it does not start with name=, phys= or uniq=";
	if (strlen(sel) > SELECTOR_MAX)
		return "it is longer than 127 bytes";
	if (!*text)
		return "TEXT is empty (name=* matches every device)";
	if (isspace((unsigned char)text[0]) ||
	    isspace((unsigned char)text[strlen(text) - 1]))
		return "TEXT begins or ends with a space";
	for (p = text; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "it holds a control character";
		if (*p == ';')
			return "it holds ';', which separates selectors";
		if (*p == '*' && p[1])
			return "'*' may only end TEXT (a prefix match)";
	}
	return NULL;
}

struct sources {
	char sel[2 * SOURCES_MAX][SELECTOR_MAX + 2];
	int n;
};

/* the "sources" of UUID in S; 0, or 1 after saying why */
static int read_sources(const char *uuid, struct sources *s)
{
	char buf[8192], *line, *save;
	int ret;

	ret = attr_read(uuid, "sources", buf, sizeof(buf));
	if (ret) {
		sparctl_err("cannot read sources of %s: %s%s", uuid, strerror(-ret),
		    ret == -ENOENT ? " (this spar_mdev has no input back-end)" :
		    "");
		return 1;
	}
	s->n = 0;
	for (line = strtok_r(buf, "\n;", &save); line;
	     line = strtok_r(NULL, "\n;", &save)) {
		if (!*line)
			continue;
		if (s->n == 2 * SOURCES_MAX ||
		    strlen(line) >= sizeof(s->sel[0])) {
			sparctl_err("sources of %s reads more than the instance takes: left as it is",
			    uuid);
			return 1;
		}
		memcpy(s->sel[s->n++], line, strlen(line) + 1);
	}
	return 0;
}

/* index of SEL in S, or -1 */
static int find_source(const struct sources *s, const char *sel)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->sel[i], sel))
			return i;
	return -1;
}

/* replace the "sources" of UUID with S; 0, or 1 after saying why */
static int write_sources(const char *uuid, const struct sources *s)
{
	char buf[2 * SOURCES_MAX * (SELECTOR_MAX + 2) + 2];
	size_t off = 0;
	int i, ret;

	for (i = 0; i < s->n; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s\n",
				s->sel[i]);
	if (!s->n)
		snprintf(buf, sizeof(buf), "\n");
	ret = attr_write(uuid, "sources", buf);
	if (ret) {
		sparctl_err("cannot write sources of %s: %s", uuid, strerror(-ret));
		return 1;
	}
	return 0;
}

static const char *selectors_str(int n)
{
	return n == 1 ? "selector" : "selectors";
}

static int input_bind(const char *uuid_arg, const char *sel)
{
	char uuid[SPAR_UUID_LEN + 1];
	struct sources s;
	const char *why;

	if (sparctl_get_uuid(uuid_arg, uuid))
		return 1;
	why = selector_error(sel);
	if (why) {
		sparctl_err("selector '%s': %s; a selector is %s", sel, why,
		    SELECTOR_FORMS);
		return 1;
	}
	if (sparctl_need_type(uuid, INPUT_TYPE) || read_sources(uuid, &s))
		return 1;
	if (find_source(&s, sel) >= 0) {
		printf("%s: %s is bound already\n", uuid, sel);
		return 0;
	}
	if (s.n >= SOURCES_MAX) {
		sparctl_err("%s has %d selectors, the most it takes: unbind one first (see '%s input show %s')",
		    uuid, s.n, prog, uuid);
		return 1;
	}
	memcpy(s.sel[s.n++], sel, strlen(sel) + 1);
	if (write_sources(uuid, &s))
		return 1;
	printf("%s: bound %s (%d %s)\n", uuid, sel, s.n, selectors_str(s.n));
	return 0;
}

static int input_unbind(const char *uuid_arg, const char *sel)
{
	char uuid[SPAR_UUID_LEN + 1];
	struct sources s;
	const char *why;
	int i, was;

	if (sparctl_get_uuid(uuid_arg, uuid))
		return 1;
	why = sel ? selector_error(sel) : NULL;
	if (why) {
		sparctl_err("selector '%s': %s; a selector is %s", sel, why,
		    SELECTOR_FORMS);
		return 1;
	}
	if (sparctl_need_type(uuid, INPUT_TYPE) || read_sources(uuid, &s))
		return 1;
	was = s.n;
	if (!sel) {
		s.n = 0;
	} else {
		i = find_source(&s, sel);
		if (i < 0) {
			sparctl_err("%s is not among the sources of %s (see '%s input show %s')",
			    sel, uuid, prog, uuid);
			return 1;
		}
		memmove(s.sel[i], s.sel[i + 1], (s.n - i - 1) * sizeof(s.sel[0]));
		s.n--;
	}
	if (write_sources(uuid, &s))
		return 1;
	if (sel)
		printf("%s: unbound %s (%d %s left)\n", uuid, sel, s.n,
		       selectors_str(s.n));
	else
		printf("%s: unbound all sources (%d %s)\n", uuid, was,
		       selectors_str(was));
	return 0;
}

static int input_grab(const char *uuid_arg, const char *arg)
{
	char uuid[SPAR_UUID_LEN + 1];
	int on, ret;

	if (sparctl_get_uuid(uuid_arg, uuid))
		return 1;
	if (!strcmp(arg, "on") || !strcmp(arg, "1")) {
		on = 1;
	} else if (!strcmp(arg, "off") || !strcmp(arg, "0")) {
		on = 0;
	} else {
		sparctl_err("grab '%s': on or off", arg);
		return 1;
	}
	if (sparctl_need_type(uuid, INPUT_TYPE))
		return 1;
	ret = attr_write(uuid, "grab", on ? "1\n" : "0\n");
	if (ret) {
		sparctl_err("cannot write grab of %s: %s%s", uuid, strerror(-ret),
		    ret == -ENOENT ? " (this spar_mdev has no input back-end)" :
		    "");
		return 1;
	}
	printf("%s: grab %s\n", uuid, on ? "on" : "off");
	return 0;
}

/* --- show ------------------------------------------------------------ */

#define SHOW_FMT	"  %-18s "

static void show_attr(const char *uuid, const char *attr)
{
	char buf[64];

	if (attr_line(uuid, attr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	printf(SHOW_FMT "%s\n", attr, buf);
}

static void show_sources(const char *uuid)
{
	char buf[8192], *line, *save;
	int ret, n = 0;

	ret = attr_read(uuid, "sources", buf, sizeof(buf));
	if (ret) {
		printf(SHOW_FMT "? (%s)\n", "sources", strerror(-ret));
		return;
	}
	for (line = strtok_r(buf, "\n;", &save); line;
	     line = strtok_r(NULL, "\n;", &save))
		if (*line)
			printf(SHOW_FMT "%s\n", n++ ? "" : "sources", line);
	if (!n)
		printf(SHOW_FMT "none\n", "sources");
}

/* bound: "<sysfs name>\t<phys>\t<name>" per line */
static void show_bound(const char *uuid)
{
	char buf[8192], *line, *save, *phys, *name;
	int ret, n = 0;

	ret = attr_read(uuid, "bound", buf, sizeof(buf));
	if (ret) {
		printf(SHOW_FMT "? (%s)\n", "bound", strerror(-ret));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!*line)
			continue;
		phys = strchr(line, '\t');
		if (phys)
			*phys++ = 0;
		name = phys ? strchr(phys, '\t') : NULL;
		if (name)
			*name++ = 0;
		printf(SHOW_FMT "%s name=\"%s\" phys=\"%s\"\n",
		       n++ ? "" : "bound", line, name ? name : "",
		       phys ? phys : "");
	}
	if (!n)
		printf(SHOW_FMT "none\n", "bound");
}

static int skip_dot(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static void show_stats(const char *uuid)
{
	char dir[PATH_MAX], name[300], val[64];
	struct dirent **list;
	int n, i;

	n = scandir(attr_path(dir, sizeof(dir), uuid, "stats"), &list,
		    skip_dot, alphasort);
	if (n < 0) {
		printf("  (no stats: %s)\n", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "stats/%s", list[i]->d_name);
		if (attr_line(uuid, name, val, sizeof(val)))
			snprintf(val, sizeof(val), "?");
		printf(SHOW_FMT "%s\n", list[i]->d_name, val);
		free(list[i]);
	}
	free(list);
}

static int input_show(const char *uuid_arg)
{
	char uuid[SPAR_UUID_LEN + 1], status[64];

	if (sparctl_get_uuid(uuid_arg, uuid) || sparctl_need_type(uuid, INPUT_TYPE))
		return 1;
	if (attr_line(uuid, "status", status, sizeof(status)))
		snprintf(status, sizeof(status), "?");
	printf("Instance %s (%s, status %s)\n", uuid, INPUT_TYPE, status);
	show_attr(uuid, "grab");
	show_attr(uuid, "x_res");
	show_attr(uuid, "y_res");
	show_sources(uuid);
	show_bound(uuid);
	printf("Stats:\n");
	show_stats(uuid);
	return 0;
}

/* --- key names and the US layout ------------------------------------- */

#define K(n)	{ #n, KEY_##n }

static const struct {
	const char *name;
	unsigned short code;
} key_names[] = {
	K(ESC), K(1), K(2), K(3), K(4), K(5), K(6), K(7), K(8), K(9), K(0),
	K(MINUS), K(EQUAL), K(BACKSPACE), K(TAB),
	K(Q), K(W), K(E), K(R), K(T), K(Y), K(U), K(I), K(O), K(P),
	K(LEFTBRACE), K(RIGHTBRACE), K(ENTER), K(LEFTCTRL),
	K(A), K(S), K(D), K(F), K(G), K(H), K(J), K(K), K(L),
	K(SEMICOLON), K(APOSTROPHE), K(GRAVE), K(LEFTSHIFT), K(BACKSLASH),
	K(Z), K(X), K(C), K(V), K(B), K(N), K(M),
	K(COMMA), K(DOT), K(SLASH), K(RIGHTSHIFT), K(KPASTERISK), K(LEFTALT),
	K(SPACE), K(CAPSLOCK),
	K(F1), K(F2), K(F3), K(F4), K(F5), K(F6), K(F7), K(F8), K(F9), K(F10),
	K(F11), K(F12), K(F13), K(F14), K(F15), K(F16), K(F17), K(F18),
	K(F19), K(F20), K(F21), K(F22), K(F23), K(F24),
	K(NUMLOCK), K(SCROLLLOCK),
	K(KP0), K(KP1), K(KP2), K(KP3), K(KP4), K(KP5), K(KP6), K(KP7),
	K(KP8), K(KP9), K(KPMINUS), K(KPPLUS), K(KPDOT), K(KPENTER),
	K(KPSLASH), K(KPEQUAL), K(KPPLUSMINUS), K(KPCOMMA), K(KPJPCOMMA),
	K(KPLEFTPAREN), K(KPRIGHTPAREN),
	K(102ND), K(RIGHTCTRL), K(SYSRQ), K(RIGHTALT), K(LINEFEED),
	K(HOME), K(UP), K(PAGEUP), K(LEFT), K(RIGHT), K(END), K(DOWN),
	K(PAGEDOWN), K(INSERT), K(DELETE),
	K(MACRO), K(MUTE), K(VOLUMEDOWN), K(VOLUMEUP), K(POWER), K(PAUSE),
	K(LEFTMETA), K(RIGHTMETA), K(COMPOSE), K(HELP), K(MENU),
	K(PRINT),
	/* common other names */
	{ "ESCAPE", KEY_ESC }, { "RETURN", KEY_ENTER },
	{ "CTRL", KEY_LEFTCTRL }, { "SHIFT", KEY_LEFTSHIFT },
	{ "ALT", KEY_LEFTALT }, { "META", KEY_LEFTMETA },
	{ "PGUP", KEY_PAGEUP }, { "PGDN", KEY_PAGEDOWN },
	{ "DEL", KEY_DELETE }, { "INS", KEY_INSERT },
};

#undef K

#define KEY_NAME_HINT \
	"a key name such as A, 1, F5, LEFTCTRL, KP7 or PAGEUP (KEY_ prefix optional, any case), or a code up to 248 (a single digit is that digit's key)"

/*
 * The code of key NAME, or -1.  Names go first: "1" is the key 1, not
 * code 1 (KEY_ESC); the codes of the digit keys are 2 to 11 anyway.
 */
static int key_code(const char *name)
{
	const char *bare = name;
	unsigned int i;
	long v;

	if (!strncasecmp(bare, "KEY_", 4))
		bare += 4;
	for (i = 0; i < ARRAY_SIZE(key_names); i++)
		if (!strcasecmp(bare, key_names[i].name))
			return key_names[i].code;
	if (*name != '-' && !parse_int(name, KBD_KEY_MIN, KBD_KEY_MAX, &v))
		return v;
	return -1;
}

/* a character on a US keyboard: its key, and whether it takes shift */
struct us_key {
	unsigned short code;
	unsigned char shift;
};

static const struct us_key us_layout[128] = {
	['\n'] = { KEY_ENTER, 0 }, ['\t'] = { KEY_TAB, 0 },
	[' '] = { KEY_SPACE, 0 },
	['a'] = { KEY_A, 0 }, ['b'] = { KEY_B, 0 }, ['c'] = { KEY_C, 0 },
	['d'] = { KEY_D, 0 }, ['e'] = { KEY_E, 0 }, ['f'] = { KEY_F, 0 },
	['g'] = { KEY_G, 0 }, ['h'] = { KEY_H, 0 }, ['i'] = { KEY_I, 0 },
	['j'] = { KEY_J, 0 }, ['k'] = { KEY_K, 0 }, ['l'] = { KEY_L, 0 },
	['m'] = { KEY_M, 0 }, ['n'] = { KEY_N, 0 }, ['o'] = { KEY_O, 0 },
	['p'] = { KEY_P, 0 }, ['q'] = { KEY_Q, 0 }, ['r'] = { KEY_R, 0 },
	['s'] = { KEY_S, 0 }, ['t'] = { KEY_T, 0 }, ['u'] = { KEY_U, 0 },
	['v'] = { KEY_V, 0 }, ['w'] = { KEY_W, 0 }, ['x'] = { KEY_X, 0 },
	['y'] = { KEY_Y, 0 }, ['z'] = { KEY_Z, 0 },
	['A'] = { KEY_A, 1 }, ['B'] = { KEY_B, 1 }, ['C'] = { KEY_C, 1 },
	['D'] = { KEY_D, 1 }, ['E'] = { KEY_E, 1 }, ['F'] = { KEY_F, 1 },
	['G'] = { KEY_G, 1 }, ['H'] = { KEY_H, 1 }, ['I'] = { KEY_I, 1 },
	['J'] = { KEY_J, 1 }, ['K'] = { KEY_K, 1 }, ['L'] = { KEY_L, 1 },
	['M'] = { KEY_M, 1 }, ['N'] = { KEY_N, 1 }, ['O'] = { KEY_O, 1 },
	['P'] = { KEY_P, 1 }, ['Q'] = { KEY_Q, 1 }, ['R'] = { KEY_R, 1 },
	['S'] = { KEY_S, 1 }, ['T'] = { KEY_T, 1 }, ['U'] = { KEY_U, 1 },
	['V'] = { KEY_V, 1 }, ['W'] = { KEY_W, 1 }, ['X'] = { KEY_X, 1 },
	['Y'] = { KEY_Y, 1 }, ['Z'] = { KEY_Z, 1 },
	['1'] = { KEY_1, 0 }, ['2'] = { KEY_2, 0 }, ['3'] = { KEY_3, 0 },
	['4'] = { KEY_4, 0 }, ['5'] = { KEY_5, 0 }, ['6'] = { KEY_6, 0 },
	['7'] = { KEY_7, 0 }, ['8'] = { KEY_8, 0 }, ['9'] = { KEY_9, 0 },
	['0'] = { KEY_0, 0 },
	['!'] = { KEY_1, 1 }, ['@'] = { KEY_2, 1 }, ['#'] = { KEY_3, 1 },
	['$'] = { KEY_4, 1 }, ['%'] = { KEY_5, 1 }, ['^'] = { KEY_6, 1 },
	['&'] = { KEY_7, 1 }, ['*'] = { KEY_8, 1 }, ['('] = { KEY_9, 1 },
	[')'] = { KEY_0, 1 },
	['-'] = { KEY_MINUS, 0 }, ['_'] = { KEY_MINUS, 1 },
	['='] = { KEY_EQUAL, 0 }, ['+'] = { KEY_EQUAL, 1 },
	['['] = { KEY_LEFTBRACE, 0 }, ['{'] = { KEY_LEFTBRACE, 1 },
	[']'] = { KEY_RIGHTBRACE, 0 }, ['}'] = { KEY_RIGHTBRACE, 1 },
	['\\'] = { KEY_BACKSLASH, 0 }, ['|'] = { KEY_BACKSLASH, 1 },
	[';'] = { KEY_SEMICOLON, 0 }, [':'] = { KEY_SEMICOLON, 1 },
	['\''] = { KEY_APOSTROPHE, 0 }, ['"'] = { KEY_APOSTROPHE, 1 },
	['`'] = { KEY_GRAVE, 0 }, ['~'] = { KEY_GRAVE, 1 },
	[','] = { KEY_COMMA, 0 }, ['<'] = { KEY_COMMA, 1 },
	['.'] = { KEY_DOT, 0 }, ['>'] = { KEY_DOT, 1 },
	['/'] = { KEY_SLASH, 0 }, ['?'] = { KEY_SLASH, 1 },
};

/* the character that escape \C stands for, or 0 */
static unsigned char escape_char(char c)
{
	return c == 'n' ? '\n' : c == 't' ? '\t' : c == '\\' ? '\\' : 0;
}

/*
 * TEXT with its escapes (\n, \t, \\) resolved, in a new string (*OUT,
 * free() it), every character checked to be typable.  0, or -EINVAL with
 * what is wrong in WHY.
 */
static int decode_text(const char *text, char **out, char *why, size_t len)
{
	unsigned char c;
	const char *p;
	size_t at;
	char *d;

	*out = d = malloc(strlen(text) + 1);
	if (!d) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	for (p = text; *p; p++) {
		at = p - text + 1;	/* for messages */
		c = *p;
		if (c == '\\') {
			c = escape_char(*++p);
			if (!c) {
				snprintf(why, len, "'\\%.1s' at position %zu is not an escape (\\n, \\t, \\\\)",
					 p, at);
				goto bad;
			}
		} else if (c >= 128 || !us_layout[c].code) {
			snprintf(why, len, isprint(c) ?
				 "'%c' at position %zu cannot be typed: %s" :
				 "byte 0x%02x at position %zu cannot be typed: %s",
				 c, at, "only printable ASCII, newline and tab (US layout)");
			goto bad;
		}
		*d++ = c;
	}
	*d = 0;
	return 0;
bad:
	free(*out);
	*out = NULL;
	return -EINVAL;
}

/* --- what to inject -------------------------------------------------- */

enum op_kind {
	OP_KEY,		/* a = code, b = value */
	OP_TAP,		/* a = code */
	OP_TYPE,	/* text, a = delay in ms after each character */
	OP_ABS,		/* a = x, b = y */
	OP_REL,		/* a = dx, b = dy */
	OP_BTN,		/* a = BTN_*, b = value */
	OP_WHEEL,	/* a = notches */
	OP_LED,		/* a = LED_*, b = value */
	OP_SLEEP,	/* a = ms */
};

struct op {
	enum op_kind kind;
	int a, b;
	char *text;
	unsigned int line;		/* of a script, for messages */
};

struct ops {
	struct op *v;
	size_t n, cap;
};

enum { DEV_KBD, DEV_TABLET, DEV_MOUSE, NR_DEVS };

#define NEED(d)		(1u << (d))
#define NEED_ALL	(NEED(DEV_KBD) | NEED(DEV_TABLET) | NEED(DEV_MOUSE))

static const struct {
	const char *name, *phys;
	unsigned short product;
} dev_desc[NR_DEVS] = {
	[DEV_KBD] = { "sparctl keyboard", "kbd", 1 },
	[DEV_TABLET] = { "sparctl tablet", "tablet", 2 },
	[DEV_MOUSE] = { "sparctl mouse", "mouse", 3 },
};

/* the device an op writes to */
static int op_dev(enum op_kind kind)
{
	switch (kind) {
	case OP_KEY:
	case OP_TAP:
	case OP_TYPE:
	case OP_LED:
		return DEV_KBD;
	case OP_ABS:
		return DEV_TABLET;
	case OP_REL:
	case OP_BTN:
	case OP_WHEEL:
		return DEV_MOUSE;
	default:
		return -1;
	}
}

static struct op *add_op(struct ops *ops, enum op_kind kind, int a, int b)
{
	struct op *bigger;

	if (ops->n == ops->cap) {
		size_t cap = ops->cap ? 2 * ops->cap : 16;

		bigger = realloc(ops->v, cap * sizeof(*bigger));
		if (!bigger) {
			sparctl_err("out of memory");
			exit(1);
		}
		ops->v = bigger;
		ops->cap = cap;
	}
	ops->v[ops->n] = (struct op){ .kind = kind, .a = a, .b = b };
	return &ops->v[ops->n++];
}

static void free_ops(struct ops *ops)
{
	size_t i;

	for (i = 0; i < ops->n; i++)
		free(ops->v[i].text);
	free(ops->v);
	ops->v = NULL;
	ops->n = 0;
	ops->cap = 0;
}

static unsigned int ops_need(const struct ops *ops)
{
	unsigned int need = 0;
	size_t i;
	int d;

	for (i = 0; i < ops->n; i++) {
		d = op_dev(ops->v[i].kind);
		if (d >= 0)
			need |= NEED(d);
	}
	return need;
}

static int button_code(const char *name)
{
	if (!strcasecmp(name, "left"))
		return BTN_LEFT;
	if (!strcasecmp(name, "middle"))
		return BTN_MIDDLE;
	if (!strcasecmp(name, "right"))
		return BTN_RIGHT;
	return -1;
}

static int led_code(const char *name)
{
	if (!strcasecmp(name, "caps"))
		return LED_CAPSL;
	if (!strcasecmp(name, "num"))
		return LED_NUML;
	if (!strcasecmp(name, "scroll"))
		return LED_SCROLLL;
	return -1;
}

/* --- uinput ---------------------------------------------------------- */

struct injector {
	int fd[NR_DEVS];
	char phys[NR_DEVS][64];
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* the buttons and the wheel that the tablet and the mouse share */
static int pointer_caps(int fd)
{
	return ioctl(fd, UI_SET_EVBIT, EV_KEY) ||
	       ioctl(fd, UI_SET_EVBIT, EV_REL) ||
	       ioctl(fd, UI_SET_KEYBIT, BTN_LEFT) ||
	       ioctl(fd, UI_SET_KEYBIT, BTN_RIGHT) ||
	       ioctl(fd, UI_SET_KEYBIT, BTN_MIDDLE) ||
	       ioctl(fd, UI_SET_RELBIT, REL_WHEEL) ? -1 : 0;
}

static int kbd_caps(int fd)
{
	int k;

	if (ioctl(fd, UI_SET_EVBIT, EV_KEY) || ioctl(fd, UI_SET_EVBIT, EV_LED))
		return -1;
	for (k = KBD_KEY_MIN; k <= KBD_KEY_MAX; k++)
		if (ioctl(fd, UI_SET_KEYBIT, k))
			return -1;
	return ioctl(fd, UI_SET_LEDBIT, LED_NUML) ||
	       ioctl(fd, UI_SET_LEDBIT, LED_CAPSL) ||
	       ioctl(fd, UI_SET_LEDBIT, LED_SCROLLL) ? -1 : 0;
}

/*
 * The input core drops an ABS event equal to the axis's value: the axes
 * start at X0, Y0, where the first move is not.
 */
static int tablet_caps(int fd, int x_res, int y_res, int x0, int y0)
{
	struct uinput_abs_setup abs = { .code = ABS_X };

	if (ioctl(fd, UI_SET_EVBIT, EV_ABS))
		return -1;
	abs.absinfo.maximum = x_res;
	abs.absinfo.value = x0;
	if (ioctl(fd, UI_ABS_SETUP, &abs))
		return -1;
	abs.code = ABS_Y;
	abs.absinfo.maximum = y_res;
	abs.absinfo.value = y0;
	if (ioctl(fd, UI_ABS_SETUP, &abs))
		return -1;
	return pointer_caps(fd);
}

static int mouse_caps(int fd)
{
	return pointer_caps(fd) || ioctl(fd, UI_SET_RELBIT, REL_X) ||
	       ioctl(fd, UI_SET_RELBIT, REL_Y) ? -1 : 0;
}

/* the capabilities of device D; 0 or -1 with errno set */
static int dev_caps(int fd, int d, int x_res, int y_res, int x0, int y0)
{
	switch (d) {
	case DEV_KBD:
		return kbd_caps(fd);
	case DEV_TABLET:
		return tablet_caps(fd, x_res, y_res, x0, y0);
	case DEV_MOUSE:
		return mouse_caps(fd);
	}
	errno = EINVAL;
	return -1;
}

/* make device D of UUID; its fd, or -1 after saying why */
static int make_dev(struct injector *in, int d, const char *uuid, int x_res,
		    int y_res, int x0, int y0)
{
	struct uinput_setup setup = { 0 };
	const char *step;
	int fd, e;

	snprintf(in->phys[d], sizeof(in->phys[d]), "spar-input/%s/%s", uuid,
		 dev_desc[d].phys);
	fd = open(UINPUT_PATH, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		sparctl_err("cannot open %s: %s%s", UINPUT_PATH, strerror(e),
		    e == ENOENT || e == ENODEV ? " (modprobe uinput)" :
		    e == EACCES || e == EPERM ? " (run as root)" : "");
		return -1;
	}
	setup.id.bustype = BUS_VIRTUAL;
	setup.id.product = dev_desc[d].product;
	setup.id.version = 1;
	snprintf(setup.name, sizeof(setup.name), "%s", dev_desc[d].name);
	step = "setting the capabilities of";
	if (dev_caps(fd, d, x_res, y_res, x0, y0))
		goto fail;
	step = "setting the phys of";
	if (ioctl(fd, UI_SET_PHYS, in->phys[d]))
		goto fail;
	step = "setting up";
	if (ioctl(fd, UI_DEV_SETUP, &setup))
		goto fail;
	step = "creating";
	if (ioctl(fd, UI_DEV_CREATE))
		goto fail;
	in->fd[d] = fd;
	return fd;
fail:
	e = errno;
	sparctl_err("%s the uinput device '%s': %s", step, dev_desc[d].name,
	    strerror(e));
	close(fd);
	return -1;
}

static void destroy_devs(struct injector *in)
{
	int d;

	for (d = 0; d < NR_DEVS; d++) {
		if (in->fd[d] < 0)
			continue;
		ioctl(in->fd[d], UI_DEV_DESTROY);
		close(in->fd[d]);
		in->fd[d] = -1;
	}
}

/* is PHYS among the devices of BUF, the text of "bound"? */
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

/* wait until UUID lists the devices made; 0, or -1 after saying why */
static int wait_bound(const struct injector *in, const char *uuid)
{
	char buf[8192];
	int waited, d, ret, missing = -1;

	for (waited = 0;; waited += BOUND_POLL_MS) {
		ret = attr_read(uuid, "bound", buf, sizeof(buf));
		if (ret) {
			sparctl_err("cannot read bound of %s: %s", uuid,
			    strerror(-ret));
			return -1;
		}
		missing = -1;
		for (d = 0; d < NR_DEVS && missing < 0; d++)
			if (in->fd[d] >= 0 && !is_bound(buf, in->phys[d]))
				missing = d;
		if (missing < 0)
			return 0;
		if (waited >= BOUND_WAIT_MS)
			break;
		sleep_ms(BOUND_POLL_MS);
	}
	sparctl_err("%s did not take the uinput device '%s' (phys %s) within %d s: see dmesg and '%s input show %s'",
	    uuid, dev_desc[missing].name, in->phys[missing],
	    BOUND_WAIT_MS / 1000, prog, uuid);
	return -1;
}

static int emit(const struct injector *in, int d, int type, int code,
		int value)
{
	struct input_event ev = { .type = type, .code = code, .value = value };
	ssize_t n;

	n = write(in->fd[d], &ev, sizeof(ev));
	if (n != sizeof(ev)) {
		sparctl_err("writing to the uinput device '%s': %s", dev_desc[d].name,
		    n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

static int syn(const struct injector *in, int d)
{
	return emit(in, d, EV_SYN, SYN_REPORT, 0);
}

/* one event and its SYN_REPORT */
static int emit_syn(const struct injector *in, int d, int type, int code,
		    int value)
{
	return emit(in, d, type, code, value) || syn(in, d) ? -1 : 0;
}

static int run_type(const struct injector *in, const struct op *op)
{
	const unsigned char *p;
	struct us_key k;

	for (p = (const unsigned char *)op->text; *p; p++) {
		k = us_layout[*p];
		if ((k.shift && emit_syn(in, DEV_KBD, EV_KEY, KEY_LEFTSHIFT, 1)) ||
		    emit_syn(in, DEV_KBD, EV_KEY, k.code, 1) ||
		    emit_syn(in, DEV_KBD, EV_KEY, k.code, 0) ||
		    (k.shift && emit_syn(in, DEV_KBD, EV_KEY, KEY_LEFTSHIFT, 0)))
			return -1;
		if (op->a && p[1])
			sleep_ms(op->a);
	}
	return 0;
}

/* one notch per report, as a wheel mouse sends them */
static int run_wheel(const struct injector *in, int n)
{
	int step = n < 0 ? -1 : 1;

	if (!n)
		return syn(in, DEV_MOUSE);
	for (; n; n -= step)
		if (emit_syn(in, DEV_MOUSE, EV_REL, REL_WHEEL, step))
			return -1;
	return 0;
}

static int run_op(const struct injector *in, const struct op *op)
{
	switch (op->kind) {
	case OP_KEY:
		return emit_syn(in, DEV_KBD, EV_KEY, op->a, op->b);
	case OP_TAP:
		return emit_syn(in, DEV_KBD, EV_KEY, op->a, 1) ||
		       emit_syn(in, DEV_KBD, EV_KEY, op->a, 0) ? -1 : 0;
	case OP_TYPE:
		return run_type(in, op);
	case OP_ABS:
		return emit(in, DEV_TABLET, EV_ABS, ABS_X, op->a) ||
		       emit(in, DEV_TABLET, EV_ABS, ABS_Y, op->b) ||
		       syn(in, DEV_TABLET) ? -1 : 0;
	case OP_REL:
		return (op->a && emit(in, DEV_MOUSE, EV_REL, REL_X, op->a)) ||
		       (op->b && emit(in, DEV_MOUSE, EV_REL, REL_Y, op->b)) ||
		       syn(in, DEV_MOUSE) ? -1 : 0;
	case OP_BTN:
		return emit_syn(in, DEV_MOUSE, EV_KEY, op->a, op->b);
	case OP_WHEEL:
		return run_wheel(in, op->a);
	case OP_LED:
		return emit_syn(in, DEV_KBD, EV_LED, op->a, op->b);
	case OP_SLEEP:
		sleep_ms(op->a);
		return 0;
	}
	return 0;
}

/*
 * Make the devices NEED asks for as sources of UUID (checked, a spar-input
 * instance), wait until it takes them, run OPS, and destroy the devices.
 * X_RES and Y_RES are the instance's, for the tablet.  0, or 1 after
 * saying why.
 */
static int inject(const char *uuid, const struct ops *ops, unsigned int need,
		  int x_res, int y_res)
{
	struct injector in;
	int d, x0 = 0, y0 = 0, rc = 1;
	char buf[16];
	size_t i;

	for (d = 0; d < NR_DEVS; d++)
		in.fd[d] = -1;
	if (!need)
		return 0;
	if (attr_read(uuid, "bound", buf, sizeof(buf)) == -ENOENT) {
		sparctl_err("%s has no bound attribute: this spar_mdev has no input back-end",
		    uuid);
		return 1;
	}
	/* the tablet's axes start off the first position moved to */
	for (i = 0; i < ops->n; i++) {
		if (ops->v[i].kind == OP_ABS) {
			x0 = ops->v[i].a ? 0 : x_res;
			y0 = ops->v[i].b ? 0 : y_res;
			break;
		}
	}
	for (d = 0; d < NR_DEVS; d++)
		if ((need & NEED(d)) &&
		    make_dev(&in, d, uuid, x_res, y_res, x0, y0) < 0)
			goto out;
	if (wait_bound(&in, uuid))
		goto out;
	for (i = 0; i < ops->n; i++)
		if (run_op(&in, &ops->v[i]))
			goto out;
	rc = 0;
out:
	/* what was written reaches the back-end before the devices go */
	sleep_ms(DRAIN_MS);
	destroy_devs(&in);
	return rc;
}

/*
 * The checks every injecting command makes: UUID, the instance, and (for
 * the tablet) its resolution.  0, or -1 after saying why.
 */
static int inject_prepare(const char *uuid_arg, char *uuid, unsigned int need,
			  int *x_res, int *y_res)
{
	*x_res = SPAR_MOUSE_DEFAULT_X_RES;
	*y_res = SPAR_MOUSE_DEFAULT_Y_RES;
	if (sparctl_get_uuid(uuid_arg, uuid) || sparctl_need_type(uuid, INPUT_TYPE))
		return -1;
	if ((need & NEED(DEV_TABLET)) && get_res(uuid, x_res, y_res))
		return -1;
	return 0;
}

/* --- the injecting commands ------------------------------------------ */

static int input_type(const char *uuid_arg, const char *text, long delay)
{
	char uuid[SPAR_UUID_LEN + 1], why[256];
	struct ops ops = { 0 };
	struct op *op;
	int x_res, y_res, rc;
	char *decoded;

	if (decode_text(text, &decoded, why, sizeof(why))) {
		sparctl_err("cannot type the text: %s", why);
		return 1;
	}
	op = add_op(&ops, OP_TYPE, delay, 0);
	op->text = decoded;
	rc = 1;
	if (!inject_prepare(uuid_arg, uuid, ops_need(&ops), &x_res, &y_res))
		rc = inject(uuid, &ops, *decoded ? ops_need(&ops) : 0, x_res,
			    y_res);
	free_ops(&ops);
	return rc;
}

static int input_key(const char *uuid_arg, const char *combo, long hold)
{
	char uuid[SPAR_UUID_LEN + 1], buf[256], *name, *save;
	int codes[COMBO_MAX], n = 0, i, code, x_res, y_res, rc;
	struct ops ops = { 0 };

	if (strlen(combo) >= sizeof(buf)) {
		sparctl_err("key '%.32s...' is too long", combo);
		return 1;
	}
	memcpy(buf, combo, strlen(combo) + 1);
	if (!*buf || *buf == '+' || buf[strlen(buf) - 1] == '+' ||
	    strstr(buf, "++")) {
		sparctl_err("key '%s': an empty name; NAME[+NAME...] is %s", combo,
		    KEY_NAME_HINT);
		return 1;
	}
	for (name = strtok_r(buf, "+", &save); name;
	     name = strtok_r(NULL, "+", &save)) {
		code = key_code(name);
		if (code < 0) {
			sparctl_err("unknown key '%s': %s", name, KEY_NAME_HINT);
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (codes[i] == code) {
				sparctl_err("key '%s': %s is there twice", combo, name);
				return 1;
			}
		}
		if (n == COMBO_MAX) {
			sparctl_err("key '%s': more than %d keys", combo, COMBO_MAX);
			return 1;
		}
		codes[n++] = code;
	}
	for (i = 0; i < n; i++)
		add_op(&ops, OP_KEY, codes[i], 1);
	if (hold)
		add_op(&ops, OP_SLEEP, hold, 0);
	for (i = n - 1; i >= 0; i--)
		add_op(&ops, OP_KEY, codes[i], 0);
	rc = 1;
	if (!inject_prepare(uuid_arg, uuid, ops_need(&ops), &x_res, &y_res))
		rc = inject(uuid, &ops, ops_need(&ops), x_res, y_res);
	free_ops(&ops);
	return rc;
}

static int input_move(const char *uuid_arg, const char *x_arg,
		      const char *y_arg)
{
	char uuid[SPAR_UUID_LEN + 1];
	struct ops ops = { 0 };
	int x_res, y_res, rc;
	long x, y;

	if (parse_int(x_arg, 0, RES_MAX, &x) == -EINVAL ||
	    parse_int(y_arg, 0, RES_MAX, &y) == -EINVAL) {
		sparctl_err("position '%s %s': X and Y are whole numbers", x_arg,
		    y_arg);
		return 1;
	}
	if (inject_prepare(uuid_arg, uuid, NEED(DEV_TABLET), &x_res, &y_res))
		return 1;
	if (parse_int(x_arg, 0, x_res, &x) || parse_int(y_arg, 0, y_res, &y)) {
		sparctl_err("position %s %s is off the pointer area of %s (0 to %d, 0 to %d: x_res, y_res)",
		    x_arg, y_arg, uuid, x_res, y_res);
		return 1;
	}
	add_op(&ops, OP_ABS, x, y);
	rc = inject(uuid, &ops, ops_need(&ops), x_res, y_res);
	free_ops(&ops);
	return rc;
}

static int input_button(const char *uuid_arg, const char *name, long hold)
{
	char uuid[SPAR_UUID_LEN + 1];
	struct ops ops = { 0 };
	int code, x_res, y_res, rc;

	code = button_code(name);
	if (code < 0) {
		sparctl_err("button '%s': left, middle or right", name);
		return 1;
	}
	add_op(&ops, OP_BTN, code, 1);
	if (hold)
		add_op(&ops, OP_SLEEP, hold, 0);
	add_op(&ops, OP_BTN, code, 0);
	rc = 1;
	if (!inject_prepare(uuid_arg, uuid, ops_need(&ops), &x_res, &y_res))
		rc = inject(uuid, &ops, ops_need(&ops), x_res, y_res);
	free_ops(&ops);
	return rc;
}

static int input_wheel(const char *uuid_arg, const char *n_arg)
{
	char uuid[SPAR_UUID_LEN + 1];
	struct ops ops = { 0 };
	int x_res, y_res, rc;
	long n;

	if (parse_int(n_arg, -WHEEL_MAX, WHEEL_MAX, &n)) {
		sparctl_err("wheel '%s': a number of notches, -%d to %d (negative: toward the user)",
		    n_arg, WHEEL_MAX, WHEEL_MAX);
		return 1;
	}
	add_op(&ops, OP_WHEEL, n, 0);
	rc = 1;
	if (!inject_prepare(uuid_arg, uuid, ops_need(&ops), &x_res, &y_res))
		rc = inject(uuid, &ops, ops_need(&ops), x_res, y_res);
	free_ops(&ops);
	return rc;
}

/* --- scripts --------------------------------------------------------- */

static const struct {
	const char *name;
	enum op_kind kind;
	int nargs;
} script_cmds[] = {
	{ "key", OP_KEY, 2 }, { "tap", OP_TAP, 1 }, { "abs", OP_ABS, 2 },
	{ "rel", OP_REL, 2 }, { "btn", OP_BTN, 2 }, { "wheel", OP_WHEEL, 1 },
	{ "led", OP_LED, 2 }, { "sleep", OP_SLEEP, 1 },
};

/*
 * The arguments F[1], F[2] of a script command of KIND in *A, *B.  0, or
 * -EINVAL with what is wrong in WHY.
 */
static int parse_args(enum op_kind kind, char **f, long *a, long *b,
		      char *why, size_t len)
{
	switch (kind) {
	case OP_KEY:
	case OP_TAP:
		*a = key_code(f[1]);
		if (*a < 0)
			snprintf(why, len, "unknown key '%s': %s", f[1],
				 KEY_NAME_HINT);
		else if (kind == OP_KEY && parse_int(f[2], 0, 2, b))
			snprintf(why, len, "key value '%s': 0 (up), 1 (down) or 2 (repeat)",
				 f[2]);
		else
			return 0;
		return -EINVAL;
	case OP_ABS:
		/* against x_res and y_res once the instance is known */
		if (!parse_int(f[1], 0, RES_MAX, a) &&
		    !parse_int(f[2], 0, RES_MAX, b))
			return 0;
		snprintf(why, len, "abs '%s %s': X and Y are 0 to x_res and y_res",
			 f[1], f[2]);
		return -EINVAL;
	case OP_REL:
		if (!parse_int(f[1], -MOVE_MAX, MOVE_MAX, a) &&
		    !parse_int(f[2], -MOVE_MAX, MOVE_MAX, b))
			return 0;
		snprintf(why, len, "rel '%s %s': DX and DY are -%d to %d",
			 f[1], f[2], MOVE_MAX, MOVE_MAX);
		return -EINVAL;
	case OP_BTN:
		*a = button_code(f[1]);
		if (*a < 0)
			snprintf(why, len, "button '%s': left, middle or right",
				 f[1]);
		else if (parse_int(f[2], 0, 1, b))
			snprintf(why, len, "button value '%s': 0 (up) or 1 (down)",
				 f[2]);
		else
			return 0;
		return -EINVAL;
	case OP_WHEEL:
		if (!parse_int(f[1], -WHEEL_MAX, WHEEL_MAX, a))
			return 0;
		snprintf(why, len, "wheel '%s': -%d to %d notches", f[1],
			 WHEEL_MAX, WHEEL_MAX);
		return -EINVAL;
	case OP_LED:
		*a = led_code(f[1]);
		if (*a < 0)
			snprintf(why, len, "LED '%s': caps, num or scroll", f[1]);
		else if (parse_int(f[2], 0, 1, b))
			snprintf(why, len, "LED value '%s': 0 (off) or 1 (on)",
				 f[2]);
		else
			return 0;
		return -EINVAL;
	case OP_SLEEP:
		if (!parse_int(f[1], 0, MS_MAX, a))
			return 0;
		snprintf(why, len, "sleep '%s': 0 to %d ms", f[1], MS_MAX);
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

/* "type TEXT": the rest of the line, past the blanks after "type" */
static int parse_type(const char *rest, struct ops *ops, unsigned int lineno,
		      char *why, size_t len)
{
	struct op *op;

	rest += strspn(rest, " \t");
	if (!*rest) {
		snprintf(why, len, "no TEXT to type");
		return -EINVAL;
	}
	op = add_op(ops, OP_TYPE, 0, 0);
	op->line = lineno;
	if (decode_text(rest, &op->text, why, len)) {
		ops->n--;
		return -EINVAL;
	}
	return 0;
}

/*
 * One line of a script (no newline, not blank, not a comment) as an op;
 * LINE is cut up, ORIG is a copy of it.  0, or -EINVAL with what is
 * wrong in WHY.
 */
static int parse_line(char *line, const char *orig, struct ops *ops,
		      unsigned int lineno, char *why, size_t len)
{
	char *f[4], *save, *tok;
	unsigned int c;
	long a = 0, b = 0;
	struct op *op;
	int k = 0;

	tok = strtok_r(line, " \t", &save);
	if (!strcmp(tok, "type"))
		return parse_type(save, ops, lineno, why, len);
	for (; tok && k < 4; tok = strtok_r(NULL, " \t", &save))
		f[k++] = tok;
	for (c = 0; c < ARRAY_SIZE(script_cmds); c++)
		if (!strcmp(f[0], script_cmds[c].name))
			break;
	if (c == ARRAY_SIZE(script_cmds)) {
		snprintf(why, len, "unknown command '%s' (key, tap, type, abs, rel, btn, wheel, led, sleep)",
			 f[0]);
		return -EINVAL;
	}
	if (k - 1 != script_cmds[c].nargs) {
		snprintf(why, len, "%s takes %d argument%s: %s", f[0],
			 script_cmds[c].nargs,
			 script_cmds[c].nargs == 1 ? "" : "s",
			 k - 1 < script_cmds[c].nargs ? "too few" : "too many");
		return -EINVAL;
	}
	if (parse_args(script_cmds[c].kind, f, &a, &b, why, len))
		return -EINVAL;
	op = add_op(ops, script_cmds[c].kind, a, b);
	op->line = lineno;
	/* for the message if it is off the instance's pointer area */
	if (op->kind == OP_ABS) {
		op->text = strdup(orig);
		if (!op->text) {
			sparctl_err("out of memory");
			exit(1);
		}
	}
	return 0;
}

/* report a bad line of the script; at most SCRIPT_MAX_ERRORS are */
static void bad_line(unsigned int *bad, unsigned int lineno, const char *text,
		     const char *why)
{
	if (++*bad <= SCRIPT_MAX_ERRORS)
		sparctl_err("stdin:%u: '%s': %s", lineno, text, why);
	else if (*bad == SCRIPT_MAX_ERRORS + 1)
		sparctl_err("stdin: more bad lines not shown");
}

/*
 * The script on FP as OPS, every line checked first.  0, or -EINVAL after
 * reporting each bad line.
 */
static int read_script(FILE *fp, struct ops *ops)
{
	char why[512], *line = NULL, *copy = NULL, *p;
	unsigned int lineno = 0, bad = 0;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, fp)) >= 0) {
		if (++lineno > SCRIPT_MAX_LINES) {
			sparctl_err("stdin: more than %d lines", SCRIPT_MAX_LINES);
			bad++;
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		if (strlen(p) != (size_t)n - (p - line)) {
			bad_line(&bad, lineno, p, "a NUL byte in the line");
			continue;
		}
		free(copy);
		copy = strdup(p);
		if (!copy) {
			sparctl_err("out of memory");
			exit(1);
		}
		if (parse_line(p, copy, ops, lineno, why, sizeof(why)))
			bad_line(&bad, lineno, copy, why);
	}
	if (ferror(fp)) {
		sparctl_err("cannot read stdin: %s", strerror(errno));
		bad++;
	}
	free(copy);
	free(line);
	return bad ? -EINVAL : 0;
}

/*
 * "X,Y" of --tablet-max: the tablet's axis maxima, 1 to 65535 each.  0,
 * or -1 after saying why.
 */
static int get_tablet_max(const char *arg, int *x, int *y)
{
	char xs[16], ys[16];
	const char *comma = strchr(arg, ',');
	long lx, ly;

	if (!comma || (size_t)(comma - arg) >= sizeof(xs) ||
	    strlen(comma + 1) >= sizeof(ys))
		goto bad;
	memcpy(xs, arg, comma - arg);
	xs[comma - arg] = 0;
	strcpy(ys, comma + 1);
	if (parse_int(xs, 1, 65535, &lx) || parse_int(ys, 1, 65535, &ly))
		goto bad;
	*x = lx;
	*y = ly;
	return 0;
bad:
	sparctl_err("--tablet-max '%s': X,Y, each 1 to 65535", arg);
	return -1;
}

static int input_send(const char *uuid_arg, const char *tablet_max)
{
	char uuid[SPAR_UUID_LEN + 1], area[160];
	struct ops ops = { 0 };
	int x_res, y_res, rc = 1;
	unsigned int bad = 0;
	size_t i;

	if (sparctl_get_uuid(uuid_arg, uuid))
		return 1;
	if (read_script(stdin, &ops)) {
		sparctl_err("nothing sent: fix the script");
		rc = 2;
		goto out;
	}
	if (inject_prepare(uuid_arg, uuid, NEED_ALL, &x_res, &y_res))
		goto out;
	/* A tablet of another range: the instance scales its positions. */
	if (tablet_max && get_tablet_max(tablet_max, &x_res, &y_res))
		goto out;
	for (i = 0; i < ops.n; i++) {
		const struct op *op = &ops.v[i];

		if (op->kind != OP_ABS || (op->a <= x_res && op->b <= y_res))
			continue;
		snprintf(area, sizeof(area), "%d %d is off the pointer area of %s (0 to %d, 0 to %d: x_res, y_res)",
			 op->a, op->b, uuid, x_res, y_res);
		bad_line(&bad, op->line, op->text, area);
	}
	if (bad) {
		sparctl_err("nothing sent: fix the script");
		rc = 2;
		goto out;
	}
	rc = inject(uuid, &ops, NEED_ALL, x_res, y_res);
out:
	free_ops(&ops);
	return rc;
}

/* --- arguments ------------------------------------------------------- */

/* --hold and --delay: 0, or -1 after saying why */
static int get_ms(const char *opt, const char *arg, long *ms)
{
	if (parse_int(arg, 0, MS_MAX, ms)) {
		sparctl_err("%s '%s': 0 to %d ms", opt, arg, MS_MAX);
		return -1;
	}
	return 0;
}

int cmd_input(int argc, char **argv)
{
	const char *pos[4], *hold_arg = NULL, *delay_arg = NULL;
	const char *tablet_arg = NULL;
	long hold = 0, delay = 0;
	int npos = 0, all = 0, opts_done = 0, help = 0, i;
	const char *sub;

	if (argc < 2)
		goto usage;
	sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (opts_done || a[0] != '-' || !a[1] ||
		    isdigit((unsigned char)a[1])) {
			if (npos == 4)
				goto usage;
			pos[npos++] = a;
		} else if (!strcmp(a, "--")) {
			opts_done = 1;
		} else if (!strcmp(a, "--hold")) {
			if (++i == argc)
				goto usage;
			hold_arg = argv[i];
		} else if (!strncmp(a, "--hold=", 7)) {
			hold_arg = a + 7;
		} else if (!strcmp(a, "--delay")) {
			if (++i == argc)
				goto usage;
			delay_arg = argv[i];
		} else if (!strncmp(a, "--delay=", 8)) {
			delay_arg = a + 8;
		} else if (!strcmp(a, "--tablet-max")) {
			if (++i == argc)
				goto usage;
			tablet_arg = argv[i];
		} else if (!strncmp(a, "--tablet-max=", 13)) {
			tablet_arg = a + 13;
		} else if (!strcmp(a, "--all")) {
			all = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = 1;
		} else {
			goto usage;
		}
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	/* each option with the commands that take it */
	if (hold_arg && strcmp(sub, "key") && strcmp(sub, "button"))
		goto usage;
	if (delay_arg && strcmp(sub, "type"))
		goto usage;
	if (all && strcmp(sub, "unbind"))
		goto usage;
	if (tablet_arg && strcmp(sub, "send"))
		goto usage;
	if ((hold_arg && get_ms("--hold", hold_arg, &hold)) ||
	    (delay_arg && get_ms("--delay", delay_arg, &delay)))
		return 1;

	if (!strcmp(sub, "show") && npos == 1)
		return input_show(pos[0]);
	if (!strcmp(sub, "bind") && npos == 2)
		return input_bind(pos[0], pos[1]);
	if (!strcmp(sub, "unbind") && npos == 2 && !all)
		return input_unbind(pos[0], pos[1]);
	if (!strcmp(sub, "unbind") && npos == 1 && all)
		return input_unbind(pos[0], NULL);
	if (!strcmp(sub, "grab") && npos == 2)
		return input_grab(pos[0], pos[1]);
	if (!strcmp(sub, "type") && npos == 2)
		return input_type(pos[0], pos[1], delay);
	if (!strcmp(sub, "key") && npos == 2)
		return input_key(pos[0], pos[1], hold);
	if (!strcmp(sub, "move") && npos == 3)
		return input_move(pos[0], pos[1], pos[2]);
	if (!strcmp(sub, "button") && npos == 2)
		return input_button(pos[0], pos[1], hold);
	if (!strcmp(sub, "wheel") && npos == 2)
		return input_wheel(pos[0], pos[1]);
	if (!strcmp(sub, "send") && npos == 1)
		return input_send(pos[0], tablet_arg);
usage:
	usage(stderr);
	return 2;
}
