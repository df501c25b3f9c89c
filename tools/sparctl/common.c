// SPDX-License-Identifier: GPL-2.0
/*
 * sparctl: what the subcommands share: messages, UUID arguments and the
 * type of an instance.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "spar_vfio.h"
#include "sparctl.h"

void sparctl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);		/* in order with what was said before */
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int sparctl_get_uuid(const char *arg, char *out)
{
	int i;

	if (!spar_uuid_valid(arg)) {
		sparctl_err("'%s' is not a UUID", arg);
		return -EINVAL;
	}
	for (i = 0; arg[i]; i++)
		out[i] = tolower((unsigned char)arg[i]);
	out[i] = 0;
	return 0;
}

/* ATTR of instance UUID; the names are short: one that does not fit is a bug */
static void instance_path(char *buf, size_t len, const char *uuid,
			  const char *attr)
{
	if ((size_t)snprintf(buf, len, SPARCTL_ROOT SPAR_MDEV_DEVICES "/%s/%s",
			     uuid, attr) >= len) {
		sparctl_err("path too long: %s...", buf);
		exit(1);
	}
}

/* first line of a file without its newline; 0 or -errno */
static int first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	else
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return ret;
}

int sparctl_instance_type(const char *uuid, char *type, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *p;
	ssize_t n;

	instance_path(path, sizeof(path), uuid, "");
	if (access(path, F_OK))
		return -errno;
	instance_path(path, sizeof(path), uuid, "mdev_type/name");
	if (!first_line(path, type, len) && *type)
		return 0;
	/* kernels without the name attribute: the type directory's name */
	instance_path(path, sizeof(path), uuid, "mdev_type");
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	p = strrchr(link, '/');
	p = p ? p + 1 : link;
	if ((size_t)snprintf(type, len, "%s", p) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int sparctl_need_type(const char *uuid, const char *want)
{
	char type[64];
	int ret;

	ret = sparctl_instance_type(uuid, type, sizeof(type));
	if (ret == -ENOENT) {
		sparctl_err("no %s instance %s (see '%s list')", want, uuid, prog);
	} else if (ret) {
		sparctl_err("%s: %s", uuid, strerror(-ret));
	} else if (strcmp(type, want)) {
		sparctl_err("%s is a %s instance, not %s", uuid, type, want);
		ret = -ENODEV;
	}
	return ret;
}
