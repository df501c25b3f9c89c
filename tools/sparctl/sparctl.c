// SPDX-License-Identifier: GPL-2.0
/*
 * sparctl: list and inspect spar mediated devices, configure the LIO
 * target of spar-hba instances (hba.c), and choose and feed the input
 * sources of spar-input instances (input.c).
 *
 *   sparctl list
 *   sparctl inspect UUID
 *   sparctl stats UUID
 *   sparctl hba show UUID
 *   sparctl hba add UUID LUN BACKSTORE [--target N]
 *   sparctl hba remove UUID LUN [--target N]
 *   sparctl hba save UUID [--file PATH]
 *   sparctl hba restore UUID [--file PATH]
 *   sparctl hba restore --all
 *   sparctl input show|bind|unbind|grab|type|key|move|button|wheel|send ...
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spar/transport.h>

#include "spar_decode.h"
#include "spar_vfio.h"
#include "sparctl.h"

const char *prog = "sparctl";

static const char *const synopsis[] = {
	"list",
	"inspect UUID",
	"stats UUID",
	"hba show UUID",
	"hba add UUID LUN BACKSTORE [--target N]",
	"hba remove UUID LUN [--target N]",
	"hba save UUID [--file PATH]",
	"hba restore UUID [--file PATH]",
	"hba restore --all",
	"input show UUID",
	"input bind UUID SELECTOR",
	"input unbind UUID SELECTOR|--all",
	"input grab UUID on|off",
	"input type UUID TEXT [--delay MS]",
	"input key UUID NAME[+NAME...] [--hold MS]",
	"input move UUID X Y",
	"input button UUID left|middle|right [--hold MS]",
	"input wheel UUID N",
	"input send UUID [--tablet-max X,Y] < SCRIPT",
	NULL,
};

void usage(FILE *f)
{
	unsigned int i;

	for (i = 0; synopsis[i]; i++)
		fprintf(f, "%s %s %s\n", i ? "      " : "usage:", prog,
			synopsis[i]);
	fprintf(f, "BACKSTORE is <hba>/<dev> under /sys/kernel/config/target/core\n"
		   "(e.g. rd_mcp_0/r0, fileio_0/disk1); N is the SCSI target id,\n"
		   "0 to 7, default 0; LUN is 0 to 15.  save and restore use\n"
		   "PATH, by default DIR/UUID.luns; DIR is $SPARCTL_HBA_DIR, or\n"
		   "/etc/spar-mdev/hba.\n"
		   "SELECTOR is name=TEXT, phys=TEXT or uniq=TEXT (TEXT ending in\n"
		   "'*' matches as a prefix).  type, key, move, button, wheel and\n"
		   "send inject through uinput devices the instance takes; TEXT is\n"
		   "US-layout ASCII (\\n Enter, \\t Tab, \\\\ backslash); NAME is a\n"
		   "key name (A, 1, F5, LEFTCTRL, KP7; KEY_ optional) or code; the\n"
		   "SCRIPT lines are key NAME 0|1|2, tap NAME, type TEXT, abs X Y,\n"
		   "rel DX DY, btn BUTTON 0|1, wheel N, led caps|num|scroll 0|1,\n"
		   "sleep MS (see sparctl(8)).\n");
}

/* type name of an instance ("spar-nic"), or NULL if it is not ours */
static int instance_type(const char *uuid, char *buf, size_t len)
{
	char path[256], link[256];
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), SPAR_MDEV_DEVICES "/%s/mdev_type", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	p = strrchr(link, '/');
	p = p ? p + 1 : link;
	if (strncmp(p, "spar-", 5))
		return -ENODEV;
	if (strlen(p) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, p, strlen(p) + 1);
	return 0;
}

static int check_instance(const char *uuid, char *type, size_t len)
{
	int ret;

	if (!spar_uuid_valid(uuid)) {
		fprintf(stderr, "%s: '%s' is not a UUID\n", prog, uuid);
		return -EINVAL;
	}
	ret = instance_type(uuid, type, len);
	if (ret == -ENOENT)
		fprintf(stderr, "%s: no mdev instance %s (see '%s list')\n",
			prog, uuid, prog);
	else if (ret == -ENODEV)
		fprintf(stderr, "%s: %s is not a spar instance\n", prog, uuid);
	else if (ret)
		fprintf(stderr, "%s: %s: %s\n", prog, uuid, strerror(-ret));
	return ret;
}

static int cmd_list(void)
{
	struct dirent *de;
	int count = 0;
	DIR *d;

	d = opendir(SPAR_MDEV_DEVICES);
	if (!d) {
		if (errno == ENOENT) {
			printf("no mdev instances (is the spar_mdev module loaded?)\n");
			return 0;
		}
		fprintf(stderr, "%s: %s: %s\n", prog, SPAR_MDEV_DEVICES,
			strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		char type[32], status[32], ifname[32] = "-";

		if (de->d_name[0] == '.' || instance_type(de->d_name, type,
							   sizeof(type)))
			continue;
		if (!count++)
			printf("%-36s  %-10s  %-11s  %s\n", "UUID", "TYPE",
			       "STATUS", "HOST-IF");
		if (spar_sysfs_read(de->d_name, "status", status,
				    sizeof(status)))
			snprintf(status, sizeof(status), "?");
		if (!strcmp(type, "spar-nic") &&
		    spar_sysfs_read(de->d_name, "ifname", ifname,
				    sizeof(ifname)))
			snprintf(ifname, sizeof(ifname), "?");
		printf("%-36s  %-10s  %-11s  %s\n", de->d_name, type, status,
		       ifname);
	}
	closedir(d);
	if (!count)
		printf("no spar instances\n");
	return 0;
}

static void print_stats(const char *uuid)
{
	char dir[256], val[64], name[300];
	struct dirent **list;
	int n, i;

	snprintf(dir, sizeof(dir), SPAR_MDEV_DEVICES "/%s/stats", uuid);
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0) {
		printf("  (no stats: %s)\n", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			snprintf(name, sizeof(name), "stats/%s",
				 list[i]->d_name);
			if (spar_sysfs_read(uuid, name, val, sizeof(val)))
				snprintf(val, sizeof(val), "?");
			printf("  %-18s %s\n", list[i]->d_name, val);
		}
		free(list[i]);
	}
	free(list);
}

static int cmd_stats(const char *uuid)
{
	char type[32];

	if (check_instance(uuid, type, sizeof(type)))
		return 1;
	printf("%s (%s):\n", uuid, type);
	print_stats(uuid);
	return 0;
}

static const char *const attrs[] = {
	"status", "ring_slots", "busy_poll_us", "mac", "mtu", "num_rcv_bufs",
	"offloads", "ifname", NULL,
};

static const char *const region_names[VFIO_PCI_NUM_REGIONS] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "config",
	"VGA",
};

static int cmd_inspect(const char *uuid)
{
	uint8_t cfg[SPAR_CFG_BYTES];
	struct spar_vfio v;
	char type[32], buf[256], st[64];
	uint8_t *bar0 = NULL;
	unsigned int i;
	int ret, rc = 1;

	if (check_instance(uuid, type, sizeof(type)))
		return 1;
	printf("Instance %s (%s)\n", uuid, type);
	for (i = 0; attrs[i]; i++)
		if (!spar_sysfs_read(uuid, attrs[i], buf, sizeof(buf)))
			printf("  %-18s %s\n", attrs[i], buf);

	ret = spar_vfio_open(&v, uuid);
	if (ret) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, uuid,
			spar_vfio_strerror(&v, ret, buf, sizeof(buf)));
		if (ret == -EBUSY)
			fprintf(stderr, "%s: the stats are still readable: %s stats %s\n",
				prog, prog, uuid);
		return 1;
	}
	if (v.backend == SPAR_VFIO_IOMMUFD)
		printf("  vfio access        iommufd (IOAS %u)\n", v.ioas_id);
	else
		printf("  iommu group        %d\n", v.group_id);
	printf("(opening the device reset it; queues show the reset state)\n");

	printf("Regions:\n");
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		const struct vfio_region_info *r = &v.region[i];

		if (!r->size)
			continue;
		printf("  %-6s index %u size 0x%llx offset 0x%llx%s%s%s\n",
		       region_names[i], i, (unsigned long long)r->size,
		       (unsigned long long)r->offset,
		       r->flags & VFIO_REGION_INFO_FLAG_READ ? " read" : "",
		       r->flags & VFIO_REGION_INFO_FLAG_WRITE ? " write" : "",
		       r->flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "");
	}

	ret = spar_vfio_cfg_read(&v, 0, cfg, sizeof(cfg));
	if (ret) {
		fprintf(stderr, "%s: config space: %s\n", prog,
			spar_vfio_strerror(&v, ret, buf, sizeof(buf)));
		goto out;
	}
	printf("Config space:\n");
	spar_decode_config(stdout, cfg);

	/* The BARs answer only while Memory Space is enabled, as on PCI. */
	ret = spar_vfio_command(&v, 0x2, 0);
	if (ret) {
		fprintf(stderr, "%s: enabling memory space: %s\n", prog,
			spar_vfio_strerror(&v, ret, buf, sizeof(buf)));
		goto out;
	}

	printf("Registers (BAR2):\n");
	printf("  MAGIC 0x%08x VERSION %u HOST_FEATURES 0x%x GUEST_FEATURES 0x%x\n",
	       spar_vfio_reg_read(&v, SPAR_REG_MAGIC),
	       spar_vfio_reg_read(&v, SPAR_REG_VERSION),
	       spar_vfio_reg_read(&v, SPAR_REG_HOST_FEATURES),
	       spar_vfio_reg_read(&v, SPAR_REG_GUEST_FEATURES));
	printf("  STATUS 0x%x (%s) GUEST_STATUS 0x%x GENERATION %u INT_STATUS 0x%x\n",
	       spar_vfio_reg_read(&v, SPAR_REG_STATUS),
	       spar_status_str(spar_vfio_reg_read(&v, SPAR_REG_STATUS), st,
			       sizeof(st)),
	       spar_vfio_reg_read(&v, SPAR_REG_GUEST_STATUS),
	       spar_vfio_reg_read(&v, SPAR_REG_GENERATION),
	       spar_vfio_reg_read(&v, SPAR_REG_INT_STATUS));

	bar0 = malloc(v.region[VFIO_PCI_BAR0_REGION_INDEX].size);
	if (!bar0)
		goto out;
	ret = spar_vfio_bar0_read(&v, 0, bar0,
				  v.region[VFIO_PCI_BAR0_REGION_INDEX].size);
	if (ret) {
		fprintf(stderr, "%s: BAR0: %s\n", prog,
			spar_vfio_strerror(&v, ret, buf, sizeof(buf)));
		goto out;
	}
	printf("Transport page:\n");
	spar_decode_transport(stdout, bar0,
			      v.region[VFIO_PCI_BAR0_REGION_INDEX].size);
	spar_decode_channels(stdout, bar0,
			     v.region[VFIO_PCI_BAR0_REGION_INDEX].size);
	printf("Stats:\n");
	print_stats(uuid);
	rc = 0;
out:
	free(bar0);
	spar_vfio_close(&v);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list();
	if (!strcmp(argv[1], "inspect") && argc == 3)
		return cmd_inspect(argv[2]);
	if (!strcmp(argv[1], "stats") && argc == 3)
		return cmd_stats(argv[2]);
	if (!strcmp(argv[1], "hba"))
		return cmd_hba(argc - 1, argv + 1);
	if (!strcmp(argv[1], "input"))
		return cmd_input(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
