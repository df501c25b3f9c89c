// SPDX-License-Identifier: GPL-2.0
/*
 * scsi_reset: ask the SCSI midlayer of a nested test guest for a device,
 * target, bus or host reset of a disk (the SG_SCSI_RESET ioctl), as
 * sg_reset does.  Built static, since the guest has only busybox.
 *
 *   scsi_reset /dev/sdX device|bus|host
 *
 * Exits 0 if the midlayer reports the reset done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <scsi/sg.h>

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int op;
	} ops[] = {
		{ "device", SG_SCSI_RESET_DEVICE },
		{ "bus", SG_SCSI_RESET_BUS },
		{ "host", SG_SCSI_RESET_HOST },
	};
	int fd, op = -1;
	unsigned int i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s /dev/sdX device|bus|host\n",
			argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(argv[2], ops[i].name))
			op = ops[i].op;
	if (op < 0) {
		fprintf(stderr, "%s: unknown reset '%s'\n", argv[0], argv[2]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1],
			strerror(errno));
		return 1;
	}
	if (ioctl(fd, SG_SCSI_RESET, &op) < 0) {
		fprintf(stderr, "%s: %s reset of %s: %s\n", argv[0], argv[2],
			argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("%s reset of %s done\n", argv[2], argv[1]);
	return 0;
}
