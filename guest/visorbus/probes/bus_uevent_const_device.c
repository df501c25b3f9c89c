// SPDX-License-Identifier: GPL-2.0
/* bus_type.uevent takes a const struct device * (since 6.3). */
#include <linux/build_bug.h>
#include <linux/device.h>

static_assert(__same_type(((const struct bus_type *)0)->uevent,
			  int (*)(const struct device *,
				  struct kobj_uevent_env *)));
