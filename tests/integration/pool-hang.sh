#!/usr/bin/env bash
# A hung storage backend (issue 17: "an NFS pool whose server is gone must
# not stall the domain data or any answer"), end to end: a private QEMU
# libvirtd with its storage driver, two dir pools, 'hung' on a FUSE mount
# (tests/data/hangfs.py) whose statfs() blocks while a flag file exists and
# 'fine' on a plain directory; the agent with poolInterval 5. Flag raised:
#   - within 15 s 'hung' is virtPoolStalled true(1) and its
#     virtPoolSpaceAge grows with the wall clock, its numbers kept;
#   - 'fine' stays read: stalled false(2), age below 2 poll intervals
#     (below poolInterval + 5 s + 2 s in the round where the hang begins);
#   - one statfs() only is left hanging (no new asking piles up);
#   - every GET (domain table, scalars, pool table) answers in < 500 ms,
#     and domain refreshes go on (virtRefreshCount grows, virtDataAge small);
# flag lowered (the free space changed meanwhile): 'hung' is false(2)
# again with the new numbers, fresh; flag raised again, SIGTERM while the
# agent's statvfs blocks: it exits 0 within 5 s.
#
# The FUSE mount is made in a private mount namespace of this script's own
# (it re-executes itself under unshare), before libvirtd starts, so that
# libvirtd's namespace (a copy of it) and the agent both see it and no
# process of the host's does (a df there would hang too). The flag is
# lowered and the mount detached at exit, whatever happened.
set -u
. "$(dirname "$0")/../lib.sh"

vax_private_mounts "a private QEMU libvirtd, a FUSE mount" "$@"

[ -c /dev/fuse ] || vax_skip "no /dev/fuse (FUSE is not available here)"
grep -qw fuse /proc/filesystems || vax_skip "the kernel has no fuse filesystem"
PY=
for p in /usr/bin/python3 python3; do
    if command -v "$p" > /dev/null && "$p" -c 'import fusepy' 2> /dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || vax_skip "no fusepy for python3 (apt-get install python3-fusepy fuse3)"

R=.1.3.6.1.4.1.32473.1
D=$R.2.1 PT=$R.10.1
INTERVAL=5
vax_setup

# Under valgrind: valgrind runs one thread at a time and keeps running
# the one in a statfs() unless told the call may block in a FUSE
# filesystem; without that hint the whole agent stops with the hung
# statfs() (and snmpd drops it): valgrind's doing, not the agent's. So the
# hint is added, after checking that this valgrind survives it: 3.19
# (Debian 12) asserts in its close_range() wrapper under the hint, and the
# agent calls close_range() first thing.
if [ -n "${VAX_AGENT_WRAPPER:-}" ] && [[ $VAX_AGENT_WRAPPER != *fuse-compatible* ]]; then
    w='' vg=''
    for x in $VAX_AGENT_WRAPPER; do
        w="$w $x"
        if [ -z "$vg" ] && [ "${x##*/}" = valgrind ]; then w="$w --sim-hints=fuse-compatible" vg=$x; fi
    done
    if [ -n "$vg" ]; then
        probe=("$vg" -q --sim-hints=fuse-compatible --log-file="$VAX_TMP/valgrind-probe.log")
        agent=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}
        ! head -n 5 "$agent" | grep -q 'temporary wrapper script' ||   # as lib.sh does
            probe=("$VAX_TOP_BUILDDIR/libtool" --mode=execute "${probe[@]}")
        "${probe[@]}" "$agent" -V > /dev/null 2>&1 ||
            vax_skip "$("$vg" --version) crashes with --sim-hints=fuse-compatible" \
                "($(grep -m1 -o "Assertion.*failed" "$VAX_TMP/valgrind-probe.log")), which a hung" \
                "FUSE statfs() needs under valgrind; put fuse-compatible into VAX_AGENT_WRAPPER to force it"
        VAX_AGENT_WRAPPER=${w# }
    fi
fi

# ---- the FUSE mount, then libvirtd ----
MNT=$VAX_TMP/hang FLAG=$VAX_TMP/hang.flag FREE=$VAX_TMP/hang.free FINE=$VAX_TMP/fine
mkdir -p "$MNT" "$FINE"
echo 3840 > "$FREE"      # free blocks of 4 KiB: 15 MiB of 20 MiB
"$PY" "$VAX_TESTS_SRCDIR/data/hangfs.py" "$MNT" "$FLAG" --free="$FREE" \
    > "$VAX_TMP/hangfs.log" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
HANGFS_PID=$!
VAX_PIDS+=("hangfs:$HANGFS_PID")
mounted() { awk -v m="$MNT" '$5 == m && / - fuse\.hangfs / { f = 1 } END { exit !f }' /proc/self/mountinfo; }
wait_until 15 eval '! vax_pid_alive '"$HANGFS_PID"' || mounted'
mounted || vax_die "hangfs did not mount $MNT (see $VAX_TMP/hangfs.log)"
vax_log "hangfs pid $HANGFS_PID on $MNT"

vax_start_libvirtd_qemu          # skips, saying why, without QEMU or root

# At exit, first (before libvirtd and the agent are stopped): no statfs()
# may block any more, and the mount goes from this namespace (a lazy
# unmount: libvirtd's copy goes with its namespace; hangfs then ends).
hang_exit() {
    local rc=$?
    set +e
    rm -f "$FLAG"
    if mounted; then
        fusermount3 -u -z "$MNT" 2> /dev/null || umount -l "$MNT" 2> /dev/null
    fi
    vax__qemu_rc "$rc"
    eval "$HANG_OLD_EXIT"
}
eval "set -- $(trap -p EXIT)"
HANG_OLD_EXIT=${3:-}
trap 'hang_exit' EXIT

vax_virsh pool-define-as hung dir --target "$MNT" > /dev/null &&
    vax_virsh pool-start hung > /dev/null || vax_die "cannot start pool hung on $MNT"
vax_virsh pool-define-as fine dir --target "$FINE" > /dev/null &&
    vax_virsh pool-start fine > /dev/null || vax_die "cannot start pool fine"
# A domain for the domain table (defined, not started: nothing to run).
DOM=hd-$$
cat > "$VAX_TMP/dom.xml" <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
EOF
vax_virsh define "$VAX_TMP/dom.xml" > /dev/null || vax_die "cannot define $DOM"

vax_start_snmpd
printf 'indexFile %s/index\npoolInterval %s\n' "$VAX_TMP" "$INTERVAL" > "$VAX_TMP/agent.conf"
vax_start_agent -t 1

idx() { vax_walk "$1" | awk -v n="\"$2\"" '$4 == n { k = split($1, a, "."); print a[k] }'; }
check "both pools and the domain are served" wait_until 15 \
    eval '[ -n "$(idx $PT.2 hung)" ] && [ -n "$(idx $PT.2 fine)" ] && [ -n "$(idx $D.2 "$DOM")" ]'
HI=$(idx $PT.2 hung) FI=$(idx $PT.2 fine) DI=$(idx $D.2 "$DOM")
[ -n "$HI" ] && [ -n "$FI" ] && [ -n "$DI" ] || vax_done
val() { vax_get -Oqv "$1" 2> /dev/null | grep -v '^No Such' | sed 's/^"//; s/"$//'; }
check_eq "hung: virtPoolCapacity is hangfs's 20 MiB" 20971520 "$(val $PT.8.$HI)"
check_eq "hung: virtPoolAvailable is hangfs's 15 MiB free" 15728640 "$(val $PT.10.$HI)"
check_eq "hung: virtPoolUsed 25.00%" 2500 "$(val $PT.11.$HI)"
check_eq "hung: virtPoolSpaceSource filesystem(2)" 2 "$(val $PT.13.$HI)"
check_eq "hung: not stalled yet" 2 "$(val $PT.15.$HI)"

# ---- the hang ----
# Each GET timed; the last answer's values in $VAX_TMP/get.
WORST=0 NGET=0 SLOW=''
declare -A WORST_OF=()
tget() {
    local what=$1 t0 ms
    shift
    t0=$(date +%s%N)
    vax_get "$@" > "$VAX_TMP/get" 2>&1 || echo "FAILED" >> "$VAX_TMP/get"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    NGET=$((NGET + 1))
    [ "$ms" -le "$WORST" ] || WORST=$ms
    [ "$ms" -le "${WORST_OF[$what]:-0}" ] || WORST_OF[$what]=$ms
    if [ "$ms" -ge 500 ] || grep -q 'FAILED\|Timeout' "$VAX_TMP/get"; then
        SLOW="$SLOW $what:${ms}ms"
    fi
}
got() { awk -v o="$1" '$1 == o { print $NF; exit }' "$VAX_TMP/get" | tr -d '"'; }
blocked() { grep -c 'statfs blocks' "$VAX_TMP/hangfs.log"; }

# One round of GETs: the domain's row, the scalars, both pools' cells.
# Sets H_STALLED H_AGE H_AVAIL F_STALLED F_AGE REFRESHES DATA_AGE.
F_WORST=0 DATA_WORST=0 F_UNSTALLED=1 DOM_OK=1
sample() {
    tget domain "$D.2.$DI" "$D.3.$DI" "$D.4.$DI"
    [ "$(got "$D.2.$DI")" = "$DOM" ] || DOM_OK=0
    tget scalars "$R.1.5.0" "$R.1.7.0" "$R.1.9.0" "$R.1.11.0"
    REFRESHES=$(got "$R.1.11.0") DATA_AGE=$(got "$R.1.9.0")
    [ "${DATA_AGE:-99999}" -le "$DATA_WORST" ] || DATA_WORST=${DATA_AGE:-99999}
    tget pools "$PT.2.$HI" "$PT.15.$HI" "$PT.14.$HI" "$PT.10.$HI" "$PT.15.$FI" "$PT.14.$FI"
    H_STALLED=$(got "$PT.15.$HI") H_AGE=$(got "$PT.14.$HI") H_AVAIL=$(got "$PT.10.$HI")
    F_STALLED=$(got "$PT.15.$FI") F_AGE=$(got "$PT.14.$FI")
    [ "$F_STALLED" = 2 ] || F_UNSTALLED=0
    [ "${F_AGE:-99999}" -le "$F_WORST" ] || F_WORST=${F_AGE:-99999}
}

sample
REFRESHES0=$REFRESHES
touch "$FLAG"
T_RAISE=$(date +%s%N)
vax_log "flag raised: statfs() on $MNT blocks"
T_STALLED=''
while [ $(( ($(date +%s%N) - T_RAISE) / 1000000 )) -lt 15000 ]; do
    sample
    if [ "$H_STALLED" = 1 ]; then T_STALLED=$(date +%s%N); break; fi
    sleep 0.3
done
check "hung: virtPoolStalled true(1) within 15 s" test -n "$T_STALLED"
[ -n "$T_STALLED" ] || vax_done
vax_log "timing: stalled after $(( (T_STALLED - T_RAISE) / 1000000 )) ms"
AGE1=$H_AGE T1=$T_STALLED
# Two more rounds or so with the hang: the other pool and everything else
# must go on; meanwhile the free space changes behind the hung statfs.
# The round in which the hang began served fine's answer only at its 5 s
# deadline; that answer is fine's until the next round replaces it (its
# age drops): the onset, then the steady hang.
echo 1280 > "$FREE"      # 5 MiB free: 75% used
F_ONSET='' prev=$F_AGE
while [ $(( ($(date +%s%N) - T1) / 1000000 )) -lt $(( 2 * INTERVAL * 1000 + 4000 )) ]; do
    sample
    [ "$H_STALLED" = 1 ] || break
    if [ -z "$F_ONSET" ] && [ "${F_AGE:-0}" -lt "${prev:-0}" ]; then
        F_ONSET=$F_WORST F_WORST=$F_AGE
    fi
    prev=$F_AGE
    sleep 0.3
done
T2=$(date +%s%N) AGE2=$H_AGE
check_eq "hung: still stalled $(( (T2 - T1) / 1000000 )) ms later" 1 "$H_STALLED"
grow=$(( AGE2 - AGE1 )) wall=$(( (T2 - T1) / 1000000 ))
check "hung: virtPoolSpaceAge grows with the clock ($AGE1 -> $AGE2 ms over $wall ms)" \
    test "$grow" -ge $(( wall - 1000 )) -a "$AGE2" -gt $(( INTERVAL * 1000 ))
check_eq "hung: keeps its last numbers (virtPoolAvailable)" 15728640 "$H_AVAIL"
check "fine: never stalled during the hang" test "$F_UNSTALLED" = 1
# The round in which the hang begins waits its 5 s for the new asking
# before it serves the others' answers (age up to poolInterval + 5 s +
# the 1 s cache); after it, the hung pool costs the others nothing.
check "fine: read while the hang began, age below poolInterval + 5 s + 2 s (worst ${F_ONSET:-?} ms)" \
    test -n "$F_ONSET" -a "${F_ONSET:-0}" -lt $(( INTERVAL * 1000 + 7000 ))
check "fine: read again during the hang, age below 2 poll intervals since (worst $F_WORST ms)" \
    test -n "$F_ONSET" -a "$F_WORST" -lt $(( 2 * INTERVAL * 1000 ))
check_eq "one statfs() left hanging, no new asking while it is out (hangfs.log)" 1 "$(blocked)"
check "domain refreshes go on (virtRefreshCount $REFRESHES0 -> $REFRESHES)" \
    test "$REFRESHES" -gt "$REFRESHES0"
check "domain data stays fresh (virtDataAge worst $DATA_WORST ms)" test "$DATA_WORST" -lt 3000
check "the domain's row answered throughout" test "$DOM_OK" = 1
t0=$(date +%s%N)
vax_walk $PT > "$VAX_TMP/walk"
wms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "a walk of virtPoolTable during the hang has both rows ($wms ms)" \
    eval 'grep -q "^$PT.2.$HI = STRING: \"hung\"" "$VAX_TMP/walk" && grep -q "^$PT.2.$FI = STRING: \"fine\"" "$VAX_TMP/walk"'

# ---- the server is back ----
rm -f "$FLAG"
T_LOWER=$(date +%s%N)
T_BACK=''
while [ $(( ($(date +%s%N) - T_LOWER) / 1000000 )) -lt $(( 2 * INTERVAL * 1000 + 2000 )) ]; do
    sample
    if [ "$H_STALLED" = 2 ]; then T_BACK=$(date +%s%N); break; fi
    sleep 0.3
done
check "flag lowered: hung is virtPoolStalled false(2) again" test -n "$T_BACK"
[ -z "$T_BACK" ] || vax_log "timing: unstalled after $(( (T_BACK - T_LOWER) / 1000000 )) ms"
check_eq "with the new numbers (virtPoolAvailable 5 MiB)" 5242880 "$H_AVAIL"
check_eq "virtPoolUsed 75.00%" 7500 "$(val $PT.11.$HI)"
check "fresh: virtPoolSpaceAge ${H_AGE} ms < 1 poll interval" test "${H_AGE:-99999}" -lt $(( INTERVAL * 1000 ))
echo "# $NGET GETs during the hang, slowest $WORST ms (domain ${WORST_OF[domain]:-?}," \
    "scalars ${WORST_OF[scalars]:-?}, pools ${WORST_OF[pools]:-?} ms)"
check "every GET during the hang answered in < 500 ms${SLOW:+ (slow or failed:$SLOW)}" test -z "$SLOW"

# ---- SIGTERM while the agent's statvfs blocks ----
n=$(blocked)
touch "$FLAG"
check "hung again: the agent's next asking blocks in statfs()" \
    wait_until $(( INTERVAL + 8 )) eval '[ "$(blocked)" -gt '"$n"' ]'
sleep 0.5
pid=$VAX_AGENT_PID
t0=$(date +%s%N)
rc=0
vax_stop_agent || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
vax_log "timing: SIGTERM to exit took $ms ms (agent pid $pid, exit status $rc)"
check_eq "SIGTERM during the hang: exit status 0" 0 "$rc"
check "SIGTERM during the hang: exited within 5 s ($ms ms)" test "$ms" -lt 5000
check "it let go of the hung call and said so" \
    grep -q 'call(s) did not return; not waiting for them' "$VAX_TMP/agent.log"
check "its statfs() was still blocked when it exited (hangfs saw the interrupt)" \
    grep -q 'statfs interrupted' "$VAX_TMP/hangfs.log"
rm -f "$FLAG"
vax_done
