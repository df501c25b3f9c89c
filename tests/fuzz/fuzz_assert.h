/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The invariant check of every fuzz target: a broken invariant prints
 * where and aborts, which libFuzzer reports as a crash with its input.
 */
#ifndef _SPAR_FUZZ_ASSERT_H
#define _SPAR_FUZZ_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define ASSERT(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

#endif /* _SPAR_FUZZ_ASSERT_H */
