// SPDX-License-Identifier: GPL-2.0
/*
 * sparctl hba: the LIO target of a spar-hba instance, in configfs.
 *
 *   sparctl hba show UUID
 *   sparctl hba add UUID LUN BACKSTORE [--target N]
 *   sparctl hba remove UUID LUN [--target N]
 *   sparctl hba save UUID [--file PATH]
 *   sparctl hba restore UUID [--file PATH]
 *   sparctl hba restore --all
 *
 * The layout (Documentation/hba.rst):
 *
 *   target/spar/<UUID>/tpgt_N/lun/lun_M/<dev> -> target/core/<hba>/<dev>
 *
 * N is the guest's SCSI target id (0 to 7), M the LUN (0 to 15).  Only
 * mkdir, symlink, unlink and rmdir in configfs, and reads of sysfs.
 *
 * configfs does not outlive a reboot: save writes an instance's LUNs to
 * <dir>/<UUID>.luns (<dir> is $SPARCTL_HBA_DIR, or /etc/spar-mdev/hba),
 * one "TARGET LUN HBA/DEV" line each, and restore adds them back, as add
 * does, once the instance and the backstores are there again.  An
 * mdevctl call-out (tools/mdevctl/spar-hba-luns) restores an instance
 * when mdevctl starts it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <spar/iochannel.h>

#include "spar_vfio.h"
#include "sparctl.h"

/* A mock tree (SPARCTL_ROOT) must make tpgt_N/lun itself, as configfs does. */

#define CFS			"/sys/kernel/config"
#define CFS_TARGET		CFS "/target"
#define CFS_CORE		CFS_TARGET "/core"
#define CFS_FABRIC		CFS_TARGET "/spar"

#define HBA_TYPE		"spar-hba"
#define HBA_MAX_TARGET		SPAR_MAX_SCSI_TARGETS	/* tpgt_0 .. tpgt_7 */
#define HBA_MAX_LUN		SPAR_MAX_SCSI_LUNS	/* lun_0 .. lun_15 */

/* how LIO parses the number in a directory's name */
#define TPGT_BASE		10	/* kstrtou16(name + 5, 10) */
#define LUN_BASE		0	/* kstrtoull(name + 4, 0) */

/* where save keeps the LUN maps, unless $SPARCTL_HBA_DIR says otherwise */
#define HBA_SAVE_DIR		"/etc/spar-mdev/hba"
#define HBA_SAVE_ENV		"SPARCTL_HBA_DIR"
#define HBA_SAVE_EXT		".luns"

struct numbered {
	unsigned long long num;
	char name[256];
};

/* configfs and sysfs names are short: a path that does not fit is a bug */
static char *vpath(char *buf, size_t len, const char *root, const char *fmt,
		   va_list ap)
{
	size_t r = strlen(root);
	int n;

	if (r >= len)
		abort();
	memcpy(buf, root, r);
	n = vsnprintf(buf + r, len - r, fmt, ap);
	if (n < 0 || (size_t)n >= len - r) {
		sparctl_err("path too long: %s...", buf);
		exit(1);
	}
	return buf;
}

/* a path made from others */
static char *pathf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static char *pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpath(buf, len, "", fmt, ap);
	va_end(ap);
	return buf;
}

/* an absolute path, under SPARCTL_ROOT */
static char *path_of(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static char *path_of(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpath(buf, len, SPARCTL_ROOT, fmt, ap);
	va_end(ap);
	return buf;
}

/* first line of a file without its newline; 0 or -errno */
static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	char *nl;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = 0;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return 0;
}

/* whole of a (small) file; 0 or -errno */
static int read_all(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
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

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* a whole decimal number: 0, -EINVAL (not one) or -ERANGE (too big) */
static int parse_num(const char *s, unsigned long long *v)
{
	char *end;

	if (!*s)
		return -EINVAL;
	for (end = (char *)s; *end; end++)
		if (!isdigit((unsigned char)*end))
			return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno ? -ERANGE : 0;
}

/* the number after PREFIX in NAME as LIO reads it, BASE as strtoull's */
static int name_num(const char *name, const char *prefix, int base,
		    unsigned long long *v)
{
	size_t len = strlen(prefix);
	const char *s = name + len;
	char *end;

	if (strncmp(name, prefix, len) || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, base);
	return errno || *end ? -EINVAL : 0;
}

static int cmp_numbered(const void *a, const void *b)
{
	const struct numbered *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/*
 * The subdirectories of DIR named PREFIX<number>, by number, in *out
 * (free() it).  Returns how many, or -errno.
 */
static int list_numbered(const char *dir, const char *prefix, int base,
			 struct numbered **out)
{
	struct numbered *list = NULL, *bigger;
	int n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned long long v;

		if (name_num(de->d_name, prefix, base, &v) ||
		    strlen(de->d_name) >= sizeof(list->name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			bigger = realloc(list, cap * sizeof(*list));
			if (!bigger) {
				free(list);
				closedir(d);
				return -ENOMEM;
			}
			list = bigger;
		}
		list[n].num = v;
		memcpy(list[n].name, de->d_name, strlen(de->d_name) + 1);
		n++;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof(*list), cmp_numbered);
	*out = list;
	return n;
}

/*
 * The subdirectory of DIR for number NUM (e.g. lun_0 for LUN 0, or lun_00
 * made by hand, which LIO reads the same) in NAME.  0 or -ENOENT.
 */
static int find_numbered(const char *dir, const char *prefix, int base,
			 unsigned long long num, char *name, size_t len)
{
	struct numbered *list;
	int n, i, ret = -ENOENT;

	n = list_numbered(dir, prefix, base, &list);
	for (i = 0; i < n; i++) {
		if (list[i].num == num && strlen(list[i].name) < len) {
			memcpy(name, list[i].name, strlen(list[i].name) + 1);
			ret = 0;
			break;
		}
	}
	free(list);
	return ret;
}

/* how many PREFIX<number> subdirectories DIR has (0 if it cannot be read) */
static int count_numbered(const char *dir, const char *prefix, int base)
{
	struct numbered *list;
	int n;

	n = list_numbered(dir, prefix, base, &list);
	free(list);
	return n < 0 ? 0 : n;
}

/*
 * The backstore a LUN directory links to, as "<hba>/<dev>", in BS and the
 * link's name in LINK.  0, or -ENOENT if it has no link.
 */
static int lun_backstore(const char *lun_dir, char *bs, size_t bs_len,
			 char *link, size_t link_len)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	const char *dev, *hba;
	struct stat st;
	int ret = -ENOENT;
	ssize_t n;
	DIR *d;

	d = opendir(lun_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", lun_dir,
				     de->d_name) >= sizeof(path) ||
		    lstat(path, &st) || !S_ISLNK(st.st_mode))
			continue;
		/* configfs answers with a relative path: ../../../core/hba/dev */
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = 0;
		while (n > 1 && target[n - 1] == '/')
			target[--n] = 0;
		dev = strrchr(target, '/');
		if (!dev)
			continue;
		hba = dev;
		while (hba > target && hba[-1] != '/')
			hba--;
		snprintf(bs, bs_len, "%s", hba);
		snprintf(link, link_len, "%s", de->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

/* "8 MiB", or the bytes when no unit divides the size */
static const char *size_str(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "TiB", "GiB", "MiB", "KiB" };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		unsigned long long u = 1ULL << (10 * (4 - i));

		if (bytes && !(bytes % u)) {
			snprintf(buf, len, "%llu %s", bytes / u, unit[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu bytes", bytes);
	return buf;
}

/*
 * The size of the backstore at DIR (core/<hba>/<dev>) from its info file,
 * whose second line is the backstore type's own: rd_mcp has
 * "PAGES/PAGE_SIZE: P*S", fileio and user "Size: BYTES", iblock
 * "Major: M Minor: m" of its block device.  0, or -ENOENT if not known.
 */
static int backstore_size(const char *dir, unsigned long long *bytes)
{
	char path[PATH_MAX], info[4096], val[64];
	unsigned long long pages, page, sectors;
	const char *p, *s;
	int maj, min;

	if (read_all(pathf(path, sizeof(path), "%s/info", dir), info,
		     sizeof(info)))
		return -ENOENT;
	p = strstr(info, "PAGES/PAGE_SIZE: ");
	if (p && sscanf(p, "PAGES/PAGE_SIZE: %llu*%llu", &pages, &page) == 2) {
		*bytes = pages * page;
		return 0;
	}
	/* the last " Size: ", not "SectorSize: " */
	for (p = NULL, s = info; (s = strstr(s, " Size: ")); s++)
		p = s;
	if (p && sscanf(p, " Size: %llu", bytes) == 1)
		return 0;
	p = strstr(info, "Major: ");
	if (p && sscanf(p, "Major: %d Minor: %d", &maj, &min) == 2 && maj > 0 &&
	    !read_line(path_of(path, sizeof(path), "/sys/dev/block/%d:%d/size",
			       maj, min), val, sizeof(val)) &&
	    !parse_num(val, &sectors)) {
		*bytes = sectors * 512;
		return 0;
	}
	return -ENOENT;
}

/* Is LIO there?  0, or -ENOENT after saying what to do. */
static int lio_check(void)
{
	char path[PATH_MAX];

	if (is_dir(path_of(path, sizeof(path), CFS_TARGET)))
		return 0;
	if (is_dir(path_of(path, sizeof(path), "/sys/module/target_core_mod")))
		sparctl_err("configfs is not mounted: mount -t configfs configfs %s", CFS);
	else
		sparctl_err("LIO is not loaded: modprobe target_core_mod");
	return -ENOENT;
}

/*
 * The WWN directory of UUID in WWN (an absolute path).  LIO matches the
 * name against the instance without regard to case, so a directory made
 * by hand in upper case is the one.  0 or -ENOENT.
 */
static int find_wwn(const char *uuid, char *wwn, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	d = opendir(path_of(dir, sizeof(dir), CFS_FABRIC));
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (!strcasecmp(de->d_name, uuid)) {
			path_of(wwn, len, CFS_FABRIC "/%s", de->d_name);
			ret = is_dir(wwn) ? 0 : -ENOENT;
			break;
		}
	}
	closedir(d);
	return ret;
}

/* WHERE prefixes the message: "" for an argument, "FILE:LINE: " in a file */
static int get_lun(const char *where, const char *arg, unsigned int *lun)
{
	unsigned long long v;
	int ret = parse_num(arg, &v);

	if (ret == -EINVAL) {
		sparctl_err("%sLUN '%s' is not a number", where, arg);
		return ret;
	}
	if (ret || v >= HBA_MAX_LUN) {
		sparctl_err("%sLUN %s is beyond max_lun %u of the instance (0 to %u)",
		    where, arg, HBA_MAX_LUN, HBA_MAX_LUN - 1);
		return -ERANGE;
	}
	*lun = v;
	return 0;
}

static int get_target(const char *where, const char *arg,
		      unsigned int *target)
{
	unsigned long long v;
	int ret = parse_num(arg, &v);

	if (ret == -EINVAL) {
		sparctl_err("%starget '%s' is not a number", where, arg);
		return ret;
	}
	if (ret || v >= HBA_MAX_TARGET) {
		sparctl_err("%starget %s is not a SCSI target id of the instance (0 to %u)",
		    where, arg, HBA_MAX_TARGET - 1);
		return -ERANGE;
	}
	*target = v;
	return 0;
}

/* --- show ---------------------------------------------------------- */

static void show_lun(const char *lun_dir, unsigned long long num)
{
	char bs[PATH_MAX], link[256], core[PATH_MAX], path[PATH_MAX];
	char size[32], udev[PATH_MAX];
	unsigned long long bytes;

	if (lun_backstore(lun_dir, bs, sizeof(bs), link, sizeof(link))) {
		printf("    LUN %-3llu (no backstore linked)\n", num);
		return;
	}
	printf("    LUN %-3llu %s", num, bs);
	/* bs came from configfs: "<hba>/<dev>" under core */
	path_of(core, sizeof(core), CFS_CORE "/%s", bs);
	if (!backstore_size(core, &bytes))
		printf("  %s", size_str(bytes, size, sizeof(size)));
	/* fileio and iblock: the file or device, as targetcli records it */
	pathf(path, sizeof(path), "%s/udev_path", core);
	if (!read_line(path, udev, sizeof(udev)) && *udev)
		printf("  %s", udev);
	printf("\n");
}

static int hba_show(const char *arg)
{
	char uuid[SPAR_UUID_LEN + 1], type[64], status[64], wwn[PATH_MAX];
	char path[PATH_MAX], lun_dir[PATH_MAX];
	struct numbered *tpgs, *luns;
	int ret, n, i, j, m, have_wwn;

	if (sparctl_get_uuid(arg, uuid) || lio_check())
		return 1;
	have_wwn = !find_wwn(uuid, wwn, sizeof(wwn));
	ret = sparctl_instance_type(uuid, type, sizeof(type));
	/* An orphaned target (its instance removed) is shown too. */
	if (ret == -ENOENT && have_wwn) {
		printf("Target %s (orphaned: no instance has this UUID)\n",
		       uuid);
	} else {
		if (sparctl_need_type(uuid, HBA_TYPE))
			return 1;
		if (read_line(path_of(path, sizeof(path), SPAR_MDEV_DEVICES
				      "/%s/status", uuid), status,
			      sizeof(status)))
			snprintf(status, sizeof(status), "?");
		printf("Instance %s (%s, status %s)\n", uuid, type, status);
	}
	if (!have_wwn) {
		printf("  no LUNs configured\n");
		return 0;
	}
	n = list_numbered(wwn, "tpgt_", TPGT_BASE, &tpgs);
	if (n < 0) {
		sparctl_err("%s: %s", wwn, strerror(-n));
		return 1;
	}
	for (i = 0; i < n; i++) {
		printf("  target %llu (%s)\n", tpgs[i].num, tpgs[i].name);
		pathf(path, sizeof(path), "%s/%s/lun", wwn, tpgs[i].name);
		m = list_numbered(path, "lun_", LUN_BASE, &luns);
		if (m <= 0)
			printf("    no LUNs\n");
		for (j = 0; j < m; j++) {
			pathf(lun_dir, sizeof(lun_dir), "%s/%s", path,
			      luns[j].name);
			show_lun(lun_dir, luns[j].num);
		}
		free(luns);
	}
	free(tpgs);
	if (!n)
		printf("  no LUNs configured\n");
	return 0;
}

/* --- add ----------------------------------------------------------- */

/*
 * The directories this invocation made (fabric, WWN, tpgt_N, lun_M), to
 * be removed in reverse if a later step fails.
 */
struct made {
	char path[4][PATH_MAX];
	int n;
};

static void undo(struct made *m)
{
	while (m->n > 0) {
		const char *p = m->path[--m->n];

		if (rmdir(p))
			sparctl_err("undoing: cannot remove %s: %s", p,
			    strerror(errno));
	}
}

static int make_dir(struct made *m, const char *path, const char *what)
{
	if (mkdir(path, 0755)) {
		int e = errno;

		sparctl_err("cannot create %s (%s): %s%s", what, path, strerror(e),
		    e == EINVAL ? " (the kernel log says why: dmesg)" : "");
		return -e;
	}
	if (m->n == 4)
		abort();
	snprintf(m->path[m->n++], sizeof(m->path[0]), "%s", path);
	return 0;
}

/* "<hba>/<dev>": two names, neither empty, "." nor "..", nothing else */
static int backstore_syntax(const char *bs)
{
	const char *slash = strchr(bs, '/'), *dev;
	size_t hba_len;

	if (!slash || strchr(slash + 1, '/'))
		return -EINVAL;
	hba_len = slash - bs;
	dev = slash + 1;
	if (!hba_len || hba_len > 255 || !*dev || strlen(dev) > 255)
		return -EINVAL;
	if ((hba_len == 1 && bs[0] == '.') ||
	    (hba_len == 2 && bs[0] == '.' && bs[1] == '.') ||
	    !strcmp(dev, ".") || !strcmp(dev, ".."))
		return -EINVAL;
	return 0;
}

/*
 * The backstore that LUN LUN of target TARGET of UUID links to, in BS
 * ("" if it has none).  0, or -ENOENT if there is no such LUN.  LIO
 * reads lun_00 as LUN 0 too.
 */
static int find_lun(const char *uuid, unsigned int target, unsigned int lun,
		    char *bs, size_t bs_len)
{
	char wwn[PATH_MAX], path[PATH_MAX], lun_dir[PATH_MAX], name[256];
	char link[256];

	if (find_wwn(uuid, wwn, sizeof(wwn)) ||
	    find_numbered(wwn, "tpgt_", TPGT_BASE, target, name, sizeof(name)))
		return -ENOENT;
	pathf(path, sizeof(path), "%s/%s/lun", wwn, name);
	if (find_numbered(path, "lun_", LUN_BASE, lun, name, sizeof(name)))
		return -ENOENT;
	pathf(lun_dir, sizeof(lun_dir), "%s/%s", path, name);
	if (lun_backstore(lun_dir, bs, bs_len, link, sizeof(link)))
		*bs = 0;
	return 0;
}

/*
 * Link BS, "<hba>/<dev>" as backstore_syntax() wants it, as LUN LUN of
 * target TARGET of UUID (lower case), a spar-hba instance.  Checks the
 * backstore and that the LUN is free before it changes anything, makes
 * what is missing, and undoes it if a step fails.  0, or 1 after saying
 * why.
 */
static int add_lun(const char *uuid, unsigned int lun, const char *bs,
		   unsigned int target)
{
	char wwn[PATH_MAX], tpg[PATH_MAX], core[PATH_MAX], path[PATH_MAX];
	char name[256], val[64], used[PATH_MAX], lun_dir[PATH_MAX];
	char dst[PATH_MAX];
	struct made m = { .n = 0 };
	const char *dev = strchr(bs, '/') + 1;
	char again[64] = "";

	path_of(core, sizeof(core), CFS_CORE "/%s", bs);
	if (!is_dir(core)) {
		sparctl_err("no backstore %s: create it with targetcli or under %s",
		    bs, CFS_CORE);
		return 1;
	}
	if (access(pathf(path, sizeof(path), "%s/info", core), F_OK)) {
		sparctl_err("%s is not a backstore (no %s/info)", bs, core);
		return 1;
	}
	if (!read_line(pathf(path, sizeof(path), "%s/enable", core), val,
		       sizeof(val)) && !strcmp(val, "0")) {
		sparctl_err("backstore %s is not enabled (%s/enable reads 0): %s", bs,
		    core, "set it up and enable it, or use targetcli");
		return 1;
	}

	if (!find_lun(uuid, target, lun, used, sizeof(used))) {
		if (target)
			snprintf(again, sizeof(again), " --target %u", target);
		sparctl_err("LUN %u of target %u of %s is already in use (%s): run '%s hba remove %s %u%s' first",
		    lun, target, uuid, *used ? used : "no backstore linked",
		    prog, uuid, lun, again);
		return 1;
	}

	/* fabric, WWN, tpgt_N, lun_M, link: each as needed */
	path_of(path, sizeof(path), CFS_FABRIC);
	if (!is_dir(path) && make_dir(&m, path, "the spar fabric"))
		goto fail;
	if (find_wwn(uuid, wwn, sizeof(wwn))) {
		path_of(wwn, sizeof(wwn), CFS_FABRIC "/%s", uuid);
		if (make_dir(&m, wwn, "the instance's target"))
			goto fail;
	}
	if (find_numbered(wwn, "tpgt_", TPGT_BASE, target, name,
			  sizeof(name))) {
		pathf(tpg, sizeof(tpg), "%s/tpgt_%u", wwn, target);
		if (make_dir(&m, tpg, "the portal group"))
			goto fail;
	} else {
		pathf(tpg, sizeof(tpg), "%s/%s", wwn, name);
	}
	/* Fabrics that want their TPG switched on offer an enable attribute. */
	pathf(path, sizeof(path), "%s/enable", tpg);
	if (!read_line(path, val, sizeof(val)) && !strcmp(val, "0")) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "1\n", 2) != 2) {
			sparctl_err("cannot enable %s: %s", tpg, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		close(fd);
	}
	pathf(lun_dir, sizeof(lun_dir), "%s/lun/lun_%u", tpg, lun);
	if (make_dir(&m, lun_dir, "the LUN"))
		goto fail;
	pathf(dst, sizeof(dst), "%s/%s", lun_dir, dev);
	if (symlink(core, dst)) {
		int e = errno;

		sparctl_err("cannot link %s as LUN %u (%s): %s%s", bs, lun, dst,
		    strerror(e),
		    e == ENODEV ? " (the backstore is not configured)" :
		    e == EINVAL || e == EFAULT ? " (the kernel log says why: dmesg)" : "");
		goto fail;
	}
	printf("%s: LUN %u of target %u is %s\n", uuid, lun, target, bs);
	return 0;
fail:
	undo(&m);
	return 1;
}

static int hba_add(const char *uuid_arg, const char *lun_arg,
		   const char *bs, unsigned int target)
{
	char uuid[SPAR_UUID_LEN + 1];
	unsigned int lun;

	if (sparctl_get_uuid(uuid_arg, uuid) || get_lun("", lun_arg, &lun))
		return 1;
	/* the whole path is fine too */
	if (!strncmp(bs, CFS_CORE "/", strlen(CFS_CORE "/")))
		bs += strlen(CFS_CORE "/");
	if (backstore_syntax(bs)) {
		sparctl_err("backstore '%s' is not <hba>/<dev> as under %s, e.g. rd_mcp_0/r0",
		    bs, CFS_CORE);
		return 1;
	}
	if (lio_check() || sparctl_need_type(uuid, HBA_TYPE))
		return 1;
	return add_lun(uuid, lun, bs, target);
}

/* --- remove -------------------------------------------------------- */

static int hba_remove(const char *uuid_arg, const char *lun_arg,
		      unsigned int target)
{
	char uuid[SPAR_UUID_LEN + 1], wwn[PATH_MAX], tpg[PATH_MAX];
	char lun_dir[PATH_MAX], path[PATH_MAX], name[256], type[64];
	char bs[PATH_MAX], link[256];
	unsigned int lun;
	int ret, links = 0;

	if (sparctl_get_uuid(uuid_arg, uuid) || get_lun("", lun_arg, &lun) || lio_check())
		return 1;
	/* An orphaned target (its instance removed) can be taken down too. */
	ret = sparctl_instance_type(uuid, type, sizeof(type));
	if (ret != -ENOENT && sparctl_need_type(uuid, HBA_TYPE))
		return 1;
	if (find_wwn(uuid, wwn, sizeof(wwn))) {
		if (ret == -ENOENT) {
			sparctl_need_type(uuid, HBA_TYPE);
			return 1;
		}
		sparctl_err("no LUN %u on target %u of %s: it has no LUNs (see '%s hba show %s')",
		    lun, target, uuid, prog, uuid);
		return 1;
	}
	if (find_numbered(wwn, "tpgt_", TPGT_BASE, target, name,
			  sizeof(name))) {
		sparctl_err("no LUN %u on target %u of %s: no target %u (see '%s hba show %s')",
		    lun, target, uuid, target, prog, uuid);
		return 1;
	}
	pathf(tpg, sizeof(tpg), "%s/%s", wwn, name);
	pathf(path, sizeof(path), "%s/lun", tpg);
	if (find_numbered(path, "lun_", LUN_BASE, lun, name, sizeof(name))) {
		sparctl_err("no LUN %u on target %u of %s (see '%s hba show %s')",
		    lun, target, uuid, prog, uuid);
		return 1;
	}
	pathf(lun_dir, sizeof(lun_dir), "%s/%s", path, name);

	/* LIO's order: the link (waits for the LUN's I/O), the LUN, ... */
	snprintf(bs, sizeof(bs), "no backstore");
	while (links++ < 8 &&
	       !lun_backstore(lun_dir, bs, sizeof(bs), link, sizeof(link))) {
		pathf(path, sizeof(path), "%s/%s", lun_dir, link);
		if (unlink(path)) {
			sparctl_err("cannot unlink %s: %s", path, strerror(errno));
			return 1;
		}
	}
	if (rmdir(lun_dir)) {
		sparctl_err("cannot remove %s: %s", lun_dir, strerror(errno));
		return 1;
	}
	printf("%s: removed LUN %u of target %u (%s)\n", uuid, lun, target,
	       bs);

	/* ... the portal group and the WWN once empty; the fabric stays. */
	pathf(path, sizeof(path), "%s/lun", tpg);
	if (count_numbered(path, "lun_", LUN_BASE))
		return 0;
	if (rmdir(tpg)) {
		sparctl_err("warning: LUN removed, but not its empty portal group %s: %s",
		    tpg, strerror(errno));
		return 0;
	}
	if (count_numbered(wwn, "tpgt_", TPGT_BASE))
		return 0;
	if (rmdir(wwn))
		sparctl_err("warning: LUN removed, but not the instance's empty target %s: %s",
		    wwn, strerror(errno));
	return 0;
}

/* --- save and restore ---------------------------------------------- */

/* one line of a saved map: "TARGET LUN HBA/DEV" */
struct saved_lun {
	unsigned int target, lun;
	unsigned int line;		/* in the map read, for messages */
	char bs[2 * 256 + 1];		/* "<hba>/<dev>", as configfs names */
};

/* one line per LUN of every target at most */
#define HBA_MAX_SAVED		(HBA_MAX_TARGET * HBA_MAX_LUN)

static const char *luns_str(int n)
{
	return n == 1 ? "LUN" : "LUNs";
}

/* the directory of the saved maps in DIR */
static char *save_dir(char *dir, size_t len)
{
	const char *env = getenv(HBA_SAVE_ENV);

	if (env && *env)
		return pathf(dir, len, "%s", env);
	return path_of(dir, len, HBA_SAVE_DIR);
}

/* the map of UUID: FILE if given, else <dir>/<UUID>.luns, in PATH */
static char *save_path(const char *uuid, const char *file, char *path,
		       size_t len)
{
	char dir[PATH_MAX];

	if (file)
		return pathf(path, len, "%s", file);
	return pathf(path, len, "%s/%s" HBA_SAVE_EXT,
		     save_dir(dir, sizeof(dir)), uuid);
}

/* DIR and its missing parents, mode 0755.  0 or -errno. */
static int make_dirs(const char *dir)
{
	char buf[PATH_MAX];
	char *p;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", dir) >= sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf; *p; p++) {
		if (*p != '/' || p == buf)
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return is_dir(buf) ? 0 : -ENOTDIR;
}

/*
 * The LUNs under WWN (an instance's target), by target then LUN, in LUNS
 * (room for HBA_MAX_SAVED).  What restore could not add back is left out
 * with a warning: a LUN without a backstore, or one beyond the
 * instance's LUNs.  How many, or -1 after saying why.
 */
static int current_luns(const char *wwn, struct saved_lun *luns)
{
	char path[PATH_MAX], lun_dir[PATH_MAX], link[256];
	struct numbered *tpgs, *l;
	int n, m, i, j, count = 0;

	n = list_numbered(wwn, "tpgt_", TPGT_BASE, &tpgs);
	if (n < 0) {
		sparctl_err("%s: %s", wwn, strerror(-n));
		return -1;
	}
	/* LIO makes no tpgt_N beyond the instance's targets (hba_make_tpg) */
	for (i = 0; i < n && tpgs[i].num < HBA_MAX_TARGET; i++) {
		pathf(path, sizeof(path), "%s/%s/lun", wwn, tpgs[i].name);
		m = list_numbered(path, "lun_", LUN_BASE, &l);
		if (m < 0 && m != -ENOENT) {
			sparctl_err("%s: %s", path, strerror(-m));
			free(tpgs);
			return -1;
		}
		for (j = 0; j < m; j++) {
			struct saved_lun *s = &luns[count];
			const char *why = NULL;

			pathf(lun_dir, sizeof(lun_dir), "%s/%s", path,
			      l[j].name);
			if (l[j].num >= HBA_MAX_LUN)
				why = "beyond max_lun of the instance";
			else if (lun_backstore(lun_dir, s->bs, sizeof(s->bs),
					       link, sizeof(link)) ||
				 backstore_syntax(s->bs))
				why = "no backstore linked";
			/* lun_1 and lun_01 by hand: LIO reads both as LUN 1 */
			else if (count && luns[count - 1].target == tpgs[i].num &&
				 luns[count - 1].lun == l[j].num)
				why = "another directory of it is saved";
			if (why) {
				sparctl_err("warning: LUN %llu of target %llu (%s) not saved: %s",
				    l[j].num, tpgs[i].num, lun_dir, why);
				continue;
			}
			s->target = tpgs[i].num;
			s->lun = l[j].num;
			count++;
		}
		free(l);
	}
	free(tpgs);
	return count;
}

/*
 * Write N LUNS of UUID to PATH: to a new file in PATH's directory (made if
 * missing), synced, then renamed over PATH, so that PATH holds the old map
 * or the new one, whole, even after a crash.  HINT is how to restore it.
 * 0, or 1 after saying why.
 */
static int write_map(const char *uuid, const char *path, const char *hint,
		     const struct saved_lun *luns, int n)
{
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX], tmp[PATH_MAX];
	int fd, i, ret, e;
	FILE *f;

	if (!base)
		snprintf(dir, sizeof(dir), ".");
	else if (base == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	base = base ? base + 1 : path;
	if (!*base) {
		sparctl_err("%s: not a file name", path);
		return 1;
	}
	ret = make_dirs(dir);
	if (ret) {
		sparctl_err("cannot create %s: %s", dir, strerror(-ret));
		return 1;
	}
	pathf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sparctl_err("cannot create a file in %s: %s", dir, strerror(errno));
		return 1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		goto fail;
	}
	errno = 0;
	fprintf(f, "# spar-hba %s LUNs (TARGET LUN HBA/DEV); restore: %s hba restore %s%s\n",
		uuid, prog, uuid, hint);
	for (i = 0; i < n; i++)
		fprintf(f, "%u %u %s\n", luns[i].target, luns[i].lun,
			luns[i].bs);
	if (fflush(f) || ferror(f) || fchmod(fd, 0644) || fsync(fd)) {
		e = errno ? errno : EIO;
		fclose(f);
		goto fail;
	}
	if (fclose(f)) {
		e = errno;
		goto fail;
	}
	if (rename(tmp, path)) {
		sparctl_err("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return 1;
	}
	/* the rename, for the next boot */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
fail:
	sparctl_err("cannot write %s: %s", tmp, strerror(e));
	unlink(tmp);
	return 1;
}

static int hba_save(const char *uuid_arg, const char *file)
{
	char uuid[SPAR_UUID_LEN + 1], type[64], wwn[PATH_MAX], path[PATH_MAX];
	char hint[PATH_MAX + 16] = "";
	struct saved_lun *luns;
	int ret, n = 0, have_wwn, orphan;

	if (sparctl_get_uuid(uuid_arg, uuid) || lio_check())
		return 1;
	have_wwn = !find_wwn(uuid, wwn, sizeof(wwn));
	/* An orphaned target (its instance removed) is saved too. */
	orphan = sparctl_instance_type(uuid, type, sizeof(type)) == -ENOENT &&
		 have_wwn;
	if (!orphan && sparctl_need_type(uuid, HBA_TYPE))
		return 1;
	luns = calloc(HBA_MAX_SAVED, sizeof(*luns));
	if (!luns) {
		sparctl_err("out of memory");
		return 1;
	}
	if (have_wwn)
		n = current_luns(wwn, luns);
	save_path(uuid, file, path, sizeof(path));
	if (file)
		snprintf(hint, sizeof(hint), " --file %s", file);
	ret = n < 0 || write_map(uuid, path, hint, luns, n);
	if (!ret)
		printf("%s: saved %d %s to %s%s\n", uuid, n, luns_str(n), path,
		       orphan ? " (orphaned target: no instance has this UUID)" : "");
	free(luns);
	return ret;
}

/*
 * The map at PATH in LUNS (room for HBA_MAX_SAVED).  Blank lines and
 * lines that start with '#' are skipped; every other line is checked, and
 * each malformed one reported as PATH:LINE, before the map is used.  How
 * many LUNs, -ENOENT if there is no PATH (nothing said), or -EINVAL after
 * saying why.
 */
static int read_map(const char *path, struct saved_lun *luns)
{
	unsigned int seen[HBA_MAX_TARGET][HBA_MAX_LUN] = { { 0 } };
	unsigned int lineno = 0, bad = 0, target, lun;
	char where[PATH_MAX + 32], *line = NULL, *f[4], *tok, *save;
	size_t cap = 0;
	int n = 0, k;
	FILE *fp;

	fp = fopen(path, "re");
	if (!fp) {
		if (errno == ENOENT)
			return -ENOENT;
		sparctl_err("cannot read %s: %s", path, strerror(errno));
		return -EINVAL;
	}
	while (getline(&line, &cap, fp) >= 0) {
		snprintf(where, sizeof(where), "%s:%u: ", path, ++lineno);
		k = 0;
		for (tok = strtok_r(line, " \t\r\n", &save); tok && k < 4;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			f[k++] = tok;
		if (!k || f[0][0] == '#')
			continue;
		if (k != 3) {
			sparctl_err("%s%s fields, not TARGET LUN HBA/DEV (e.g. 0 1 fileio_0/disk1)",
			    where, k < 3 ? "too few" : "too many");
			bad++;
			continue;
		}
		if (get_target(where, f[0], &target) ||
		    get_lun(where, f[1], &lun)) {
			bad++;
			continue;
		}
		if (backstore_syntax(f[2])) {
			sparctl_err("%sbackstore '%s' is not <hba>/<dev> as under %s",
			    where, f[2], CFS_CORE);
			bad++;
			continue;
		}
		if (seen[target][lun]) {
			sparctl_err("%sLUN %u of target %u is on line %u already",
			    where, lun, target, seen[target][lun]);
			bad++;
			continue;
		}
		/* each (target, LUN) once: n stays below HBA_MAX_SAVED */
		seen[target][lun] = lineno;
		luns[n].target = target;
		luns[n].lun = lun;
		luns[n].line = lineno;
		snprintf(luns[n].bs, sizeof(luns[n].bs), "%s", f[2]);
		n++;
	}
	if (ferror(fp)) {
		sparctl_err("cannot read %s: %s", path, strerror(errno));
		bad++;
	}
	free(line);
	fclose(fp);
	if (bad) {
		sparctl_err("%s: nothing restored: fix it, or save it again", path);
		return -EINVAL;
	}
	return n;
}

/*
 * Add back the LUNs that the map at PATH has for UUID (checked, lower
 * case).  A LUN that links to the saved backstore already is left as it
 * is; one that links to another is an error, left as it is too.  0 when
 * every LUN of the map is in place or there is no map, else 1.
 */
static int restore_map(const char *uuid, const char *path)
{
	int n, i, added = 0, there = 0, failed = 0, rc = 0;
	struct saved_lun *luns;
	char cur[PATH_MAX];

	luns = calloc(HBA_MAX_SAVED, sizeof(*luns));
	if (!luns) {
		sparctl_err("out of memory");
		return 1;
	}
	n = read_map(path, luns);
	if (n == -ENOENT) {
		printf("%s: nothing saved (no %s)\n", uuid, path);
		goto out;
	}
	if (!n) {
		printf("%s: nothing to restore (%s has no LUNs)\n", uuid, path);
		goto out;
	}
	if (n < 0 || lio_check() || sparctl_need_type(uuid, HBA_TYPE)) {
		rc = 1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct saved_lun *s = &luns[i];

		if (find_lun(uuid, s->target, s->lun, cur, sizeof(cur))) {
			if (add_lun(uuid, s->lun, s->bs, s->target))
				failed++;
			else
				added++;
		} else if (!strcmp(cur, s->bs)) {
			printf("%s: LUN %u of target %u is %s already\n", uuid,
			       s->lun, s->target, s->bs);
			there++;
		} else {
			sparctl_err("%s:%u: LUN %u of target %u of %s %s%s, not %s: left as it is",
			    path, s->line, s->lun, s->target, uuid,
			    *cur ? "links to " : "has ",
			    *cur ? cur : "no backstore linked", s->bs);
			failed++;
		}
	}
	printf("%s: restored %d of %d %s", uuid, added, n, luns_str(n));
	if (there && failed)
		printf(" (%d already in place, %d failed)", there, failed);
	else if (there)
		printf(" (%d already in place)", there);
	else if (failed)
		printf(" (%d failed)", failed);
	printf("\n");
	rc = failed ? 1 : 0;
out:
	free(luns);
	return rc;
}

static int hba_restore(const char *uuid_arg, const char *file)
{
	char uuid[SPAR_UUID_LEN + 1], path[PATH_MAX];

	if (sparctl_get_uuid(uuid_arg, uuid))
		return 1;
	return restore_map(uuid, save_path(uuid, file, path, sizeof(path)));
}

/* scandir: the <UUID>.luns names, and the likes of them */
static int is_map(const struct dirent *de)
{
	size_t len = strlen(de->d_name), ext = strlen(HBA_SAVE_EXT);

	return de->d_name[0] != '.' && len > ext &&
	       !strcmp(de->d_name + len - ext, HBA_SAVE_EXT);
}

/*
 * Every map of the directory whose UUID names a spar-hba instance; the
 * maps of instances that are not there are skipped.  1 if a restore
 * failed.
 */
static int hba_restore_all(void)
{
	char dir[PATH_MAX], path[PATH_MAX], name[SPAR_UUID_LEN + 1];
	char uuid[SPAR_UUID_LEN + 1], type[64];
	struct dirent **list;
	int n, i, ret, rc = 0;

	save_dir(dir, sizeof(dir));
	n = scandir(dir, &list, is_map, alphasort);
	if (n < 0) {
		if (errno == ENOENT) {
			printf("nothing saved (no %s)\n", dir);
			return 0;
		}
		sparctl_err("%s: %s", dir, strerror(errno));
		return 1;
	}
	if (!n)
		printf("nothing saved (no *%s in %s)\n", HBA_SAVE_EXT, dir);
	for (i = 0; i < n; i++) {
		const char *d_name = list[i]->d_name;
		size_t len = strlen(d_name) - strlen(HBA_SAVE_EXT);

		pathf(path, sizeof(path), "%s/%s", dir, d_name);
		snprintf(name, sizeof(name), "%.*s", (int)len, d_name);
		free(list[i]);
		if (len != SPAR_UUID_LEN || !spar_uuid_valid(name)) {
			sparctl_err("warning: %s skipped: not named <UUID>%s", path,
			    HBA_SAVE_EXT);
			continue;
		}
		sparctl_get_uuid(name, uuid);
		ret = sparctl_instance_type(uuid, type, sizeof(type));
		if (ret == -ENOENT) {
			printf("%s: no instance, skipped (%s)\n", uuid, path);
		} else if (ret) {
			sparctl_err("%s: %s", uuid, strerror(-ret));
			rc = 1;
		} else if (strcmp(type, HBA_TYPE)) {
			sparctl_err("warning: %s skipped: %s is a %s instance, not %s",
			    path, uuid, type, HBA_TYPE);
		} else {
			rc |= restore_map(uuid, path);
		}
	}
	free(list);
	return rc;
}

/* --- arguments ----------------------------------------------------- */

int cmd_hba(int argc, char **argv)
{
	const char *pos[4], *target_arg = NULL, *file_arg = NULL;
	unsigned int target = 0;
	const char *sub;
	int npos = 0, all = 0, i;

	if (argc < 2)
		goto usage;
	sub = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--target") || !strcmp(a, "-t")) {
			if (++i == argc)
				goto usage;
			target_arg = argv[i];
		} else if (!strncmp(a, "--target=", 9)) {
			target_arg = a + 9;
		} else if (!strcmp(a, "--file")) {
			if (++i == argc)
				goto usage;
			file_arg = argv[i];
		} else if (!strncmp(a, "--file=", 7)) {
			file_arg = a + 7;
		} else if (!strcmp(a, "--all")) {
			all = 1;
		} else if (a[0] == '-' && a[1] && !isdigit((unsigned char)a[1])) {
			goto usage;
		} else if (npos < 4) {
			pos[npos++] = a;
		} else {
			goto usage;
		}
	}
	/* each option with the commands that take it */
	if (target_arg && strcmp(sub, "add") && strcmp(sub, "remove"))
		goto usage;
	if (file_arg && (!*file_arg || all ||
			 (strcmp(sub, "save") && strcmp(sub, "restore"))))
		goto usage;
	if (all && strcmp(sub, "restore"))
		goto usage;
	if (target_arg && get_target("", target_arg, &target))
		return 1;

	if (!strcmp(sub, "show") && npos == 1)
		return hba_show(pos[0]);
	if (!strcmp(sub, "add") && npos == 3)
		return hba_add(pos[0], pos[1], pos[2], target);
	if (!strcmp(sub, "remove") && npos == 2)
		return hba_remove(pos[0], pos[1], target);
	if (!strcmp(sub, "save") && npos == 1)
		return hba_save(pos[0], file_arg);
	if (!strcmp(sub, "restore") && all && !npos)
		return hba_restore_all();
	if (!strcmp(sub, "restore") && !all && npos == 1)
		return hba_restore(pos[0], file_arg);
usage:
	usage(stderr);
	return 2;
}
