# SPDX-License-Identifier: GPL-2.0
#
# make bench: the raw runs (raw.jsonl, slurped) to the table's rows. Each
# row has the median and min-max spread of lkvm-rcar's and QEMU's runs and
# "advantage": how many times better lkvm-rcar is (above 1: better),
# whichever way "better" goes for the figure.

def stat:
  map(select(. != null)) | sort |
  if length == 0 then null
  else { median: (if length % 2 == 1 then .[length / 2 | floor]
                  else (.[length / 2 - 1] + .[length / 2]) / 2 end),
         min: .[0], max: .[-1], n: length }
  end;

# $host: the emulated host's configuration (tests/rig/cell.sh); runs of
# older benches name only its GIC, on a VHE host without an IOMMU.
def host_of: .host // "vhe-\(.gic)-noiommu";
def runs($fig; $vmm; $host; $case):
  map(select(.figure == $fig and .vmm == $vmm and host_of == $host and
             ($case == null or .case == $case)));

def mark($name): .run.marks[$name];
def init_mark: mark("guest: init reached");

# A row from per-run values of each VMM. A peer that gave no value is a
# finding for the table, said in the note, never a missing figure: only
# lkvm-rcar's own values must be there.
def row($id; $title; $unit; $better; $lkvm; $qemu; $note):
  ($lkvm | stat) as $l | ($qemu | stat) as $q |
  { id: $id, figure: $title, unit: $unit, better: $better,
    lkvm: $l, qemu: $q,
    note: ($note // (if $q == null then "QEMU gave no value in any run (see raw.jsonl)" else null end)),
    advantage: (if $l == null or $q == null or $l.median == 0 or $q.median == 0 then null
                elif $better == "lower" then $q.median / $l.median
                else $l.median / $q.median end) };

def one($v): [$v];

# The passed-through device's own entry in lkvm-rcar's --stats.
def passthrough_stats: .stats.devices[]? | select(.device != null);
def console_stats: .stats.devices[]? | select(.type == "virtio-console");
# Event-loop wake-ups of a run that were not the console's.
def other_wakeups: .stats.loop_wakeups - ([console_stats.loop_wakeups] | add // 0);

def mmio_line: mark("bench-mmio").line // "" | capture("accesses (?<n>[0-9]+) ns_per_access (?<ns>[0-9.]+)")?;

# Console runs count only when the bytes and their checksum arrived whole.
# A run with no such line at all (nothing arrived) is a lost run too:
# "// null" keeps the failed capture from making the whole test empty.
def console_ok:
  ((mark("bench-crc32").line // "" | capture("bench-crc32 (?<crc>[0-9a-fA-F]+) +(?<n>[0-9]+)")?) // null) as $c |
  $c != null and (.run.data.crc32 | ascii_downcase) == ($c.crc | ascii_downcase) and (.run.data.bytes | tostring) == $c.n;
def console_mib_s:
  if console_ok then .run.data.bytes / 1048576 / ((.run.data.end.ms - .run.data.begin.ms) / 1000)
  else null end;
def console_cpu_per_mib:
  if console_ok then (.run.data.end.cpu_ms - .run.data.begin.cpu_ms) / (.run.data.bytes / 1048576)
  else null end;
# Where that CPU went, as the kernel splits it by the tick: the VMM's
# threads outside the guest (its code and the kernel's work for it: the
# exits, the system calls), and of that its own code in user space.
def tick_delta(f): (.run.data.end[f] // -1) as $e | (.run.data.begin[f] // -1) as $b |
  if $e < 0 or $b < 0 then null else $e - $b end;
def console_per_mib(v): if console_ok and v != null then v / (.run.data.bytes / 1048576) else null end;
def console_own_cpu_per_mib:
  console_per_mib(if tick_delta("guest_cpu_ms") == null then null
    else tick_delta("user_cpu_ms") + tick_delta("sys_cpu_ms") - tick_delta("guest_cpu_ms") end);
def console_user_cpu_per_mib:
  console_per_mib(if tick_delta("guest_cpu_ms") == null then null
    else tick_delta("user_cpu_ms") - tick_delta("guest_cpu_ms") end);

def kib_to_mib: if . == null then null else . / 1024 end;
def overhead_mib:
  .run.last_sample as $m |
  if $m == null or $m.guest_ram_kib < 0 or $m.rss_kib < 0 then null
  else ($m.rss_kib - $m.guest_ram_kib) / 1024 end;

. as $all |
# QEMU runs whose console output did not arrive whole: not counted, said.
([ $all[] | select(.figure == "console" and .vmm == "qemu") ] | length) as $qemu_console_runs |
([ $all[] | select(.figure == "console" and .vmm == "qemu") | select(console_ok | not) ] | length) as $qemu_console_lost |
def qemu_console_note:
  if $qemu_console_lost == 0 then null
  else "QEMU lost console output in \($qemu_console_lost) of \($qemu_console_runs) runs (left out)" end;
{ meta: { repetitions: $reps, console_mib: $mib, presses: $presses,
          runs: length,
          # lkvm-rcar must deliver every console byte; a QEMU run that lost
          # some (its file chardev sometimes does here) is left out, and said.
          console_checksums: ([ $all[] | select(.figure == "console" and .vmm == "lkvm-rcar") | console_ok ] | all),
          qemu_console_runs_lost: ([ $all[] | select(.figure == "console" and .vmm == "qemu") | select(console_ok | not) ] | length) },
  rows: [
    ( ("gicv3", "gicv2") as $g |
      row("boot_\($g)"; "boot to the guest's init (\($g | sub("gicv"; "GICv")) host)"; "ms"; "lower";
          [ $all | runs("boot"; "lkvm-rcar"; "vhe-\($g)-noiommu"; null)[] | init_mark.ms ];
          [ $all | runs("boot"; "qemu"; "vhe-\($g)-noiommu"; null)[] | init_mark.ms ]; null) ),
    row("startup_cpu"; "start-up and tear-down CPU (guest powers off at once)"; "ms"; "lower";
        [ $all | runs("startup"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | .run.cpu_ms ];
        [ $all | runs("startup"; "qemu"; "vhe-gicv3-noiommu"; null)[] | .run.cpu_ms ]; null),
    row("startup_wall"; "start-up and tear-down wall time (same)"; "ms"; "lower";
        [ $all | runs("startup"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | .run.wall_ms ];
        [ $all | runs("startup"; "qemu"; "vhe-gicv3-noiommu"; null)[] | .run.wall_ms ]; null),
    row("first_run_cpu"; "CPU to the first KVM_RUN (--stats)"; "ms"; "lower";
        [ $all | runs("startup"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | .stats.startup.cpu_ms ]; [];
        "QEMU does not report it"),
    row("first_run_wall"; "wall time to the first KVM_RUN (--stats)"; "ms"; "lower";
        [ $all | runs("startup"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | .stats.startup.wall_ms ]; [];
        "QEMU does not report it"),
    ( ("128M-1cpu", "128M-2cpu", "512M-1cpu", "512M-2cpu") as $c |
      row("peak_rss_\($c)"; "peak RSS, \($c) guest"; "MiB"; "lower";
          [ $all | runs("memory"; "lkvm-rcar"; "vhe-gicv3-noiommu"; $c)[] | .run.peak_rss_kib | kib_to_mib ];
          [ $all | runs("memory"; "qemu"; "vhe-gicv3-noiommu"; $c)[] | .run.peak_rss_kib | kib_to_mib ]; null),
      row("overhead_\($c)"; "memory beyond guest RAM, \($c) guest"; "MiB"; "lower";
          [ $all | runs("memory"; "lkvm-rcar"; "vhe-gicv3-noiommu"; $c)[] | overhead_mib ];
          [ $all | runs("memory"; "qemu"; "vhe-gicv3-noiommu"; $c)[] | overhead_mib ]; null) ),
    ( ("mapped", "trapped") as $c |
      row("mmio_exits_\($c)"; "exits to user space per PL061 access, \($c)"; "exits"; "lower";
          [ $all | runs("mmio"; "lkvm-rcar"; "vhe-gicv3-noiommu"; $c)[] |
            (mmio_line.n | tonumber?) as $n |
            if $n then (passthrough_stats.mmio_exits) / $n else null end ];
          []; "QEMU cannot: \($qemu_passthrough)"),
      row("mmio_ns_\($c)"; "time per PL061 access, \($c)"; "ns"; "lower";
          [ $all | runs("mmio"; "lkvm-rcar"; "vhe-gicv3-noiommu"; $c)[] | mmio_line.ns | tonumber? ];
          []; "QEMU cannot: \($qemu_passthrough)") ),
    # What the --stats counters cost: the trapped loop again, on the VMM
    # built without them (its figure stands where QEMU's would).
    row("mmio_ns_nocount"; "time per PL061 access, trapped; in QEMU's column, lkvm-rcar built without its --stats counters"; "ns"; "lower";
        [ $all | runs("mmio"; "lkvm-rcar"; "vhe-gicv3-noiommu"; "trapped")[] | mmio_line.ns | tonumber? ];
        [ $all | runs("mmio"; "lkvm-rcar-nocount"; "vhe-gicv3-noiommu"; "trapped")[] | mmio_line.ns | tonumber? ]; null),
    ( ("", "-irqfd-off") as $c |
      row("irq_wakeups\($c | gsub("-"; "_"))";
          "user-space wake-ups per pass-through interrupt\(if $c == "" then "" else ", irqfd=off (the fallback)" end)";
          "wake-ups"; "lower";
          [ ([ $all | runs("irq"; "lkvm-rcar"; "vhe-gicv3-noiommu"; "0presses")[] | other_wakeups ] | first) as $base |
            $all | runs("irq"; "lkvm-rcar"; "vhe-gicv3-noiommu"; "\($presses)presses\($c)")[] |
            if $base == null then null else (other_wakeups - $base) / $presses end ];
          []; "QEMU cannot pass the PL061 through") ),
    row("irq_delivered"; "button presses delivered to the guest, of \($presses)"; "interrupts"; "higher";
        [ $delivered ]; []; "QEMU cannot pass the PL061 through"),
    # The Salvator-X's configuration: nVHE on a Cortex-A57, GICv2, the
    # device behind the SMMU (VFIO type1).
    row("boot_nvhe"; "boot to the guest's init (nVHE, GICv2, SMMU host: the Salvator-X's configuration)"; "ms"; "lower";
        [ $all | runs("boot"; "lkvm-rcar"; "nvhe-gicv2-smmu"; null)[] | init_mark.ms ];
        [ $all | runs("boot"; "qemu"; "nvhe-gicv2-smmu"; null)[] | init_mark.ms ]; null),
    row("startup_wall_nvhe"; "start-up and tear-down wall time (nVHE, GICv2, SMMU host)"; "ms"; "lower";
        [ $all | runs("startup"; "lkvm-rcar"; "nvhe-gicv2-smmu"; null)[] | .run.wall_ms ];
        [ $all | runs("startup"; "qemu"; "nvhe-gicv2-smmu"; null)[] | .run.wall_ms ]; null),
    # What type1 costs at start-up: lkvm-rcar with the PL061 behind the
    # SMMU, and with the RTC, set up alike, without an IOMMU.
    ( ("256M", "1024M") as $m | ("type1", "noiommu") as $mode |
      row("first_run_\($mode)_\($m)";
          "wall time to the first KVM_RUN, \($m) guest, \(if $mode == "type1" then "device behind the SMMU (type1, guest RAM pinned)" else "device without an IOMMU (no-IOMMU)" end)";
          "ms"; "lower";
          [ $all | runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "\($mode)-\($m)")[] | .stats.startup.wall_ms ];
          []; "lkvm-rcar only (QEMU cannot take the device)") ),
    ( ([ $all | runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "type1-1024M")[] | .stats.startup.wall_ms ] | stat) as $t |
      ([ $all | runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "noiommu-1024M")[] | .stats.startup.wall_ms ] | stat) as $n |
      row("pin_ms_per_gib"; "pinning guest RAM for type1, per GiB (the 1024M medians above, type1 less no-IOMMU)"; "ms/GiB"; "lower";
          one(if $t == null or $n == null then null else $t.median - $n.median end); [];
          "lkvm-rcar only (QEMU cannot take the device)") ),
    ( ("mapped", "trapped") as $c |
      row("mmio_ns_\($c)_nvhe"; "time per PL061 access, \($c) (nVHE, GICv2, SMMU host)"; "ns"; "lower";
          [ $all | runs("mmio"; "lkvm-rcar"; "nvhe-gicv2-smmu"; $c)[] | mmio_line.ns | tonumber? ];
          []; "QEMU cannot: \($qemu_passthrough)") ),
    row("irq_wakeups_nvhe"; "user-space wake-ups per pass-through interrupt (nVHE, GICv2, SMMU host)"; "wake-ups"; "lower";
        [ ([ $all | runs("irq"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "0presses")[] | other_wakeups ] | first) as $base |
          $all | runs("irq"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "\($presses)presses")[] |
          if $base == null then null else (other_wakeups - $base) / $presses end ];
        []; "QEMU cannot pass the PL061 through"),
    row("irq_delivered_nvhe"; "button presses delivered to the guest, of \($presses) (nVHE, GICv2, SMMU host)"; "interrupts"; "higher";
        [ $delivered_nvhe ]; []; "QEMU cannot pass the PL061 through"),
    row("console_mib_s"; "console throughput, guest to host (\($mib) MiB, CRC-32 verified)"; "MiB/s"; "higher";
        [ $all | runs("console"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | console_mib_s ];
        [ $all | runs("console"; "qemu"; "vhe-gicv3-noiommu"; null)[] | console_mib_s ]; qemu_console_note),
    row("console_cpu"; "VMM CPU per MiB of console output"; "ms/MiB"; "lower";
        [ $all | runs("console"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | console_cpu_per_mib ];
        [ $all | runs("console"; "qemu"; "vhe-gicv3-noiommu"; null)[] | console_cpu_per_mib ]; qemu_console_note),
    row("console_own_cpu"; "of which outside the guest (the VMM and the kernel for it)"; "ms/MiB"; "lower";
        [ $all | runs("console"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | console_own_cpu_per_mib ];
        [ $all | runs("console"; "qemu"; "vhe-gicv3-noiommu"; null)[] | console_own_cpu_per_mib ]; qemu_console_note),
    row("console_user_cpu"; "of which in the VMM's own code (user space)"; "ms/MiB"; "lower";
        [ $all | runs("console"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | console_user_cpu_per_mib ];
        [ $all | runs("console"; "qemu"; "vhe-gicv3-noiommu"; null)[] | console_user_cpu_per_mib ]; qemu_console_note),
    row("binary"; "binary size, stripped (QEMU: its binary alone)"; "KiB"; "lower";
        one($lkvm_size / 1024); one($qemu_bin / 1024); null),
    row("binary_libs"; "binary and the shared libraries it loads"; "KiB"; "lower";
        one($lkvm_size / 1024); one($qemu_all / 1024); "lkvm-rcar is static")
  ] }
