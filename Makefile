# SPDX-License-Identifier: GPL-2.0-only
#
# khv top-level Makefile.
#   make              build khv.ko (and khv_kunit.ko where the kernel has KUnit)
#                     against the running kernel; KDIR=/path/to/build overrides
#   make compat       build against Debian's 6.1, 6.12 and 7.3 kernels (modpost included)
#   make check        install what is needed, run KUnit + kselftests in the emulated hosts
#   make check-long   what does not fit into make check: Linux booting under hvctl run in the
#                     Bochs (VMX) host, hours (scripts/check.sh, KHV_LONG=1)
#   make demo         install what is needed, boot the SVM emulated host, load khv
#   make fuzz         khv's fuzzers in an emulated host: VENDOR=amd|intel, FUZZ_MINUTES=N (10),
#                     FUZZ_SEED=S (Documentation/fuzzing.rst)
#   make bench        khv against KVM on the same guests, in each emulated host (both, or
#                     VENDOR=amd|intel; BENCH_ARGS=opt,opt for khv_bench; BENCH_MITIG=1 then
#                     measures each entry-path mitigation's cost; BENCH_BOOT=N Linux boots per
#                     side, 0 none; BENCH_BOOT_VENDORS="amd intel" adds Bochs's; BENCH_CPUS=2
#                     hosts with two CPUs):
#                     Documentation/performance.md
#   make check-fresh  make demo + make check in a new minimal Debian 12 root (debootstrap):
#                     proves that the two commands install everything they need (slow)
#   make install      install the module, hvctl, its man page and bash completion

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)
VENDOR ?= amd
FUZZ_MINUTES ?= 10
FUZZ_SEED ?=
BENCH_ARGS ?=
BENCH_MITIG ?= 0
BENCH_BOOT ?=
BENCH_BOOT_VENDORS ?=
BENCH_BOOT_TIMEOUT ?=
BENCH_CPUS ?= 1
# make bench measures both vendors unless VENDOR is given.
BENCH_VENDORS = $(if $(filter command line environment,$(origin VENDOR)),$(VENDOR),amd intel)

# Warnings are errors in our own code: W=1 and sparse must stay silent.
ifneq ($(KHV_WERROR),0)
export KHV_WERROR := 1
endif

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	$(MAKE) -C selftests clean
	rm -f modules.order Module.symvers

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -A
	$(MAKE) -C tools/hvctl install

compat:
	@bash scripts/compat.sh

check:
	@bash scripts/check.sh

demo:
	@bash scripts/demo.sh $(VENDOR)

fuzz:
	@VENDOR=$(VENDOR) FUZZ_MINUTES=$(FUZZ_MINUTES) FUZZ_SEED=$(FUZZ_SEED) bash scripts/fuzz.sh

bench:
	@VENDOR="$(BENCH_VENDORS)" BENCH_ARGS="$(BENCH_ARGS)" BENCH_MITIG="$(BENCH_MITIG)" \
		BENCH_BOOT="$(BENCH_BOOT)" BENCH_BOOT_VENDORS="$(BENCH_BOOT_VENDORS)" \
		BENCH_BOOT_TIMEOUT="$(BENCH_BOOT_TIMEOUT)" BENCH_CPUS="$(BENCH_CPUS)" \
		bash scripts/bench.sh

check-long:
	@KHV_LONG=1 bash scripts/check.sh

check-fresh:
	@bash scripts/check-fresh.sh

checkpatch:
	@bash scripts/checkpatch.sh

.PHONY: all modules clean install compat check check-long check-fresh demo checkpatch fuzz bench
