/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sparctl: what its source files share.
 */
#ifndef _SPARCTL_H
#define _SPARCTL_H

#include <stddef.h>
#include <stdio.h>

/*
 * Prefix of every absolute path, "" on a real host.  A build with
 * -DSPARCTL_ROOT='"/tmp/x"' works on a mock tree, for trying the code
 * paths without LIO or an mdev instance.
 */
#ifndef SPARCTL_ROOT
#define SPARCTL_ROOT		""
#endif

/* the program's name, for messages: "sparctl: ..." */
extern const char *prog;

/* "sparctl: " and the message, on standard error, after standard output */
void sparctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * UUID ARG checked and in lower case, as mdev names its devices, in OUT
 * (37 bytes).  0, or -EINVAL after saying why.
 */
int sparctl_get_uuid(const char *arg, char *out);

/*
 * The type of instance UUID ("spar-hba") in TYPE.  0, -ENOENT if there is
 * no such mdev instance, or -errno.
 */
int sparctl_instance_type(const char *uuid, char *type, size_t len);

/* Instance UUID must be of type WANT: 0, or -errno after saying why. */
int sparctl_need_type(const char *uuid, const char *want);

void usage(FILE *f);

/* sparctl hba SUBCOMMAND ...; argv[0] is "hba".  Returns the exit status. */
int cmd_hba(int argc, char **argv);

/* sparctl input SUBCOMMAND ...; argv[0] is "input".  Returns the exit status. */
int cmd_input(int argc, char **argv);

#endif /* _SPARCTL_H */
