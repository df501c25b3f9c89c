// SPDX-License-Identifier: GPL-2.0
/* bus_type.match takes a const struct device_driver * (since 6.11). */
#include <linux/build_bug.h>
#include <linux/device.h>

static_assert(__same_type(((const struct bus_type *)0)->match,
			  int (*)(struct device *,
				  const struct device_driver *)));
