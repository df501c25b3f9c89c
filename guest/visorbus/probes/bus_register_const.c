// SPDX-License-Identifier: GPL-2.0
/* bus_register() takes a const struct bus_type * (since 6.4). */
#include <linux/build_bug.h>
#include <linux/device.h>

static_assert(__same_type(&bus_register,
			  int (*)(const struct bus_type *)));
