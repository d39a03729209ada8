# SPDX-License-Identifier: GPL-2.0
#
# lkvm-rcar: one Makefile for the VMM, its unit tests and its rig.
#
#   make              cross-build ./lkvm-rcar (static, arm64)
#   make unit         unit tests, natively, under ASan and UBSan
#   make check        deps, unit tests and the system tests in the rig
#   make demo         the main scenario on the emulated board
#   make initramfs    build/initramfs.cpio.gz: a guest with a shell and libgpiod's tools
#   make fuzz         each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench        lkvm-rcar against QEMU and kvmtool in the rig (BENCH_QUICK=1: once;
#                     BENCH_REPORT=1: the figures again from the last run's logs)
#   make deb          the Debian package for arm64, checked with lintian
#   make deb-check    the package's VMM in one rig configuration
#   make check-lava   contrib/lava's job run by lava-dispatcher on the emulated board
#   make install      PREFIX=/usr/local DESTDIR=
#
# CROSS_COMPILE= and CC= work as in the kernel; STATIC=0 links dynamically;
# WERROR=0 drops -Werror; V=1 shows the commands; CPPFLAGS, CFLAGS and
# LDFLAGS are taken as dpkg-buildflags gives them.

PROGRAM		:= lkvm-rcar
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin

HOST_ARCH	:= $(shell uname -m)
ifeq ($(HOST_ARCH),aarch64)
CROSS_COMPILE	?=
else
CROSS_COMPILE	?= aarch64-linux-gnu-
endif
CC		:= $(CROSS_COMPILE)gcc
HOSTCC		?= cc
STATIC		?= 1
WERROR		?= 1

CACHE_DIR	?= $(or $(LKVM_RCAR_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/lkvm-rcar)
# Cross builds take libfdt and liburing from the arm64 sysroot that
# tests/rig/deps.sh unpacks; native arm64 builds use the system's, and so
# do cross builds given SYSROOT= (the arm64 -dev packages installed).
ifneq ($(CROSS_COMPILE),)
SYSROOT		?= $(CACHE_DIR)/sysroot-arm64
endif
ifneq ($(SYSROOT),)
TARGET_FLAGS	:= -isystem $(SYSROOT)/usr/include
TARGET_LDFLAGS	:= -L$(SYSROOT)/usr/lib/aarch64-linux-gnu
endif

VERSION		:= $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CFLAGS		?= -O2 -g
override CFLAGS	+= -std=gnu11 -Wall -Wextra -I. -MMD -MP -D_GNU_SOURCE
ifeq ($(WERROR),1)
override CFLAGS	+= -Werror
endif

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-5s %s\n'
endif

# Pure modules: no KVM or VFIO ioctl(); they build natively for the unit
# tests.
PURE_SRCS	:= vmm/log.c vmm/config.c vmm/loop.c vmm/record.c vmm/ram.c \
		   devices/virtio/virtq.c devices/virtio/mmio.c devices/virtio/queue.c \
		   arch/arm64/image.c fdt/dt.c fdt/host-node.c devices/vfio/bind.c \
		   devices/virtio/gpio-msg.c devices/virtio/console-input.c \
		   devices/virtio/blk-req.c devices/virtio/rng-fill.c devices/backend/disk-image.c \
		   vmm/seccomp-bpf.c vmm/mmio-ring.c
VMM_SRCS	:= $(PURE_SRCS) vmm/main.c vmm/vm.c vmm/vcpu.c vmm/run.c \
		   vmm/boot.c vmm/term.c vmm/stats.c vmm/sandbox.c \
		   arch/arm64/gic.c arch/arm64/regs.c \
		   devices/virtio/console.c devices/pvpanic.c devices/vfio/platform.c \
		   devices/vfio/container.c devices/backend/gpio-cdev.c devices/virtio/gpio.c \
		   devices/virtio/blk.c devices/virtio/rng.c \
		   devices/virtio/plug.c
TEST_SRCS	:= $(wildcard tests/check_*.c)

TARGET_OBJS	:= $(VMM_SRCS:%.c=build/target/%.o)
UNIT_OBJS	:= $(PURE_SRCS:%.c=build/unit/%.o) $(TEST_SRCS:%.c=build/unit/%.o)

LIBS		:= -lfdt -luring -lpthread
ifeq ($(STATIC),1)
LDSTATIC	:= -static
endif

# Native libfdt: the system's, or where tests/rig/deps.sh unpacked it when
# libfdt-dev:arm64 holds the system's place (the two cannot coexist).
FDT_NATIVE	:= $(wildcard $(CACHE_DIR)/libfdt-$(shell dpkg --print-architecture 2>/dev/null)/.complete)
HOST_LIBFDT	:= $(if $(FDT_NATIVE),$(wildcard $(dir $(FDT_NATIVE))usr/lib/*/libfdt.a),-lfdt)
HOST_FDTFLAGS	:= $(if $(FDT_NATIVE),-isystem $(dir $(FDT_NATIVE))usr/include)

SANITIZE	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
CHECK_LIBS	:= $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt)

# libFuzzer targets (clang), over the pure modules.
FUZZ_TARGETS	:= virtq virtio_mmio image config host_node virtio_gpio console_input blk_req
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
FUZZ_FLAGS	:= -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
FUZZ_OBJS	:= $(PURE_SRCS:%.c=build/fuzz/%.o)

.PHONY: all unit check check-lava system demo deps kernel install clean fuzz bench deb deb-check initramfs
all: $(PROGRAM)

$(PROGRAM): $(TARGET_OBJS)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDSTATIC) $(LDFLAGS) $(TARGET_LDFLAGS) -o $@ $^ $(LIBS)

LIBS_FOUND	?= build/target/.libs-found
build/target/%.o: %.c | $(LIBS_FOUND)
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(TARGET_FLAGS) -DLKVM_VERSION='"$(VERSION)"' -c -o $@ $<

# A fresh checkout has no arm64 libraries yet: one line that says what to
# run, rather than the compiler's "libfdt.h: No such file" per object.
# Linked, not only included: Debian's cross compiler also finds the build
# machine's own headers in /usr/include.
$(LIBS_FOUND):
	$(Q)printf '#include <libfdt.h>\n#include <liburing.h>\nint main(void) { struct io_uring r; return fdt_check_header(0) + io_uring_queue_init(1, &r, 0); }\n' | \
		$(CC) $(CPPFLAGS) $(TARGET_FLAGS) $(LDSTATIC) $(TARGET_LDFLAGS) -x c - -o /dev/null $(LIBS) >/dev/null 2>&1 || { \
		echo "make: $(CC) cannot build with libfdt and liburing$(if $(SYSROOT), from $(SYSROOT)); run 'make deps' first$(if $(CROSS_COMPILE),, or install libfdt-dev liburing-dev)"; \
		exit 1; }
	@mkdir -p $(dir $@) && touch $@

# The same VMM with the --stats counters compiled out, for make bench to
# measure what they cost.
NOCOUNT_OBJS	:= $(VMM_SRCS:%.c=build/nocount/%.o)

build/bench/lkvm-rcar-nocount: $(NOCOUNT_OBJS)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDSTATIC) $(TARGET_LDFLAGS) -o $@ $^ $(LIBS)

build/nocount/%.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CFLAGS) $(TARGET_FLAGS) -DLKVM_NO_COUNTERS -DLKVM_VERSION='"$(VERSION)"' -c -o $@ $<

# The same VMM without populating guest RAM before type1 pins it: the
# pinning as it was before, for make bench to measure against in the same
# host.
POPULATE_SRC	:= devices/vfio/container.c
NOPOPULATE_OWN	:= $(POPULATE_SRC:%.c=build/nopopulate/%.o)
NOPOPULATE_OBJS	:= $(filter-out $(POPULATE_SRC:%.c=build/target/%.o),$(TARGET_OBJS)) \
		   $(NOPOPULATE_OWN)

build/bench/lkvm-rcar-nopopulate: $(NOPOPULATE_OBJS)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDSTATIC) $(TARGET_LDFLAGS) -o $@ $^ $(LIBS)

build/nopopulate/%.o: %.c | $(LIBS_FOUND)
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(TARGET_FLAGS) -DLKVM_NO_POPULATE -DLKVM_VERSION='"$(VERSION)"' -c -o $@ $<

build/unit/%.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $<
	$(Q)$(HOSTCC) $(CFLAGS) $(HOST_FDTFLAGS) $(SANITIZE) -c -o $@ $<

build/unit/check_all: $(UNIT_OBJS)
	$(quiet) LINK $@
	$(Q)$(HOSTCC) $(SANITIZE) -o $@ $^ $(HOST_LIBFDT) -luring -lseccomp -lpthread $(CHECK_LIBS)

# Check stops a test after 4 s by default: a hang guard, which a loaded
# machine and the sanitizers can trip; 120 s still catches a hang.
unit: build/unit/check_all
	$(Q)LKVM_DT_FIXTURES=$$(sh tests/rig/dt-fixtures.sh) \
		CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-120} ./$<

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $<
	$(Q)$(FUZZ_CC) $(filter-out -Werror,$(CFLAGS)) -Werror $(HOST_FDTFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/common.c $(FUZZ_OBJS)
	$(quiet) FUZZLD $@
	$(Q)$(FUZZ_CC) $(CFLAGS) $(HOST_FDTFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(HOST_LIBFDT) -luring -lpthread

.SECONDARY: $(FUZZ_OBJS)
fuzz: $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The bench's arm64 helpers: vmmtime and loadcopy in the emulated host, mmio-loop,
# gpio-toggle, gpio-react and blk-io in the guest, an Image that powers off at
# its first instruction, the VMM without its counters and the VMM without
# populating guest RAM.
BENCH_TOOLS	:= build/bench/vmmtime build/bench/mmio-loop build/bench/gpio-toggle \
		   build/bench/gpio-react build/bench/blk-io build/bench/loadcopy \
		   build/bench/poweroff.Image \
		   build/bench/lkvm-rcar-nocount build/bench/lkvm-rcar-nopopulate

build/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CFLAGS) -static -o $@ $<

build/bench/poweroff.Image: tests/bench/poweroff.S
	@mkdir -p $(dir $@)
	$(quiet) AS $<
	$(Q)$(CC) -nostdlib -static -Wl,-Ttext=0 -Wl,--build-id=none -o $@.elf $<
	$(Q)$(CROSS_COMPILE)objcopy -O binary $@.elf $@

# What the emulated host's image carries besides the VMM: vmmtime; ptyrun,
# which runs the VMM at a pseudo-terminal for the system tests; runas,
# which runs it as an ordinary user; gpiotool, which looks at and drives
# the host's GPIO lines; and in the guest's image, vq-flood, a hostile
# virtio driver.
RIG_TOOLS	:= build/bench/vmmtime build/tools/ptyrun build/tools/runas \
		   build/tools/gpiotool build/guest/vq-flood build/initramfs.cpio.gz

# A guest initramfs for trying lkvm-rcar by hand: busybox, libgpiod's
# tools and a shell on the console (the rig boots it too).
initramfs: deps build/initramfs.cpio.gz

build/initramfs.cpio.gz: guest/initramfs.sh guest/rootfs-init
	$(quiet) GEN $@
	$(Q)sh guest/initramfs.sh $@

build/tools/%: tests/system/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CFLAGS) -static -o $@ $<

build/guest/%: guest/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CFLAGS) -static -pthread -o $@ $<

bench: deps $(PROGRAM) $(BENCH_TOOLS) $(RIG_TOOLS)
	$(Q)tests/bench/run.sh

deps:
	$(Q)sh tests/rig/deps.sh

kernel: deps
	$(Q)sh tests/rig/kernel.sh >/dev/null

system: deps $(PROGRAM) $(RIG_TOOLS)
	$(Q)tests/system/run.sh

check: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)sh tests/bench/check-figures.sh
	$(Q)sh tests/docs/check.sh
	$(Q)sh tests/lava/check.sh
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=8
	$(Q)$(MAKE) --no-print-directory system
	$(Q)$(MAKE) --no-print-directory deb-check
	$(Q)sh tests/docs/examples.sh run
	$(Q)$(MAKE) --no-print-directory check-lava
	$(Q)$(MAKE) --no-print-directory bench BENCH_QUICK=1

# contrib/lava's job run by LAVA itself (lava-dispatcher's lava-run) on
# the emulated Salvator-X; lava-dispatcher is installed for this target
# only (tests/lava/deps.sh).
check-lava: deps $(PROGRAM)
	$(Q)sh tests/lava/run-lava.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(PROGRAM) $(RIG_TOOLS)
	$(Q)tests/rig/demo.sh

install: $(PROGRAM)
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(PROGRAM) $(DESTDIR)$(BINDIR)/$(PROGRAM)

# The Debian package for arm64 (debian/), built in a copy of the tree
# under build/deb, natively or cross, and checked with lintian. Debian 12
# cannot install libfdt-dev for two architectures at once, so a cross
# build here takes the arm64 libraries' headers from the sysroot
# tests/rig/deps.sh unpacks (LKVM_RCAR_SYSROOT) and skips the build
# dependency check (-d) that would want libfdt-dev:arm64 installed.
DEB_DIR		:= build/deb
deb: deps
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	$(Q)git ls-files -co --exclude-standard | grep -v '^build/' | tar -cf - -T - | tar -xf - -C $(DEB_DIR)/src
	$(quiet) DEB $(DEB_DIR)
	$(Q)cd $(DEB_DIR)/src && \
		LKVM_RCAR_SYSROOT=$(if $(CROSS_COMPILE),$(abspath $(CACHE_DIR))/sysroot-arm64) \
		dpkg-buildpackage -a arm64 -b -us -uc $(if $(CROSS_COMPILE),-d) >../build.log 2>&1 || \
		{ tail -30 ../build.log; echo "deb: dpkg-buildpackage failed; see $(DEB_DIR)/build.log"; exit 1; }
	$(quiet) LINT $(DEB_DIR)
	$(Q)lintian --fail-on error,warning $(DEB_DIR)/*.changes
	$(Q)dpkg-deb -x $(DEB_DIR)/lkvm-rcar_*_arm64.deb $(DEB_DIR)/root
	@echo "deb: $$(ls $(DEB_DIR)/*.deb), lintian clean"

# One rig configuration, the Salvator-X's, with the VMM out of the package.
deb-check: deb $(RIG_TOOLS)
	$(Q)RIG_VMM=$(DEB_DIR)/root/usr/bin/lkvm-rcar RIG_RESULTS=$(abspath $(DEB_DIR))/system \
		RIG_VMM_VERSION=$$(dpkg-deb -f $(DEB_DIR)/lkvm-rcar_*_arm64.deb Version) \
		RIG_CELLS_ONLY=nvhe-gicv2-smmu RIG_SUITES_ONLY=scenario tests/system/run.sh

clean:
	rm -rf build $(PROGRAM)

-include $(TARGET_OBJS:.o=.d) $(NOCOUNT_OBJS:.o=.d) $(NOPOPULATE_OWN:.o=.d) $(UNIT_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)
