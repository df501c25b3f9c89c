/* SPDX-License-Identifier: GPL-2.0 */
/*
 * visorbus: the kernel interfaces that differ between the kernels the guest
 * modules build for.  The rest of visorbus uses one spelling; this header
 * maps it onto the kernel at hand, using the results of feature tests that
 * the build compiles against that kernel first where a macro test will not
 * do.
 */
#ifndef _VISORBUS_COMPAT_H
#define _VISORBUS_COMPAT_H

#include <linux/device.h>
#include <linux/pci.h>

#include "visorbus_probed.h"

/* PCI_IRQ_LEGACY became PCI_IRQ_INTX in 6.8. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/*
 * bus_type callbacks gained const arguments: the driver passed to .match
 * in 6.11, the device passed to .uevent in 6.3.  The callbacks only read
 * them.
 */
#ifdef VISORBUS_HAVE_BUS_MATCH_CONST_DRIVER
#define visorbus_match_driver const struct device_driver
#else
#define visorbus_match_driver struct device_driver
#endif

#ifdef VISORBUS_HAVE_BUS_UEVENT_CONST_DEVICE
#define visorbus_uevent_device const struct device
#else
#define visorbus_uevent_device struct device
#endif

/*
 * The bus itself is read-only where bus_register() takes a const bus_type
 * (6.4 and later: the core keeps the bus's state elsewhere); before, it
 * stored that state in the bus_type.
 */
#ifdef VISORBUS_HAVE_BUS_REGISTER_CONST
#define visorbus_bus_type const struct bus_type
#else
#define visorbus_bus_type struct bus_type
#endif

#endif /* _VISORBUS_COMPAT_H */
