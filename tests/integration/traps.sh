#!/usr/bin/env bash
# Notifications, end to end: virsh acts on a real libvirtd, the agent sends
# through a real snmpd (trap2sink from snmpd.conf.example) to snmptrapd.
# Also: libvirtd and snmpd restarts, a 100-domain storm, SIGHUP, SIGTERM.
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473
D=$R.1.2.1
TAB=$'\t'
vax_setup
vax_start_trapd
vax_start_libvirtd
vax_start_snmpd
VAX_FULL_STACKS=1 vax_start_agent -t 1   # snmpd restarts below
check "agent connected to libvirtd" wait_until 10 eval 'vax_get $R.1.1.6.0 | grep -q "INTEGER: 1$"'

LOG=$VAX_TMP/traps.log
mark() { wc -l < "$LOG"; }
# traps_since MARK KIND: notification lines after MARK whose snmpTrapOID is
# virtNotifications.KIND.
traps_since() { tail -n "+$(( $1 + 1 ))" "$LOG" | grep -F "OID: $R.0.$2$TAB" || true; }
# varbind LINE OID: the value of OID in a trap line ("" when missing).
varbind() { echo "$1" | tr '\t' '\n' | sed -n "s/^$2 = [A-Za-z0-9-]*: //p" | sed 's/^"//; s/"$//'; }
index_of() {  # virtDomainIndex of a UUID, from the walk
    vax_walk $D.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'
}
LAT=$VAX_TMP/latency
# expect DESC KIND NAME UUID STATE DETAIL TEXT -- COMMAND...: run COMMAND,
# then exactly one notification KIND for NAME, with these varbinds. It must
# come within 3 s: the latency itself (about 30-60 ms here, 1 s at most per
# issue 3) is printed below and measured by bench/run.sh, since a shared CI
# machine running the sanitized suite two tests at a time can stall a
# process for longer than a tight bound.
expect() {
    local desc=$1 kind=$2 name=$3 uuid=$4 state=$5 detail=$6 text=$7 m t0 t1 line idx n
    shift 8
    m=$(mark)
    t0=$(date +%s%N)
    "$@" > /dev/null || { not_ok "$desc: '$*' failed"; return; }
    if ! wait_until 3 eval '[ -n "$(traps_since $m $kind)" ]'; then
        not_ok "$desc: no notification .0.$kind within 3 s"
        return
    fi
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 )) >> "$LAT"
    sleep 0.3   # a duplicate would come now
    n=$(traps_since "$m" "$kind" | grep -cF "STRING: \"$uuid\"")
    line=$(traps_since "$m" "$kind" | head -n 1)
    idx=$(echo "$line" | tr '\t' '\n' | sed -n "s/^$D\.2\.\([0-9]*\) = .*/\1/p")
    [ "$n" = 1 ] || { not_ok "$desc: $n notifications .0.$kind, expected exactly one"; return; }
    [ -n "$idx" ] || { not_ok "$desc: no virtDomainName.<index> varbind in: $line"; return; }
    local want=("$D.2.$idx=$name" "$D.3.$idx=$uuid" "$D.4.$idx=$state" "$D.30.$idx=$detail"
                "$D.31.$idx=$text") w bad=
    for w in "${want[@]}"; do
        [ "$(varbind "$line" "${w%%=*}")" = "${w#*=}" ] || bad="$bad ${w%%=*} is '$(varbind "$line" "${w%%=*}")' not '${w#*=}';"
    done
    if [ -n "$bad" ]; then not_ok "$desc:$bad"; else ok "$desc"; fi
    LAST_INDEX=$idx
}

cat > "$VAX_TMP/dom.xml" <<'EOF'
<domain type='test'>
  <name>trap-дом</name>
  <uuid>7a1e0000-0000-4000-8000-000000000001</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
EOF
U=7a1e0000-0000-4000-8000-000000000001 N=trap-дом
# snmptrapd prints non-ASCII as Hex-STRING: compare names through their bytes.
hexname=$(printf '%s' "$N" | od -An -tx1 | tr 'a-f' 'A-F' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
varbind() {
    local v
    v=$(echo "$1" | tr '\t' '\n' | sed -n "s/^$2 = [A-Za-z0-9-]*: //p" | sed 's/^"//; s/"$//')
    [ "$v" = "$hexname " ] || [ "$v" = "$hexname" ] && v=$N
    echo "$v"
}

expect "define: virtDomainDefined (added)"    1 "$N" $U 5 0 added    -- vax_virsh define "$VAX_TMP/dom.xml"
idx_defined=$LAST_INDEX
check "the walk shows the domain at the notification's index" \
    wait_until 3 eval '[ "$(index_of $U)" = "$idx_defined" ]'
expect "start: virtDomainStarted (booted)"    3 "$N" $U 1 0 booted    -- vax_virsh start "$N"
expect "suspend: virtDomainSuspended (paused)" 4 "$N" $U 3 0 paused   -- vax_virsh suspend "$N"
expect "resume: virtDomainResumed (unpaused)" 5 "$N" $U 1 0 unpaused  -- vax_virsh resume "$N"
expect "destroy: virtDomainStopped (destroyed)" 6 "$N" $U 5 1 destroyed -- vax_virsh destroy "$N"
expect "start again: virtDomainStarted"       3 "$N" $U 1 0 booted    -- vax_virsh start "$N"
expect "shutdown: virtDomainStopped (shutdown)" 6 "$N" $U 5 0 shutdown -- vax_virsh shutdown "$N"
check "the domain's state in the walk agrees with the last notification (shut off)" \
    wait_until 3 eval 'vax_get $D.4.$idx_defined | grep -q "INTEGER: 5$"'
expect "undefine: virtDomainUndefined (removed)" 2 "$N" $U 5 0 removed -- vax_virsh undefine "$N"
check "undefined domain kept its index in the notification" test "$LAST_INDEX" = "$idx_defined"
check "the row is gone from the walk" wait_until 3 eval '[ -z "$(index_of $U)" ]'

# ---- trapEvents and trapsEnabled, applied by SIGHUP ----
cat "$VAX_TMP/agent.conf" > "$VAX_TMP/agent.conf.orig"
{ cat "$VAX_TMP/agent.conf.orig"; echo "trapEvents stopped"; echo "cacheTimeout 7"; } > "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP: reload logged" wait_until 3 grep -q 'configuration reloaded' "$VAX_TMP/agent.log"
check "SIGHUP: -t on the command line still wins over cacheTimeout" \
    eval 'vax_get $R.1.1.8.0 | grep -q "INTEGER: 1$"'
m=$(mark)
vax_virsh create "$VAX_TMP/dom.xml" > /dev/null
sleep 0.5
check "trapEvents stopped: no virtDomainStarted" eval '[ -z "$(traps_since $m 3)" ]'
expect "trapEvents stopped: virtDomainStopped still sent" 6 "$N" $U 5 1 destroyed -- vax_virsh destroy "$N"
{ cat "$VAX_TMP/agent.conf.orig"; echo "trapsEnabled no"; } > "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
wait_until 3 eval '[ "$(grep -c "configuration reloaded" "$VAX_TMP/agent.log")" -ge 2 ]'
m=$(mark)
vax_virsh create "$VAX_TMP/dom.xml" > /dev/null && vax_virsh destroy "$N" > /dev/null
sleep 0.5
check "trapsEnabled no: nothing sent" eval '[ -z "$(tail -n +$((m + 1)) "$LOG" | grep -F "$R.0.")" ]'
printf 'cacheTimeout lots\n' >> "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP with a bad file: error names file and line, agent keeps running" \
    wait_until 3 eval 'grep -q "agent.conf:[0-9]*: cacheTimeout: .*keeping the running configuration" "$VAX_TMP/agent.log" &&
        vax_pid_alive $VAX_AGENT_PID'
cp "$VAX_TMP/agent.conf.orig" "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
wait_until 3 eval '[ "$(grep -c "configuration reloaded" "$VAX_TMP/agent.log")" -ge 3 ]'

# ---- libvirtd dies and comes back ----
m=$(mark)
vax_stop_libvirtd
check "libvirtd killed: virtConnectionLost sent" wait_until 5 eval '[ -n "$(traps_since $m 10)" ]'
line=$(traps_since "$m" 10 | head -n 1)
check "virtConnectionLost carries the URI and disconnected(2)" \
    eval '[ "$(varbind "$line" $R.1.1.13.0)" = "$VAX_URI" ] && [ "$(varbind "$line" $R.1.1.6.0)" = 2 ]'
check "virtConnectionState is disconnected(2)" wait_until 3 eval 'vax_get $R.1.1.6.0 | grep -q "INTEGER: 2$"'
check "no stale rows while disconnected" eval '! vax_walk $D.2 | grep -q "^$D\.2\."'
vax_start_libvirtd
check "libvirtd back: virtConnectionRestored within 35 s" wait_until 35 eval '[ -n "$(traps_since $m 11)" ]'
check "virtConnectionState is connected(1) again" wait_until 3 eval 'vax_get $R.1.1.6.0 | grep -q "INTEGER: 1$"'
check "exactly one virtConnectionLost for one outage" test "$(traps_since "$m" 10 | wc -l)" -eq 1
expect "after the restart, callbacks are registered again" 3 "$N" $U 1 0 booted \
    -- vax_virsh create "$VAX_TMP/dom.xml"
vax_virsh destroy "$N" > /dev/null

# ---- snmpd restarts: registered again at the next AgentX ping ----
# The ping interval (1 s) sets the delay, about 1.1 s in the figure printed
# below; the check allows 5 s for the same reason as expect().
vax_restart_snmpd
t0=$(date +%s%N)
check "snmpd restarted: the agent serves again within 5 s" \
    wait_until 5 eval 'vax_get $R.1.1.5.0 | grep -q STRING'
echo "# served again $(( ($(date +%s%N) - t0) / 1000000 )) ms after snmpd answered"

# ---- a storm: 100 domains started at once ----
m=$(mark)
for i in $(seq 1 100); do
    printf "<domain type='test'><name>storm%03d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n" "$i" > "$VAX_TMP/storm$i.xml"
done
walks=0 walk_fail=0
( for i in $(seq 1 100); do vax_virsh create "$VAX_TMP/storm$i.xml" > /dev/null & done; wait ) &
storm=$!
while vax_pid_alive "$storm"; do
    if vax_walk $R.1.1 > /dev/null 2>&1; then walks=$((walks + 1)); else walk_fail=$((walk_fail + 1)); fi
done
wait "$storm"
check "storm: 100 virtDomainStarted, none lost" \
    wait_until 10 eval '[ "$(traps_since $m 3 | grep -c "STRING: \"storm[0-9]*\"")" -eq 100 ]'
echo "# storm: $(traps_since "$m" 3 | grep -c 'STRING: "storm') notifications, $walks walks during it"
check "storm: every walk during it was answered ($walks walks)" eval '[ $walk_fail -eq 0 ] && [ $walks -ge 1 ]'
check "storm: all 100 domains in the table" wait_until 5 eval '[ "$(vax_walk $D.2 | grep -c "storm")" -eq 100 ]'

# ---- SIGTERM ----
check "SIGTERM: exit status 0" vax_stop_agent
sort -n "$LAT" | awk '{ a[NR] = $1 } END { printf "# virsh-to-trap latency over %d actions (ms, incl. virsh): min %d median %d max %d\n", NR, a[1], a[int((NR + 1) / 2)], a[NR] }'
vax_done
