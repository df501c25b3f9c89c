// SPDX-License-Identifier: GPL-2.0
/*
 * target_submit() returns int and picks direct or queued submission
 * itself (6.7); before, it was void and target_queue_submission() queued.
 */
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

int probe(struct se_cmd *cmd);

int probe(struct se_cmd *cmd)
{
	return target_submit(cmd);
}
