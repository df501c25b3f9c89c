// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: reaching guest memory.
 *
 * Guest buffers are named by IOVAs (guest-physical addresses, or guest DMA
 * addresses behind a vIOMMU).  A page is pinned through VFIO on first use
 * and kept in a bounded cache keyed by IOVA page and access: the host pins
 * read-only what it only reads (transmit data) and writable what it writes
 * (receive buffers), so that a guest's read-only DMA mapping, e.g. of a
 * buffer it mapped DMA_TO_DEVICE behind a vIOMMU, works.  A page written
 * through a pin is marked dirty once, when the pin is dropped.  Copies go
 * through a short-lived kmap_local mapping, under the cache lock, so a
 * purge waits for at most one page copy.  While the guest has Bus Master
 * Enable clear nothing is pinned or copied.  Channel memory (BAR0) is host
 * memory and never passes through here.
 *
 * Unmapping.  The type1 IOMMU back-end calls dma_unmap for a range that
 * still has pins and, once it returns, looks again; if it finds pins it
 * calls again, and after ten rounds it BUG()s.  So from the start of a
 * dma_unmap until the mapping is gone, nothing may pin in the range.  The
 * range is put in quarantine before its pins are dropped, and a pin that
 * was being taken in it meanwhile is dropped before dma_unmap returns.  A
 * quarantined page is reached with vfio_dma_rw(), which pins nothing: it
 * fails once the mapping is gone, and that failure lifts the quarantine.
 * Otherwise the quarantine lasts exactly as long as the unmap: dma_unmap
 * runs in the task that asked for the unmap, and a task_work queued on
 * that task lifts it when the task returns to user space, by which time
 * the IOMMU back-end has removed the mapping.  (A dma_unmap from a task
 * that will not return to user space leaves the quarantine to a failed
 * access, or to a newer range that needs the slot: the oldest goes.)
 *
 * Locks.  The cache lock is never held across vfio_pin_pages(),
 * vfio_unpin_pages() or vfio_dma_rw(): those take the IOMMU back-end's
 * lock, and dma_unmap is called with the back-end's device list lock held
 * and takes the cache lock.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "spar_mdev.h"

/* Lifts a quarantine when the task that unmapped returns to user space. */
struct spar_unmap_done {
	struct callback_head head;
	struct spar_dev *sdev;
	u64 first;
	u64 last;
};

struct spar_pin {
	struct list_head lru;
	unsigned long pfn;
	struct page *page;
	bool writable;
	bool dirty;
};

/* Cache index: a page may be pinned twice, read-only and writable. */
static unsigned long spar_pin_index(unsigned long pfn, bool writable)
{
	return pfn << 1 | writable;
}

void spar_pins_init(struct spar_pin_cache *pins, unsigned int max)
{
	mutex_init(&pins->lock);
	init_waitqueue_head(&pins->idle);
	xa_init(&pins->pages);
	INIT_LIST_HEAD(&pins->lru);
	pins->count = 0;
	pins->max = max;
	pins->pinning[0] = 0;
	pins->pinning[1] = 0;
	pins->unmap_seq = 0;
	pins->nr_quarantine = 0;
}

/* Take @p out of the cache; the caller releases it without the lock. */
static void spar_pin_unlink(struct spar_pin_cache *pins, struct spar_pin *p)
{
	lockdep_assert_held(&pins->lock);
	xa_erase(&pins->pages, spar_pin_index(p->pfn, p->writable));
	list_del(&p->lru);
	WRITE_ONCE(pins->count, pins->count - 1);
}

static void spar_pin_release(struct spar_dev *sdev, struct spar_pin *p)
{
	if (p->dirty)
		set_page_dirty_lock(p->page);
	vfio_unpin_pages(&sdev->vdev, (dma_addr_t)p->pfn << PAGE_SHIFT, 1);
	kfree(p);
}

static void spar_pins_release_list(struct spar_dev *sdev,
				   struct list_head *list)
{
	struct spar_pin *p, *tmp;

	list_for_each_entry_safe(p, tmp, list, lru) {
		list_del(&p->lru);
		spar_pin_release(sdev, p);
	}
}

static struct spar_pin_range *spar_quarantined(struct spar_pin_cache *pins,
					       u64 pfn)
{
	unsigned int i;

	lockdep_assert_held(&pins->lock);
	for (i = 0; i < pins->nr_quarantine; i++)
		if (pfn >= pins->quarantine[i].first &&
		    pfn <= pins->quarantine[i].last)
			return &pins->quarantine[i];
	return NULL;
}

static void spar_quarantine_lift(struct spar_pin_cache *pins,
				 struct spar_pin_range *r)
{
	lockdep_assert_held(&pins->lock);
	*r = pins->quarantine[--pins->nr_quarantine];
}

static struct spar_pin_range *spar_quarantine_add(struct spar_pin_cache *pins,
						  u64 first, u64 last)
{
	struct spar_pin_range *r = NULL, *q;
	unsigned int i;

	lockdep_assert_held(&pins->lock);
	for (i = 0; i < pins->nr_quarantine; i++) {
		q = &pins->quarantine[i];
		if (q->first == first && q->last == last)
			return q;
	}
	if (pins->nr_quarantine < SPAR_PIN_QUARANTINE_MAX) {
		r = &pins->quarantine[pins->nr_quarantine++];
	} else {
		/* Full: the oldest goes, one whose unmap is over if any. */
		for (i = 0; i < pins->nr_quarantine; i++) {
			q = &pins->quarantine[i];
			if (!r || (!q->pending && r->pending) ||
			    (!q->pending == !r->pending && q->since < r->since))
				r = q;
		}
	}
	r->first = first;
	r->last = last;
	r->since = ktime_get_ns();
	r->pending = 0;
	return r;
}

/* The task that unmapped is back in user space: the unmap is over. */
static void spar_unmap_done(struct callback_head *head)
{
	struct spar_unmap_done *done = container_of(head, struct spar_unmap_done,
						    head);
	struct spar_dev *sdev = done->sdev;
	struct spar_pin_cache *pins = &sdev->pins;
	unsigned int i;

	mutex_lock(&pins->lock);
	for (i = 0; i < pins->nr_quarantine; i++) {
		struct spar_pin_range *r = &pins->quarantine[i];

		if (r->first == done->first && r->last == done->last) {
			if (r->pending && !--r->pending)
				spar_quarantine_lift(pins, r);
			break;
		}
	}
	mutex_unlock(&pins->lock);
	put_device(&sdev->vdev.device);
	kfree(done);
	module_put(THIS_MODULE);
}

/*
 * Arrange for the quarantine of [@first, @last] to be lifted when the
 * current task returns to user space; NULL if it never will.
 */
static struct spar_unmap_done *spar_unmap_done_queue(struct spar_dev *sdev,
						     u64 first, u64 last)
{
	struct spar_unmap_done *done;

	if (current->flags & (PF_KTHREAD | PF_EXITING))
		return NULL;
	done = kzalloc(sizeof(*done), GFP_KERNEL);
	if (!done)
		return NULL;
	init_task_work(&done->head, spar_unmap_done);
	done->sdev = sdev;
	done->first = first;
	done->last = last;
	get_device(&sdev->vdev.device);
	__module_get(THIS_MODULE);
	if (task_work_add(current, &done->head, TWA_RESUME)) {
		put_device(&sdev->vdev.device);
		module_put(THIS_MODULE);
		kfree(done);
		return NULL;
	}
	return done;
}

/*
 * spar_pin_get() - the cached pin of guest page @pfn for reading, or for
 * writing if @write.  A writable pin also serves reads.  Called and
 * returns with the cache lock held, which it may drop meanwhile.
 *
 * Return: the pin; ERR_PTR(-EAGAIN) if the page lies in a range being
 * unmapped, which the caller then reaches with vfio_dma_rw(); another
 * ERR_PTR if the page cannot be pinned.
 */
static struct spar_pin *spar_pin_get(struct spar_dev *sdev, unsigned long pfn,
				     bool write)
{
	struct spar_pin_cache *pins = &sdev->pins;
	struct spar_pin *p, *victim = NULL, *other;
	struct page *page;
	unsigned int slot;
	u64 seq;
	int ret;

	lockdep_assert_held(&pins->lock);
	p = xa_load(&pins->pages, spar_pin_index(pfn, true));
	if (!p && !write)
		p = xa_load(&pins->pages, spar_pin_index(pfn, false));
	if (p) {
		list_move_tail(&p->lru, &pins->lru);
		atomic64_inc(&sdev->stats.pin_hits);
		return p;
	}
	if (spar_quarantined(pins, pfn))
		return ERR_PTR(-EAGAIN);
	atomic64_inc(&sdev->stats.pin_misses);

	if (pins->count >= pins->max) {
		victim = list_first_entry(&pins->lru, struct spar_pin, lru);
		spar_pin_unlink(pins, victim);
		atomic64_inc(&sdev->stats.pin_evictions);
	}
	seq = pins->unmap_seq;
	slot = seq & 1;
	pins->pinning[slot]++;
	mutex_unlock(&pins->lock);

	if (victim)
		spar_pin_release(sdev, victim);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	ret = p ? vfio_pin_pages(&sdev->vdev, (dma_addr_t)pfn << PAGE_SHIFT,
				 1, write ? IOMMU_READ | IOMMU_WRITE :
				 IOMMU_READ, &page) : -ENOMEM;
	if (ret == 1) {
		p->pfn = pfn;
		p->page = page;
		p->writable = write;
		ret = 0;
	} else if (ret >= 0) {
		ret = -EFAULT;
	}

	mutex_lock(&pins->lock);
	other = NULL;
	if (!ret && seq != pins->unmap_seq && spar_quarantined(pins, pfn)) {
		/* Unmapped while we pinned: the pin must not outlive it. */
		ret = -EAGAIN;
	} else if (!ret) {
		other = xa_load(&pins->pages, spar_pin_index(pfn, write));
		if (!other)
			ret = xa_err(xa_store(&pins->pages,
					      spar_pin_index(pfn, write), p,
					      GFP_KERNEL));
	}
	if (!ret && !other) {
		list_add_tail(&p->lru, &pins->lru);
		WRITE_ONCE(pins->count, pins->count + 1);
	} else if (p && p->page) {
		mutex_unlock(&pins->lock);
		vfio_unpin_pages(&sdev->vdev, (dma_addr_t)pfn << PAGE_SHIFT, 1);
		mutex_lock(&pins->lock);
	}
	if (ret || other)
		kfree(p);
	if (!--pins->pinning[slot])
		wake_up_all(&pins->idle);
	if (other) {
		list_move_tail(&other->lru, &pins->lru);
		return other;
	}
	return ret ? ERR_PTR(ret) : p;
}

/*
 * Reach one page of a quarantined range without pinning it.  Called and
 * returns with the cache lock held, which it drops meanwhile.
 */
static int spar_quarantine_rw(struct spar_dev *sdev, u64 iova, void *buf,
			      size_t len, bool write)
{
	struct spar_pin_cache *pins = &sdev->pins;
	struct spar_pin_range *r;
	int ret;

	mutex_unlock(&pins->lock);
	ret = vfio_dma_rw(&sdev->vdev, iova, buf, len, write);
	atomic64_inc(&sdev->stats.pin_quarantine_rw);
	mutex_lock(&pins->lock);
	r = spar_quarantined(pins, iova >> PAGE_SHIFT);
	/* Gone: the unmap is over (-EPERM: there, but not writable). */
	if (r && ret && ret != -EPERM)
		spar_quarantine_lift(pins, r);
	return ret;
}

static int spar_copy_guest(struct spar_dev *sdev, u64 iova, void *buf,
			   size_t len, bool to_guest)
{
	struct spar_pin_cache *pins = &sdev->pins;
	u8 *p = buf;
	int ret = 0;

	if (!len)
		return 0;
	if (iova + len < iova)
		return -EINVAL;

	mutex_lock(&pins->lock);
	while (len) {
		size_t off = offset_in_page(iova);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		struct spar_pin *pin;
		void *va;

		/* Bus mastering off: the engine never gets here; others stop. */
		if (!READ_ONCE(sdev->dma_enabled)) {
			ret = -EIO;
			break;
		}
		pin = spar_pin_get(sdev, iova >> PAGE_SHIFT, to_guest);
		if (pin == ERR_PTR(-EAGAIN)) {
			ret = spar_quarantine_rw(sdev, iova, p, n, to_guest);
		} else if (IS_ERR(pin)) {
			ret = PTR_ERR(pin);
		} else {
			va = kmap_local_page(pin->page);
			if (to_guest)
				memcpy(va + off, p, n);
			else
				memcpy(p, va + off, n);
			kunmap_local(va);
			if (to_guest)
				pin->dirty = true;
		}
		if (ret)
			break;
		iova += n;
		p += n;
		len -= n;
		if (len && need_resched()) {
			mutex_unlock(&pins->lock);
			cond_resched();
			mutex_lock(&pins->lock);
		}
	}
	mutex_unlock(&pins->lock);
	return ret;
}

/**
 * spar_copy_from_guest() - copy bytes out of guest memory
 * @sdev: the instance, open
 * @dst: host buffer of @len bytes
 * @iova: guest address of the first byte
 * @len: bytes to copy; callers bound it
 *
 * Context: process context; may sleep.
 * Return: 0, or a negative errno if any page is not mapped for the device.
 */
int spar_copy_from_guest(struct spar_dev *sdev, void *dst, u64 iova,
			 size_t len)
{
	return spar_copy_guest(sdev, iova, dst, len, false);
}

/**
 * spar_copy_to_guest() - copy bytes into guest memory
 * @sdev: the instance, open
 * @iova: guest address of the first byte
 * @src: host buffer of @len bytes
 * @len: bytes to copy; callers bound it
 *
 * Context: process context; may sleep.
 * Return: 0, or a negative errno if any page is not mapped for the device.
 */
int spar_copy_to_guest(struct spar_dev *sdev, u64 iova, const void *src,
		       size_t len)
{
	return spar_copy_guest(sdev, iova, (void *)src, len, true);
}

/**
 * spar_ranges_len() - check a list of guest ranges and add it up
 * @r: private copy of the list
 * @n: entries in use
 * @max_len: bound on the total, e.g. the largest transfer allowed
 *
 * Ranges may span pages but must be non-empty, must not wrap the address
 * space, and must add up to at most @max_len.
 *
 * Context: any context.
 * Return: total bytes described, or -EPROTO.
 */
ssize_t spar_ranges_len(const struct spar_guest_range *r, u32 n,
			size_t max_len)
{
	size_t total = 0;
	u32 i;

	if (!n)
		return -EPROTO;
	for (i = 0; i < n; i++) {
		if (!r[i].len || r[i].len > max_len - total ||
		    r[i].iova + r[i].len < r[i].iova)
			return -EPROTO;
		total += r[i].len;
	}
	return total;
}

/*
 * Walk @len bytes of a checked list of ranges from its start, copying
 * between it and @buf in the direction @to_guest says.
 */
static int spar_ranges_copy(struct spar_dev *sdev,
			    const struct spar_guest_range *r, u32 n,
			    void *buf, size_t len, bool to_guest)
{
	u8 *p = buf;
	u32 i;
	int ret;

	for (i = 0; i < n && len; i++) {
		size_t chunk = min_t(u64, r[i].len, len);

		ret = spar_copy_guest(sdev, r[i].iova, p, chunk, to_guest);
		if (ret)
			return ret;
		p += chunk;
		len -= chunk;
	}
	return len ? -EPROTO : 0;
}

/**
 * spar_copy_from_ranges() - gather from a list of guest ranges
 * @sdev: the instance, open
 * @r: private copy of the list, already checked by spar_ranges_len()
 * @n: entries in use
 * @dst: host buffer
 * @len: bytes to copy, at most what the list describes
 *
 * Context: process context; may sleep.
 * Return: 0, or a negative errno if a range is outside guest memory or
 * the list is shorter than @len.
 */
int spar_copy_from_ranges(struct spar_dev *sdev,
			  const struct spar_guest_range *r, u32 n,
			  void *dst, size_t len)
{
	return spar_ranges_copy(sdev, r, n, dst, len, false);
}

/**
 * spar_copy_to_ranges() - scatter into a list of guest ranges
 * @sdev: the instance, open
 * @r: private copy of the list, already checked by spar_ranges_len()
 * @n: entries in use
 * @src: host buffer
 * @len: bytes to copy, at most what the list describes
 *
 * Context: process context; may sleep.
 * Return: 0, or a negative errno if a range is outside guest memory or
 * the list is shorter than @len.
 */
int spar_copy_to_ranges(struct spar_dev *sdev,
			const struct spar_guest_range *r, u32 n,
			const void *src, size_t len)
{
	return spar_ranges_copy(sdev, r, n, (void *)src, len, true);
}

/**
 * spar_guest_range_ok() - check that guest memory is there for a buffer
 * @sdev: the instance, open
 * @iova: guest address of the first byte
 * @len: bytes
 * @write: the host will write the buffer (else it only reads it)
 *
 * Pins (through the cache) every page of the range, writable if @write,
 * so that a later copy is likely a cache hit and a buffer the guest mapped
 * with too little access is refused now.
 *
 * Context: process context; may sleep.
 * Return: 0, or a negative errno if a page is not mapped for the device.
 */
int spar_guest_range_ok(struct spar_dev *sdev, u64 iova, size_t len,
			bool write)
{
	struct spar_pin_cache *pins = &sdev->pins;
	u64 pfn, last;
	int ret = 0;

	if (!len || iova + len < iova)
		return -EINVAL;
	last = (iova + len - 1) >> PAGE_SHIFT;
	mutex_lock(&pins->lock);
	for (pfn = iova >> PAGE_SHIFT; pfn <= last; pfn++) {
		struct spar_pin *pin;
		u8 byte;

		if (!READ_ONCE(sdev->dma_enabled)) {
			ret = -EIO;
			break;
		}
		pin = spar_pin_get(sdev, pfn, write);
		if (pin == ERR_PTR(-EAGAIN)) {
			/*
			 * No pin to check with: read the range's first byte in
			 * the page and, for a buffer the guest handed over for
			 * the host to write, write it back.
			 */
			u64 at = max_t(u64, iova, pfn << PAGE_SHIFT);

			ret = spar_quarantine_rw(sdev, at, &byte, 1, false);
			if (!ret && write)
				ret = spar_quarantine_rw(sdev, at, &byte, 1, true);
		} else if (IS_ERR(pin)) {
			ret = PTR_ERR(pin);
		}
		if (ret)
			break;
	}
	mutex_unlock(&pins->lock);
	return ret;
}

/**
 * spar_pins_unmap() - the user unmapped an IOVA range
 * @sdev: the instance
 * @iova: start of the range
 * @length: bytes in the range
 *
 * Every pin in the range is dropped before this returns, and none is
 * taken there again until its quarantine is lifted (see the top of this
 * file).
 *
 * Context: process context (the VFIO unmap path); may sleep.
 */
void spar_pins_unmap(struct spar_dev *sdev, u64 iova, u64 length)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	struct spar_pin_cache *pins = &sdev->pins;
	struct spar_unmap_done *done;
	unsigned long first, last, idx;
	struct spar_pin_range *r;
	unsigned int slot;
	struct spar_pin *p;
	LIST_HEAD(gone);

	atomic64_inc(&sdev->stats.dma_unmaps);
	if (!length)
		return;
	first = spar_pin_index(iova >> PAGE_SHIFT, false);
	last = spar_pin_index((iova + length - 1) >> PAGE_SHIFT, true);
	if (iova + length - 1 < iova)
		last = ULONG_MAX;

	/* Queued first; it cannot run before this returns. */
	done = spar_unmap_done_queue(sdev, first >> 1, last >> 1);
	mutex_lock(&pins->lock);
	r = spar_quarantine_add(pins, first >> 1, last >> 1);
	if (done)
		r->pending++;
	slot = pins->unmap_seq++ & 1;
	xa_for_each_range(&pins->pages, idx, p, first, last) {
		spar_pin_unlink(pins, p);
		list_add_tail(&p->lru, &gone);
		atomic64_inc(&sdev->stats.pin_unmap_drops);
	}
	mutex_unlock(&pins->lock);

	/*
	 * A pin begun before the quarantine may be in the range; its taker
	 * drops it.  Later ones cannot be.  (dma_unmap calls are serialised
	 * by the IOMMU back-end, so two slots are enough.)
	 */
	wait_event(pins->idle, !READ_ONCE(pins->pinning[slot]));
	spar_pins_release_list(sdev, &gone);

	/* Buffers posted there are gone; the guest must post new ones. */
	if (ops && ops->unmap)
		ops->unmap(sdev, iova, length);
}

/* Any page of [@first, @last] quarantined?  With the cache lock held. */
static bool spar_quarantined_run(struct spar_pin_cache *pins, u64 first,
				 u64 last)
{
	unsigned int i;

	lockdep_assert_held(&pins->lock);
	for (i = 0; i < pins->nr_quarantine; i++)
		if (first <= pins->quarantine[i].last &&
		    last >= pins->quarantine[i].first)
			return true;
	return false;
}

/**
 * spar_pin_run() - pin a run of guest pages for the caller to own
 * @sdev: the instance
 * @iova: first byte of the first page; page aligned
 * @npages: pages in the run, 1..SPAR_PIN_RUN_MAX
 * @write: the host will write the pages (else it only reads them)
 * @pages: the pinned pages, @npages entries
 *
 * For buffers handed to other kernel code for the life of a request (the
 * hba back-end's scatter lists), which the cache could not keep: its
 * entries may be evicted or dropped at any time.  The pins are the
 * caller's until spar_unpin_run().  The same unmap rule holds as for the
 * cache: nothing is pinned in a range being unmapped, and a run pinned
 * while an unmap began in it is dropped again.  The caller's @ops->unmap
 * must wait until no run it owns lies in the unmapped range.
 *
 * Context: process context; may sleep.
 * Return: 0; -EAGAIN if the run lies in a range being unmapped; -EPERM
 * while bus mastering is off or if the mapping does not allow the access;
 * another negative errno if a page cannot be pinned.
 */
int spar_pin_run(struct spar_dev *sdev, u64 iova, unsigned int npages,
		 bool write, struct page **pages)
{
	struct spar_pin_cache *pins = &sdev->pins;
	u64 first = iova >> PAGE_SHIFT, last = first + npages - 1;
	unsigned int slot;
	u64 seq;
	int ret;

	if (WARN_ON_ONCE(!npages || npages > SPAR_PIN_RUN_MAX ||
			 offset_in_page(iova)))
		return -EINVAL;
	if (!spar_dev_dma_allowed(sdev))
		return -EPERM;
	mutex_lock(&pins->lock);
	if (spar_quarantined_run(pins, first, last)) {
		mutex_unlock(&pins->lock);
		return -EAGAIN;
	}
	seq = pins->unmap_seq;
	slot = seq & 1;
	pins->pinning[slot]++;
	mutex_unlock(&pins->lock);

	ret = vfio_pin_pages(&sdev->vdev, iova, npages,
			     write ? IOMMU_READ | IOMMU_WRITE : IOMMU_READ,
			     pages);
	if (ret >= 0 && ret != npages) {
		if (ret)
			vfio_unpin_pages(&sdev->vdev, iova, ret);
		ret = -EFAULT;
	}

	mutex_lock(&pins->lock);
	if (ret > 0 && seq != pins->unmap_seq &&
	    spar_quarantined_run(pins, first, last)) {
		/* Unmapped while we pinned: the pins must not outlive it. */
		mutex_unlock(&pins->lock);
		vfio_unpin_pages(&sdev->vdev, iova, npages);
		mutex_lock(&pins->lock);
		ret = -EAGAIN;
	}
	if (!--pins->pinning[slot])
		wake_up_all(&pins->idle);
	mutex_unlock(&pins->lock);
	if (ret > 0)
		atomic64_add(npages, &sdev->stats.pins_owned);
	return ret < 0 ? ret : 0;
}

/**
 * spar_unpin_run() - give back a run pinned by spar_pin_run()
 * @sdev: the instance
 * @iova: as given to spar_pin_run()
 * @npages: as given to spar_pin_run()
 * @pages: the pages it returned
 * @written: the host wrote to the pages: mark them dirty
 *
 * Context: process context; may sleep.
 */
void spar_unpin_run(struct spar_dev *sdev, u64 iova, unsigned int npages,
		    struct page **pages, bool written)
{
	unsigned int i;

	if (written)
		for (i = 0; i < npages; i++)
			set_page_dirty_lock(pages[i]);
	vfio_unpin_pages(&sdev->vdev, iova, npages);
	atomic64_sub(npages, &sdev->stats.pins_owned);
}

/**
 * spar_pins_drop_all() - drop every cached pin
 * @sdev: the instance
 *
 * The quarantine stays: an unmap may be running beside a reset.
 *
 * Context: process context, while the device is still open and nothing
 * copies; may sleep.
 */
void spar_pins_drop_all(struct spar_dev *sdev)
{
	struct spar_pin_cache *pins = &sdev->pins;
	struct spar_pin *p, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&pins->lock);
	list_for_each_entry_safe(p, tmp, &pins->lru, lru) {
		spar_pin_unlink(pins, p);
		list_add_tail(&p->lru, &gone);
	}
	mutex_unlock(&pins->lock);
	spar_pins_release_list(sdev, &gone);
}

/**
 * spar_pins_destroy() - tear the cache down at instance release
 * @sdev: the instance; closed, so the cache is already empty
 *
 * Context: process context.
 */
void spar_pins_destroy(struct spar_dev *sdev)
{
	WARN_ON_ONCE(sdev->pins.count);
	xa_destroy(&sdev->pins.pages);
	mutex_destroy(&sdev->pins.lock);
}
