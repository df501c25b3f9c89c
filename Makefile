# SPDX-License-Identifier: GPL-2.0
#
# spar-mdev: one entry point for building, checking, demonstrating and
# installing.  `make help` lists the targets.

ROOT    := $(CURDIR)
KVER    ?= $(shell $(ROOT)/scripts/kver.sh 2>/dev/null)
KDIR    ?= /lib/modules/$(KVER)/build
# The kernel matrix of `make check`: every installed kernel with an image
# and headers, oldest first (scripts/kver.sh --all).  The end-to-end tier
# runs on the newest; with more than one kernel, a second, shorter run
# mixes them: the VM on the newest, its nested guests on the oldest.
KVERS   ?= $(shell $(ROOT)/scripts/kver.sh --all 2>/dev/null)
MIXED_L2 = $(if $(word 2,$(KVERS)),$(firstword $(KVERS)))
MIXED_TESTS ?= 70-guest-autoload
RESULTS := $(ROOT)/build/results
# Runs that write build/results take this lock (scripts/lock.sh).
LOCK    := $(ROOT)/scripts/lock.sh

# Extra kbuild arguments, e.g. W=1 or C=2 (scripts/lint.sh uses them).
KBUILD_ARGS ?=
# The modules `make`, `make install` build: host (spar_mdev), guest
# (visorbus, visornic, visorhba, visorinput) or all (Kbuild).
SPAR_MODULES ?= all
# Seconds `make fuzz` gives each fuzz target.
FUZZ_SECONDS ?= 60

.PHONY: all deps modules tools check check-unit check-vm check-e2e lint check-debug \
	fuzz bench demo install uninstall dkms-install dkms-uninstall check-dkms clean help \
	unit-tier check-tiers check-run check-full check-full-tiers check-iommufd soak-unmap

all: deps modules tools

help:
	@echo "make              build the host and guest modules and the tools"
	@echo "make check        install what is missing, run every test tier, print 'N passed, N failed'"
	@echo "make check-unit   userspace unit, stress and fuzz tests"
	@echo "make lint         checkpatch --strict, sparse, W=1, kernel-doc, shellcheck"
	@echo "make fuzz         each fuzz target for FUZZ_SECONDS (60), corpus kept in tests/fuzz/corpus/"
	@echo "make check-vm     the host module in a throwaway VM"
	@echo "make check-e2e    nested guests inside that VM"
	@echo "make check-debug  the vm and e2e tiers on a KASAN/lockdep/kmemleak/UBSAN kernel (not in check)"
	@echo "make check-iommufd the vm tier on a kernel built with IOMMUFD, through the legacy group"
	@echo "                  and through the iommufd cdev (kernel built once, some 10 min)"
	@echo "make check-full   check, then check-iommufd, in one summary: what CI runs"
	@echo "make soak-unmap   RACE_CYCLES (10000) dma_unmap races, some 2.5 minutes (not in check)"
	@echo "make bench        benchmarks (never part of check)"
	@echo "make demo         boot a VM, load the module, create one instance of each type"
	@echo "make install      install the modules for the newest kernel (KVER=... to choose),"
	@echo "                  sparctl, its manual page, the udev rule, the mdevctl call-out,"
	@echo "                  the systemd unit and the documentation (DESTDIR=, PREFIX=/usr)"
	@echo "make uninstall    remove what make install installed (same DESTDIR, PREFIX, KVER)"
	@echo "make dkms-install the DKMS source trees spar-mdev-$(SPAR_VERSION) and spar-mdev-guest-$(SPAR_VERSION)"
	@echo "                  in $(DKMS_SRCDIR) (DESTDIR=); make dkms-uninstall removes them"
	@echo "make check-dkms   dkms add, build for every installed kernel, status, remove,"
	@echo "                  all in a temporary tree (not in check)"

deps:
	@$(ROOT)/scripts/deps.sh

modules: deps
	@test -n "$(KVER)" || { echo "no installed kernel with headers found (scripts/kver.sh)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(ROOT) SPAR_MODULES=$(SPAR_MODULES) $(KBUILD_ARGS) modules

tools: deps
	$(MAKE) -C tools

# The unit tier: the channel library and wire formats, then the tools'
# decoders, whose result lines are added to the same file.
check-unit: deps
	@$(LOCK) $(MAKE) --no-print-directory unit-tier

unit-tier:
	@mkdir -p $(RESULTS)
	$(MAKE) -C tests/unit check
	$(MAKE) -s -C tools check > $(RESULTS)/tools.out 2>&1; rc=$$?; \
	cat $(RESULTS)/tools.out; grep -E '^(PASS|FAIL) ' $(RESULTS)/tools.out >> $(RESULTS)/unit.txt; \
	[ $$rc -eq 0 ] || echo "FAIL unit/tools-check-exit" >> $(RESULTS)/unit.txt; \
	for t in accel runner known; do \
		$(ROOT)/tests/harness/test_$$t.sh $(RESULTS)/unit.txt > $(RESULTS)/harness-$$t.out 2>&1 || \
		{ cat $(RESULTS)/harness-$$t.out; grep -q '^FAIL ' $(RESULTS)/harness-$$t.out || \
		  echo "FAIL unit/$$t-exit" >> $(RESULTS)/unit.txt; }; \
	done; \
	! grep -q '^FAIL ' $(RESULTS)/unit.txt

lint: deps
	@mkdir -p $(RESULTS)
	@$(LOCK) $(ROOT)/scripts/lint.sh

# Longer fuzzing than check-unit's; what it finds is kept, minimised, in
# tests/fuzz/corpus/<target>/.
fuzz: deps
	@mkdir -p $(RESULTS)
	@$(LOCK) $(MAKE) --no-print-directory -C tests/fuzz fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

# The VM tiers boot $(KVER) (default: the newest kernel) and load modules
# built for it; VM_RESULTS names the result file (default: the tier).
check-vm: modules tools
	@mkdir -p $(RESULTS)
	@VM_KVER=$(KVER) $(ROOT)/tests/vm/run.sh

# The unmap race of 65-nic-unmap-race at full length: 10000 cycles took
# 127 s under TCG on the newest kernel here; check runs 1000.
RACE_CYCLES ?= 10000
soak-unmap: modules tools
	@mkdir -p $(RESULTS)
	@SPAR_TEST_RACE_CYCLES=$(RACE_CYCLES) SPAR_VM_TIMEOUT=1800 \
		SPAR_TEST_TIMEOUT=1500 VM_RESULTS=soak-unmap VM_KVER=$(KVER) \
		$(ROOT)/tests/vm/run.sh 65-nic-unmap-race

# The vm and e2e tiers on a debug kernel (KASAN, lockdep, kmemleak, UBSAN), built
# once per machine under ~/.cache/spar-mdev; not part of check.
check-debug: deps tools
	@mkdir -p $(RESULTS)
	@$(LOCK) $(ROOT)/scripts/check-debug.sh

check-e2e: modules tools
	@mkdir -p $(RESULTS)
	@VM_KVER=$(KVER) $(ROOT)/tests/e2e/run.sh $(E2E_TESTS)

# Every tier runs even when an earlier one fails; the summary decides,
# from the result files and each tier's exit status.
check: deps
	@$(LOCK) $(MAKE) --no-print-directory check-tiers

# The tiers of `make check`, in the order they run.
CHECK_TIERS = unit lint $(addprefix vm-,$(KVERS)) e2e $(if $(MIXED_L2),e2e-mixed)

check-tiers: check-run
	@$(ROOT)/scripts/summary.sh $(RESULTS) $(CHECK_TIERS)

check-run:
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory check-unit; echo $$? > $(RESULTS)/unit.rc
	@$(MAKE) --no-print-directory lint; echo $$? > $(RESULTS)/lint.rc
	@for k in $(KVERS); do \
		VM_RESULTS=vm-$$k $(MAKE) --no-print-directory check-vm KVER=$$k; \
		echo $$? > $(RESULTS)/vm-$$k.rc; \
	done
	@$(MAKE) --no-print-directory check-e2e; echo $$? > $(RESULTS)/e2e.rc
	@$(if $(MIXED_L2),E2E_L2_KVER=$(MIXED_L2) VM_RESULTS=e2e-mixed \
		$(MAKE) --no-print-directory check-e2e E2E_TESTS="$(MIXED_TESTS)"; \
		echo $$? > $(RESULTS)/e2e-mixed.rc,:)

# The vm tier on a kernel built with IOMMUFD (scripts/test-kernel.sh
# iommufd, once per machine, some 10 minutes on 2 cores), through the
# legacy group and through the iommufd cdev: some 6 minutes once the
# kernel is built.  IOMMUFD_TESTS names test files to run instead.
IOMMUFD_TESTS ?=
check-iommufd: deps tools
	@mkdir -p $(RESULTS)
	@$(LOCK) $(ROOT)/scripts/check-iommufd.sh $(IOMMUFD_TESTS)

# What CI runs: `make check`, then the iommufd tiers, in one summary
# (some 45 minutes on 2 cores the first time, when the kernel is built).
check-full: deps
	@$(LOCK) $(MAKE) --no-print-directory check-full-tiers

check-full-tiers: check-run
	@SPAR_SUMMARY=0 $(ROOT)/scripts/check-iommufd.sh; \
		echo $$? > $(RESULTS)/iommufd-run.rc
	@$(ROOT)/scripts/summary.sh $(RESULTS) $(CHECK_TIERS) iommufd-legacy iommufd

bench: modules tools
	@$(ROOT)/tests/bench/run.sh

demo: modules
	@$(ROOT)/scripts/demo.sh

# Installation.  DESTDIR stages everything into another root; PREFIX
# places sparctl, its manual page and the documentation.  The modules go
# to /lib/modules/$(KVER)/updates/spar (INSTALL_MOD_PATH, default
# DESTDIR, is kbuild's name for the root), the udev rule, the systemd unit
# and the mdevctl call-out where udev, systemd and mdevctl look for them.
override DESTDIR := $(abspath $(DESTDIR))
PREFIX   ?= /usr
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/spar-mdev
UDEVRULESDIR   ?= /lib/udev/rules.d
SYSTEMDUNITDIR ?= /lib/systemd/system
CALLOUTDIR     ?= /etc/mdevctl.d/scripts.d/callouts
INSTALL_MOD_PATH ?= $(DESTDIR)
MODTREE  = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)
MODDIR   = $(MODTREE)/updates/spar
# The mdevctl the udev rule runs: the one in PATH at install time.
MDEVCTL  ?= $(shell command -v mdevctl 2>/dev/null || echo /usr/bin/mdevctl)
# Every module install may have put there, by its path under $(MODDIR),
# and the suffixes kbuild gives them (compressed on some kernels).
MOD_FILES = mdev-parent/spar_mdev guest/visorbus/visorbus \
	    guest/visornic/visornic guest/visorhba/visorhba \
	    guest/visorinput/visorinput
MOD_SUFFIXES = .ko .ko.gz .ko.xz .ko.zst
# What depmod writes into $(MODTREE).
DEPMOD_FILES = modules.alias modules.alias.bin modules.builtin.alias.bin \
	       modules.builtin.bin modules.dep modules.dep.bin modules.devname \
	       modules.softdep modules.symbols modules.symbols.bin modules.weakdep
space := $(subst ,, )
comma := ,
DOC_FILES = README.md $(wildcard Documentation/*.rst) samples/README.md \
	    $(wildcard samples/mdevctl/*.json) samples/libvirt/README.md \
	    $(wildcard samples/libvirt/*.xml)

# $(call prune,DIR,TOP): remove DIR, then the directories above it up to
# TOP (not included), while they are empty.
prune = d='$(1)'; while [ -n "$$d" ] && [ "$$d" != '$(2)' ]; do \
		[ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || break; d=$${d%/*}; done
# $(call top,DIR): how far up uninstall prunes: up to DESTDIR when staging,
# else up to DIR, below which install made the directories.
top = $(or $(DESTDIR),$(abspath $(1)))

install: modules tools
	$(MAKE) -C $(KDIR) M=$(ROOT) SPAR_MODULES=$(SPAR_MODULES) INSTALL_MOD_DIR=updates/spar \
		$(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(INSTALL_MOD_PATH)) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) BINDIR=$(BINDIR) MANDIR=$(MANDIR)
	install -d $(DESTDIR)$(CALLOUTDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(UDEVRULESDIR)
	install -m 0755 tools/mdevctl/spar-hba-luns $(DESTDIR)$(CALLOUTDIR)/spar-hba-luns
	sed 's|/usr/bin/sparctl|$(BINDIR)/sparctl|' tools/mdevctl/spar-hba-luns.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/spar-hba-luns.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/spar-hba-luns.service
	sed 's|@MDEVCTL@|$(MDEVCTL)|g' tools/udev/60-spar-mdev.rules.in \
		> $(DESTDIR)$(UDEVRULESDIR)/60-spar-mdev.rules
	chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/60-spar-mdev.rules
	for f in $(DOC_FILES); do install -D -m 0644 "$$f" "$(DESTDIR)$(DOCDIR)/$$f" || exit 1; done

# Removes the files install put there, and the directories it made once
# they are empty; then runs depmod, or, in a staging root with no module
# left, removes depmod's files too.
uninstall:
	@test -n "$(KVER)" || { echo "no installed kernel with headers found (scripts/kver.sh)"; exit 1; }
	@echo "rm -f $(MODDIR)/{$(subst $(space),$(comma),$(MOD_FILES))}.ko*"
	@rm -f $(foreach m,$(MOD_FILES),$(addprefix $(MODDIR)/$(m),$(MOD_SUFFIXES)))
	@$(foreach m,$(MOD_FILES),$(call prune,$(MODDIR)/$(patsubst %/,%,$(dir $(m))),$(or $(INSTALL_MOD_PATH),$(MODTREE)));)
	@if [ ! -d $(MODTREE) ]; then :; \
	elif [ -n "$(INSTALL_MOD_PATH)" ] && [ -z "$$(find $(MODTREE) -name '*.ko*' -print -quit)" ]; then \
		echo "rm -f $(MODTREE)/<depmod files>"; \
		rm -f $(addprefix $(MODTREE)/,$(DEPMOD_FILES)); \
		$(call prune,$(MODTREE),$(INSTALL_MOD_PATH)); \
	else \
		echo "depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)"; \
		depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER); \
	fi
	$(MAKE) -C tools uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) BINDIR=$(BINDIR) MANDIR=$(MANDIR)
	rm -f $(DESTDIR)$(CALLOUTDIR)/spar-hba-luns $(DESTDIR)$(SYSTEMDUNITDIR)/spar-hba-luns.service \
		$(DESTDIR)$(UDEVRULESDIR)/60-spar-mdev.rules
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_FILES))
	@$(call prune,$(DESTDIR)$(DOCDIR)/Documentation,$(call top,$(PREFIX)/share)); \
	$(call prune,$(DESTDIR)$(DOCDIR)/samples/mdevctl,$(call top,$(PREFIX)/share)); \
	$(call prune,$(DESTDIR)$(DOCDIR)/samples/libvirt,$(call top,$(PREFIX)/share)); \
	$(call prune,$(DESTDIR)$(MANDIR)/man8,$(call top,$(MANDIR))); \
	$(foreach d,$(BINDIR) $(CALLOUTDIR) $(SYSTEMDUNITDIR) $(UDEVRULESDIR), \
		$(call prune,$(DESTDIR)$(d),$(call top,$(d)));)

# DKMS source trees: spar-mdev (the host module) and spar-mdev-guest (the
# guest modules), each with the sources it builds and its dkms.conf
# (dkms.conf, dkms-guest.conf) at the version of the file VERSION.
SPAR_VERSION := $(shell cat $(ROOT)/VERSION)
DKMS_SRCDIR ?= /usr/src
DKMS_COMMON = Kbuild VERSION scripts/compat-probe.sh $(wildcard channel/*.[ch]) \
	      $(shell find include -name '*.h')
DKMS_HOST   = mdev-parent/Kbuild $(filter-out %.mod.c %_probed.h, \
		$(wildcard mdev-parent/*.[ch] mdev-parent/probes/*.c))
DKMS_GUEST  = guest/Kbuild $(wildcard guest/*/Kbuild) $(filter-out %.mod.c %_probed.h, \
		$(wildcard guest/*/*.[ch] guest/*/probes/*.c)) \
	      $(shell find guest/include -name '*.h')
DKMS_HOST_DIR  = $(DESTDIR)$(DKMS_SRCDIR)/spar-mdev-$(SPAR_VERSION)
DKMS_GUEST_DIR = $(DESTDIR)$(DKMS_SRCDIR)/spar-mdev-guest-$(SPAR_VERSION)

dkms-install:
	rm -rf $(DKMS_HOST_DIR) $(DKMS_GUEST_DIR)
	for f in $(DKMS_COMMON) $(DKMS_HOST); do install -D -m 0644 "$$f" "$(DKMS_HOST_DIR)/$$f" || exit 1; done
	sed 's/@VERSION@/$(SPAR_VERSION)/' dkms.conf > $(DKMS_HOST_DIR)/dkms.conf
	for f in $(DKMS_COMMON) $(DKMS_GUEST); do install -D -m 0644 "$$f" "$(DKMS_GUEST_DIR)/$$f" || exit 1; done
	sed 's/@VERSION@/$(SPAR_VERSION)/' dkms-guest.conf > $(DKMS_GUEST_DIR)/dkms.conf
	@echo "next: dkms add spar-mdev/$(SPAR_VERSION) (host) or spar-mdev-guest/$(SPAR_VERSION) (guest);"
	@echo "      dkms build, dkms install (Documentation/admin-guide.rst, DKMS)"

dkms-uninstall:
	rm -rf $(DKMS_HOST_DIR) $(DKMS_GUEST_DIR)
	@$(call prune,$(DESTDIR)$(DKMS_SRCDIR),$(call top,$(DKMS_SRCDIR)))

# dkms add, build (every installed kernel with headers), status and remove
# of both packages in a temporary tree; not part of check.
check-dkms: deps
	@$(ROOT)/scripts/dkms-check.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(ROOT) SPAR_MODULES=all clean
	-$(MAKE) -C tools clean
	rm -rf build
