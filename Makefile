# SPDX-License-Identifier: GPL-2.0-only
# tflow - eBPF flow exporter. `make` builds build/tflow; `make test` runs every test.
BUILD     ?= build
CLANG     ?= clang
CC        ?= gcc
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

COMMON_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Iinclude -Iuser -I$(BUILD) -MMD -MP
CFLAGS    ?= -O2 -g
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror -I. -Iinclude -MMD -MP
LIBS      := -lbpf -lelf -lz

# The folders of user/ (user/README.md): those without libbpf or the skeletons are pure, linked
# into the unit tests and fuzzers (also under ASan/UBSan). user/*.c is the command itself.
PURE_DIRS := util record config enrich export status top
PURE_SRCS := $(sort $(foreach d,$(PURE_DIRS),$(wildcard user/$(d)/*.c)))
USER_SRCS := $(sort $(wildcard user/*.c user/*/*.c))
USER_OBJS := $(USER_SRCS:user/%.c=$(BUILD)/user/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%) $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit-san/%)
FUZZ_BPF_SRCS := $(wildcard tests/bpf/fuzz_bpf*.c)
BPF_TEST_SRCS := $(filter-out $(FUZZ_BPF_SRCS),$(wildcard tests/bpf/*.c))

.PHONY: all clean test unit deps vmlinux demo check-format format bench
all: $(BUILD)/tflow

$(BUILD) $(BUILD)/unit $(BUILD)/unit-san:
	mkdir -p $@

$(BUILD)/tflow.bpf.o: bpf/tflow.bpf.c | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -MF $(BUILD)/tflow.bpf.d -c $< -o $@

$(BUILD)/tflow.skel.h: $(BUILD)/tflow.bpf.o
	$(BPFTOOL) gen skeleton $< name tflow_bpf > $@.tmp && mv $@.tmp $@

# The in-kernel cache scan (user/cache/iter.c): an object of its own, so the datapath's skeleton and
# load do not depend on iterator support.
$(BUILD)/tflow_iter.bpf.o: bpf/iter.bpf.c | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -MF $(BUILD)/tflow_iter.bpf.d -c $< -o $@

$(BUILD)/tflow_iter.skel.h: $(BUILD)/tflow_iter.bpf.o
	$(BPFTOOL) gen skeleton $< name tflow_iter_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/user/cache/iter.o $(BUILD)/user/cache/take.o: $(BUILD)/tflow_iter.skel.h

$(BUILD)/user/%.o: user/%.c $(BUILD)/tflow.skel.h
	@mkdir -p $(@D)
	$(CC) $(COMMON_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tflow: $(USER_OBJS)
	$(CC) $(CFLAGS) $^ -o $@ $(LIBS)

# The pure sources are compiled once for each build (plain: the command's own objects; ASan/UBSan:
# $(BUILD)/san) and linked into every unit test and the replaying fuzzers.
PURE_OBJS     := $(PURE_SRCS:user/%.c=$(BUILD)/user/%.o)
PURE_SAN_OBJS := $(PURE_SRCS:user/%.c=$(BUILD)/san/%.o)

# Kept between runs: make would delete them as intermediate files (and print so after the tests).
.SECONDARY: $(PURE_SAN_OBJS)
$(BUILD)/san/%.o: user/%.c
	@mkdir -p $(@D)
	$(CC) $(COMMON_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/unit/%: tests/unit/%.c $(PURE_OBJS) | $(BUILD)/unit
	$(CC) $(COMMON_CFLAGS) -Itests/unit $(CFLAGS) -MF $@.d $< $(PURE_OBJS) -o $@

$(BUILD)/unit-san/%: tests/unit/%.c $(PURE_SAN_OBJS) | $(BUILD)/unit-san
	$(CC) $(COMMON_CFLAGS) -Itests/unit $(SAN_FLAGS) -MF $@.d $< $(PURE_SAN_OBJS) -o $@

# With the scanner (tests/bpf/iter_cases.c: the in-kernel scan and its fallback).
BPF_TEST_USER := $(wildcard user/cache/*.c) user/datapath/kernel.c user/util/ftable.c user/record/record.c \
	user/util/log.c
$(BUILD)/test_bpf: $(BPF_TEST_SRCS) $(BPF_TEST_USER) $(BUILD)/tflow.skel.h $(BUILD)/tflow_iter.skel.h
	$(CC) $(COMMON_CFLAGS) -Itests/bpf $(CFLAGS) $(BPF_TEST_SRCS) $(BPF_TEST_USER) -o $@ $(LIBS)

unit: $(UNIT_BINS)

# Installs what the build, demo and tests need (Debian 12, as root); quick when already there.
deps:
	@sh tools/deps.sh

test: deps all unit $(BUILD)/test_bpf $(BUILD)/fuzz_bpf fuzz-build
	@bash tests/run.sh

demo: deps all
	@bash tools/demo.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

check-format:
	@clang-format --dry-run --Werror bpf/*.c bpf/*.h user/*.[ch] user/*/*.[ch] include/*.h tests/unit/*.c tests/bpf/*.c

format:
	clang-format -i bpf/*.c bpf/*.h user/*.[ch] user/*/*.[ch] include/*.h tests/unit/*.c tests/bpf/*.c

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/*.d $(BUILD)/user/*.d $(BUILD)/user/*/*.d $(BUILD)/san/*/*.d \
	$(BUILD)/unit/*.d $(BUILD)/unit-san/*.d)

# Benchmarks (tools/bench/PERFORMANCE.md), not part of `make test`: root; exit 1 when a target is
# missed. The bench's BPF objects are built with the project's BPF_CFLAGS.
.PHONY: bench-quick
bench: deps all
	@$(MAKE) --no-print-directory -f tools/bench/bench.mk BUILD="$(BUILD)" CC="$(CC)" \
		CLANG="$(CLANG)" BPFTOOL="$(BPFTOOL)" CFLAGS="$(CFLAGS)" \
		COMMON_CFLAGS="$(COMMON_CFLAGS)" BPF_CFLAGS="$(BPF_CFLAGS)" LIBS="$(LIBS)" bench-build
	@bash tools/bench/run.sh

bench-quick: deps all
	@$(MAKE) --no-print-directory -f tools/bench/bench.mk BUILD="$(BUILD)" CC="$(CC)" \
		CLANG="$(CLANG)" BPFTOOL="$(BPFTOOL)" CFLAGS="$(CFLAGS)" \
		COMMON_CFLAGS="$(COMMON_CFLAGS)" BPF_CFLAGS="$(BPF_CFLAGS)" LIBS="$(LIBS)" bench-build
	@bash tools/bench/run.sh --quick

# Bad input. build/fuzz_bpf: random and mutated frames through both programs with test_run
# (tests/e2e/test_fuzz_bpf.sh runs it); a program of its own (tests/bpf/fuzz_bpf*.c), kept out of
# BPF_TEST_SRCS.

$(BUILD)/fuzz_bpf: $(FUZZ_BPF_SRCS) tests/bpf/fuzz_bpf.h $(BUILD)/tflow.skel.h | $(BUILD)
	$(CC) $(COMMON_CFLAGS) -Itests/bpf $(CFLAGS) $(FUZZ_BPF_SRCS) -o $@ $(LIBS)

# libFuzzer targets (tests/fuzz/*.c): $(BUILD)/fuzz/T with clang's libFuzzer and ASan/UBSan, and
# $(BUILD)/fuzz-replay/T, the same checks under gcc's ASan/UBSan replaying tests/fuzz/corpus/T.
# `make fuzz` fuzzes each target FUZZ_TIME seconds; `make test` does so through
# tests/e2e/test_fuzz_userspace.sh.
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 20
FUZZ_FLAGS   := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := fuzz_config fuzz_encode
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: deps fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) BUILD=$(BUILD) bash tests/fuzz/run.sh

$(BUILD)/fuzz $(BUILD)/fuzz-replay:
	mkdir -p $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(PURE_SRCS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(COMMON_CFLAGS) -Itests/fuzz $(FUZZ_FLAGS) -MF $@.d $(filter tests/fuzz/%.c,$^) \
		$(PURE_SRCS) -o $@

$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(PURE_SAN_OBJS) | $(BUILD)/fuzz-replay
	$(CC) $(COMMON_CFLAGS) -Itests/fuzz $(SAN_FLAGS) -MF $@.d $(filter tests/fuzz/%.c,$^) \
		$(PURE_SAN_OBJS) -o $@

# fuzz_encode's checks of each field it parses back are a file of their own.
$(BUILD)/fuzz/fuzz_encode $(BUILD)/fuzz-replay/fuzz_encode: tests/fuzz/fuzz_encode_fields.c

-include $(wildcard $(BUILD)/fuzz/*.d $(BUILD)/fuzz-replay/*.d)

# Install (README, "Install and run as a service"): the binary, the systemd unit with its paths
# filled in, the man page, and an example configuration unless one exists. DESTDIR stages it.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# Debian's own units live in /lib/systemd/system; systemd also reads /usr/local/lib/systemd/system.
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
PYTHON     ?= /usr/bin/python3
CONF       := $(DESTDIR)$(SYSCONFDIR)/tflow/tflow.conf

.PHONY: man install uninstall
man: $(BUILD)/tflow.8

$(BUILD)/tflow.8: doc/tflow.8.md tools/mkman.py | $(BUILD)
	$(PYTHON) tools/mkman.py $< > $@.tmp && mv $@.tmp $@

install: all man
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/tflow
	install -m 0755 $(BUILD)/tflow $(DESTDIR)$(SBINDIR)/tflow
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/tflow.service.in > $(DESTDIR)$(UNITDIR)/tflow.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tflow.service
	gzip -9n < $(BUILD)/tflow.8 > $(DESTDIR)$(MANDIR)/man8/tflow.8.gz
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/tflow.8.gz
	@if [ -e $(CONF) ]; then echo "install: keeping $(CONF)"; \
	else echo "install -m 0644 dist/tflow.conf $(CONF)"; install -m 0644 dist/tflow.conf $(CONF); fi
	@[ -n "$(DESTDIR)" ] || echo "install: now 'systemctl daemon-reload', edit $(CONF), then 'systemctl enable --now tflow'"

# The configuration goes only if it is still the example: an operator's edits stay.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/tflow $(DESTDIR)$(UNITDIR)/tflow.service \
		$(DESTDIR)$(MANDIR)/man8/tflow.8.gz
	@if cmp -s dist/tflow.conf $(CONF); then echo "rm -f $(CONF)"; rm -f $(CONF); \
	elif [ -e $(CONF) ]; then echo "uninstall: keeping $(CONF) (edited)"; fi
	@rmdir $(DESTDIR)$(SYSCONFDIR)/tflow 2>/dev/null || true
