// SPDX-License-Identifier: GPL-2.0
/* The one signal queue implementation, built into visorbus. */
#include "../../channel/signalqueue.c"
