#!/usr/bin/env bash
# The usage gauges on a real Linux guest (tests/guest, TCG, private
# libvirtd), made busy: a spin loop started through its agent, 8 MiB
# written with fsync, a flood ping from the host. Each window's two ends
# are refreshes of the agent bracketed by virsh domstats --raw, so every
# gauge must lie between the rates those readings allow (exact, whatever
# the load), and CPU % must agree within 3 points with the rate virsh's
# own readings give. Then what makes a gauge absent: no window yet, a
# restart (new domain id), a domain shut off; carried values between
# windows; usageWindow changed by SIGHUP.
# shellcheck disable=SC2016 # eval '...' strings expand when evaluated
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
D=$R.2.1
W=6   # usageWindow, s
vax_setup
vax_start_libvirtd_qemu          # skips, saying why, without QEMU or root
vax_linux_image                  # skips, saying why, without its packages
vax_start_snmpd
printf 'indexFile %s\nusageWindow %s\n' "$VAX_TMP/index" "$W" > "$VAX_TMP/agent.conf"

G=us-$$ TAP=tus-$$ NET=10.215.$(( $$ % 250 ))
xml=$(vax_linux_guest_xml "$G" "$TAP" "$NET") || vax_die "cannot make $G's XML and disk"
vax_virsh define "$xml" > /dev/null || vax_die "cannot define $G"
vax_virsh start "$G" > /dev/null || vax_die "cannot start $G"
vax_linux_up "$G" "$NET"
# The agent starts on a running guest: its first sample has no window.
t_agent=$(( $(date +%s%N) / 1000000 ))
vax_start_agent -t 1
UUID=$(vax_virsh domuuid "$G")
idx_of() { vax_walk $D.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'; }
require "$G in virtDomainTable" wait_until 10 eval '[ -n "$(idx_of "$UUID")" ]'
I=$(idx_of "$UUID")

val() { vax_get "$1" | awk '/No Such/ { exit } { print $NF }'; }
absent() { vax_get "$1" | grep -q 'No Such Instance'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# sample NAME: virsh domstats (NAME.before, its time), a refresh of the
# agent, virsh domstats (NAME.after): the refresh's sample lies between.
sample() {
    sleep 1.1   # the cache (-t 1) expired: the next request refreshes
    local t0 t1 age
    t0=$(now_ms)
    vax_virsh domstats --raw "$G" > "$VAX_TMP/$1.before"
    eval "${1}_b0=$t0 ${1}_b1=$(now_ms)"
    local trig; trig=$(now_ms)
    vax_get $R.1.7.0 > /dev/null   # starts the refresh (refreshWait: ends within 50 ms)
    # The snapshot served must be taken after the trigger, else the bracket
    # lies: a refresh slower than refreshWait (valgrind) lands a bit later.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        age=$(val $R.1.9.0) t0=$(now_ms)
        [ -z "$age" ] || [ "$age" -gt "$(( t0 - trig ))" ] || break
        sleep 0.2
    done
    vax_virsh domstats --raw "$G" > "$VAX_TMP/$1.after"
    t1=$(now_ms)
    eval "${1}_a0=$t0 ${1}_a1=$t1"
    [ -n "$age" ] && [ "$age" -le "$(( t0 - trig ))" ] ||
        vax_die "sample $1: the snapshot served (virtCacheAge $age ms) is older than the refresh asked $(( t0 - trig )) ms ago"
}
# st NAME before|after KEY: a virsh value of that sample.
st() { awk -F= -v k="$3" '{ gsub(/^ +/, "", $1) } $1 == k { print $2; exit }' "$VAX_TMP/$1.$2"; }

# within DESC GAUGE KEY MULT DIV: a rate gauge of the window A..B must be
# delta(KEY) * MULT / DIV for a delta between the least and the most the
# brackets allow, DIV being the window the agent served (rounding: +-1).
within() {
    local desc=$1 g=$2 k=$3 mult=$4 div=$5 lo hi
    lo=$(( ($(st B before "$k") - $(st A after "$k")) * mult / div - 1 ))
    hi=$(( ($(st B after "$k") - $(st A before "$k")) * mult / div + 1 ))
    [ "$lo" -ge 0 ] || lo=0
    vax_between "$desc" "$g" "$lo" "$hi"
}

# ---- before any window ----
c33=$(vax_get $D.33.$I) c37=$(vax_get $D.37.$I)
if [ $(( $(now_ms) - t_agent )) -lt $(( W * 1000 )) ]; then
    check "virtDomainCpuUsage is absent before a window closed" eval 'echo "$c33" | grep -q "No Such Instance"'
    check "virtDomainUsageWindow is absent before a window closed" eval 'echo "$c37" | grep -q "No Such Instance"'
else   # (valgrind) the agent took longer than a window to answer
    echo "# the agent answered $(( $(now_ms) - t_agent )) ms after its start, past the first window: no check of it"
fi

# ---- a busy window ----
vax_guest_exec "$G" 'while :; do :; done' > /dev/null || vax_die "guest-exec of the spin loop failed"
sleep "$W"   # the first window (from the agent's first sample) closes at A
sample A
# That refresh came after A_b1: a window that closed at an earlier one
# (1.1 s earlier at least) would be older than the time since A_b1.
ageA=$(val $D.38.$I) sinceA=$(( $(now_ms) - A_b1 ))
check "a window closed at A: virtDomainUsageAge ($ageA ms) is that refresh's (at most $sinceA ms)" \
    test "${ageA:-999999}" -le "$sinceA"
vax_guest_exec "$G" 'dd if=/dev/zero of=/mnt/data/usage bs=1M count=8 conv=fsync' > /dev/null ||
    vax_die "guest-exec dd failed"
ping -q -f -c 2000 -s 1000 -w "$W" "$NET.2" > "$VAX_TMP/ping.out" 2>&1 &
pinger=$!
sleep "$W"
wait "$pinger"
sample B
echo "# ping: $(tail -n 2 "$VAX_TMP/ping.out" | head -n 1)"

# Window A..B's gauges, all read at once: read one GET at a time, a
# loaded machine reached the next window (W s after B) before the last
# of them (CI: disk and NIC rates of a quiet window B..B' were compared
# with A..B's counters). A walk right after B stays within B's window.
for t in 2 3 4 5; do vax_walk "$R.$t.1"; done > "$VAX_TMP/walk.B"
bval() { awk -v o="$1" '$1 == o { print $NF; exit }' "$VAX_TMP/walk.B"; }
babsent() { [ -z "$(bval "$1")" ]; }
# Two polls inside the next window, now (checked below): the last
# window's gauges are served again.
sleep 1.1
age1=$(val $D.38.$I) c1=$(val $D.33.$I) w1=$(val $D.37.$I)
sleep 1.1
age2=$(val $D.38.$I) c2=$(val $D.33.$I) w2=$(val $D.37.$I)
# Only while the next window cannot have closed: less than W s since
# B's refresh (asked after B_b1: an upper bound).
sinceB=$(( $(now_ms) - B_b1 ))
echo "# polls inside the next window: $sinceB ms after B's refresh was asked"
win=$(bval $D.37.$I)
vax_between "virtDomainUsageWindow is the time between the refreshes A and B" "$win" \
    "$(( B_b1 - A_a0 ))" "$(( B_a1 - A_b0 ))"
require "the window ($win ms) is at least usageWindow" test "${win:-0}" -ge $(( W * 1000 ))
cpu=$(bval $D.33.$I)
within "virtDomainCpuUsage between the cpu.time readings" "$cpu" cpu.time 1 $(( win * 100 ))
# virsh's own rate, from the middles of the two brackets.
ref=$(awk -v a0="$(st A before cpu.time)" -v a1="$(st A after cpu.time)" \
    -v b0="$(st B before cpu.time)" -v b1="$(st B after cpu.time)" \
    -v ta=$(( (A_b0 + A_b1 + A_a0 + A_a1) / 4 )) -v tb=$(( (B_b0 + B_b1 + B_a0 + B_a1) / 4 )) \
    'BEGIN { printf "%d", ((b0 + b1) / 2 - (a0 + a1) / 2) / ((tb - ta) * 100) }')
echo "# CPU: agent $cpu, virsh $ref (hundredths of a percent of one CPU) over $win ms"
vax_between "virtDomainCpuUsage agrees with virsh's cpu.time rate within 3 points" "$cpu" \
    $(( ref - 300 )) $(( ref + 300 ))
check "the spin loop shows: over 30% of a CPU ($cpu)" test "${cpu:-0}" -gt 3000
vc=$(bval $D.10.$I)
within "virtDomainCpuUsageVcpus is CpuUsage over $vc vCPUs" "$(bval $D.34.$I)" cpu.time 1 $(( win * 100 * vc ))
within "virtDomainCpuUsageUser between the cpu.user readings" "$(bval $D.35.$I)" cpu.user 1 $(( win * 100 ))
within "virtDomainCpuUsageSystem between the cpu.system readings" "$(bval $D.36.$I)" cpu.system 1 $(( win * 100 ))

busy=0
for n in 0 1; do
    s=$(( n + 1 ))
    u=$(bval $R.3.1.8.$I.$s)
    within "vCPU $n: virtVcpuUsage between the vcpu.$n.time readings" "$u" vcpu.$n.time 1 $(( win * 100 ))
    busy=$(( busy + ${u:-0} ))
    within "vCPU $n: virtVcpuSteal between the vcpu.$n.delay readings" "$(bval $R.3.1.9.$I.$s)" vcpu.$n.delay 1 $(( win * 100 ))
    if [ -n "$(st B after vcpu.$n.wait)" ]; then
        within "vCPU $n: virtVcpuWaitUsage between the vcpu.$n.wait readings" "$(bval $R.3.1.10.$I.$s)" vcpu.$n.wait 1 $(( win * 100 ))
    else
        check "vCPU $n: virtVcpuWaitUsage absent, as vcpu.$n.wait is" babsent $R.3.1.10.$I.$s
    fi
done
echo "# vCPUs busy: $busy, steal: $(bval $R.3.1.9.$I.1) $(bval $R.3.1.9.$I.2)"
check "one vCPU spins: the vCPUs' busy sum is over 30% of a CPU ($busy)" test "$busy" -gt 3000

# Disk vda: the guest's own writes plus the 8 MiB dd.
K=$R.4.1 N=$R.5.1
wbps=$(bval $K.20.$I.1)
within "virtDiskWriteBytesRate between the wr.bytes readings" "$wbps" block.0.wr.bytes 1000 "$win"
check "the 8 MiB written show: over 1 MiB/s over the window ($wbps)" test "${wbps:-0}" -gt $(( 8 * 1048576 / (win / 1000 + 1) / 2 ))
check "virtDiskWriteBytesRate is a Counter64 (VirtGauge64)" eval 'vax_get $K.20.$I.1 | grep -q "Counter64: "'
check "virtDiskWriteRequestsRate is a Gauge32" eval 'vax_get $K.22.$I.1 | grep -q "Gauge32: "'
within "virtDiskReadBytesRate between the rd.bytes readings" "$(bval $K.19.$I.1)" block.0.rd.bytes 1000 "$win"
for op in rd:21 wr:22 fl:23; do
    within "virtDisk ${op%%:*} requests/s between the readings" "$(bval $K.${op##*:}.$I.1)" block.0.${op%%:*}.reqs 1000 "$win"
done
# latency: times delta over requests delta, in us; absent without requests
for op in rd:24 wr:25 fl:26; do
    o=${op%%:*} c=${op##*:}
    rlo=$(( $(st B before block.0.$o.reqs) - $(st A after block.0.$o.reqs) ))
    rhi=$(( $(st B after block.0.$o.reqs) - $(st A before block.0.$o.reqs) ))
    tlo=$(( $(st B before block.0.$o.times) - $(st A after block.0.$o.times) ))
    thi=$(( $(st B after block.0.$o.times) - $(st A before block.0.$o.times) ))
    if [ "$rhi" -eq 0 ]; then
        check "virtDisk $o latency absent: no $o request in the window" babsent $K.$c.$I.1
    elif [ "$rlo" -gt 0 ]; then
        [ "$tlo" -ge 0 ] || tlo=0
        vax_between "virtDisk $o latency between the $o.times/$o.reqs readings (us)" "$(bval $K.$c.$I.1)" \
            $(( tlo / rhi / 1000 - 1 )) $(( thi / rlo / 1000 + 1 ))
    else
        echo "# $o requests: between $rlo and $rhi in the window: no bound on its latency"
    fi
done
echo "# disk: write $wbps B/s, $(bval $K.22.$I.1) req/s, $(bval $K.25.$I.1) us; flush $(bval $K.23.$I.1)/s $(bval $K.26.$I.1) us"

# NIC 1 (the tap, net.0): the flood ping both ways.
cols=(rx.bytes:18 rx.pkts:19 rx.errs:20 rx.drop:21 tx.bytes:22 tx.pkts:23 tx.errs:24 tx.drop:25)
for kc in "${cols[@]}"; do
    within "virtInterface ${kc%%:*}/s between the net.0.${kc%%:*} readings" \
        "$(bval $N.${kc##*:}.$I.1)" net.0.${kc%%:*} 1000 "$win"
done
rxp=$(bval $N.19.$I.1)
echo "# NIC: rx $(bval $N.18.$I.1) B/s $rxp pkt/s, tx $(bval $N.22.$I.1) B/s $(bval $N.23.$I.1) pkt/s"
check "the flood ping shows: over 20 packets/s received ($rxp)" test "${rxp:-0}" -gt 20

# ---- between windows: the last window is served again (polls above) ----
if [ "$sinceB" -lt $(( W * 1000 )) ]; then
    check_eq "a poll inside the next window serves the same virtDomainCpuUsage" "$cpu" "$c2"
    check_eq "... over the same window" "$win" "$w2"
    check "... and virtDomainUsageAge grows ($age1 -> $age2 ms)" test "$age2" -gt "$age1"
    [ "$c1" = "$cpu" ] && [ "$w1" = "$win" ] || not_ok "an earlier poll in the window served $c1 over $w1"
else
    echo "# the checks after B took past the next window ($sinceB ms since B): no check of a poll inside it"
fi

# ---- check_virt_agentx on the real gauges ----
PLUGIN=$VAX_TOP_SRCDIR/contrib/nagios/check_virt_agentx
if command -v perl > /dev/null; then
    # A window just closed: the next one closes only W s later.
    check "a fresh window (virtDomainUsageAge under 2 s)" wait_until $(( 2 * W + 2 )) eval '[ "$(val $D.38.$I)" -lt 2000 ]'
    lat=() max=0
    for c in 24 25 26; do
        v=$(val $K.$c.$I.1); lat+=("${v:-absent}")
        [ -z "$v" ] || [ "$v" -le "$max" ] || max=$v
    done
    cpuv=$(val $D.34.$I)
    # plug ARGS...: the plugin's exit status (its output in $VAX_TMP/plug.out)
    plug() { local rc=0; "$PLUGIN" -H 127.0.0.1 -p "$VAX_SNMP_PORT" -d "$G" "$@" > "$VAX_TMP/plug.out" 2>&1 || rc=$?; echo "$rc"; }
    echo "# latency us (read write flush): ${lat[*]}"
    if [ "$max" -gt 0 ]; then
        # as the plugin prints it: two decimals, trailing zeros dropped
        ms=$(awk -v u="$max" 'BEGIN { s = sprintf("%.2f", u / 1000); sub(/0+$/, "", s); sub(/\.$/, "", s); print s }')
        lo=$(awk -v u="$max" 'BEGIN { print u / 2000 }') hi=$(awk -v u="$max" 'BEGIN { print u * 3 / 1000 }')
        check_eq "check_virt_agentx -m latency: OK below -w $hi" 0 "$(plug -m latency -D vda -w "$hi" -c "$hi")"
        check "... its output has the slowest kind's $ms ms" grep -qF " $ms ms" "$VAX_TMP/plug.out"
        check_eq "check_virt_agentx -m latency: WARNING above -w $lo" 1 "$(plug -m latency -D vda -w "$lo" -c "$hi")"
        check_eq "check_virt_agentx -m latency: CRITICAL above -c $lo" 2 "$(plug -m latency -D vda -w "$lo" -c "$lo")"
    else
        not_ok "no disk latency in the window to judge (${lat[*]})"
    fi
    rc=$(plug -m cpu)
    check_eq "check_virt_agentx -m cpu: OK without thresholds" 0 "$rc"
    want="'cpu'=$(awk -v v="$cpuv" 'BEGIN { printf "%g", v / 100 }')%"
    check "... from the agent's gauge: virtDomainCpuUsageVcpus $cpuv / 100 ($(cat "$VAX_TMP/plug.out"))" \
        eval 'grep -qF "(agent gauge)" "$VAX_TMP/plug.out" && grep -qF "$want" "$VAX_TMP/plug.out"'
else
    echo "# no perl: check_virt_agentx not run"
fi

# ---- a restart (new domain id): no window across it ----
vax_virsh destroy "$G" > /dev/null || vax_die "cannot destroy $G"
check "a domain shut off has no virtDomainCpuUsage" wait_until 5 eval 'absent $D.33.$I'
check "... nor virtDiskWriteBytesRate" absent $K.20.$I.1
vax_virsh start "$G" > /dev/null || vax_die "cannot start $G again"
check "restarted: the domain runs again in the table" \
    wait_until 10 eval '[ "$(val $D.4.$I)" = 1 ]'
check "restarted: no virtDomainCpuUsage across the restart" absent $D.33.$I
check "restarted: no virtVcpuUsage across the restart" absent $R.3.1.8.$I.1
# The window that closes first began before the restart: the next one.
check "two windows after the restart at most, virtDomainCpuUsage is back" \
    wait_until $(( 3 * W )) eval '[ -n "$(val $D.33.$I)" ]'

# ---- SIGHUP: a shorter usageWindow from the next refresh ----
printf 'indexFile %s\nusageWindow 2\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "the reload is logged" wait_until 5 grep -q 'configuration reloaded' "$VAX_TMP/agent.log"
sleep 2.2; val $D.33.$I > /dev/null; sleep 2.2
w=$(val $D.37.$I)
check "after usageWindow 2: windows of 2 s to $W s ($w ms)" test "${w:-0}" -ge 2000 -a "${w:-0}" -lt $(( W * 1000 ))

vax_stop_agent
vax_done
