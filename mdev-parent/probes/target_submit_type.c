// SPDX-License-Identifier: GPL-2.0
/* Fabrics choose how backends are submitted to (default_submit_type, 6.7). */
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

const struct target_core_fabric_ops probe = {
	.default_submit_type = TARGET_QUEUE_SUBMIT,
	.direct_submit_supp = 1,
};
