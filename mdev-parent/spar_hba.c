// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the spar-hba back-end, a LIO fabric.
 *
 * Each instance is one initiator port of the fabric "spar".  Its target
 * lives in configfs under target/spar/<UUID of the instance>; portal group
 * tpgt_N is the guest's SCSI target N on bus 0, and its LUNs are the
 * guest's LUNs.  LIO does all SCSI work: this file moves commands between
 * the VHBA channel and LIO.
 *
 * Commands.  The worker takes a command off queue 0, checks it
 * (spar_hba_proto.c), pins the guest's buffer for the command alone and
 * hands LIO a scatter list over those pages: data is never copied.  When
 * LIO releases the command, its pins are dropped from a work item (the
 * worker may not be running then: a device that needs reset is not
 * served) and the worker posts the answer on queue 1, in release order.
 * LIO releases the commands a task management function aborted before
 * it answers the function, so those answers always come first.
 *
 * Sessions.  A portal group gets its I_T nexus the first time the guest
 * addresses its target while the device is open; the nexus goes when the
 * worker stops (close, reset, pause) or the portal group is removed.
 * Targets and LUNs may thus be configured before or after the guest
 * starts.  Portal groups use demo mode: the nexus sees every LUN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/llist.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "spar_iochan.h"
#include "spar_hba_proto.h"

/*
 * VHBA limits the guest applies to its SCSI host.  The instance
 * attributes max_id, max_lun, cmd_per_lun and max_io_size choose them
 * up to these maxima; the defaults are the maxima, and 64 per LUN.
 */
#define SPAR_HBA_MAX_CHANNEL	1
#define SPAR_HBA_MAX_ID		SPAR_MAX_SCSI_TARGETS
#define SPAR_HBA_MAX_LUN	SPAR_MAX_SCSI_LUNS
#define SPAR_HBA_CMD_PER_LUN	64
/* One page per scatter entry, SPAR_MAX_PHYS_INFO entries. */
#define SPAR_HBA_MAX_IO_SIZE	(SPAR_MAX_PHYS_INFO * SPAR_PI_PAGE_SIZE)
#define SPAR_HBA_MIN_IO_SIZE	SPAR_PI_PAGE_SIZE

/* Commands in flight per instance; more get TASK SET FULL. */
#define SPAR_HBA_MAX_CMDS	128
/* Task management functions in flight per instance. */
#define SPAR_HBA_MAX_TMFS	8
/* Disk notifications waiting for the worker; more are dropped. */
#define SPAR_HBA_MAX_NOTIFIES	32
/*
 * Pages one command may span: each entry can start and end inside a
 * page, so it may touch two more pages than its length fills.
 */
#define SPAR_HBA_MAX_PAGES	(SPAR_HBA_MAX_IO_SIZE / PAGE_SIZE + \
				 2 * SPAR_HBA_MAX_SEGS)

#define SPAR_HBA_FABRIC		"spar"

/* Host bytes of the Linux result word the guest reads in linuxstat. */
#define SPAR_DID_NO_CONNECT	0x01
#define SPAR_DID_ERROR		0x07
#define SPAR_DID_RESET		0x08
/* addlstat of an absent target: selection timeout. */
#define SPAR_ADDL_SEL_TIMEOUT	4

#define HBA_CHAN	0
#define HBA_CMD_Q	SPAR_IOCHAN_TO_IOPART
#define HBA_RSP_Q	SPAR_IOCHAN_FROM_IOPART

static_assert(SPAR_HBA_MAX_IO_SIZE <= U32_MAX);
static_assert(SPAR_HBA_MAX_SEGS <= SPAR_PIN_RUN_MAX);

struct spar_hba;

/**
 * struct hba_req - what a command and a task management function share
 * @se_cmd: LIO's view; zeroed before every use
 * @hba: the instance
 * @node: on the instance's released list
 * @entry: on the instance's answer list
 * @tmf: this is a struct hba_tmf
 * @msg: the guest's message, answered in place
 */
struct hba_req {
	struct se_cmd se_cmd;
	struct spar_hba *hba;
	struct llist_node node;
	struct list_head entry;
	bool tmf;
	struct spar_uiscmdrsp msg;
};

/**
 * struct hba_run - guest pages pinned for one scatter entry
 * @iova: first page
 * @npages: pages
 */
struct hba_run {
	u64 iova;
	u32 npages;
};

/**
 * struct hba_cmd - one SCSI command in flight
 * @req: the common part
 * @index: slot in the instance's table; LIO's tag
 * @write: the guest's pages receive data (a READ)
 * @nsegs: entries of @runs recorded, pinned or about to be
 * @nruns: entries of @runs pinned
 * @runs: the runs, one per scatter entry
 * @npages: entries of @pages and @sgl in use
 * @status: SAM status LIO gave, valid if @have_status
 * @have_status: LIO gave a status (else it aborted the command)
 * @host_byte: host byte of the answer when LIO gave none
 * @sense: LIO's sense buffer
 * @pages: the pinned pages, in order
 * @sgl: the scatter list LIO gets
 */
struct hba_cmd {
	struct hba_req req;
	unsigned int index;
	bool write;
	unsigned int nsegs;
	unsigned int nruns;
	struct hba_run runs[SPAR_HBA_MAX_SEGS];
	unsigned int npages;
	u8 status;
	bool have_status;
	u8 host_byte;
	unsigned char sense[TRANSPORT_SENSE_BUFFER];
	struct page *pages[SPAR_HBA_MAX_PAGES];
	struct scatterlist sgl[SPAR_HBA_MAX_PAGES];
};

/**
 * struct hba_tmf - one task management function in flight
 * @req: the common part
 * @index: slot in the instance's table
 * @response: LIO's answer, TMR_*
 * @wait: commands the function covers that were in flight when it came;
 *	it is answered after every one of them
 */
struct hba_tmf {
	struct hba_req req;
	unsigned int index;
	u8 response;
	DECLARE_BITMAP(wait, SPAR_HBA_MAX_CMDS);
};

struct spar_hba_wwn;

/**
 * struct spar_hba - the back-end state of one instance
 * @sdev: the instance
 * @node: on spar_hba_list
 * @name: the instance's UUID as text, the name of its WWN
 * @wwn: its configfs target, or NULL; under spar_hba_mutex
 * @serving: the worker runs; under spar_hba_mutex
 * @cmds: command slots, allocated while the worker runs
 * @tmfs: task management slots, likewise
 * @busy: command slots in use; worker only
 * @tmf_busy: task management slots in use; worker only
 * @released: requests LIO has released, newest first
 * @reap: drops the pins of released requests and queues their answers
 * @lock: protects @answers and @pinned
 * @answers: requests to answer, oldest first
 * @held: task management functions released by LIO whose commands are
 *	not all answered yet; worker only
 * @notify: disk notifications to send, as (add, target, lun); under @lock
 * @nr_notify: entries in @notify
 * @pinned: command slots holding pins; read by dma_unmap
 * @unpinned: woken when a command drops its pins
 * @rsp: scratch answer for refusals
 * @cmd: scratch checked command
 * @cmds_done: commands answered (counter)
 * @tmfs_done: task management functions answered (counter)
 * @task_set_full: commands refused for lack of a slot (counter)
 * @no_connect: commands for an absent target (counter)
 * @bad_buffers: commands whose buffer could not be pinned (counter)
 * @notifies: disk notifications sent (counter)
 * @notifies_lost: disk notifications dropped for lack of room (counter)
 * @max_id: targets the guest may address (attribute); the limits change
 *	only while the device is closed, under sdev->lock
 * @max_lun: LUNs per target the guest may address (attribute)
 * @cmd_per_lun: the guest's queue depth per LUN (attribute)
 * @lim: what the command parser allows, max_io_size (attribute)
 */
struct spar_hba {
	struct spar_dev *sdev;
	struct list_head node;
	char name[UUID_STRING_LEN + 1];
	struct spar_hba_wwn *wwn;
	bool serving;
	struct hba_cmd *cmds;
	struct hba_tmf *tmfs;
	DECLARE_BITMAP(busy, SPAR_HBA_MAX_CMDS);
	DECLARE_BITMAP(tmf_busy, SPAR_HBA_MAX_TMFS);
	struct llist_head released;
	struct work_struct reap;
	spinlock_t lock; /* see above */
	struct list_head answers;
	struct list_head held;
	struct {
		bool add;
		u16 id;
		u32 lun;
	} notify[SPAR_HBA_MAX_NOTIFIES];
	unsigned int nr_notify;
	DECLARE_BITMAP(pinned, SPAR_HBA_MAX_CMDS);
	wait_queue_head_t unpinned;
	struct spar_uiscmdrsp rsp;
	struct spar_hba_cmd cmd;
	atomic64_t cmds_done;
	atomic64_t tmfs_done;
	atomic64_t task_set_full;
	atomic64_t no_connect;
	atomic64_t bad_buffers;
	atomic64_t notifies;
	atomic64_t notifies_lost;
	u32 max_id;
	u32 max_lun;
	u32 cmd_per_lun;
	struct spar_hba_limits lim;
};

/**
 * struct spar_hba_tpg - a portal group: one SCSI target of the guest
 * @se_tpg: LIO's view
 * @wwn: the target it belongs to
 * @tag: the N of tpgt_N, the guest's target id
 * @sess: the I_T nexus, while the instance serves and has used it; under
 *	spar_hba_mutex
 */
struct spar_hba_tpg {
	struct se_portal_group se_tpg;
	struct spar_hba_wwn *wwn;
	u16 tag;
	struct se_session *sess;
};

/**
 * struct spar_hba_wwn - the configfs target of one instance
 * @se_wwn: LIO's view
 * @node: on spar_hba_wwns
 * @name: the instance's UUID
 * @hba: the instance while it exists; under spar_hba_mutex
 * @tpg: portal groups by tag; under spar_hba_mutex
 */
struct spar_hba_wwn {
	struct se_wwn se_wwn;
	struct list_head node;
	char name[UUID_STRING_LEN + 1];
	struct spar_hba *hba;
	struct spar_hba_tpg *tpg[SPAR_HBA_MAX_ID];
};

/*
 * Ties instances to their configfs targets, and guards sessions: an
 * instance and its target may each come and go at any time.
 */
static DEFINE_MUTEX(spar_hba_mutex);
static LIST_HEAD(spar_hba_list);
static LIST_HEAD(spar_hba_wwns);

static struct spar_hba *to_hba(struct spar_dev *sdev)
{
	return sdev->backend;
}

static struct hba_req *to_req(struct se_cmd *se_cmd)
{
	return container_of(se_cmd, struct hba_req, se_cmd);
}

static struct hba_cmd *to_cmd(struct hba_req *req)
{
	return container_of(req, struct hba_cmd, req);
}

static struct hba_tmf *to_tmf(struct hba_req *req)
{
	return container_of(req, struct hba_tmf, req);
}

static struct spar_hba_tpg *hba_to_tpg(struct se_portal_group *se_tpg)
{
	return container_of(se_tpg, struct spar_hba_tpg, se_tpg);
}

/* LIO queues backend work itself where it can; else we ask it to. */
static void spar_target_submit(struct se_cmd *se_cmd)
{
#ifdef SPAR_HAVE_TARGET_SUBMIT_INT
	/* Fails only without a LUN, which submit_prep has found. */
	WARN_ON_ONCE(target_submit(se_cmd));
#else
	target_queue_submission(se_cmd);
#endif
}

/* --- sessions ------------------------------------------------------- */

/* The initiator port's name: a SAS address made from the instance UUID. */
static void hba_initiator_name(const struct spar_hba *hba, char *buf,
			       size_t len)
{
	uuid_t u;
	u64 a;

	if (uuid_parse(hba->name, &u))
		memset(&u, 0, sizeof(u));
	a = get_unaligned_be64(&u.b[0]) ^ get_unaligned_be64(&u.b[8]);
	/* NAA 5 with a locally administered identifier. */
	snprintf(buf, len, "naa.5%015llx", a & GENMASK_ULL(59, 0));
}

/*
 * The nexus of target @id, made on first use.  Returns NULL if the
 * target does not exist.  With spar_hba_mutex held.
 */
static struct se_session *hba_session(struct spar_hba *hba, u32 id)
{
	struct spar_hba_tpg *tpg;
	struct se_session *sess;
	char name[32];

	lockdep_assert_held(&spar_hba_mutex);
	if (!hba->serving || !hba->wwn || id >= hba->max_id)
		return NULL;
	tpg = hba->wwn->tpg[id];
	if (!tpg)
		return NULL;
	if (tpg->sess)
		return tpg->sess;
	hba_initiator_name(hba, name, sizeof(name));
	sess = target_setup_session(&tpg->se_tpg, 0, 0, TARGET_PROT_NORMAL,
				    name, hba, NULL);
	if (IS_ERR(sess)) {
		dev_warn_ratelimited(spar_dev_device(hba->sdev),
				     "cannot open a session with target %u: %ld\n",
				     id, PTR_ERR(sess));
		return NULL;
	}
	tpg->sess = sess;
	return sess;
}

/*
 * Take the nexus of @tpg away from the worker.  With spar_hba_mutex held;
 * the caller ends it with hba_session_end() after dropping the mutex, so
 * that a command stuck in a backstore holds up nobody else.
 */
static struct se_session *hba_session_detach(struct spar_hba_tpg *tpg)
{
	struct se_session *sess = tpg->sess;

	lockdep_assert_held(&spar_hba_mutex);
	tpg->sess = NULL;
	return sess;
}

/* End a nexus: every command of it has been released when this returns. */
static void hba_session_end(struct se_session *sess)
{
	lockdep_assert_not_held(&spar_hba_mutex);
	if (!sess)
		return;
	target_stop_session(sess);
	target_wait_for_sess_cmds(sess);
	target_remove_session(sess);
}

/* --- answers -------------------------------------------------------- */

/* Zero what the host owns in a message before it goes back. */
static void hba_clear_private(struct spar_uiscmdrsp *m)
{
	m->private_data = 0;
	m->next = 0;
	m->activeq_next = 0;
	m->activeq_prev = 0;
}

static int hba_send(struct spar_hba *hba, struct spar_uiscmdrsp *m)
{
	int ret;

	hba_clear_private(m);
	ret = spar_engine_send(hba->sdev, HBA_CHAN, HBA_RSP_Q, m, sizeof(*m));
	return ret == -EPROTO ? ret : 0;
}

/* Answer a SCSI command at once, without LIO: @m is a copy of it. */
static int hba_refuse(struct spar_hba *hba, struct spar_uiscmdrsp *m,
		      u8 host_byte, u8 status, u8 addl)
{
	struct spar_uiscmdrsp_scsi *s = &m->scsi;

	s->linuxstat = cpu_to_le32((u32)host_byte << 16 | status);
	s->scsistat = status;
	s->addlstat = addl;
	memset(s->sensebuf, 0, sizeof(s->sensebuf));
	s->vdisk = 0;
	s->no_disk_result = 0;
	return hba_send(hba, m);
}

static void hba_answer_cmd(struct hba_cmd *cmd)
{
	struct spar_uiscmdrsp_scsi *s = &cmd->req.msg.scsi;
	struct se_cmd *se_cmd = &cmd->req.se_cmd;
	u32 result;

	memset(s->sensebuf, 0, sizeof(s->sensebuf));
	s->addlstat = 0;
	s->vdisk = 0;
	s->no_disk_result = 0;
	if (cmd->have_status) {
		result = cmd->status;
		s->scsistat = cmd->status;
		if (se_cmd->se_cmd_flags & (SCF_TRANSPORT_TASK_SENSE |
					    SCF_EMULATED_TASK_SENSE))
			memcpy(s->sensebuf, cmd->sense,
			       min_t(size_t, se_cmd->scsi_sense_length,
				     sizeof(s->sensebuf)));
	} else {
		result = (u32)cmd->host_byte << 16;
		s->scsistat = 0;
	}
	s->linuxstat = cpu_to_le32(result);
}

static void hba_answer_tmf(struct hba_tmf *tmf)
{
	tmf->req.msg.scsitaskmgmt.result =
		tmf->response == TMR_FUNCTION_COMPLETE ?
		SPAR_TASK_MGMT_SUCCESS : SPAR_TASK_MGMT_FAILED;
}

static void hba_unpin(struct spar_hba *hba, struct hba_cmd *cmd)
{
	struct page **pages = cmd->pages;
	unsigned int i;

	for (i = 0; i < cmd->nruns; i++) {
		spar_unpin_run(hba->sdev, cmd->runs[i].iova,
			       cmd->runs[i].npages, pages, cmd->write);
		pages += cmd->runs[i].npages;
	}
	cmd->nruns = 0;
	spin_lock(&hba->lock);
	cmd->nsegs = 0;
	__clear_bit(cmd->index, hba->pinned);
	spin_unlock(&hba->lock);
	wake_up_all(&hba->unpinned);
}

/*
 * Released requests: drop their pins now, whether or not the worker
 * runs, so that dma_unmap never waits on a device nobody serves; their
 * answers wait for the worker.
 */
static void hba_reap(struct work_struct *work)
{
	struct spar_hba *hba = container_of(work, struct spar_hba, reap);
	struct llist_node *list;
	struct hba_req *req, *tmp;
	LIST_HEAD(ready);

	list = llist_reverse_order(llist_del_all(&hba->released));
	llist_for_each_entry_safe(req, tmp, list, node) {
		if (!req->tmf)
			hba_unpin(hba, to_cmd(req));
		list_add_tail(&req->entry, &ready);
	}
	if (list_empty(&ready))
		return;
	spin_lock(&hba->lock);
	list_splice_tail(&ready, &hba->answers);
	spin_unlock(&hba->lock);
	spar_engine_kick(hba->sdev);
}

static int hba_post(struct spar_hba *hba, struct hba_req *req)
{
	if (req->tmf) {
		hba_answer_tmf(to_tmf(req));
		__clear_bit(to_tmf(req)->index, hba->tmf_busy);
		atomic64_inc(&hba->tmfs_done);
	} else {
		unsigned int i, idx = to_cmd(req)->index;

		hba_answer_cmd(to_cmd(req));
		__clear_bit(idx, hba->busy);
		/* The slot may be reused: no function waits for that one. */
		for_each_set_bit(i, hba->tmf_busy, SPAR_HBA_MAX_TMFS)
			__clear_bit(idx, hba->tmfs[i].wait);
		atomic64_inc(&hba->cmds_done);
	}
	return hba_send(hba, &req->msg);
}

/*
 * The next answer: a held function whose commands are all answered, else
 * the oldest released request.  A function released while commands it
 * covers are unanswered is held: LIO does not wait for commands still in
 * its submission queue, but the guest must see their answers first.
 */
static struct hba_req *hba_next(struct spar_hba *hba)
{
	struct hba_req *req;

	list_for_each_entry(req, &hba->held, entry) {
		if (bitmap_empty(to_tmf(req)->wait, SPAR_HBA_MAX_CMDS)) {
			list_del(&req->entry);
			return req;
		}
	}
	for (;;) {
		spin_lock(&hba->lock);
		req = list_first_entry_or_null(&hba->answers, struct hba_req,
					       entry);
		if (req)
			list_del(&req->entry);
		spin_unlock(&hba->lock);
		if (!req || !req->tmf ||
		    bitmap_empty(to_tmf(req)->wait, SPAR_HBA_MAX_CMDS))
			return req;
		list_add_tail(&req->entry, &hba->held);
	}
}

/* Tell the guest of a LUN that came or went. */
static int hba_send_notify(struct spar_hba *hba)
{
	struct spar_uiscmdrsp_disknotify *n = &hba->rsp.disknotify;
	bool add;
	u16 id;
	u32 lun;

	spin_lock(&hba->lock);
	if (!hba->nr_notify) {
		spin_unlock(&hba->lock);
		return 0;
	}
	add = hba->notify[0].add;
	id = hba->notify[0].id;
	lun = hba->notify[0].lun;
	hba->nr_notify--;
	memmove(&hba->notify[0], &hba->notify[1],
		hba->nr_notify * sizeof(hba->notify[0]));
	spin_unlock(&hba->lock);

	memset(&hba->rsp, 0, sizeof(hba->rsp));
	hba->rsp.cmdtype = SPAR_CMD_NOTIFYGUEST_TYPE;
	n->add = add;
	n->channel = 0;
	n->id = cpu_to_le32(id);
	n->lun = cpu_to_le32(lun);
	atomic64_inc(&hba->notifies);
	return hba_send(hba, &hba->rsp) ?: 1;
}

/*
 * Post disk notifications, then answers in release order, while the
 * guest has room for them.
 */
static int spar_hba_poll(struct spar_dev *sdev, int budget)
{
	struct spar_hba *hba = to_hba(sdev);
	struct hba_req *req;
	int done = 0, ret;

	while (done < budget && READ_ONCE(hba->nr_notify)) {
		if (spar_engine_room(sdev, HBA_CHAN, HBA_RSP_Q) < 1) {
			sdev->engine.room_wait = true;
			return done;
		}
		ret = hba_send_notify(hba);
		if (ret < 0)
			return ret;
		done += ret;
	}
	while (done < budget) {
		if (spar_engine_room(sdev, HBA_CHAN, HBA_RSP_Q) < 1) {
			sdev->engine.room_wait = true;
			break;
		}
		req = hba_next(hba);
		if (!req)
			break;
		ret = hba_post(hba, req);
		if (ret)
			return ret;
		done++;
	}
	return done;
}

/* --- commands ------------------------------------------------------- */

/* Pin the command's buffer and build its scatter list. */
static int hba_map(struct spar_hba *hba, struct hba_cmd *cmd,
		   const struct spar_hba_scsi *s)
{
	struct page **pages = cmd->pages;
	unsigned int i, n = 0;
	int ret;

	/* Record every run first: dma_unmap must see them while we pin. */
	for (i = 0; i < s->nsegs; i++) {
		u64 first = s->segs[i].iova & PAGE_MASK;
		u64 end = s->segs[i].iova + s->segs[i].len;

		cmd->runs[i].iova = first;
		cmd->runs[i].npages = (PAGE_ALIGN(end) - first) >> PAGE_SHIFT;
		if (!PAGE_ALIGN(end))	/* ends at the top of the space */
			cmd->runs[i].npages = (0 - first) >> PAGE_SHIFT;
	}
	cmd->nsegs = s->nsegs;
	spin_lock(&hba->lock);
	__set_bit(cmd->index, hba->pinned);
	spin_unlock(&hba->lock);

	sg_init_table(cmd->sgl, SPAR_HBA_MAX_PAGES);
	for (i = 0; i < s->nsegs; i++) {
		u32 off = offset_in_page(s->segs[i].iova), left = s->segs[i].len;
		unsigned int j;

		ret = spar_pin_run(hba->sdev, cmd->runs[i].iova,
				   cmd->runs[i].npages, cmd->write, pages);
		if (ret)
			goto err;
		cmd->nruns++;
		for (j = 0; j < cmd->runs[i].npages; j++) {
			u32 len = min_t(u32, PAGE_SIZE - off, left);

			sg_set_page(&cmd->sgl[n++], pages[j], len, off);
			left -= len;
			off = 0;
		}
		pages += cmd->runs[i].npages;
	}
	if (n)
		sg_mark_end(&cmd->sgl[n - 1]);
	cmd->npages = n;
	return 0;

err:
	hba_unpin(hba, cmd);
	return ret;
}

static int hba_dma_dir(u32 dir)
{
	switch (dir) {
	case SPAR_UIS_DMA_TO_DEVICE:
		return DMA_TO_DEVICE;
	case SPAR_UIS_DMA_FROM_DEVICE:
		return DMA_FROM_DEVICE;
	default:
		return DMA_NONE;
	}
}

static int hba_scsi(struct spar_hba *hba, const struct spar_uiscmdrsp *msg,
		    const struct spar_hba_scsi *s)
{
	struct se_session *sess;
	struct se_cmd *se_cmd;
	struct hba_cmd *cmd;
	unsigned int idx;
	int ret;

	hba->rsp = *msg;
	if (s->dest.channel || s->dest.id >= hba->max_id ||
	    s->dest.lun >= hba->max_lun) {
		atomic64_inc(&hba->no_connect);
		return hba_refuse(hba, &hba->rsp, SPAR_DID_NO_CONNECT, 0,
				  SPAR_ADDL_SEL_TIMEOUT);
	}
	idx = find_first_zero_bit(hba->busy, SPAR_HBA_MAX_CMDS);
	if (idx >= SPAR_HBA_MAX_CMDS) {
		atomic64_inc(&hba->task_set_full);
		return hba_refuse(hba, &hba->rsp, 0, SAM_STAT_TASK_SET_FULL, 0);
	}
	cmd = &hba->cmds[idx];
	cmd->index = idx;
	cmd->req.msg = *msg;
	cmd->req.tmf = false;
	cmd->write = s->dir == SPAR_UIS_DMA_FROM_DEVICE;
	cmd->nruns = 0;
	cmd->npages = 0;
	cmd->have_status = false;
	/*
	 * LIO aborts commands only for a task management function, which
	 * resets the LUN: the guest's midlayer retries DID_RESET, while
	 * DID_ABORT would end commands it never meant to abort.
	 */
	cmd->host_byte = SPAR_DID_RESET;

	ret = hba_map(hba, cmd, s);
	if (ret) {
		atomic64_inc(&hba->bad_buffers);
		dev_warn_ratelimited(spar_dev_device(hba->sdev),
				     "SCSI buffer not in guest memory (%d)\n",
				     ret);
		return hba_refuse(hba, &hba->rsp, SPAR_DID_ERROR, 0, 0);
	}

	se_cmd = &cmd->req.se_cmd;
	memset(se_cmd, 0, sizeof(*se_cmd));
	se_cmd->tag = idx;
	mutex_lock(&spar_hba_mutex);
	sess = hba_session(hba, s->dest.id);
	ret = sess ? target_init_cmd(se_cmd, sess, cmd->sense, s->dest.lun,
				     s->len, TCM_SIMPLE_TAG,
				     hba_dma_dir(s->dir),
				     TARGET_SCF_ACK_KREF) : -ENODEV;
	mutex_unlock(&spar_hba_mutex);
	if (ret) {
		hba_unpin(hba, cmd);
		atomic64_inc(&hba->no_connect);
		return hba_refuse(hba, &hba->rsp, SPAR_DID_NO_CONNECT, 0,
				  SPAR_ADDL_SEL_TIMEOUT);
	}
	__set_bit(idx, hba->busy);
	/* From here LIO answers, through release_cmd, whatever happens. */
	if (target_submit_prep(se_cmd, cmd->req.msg.scsi.cmnd,
			       cmd->npages ? cmd->sgl : NULL, cmd->npages,
			       NULL, 0, NULL, 0, GFP_KERNEL))
		return 0;
	spar_target_submit(se_cmd);
	return 0;
}

static u8 hba_tmr_type(u32 type)
{
	/*
	 * The guest's abort names no command, and LIO has no bus or target
	 * reset: each becomes a reset of the addressed logical unit, which
	 * answers every command in flight on it before the function.
	 */
	switch (type) {
	case SPAR_TASK_MGMT_ABORT_TASK:
	case SPAR_TASK_MGMT_LUN_RESET:
	case SPAR_TASK_MGMT_BUS_RESET:
	case SPAR_TASK_MGMT_TARGET_RESET:
	default:
		return TMR_LUN_RESET;
	}
}

/* The commands in flight that function @t covers. */
static void hba_tmf_covers(struct spar_hba *hba, const struct spar_hba_tmf *t,
			   unsigned long *wait)
{
	unsigned int i;

	bitmap_zero(wait, SPAR_HBA_MAX_CMDS);
	for_each_set_bit(i, hba->busy, SPAR_HBA_MAX_CMDS) {
		const struct spar_uisscsi_dest *d =
			&hba->cmds[i].req.msg.scsi.vdest;

		if (t->type == SPAR_TASK_MGMT_BUS_RESET ||
		    (le32_to_cpu(d->id) == t->dest.id &&
		     (t->type == SPAR_TASK_MGMT_TARGET_RESET ||
		      le32_to_cpu(d->lun) == t->dest.lun)))
			__set_bit(i, wait);
	}
}

static int hba_tmf(struct spar_hba *hba, const struct spar_uiscmdrsp *msg,
		   const struct spar_hba_tmf *t)
{
	struct se_session *sess;
	struct hba_tmf *tmf;
	unsigned int idx;
	int ret;

	idx = find_first_zero_bit(hba->tmf_busy, SPAR_HBA_MAX_TMFS);
	if (idx >= SPAR_HBA_MAX_TMFS || t->dest.channel) {
		hba->rsp = *msg;
		hba->rsp.scsitaskmgmt.result = SPAR_TASK_MGMT_FAILED;
		return hba_send(hba, &hba->rsp);
	}
	tmf = &hba->tmfs[idx];
	tmf->index = idx;
	tmf->req.msg = *msg;
	tmf->req.tmf = true;
	tmf->response = TMR_FUNCTION_FAILED;
	memset(&tmf->req.se_cmd, 0, sizeof(tmf->req.se_cmd));
	hba_tmf_covers(hba, t, tmf->wait);

	mutex_lock(&spar_hba_mutex);
	sess = hba_session(hba, t->dest.id);
	ret = sess ? target_submit_tmr(&tmf->req.se_cmd, sess, NULL,
				       t->dest.lun, tmf,
				       hba_tmr_type(t->type), GFP_KERNEL, 0,
				       TARGET_SCF_ACK_KREF) : -ENODEV;
	mutex_unlock(&spar_hba_mutex);
	if (ret) {
		hba->rsp = *msg;
		hba->rsp.scsitaskmgmt.result = SPAR_TASK_MGMT_FAILED;
		return hba_send(hba, &hba->rsp);
	}
	__set_bit(idx, hba->tmf_busy);
	return 0;
}

static int spar_hba_handle(struct spar_dev *sdev, unsigned int chan,
			   unsigned int q, const void *msg)
{
	struct spar_hba *hba = to_hba(sdev);
	const char *why;

	why = spar_hba_cmd_parse(msg, sdev->chan[chan].q[q].geo.signal_size,
				 &hba->lim, &hba->cmd);
	if (why) {
		spar_dev_protocol_error(sdev, why);
		return -EPROTO;
	}
	if (hba->cmd.cmdtype == SPAR_CMD_SCSI_TYPE)
		return hba_scsi(hba, msg, &hba->cmd.scsi);
	return hba_tmf(hba, msg, &hba->cmd.tmf);
}

/* --- LIO's calls ---------------------------------------------------- */

static int hba_check_stop_free(struct se_cmd *se_cmd)
{
	return target_put_sess_cmd(se_cmd);
}

static void hba_release_cmd(struct se_cmd *se_cmd)
{
	struct hba_req *req = to_req(se_cmd);
	struct spar_hba *hba = req->hba;

	if (llist_add(&req->node, &hba->released))
		queue_work(system_wq, &hba->reap);
}

static int hba_write_pending(struct se_cmd *se_cmd)
{
	/* The data is in the guest's pages already. */
	target_execute_cmd(se_cmd);
	return 0;
}

/* LIO's status for a command: keep it, and drop the fabric's reference. */
static int hba_queue_status(struct se_cmd *se_cmd)
{
	struct hba_cmd *cmd = to_cmd(to_req(se_cmd));

	cmd->status = se_cmd->scsi_status;
	cmd->have_status = true;
	target_put_sess_cmd(se_cmd);
	return 0;
}

static void hba_queue_tm_rsp(struct se_cmd *se_cmd)
{
	struct hba_tmf *tmf = to_tmf(to_req(se_cmd));

	tmf->response = se_cmd->se_tmr_req->response;
	target_put_sess_cmd(se_cmd);
}

static void hba_aborted_task(struct se_cmd *se_cmd)
{
	/* Answered with DID_RESET, which the command was set up with. */
}

static char *hba_tpg_get_wwn(struct se_portal_group *se_tpg)
{
	return hba_to_tpg(se_tpg)->wwn->name;
}

static u16 hba_tpg_get_tag(struct se_portal_group *se_tpg)
{
	return hba_to_tpg(se_tpg)->tag;
}

static int hba_tpg_yes(struct se_portal_group *se_tpg)
{
	return 1;
}

static int hba_tpg_no(struct se_portal_group *se_tpg)
{
	return 0;
}

static u32 hba_tpg_get_inst_index(struct se_portal_group *se_tpg)
{
	return 1;
}

static u32 hba_sess_get_index(struct se_session *se_sess)
{
	return 0;
}

static void hba_set_default_node_attributes(struct se_node_acl *nacl)
{
}

static int hba_get_cmd_state(struct se_cmd *se_cmd)
{
	return 0;
}

static struct se_wwn *hba_make_wwn(struct target_fabric_configfs *tf,
				   struct config_group *group,
				   const char *name)
{
	struct spar_hba_wwn *wwn;
	struct spar_hba *hba;

	if (!uuid_is_valid(name) || strlen(name) != UUID_STRING_LEN) {
		pr_warn("target %s: the name must be the UUID of a spar-hba instance\n",
			name);
		return ERR_PTR(-EINVAL);
	}
	wwn = kzalloc(sizeof(*wwn), GFP_KERNEL);
	if (!wwn)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&spar_hba_mutex);
	list_for_each_entry(hba, &spar_hba_list, node) {
		if (!strcasecmp(hba->name, name) && !hba->wwn) {
			wwn->hba = hba;
			hba->wwn = wwn;
			strscpy(wwn->name, hba->name, sizeof(wwn->name));
			break;
		}
	}
	if (wwn->hba)
		list_add(&wwn->node, &spar_hba_wwns);
	mutex_unlock(&spar_hba_mutex);
	if (!wwn->hba) {
		pr_warn("target %s: no spar-hba instance has this UUID\n",
			name);
		kfree(wwn);
		return ERR_PTR(-ENODEV);
	}
	return &wwn->se_wwn;
}

static void hba_drop_wwn(struct se_wwn *se_wwn)
{
	struct spar_hba_wwn *wwn = container_of(se_wwn, struct spar_hba_wwn,
						se_wwn);

	mutex_lock(&spar_hba_mutex);
	list_del(&wwn->node);
	if (wwn->hba)
		wwn->hba->wwn = NULL;
	mutex_unlock(&spar_hba_mutex);
	kfree(wwn);
}

static struct se_portal_group *hba_make_tpg(struct se_wwn *se_wwn,
					    const char *name)
{
	struct spar_hba_wwn *wwn = container_of(se_wwn, struct spar_hba_wwn,
						se_wwn);
	struct spar_hba_tpg *tpg;
	u16 tag;
	int ret;

	/* One spelling per tag: "tpgt_1", not "tpgt_01" or "tpgt_+1". */
	if (strncmp(name, "tpgt_", 5) || !isdigit(name[5]) ||
	    (name[5] == '0' && name[6]) || kstrtou16(name + 5, 10, &tag) ||
	    tag >= SPAR_HBA_MAX_ID) {
		pr_warn("target %s: portal group %s: the name must be tpgt_N, N the SCSI target id, 0 to %u\n",
			wwn->name, name, SPAR_HBA_MAX_ID - 1);
		return ERR_PTR(-EINVAL);
	}
	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	tpg->wwn = wwn;
	tpg->tag = tag;
	ret = core_tpg_register(se_wwn, &tpg->se_tpg, SCSI_PROTOCOL_SAS);
	if (ret) {
		kfree(tpg);
		return ERR_PTR(ret);
	}
	mutex_lock(&spar_hba_mutex);
	wwn->tpg[tag] = tpg;
	mutex_unlock(&spar_hba_mutex);
	return &tpg->se_tpg;
}

static void hba_drop_tpg(struct se_portal_group *se_tpg)
{
	struct spar_hba_tpg *tpg = hba_to_tpg(se_tpg);
	struct se_session *sess;

	mutex_lock(&spar_hba_mutex);
	sess = hba_session_detach(tpg);
	tpg->wwn->tpg[tpg->tag] = NULL;
	mutex_unlock(&spar_hba_mutex);
	hba_session_end(sess);
	core_tpg_deregister(se_tpg);
	kfree(tpg);
}

/* Queue a disk notification for the instance serving @se_tpg, if any. */
static void hba_notify(struct se_portal_group *se_tpg, struct se_lun *lun,
		       bool add)
{
	struct spar_hba_tpg *tpg = hba_to_tpg(se_tpg);
	struct spar_hba *hba;

	mutex_lock(&spar_hba_mutex);
	hba = tpg->wwn->hba;
	if (hba && hba->serving && tpg->tag < hba->max_id &&
	    lun->unpacked_lun < hba->max_lun) {
		spin_lock(&hba->lock);
		if (hba->nr_notify < SPAR_HBA_MAX_NOTIFIES) {
			hba->notify[hba->nr_notify].add = add;
			hba->notify[hba->nr_notify].id = tpg->tag;
			hba->notify[hba->nr_notify].lun = lun->unpacked_lun;
			hba->nr_notify++;
		} else {
			atomic64_inc(&hba->notifies_lost);
		}
		spin_unlock(&hba->lock);
		spar_engine_kick(hba->sdev);
	}
	mutex_unlock(&spar_hba_mutex);
}

static int hba_post_link(struct se_portal_group *se_tpg, struct se_lun *lun)
{
	hba_notify(se_tpg, lun, true);
	return 0;
}

static void hba_pre_unlink(struct se_portal_group *se_tpg, struct se_lun *lun)
{
	hba_notify(se_tpg, lun, false);
}

static const struct target_core_fabric_ops spar_hba_fabric = {
	.module				= THIS_MODULE,
	.fabric_name			= SPAR_HBA_FABRIC,
	.tpg_get_wwn			= hba_tpg_get_wwn,
	.tpg_get_tag			= hba_tpg_get_tag,
	.tpg_check_demo_mode		= hba_tpg_yes,
	.tpg_check_demo_mode_cache	= hba_tpg_yes,
	.tpg_check_demo_mode_write_protect = hba_tpg_no,
	.tpg_check_prod_mode_write_protect = hba_tpg_no,
	.tpg_get_inst_index		= hba_tpg_get_inst_index,
	.check_stop_free		= hba_check_stop_free,
	.release_cmd			= hba_release_cmd,
	.sess_get_index			= hba_sess_get_index,
	.write_pending			= hba_write_pending,
	.set_default_node_attributes	= hba_set_default_node_attributes,
	.get_cmd_state			= hba_get_cmd_state,
	.queue_data_in			= hba_queue_status,
	.queue_status			= hba_queue_status,
	.queue_tm_rsp			= hba_queue_tm_rsp,
	.aborted_task			= hba_aborted_task,
	.fabric_make_wwn		= hba_make_wwn,
	.fabric_drop_wwn		= hba_drop_wwn,
	.fabric_make_tpg		= hba_make_tpg,
	.fabric_drop_tpg		= hba_drop_tpg,
	.fabric_post_link		= hba_post_link,
	.fabric_pre_unlink		= hba_pre_unlink,
#ifdef SPAR_HAVE_TARGET_SUBMIT_TYPE
	.default_submit_type		= TARGET_QUEUE_SUBMIT,
	.direct_submit_supp		= 1,
#endif
};

/**
 * spar_hba_register() - offer the fabric to LIO
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int spar_hba_register(void)
{
	return target_register_template(&spar_hba_fabric);
}

/**
 * spar_hba_unregister() - withdraw it; configfs holds the module while
 * any of its directories exist
 *
 * Context: module exit.
 */
void spar_hba_unregister(void)
{
	target_unregister_template(&spar_hba_fabric);
}

/* --- lifecycle ------------------------------------------------------ */

static int spar_hba_start(struct spar_dev *sdev)
{
	struct spar_hba *hba = to_hba(sdev);
	unsigned int i;

	hba->cmds = kvcalloc(SPAR_HBA_MAX_CMDS, sizeof(*hba->cmds),
			     GFP_KERNEL);
	hba->tmfs = kcalloc(SPAR_HBA_MAX_TMFS, sizeof(*hba->tmfs), GFP_KERNEL);
	if (!hba->cmds || !hba->tmfs) {
		kvfree(hba->cmds);
		kfree(hba->tmfs);
		hba->cmds = NULL;
		hba->tmfs = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < SPAR_HBA_MAX_CMDS; i++)
		hba->cmds[i].req.hba = hba;
	for (i = 0; i < SPAR_HBA_MAX_TMFS; i++)
		hba->tmfs[i].req.hba = hba;
	bitmap_zero(hba->busy, SPAR_HBA_MAX_CMDS);
	bitmap_zero(hba->tmf_busy, SPAR_HBA_MAX_TMFS);
	mutex_lock(&spar_hba_mutex);
	spin_lock(&hba->lock);
	hba->nr_notify = 0;	/* a fresh guest scans its bus */
	spin_unlock(&hba->lock);
	hba->serving = true;
	mutex_unlock(&spar_hba_mutex);
	return 0;
}

/* The worker is gone: end every nexus, and forget what was not answered. */
static void spar_hba_stop(struct spar_dev *sdev)
{
	struct se_session *sess[SPAR_HBA_MAX_ID] = { };
	struct spar_hba *hba = to_hba(sdev);
	struct hba_req *req, *tmp;
	unsigned int i;

	mutex_lock(&spar_hba_mutex);
	hba->serving = false;
	for (i = 0; hba->wwn && i < SPAR_HBA_MAX_ID; i++)
		if (hba->wwn->tpg[i])
			sess[i] = hba_session_detach(hba->wwn->tpg[i]);
	mutex_unlock(&spar_hba_mutex);
	for (i = 0; i < SPAR_HBA_MAX_ID; i++)
		hba_session_end(sess[i]);
	/* Every command is released now; let their pins go. */
	flush_work(&hba->reap);
	WARN_ON_ONCE(!bitmap_empty(hba->pinned, SPAR_HBA_MAX_CMDS));
	spin_lock(&hba->lock);
	list_for_each_entry_safe(req, tmp, &hba->answers, entry)
		list_del(&req->entry);
	spin_unlock(&hba->lock);
	list_for_each_entry_safe(req, tmp, &hba->held, entry)
		list_del(&req->entry);
	kvfree(hba->cmds);
	kfree(hba->tmfs);
	hba->cmds = NULL;
	hba->tmfs = NULL;
}

/* Does a command hold pins in [@first, @last]? */
static bool hba_pins_in(struct spar_hba *hba, u64 first, u64 last)
{
	unsigned int i;
	bool found = false;

	spin_lock(&hba->lock);
	for_each_set_bit(i, hba->pinned, SPAR_HBA_MAX_CMDS) {
		const struct hba_cmd *cmd = &hba->cmds[i];
		unsigned int r;

		/* Runs are recorded before the slot is marked. */
		for (r = 0; r < cmd->nsegs && !found; r++) {
			u64 a = cmd->runs[r].iova;
			u64 b = a + ((u64)cmd->runs[r].npages << PAGE_SHIFT) - 1;

			found = a <= last && b >= first;
		}
		if (found)
			break;
	}
	spin_unlock(&hba->lock);
	return found;
}

/* Commands keep their pins until LIO releases them: wait for that. */
static void spar_hba_unmap(struct spar_dev *sdev, u64 iova, u64 len)
{
	struct spar_hba *hba = to_hba(sdev);
	u64 last = iova + len - 1;

	if (last < iova)
		last = U64_MAX;
	wait_event(hba->unpinned, !hba_pins_in(hba, iova, last));
}

/*
 * Bus mastering went off: no new command starts (the worker does not
 * serve), and those in flight may still move data; wait for them.
 */
static void spar_hba_dma_off(struct spar_dev *sdev)
{
	struct spar_hba *hba = to_hba(sdev);

	wait_event(hba->unpinned, !hba_pins_in(hba, 0, U64_MAX));
}

static int spar_hba_create(struct spar_dev *sdev)
{
	struct spar_hba_wwn *wwn;
	struct spar_hba *hba;

	hba = kzalloc(sizeof(*hba), GFP_KERNEL);
	if (!hba)
		return -ENOMEM;
	hba->sdev = sdev;
	hba->max_id = SPAR_HBA_MAX_ID;
	hba->max_lun = SPAR_HBA_MAX_LUN;
	hba->cmd_per_lun = SPAR_HBA_CMD_PER_LUN;
	hba->lim.max_io_size = SPAR_HBA_MAX_IO_SIZE;
	snprintf(hba->name, sizeof(hba->name), "%pUl", &sdev->mdev->uuid);
	init_llist_head(&hba->released);
	INIT_WORK(&hba->reap, hba_reap);
	spin_lock_init(&hba->lock);
	INIT_LIST_HEAD(&hba->answers);
	INIT_LIST_HEAD(&hba->held);
	init_waitqueue_head(&hba->unpinned);
	sdev->backend = hba;
	mutex_lock(&spar_hba_mutex);
	list_add(&hba->node, &spar_hba_list);
	/* A target left by an earlier instance of this UUID is ours again. */
	list_for_each_entry(wwn, &spar_hba_wwns, node) {
		if (!wwn->hba && !strcmp(wwn->name, hba->name)) {
			wwn->hba = hba;
			hba->wwn = wwn;
			break;
		}
	}
	mutex_unlock(&spar_hba_mutex);
	return 0;
}

static void spar_hba_destroy(struct spar_dev *sdev)
{
	struct spar_hba *hba = to_hba(sdev);

	if (!hba)
		return;
	mutex_lock(&spar_hba_mutex);
	list_del(&hba->node);
	/* The configfs target stays, orphaned, until the user removes it. */
	if (hba->wwn)
		hba->wwn->hba = NULL;
	mutex_unlock(&spar_hba_mutex);
	flush_work(&hba->reap);
	kfree(hba);
	sdev->backend = NULL;
}

static void spar_hba_write_area(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_io_channel *io = spar_chan_mem(sdev, ch);
	struct spar_vhba_config_max *max = &io->vhba.max;
	struct spar_hba *hba = to_hba(sdev);

	max->max_channel = cpu_to_le32(SPAR_HBA_MAX_CHANNEL);
	max->max_id = cpu_to_le32(hba->max_id);
	max->max_lun = cpu_to_le32(hba->max_lun);
	max->cmd_per_lun = cpu_to_le32(hba->cmd_per_lun);
	max->max_io_size = cpu_to_le32(hba->lim.max_io_size);
}

static const struct spar_backend_ops spar_hba_ops = {
	.create = spar_hba_create,
	.destroy = spar_hba_destroy,
	.start = spar_hba_start,
	.stop = spar_hba_stop,
	.handle = spar_hba_handle,
	.poll = spar_hba_poll,
	.unmap = spar_hba_unmap,
	.dma_off = spar_hba_dma_off,
	/* A command may be refused at once. */
	.room = 1,
};

/* --- attributes ----------------------------------------------------- */

/**
 * struct hba_limit - one of the VHBA limits the guest reads from its channel
 * @name: the attribute's name
 * @offset: where the value is in struct spar_hba
 * @min: smallest value allowed
 * @max: largest value allowed
 * @align: the value is a multiple of this
 */
struct hba_limit {
	const char *name;
	size_t offset;
	u32 min;
	u32 max;
	u32 align;
};

static u32 *hba_limit_field(struct spar_dev *sdev, const struct hba_limit *l)
{
	return (u32 *)((char *)to_hba(sdev) + l->offset);
}

static ssize_t hba_limit_show(struct device *dev, const struct hba_limit *l,
			      char *buf)
{
	struct spar_dev *sdev = dev_get_drvdata(dev);
	ssize_t ret;

	mutex_lock(&sdev->lock);
	ret = sysfs_emit(buf, "%u\n", *hba_limit_field(sdev, l));
	mutex_unlock(&sdev->lock);
	return ret;
}

/*
 * The limits change only while no VM has the device open, and the channel
 * is written again so the next open sees them.
 */
static ssize_t hba_limit_store(struct device *dev, const struct hba_limit *l,
			       const char *buf, size_t count)
{
	struct spar_dev *sdev = dev_get_drvdata(dev);
	u32 old, val, *field;
	int ret;

	if (spar_attr_u32(dev, l->name, buf, l->min, l->max, "", &val))
		return -EINVAL;
	if (val % l->align) {
		dev_err_ratelimited(dev, "%s: %u is not a multiple of %u\n",
				    l->name, val, l->align);
		return -EINVAL;
	}
	mutex_lock(&sdev->lock);
	ret = spar_attr_writable(dev, sdev, l->name);
	if (!ret) {
		field = hba_limit_field(sdev, l);
		old = *field;
		*field = val;
		ret = spar_layout_init(sdev);
		if (ret)
			*field = old;
	}
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
}

#define HBA_LIMIT(attr, member, lo, hi, step)				\
static const struct hba_limit hba_limit_##attr = {			\
	.name = #attr,							\
	.offset = offsetof(struct spar_hba, member),			\
	.min = lo,							\
	.max = hi,							\
	.align = step,							\
};									\
static ssize_t attr##_show(struct device *dev,				\
			   struct device_attribute *da, char *buf)	\
{									\
	return hba_limit_show(dev, &hba_limit_##attr, buf);		\
}									\
static ssize_t attr##_store(struct device *dev,				\
			    struct device_attribute *da,		\
			    const char *buf, size_t count)		\
{									\
	return hba_limit_store(dev, &hba_limit_##attr, buf, count);	\
}									\
static DEVICE_ATTR_RW(attr)

HBA_LIMIT(max_id, max_id, 1, SPAR_HBA_MAX_ID, 1);
HBA_LIMIT(max_lun, max_lun, 1, SPAR_HBA_MAX_LUN, 1);
HBA_LIMIT(cmd_per_lun, cmd_per_lun, 1, SPAR_HBA_MAX_CMDS, 1);
HBA_LIMIT(max_io_size, lim.max_io_size, SPAR_HBA_MIN_IO_SIZE,
	  SPAR_HBA_MAX_IO_SIZE, SPAR_PI_PAGE_SIZE);

static struct attribute *spar_hba_attrs[] = {
	&dev_attr_max_id.attr,
	&dev_attr_max_lun.attr,
	&dev_attr_cmd_per_lun.attr,
	&dev_attr_max_io_size.attr,
	NULL,
};

static const struct attribute_group spar_hba_group = {
	.attrs = spar_hba_attrs,
};

/* --- counters ------------------------------------------------------- */

#define HBA_STAT(name, expr)						\
static ssize_t stat_##name##_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	struct spar_hba *hba = to_hba(dev_get_drvdata(dev));		\
									\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(expr));	\
}									\
static struct device_attribute dev_attr_stat_##name =			\
	__ATTR(name, 0444, stat_##name##_show, NULL)

HBA_STAT(cmds_done, atomic64_read(&hba->cmds_done));
HBA_STAT(tmfs_done, atomic64_read(&hba->tmfs_done));
HBA_STAT(task_set_full, atomic64_read(&hba->task_set_full));
HBA_STAT(no_connect, atomic64_read(&hba->no_connect));
HBA_STAT(bad_buffers, atomic64_read(&hba->bad_buffers));
HBA_STAT(notifies, atomic64_read(&hba->notifies));
HBA_STAT(notifies_lost, atomic64_read(&hba->notifies_lost));

static struct attribute *spar_hba_stats_attrs[] = {
	&dev_attr_stat_cmds_done.attr,
	&dev_attr_stat_tmfs_done.attr,
	&dev_attr_stat_task_set_full.attr,
	&dev_attr_stat_no_connect.attr,
	&dev_attr_stat_bad_buffers.attr,
	&dev_attr_stat_notifies.attr,
	&dev_attr_stat_notifies_lost.attr,
	NULL,
};

static const struct attribute_group spar_hba_stats = {
	.attrs = spar_hba_stats_attrs,
};

static const struct spar_chan_plan spar_hba_chans[] = {
	SPAR_IOCHAN_PLAN(SPAR_VHBA_CHANNEL_GUID, SPAR_VHBA_CHANNEL_VERSIONID,
			 spar_hba_write_area),
};

const struct spar_type_desc spar_hba_type = {
	.sysfs_name = "hba",
	.name = "spar-hba",
	.description =
		"s-Par virtual SCSI HBA: one VHBA IO channel served by a LIO target",
	.pci_device = SPAR_PCI_DEVICE_ID_HBA,
	.pci_class = SPAR_PCI_CLASS_HBA,
	.transport_type = SPAR_TRANSPORT_TYPE_HBA,
	.default_limit = 16,
	.nr_chans = ARRAY_SIZE(spar_hba_chans),
	.chans = spar_hba_chans,
	.ops = &spar_hba_ops,
	.attrs = &spar_hba_group,
	.stats = &spar_hba_stats,
};
