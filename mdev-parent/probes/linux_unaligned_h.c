// SPDX-License-Identifier: GPL-2.0
/* The unaligned access helpers live in <linux/unaligned.h> (since 6.12). */
#include <linux/unaligned.h>
