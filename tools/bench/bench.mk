# SPDX-License-Identifier: GPL-2.0-only
# bench.mk - builds the benchmarks. Run through the top Makefile (`make bench`, `make bench-quick`),
# which passes BUILD, CC, CLANG, BPFTOOL, CFLAGS, COMMON_CFLAGS, BPF_CFLAGS and LIBS down, so the
# bench's BPF objects get exactly the project's clang flags.
B := $(BUILD)/bench
BENCH_BPF := empty naive driver
BENCH_SKELS := $(BENCH_BPF:%=$(B)/%.skel.h)
# The real encoders and scanner, as `make` built them for build/tflow; the loader for the size it
# gives tflow_ext_ring (with what it links).
BENCH_USER := $(addprefix $(BUILD)/user/,cache/cache.o cache/extstore.o cache/iter.o \
	cache/scan_choice.o cache/spill.o cache/take.o datapath/kernel.o util/ftable.o record/record.o util/log.o \
	export/ie.o export/msg.o record/fields.o export/layout.o export/nf5.o export/nf9.o \
	export/ipfix.o datapath/loader.o config/collect.o datapath/hooks.o datapath/stats.o config/ifmatch.o)
BENCH_CFLAGS := $(COMMON_CFLAGS) -I$(B) -Itools/bench

.SECONDARY:
.PHONY: bench-build
bench-build: $(B)/bpf_bench $(B)/xdpgen $(B)/afpgen $(BENCH_BPF:%=$(B)/%.bpf.o)

$(B):
	mkdir -p $@

$(B)/%.bpf.o: tools/bench/%.bpf.c | $(B)
	$(CLANG) $(BPF_CFLAGS) -MF $(B)/$*.bpf.d -c $< -o $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# bpf_bench: the options and verdicts, then one file per section (bench.h) and what they share.
BENCH_OBJS := $(addprefix $(B)/,bpf_bench.o datapath_bench.o puts.o export_bench.o scan_bench.o \
	memory_bench.o)

$(BENCH_OBJS): $(B)/%.o: tools/bench/%.c $(BENCH_SKELS) $(BUILD)/tflow.skel.h | $(B)
	$(CC) $(BENCH_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/bpf_bench: $(BENCH_OBJS) $(BENCH_USER) | $(B)
	$(CC) $(CFLAGS) $(BENCH_OBJS) $(BENCH_USER) -o $@ $(LIBS)

$(B)/xdpgen: tools/bench/xdpgen.c $(B)/driver.skel.h | $(B)
	$(CC) $(BENCH_CFLAGS) $(CFLAGS) -MF $@.d tools/bench/xdpgen.c -o $@ $(LIBS)

# The generator where the kernel refuses live-frames test runs: AF_PACKET, no BPF.
$(B)/afpgen: tools/bench/afpgen.c | $(B)
	$(CC) $(BENCH_CFLAGS) $(CFLAGS) -MF $@.d tools/bench/afpgen.c -o $@

-include $(wildcard $(B)/*.d)
