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
MIXED_TESTS ?= 30-visornic
RESULTS := $(ROOT)/build/results
# Runs that write build/results take this lock (scripts/lock.sh).
LOCK    := $(ROOT)/scripts/lock.sh

# Extra kbuild arguments, e.g. W=1 or C=2 (scripts/lint.sh uses them).
KBUILD_ARGS ?=
# Seconds `make fuzz` gives each fuzz target.
FUZZ_SECONDS ?= 60

.PHONY: all deps modules tools check check-unit check-vm check-e2e lint check-debug \
	fuzz bench demo install clean help unit-tier check-tiers soak-unmap

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
	@echo "make soak-unmap   RACE_CYCLES (10000) dma_unmap races, some 2.5 minutes (not in check)"
	@echo "make bench        benchmarks (never part of check)"
	@echo "make demo         boot a VM, load the module, create one instance of each type"
	@echo "make install      install the modules for the running kernel (KVER=... to choose)"

deps:
	@$(ROOT)/scripts/deps.sh

modules: deps
	@test -n "$(KVER)" || { echo "no installed kernel with headers found (scripts/kver.sh)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(ROOT) $(KBUILD_ARGS) modules

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

check-tiers:
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
	@$(ROOT)/scripts/summary.sh $(RESULTS) unit lint $(addprefix vm-,$(KVERS)) e2e \
		$(if $(MIXED_L2),e2e-mixed)

bench: modules tools
	@$(ROOT)/tests/bench/run.sh

demo: modules
	@$(ROOT)/scripts/demo.sh

install: modules
	$(MAKE) -C $(KDIR) M=$(ROOT) INSTALL_MOD_DIR=updates/spar modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

clean:
	-$(MAKE) -C $(KDIR) M=$(ROOT) clean
	-$(MAKE) -C tools clean
	rm -rf build
