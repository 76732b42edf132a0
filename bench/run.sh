#!/bin/bash
# bench/run.sh - the body of `make bench`: virt-agentx against an "AgentX
# ceiling" (bench/baseline.c, a minimal subagent answering a static table
# from memory), both behind the same private snmpd.
#
# For each N in $BENCH_N (default "10 100 1000 5000"): a private libvirtd
# (test driver, tests/lib.sh) with N running domains of 2 vCPUs, 2 disks,
# 2 NICs; snmpd; virt-agentx; the baseline sized to as many varbinds as our
# full walk.  Measures (BENCH_RUNS repetitions, default 5; min/median/max):
#   - agent RSS with 0 domains (before they are created) and with N;
#   - full snmpbulkwalk -Cr50 of .1.3.6.1.4.1.32473.1 and of the baseline's
#     equally large table (.1.3.6.1.4.1.32473.99.1): seconds, varbinds/s,
#     with the cache held (cacheTimeout 600), so both serve from memory;
#   - a many-column GETBULK walk (bench/colwalk, what snmptable -Cb sends)
#     of virtDiskTable vs a baseline table of the same rows x columns;
#   - cold walks (cacheTimeout 5, expired; BENCH_COLD_RUNS, default 3) vs
#     warm, virtRefreshDuration and virtRefreshCalls after each;
#   - agent CPU seconds per full walk, and over BENCH_IDLE s idle (60).
# Then, once: trap latency over BENCH_TRAPS lifecycle events (100), the
# same walks and refreshes on BENCH_QEMU_GUESTS real QEMU/TCG guests (4; 0
# skips), and bench/soak.sh with BENCH_SOAK_WALKS walks (10000; 0 skips).
# Prints a summary and writes it between the markers in BENCHMARKS.md
# (BENCH_OUT to write elsewhere, BENCH_OUT=/dev/null for none), and a plot
# to bench/results.png if gnuplot is installed (BENCH_PLOT).
#
# Environment: VAX_AGENT (agent binary), BENCH_N, BENCH_RUNS,
# BENCH_COLD_RUNS, BENCH_IDLE, BENCH_TRAPS, BENCH_QEMU_GUESTS,
# BENCH_SOAK_WALKS, BENCH_REPS (max-repetitions of the many-column walk,
# default 10 as snmptable), BENCH_OUT, BENCH_PLOT, VAX_KEEP=1 (keep temp
# dirs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
builddir=${abs_top_builddir:-$top}
export VAX_AGENT=${VAX_AGENT:-$builddir/src/virt-agentx}
BENCH_N=${BENCH_N:-10 100 1000 5000}
RUNS=${BENCH_RUNS:-5}
COLD_RUNS=${BENCH_COLD_RUNS:-3}
IDLE=${BENCH_IDLE:-60}
TRAPS=${BENCH_TRAPS:-100}
QEMU_GUESTS=${BENCH_QEMU_GUESTS:-4}
SOAK_WALKS=${BENCH_SOAK_WALKS:-10000}
PLOT=${BENCH_PLOT:-$top/bench/results.png}
REPS=${BENCH_REPS:-10}
OUT=${BENCH_OUT:-$top/BENCHMARKS.md}
CACHE_T=5               # cacheTimeout of the cold walks
WARM_T=600              # ... of the warm ones: no refresh mid-walk
OID=.1.3.6.1.4.1.32473
DISK_COLS=18            # virtDiskEntry columns (1 is the not-accessible index)
BASE_COLS=10            # baseline table 1: columns (odd Counter64, even strings)

[ -x "$VAX_AGENT" ] || { echo "bench: no agent at $VAX_AGENT (run make first)" >&2; exit 1; }
for c in snmpd snmpbulkwalk snmpget libvirtd virsh pkg-config cc; do
    command -v "$c" >/dev/null || { echo "bench: $c not installed" >&2; exit 1; }
done

# ---- build the baseline subagent and the column walker (not in make check)
# into a temp dir, so the tree stays clean
bindir=$(mktemp -d "${TMPDIR:-/tmp}/vax-bench.XXXXXXXX")
trap 'rm -rf "$bindir"' EXIT
# shellcheck disable=SC2046 # pkg-config's flags are a word list
cc -std=c11 -O2 -Wall -o "$bindir/baseline" "$here/baseline.c" \
    $(pkg-config --cflags --libs netsnmp-agent)
# shellcheck disable=SC2046
cc -std=c11 -O2 -Wall -o "$bindir/colwalk" "$here/colwalk.c" \
    $(pkg-config --cflags --libs netsnmp)

t_bench0=$(date +%s)
results=$bindir/results

# stats "v1 v2 ...": "min median max" (numeric sort)
stats() {
    tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ a[NR] = $1 }
        END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
              printf "%s %s %s\n", a[1], m, a[NR] }'
}
med() { stats "$1" | awk '{ print $2 }'; }
fmt_mmm() {     # fmt_mmm "values" SCALE FORMAT: "min / med / max" scaled
    stats "$1" | awk -v s="$2" -v f="$3" '{ printf f " / " f " / " f, $1 * s, $2 * s, $3 * s }'
}

# helpers shared by the stages (run inside the stage's subshell)
now() { date +%s%N; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# mem PID: "VmRSS RssAnon RssFile" in KiB
mem() { awk '/^(VmRSS|RssAnon|RssFile):/ { printf "%s ", $2 }' "/proc/$1/status"; }
# wakeups PID: context switches so far, "main-thread other-threads"
wakeups() {
    local t main=0 other=0 n
    for t in /proc/"$1"/task/*; do
        n=$(awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }' "$t/status" 2>/dev/null) || continue
        if [ "${t##*/}" = "$1" ]; then main=$n; else other=$(( other + n )); fi
    done
    echo "$main $other"
}
# set_cache SECONDS: rewrite the agent's cacheTimeout and reload it (SIGHUP)
set_cache() {
    local before
    printf 'indexFile %s\ncacheTimeout %s\n' "$VAX_TMP/index" "$1" > "$VAX_TMP/agent.conf"
    before=$(grep -c 'configuration reloaded' "$VAX_TMP/agent.log" || true)
    kill -HUP "$VAX_AGENT_PID"
    wait_until 10 eval '[ "$(grep -c "configuration reloaded" "$VAX_TMP/agent.log")" -gt '"$before"' ]' &&
        tail -n 1 "$VAX_TMP/agent.log" | grep -q "configuration reloaded: cache $1 s" ||
        vax_die "agent did not reload cacheTimeout $1"
}
# make_domains N: define and start bench1..benchN through ONE virsh
make_domains() {
    local n=$1 i xmldir=$VAX_TMP/domains
    mkdir -p "$xmldir"
    {
        for (( i = 1; i <= n; i++ )); do
            cat > "$xmldir/b$i.xml" <<EOF
<domain type='test'>
  <name>bench$i</name>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>524288</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/bench$i-a.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/bench$i-b.qcow2'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:$(printf '%02x:%02x:%02x' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)))'/>
      <source network='default'/>
      <target dev='bench$i-0'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:01:$(printf '%02x:%02x:%02x' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)))'/>
      <source bridge='br0'/>
      <target dev='bench$i-1'/>
      <model type='e1000'/>
    </interface>
  </devices>
</domain>
EOF
            echo "define $xmldir/b$i.xml"
            echo "start bench$i"
        done
    } | virsh -q -c "$VAX_URI" > "$VAX_TMP/define.out" 2>&1 || true
}
scalar() { snmpget -v2c -c public -Oqv -r 1 -t 5 "127.0.0.1:$VAX_SNMP_PORT" "$OID.1.1.$1.0"; }
count_is() { [ "$(scalar 7)" = "$1" ]; }       # virtDomainCount is N

# ---- one N, in a subshell with its own daemons and lib.sh EXIT trap
bench_one() {
    local n=$1
    # shellcheck source=tests/lib.sh
    . "$top/tests/lib.sh"
    vax_setup
    local target=127.0.0.1:$VAX_SNMP_PORT
    local walk=(snmpbulkwalk -v2c -c public -On -Oq -Cr50 -r 1 -t 60 "$target")

    vax_start_libvirtd
    vax_virsh destroy test > /dev/null && vax_virsh undefine test > /dev/null
    vax_start_snmpd
    printf 'indexFile %s\ncacheTimeout 1\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
    vax_start_agent
    local apid=$VAX_AGENT_PID
    [ -r "/proc/$apid/stat" ] || vax_die "no /proc/$apid"

    # RSS with no domain, after one walk
    wait_until 30 count_is 0 || vax_die "virtDomainCount never reached 0"
    "${walk[@]}" "$OID.1" > /dev/null
    sleep 1
    local mem0; mem0=$(mem "$apid")

    local t0 t1
    t0=$(now)
    make_domains "$n"
    t1=$(now)
    local running
    running=$(vax_virsh list --name | grep -c . || true)
    [ "$running" -eq "$n" ] || vax_die "expected $n running domains, found $running (see $VAX_TMP/define.out)"
    vax_log "N=$n: $n domains defined and started in $(( (t1 - t0) / 1000000 )) ms"

    # A snapshot with all N domains, then hold it: warm walks never refresh.
    wait_until $(( 60 + n / 20 )) count_is "$n" || vax_die "virtDomainCount never reached $n"
    set_cache "$WARM_T"
    local vb
    # (count varbinds, not lines: at the end of the whole MIB view,
    # snmpbulkwalk adds a line "No more variables left in this MIB View")
    "${walk[@]}" "$OID.1" | grep -v 'No more variables left' > "$VAX_TMP/walk.first"
    vb=$(wc -l < "$VAX_TMP/walk.first")
    [ "$vb" -gt 0 ] || vax_die "empty walk"
    local disk_rows=$(( 2 * n ))

    # The ceiling: table 1 as many varbinds as our walk, table 2 the disk
    # table's shape.
    local brows=$(( (vb + BASE_COLS - 1) / BASE_COLS ))
    "$bindir/baseline" -x "$VAX_AGENTX" -p "$VAX_TMP/baseline.pid" \
        -T "$brows,$BASE_COLS" -T "$disk_rows,$DISK_COLS" \
        > "$VAX_TMP/baseline.log" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    local bpid=$!
    VAX_PIDS+=("baseline:$bpid")
    wait_until 30 eval 'snmpget -v2c -c public -r 0 -t 1 '"$target $OID"'.99.1.1.1.1 | grep -q Counter64' ||
        vax_die "baseline did not register"
    local bvb
    bvb=$("${walk[@]}" "$OID.99.1" | grep -vc 'No more variables left')
    local hz; hz=$(getconf CLK_TCK)

    # Warm full walks (ours and the ceiling, interleaved), CPU of each.
    local ours_t='' base_t='' c0 c1 cpu_ticks=0 bcpu_ticks=0 cnt s e r
    for (( r = 0; r < RUNS; r++ )); do
        c0=$(ticks "$apid"); s=$(now)
        "${walk[@]}" "$OID.1" | grep -v 'No more variables left' > "$VAX_TMP/walk.warm"
        e=$(now); c1=$(ticks "$apid")
        cnt=$(wc -l < "$VAX_TMP/walk.warm")
        [ "$cnt" -eq "$vb" ] || vax_die "N=$n: warm walk returned $cnt varbinds, the first $vb:" \
            "$(diff <(cut -d' ' -f1 "$VAX_TMP/walk.first") <(cut -d' ' -f1 "$VAX_TMP/walk.warm"))"
        ours_t+=" $(( e - s ))"
        cpu_ticks=$(( cpu_ticks + c1 - c0 ))
        c0=$(ticks "$bpid"); s=$(now)
        "${walk[@]}" "$OID.99.1" > /dev/null
        e=$(now); c1=$(ticks "$bpid")
        base_t+=" $(( e - s ))"
        bcpu_ticks=$(( bcpu_ticks + c1 - c0 ))
    done

    # Many-column GETBULK walk: virtDiskTable vs baseline table 2.
    local dsk_t='' bdsk_t='' dvb=0 bdvb=0 out
    for (( r = 0; r < RUNS; r++ )); do
        out=$("$bindir/colwalk" "$target" public "$OID.1.4" "$DISK_COLS" "$REPS")
        dvb=${out%% *}; dsk_t+=" $(awk '{ printf "%.0f", $4 * 1e9 }' <<<"$out")"
        out=$("$bindir/colwalk" "$target" public "$OID.99.2" "$DISK_COLS" "$REPS")
        bdvb=${out%% *}; bdsk_t+=" $(awk '{ printf "%.0f", $4 * 1e9 }' <<<"$out")"
    done
    local mem_n bmem
    mem_n=$(mem "$apid"); bmem=$(mem "$bpid")

    # Cold walks: cacheTimeout 5, let it expire, then walk.
    set_cache "$CACHE_T"
    local cold_t='' refresh_ms='' calls='' cold_vb='' rc
    for (( r = 0; r < COLD_RUNS; r++ )); do
        sleep $(( CACHE_T + 1 ))
        rc=$(scalar 11)     # virtRefreshCount; this GET starts a refresh
        s=$(now)
        cnt=$("${walk[@]}" "$OID.1" | grep -vc 'No more variables left')
        e=$(now)
        cold_t+=" $(( e - s ))"
        cold_vb+=" $cnt"
        wait_until $(( 30 + n / 50 )) eval '[ "$(scalar 11)" -gt '"$rc"' ]' ||
            vax_die "N=$n: no refresh after the cache expired"
        refresh_ms+=" $(scalar 10)"
        calls+=" $(scalar 14)"
    done

    # Idle: no request for IDLE seconds.
    local idle_ticks=0 idle_wake=0,0 w0 w1
    if [ "$IDLE" -gt 0 ]; then
        # No refresh may be running: hold the cache (a GET of stale data
        # would start one), then wait until the collector's threads have
        # been still for 3 s (a cold walk longer than cacheTimeout leaves
        # a second refresh running behind it).
        set_cache "$WARM_T"
        local quiet=0 prev='' cur
        for (( r = 0; r < 200 && quiet < 3; r++ )); do
            cur=$(wakeups "$apid"); cur=${cur#* }
            if [ "$cur" = "$prev" ]; then quiet=$(( quiet + 1 )); else quiet=0; fi
            prev=$cur
            sleep 1
        done
        c0=$(ticks "$apid"); w0=$(wakeups "$apid")
        sleep "$IDLE"
        idle_ticks=$(( $(ticks "$apid") - c0 ))
        w1=$(wakeups "$apid")
        idle_wake="$(( ${w1% *} - ${w0% *} )),$(( ${w1#* } - ${w0#* } ))"
    fi

    # One line per N for the summary (all times in ns, memory in KiB).
    # (lists of values are comma-separated)
    l() { local v=${1# }; v=${v% }; echo "${v// /,}"; }
    printf 'n=%s vb=%s bvb=%s dvb=%s bdvb=%s mem0=%s mem=%s bmem=%s cpu=%s bcpu=%s idle=%s idlewake=%s coldvb=%s ours=%s base=%s dsk=%s bdsk=%s cold=%s refresh=%s calls=%s\n' \
        "$n" "$vb" "$bvb" "$dvb" "$bdvb" "$(l "$mem0")" "$(l "$mem_n")" "$(l "$bmem")" \
        "$(awk -v t="$cpu_ticks" -v r="$RUNS" -v hz="$hz" 'BEGIN { printf "%.3f", t / r / hz }')" \
        "$(awk -v t="$bcpu_ticks" -v r="$RUNS" -v hz="$hz" 'BEGIN { printf "%.3f", t / r / hz }')" \
        "$(awk -v t="$idle_ticks" -v hz="$hz" -v s="$IDLE" 'BEGIN { printf "%.3f", s ? t / hz * 60 / s : 0 }')" \
        "$(awk -v w="$idle_wake" -v s="$IDLE" 'BEGIN { split(w, a, ","); printf "%.0f,%.0f", s ? a[1] * 60 / s : 0, s ? a[2] * 60 / s : 0 }')" \
        "$(l "$cold_vb")" "$(l "$ours_t")" "$(l "$base_t")" "$(l "$dsk_t")" "$(l "$bdsk_t")" \
        "$(l "$cold_t")" "$(l "$refresh_ms")" "$(l "$calls")" >&"$VAX_OUT"
}

# ---- trap latency: libvirt lifecycle event -> notification at snmptrapd
# Both ends are stamped by the same kind of reader on arrival: `virsh
# event` (a second libvirt client, told of the event when our agent is)
# and snmptrapd's output, line-buffered.
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
bench_traps() {
    # shellcheck source=tests/lib.sh
    . "$top/tests/lib.sh"
    vax_setup
    command -v snmptrapd > /dev/null || vax_skip "snmptrapd not installed"
    command -v stdbuf > /dev/null || vax_skip "stdbuf not installed"
    vax_start_libvirtd
    printf 'disableAuthorization yes\nformat2 TRAP %%v\\n\n' > "$VAX_TMP/trapd.conf"
    MIBS='' stdbuf -oL snmptrapd -f -C -c "$VAX_TMP/trapd.conf" -Lo -On \
        "udp:127.0.0.1:$VAX_TRAP_PORT" > >(stamp > "$VAX_TMP/traps.ts") 2>&1 < /dev/null &
    VAX_PIDS+=("snmptrapd:$!")
    wait_until 15 vax_port_owned_by "$VAX_TRAP_PORT" "$!" || vax_die "snmptrapd did not start"
    stdbuf -oL virsh -q -c "$VAX_URI" event --event lifecycle --loop \
        > >(stamp > "$VAX_TMP/events.ts") 2>&1 < /dev/null &
    VAX_PIDS+=("virsh-event:$!")
    vax_start_snmpd
    vax_start_agent
    sleep 2     # the agent and virsh have subscribed
    local i ev tr
    for (( i = 0; i < TRAPS; i++ )); do
        if (( i % 2 == 0 )); then vax_virsh suspend test > /dev/null; else vax_virsh resume test > /dev/null; fi
        sleep 0.2
    done
    wait_until 30 eval '[ "$(grep -c "\.32473\.0\." "$VAX_TMP/traps.ts")" -ge '"$TRAPS"' ]' || true
    ev=$(grep -c "lifecycle" "$VAX_TMP/events.ts" || true)
    tr=$(grep -c "\.32473\.0\." "$VAX_TMP/traps.ts" || true)
    [ "$ev" -eq "$TRAPS" ] && [ "$tr" -eq "$TRAPS" ] ||
        vax_die "$TRAPS actions gave $ev libvirt events and $tr notifications"
    # pair the k-th event with the k-th notification, check the kinds agree
    local lat
    lat=$(paste -d ' ' <(grep lifecycle "$VAX_TMP/events.ts" | awk '{ print $1, ($0 ~ /Suspended/) ? "S" : "R" }') \
                       <(grep '\.32473\.0\.' "$VAX_TMP/traps.ts" |
                         sed -E 's/^([0-9.]+) .*\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID: \.1\.3\.6\.1\.4\.1\.32473\.0\.([0-9]+).*/\1 \2/') |
          awk '{ kind[$2] = kind[$2] " " $4; printf "%.3f ", ($3 - $1) * 1000 }
               END { for (k in kind) { split(kind[k], a, " "); for (i in a) if (a[i] != a[1]) exit 1 } }') ||
        vax_die "events and notifications do not pair up by kind (see $VAX_TMP)"
    printf 'traps=%s lat=%s\n' "$TRAPS" "$(echo $lat | tr ' ' ',')" >&"$VAX_OUT"
}

# ---- a handful of real QEMU/TCG guests: bulk stats carry every group
bench_qemu() {
    # shellcheck source=tests/lib.sh
    . "$top/tests/lib.sh"
    vax_setup
    vax_start_libvirtd_qemu      # skips, saying why, without QEMU or root
    local g i k=$QEMU_GUESTS
    for (( i = 1; i <= k; i++ )); do vax_qemu_guest "bq$i-$$" "tbq$i-$$"; done
    vax_start_snmpd
    printf 'indexFile %s\ncacheTimeout %s\n' "$VAX_TMP/index" "$CACHE_T" > "$VAX_TMP/agent.conf"
    vax_start_agent
    wait_until 30 count_is "$k" || vax_die "virtDomainCount never reached $k"
    sleep 3     # boot sectors running, balloon reporting
    local walk=(snmpbulkwalk -v2c -c public -On -Oq -Cr50 -r 1 -t 20 "127.0.0.1:$VAX_SNMP_PORT")
    local warm_t='' cold_t='' refresh_ms='' calls='' vb s e r rc
    for (( r = 0; r < RUNS; r++ )); do
        sleep $(( CACHE_T + 1 ))
        rc=$(scalar 11)
        s=$(now); vb=$("${walk[@]}" "$OID.1" | grep -vc 'No more variables left'); e=$(now)
        cold_t+=" $(( e - s ))"
        wait_until 30 eval '[ "$(scalar 11)" -gt '"$rc"' ]' || vax_die "no refresh"
        refresh_ms+=" $(scalar 10)"; calls+=" $(scalar 14)"
        s=$(now); "${walk[@]}" "$OID.1" > /dev/null; e=$(now)
        warm_t+=" $(( e - s ))"
    done
    l() { local v=${1# }; v=${v% }; echo "${v// /,}"; }
    printf 'guests=%s vb=%s mem=%s warm=%s cold=%s refresh=%s calls=%s\n' "$k" "$vb" \
        "$(l "$(mem "$VAX_AGENT_PID")")" "$(l "$warm_t")" "$(l "$cold_t")" \
        "$(l "$refresh_ms")" "$(l "$calls")" >&"$VAX_OUT"
}

# run_stage NAME FUNCTION [ARGS]: the stage in a subshell, progress to
# stderr, its result line (the one starting with NAME=) on stdout; exit
# status 77 when the stage skipped.
run_stage() {
    local tag=$1 out st=0
    shift
    out=$( ( "$@" ) | while IFS= read -r l; do
               printf '%s\n' "$l" >&2
               case $l in "$tag="*) printf '%s\n' "$l" ;; esac
           done; exit "${PIPESTATUS[0]}" ) || st=$?
    [ "$st" -eq 0 ] && [ -n "$out" ] && { echo "$out"; return 0; }
    [ "$st" -eq 77 ] && return 77
    return 1
}

for n in $BENCH_N; do
    echo "=== N=$n ==="
    t0=$(date +%s)
    line=$(run_stage n bench_one "$n") || { echo "bench: N=$n failed" >&2; exit 1; }
    echo "$line" >> "$results"
    echo "# N=$n took $(( $(date +%s) - t0 )) s"
done
trap_line='' qemu_line='' soak_line='' qemu_why='' soak_why=''
if [ "$TRAPS" -gt 0 ]; then
    echo "=== trap latency, $TRAPS events ==="
    trap_line=$(run_stage traps bench_traps) || { echo "bench: trap latency failed" >&2; exit 1; }
fi
if [ "$QEMU_GUESTS" -gt 0 ]; then
    echo "=== $QEMU_GUESTS QEMU/TCG guests ==="
    st=0; qemu_line=$(run_stage guests bench_qemu) || st=$?
    case $st in
        0) ;;
        77) qemu_why="skipped (see the SKIP line above)" ;;
        *) echo "bench: QEMU stage failed" >&2; exit 1 ;;
    esac
fi
if [ "$SOAK_WALKS" -gt 0 ]; then
    echo "=== soak, $SOAK_WALKS walks ==="
    soak_line=$(SOAK_WALKS=$SOAK_WALKS SOAK_SECONDS=0 run_stage soak "$here/soak.sh") ||
        { echo "bench: soak failed" >&2; exit 1; }
fi
elapsed=$(( $(date +%s) - t_bench0 ))

# ---- summary
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | tr ',' ' '; }
nth() { tr ' ' '\n' <<<"$1" | sed -n "${2}p"; }     # nth "a b c" 2 -> b
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
calc() { awk "BEGIN { printf \"$1\", ($2) }"; }
pct() {         # pct "values" P: the P-th percentile (nearest rank)
    tr ' ' '\n' <<<"$1" | grep . | sort -g |
        awk -v p="$2" '{ a[NR] = $1 } END { r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; print a[r] }'
}
targets=''
target() {      # target "what" "figure" COND: a line of the targets list
    local verdict=missed
    awk "BEGIN { exit !($3) }" && verdict=met
    targets+="| $1 | $2 | $verdict |"$'\n'
}
summary=$(
    echo "Full walk (\`snmpbulkwalk -Cr50\`), warm cache:"
    echo
    echo "| N | varbinds | ours s (min / med / max) | ours vb/s | ceiling s (min / med / max) | ceiling vb/s | ours/ceiling, vb/s | µs per varbind |"
    echo "| ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |"
    while read -r line; do
        n=$(field "$line" n); vb=$(field "$line" vb); bvb=$(field "$line" bvb)
        o=$(field "$line" ours); b=$(field "$line" base)
        om=$(med "$o"); bm=$(med "$b")
        printf '| %s | %s | %s | %.0f | %s | %.0f | %.2f | %.1f |\n' "$n" "$vb" \
            "$(fmt_mmm "$o" 1e-9 %.3f)" "$(calc %f "$vb / ($om / 1e9)")" \
            "$(fmt_mmm "$b" 1e-9 %.3f)" "$(calc %f "$bvb / ($bm / 1e9)")" \
            "$(calc %f "($vb / $om) / ($bvb / $bm)")" "$(calc %f "$om / 1e3 / $vb")"
    done < "$results"
    echo
    echo "Many-column GETBULK walk of virtDiskTable (18 columns, max-repetitions $REPS):"
    echo
    echo "| N | varbinds (ours / ceiling) | ours s (min / med / max) | ceiling s (min / med / max) | ours/ceiling, vb/s |"
    echo "| ---: | --- | --- | --- | ---: |"
    while read -r line; do
        n=$(field "$line" n); dvb=$(field "$line" dvb); bdvb=$(field "$line" bdvb)
        d=$(field "$line" dsk); bd=$(field "$line" bdsk)
        printf '| %s | %s / %s | %s | %s | %.2f |\n' "$n" "$dvb" "$bdvb" \
            "$(fmt_mmm "$d" 1e-9 %.4f)" "$(fmt_mmm "$bd" 1e-9 %.4f)" \
            "$(calc %f "($dvb / $(med "$d")) / ($bdvb / $(med "$bd"))")"
    done < "$results"
    echo
    echo "Cold walks (cacheTimeout $CACHE_T s, expired) and refreshes (test driver):"
    echo
    echo "| N | warm walk s (med) | cold walk s (min / med / max) | cold/warm | refresh ms (min / med / max) | libvirt calls per refresh |"
    echo "| ---: | ---: | --- | ---: | --- | --- |"
    while read -r line; do
        n=$(field "$line" n); o=$(field "$line" ours); c=$(field "$line" cold)
        printf '| %s | %.3f | %s | %.2f | %s | %s |\n' "$n" "$(calc %f "$(med "$o") / 1e9")" \
            "$(fmt_mmm "$c" 1e-9 %.3f)" "$(calc %f "$(med "$c") / $(med "$o")")" \
            "$(fmt_mmm "$(field "$line" refresh)" 1 %.0f)" "$(field "$line" calls)"
    done < "$results"
    echo
    echo "Memory and CPU of the agent:"
    echo
    echo "| N | VmRSS MiB, 0 domains (anon / file) | VmRSS MiB, N domains (anon / file) | ceiling VmRSS MiB | CPU s per full walk, ours / ceiling | idle CPU s per min | idle context switches per min, main thread / others |"
    echo "| ---: | --- | --- | ---: | --- | ---: | ---: |"
    while read -r line; do
        n=$(field "$line" n); m0=$(field "$line" mem0); m=$(field "$line" mem)
        printf '| %s | %s (%s / %s) | %s (%s / %s) | %s | %s / %s | %s | %s |\n' "$n" \
            "$(mib "$(nth "$m0" 1)")" "$(mib "$(nth "$m0" 2)")" "$(mib "$(nth "$m0" 3)")" \
            "$(mib "$(nth "$m" 1)")" "$(mib "$(nth "$m" 2)")" "$(mib "$(nth "$m" 3)")" \
            "$(mib "$(nth "$(field "$line" bmem)" 1)")" "$(field "$line" cpu)" "$(field "$line" bcpu)" \
            "$(field "$line" idle)" "$(field "$line" idlewake | tr ' ' /)"
    done < "$results"
    if [ -n "$qemu_line" ]; then
        echo
        echo "Real QEMU/TCG guests (bulk stats carry every group), cacheTimeout $CACHE_T s:"
        echo
        echo "| guests | varbinds | warm walk s (min / med / max) | cold walk s (min / med / max) | refresh ms (min / med / max) | libvirt calls per refresh | VmRSS MiB |"
        echo "| ---: | ---: | --- | --- | --- | --- | ---: |"
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(field "$qemu_line" guests)" \
            "$(field "$qemu_line" vb)" "$(fmt_mmm "$(field "$qemu_line" warm)" 1e-9 %.3f)" \
            "$(fmt_mmm "$(field "$qemu_line" cold)" 1e-9 %.3f)" \
            "$(fmt_mmm "$(field "$qemu_line" refresh)" 1 %.0f)" "$(field "$qemu_line" calls)" \
            "$(mib "$(nth "$(field "$qemu_line" mem)" 1)")"
    elif [ -n "$qemu_why" ]; then
        echo; echo "Real QEMU guests: $qemu_why."
    fi
    if [ -n "$trap_line" ]; then
        lat=$(field "$trap_line" lat)
        echo
        printf 'Trap latency, libvirt lifecycle event to snmptrapd, %s events (suspend/resume): min %s ms, p50 %s ms, p99 %s ms, max %s ms.\n' \
            "$(field "$trap_line" traps)" "$(pct "$lat" 0)" "$(pct "$lat" 50)" "$(pct "$lat" 99)" "$(pct "$lat" 100)"
    fi
    if [ -n "$soak_line" ]; then
        echo
        printf 'Soak (bench/soak.sh): %s walks in %s s with domains coming and going (%s domains created and destroyed, UUIDs %s): agent VmRSS %s MiB after the first %s walks, %s MiB at the end (max %s); open fds %s then %s (max %s).\n' \
            "$(field "$soak_line" walks)" "$(field "$soak_line" secs)" "$(field "$soak_line" churn)" "$(field "$soak_line" uuids)" \
            "$(mib "$(field "$soak_line" rss_first)")" "$(field "$soak_line" first)" \
            "$(mib "$(field "$soak_line" rss_last)")" "$(mib "$(field "$soak_line" rss_max)")" \
            "$(field "$soak_line" fds_first)" "$(field "$soak_line" fds_last)" "$(field "$soak_line" fds_max)"
    fi
)

# ---- the targets of issue 5, met or missed by these figures
wr_min=9 cr_min=9 us100='' usmax='' nmax=0 rss1000='' idle_max=0
while read -r line; do
    n=$(field "$line" n); vb=$(field "$line" vb); bvb=$(field "$line" bvb)
    om=$(med "$(field "$line" ours)"); bm=$(med "$(field "$line" base)")
    wr=$(calc %f "($vb / $om) / ($bvb / $bm)"); wr_min=$(calc %f "$wr < $wr_min ? $wr : $wr_min")
    dvb=$(field "$line" dvb); bdvb=$(field "$line" bdvb)
    cr=$(calc %f "($dvb / $(med "$(field "$line" dsk)")) / ($bdvb / $(med "$(field "$line" bdsk)"))")
    cr_min=$(calc %f "$cr < $cr_min ? $cr : $cr_min")
    us=$(calc %f "$om / 1e3 / $vb")
    [ "$n" -ne 100 ] || us100=$us
    [ "$n" -le "$nmax" ] || { nmax=$n; usmax=$us; }
    [ "$n" -ne 1000 ] || rss1000=$(nth "$(field "$line" mem)" 1)
    idle_max=$(calc %f "$(field "$line" idle) > $idle_max ? $(field "$line" idle) : $idle_max")
done < "$results"
target "full walk ours/ceiling >= 0.95 at every N" "min $(calc %.2f "$wr_min")" "$wr_min >= 0.95"
target "many-column walk ours/ceiling >= 0.9 at every N" "min $(calc %.2f "$cr_min")" "$cr_min >= 0.9"
[ -z "$us100" ] || [ "$nmax" -le 100 ] ||
    target "µs per varbind at N=$nmax within 1.2x of N=100" "$(calc %.2f "$usmax / $us100")x" "$usmax / $us100 <= 1.2"
[ -z "$rss1000" ] || target "VmRSS <= 20 MB at 1000 domains" "$(calc %.1f "$rss1000 * 1024 / 1e6") MB" "$rss1000 * 1024 <= 20e6"
[ -z "$qemu_line" ] || {
    qmax=$(tr ' ' '\n' <<<"$(field "$qemu_line" calls)" | sort -n | tail -n 1)
    target "QEMU: <= 5 libvirt calls per steady refresh (3 for the domains, 2 for the host)" "max $qmax" "$qmax <= 5"
}
target "idle: < 0.1 CPU s per minute" "max $(calc %.3f "$idle_max")" "$idle_max < 0.1"
[ -z "$trap_line" ] || {
    p99=$(pct "$(field "$trap_line" lat)" 99)
    target "trap latency p99 <= 50 ms" "$p99 ms" "$p99 <= 50"
}
[ -z "$soak_line" ] || {
    g=$(calc %f "$(field "$soak_line" rss_last) - $(field "$soak_line" rss_first)")
    target "no RSS growth over $(field "$soak_line" walks) walks (after the first $(field "$soak_line" first))" \
        "$(calc %+.1f "$g / 1024") MiB, fds $(field "$soak_line" fds_first) -> $(field "$soak_line" fds_last)" \
        "$g <= 512 && $(field "$soak_line" fds_last) <= $(field "$soak_line" fds_first)"
}
summary+=$'\n\nTargets (issue 5):\n\n| target | measured | |\n| --- | --- | --- |\n'"$targets"

# ---- plot: walk time and RSS against N
plotted=''
if [ "$PLOT" != none ] && command -v gnuplot > /dev/null && [ "$(wc -l < "$results")" -gt 1 ]; then
    while read -r line; do
        printf '%s %s %s %s %s\n' "$(field "$line" n)" \
            "$(calc %f "$(med "$(field "$line" ours)") / 1e9")" "$(calc %f "$(med "$(field "$line" base)") / 1e9")" \
            "$(mib "$(nth "$(field "$line" mem)" 1)")" "$(mib "$(nth "$(field "$line" mem)" 2)")"
    done < "$results" > "$bindir/plot.dat"
    gnuplot <<EOF && plotted=yes
set terminal pngcairo size 900,520 font ",10"
set output "$PLOT"
set title "virt-agentx: full walk time and memory against the number of domains"
set logscale x; set logscale y; set xlabel "domains (N)"
set ylabel "full snmpbulkwalk, seconds (median)"; set y2label "agent memory, MiB"
set y2tics; set ytics nomirror; set key left top; set grid
plot "$bindir/plot.dat" using 1:2 with linespoints lw 2 title "walk: virt-agentx", \
     "" using 1:3 with linespoints lw 2 dt 2 title "walk: AgentX ceiling", \
     "" using 1:4 axes x1y2 with linespoints lw 2 title "VmRSS", \
     "" using 1:5 axes x1y2 with linespoints lw 2 dt 3 title "RssAnon (private)"
EOF
fi
[ -z "$plotted" ] || summary+=$'\n'"![walk time and RSS against N]($(realpath --relative-to="$(dirname "$OUT")" "$PLOT" 2>/dev/null || echo "$PLOT"))"$'\n'

mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
machine=$(
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "- memory: $mem"
    echo "- kernel: $(uname -sr)"
    echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- libvirt: $(libvirtd --version | awk '{ print $NF }'), net-snmp: $(net-snmp-config --version 2>/dev/null || snmpd -v | sed -n 's/.*version: *//p')"
    echo "- agent: $("$VAX_AGENT" -V 2>&1 | head -n 1), built from $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- command: \`BENCH_N=\"$BENCH_N\" BENCH_RUNS=$RUNS BENCH_COLD_RUNS=$COLD_RUNS BENCH_IDLE=$IDLE BENCH_TRAPS=$TRAPS BENCH_QEMU_GUESTS=$QEMU_GUESTS BENCH_SOAK_WALKS=$SOAK_WALKS make bench\` (took ${elapsed} s)"
)
block=$(printf '%s\n\n%s\n' "$machine" "$summary")

echo
echo "=== Summary ==="
echo "$block"

if [ "$OUT" != /dev/null ]; then
    begin='<!-- bench:begin (written by bench/run.sh) -->' end='<!-- bench:end -->'
    printf '%s\n' "$block" > "$results.block"
    if [ -f "$OUT" ] && grep -qF "$begin" "$OUT" && grep -qF "$end" "$OUT"; then
        awk -v b="$begin" -v e="$end" -v f="$results.block" '
            $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
            $0 == e { skip = 0 }
            !skip' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
    else
        { echo "# Benchmarks"; echo; echo "$begin"; echo "$block"; echo "$end"; } > "$OUT"
    fi
    rm -f "$results.block"
    echo "# written to $OUT"
fi
