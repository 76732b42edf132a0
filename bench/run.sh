#!/bin/bash
# bench/run.sh - the body of `make bench`: virt-agentx against an "AgentX
# ceiling" (bench/baseline.c, a minimal subagent answering a static table
# from memory), both behind the same private snmpd.
#
# For each N in $BENCH_N (default "10 100 1000"): a private libvirtd (test
# driver, tests/lib.sh) with N running domains of 2 vCPUs, 2 disks, 2 NICs;
# snmpd; virt-agentx -t 5; the baseline sized to as many varbinds as our full
# walk.  Measures (BENCH_RUNS repetitions, default 5; min/median/max):
#   - full snmpbulkwalk -Cr50 of .1.3.6.1.4.1.32473.1 and of the baseline's
#     equally large table (.1.3.6.1.4.1.32473.99.1): seconds, varbinds/s;
#   - a many-column GETBULK walk (bench/colwalk, what snmptable -Cb sends)
#     of virtDiskTable vs a baseline table of the same rows x columns;
#   - cold walks (cache expired, BENCH_COLD_RUNS, default 3) vs warm;
#   - agent VmRSS, agent CPU seconds per full walk, virtRefreshDuration.
# Prints a summary and writes it between the markers in BENCHMARKS.md
# (BENCH_OUT to write elsewhere, BENCH_OUT=/dev/null for none).
#
# Environment: VAX_AGENT (agent binary), BENCH_N, BENCH_RUNS,
# BENCH_COLD_RUNS, BENCH_REPS (max-repetitions of the many-column walk,
# default 10 as snmptable), BENCH_OUT, VAX_KEEP=1 (keep temp dirs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
builddir=${abs_top_builddir:-$top}
export VAX_AGENT=${VAX_AGENT:-$builddir/src/virt-agentx}
BENCH_N=${BENCH_N:-10 100 1000}
RUNS=${BENCH_RUNS:-5}
COLD_RUNS=${BENCH_COLD_RUNS:-3}
REPS=${BENCH_REPS:-10}
OUT=${BENCH_OUT:-$top/BENCHMARKS.md}
CACHE_T=5
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

# ---- one N, in a subshell with its own daemons and lib.sh EXIT trap
bench_one() {
    local n=$1
    # shellcheck source=tests/lib.sh
    . "$top/tests/lib.sh"
    vax_setup
    local target=127.0.0.1:$VAX_SNMP_PORT
    local walk=(snmpbulkwalk -v2c -c public -On -Oq -Cr50 -r 1 -t 20 "$target")

    vax_start_libvirtd
    # N domains: one XML each, all defined and started through ONE virsh.
    local xmldir=$VAX_TMP/domains i t0 t1
    mkdir -p "$xmldir"
    t0=$(date +%s%N)
    {
        echo "destroy test"
        echo "undefine test"
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
    t1=$(date +%s%N)
    local running
    running=$(vax_virsh list --name | grep -c . || true)
    [ "$running" -eq "$n" ] || vax_die "expected $n running domains, found $running (see $VAX_TMP/define.out)"
    vax_log "N=$n: $n domains defined and started in $(( (t1 - t0) / 1000000 )) ms"

    vax_start_snmpd
    vax_start_agent -t "$CACHE_T"
    local apid=$VAX_AGENT_PID
    [ -r "/proc/$apid/stat" ] || vax_die "no /proc/$apid"

    # First walk: wait for a refresh that has all N domains.
    # shellcheck disable=SC2016 # expanded by eval
    wait_until 60 eval '[ "$(snmpget -v2c -c public -Oqv -r 1 -t 5 '"$target $OID"'.1.1.7.0)" = '"$n"' ]' ||
        vax_die "virtDomainCount never reached $n"
    local vb
    vb=$("${walk[@]}" "$OID.1" | wc -l)
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
    bvb=$("${walk[@]}" "$OID.99.1" | wc -l)

    # helpers: seconds of a command; agent CPU ticks
    now() { date +%s%N; }
    ticks() { awk '{ print $14 + $15 }' "/proc/$apid/stat"; }
    bticks() { awk '{ print $14 + $15 }' "/proc/$bpid/stat"; }
    local hz; hz=$(getconf CLK_TCK)

    # Warm full walks (ours and the ceiling, interleaved), agent CPU.
    local ours_t='' base_t='' c0 c1 cpu_ticks=0 bcpu_ticks=0 cnt s e r
    for (( r = 0; r < RUNS; r++ )); do
        # keep the cache warm: a refresh on the agent's thread would be
        # charged to the walk; a cheap GET first triggers it if due
        snmpget -v2c -c public -r 1 -t 5 "$target" "$OID.1.1.7.0" > /dev/null
        sleep 0.2
        c0=$(ticks); s=$(now)
        cnt=$("${walk[@]}" "$OID.1" | wc -l)
        e=$(now); c1=$(ticks)
        [ "$cnt" -eq "$vb" ] || vax_log "N=$n: walk returned $cnt varbinds, first walk $vb"
        ours_t+=" $(( e - s ))"
        cpu_ticks=$(( cpu_ticks + c1 - c0 ))
        c0=$(bticks); s=$(now)
        "${walk[@]}" "$OID.99.1" > /dev/null
        e=$(now); c1=$(bticks)
        base_t+=" $(( e - s ))"
        bcpu_ticks=$(( bcpu_ticks + c1 - c0 ))
    done

    # Many-column GETBULK walk: virtDiskTable vs baseline table 2.
    local dsk_t='' bdsk_t='' dvb=0 bdvb=0 out
    for (( r = 0; r < RUNS; r++ )); do
        out=$("$bindir/colwalk" "$target" public "$OID.1.4" "$DISK_COLS" "$REPS")
        dvb=${out%% *}; dsk_t+=" $(awk '{ printf "%d", $4 * 1e9 }' <<<"$out")"
        out=$("$bindir/colwalk" "$target" public "$OID.99.2" "$DISK_COLS" "$REPS")
        bdvb=${out%% *}; bdsk_t+=" $(awk '{ printf "%d", $4 * 1e9 }' <<<"$out")"
    done

    # Cold walks: let the cache expire, then walk.
    local cold_t='' refresh_ms='' cold_vb=''
    for (( r = 0; r < COLD_RUNS; r++ )); do
        sleep $(( CACHE_T + 1 ))
        s=$(now)
        cnt=$("${walk[@]}" "$OID.1" | wc -l)
        e=$(now)
        cold_t+=" $(( e - s ))"
        cold_vb+=" $cnt"
        sleep 0.5
        refresh_ms+=" $(snmpget -v2c -c public -Oqv -r 1 -t 5 "$target" "$OID.1.1.10.0")"
    done

    local rss
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$apid/status")
    local cpu_walk
    cpu_walk=$(awk -v t="$cpu_ticks" -v r="$RUNS" -v hz="$hz" 'BEGIN { printf "%.3f", t / r / hz }')
    local bcpu_walk
    bcpu_walk=$(awk -v t="$bcpu_ticks" -v r="$RUNS" -v hz="$hz" 'BEGIN { printf "%.3f", t / r / hz }')

    # One line per N for the summary (all times in ns).
    # (lists of values are comma-separated)
    l() { local v=${1# }; echo "${v// /,}"; }
    printf 'n=%s vb=%s bvb=%s dvb=%s bdvb=%s rss=%s cpu=%s bcpu=%s coldvb=%s ours=%s base=%s dsk=%s bdsk=%s cold=%s refresh=%s\n' \
        "$n" "$vb" "$bvb" "$dvb" "$bdvb" "$rss" "$cpu_walk" "$bcpu_walk" "$(l "$cold_vb")" \
        "$(l "$ours_t")" "$(l "$base_t")" "$(l "$dsk_t")" "$(l "$bdsk_t")" \
        "$(l "$cold_t")" "$(l "$refresh_ms")" >&"$VAX_OUT"
}

for n in $BENCH_N; do
    echo "=== N=$n ==="
    t0=$(date +%s)
    # progress to stderr, the result line (n=...) captured
    line=$( (bench_one "$n") | while IFS= read -r l; do
                printf '%s\n' "$l" >&2
                case $l in n=*) printf '%s\n' "$l" ;; esac
            done ) || {
        echo "bench: N=$n failed" >&2
        exit 1
    }
    echo "$line" >> "$results"
    echo "# N=$n took $(( $(date +%s) - t0 )) s"
done
elapsed=$(( $(date +%s) - t_bench0 ))

# ---- summary
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | tr ',' ' '; }
summary=$(
    echo "| N | varbinds | ours walk s (min / med / max) | ours vb/s | ceiling walk s (min / med / max) | ceiling vb/s | ours/ceiling time |"
    echo "| ---: | ---: | --- | ---: | --- | ---: | ---: |"
    while read -r line; do
        n=$(field "$line" n); vb=$(field "$line" vb); bvb=$(field "$line" bvb)
        o=$(field "$line" ours); b=$(field "$line" base)
        om=$(med "$o"); bm=$(med "$b")
        printf '| %s | %s | %s | %.0f | %s | %.0f | %.2f |\n' "$n" "$vb" \
            "$(fmt_mmm "$o" 1e-9 %.3f)" "$(awk -v v="$vb" -v t="$om" 'BEGIN { print v / (t / 1e9) }')" \
            "$(fmt_mmm "$b" 1e-9 %.3f)" "$(awk -v v="$bvb" -v t="$bm" 'BEGIN { print v / (t / 1e9) }')" \
            "$(awk -v a="$om" -v b="$bm" -v v="$vb" -v w="$bvb" 'BEGIN { print (a / v) / (b / w) }')"
    done < "$results"
    echo
    echo "| N | disk-table varbinds (ours / ceiling) | ours many-column s (min / med / max) | ceiling s (min / med / max) | ours/ceiling per varbind | µs per varbind, ours full walk |"
    echo "| ---: | --- | --- | --- | ---: | ---: |"
    while read -r line; do
        n=$(field "$line" n); vb=$(field "$line" vb)
        dvb=$(field "$line" dvb); bdvb=$(field "$line" bdvb)
        d=$(field "$line" dsk); bd=$(field "$line" bdsk); o=$(field "$line" ours)
        printf '| %s | %s / %s | %s | %s | %.2f | %.1f |\n' "$n" "$dvb" "$bdvb" \
            "$(fmt_mmm "$d" 1e-9 %.4f)" "$(fmt_mmm "$bd" 1e-9 %.4f)" \
            "$(awk -v a="$(med "$d")" -v b="$(med "$bd")" -v v="$dvb" -v w="$bdvb" 'BEGIN { print (a / v) / (b / w) }')" \
            "$(awk -v t="$(med "$o")" -v v="$vb" 'BEGIN { print t / 1e3 / v }')"
    done < "$results"
    echo
    echo "| N | warm walk s (med) | cold walk s (min / med / max) | cold walk varbinds | cold/warm | refresh ms (min / med / max) | agent VmRSS MiB | CPU s per full walk, agent / ceiling |"
    echo "| ---: | ---: | --- | --- | ---: | --- | ---: | --- |"
    while read -r line; do
        n=$(field "$line" n); o=$(field "$line" ours); c=$(field "$line" cold)
        printf '| %s | %.3f | %s | %s | %.2f | %s | %.1f | %s / %s |\n' "$n" \
            "$(awk -v t="$(med "$o")" 'BEGIN { print t / 1e9 }')" \
            "$(fmt_mmm "$c" 1e-9 %.3f)" "$(field "$line" coldvb)" \
            "$(awk -v a="$(med "$c")" -v b="$(med "$o")" 'BEGIN { print a / b }')" \
            "$(fmt_mmm "$(field "$line" refresh)" 1 %.0f)" \
            "$(awk -v k="$(field "$line" rss)" 'BEGIN { print k / 1024 }')" \
            "$(field "$line" cpu)" "$(field "$line" bcpu)"
    done < "$results"
)

mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
machine=$(
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "- memory: $mem"
    echo "- kernel: $(uname -sr)"
    echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- libvirt: $(libvirtd --version | awk '{ print $NF }'), net-snmp: $(net-snmp-config --version 2>/dev/null || snmpd -v | sed -n 's/.*version: *//p')"
    echo "- agent: $("$VAX_AGENT" -V 2>&1 | head -n 1), built from $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- command: \`BENCH_N=\"$BENCH_N\" BENCH_RUNS=$RUNS BENCH_COLD_RUNS=$COLD_RUNS make bench\` (took ${elapsed} s)"
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
