// SPDX-License-Identifier: GPL-2.0
/*
 * A module for the test harness only, never installed: loading it logs one
 * kernel warning.  The VM tiers load it after their final kernel-log dump
 * and check that the same log checks flag it, which proves that a WARN in
 * a real run cannot go unseen.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init spar_warn_test_init(void)
{
	WARN(1, "spar_warn_test: deliberate warning, the harness's negative control\n");
	return 0;
}
module_init(spar_warn_test_init);

static void __exit spar_warn_test_exit(void)
{
}
module_exit(spar_warn_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("spar-mdev test harness: logs one deliberate kernel warning");
