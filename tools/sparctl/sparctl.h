/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sparctl: what its source files share.
 */
#ifndef _SPARCTL_H
#define _SPARCTL_H

#include <stdio.h>

/* the program's name, for messages: "sparctl: ..." */
extern const char *prog;

void usage(FILE *f);

/* sparctl hba SUBCOMMAND ...; argv[0] is "hba".  Returns the exit status. */
int cmd_hba(int argc, char **argv);

/* sparctl input SUBCOMMAND ...; argv[0] is "input".  Returns the exit status. */
int cmd_input(int argc, char **argv);

#endif /* _SPARCTL_H */
