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
 * through a
 * short-lived kmap_local mapping.  The cache lock is held across each
 * page copy, so when the user unmaps a range, the purge below waits for
 * at most one page copy and then drops every pin in the range before
 * returning, as the VFIO type1 IOMMU requires.  While the guest has Bus
 * Master Enable clear nothing is pinned or copied.  Channel memory (BAR0)
 * is host memory and never passes through here.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/slab.h>

#include "spar_mdev.h"

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
	xa_init(&pins->pages);
	INIT_LIST_HEAD(&pins->lru);
	pins->count = 0;
	pins->max = max;
}

static void spar_pin_drop(struct spar_dev *sdev, struct spar_pin *p)
{
	struct spar_pin_cache *pins = &sdev->pins;

	lockdep_assert_held(&pins->lock);
	if (p->dirty)
		set_page_dirty_lock(p->page);
	vfio_unpin_pages(&sdev->vdev, (dma_addr_t)p->pfn << PAGE_SHIFT, 1);
	xa_erase(&pins->pages, spar_pin_index(p->pfn, p->writable));
	list_del(&p->lru);
	kfree(p);
	WRITE_ONCE(pins->count, pins->count - 1);
}

/*
 * spar_pin_get() - the pin of guest page @pfn for reading, or for writing
 * if @write.  A writable pin also serves reads.
 */
static struct spar_pin *spar_pin_get(struct spar_dev *sdev, unsigned long pfn,
				     bool write)
{
	struct spar_pin_cache *pins = &sdev->pins;
	struct spar_pin *p;
	struct page *page;
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
	atomic64_inc(&sdev->stats.pin_misses);

	if (pins->count >= pins->max) {
		spar_pin_drop(sdev, list_first_entry(&pins->lru,
						     struct spar_pin, lru));
		atomic64_inc(&sdev->stats.pin_evictions);
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	ret = vfio_pin_pages(&sdev->vdev, (dma_addr_t)pfn << PAGE_SHIFT, 1,
			     write ? IOMMU_READ | IOMMU_WRITE : IOMMU_READ,
			     &page);
	if (ret != 1) {
		kfree(p);
		return ERR_PTR(ret < 0 ? ret : -EFAULT);
	}
	p->pfn = pfn;
	p->page = page;
	p->writable = write;
	ret = xa_err(xa_store(&pins->pages, spar_pin_index(pfn, write), p,
			      GFP_KERNEL));
	if (ret) {
		vfio_unpin_pages(&sdev->vdev, (dma_addr_t)pfn << PAGE_SHIFT, 1);
		kfree(p);
		return ERR_PTR(ret);
	}
	list_add_tail(&p->lru, &pins->lru);
	WRITE_ONCE(pins->count, pins->count + 1);
	return p;
}

static int spar_copy_guest(struct spar_dev *sdev, u64 iova, void *buf,
			   size_t len, bool to_guest)
{
	struct spar_pin_cache *pins = &sdev->pins;
	u8 *p = buf;

	if (!len)
		return 0;
	if (iova + len < iova)
		return -EINVAL;

	while (len) {
		size_t off = offset_in_page(iova);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		struct spar_pin *pin;
		void *va;

		mutex_lock(&pins->lock);
		/* Bus mastering off: the engine never gets here; others stop. */
		if (READ_ONCE(sdev->dma_enabled))
			pin = spar_pin_get(sdev, iova >> PAGE_SHIFT, to_guest);
		else
			pin = ERR_PTR(-EIO);
		if (IS_ERR(pin)) {
			mutex_unlock(&pins->lock);
			return PTR_ERR(pin);
		}
		va = kmap_local_page(pin->page);
		if (to_guest)
			memcpy(va + off, p, n);
		else
			memcpy(p, va + off, n);
		kunmap_local(va);
		if (to_guest)
			pin->dirty = true;
		mutex_unlock(&pins->lock);

		iova += n;
		p += n;
		len -= n;
	}
	return 0;
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

		if (!READ_ONCE(sdev->dma_enabled)) {
			ret = -EIO;
			break;
		}
		pin = spar_pin_get(sdev, pfn, write);
		if (IS_ERR(pin)) {
			ret = PTR_ERR(pin);
			break;
		}
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
 * Every pin in the range is dropped before this returns.
 *
 * Context: process context (the VFIO unmap path); may sleep.
 */
void spar_pins_unmap(struct spar_dev *sdev, u64 iova, u64 length)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	struct spar_pin_cache *pins = &sdev->pins;
	unsigned long first, last;
	struct spar_pin *p;
	unsigned long idx;

	if (!length)
		return;
	first = spar_pin_index(iova >> PAGE_SHIFT, false);
	last = spar_pin_index((iova + length - 1) >> PAGE_SHIFT, true);
	if (iova + length - 1 < iova)
		last = ULONG_MAX;

	mutex_lock(&pins->lock);
	xa_for_each_range(&pins->pages, idx, p, first, last) {
		spar_pin_drop(sdev, p);
		atomic64_inc(&sdev->stats.pin_unmap_drops);
	}
	mutex_unlock(&pins->lock);

	/* Buffers posted there are gone; the guest must post new ones. */
	if (ops && ops->unmap)
		ops->unmap(sdev, iova, length);
}

/**
 * spar_pins_drop_all() - drop every cached pin
 * @sdev: the instance
 *
 * Context: process context, while the device is still open; may sleep.
 */
void spar_pins_drop_all(struct spar_dev *sdev)
{
	struct spar_pin_cache *pins = &sdev->pins;
	struct spar_pin *p, *tmp;

	mutex_lock(&pins->lock);
	list_for_each_entry_safe(p, tmp, &pins->lru, lru)
		spar_pin_drop(sdev, p);
	mutex_unlock(&pins->lock);
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
