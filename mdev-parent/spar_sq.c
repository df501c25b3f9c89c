// SPDX-License-Identifier: GPL-2.0
/* The shared signal-queue implementation, built into this module. */
#include "../channel/signalqueue.c"
