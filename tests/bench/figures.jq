# SPDX-License-Identifier: GPL-2.0
#
# make bench: the raw runs (raw.jsonl, slurped) to the table's rows. Each
# row has the median and min-max spread of lkvm-rcar's, QEMU's and
# kvmtool's runs and "advantage" / "advantage_kvmtool": how many times
# better lkvm-rcar is than each (above 1: better), whichever way "better"
# goes for the figure.

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

# The series runs (case linux-N) of one VMM in one host, in run order.
def series($vmm; $host):
  runs("series"; $vmm; $host; null) | sort_by(.case | ltrimstr("linux-") | tonumber);

# The last of a series' values over its first, or null.
def growth: if length >= 2 and .[0] > 0 then .[-1] / .[0] else null end;

# A run's load step (the Image and initrd read into guest RAM), wall
# time, or null where --stats has none.
def load_ms: [ .stats.startup.steps[]? | select(.step == "load") | .wall_ms ] | add;

def mark($name): .run.marks[$name];
def init_mark: mark("guest: init reached");

# A row from per-run values of each VMM. A peer that gave no value is a
# finding for the table, said in the note, never a missing figure: only
# lkvm-rcar's own values must be there. A row whose $better is
# "neither" is a breakdown of another, with no ratio of its own.
def advantage($better; $l; $p):
  if $better == "neither" or $l == null or $p == null or $l.median == 0 or $p.median == 0 then null
  elif $better == "lower" then $p.median / $l.median
  else $l.median / $p.median end;
def row3($id; $title; $unit; $better; $lkvm; $qemu; $kvmtool; $note):
  ($lkvm | stat) as $l | ($qemu | stat) as $q | ($kvmtool | stat) as $k |
  { id: $id, figure: $title, unit: $unit, better: $better,
    lkvm: $l, qemu: $q, kvmtool: $k,
    note: ($note // (if $q == null then "QEMU gave no value in any run (see raw.jsonl)" else null end)),
    advantage: advantage($better; $l; $q),
    advantage_kvmtool: advantage($better; $l; $k) };
def row($id; $title; $unit; $better; $lkvm; $qemu; $note):
  row3($id; $title; $unit; $better; $lkvm; $qemu; []; $note);
# Of all pairs of one lkvm-rcar and one kvmtool value, the share where
# lkvm-rcar's is lower (ties count half): 0.5 is a tie, above is faster.
def lower_share($l; $k):
  if ($l | length) == 0 or ($k | length) == 0 then null
  else ([ $l[] as $a | $k[] as $b | if $a < $b then 1 elif $a == $b then 0.5 else 0 end ] | add)
       / (($l | length) * ($k | length)) end;

def one($v): [$v];

# What backs guest RAM in the pin runs (bench.sh ram_backing).
def pages_name($p):
  if $p == "base" then "base pages (THP off)"
  elif $p == "thp" then "transparent huge pages"
  else "hugetlbfs 2 MiB pages" end;

# Pinning guest RAM for type1, per GiB, with RAM backed as $p (or the
# VMM built without populating it, on base pages): the 1024M medians of
# the PL061 behind the SMMU less those of the RTC without an IOMMU.
def pin_per_gib($p):
  (if $p == "base" then "" else "-\($p)" end) as $sfx |
  (if $p == "nopopulate" then "" else $sfx end) as $nsfx |
  ([ runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "type1-1024M\($sfx)")[] | .stats.startup.wall_ms ] | stat) as $t |
  ([ runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "noiommu-1024M\($nsfx)")[] | .stats.startup.wall_ms ] | stat) as $n |
  if $t == null or $n == null then null else $t.median - $n.median end;

# The passed-through device's own entry in lkvm-rcar's --stats.
def passthrough_stats: .stats.devices[]? | select(.device != null);
def console_stats: .stats.devices[]? | select(.type == "virtio-console");
# Event-loop wake-ups of a run that were not the console's.
def other_wakeups: .stats.loop_wakeups - ([console_stats.loop_wakeups] | add // 0);

def toggle_line: mark("bench-toggle").line // "" | capture("toggles (?<n>[0-9]+) ns_per_toggle (?<ns>[0-9.]+)")?;
def gpio_stats: .stats.devices[]? | select(.type == "virtio-gpio");
# Interrupts virtio-gpio delivered for its lines: a field of the device
# since --stats schema 1, inside its irqs object in runs recorded before.
def gpio_line_irqs: gpio_stats | (.line_irqs // .irqs.line_irqs?);
# Exits to user space of all vCPUs in a run.
def user_exits: [.stats.vcpus[]?.exits | .mmio + .system_event + .other] | add;
def gpio_way($w): if $w == "virtio" then "virtio-gpio, shared lines" else "pass-through" end;
def gpio_note: "lkvm-rcar's two ways; QEMU serves virtio-gpio only through a separate vhost-user daemon";

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

# The disk runs (tests/bench/blk-io.c): each phase's line, as the guest
# timed it, and the VMM between the marks as vmmtime sampled it.
def blk_line($phase): mark("bench-blk-\($phase)").line // "" |
  capture("bench-blk-\($phase) (bytes|ops) (?<n>[0-9]+) us (?<us>[0-9]+)")? |
  { n: (.n | tonumber), us: (.us | tonumber) };
def blk_rate($phase; $scale): blk_line($phase) as $l |
  if $l == null or $l.us == 0 then null else $l.n / $scale / ($l.us / 1e6) end;
# GiB moved in the write and read phases, begin to the read's mark.
def blk_gib: ((blk_line("write").n // 0) + (blk_line("read").n // 0)) / 1073741824;
def blk_between(f): mark("bench-blk-read") as $e | mark("bench-blk-begin") as $b |
  if $e == null or $b == null or ($e | f) == null or ($b | f) == null or
     ($e | f) < 0 or ($b | f) < 0 or blk_gib == 0 then null
  else (($e | f) - ($b | f)) / blk_gib end;
# A random-read phase's figure f per $unit reads: from the mark of the
# phase before ($from) to its own.
def blk_phase_per($from; $phase; $unit; f): mark("bench-blk-\($phase)") as $e | mark("bench-blk-\($from)") as $b |
  ((blk_line($phase).n // 0) / $unit) as $units |
  if $e == null or $b == null or ($e | f) == null or ($b | f) == null or
     ($e | f) < 0 or ($b | f) < 0 or $units == 0 then null
  else (($e | f) - ($b | f)) / $units end;
# The same per GiB read (4 KiB a read).
def blk_phase_per_gib($from; $phase; f): blk_phase_per($from; $phase; 262144; f);
def blk_own_cpu: if .guest_cpu_ms < 0 or .user_cpu_ms < 0 or .sys_cpu_ms < 0 then null
  else .user_cpu_ms + .sys_cpu_ms - .guest_cpu_ms end;
# The VMM's threads other than its vCPUs', exact (vmmtime's schedstat
# sums): no tick in it, nor the vCPUs' own exits.
def blk_io_cpu: if .vcpu_cpu_ms == null or .vcpu_cpu_ms < 0 or .cpu_ms < 0 then null
  else .cpu_ms - .vcpu_cpu_ms end;

def kib_to_mib: if . == null then null else . / 1024 end;
def overhead_mib:
  .run.last_sample as $m |
  if $m == null or $m.guest_ram_kib < 0 or $m.rss_kib < 0 then null
  else ($m.rss_kib - $m.guest_ram_kib) / 1024 end;

. as $all |
# The same figure of each VMM's runs: f on runs($fig; VMM; $host; $case).
def row_all($id; $title; $unit; $better; $fig; $host; $case; f; $note):
  row3($id; $title; $unit; $better;
       [ $all | runs($fig; "lkvm-rcar"; $host; $case)[] | f ];
       [ $all | runs($fig; "qemu"; $host; $case)[] | f ];
       [ $all | runs($fig; "kvmtool"; $host; $case)[] | f ]; $note);
# One figure against kvmtool, run by run: the share of all pairs of one
# lkvm-rcar and one kvmtool run on $host where lkvm-rcar's is the better
# value (ties count half; 0.5 is a tie), as the boot's share.
def pair_share_on($id; $what; $fig; $host; $better; f):
  [ $all | runs($fig; "lkvm-rcar"; $host; null)[] | f | select(. != null) ] as $l |
  [ $all | runs($fig; "kvmtool"; $host; null)[] | f | select(. != null) ] as $k |
  (if $better == "higher" then lower_share([ $l[] | -. ]; [ $k[] | -. ]) else lower_share($l; $k) end) as $s |
  if $s == null then empty else
  row3("\($id)_share"; "\($what): share of lkvm-rcar/kvmtool run pairs where lkvm-rcar's is better (0.5: a tie)";
       "share"; "higher"; one($s); []; [];
       "\($l | length) lkvm-rcar and \($k | length) kvmtool runs: lkvm-rcar " +
       (if $s >= 0.5 then "no worse than kvmtool" else "worse than kvmtool" end)) end;
# The same on the GICv3 host.
def pair_share($id; $what; $fig; $better; f):
  pair_share_on($id; $what; $fig; "vhe-gicv3-noiommu"; $better; f);
# The disk rows of figure $fig (bench.sh's disk or diskdev runs), their
# titles beginning with $what.
def blk_rows($fig; $what):
  "vhe-gicv3-noiommu" as $h |
  row_all("\($fig)_write_mib_s"; "\($what): sequential write, 1 MiB direct I/O, then fdatasync"; "MiB/s"; "higher";
          $fig; $h; null; blk_rate("write"; 1048576); null),
  row_all("\($fig)_read_mib_s"; "\($what): sequential read, 1 MiB direct I/O"; "MiB/s"; "higher";
          $fig; $h; null; blk_rate("read"; 1048576); null),
  row_all("\($fig)_randread_iops"; "\($what): random 4 KiB reads, direct I/O, one at a time"; "IOPS"; "higher";
          $fig; $h; null; blk_rate("randread"; 1); null),
  row_all("\($fig)_cpu_per_gib"; "\($what): VMM CPU outside the guest per GiB moved (write and read)"; "ms/GiB"; "lower";
          $fig; $h; null; blk_between(blk_own_cpu); null),
  pair_share("\($fig)_write_mib_s"; "\($what): sequential write"; $fig; "higher"; blk_rate("write"; 1048576)),
  pair_share("\($fig)_read_mib_s"; "\($what): sequential read"; $fig; "higher"; blk_rate("read"; 1048576)),
  pair_share("\($fig)_randread_iops"; "\($what): random 4 KiB reads"; $fig; "higher"; blk_rate("randread"; 1)),
  pair_share("\($fig)_cpu_per_gib"; "\($what): VMM CPU outside the guest per GiB"; $fig; "lower"; blk_between(blk_own_cpu)),
  row_all("\($fig)_io_cpu_per_gib"; "\($what): CPU of the VMM's threads other than the vCPUs', exact, per GiB moved"; "ms/GiB"; "lower";
          $fig; $h; null; blk_between(blk_io_cpu); null),
  pair_share("\($fig)_io_cpu_per_gib"; "\($what): CPU of the threads other than the vCPUs' per GiB"; $fig; "lower"; blk_between(blk_io_cpu)),
  row_all("\($fig)_randread_io_cpu_per_gib"; "\($what): random 4 KiB reads one at a time, CPU of the threads other than the vCPUs', exact, per GiB read"; "ms/GiB"; "lower";
          $fig; $h; null; blk_phase_per_gib("read"; "randread"; blk_io_cpu); null),
  pair_share("\($fig)_randread_io_cpu_per_gib"; "\($what): random reads one at a time, CPU of the threads other than the vCPUs' per GiB"; $fig; "lower";
             blk_phase_per_gib("read"; "randread"; blk_io_cpu)),
  row_all("\($fig)_queued_iops"; "\($what): random 4 KiB reads, direct I/O, 4 in flight (Linux AIO)"; "IOPS"; "higher";
          $fig; $h; null; blk_rate("queued"; 1); null),
  pair_share("\($fig)_queued_iops"; "\($what): random 4 KiB reads, 4 in flight"; $fig; "higher"; blk_rate("queued"; 1)),
  row_all("\($fig)_queued_io_cpu_per_gib"; "\($what): random 4 KiB reads 4 in flight, CPU of the threads other than the vCPUs', exact, per GiB read"; "ms/GiB"; "lower";
          $fig; $h; null; blk_phase_per_gib("randread"; "queued"; blk_io_cpu); null),
  pair_share("\($fig)_queued_io_cpu_per_gib"; "\($what): random reads 4 in flight, CPU of the threads other than the vCPUs' per GiB"; $fig; "lower";
             blk_phase_per_gib("randread"; "queued"; blk_io_cpu)),
  row_all("\($fig)_queued_user_exits_per_read"; "\($what): random 4 KiB reads 4 in flight, exits to user space per read (an interrupt costs two where the driver's acknowledgement traps, one where KVM keeps it: lkvm-rcar)"; "exits"; "lower";
          $fig; $h; null; blk_phase_per("randread"; "queued"; 1; .kvm_user_exits); null),
  row_all("\($fig)_queued_exits_per_read"; "\($what): random 4 KiB reads 4 in flight, all guest exits (KVM's count) per read"; "exits"; "lower";
          $fig; $h; null; blk_phase_per("randread"; "queued"; 1; .kvm_exits); null),
  row_all("\($fig)_queued_kernel_mmio_exits_per_read"; "\($what): random 4 KiB reads 4 in flight, MMIO exits KVM serves itself (ioeventfd kicks, kept acknowledgements) per read"; "exits"; "neither";
          $fig; $h; null; blk_phase_per("randread"; "queued"; 1; .kvm_kernel_mmio_exits); null),
  row_all("\($fig)_queued_wfi_exits_per_read"; "\($what): random 4 KiB reads 4 in flight, vCPU waits for an interrupt (WFI exits) per read"; "exits"; "neither";
          $fig; $h; null; blk_phase_per("randread"; "queued"; 1; .kvm_wfi_exits); null),
  row_all("\($fig)_user_exits_per_gib"; "\($what): exits to user space (KVM's mmio_exit_user) per GiB moved"; "exits/GiB"; "lower";
          $fig; $h; null; blk_between(.kvm_user_exits); null),
  row_all("\($fig)_exits_per_gib"; "\($what): all guest exits (KVM's count) per GiB moved"; "exits/GiB"; "lower";
          $fig; $h; null; blk_between(.kvm_exits); null);
# What a way costs per press: the run with presses less the run without.
def per_press($host; $w; f):
  [ ([ $all | runs("gpio"; "lkvm-rcar"; $host; "irq-\($w)-0presses")[] | f ] | first) as $base |
    $all | runs("gpio"; "lkvm-rcar"; $host; "irq-\($w)-\($presses)presses")[] |
    if $base == null or f == null then null else (f - $base) / $presses end ];
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
      row_all("boot_\($g)"; "boot to the guest's init (\($g | sub("gicv"; "GICv")) host)"; "ms"; "lower";
              "boot"; "vhe-\($g)-noiommu"; null; init_mark.ms; null) ),
    # "No slower than kvmtool": every pair of runs on both hosts.
    ( [ ("gicv3", "gicv2") as $g | $all | runs("boot"; "lkvm-rcar"; "vhe-\($g)-noiommu"; null)[] | init_mark.ms ] as $l |
      [ ("gicv3", "gicv2") as $g | $all | runs("boot"; "kvmtool"; "vhe-\($g)-noiommu"; null)[] | init_mark.ms ] as $k |
      lower_share($l; $k) as $s |
      if $s == null then empty else
      row3("boot_faster_share"; "boot: share of lkvm-rcar/kvmtool run pairs where lkvm-rcar reached init first (0.5: a tie; both hosts)";
           "share"; "higher"; one($s); []; [];
           (if $s == null then "no kvmtool runs"
            else "\($l | length) lkvm-rcar and \($k | length) kvmtool runs: " +
                 (if $s >= 0.5 then "lkvm-rcar boots no slower than kvmtool" else "lkvm-rcar boots slower than kvmtool" end)
            end)) end ),
    row_all("startup_cpu"; "start-up and tear-down CPU (guest powers off at once)"; "ms"; "lower";
            "startup"; "vhe-gicv3-noiommu"; null; .run.cpu_ms; null),
    row_all("startup_wall"; "start-up and tear-down wall time (same)"; "ms"; "lower";
            "startup"; "vhe-gicv3-noiommu"; null; .run.wall_ms; null),
    pair_share("startup_cpu"; "start-up and tear-down CPU"; "startup"; "lower"; .run.cpu_ms),
    pair_share("startup_wall"; "start-up and tear-down wall time"; "startup"; "lower"; .run.wall_ms),
    row("first_run_cpu"; "CPU to the first KVM_RUN (--stats)"; "ms"; "lower";
        [ $all | runs("startup"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | .stats.startup.cpu_ms ]; [];
        "QEMU does not report it"),
    row("first_run_wall"; "wall time to the first KVM_RUN (--stats)"; "ms"; "lower";
        [ $all | runs("startup"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | .stats.startup.wall_ms ]; [];
        "QEMU does not report it"),
    ( ("128M-1cpu", "128M-2cpu", "512M-1cpu", "512M-2cpu") as $c |
      row_all("peak_rss_\($c)"; "peak RSS, \($c) guest"; "MiB"; "lower";
              "memory"; "vhe-gicv3-noiommu"; $c; .run.peak_rss_kib | kib_to_mib; null),
      row_all("overhead_\($c)"; "memory beyond guest RAM, \($c) guest"; "MiB"; "lower";
              "memory"; "vhe-gicv3-noiommu"; $c; overhead_mib; null) ),
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
    row_all("boot_nvhe"; "boot to the guest's init (nVHE, GICv2, SMMU host: the Salvator-X's configuration)"; "ms"; "lower";
            "boot"; "nvhe-gicv2-smmu"; null; init_mark.ms; null),
    row_all("startup_wall_nvhe"; "start-up and tear-down wall time (nVHE, GICv2, SMMU host)"; "ms"; "lower";
            "startup"; "nvhe-gicv2-smmu"; null; .run.wall_ms; null),
    row_all("startup_cpu_nvhe"; "start-up and tear-down CPU (nVHE, GICv2, SMMU host)"; "ms"; "lower";
            "startup"; "nvhe-gicv2-smmu"; null; .run.cpu_ms; null),
    pair_share_on("startup_wall_nvhe"; "start-up and tear-down wall time (nVHE, GICv2, SMMU host)"; "startup"; "nvhe-gicv2-smmu"; "lower"; .run.wall_ms),
    pair_share_on("startup_cpu_nvhe"; "start-up and tear-down CPU (nVHE, GICv2, SMMU host)"; "startup"; "nvhe-gicv2-smmu"; "lower"; .run.cpu_ms),
    # Back-to-back Linux boots in one fresh host (12 in the full bench),
    # in turn with kvmtool: the last run against the first.
    ( ("vhe-gicv3-noiommu", "nvhe-gicv2-smmu") as $h |
      ($h | if startswith("nvhe") then "nVHE, GICv2, SMMU host" else "VHE, GICv3 host" end) as $hn |
      row("series_first_run_growth_\($h | split("-")[0])";
          "start-up growth over back-to-back Linux boots: time to the first KVM_RUN, last run over the first (\($hn))"; "x"; "lower";
          one([ $all | series("lkvm-rcar"; $h)[] | .stats.startup.wall_ms ] | growth);
          []; "kvmtool does not report it; its time to init is in the next row"),
      row("series_setup_growth_\($h | split("-")[0])";
          "the same series: time to the first KVM_RUN less the load step (lkvm-rcar's own set-up), last run over the first (\($hn))"; "x"; "lower";
          one([ $all | series("lkvm-rcar"; $h)[] | .stats.startup.wall_ms - (load_ms // 0) ] | growth);
          []; "kvmtool does not report it"),
      row3("series_init_growth_\($h | split("-")[0])";
           "the same series: time to the guest's init, last run over the first (\($hn))"; "x"; "lower";
           one([ $all | series("lkvm-rcar"; $h)[] | init_mark.ms ] | growth); [];
           [ [ $all | series("kvmtool"; $h)[] | init_mark.ms ] | growth | values ];
           "QEMU is not in the series"),
      row("series_load_growth_\($h | split("-")[0])";
          "the same series: lkvm-rcar's load step (the Image and initrd read into guest RAM), last run over the first (\($hn))"; "x"; "lower";
          one([ $all | series("lkvm-rcar"; $h)[] | load_ms | values ] | growth);
          []; "kvmtool does not report it"),
      row("series_copy_growth_\($h | split("-")[0])";
          "the same series: the same load without KVM (tests/bench/loadcopy.c, in the lkvm-rcar column), last run over the first (\($hn))"; "x"; "lower";
          one([ $all | runs("series"; "host"; $h; null) | sort_by(.case | ltrimstr("copy-") | tonumber)[] | .run.wall_ms ] | growth);
          []; "no VMM in it: what the emulated host does to any program writing fresh memory"),
      row3("series_init_ms_\($h | split("-")[0])";
           "the same series: time to the guest's init, all runs (\($hn))"; "ms"; "lower";
           [ $all | series("lkvm-rcar"; $h)[] | init_mark.ms ]; [];
           [ $all | series("kvmtool"; $h)[] | init_mark.ms ];
           "QEMU is not in the series") ),
    # What type1 costs at start-up: lkvm-rcar with the PL061 behind the
    # SMMU, and with the RTC, set up alike, without an IOMMU.
    ( ("256M", "1024M") as $m | ("type1", "noiommu") as $mode |
      row("first_run_\($mode)_\($m)";
          "wall time to the first KVM_RUN, \($m) guest on base pages (THP off), \(if $mode == "type1" then "device behind the SMMU (type1, guest RAM pinned)" else "device without an IOMMU (no-IOMMU)" end)";
          "ms"; "lower";
          [ $all | runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "\($mode)-\($m)")[] | .stats.startup.wall_ms ];
          []; "lkvm-rcar only (QEMU cannot take the device)") ),
    # The same at 1 GiB with guest RAM on transparent huge pages and on
    # hugetlbfs (the base-page rows above keep their names).
    ( ("thp", "hugetlbfs") as $p | ("type1", "noiommu") as $mode |
      row("first_run_\($mode)_1024M_\($p)";
          "wall time to the first KVM_RUN, 1024M guest on \(pages_name($p)), \(if $mode == "type1" then "device behind the SMMU (type1)" else "device without an IOMMU" end)";
          "ms"; "lower";
          [ $all | runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "\($mode)-1024M-\($p)")[] | .stats.startup.wall_ms ];
          []; "lkvm-rcar only (QEMU cannot take the device)") ),
    ( ("base", "thp", "hugetlbfs") as $p |
      row(if $p == "base" then "pin_ms_per_gib" else "pin_ms_per_gib_\($p)" end;
          "pinning guest RAM for type1, per GiB, \(pages_name($p)) (the 1024M medians, type1 less no-IOMMU)"; "ms/GiB"; "lower";
          one($all | pin_per_gib($p)); [];
          "lkvm-rcar only (QEMU cannot take the device)") ),
    row("pin_ms_per_gib_nopopulate";
        "pinning guest RAM for type1, per GiB, base pages faulted in by the pinning alone, as before guest RAM was populated first (lkvm-rcar built without it)"; "ms/GiB"; "lower";
        one($all | pin_per_gib("nopopulate")); [];
        "lkvm-rcar only (QEMU cannot take the device)"),
    ( ("thp", "hugetlbfs") as $p |
      ($all | pin_per_gib("nopopulate")) as $before | ($all | pin_per_gib($p)) as $now |
      row("pin_speedup_\($p)";
          "pinning per GiB on \(pages_name($p)), times faster than on base pages faulted in by the pinning alone (the two rows above, same host)"; "x"; "higher";
          one(if $before == null or $now == null or $now <= 0 then null else $before / $now end); [];
          "lkvm-rcar only (QEMU cannot take the device)") ),
    ( ("base", "thp", "hugetlbfs") as $p |
      row("boot_ms_type1_1024M_\($p)";
          "boot to init, 1024M guest on \(pages_name($p)), PL061 behind the SMMU (type1)"; "ms"; "lower";
          [ $all | runs("pin"; "lkvm-rcar"; "nvhe-gicv2-smmu"; "boot-type1-1024M-\($p)")[] | init_mark.ms ];
          []; "lkvm-rcar only (QEMU cannot take the device)") ),
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
    # Pass-through against virtio-gpio, on a host that keeps the PL061.
    ( "vhe-gicv3-noiommu-keys" as $h | ("passthrough", "virtio") as $w |
      row("gpio_toggle_ns_\($w)"; "time per GPIO toggle, guest write to host pin, \(gpio_way($w))"; "ns"; "lower";
          [ $all | runs("gpio"; "lkvm-rcar"; $h; "toggle-\($w)")[] | toggle_line.ns | tonumber? ];
          []; gpio_note),
      row("gpio_toggle_exits_\($w)"; "exits to user space per GPIO toggle (the run's, over its toggles), \(gpio_way($w))"; "exits"; "lower";
          [ $all | runs("gpio"; "lkvm-rcar"; $h; "toggle-\($w)")[] |
            (toggle_line.n | tonumber?) as $n | if $n then user_exits / $n else null end ];
          []; gpio_note),
      row("gpio_irq_exits_\($w)"; "exits to user space per button interrupt, \(gpio_way($w))"; "exits"; "lower";
          per_press($h; $w; user_exits); []; gpio_note),
      row("gpio_irq_wakeups_\($w)"; "user-space wake-ups per button interrupt, \(gpio_way($w))"; "wake-ups"; "lower";
          per_press($h; $w; other_wakeups); []; gpio_note),
      row("gpio_irq_delivered_\($w)"; "button presses delivered to the guest, of \($presses), \(gpio_way($w))"; "interrupts"; "higher";
          [ $all | runs("gpio"; "lkvm-rcar"; $h; "irq-\($w)-\($presses)presses")[] |
            if $w == "virtio" then gpio_line_irqs else passthrough_stats.host_irqs_forwarded end ];
          []; gpio_note) ),
    ( ("passthrough", "virtio") as $w |
      row("gpio_react_ms_\($w)"; "time from a button press to a guest program's answer on another pin (QEMU's trace), \(gpio_way($w))"; "ms"; "lower";
          ($reactions // {})[$w] // []; []; gpio_note) ),
    row("gpio_trace_per_toggle"; "level changes of line 0 in QEMU's trace per guest toggle, both ways (1: every toggle reached the pin)"; "changes"; "higher";
        one(if $toggles_expected > 0 then $toggles_seen / $toggles_expected else null end); [];
        "lkvm-rcar only; counts the blinks of the interrupt runs too"),
    row_all("console_mib_s"; "console throughput, guest to host (\($mib) MiB, CRC-32 verified)"; "MiB/s"; "higher";
            "console"; "vhe-gicv3-noiommu"; null; console_mib_s; qemu_console_note),
    row_all("console_cpu"; "VMM CPU per MiB of console output"; "ms/MiB"; "lower";
            "console"; "vhe-gicv3-noiommu"; null; console_cpu_per_mib; qemu_console_note),
    row("console_own_cpu"; "of which outside the guest (the VMM and the kernel for it)"; "ms/MiB"; "lower";
        [ $all | runs("console"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | console_own_cpu_per_mib ];
        [ $all | runs("console"; "qemu"; "vhe-gicv3-noiommu"; null)[] | console_own_cpu_per_mib ]; qemu_console_note),
    row("console_user_cpu"; "of which in the VMM's own code (user space)"; "ms/MiB"; "lower";
        [ $all | runs("console"; "lkvm-rcar"; "vhe-gicv3-noiommu"; null)[] | console_user_cpu_per_mib ];
        [ $all | runs("console"; "qemu"; "vhe-gicv3-noiommu"; null)[] | console_user_cpu_per_mib ]; qemu_console_note),
    pair_share("console_mib_s"; "console throughput"; "console"; "higher"; console_mib_s),
    # The disk: direct I/O in the guest on an image in the host's page
    # cache (tmpfs), the same guest program under each VMM; then on the
    # host's own block device, past its page cache.
    blk_rows("disk"; "disk"),
    blk_rows("diskdev"; "disk on a host block device, O_DIRECT"),
    row3("binary"; "binary size, stripped (QEMU: its binary alone)"; "KiB"; "lower";
         one($lkvm_size / 1024); one($qemu_bin / 1024);
         one(if $kvmtool_size > 0 then $kvmtool_size / 1024 else null end); null),
    row("binary_libs"; "binary and the shared libraries it loads"; "KiB"; "lower";
        one($lkvm_size / 1024); one($qemu_all / 1024); "lkvm-rcar is static")
  ] }
