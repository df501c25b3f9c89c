/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Build-time checks of every size and offset of the spar wire formats.
 *
 * Include this header from exactly the .c files that should refuse to
 * build if a layout drifts (any number may; it defines no objects).  It
 * works in kernel and userspace builds.  The numbers are those of the
 * s-Par protocol and of the spar PCI transport; they are written out here
 * on purpose, not derived from the structures they check.  Array sizes
 * follow from consecutive offsets and are not checked separately.
 */
#ifndef _SPAR_WIRE_ASSERTS_H
#define _SPAR_WIRE_ASSERTS_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#else
#include <assert.h>
#include <stddef.h>
#endif

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/input.h>
#include <spar/iochannel.h>
#include <spar/transport.h>

#define SPAR_WIRE_SIZE(type, size)					\
	static_assert(sizeof(type) == (size), "sizeof(" #type ") != " #size)

#define SPAR_WIRE_OFFSET(type, member, off)				\
	static_assert(offsetof(type, member) == (off),			\
		      "offsetof(" #type ", " #member ") != " #off)

#define SPAR_WIRE_ROUND64(n)	((((n) + 63) / 64) * 64)

/* GUID */
SPAR_WIRE_SIZE(struct spar_guid, 16);

/* Common channel header */
SPAR_WIRE_SIZE(struct spar_channel_header, 128);
SPAR_WIRE_OFFSET(struct spar_channel_header, signature, 0);
SPAR_WIRE_OFFSET(struct spar_channel_header, legacy_state, 8);
SPAR_WIRE_OFFSET(struct spar_channel_header, header_size, 12);
SPAR_WIRE_OFFSET(struct spar_channel_header, size, 16);
SPAR_WIRE_OFFSET(struct spar_channel_header, features, 24);
SPAR_WIRE_OFFSET(struct spar_channel_header, chtype, 32);
SPAR_WIRE_OFFSET(struct spar_channel_header, partition_handle, 48);
SPAR_WIRE_OFFSET(struct spar_channel_header, handle, 56);
SPAR_WIRE_OFFSET(struct spar_channel_header, ch_space_offset, 64);
SPAR_WIRE_OFFSET(struct spar_channel_header, version_id, 72);
SPAR_WIRE_OFFSET(struct spar_channel_header, partition_index, 76);
SPAR_WIRE_OFFSET(struct spar_channel_header, zone_guid, 80);
SPAR_WIRE_OFFSET(struct spar_channel_header, cli_str_offset, 96);
SPAR_WIRE_OFFSET(struct spar_channel_header, cli_state_boot, 100);
SPAR_WIRE_OFFSET(struct spar_channel_header, cmd_state_cli, 104);
SPAR_WIRE_OFFSET(struct spar_channel_header, cli_state_os, 108);
SPAR_WIRE_OFFSET(struct spar_channel_header, ch_characteristic, 112);
SPAR_WIRE_OFFSET(struct spar_channel_header, cmd_state_srv, 116);
SPAR_WIRE_OFFSET(struct spar_channel_header, srv_state, 120);
SPAR_WIRE_OFFSET(struct spar_channel_header, cli_error_boot, 124);
SPAR_WIRE_OFFSET(struct spar_channel_header, cli_error_os, 125);
SPAR_WIRE_OFFSET(struct spar_channel_header, filler, 126);
SPAR_WIRE_OFFSET(struct spar_channel_header, recover_channel, 127);
static_assert(SPAR_CHANNEL_HEADER_SIZE == 128, "channel header size");

/* Signal queue header */
SPAR_WIRE_SIZE(struct spar_signal_queue_header, 128);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, version, 0);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, chtype, 4);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, size, 8);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, sig_base_offset, 16);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, features, 24);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, num_sent, 32);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, num_overflows, 40);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, signal_size, 48);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, max_slots, 52);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, max_signals, 56);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, head, 60);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, num_received, 64);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, tail, 72);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, reserved1, 76);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, reserved2, 80);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, client_queue, 88);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, num_irq_received, 96);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, num_empty, 104);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, errorflags, 112);
SPAR_WIRE_OFFSET(struct spar_signal_queue_header, filler, 116);
static_assert(SPAR_SIGNAL_QUEUE_HEADER_SIZE == 128, "queue header size");

/* Address and limit structs */
SPAR_WIRE_SIZE(struct spar_phys_info, 12);
SPAR_WIRE_OFFSET(struct spar_phys_info, pi_pfn, 0);
SPAR_WIRE_OFFSET(struct spar_phys_info, pi_off, 8);
SPAR_WIRE_OFFSET(struct spar_phys_info, pi_len, 10);
SPAR_WIRE_SIZE(struct spar_guest_phys_info, 16);
SPAR_WIRE_OFFSET(struct spar_guest_phys_info, address, 0);
SPAR_WIRE_OFFSET(struct spar_guest_phys_info, length, 8);
SPAR_WIRE_SIZE(struct spar_uisscsi_dest, 12);
SPAR_WIRE_OFFSET(struct spar_uisscsi_dest, channel, 0);
SPAR_WIRE_OFFSET(struct spar_uisscsi_dest, id, 4);
SPAR_WIRE_OFFSET(struct spar_uisscsi_dest, lun, 8);
SPAR_WIRE_SIZE(struct spar_vhba_wwnn, 8);
SPAR_WIRE_OFFSET(struct spar_vhba_wwnn, wwnn1, 0);
SPAR_WIRE_OFFSET(struct spar_vhba_wwnn, wwnn2, 4);
SPAR_WIRE_SIZE(struct spar_vhba_config_max, 20);
SPAR_WIRE_OFFSET(struct spar_vhba_config_max, max_channel, 0);
SPAR_WIRE_OFFSET(struct spar_vhba_config_max, max_id, 4);
SPAR_WIRE_OFFSET(struct spar_vhba_config_max, max_lun, 8);
SPAR_WIRE_OFFSET(struct spar_vhba_config_max, cmd_per_lun, 12);
SPAR_WIRE_OFFSET(struct spar_vhba_config_max, max_io_size, 16);

/* Sense data */
SPAR_WIRE_SIZE(struct spar_sense_data, 18);
SPAR_WIRE_OFFSET(struct spar_sense_data, errorcode_valid, 0);
SPAR_WIRE_OFFSET(struct spar_sense_data, segment, 1);
SPAR_WIRE_OFFSET(struct spar_sense_data, flags_sensekey, 2);
SPAR_WIRE_OFFSET(struct spar_sense_data, information, 3);
SPAR_WIRE_OFFSET(struct spar_sense_data, additional_sense_length, 7);
SPAR_WIRE_OFFSET(struct spar_sense_data, command_specific, 8);
SPAR_WIRE_OFFSET(struct spar_sense_data, asc, 12);
SPAR_WIRE_OFFSET(struct spar_sense_data, ascq, 13);
SPAR_WIRE_OFFSET(struct spar_sense_data, fru, 14);
SPAR_WIRE_OFFSET(struct spar_sense_data, sense_key_specific, 15);

/* IO channel fixed part */
SPAR_WIRE_SIZE(struct spar_io_channel, 1438);
SPAR_WIRE_OFFSET(struct spar_io_channel, channel_header, 0);
SPAR_WIRE_OFFSET(struct spar_io_channel, cmd_q, 128);
SPAR_WIRE_OFFSET(struct spar_io_channel, rsp_q, 256);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba, 384);
SPAR_WIRE_OFFSET(struct spar_io_channel, vnic, 384);
SPAR_WIRE_OFFSET(struct spar_io_channel, client_string, 414);

/* VNIC part */
SPAR_WIRE_SIZE(struct spar_iochannel_vnic, 30);
SPAR_WIRE_OFFSET(struct spar_io_channel, vnic.macaddr, 384);
SPAR_WIRE_OFFSET(struct spar_io_channel, vnic.num_rcv_bufs, 390);
SPAR_WIRE_OFFSET(struct spar_io_channel, vnic.mtu, 394);
SPAR_WIRE_OFFSET(struct spar_io_channel, vnic.zone_guid, 398);

/* VHBA part */
SPAR_WIRE_SIZE(struct spar_iochannel_vhba, 28);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.wwnn.wwnn1, 384);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.wwnn.wwnn2, 388);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.max, 392);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.max.max_channel, 392);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.max.max_id, 396);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.max.max_lun, 400);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.max.cmd_per_lun, 404);
SPAR_WIRE_OFFSET(struct spar_io_channel, vhba.max.max_io_size, 408);

/* IO channel geometry */
static_assert(SPAR_SIZEOF_PROTOCOL ==
	      SPAR_WIRE_ROUND64(sizeof(struct spar_io_channel)),
	      "SPAR_SIZEOF_PROTOCOL is not sizeof(spar_io_channel) rounded to 64");
static_assert(SPAR_SIZEOF_CMDRSP ==
	      SPAR_WIRE_ROUND64(sizeof(struct spar_uiscmdrsp)),
	      "SPAR_SIZEOF_CMDRSP is not sizeof(spar_uiscmdrsp) rounded to 64");
static_assert(SPAR_SIZEOF_PROTOCOL == 1472, "SPAR_SIZEOF_PROTOCOL");
static_assert(SPAR_SIZEOF_CMDRSP == 1216, "SPAR_SIZEOF_CMDRSP");
static_assert(SPAR_MIN_IO_CHANNEL_SIZE ==
	      SPAR_IO_CHANNEL_BYTES(SPAR_MIN_NUMSIGNALS),
	      "SPAR_MIN_IO_CHANNEL_SIZE");
static_assert(SPAR_MIN_IO_CHANNEL_SIZE == 159744, "SPAR_MIN_IO_CHANNEL_SIZE");
static_assert(SPAR_IO_CHANNEL_SLOTS(SPAR_MIN_IO_CHANNEL_SIZE) == 65,
	      "slots of a minimum IO channel");
static_assert(SPAR_MAX_NET_RCV_CHAIN == 5, "SPAR_MAX_NET_RCV_CHAIN");
static_assert(SPAR_MAX_NET_RCV_BUFS == 32, "SPAR_MAX_NET_RCV_BUFS");

/* uiscmdrsp top level */
SPAR_WIRE_SIZE(struct spar_uiscmdrsp, 1185);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, cmdtype, 0);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, disknotify, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, private_data, 1153);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, next, 1161);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, activeq_next, 1169);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, activeq_prev, 1177);

/* SCSI command/response */
SPAR_WIRE_SIZE(struct spar_uiscmdrsp_scsi, 1152);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, handle, 0);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, cmnd, 8);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, bufflen, 24);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, guest_phys_entries, 28);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, gpi_list, 30);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, data_dir, 1054);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, vdest, 1058);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, linuxstat, 1070);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, scsistat, 1074);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, addlstat, 1075);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, sensebuf, 1076);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, vdisk, 1140);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsi, no_disk_result, 1148);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.handle, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.cmnd, 9);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.bufflen, 25);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.guest_phys_entries, 29);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.gpi_list, 31);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.data_dir, 1055);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.vdest, 1059);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.linuxstat, 1071);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.scsistat, 1075);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.addlstat, 1076);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.sensebuf, 1077);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.vdisk, 1141);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsi.no_disk_result, 1149);

/* Network: common part */
SPAR_WIRE_SIZE(struct spar_uiscmdrsp_net, 819);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_net, type, 0);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_net, buf, 4);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_net, xmt, 12);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.type, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.buf, 5);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt, 13);

/* NET_XMIT */
SPAR_WIRE_SIZE(struct spar_net_pkt_xmt, 807);
SPAR_WIRE_SIZE(struct spar_net_lincsum, 17);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, len, 0);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, num_frags, 4);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, frags, 8);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, ethhdr, 776);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, lincsum.valid, 790);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, lincsum.hrawoffv, 791);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, lincsum.nhrawoffv, 792);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, lincsum.protocol, 793);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, lincsum.csum, 795);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, lincsum.hrawoff, 799);
SPAR_WIRE_OFFSET(struct spar_net_pkt_xmt, lincsum.nhrawoff, 803);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.len, 13);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.num_frags, 17);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.frags, 21);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.ethhdr, 789);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.lincsum.valid, 803);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.lincsum.hrawoffv, 804);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.lincsum.nhrawoffv, 805);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.lincsum.protocol, 806);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.lincsum.csum, 808);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.lincsum.hrawoff, 812);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmt.lincsum.nhrawoff, 816);

/* NET_XMIT_DONE */
SPAR_WIRE_SIZE(struct spar_net_pkt_xmtdone, 4);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.xmtdone.xmt_done_result, 13);

/* NET_RCV_POST */
SPAR_WIRE_SIZE(struct spar_net_pkt_rcvpost, 20);
SPAR_WIRE_OFFSET(struct spar_net_pkt_rcvpost, frag, 0);
SPAR_WIRE_OFFSET(struct spar_net_pkt_rcvpost, unique_num, 12);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcvpost.frag.pi_pfn, 13);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcvpost.frag.pi_off, 21);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcvpost.frag.pi_len, 23);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcvpost.unique_num, 25);

/* NET_RCV */
SPAR_WIRE_SIZE(struct spar_net_pkt_rcv, 57);
SPAR_WIRE_OFFSET(struct spar_net_pkt_rcv, rcv_done_len, 0);
SPAR_WIRE_OFFSET(struct spar_net_pkt_rcv, numrcvbufs, 4);
SPAR_WIRE_OFFSET(struct spar_net_pkt_rcv, rcvbuf, 5);
SPAR_WIRE_OFFSET(struct spar_net_pkt_rcv, unique_num, 45);
SPAR_WIRE_OFFSET(struct spar_net_pkt_rcv, rcvs_dropped_delta, 53);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcv.rcv_done_len, 13);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcv.numrcvbufs, 17);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcv.rcvbuf, 18);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcv.unique_num, 58);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.rcv.rcvs_dropped_delta, 66);

/* NET_RCV_ENBDIS and friends */
SPAR_WIRE_SIZE(struct spar_net_pkt_enbdis, 10);
SPAR_WIRE_OFFSET(struct spar_net_pkt_enbdis, context, 0);
SPAR_WIRE_OFFSET(struct spar_net_pkt_enbdis, enable, 8);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.enbdis.context, 13);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.enbdis.enable, 21);

/* NET_MACADDR */
SPAR_WIRE_SIZE(struct spar_net_pkt_macaddr, 14);
SPAR_WIRE_OFFSET(struct spar_net_pkt_macaddr, context, 0);
SPAR_WIRE_OFFSET(struct spar_net_pkt_macaddr, macaddr, 8);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.macaddr.context, 13);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, net.macaddr.macaddr, 21);

/* Task management */
SPAR_WIRE_SIZE(struct spar_uiscmdrsp_scsitaskmgmt, 41);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsitaskmgmt, tasktype, 0);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsitaskmgmt, vdest, 4);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsitaskmgmt, handle, 16);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsitaskmgmt, notify_handle, 24);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsitaskmgmt, notifyresult_handle, 32);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_scsitaskmgmt, result, 40);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.tasktype, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.vdest.channel, 5);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.vdest.id, 9);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.vdest.lun, 13);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.handle, 17);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.notify_handle, 25);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.notifyresult_handle, 33);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, scsitaskmgmt.result, 41);

/* Disk notify */
SPAR_WIRE_SIZE(struct spar_uiscmdrsp_disknotify, 21);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_disknotify, add, 0);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_disknotify, v_hba, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_disknotify, channel, 9);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_disknotify, id, 13);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp_disknotify, lun, 17);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, disknotify.add, 1);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, disknotify.v_hba, 2);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, disknotify.channel, 10);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, disknotify.id, 14);
SPAR_WIRE_OFFSET(struct spar_uiscmdrsp, disknotify.lun, 18);

/* Input reports and channels */
SPAR_WIRE_SIZE(struct spar_input_activity, 8);
SPAR_WIRE_SIZE(struct spar_input_report, 16);
SPAR_WIRE_OFFSET(struct spar_input_report, seq_no, 0);
SPAR_WIRE_OFFSET(struct spar_input_report, activity.action, 8);
SPAR_WIRE_OFFSET(struct spar_input_report, activity.arg1, 10);
SPAR_WIRE_OFFSET(struct spar_input_report, activity.arg2, 12);
SPAR_WIRE_OFFSET(struct spar_input_report, activity.arg3, 14);
SPAR_WIRE_SIZE(struct spar_input_channel_data, 8);
SPAR_WIRE_SIZE(struct spar_input_channel, 1064);
SPAR_WIRE_OFFSET(struct spar_input_channel, channel_header, 0);
SPAR_WIRE_OFFSET(struct spar_input_channel, data.n_input_reports, 128);
SPAR_WIRE_OFFSET(struct spar_input_channel, data.mouse.x_res, 132);
SPAR_WIRE_OFFSET(struct spar_input_channel, data.mouse.y_res, 134);
SPAR_WIRE_OFFSET(struct spar_input_channel, data.keyboard.flags, 132);
SPAR_WIRE_OFFSET(struct spar_input_channel, input_report_q, 136);
SPAR_WIRE_OFFSET(struct spar_input_channel, input_report, 264);
static_assert(sizeof(struct spar_input_report) == SPAR_INPUT_REPORT_SIZE,
	      "SPAR_INPUT_REPORT_SIZE");
static_assert(SPAR_INPUT_CHANNEL_DATA_OFFSET ==
	      offsetof(struct spar_input_channel, data), "input data offset");
static_assert(SPAR_INPUT_CHANNEL_DATA_SIZE ==
	      sizeof(struct spar_input_channel_data), "input data size");
static_assert(SPAR_INPUT_QUEUE_OFFSET ==
	      offsetof(struct spar_input_channel, input_report_q),
	      "SPAR_INPUT_QUEUE_OFFSET");
static_assert(SPAR_INPUT_SLOTS_OFFSET ==
	      offsetof(struct spar_input_channel, input_report),
	      "SPAR_INPUT_SLOTS_OFFSET");
static_assert(SPAR_INPUT_SIG_BASE_OFFSET ==
	      SPAR_INPUT_SLOTS_OFFSET - SPAR_INPUT_QUEUE_OFFSET,
	      "SPAR_INPUT_SIG_BASE_OFFSET");
static_assert(sizeof(struct spar_input_channel) == SPAR_INPUT_CHANNEL_END,
	      "SPAR_INPUT_CHANNEL_END");
static_assert(SPAR_INPUT_CHANNEL_END <= SPAR_INPUT_CHANNEL_SIZE,
	      "input channel fits its size");

/* Transport: BAR2 registers */
SPAR_WIRE_SIZE(struct spar_transport_regs, SPAR_REG_BLOCK_SIZE);
SPAR_WIRE_OFFSET(struct spar_transport_regs, magic, SPAR_REG_MAGIC);
SPAR_WIRE_OFFSET(struct spar_transport_regs, version, SPAR_REG_VERSION);
SPAR_WIRE_OFFSET(struct spar_transport_regs, host_features, SPAR_REG_HOST_FEATURES);
SPAR_WIRE_OFFSET(struct spar_transport_regs, guest_features, SPAR_REG_GUEST_FEATURES);
SPAR_WIRE_OFFSET(struct spar_transport_regs, status, SPAR_REG_STATUS);
SPAR_WIRE_OFFSET(struct spar_transport_regs, guest_status, SPAR_REG_GUEST_STATUS);
SPAR_WIRE_OFFSET(struct spar_transport_regs, reset, SPAR_REG_RESET);
SPAR_WIRE_OFFSET(struct spar_transport_regs, generation, SPAR_REG_GENERATION);
SPAR_WIRE_OFFSET(struct spar_transport_regs, int_status, SPAR_REG_INT_STATUS);
SPAR_WIRE_OFFSET(struct spar_transport_regs, doorbell, SPAR_REG_DOORBELL);
SPAR_WIRE_OFFSET(struct spar_transport_regs, reserved, 0x28);
static_assert(SPAR_REG_BLOCK_SIZE == 0x40, "SPAR_REG_BLOCK_SIZE");
static_assert(SPAR_REG_BLOCK_SIZE <= SPAR_TRANSPORT_REGS_SIZE,
	      "registers fit BAR2");
static_assert((SPAR_TRANSPORT_REGS_SIZE & (SPAR_TRANSPORT_REGS_SIZE - 1)) == 0,
	      "BAR2 size is a power of two");

/* Transport: transport page */
SPAR_WIRE_SIZE(struct spar_transport_header, 64);
SPAR_WIRE_OFFSET(struct spar_transport_header, magic, 0x00);
SPAR_WIRE_OFFSET(struct spar_transport_header, version, 0x04);
SPAR_WIRE_OFFSET(struct spar_transport_header, device_type, 0x08);
SPAR_WIRE_OFFSET(struct spar_transport_header, num_channels, 0x0c);
SPAR_WIRE_OFFSET(struct spar_transport_header, bar0_size, 0x10);
SPAR_WIRE_OFFSET(struct spar_transport_header, page_size, 0x18);
SPAR_WIRE_OFFSET(struct spar_transport_header, generation, 0x1c);
SPAR_WIRE_OFFSET(struct spar_transport_header, status, 0x20);
SPAR_WIRE_OFFSET(struct spar_transport_header, reserved, 0x24);

SPAR_WIRE_SIZE(struct spar_transport_dir_entry, SPAR_TRANSPORT_DIR_ENTRY_SIZE);
SPAR_WIRE_SIZE(struct spar_transport_dir_entry, 64);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, type_guid, 0x00);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, zone_guid, 0x10);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, offset, 0x20);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, size, 0x28);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, partition_handle, 0x30);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, num_queues, 0x38);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, flags, 0x3a);
SPAR_WIRE_OFFSET(struct spar_transport_dir_entry, reserved, 0x3c);

SPAR_WIRE_SIZE(struct spar_transport_page, SPAR_TRANSPORT_PAGE_SIZE);
SPAR_WIRE_SIZE(struct spar_transport_page, 4096);
SPAR_WIRE_OFFSET(struct spar_transport_page, hdr, SPAR_TRANSPORT_HDR_OFFSET);
SPAR_WIRE_OFFSET(struct spar_transport_page, dir, SPAR_TRANSPORT_DIR_OFFSET);
SPAR_WIRE_OFFSET(struct spar_transport_page, dir, 0x040);
SPAR_WIRE_OFFSET(struct spar_transport_page, dir[7], 0x200);
SPAR_WIRE_OFFSET(struct spar_transport_page, reserved0, 0x240);
SPAR_WIRE_OFFSET(struct spar_transport_page, host_polling,
		 SPAR_TRANSPORT_HOST_POLLING_OFFSET);
SPAR_WIRE_OFFSET(struct spar_transport_page, host_polling, 0x400);
SPAR_WIRE_OFFSET(struct spar_transport_page, reserved1, 0x480);
SPAR_WIRE_OFFSET(struct spar_transport_page, guest_polling,
		 SPAR_TRANSPORT_GUEST_POLLING_OFFSET);
SPAR_WIRE_OFFSET(struct spar_transport_page, guest_polling, 0x500);
SPAR_WIRE_OFFSET(struct spar_transport_page, reserved2, 0x580);
static_assert(SPAR_TRANSPORT_MAX_NOTIFY == 32, "SPAR_TRANSPORT_MAX_NOTIFY");
static_assert(SPAR_IO_CHANNEL_NUM_QUEUES <=
	      SPAR_TRANSPORT_MAX_QUEUES, "IO channel queues have notify words");
static_assert(SPAR_INPUT_NUM_QUEUES <=
	      SPAR_TRANSPORT_MAX_QUEUES, "input queues have notify words");
static_assert(SPAR_TRANSPORT_PAGE_SIZE % SPAR_IO_CHANNEL_PAGE_SIZE == 0,
	      "channels stay page-aligned");

#endif /* _SPAR_WIRE_ASSERTS_H */
