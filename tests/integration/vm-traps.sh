#!/usr/bin/env bash
# VM-MIB (RFC 7666) notifications, end to end: virsh acts on a real
# libvirtd (test driver), the agent sends through a real snmpd to
# snmptrapd. For each action the matching per-VM notification arrives with
# vmName, vmUUID (16 octets), vmOperState (the state before, as virsh
# showed it) for the row's index (= virtDomainIndex), our own
# VIRT-AGENTX-MIB notification still arrives, the enable directives and
# objects (SET) turn them off, and vmNotificationRate holds while the bulk
# notifications name every VM.
set -u
. "$(dirname "$0")/../lib.sh"

V=.1.3.6.1.2.1.236
R=.1.3.6.1.4.1.32473
TAB=$'\t'
export VAX_SNMPD_EXTRA="view virtview included $V"
vax_setup
vax_start_trapd
vax_start_libvirtd
vax_start_snmpd
printf 'indexFile %s\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
cp "$VAX_TMP/agent.conf" "$VAX_TMP/agent.conf.orig"
vax_start_agent -t 1
check "agent connected to libvirtd" wait_until 10 eval 'vax_get $R.1.1.6.0 | grep -q "INTEGER: 1$"'

LOG=$VAX_TMP/traps.log
mark() { wc -l < "$LOG"; }
# traps_since MARK OID: notification lines after MARK whose snmpTrapOID is OID.
traps_since() { tail -n "+$(( $1 + 1 ))" "$LOG" | grep -F "OID: $2$TAB" || true; }
# value LINE OID: the value of OID in a trap line, as TYPE: VALUE.
value() { echo "$1" | tr '\t' '\n' | sed -n "s/^$2 = //p"; }
# octets LINE OID: an OCTET STRING varbind as lowercase hex without
# spaces, whether snmptrapd printed it as Hex-STRING or STRING.
octets() {
    local v; v=$(value "$1" "$2")
    case $v in
        Hex-STRING:*) echo "${v#Hex-STRING: }" | tr -d ' ' | tr 'A-F' 'a-f' ;;
        STRING:*) v=${v#STRING: }; v=${v#\"}; v=${v%\"}; printf '%s' "$v" | od -An -tx1 | tr -d ' \n' ;;
        '""'|'') ;;
    esac
}
index_of() {  # virtDomainIndex of a UUID, from the walk
    vax_walk $R.1.2.1.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'
}
# vmOperState of a domain as virsh shows it now (the test's own reading
# of RFC 7666, for the states the test driver reaches).
oper_now() {
    case "$(vax_virsh domstate --reason "$1" 2>/dev/null)" in
        running*) echo 4 ;;
        paused*) echo 8 ;;
        "shut off (saved"*) echo 6 ;;
        "shut off"*) echo 11 ;;
        *) echo 1 ;;
    esac
}

N=vmtrap-a U=5e1e0000-0000-4000-8000-0000000000a1
UHEX=$(echo "$U" | tr -d -)
domxml() {
    printf "<domain type='test'><name>%s</name><uuid>%s</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n" "$1" "$2"
}
domxml "$N" "$U" > "$VAX_TMP/dom.xml"

# expect DESC NOTIF PREV [PERSISTENT] -- CMD...: run CMD; then exactly one
# vmNotifications.NOTIF for $U within 2 s, with vmName, vmUUID,
# vmOperState = PREV (and vmPersistent) for the row's index; and our own
# notification for the same action.
expect() {
    local desc=$1 notif=$2 prev=$3 pers= m line idx bad= n
    shift 3
    [ "$1" = -- ] || { pers=$1; shift; }
    shift
    m=$(mark)
    "$@" > /dev/null || { not_ok "$desc: '$*' failed"; return; }
    if ! wait_until 2 eval '[ -n "$(traps_since $m $V.0.$notif | grep -i "$(echo $UHEX | sed "s/../& /g; s/ $//")\|$N")" ]'; then
        not_ok "$desc: no vmNotifications.$notif within 2 s"
        return
    fi
    sleep 0.3   # a duplicate would come now
    n=$(traps_since "$m" "$V.0.$notif" | grep -cF "\"$N\"")
    line=$(traps_since "$m" "$V.0.$notif" | head -n 1)
    idx=$(echo "$line" | tr '\t' '\n' | sed -n "s/^$V\.1\.4\.1\.2\.\([0-9]*\) = .*/\1/p")
    [ "$n" = 1 ] || { not_ok "$desc: $n vmNotifications.$notif, expected one"; return; }
    [ -n "$idx" ] || { not_ok "$desc: no vmName.<index> in: $line"; return; }
    [ "$idx" = "$IDX" ] || bad="$bad index $idx is not virtDomainIndex $IDX;"
    [ "$(value "$line" "$V.1.4.1.2.$idx")" = "STRING: \"$N\"" ] || bad="$bad vmName is $(value "$line" "$V.1.4.1.2.$idx");"
    [ "$(octets "$line" "$V.1.4.1.3.$idx")" = "$UHEX" ] || bad="$bad vmUUID is $(octets "$line" "$V.1.4.1.3.$idx");"
    [ "$(value "$line" "$V.1.4.1.6.$idx")" = "INTEGER: $prev" ] || bad="$bad vmOperState is $(value "$line" "$V.1.4.1.6.$idx"), not $prev;"
    if [ -n "$pers" ]; then
        [ "$(value "$line" "$V.1.4.1.8.$idx")" = "INTEGER: $pers" ] || bad="$bad vmPersistent is $(value "$line" "$V.1.4.1.8.$idx");"
    else
        [ -z "$(value "$line" "$V.1.4.1.8.$idx")" ] || bad="$bad vmPersistent where the RFC lists none;"
    fi
    [ "$(echo "$line" | tr '\t' '\n' | grep -c ' = ')" -eq $((5 + ${pers:+1} + 0)) ] ||
        bad="$bad varbinds: $(echo "$line" | tr '\t' '\n' | grep -c ' = ') (sysUpTime, snmpTrapOID and the RFC's OBJECTS expected);"
    [ -n "$(tail -n "+$((m + 1))" "$LOG" | grep -F "OID: $R.0." | grep -F "\"$U\"")" ] ||
        bad="$bad no VIRT-AGENTX-MIB notification for the same action;"
    if [ -n "$bad" ]; then not_ok "$desc:$bad"; else ok "$desc"; fi
}

check "vmPerVMNotificationsEnabled.0 is true(1) by default" eval 'vax_get $V.1.9.0 | grep -q "INTEGER: 1$"'
check "vmBulkNotificationsEnabled.0 is false(2) by default" eval 'vax_get $V.1.10.0 | grep -q "INTEGER: 2$"'

m=$(mark)
vax_virsh define "$VAX_TMP/dom.xml" > /dev/null
check "define: our virtDomainDefined arrives" wait_until 2 eval '[ -n "$(traps_since $m $R.0.1)" ]'
check "define: no VM-MIB notification (no change of vmOperState)" \
    eval '[ -z "$(tail -n +$((m + 1)) "$LOG" | grep -F "OID: $V.0.")" ]'
wait_until 3 eval '[ -n "$(index_of $U)" ]'
IDX=$(index_of "$U")
check "the domain has an index in the walk ($IDX)" test -n "$IDX"

act() {  # act DESC NOTIF [PERSISTENT] -- virsh ARGS: PREV from virsh before
    local desc=$1 notif=$2 prev
    shift 2
    prev=$(oper_now "$N")
    expect "$desc" "$notif" "$prev" "$@"
}
act "start: vmRunning (from shutdown)"        1 -- vax_virsh start "$N"
act "suspend: vmPaused (from running)"        4 -- vax_virsh suspend "$N"
act "resume: vmRunning (from paused)"         1 -- vax_virsh resume "$N"
# suspended_since MARK: the first vmSuspended for $N after MARK, waiting
# up to 5 s for it (the command has already run: expect cannot be used).
suspended_since() {
    wait_until 5 eval '[ -n "$(traps_since $1 $V.0.6 | grep -F "\"$N\"")" ]'
    traps_since "$1" "$V.0.6" | grep -F "\"$N\"" | head -n 1
}
m=$(mark)
if vax_virsh managedsave "$N" > /dev/null 2>&1; then
    line=$(suspended_since "$m")
    check "managedsave: vmSuspended (from running)" \
        eval '[ "$(value "$line" $V.1.4.1.6.$IDX)" = "INTEGER: 4" ]'
    check "managedsave: the domain shows shut off (saved), vmOperState suspended(6)" \
        test "$(oper_now "$N")" = 6
    act "start of a managed-saved domain: vmRunning (from suspended)" 1 -- vax_virsh start "$N"
else
    echo "# managedsave not supported by this driver"
fi
m=$(mark)
if vax_virsh save "$N" "$VAX_TMP/saved.img" > /dev/null 2>&1; then
    line=$(suspended_since "$m")
    check "save: vmSuspended (from running)" \
        eval '[ "$(value "$line" $V.1.4.1.6.$IDX)" = "INTEGER: 4" ]'
    expect "restore: vmRunning (from suspended)" 1 6 -- vax_virsh restore "$VAX_TMP/saved.img"
else
    echo "# save not supported by this driver"
fi
if vax_virsh dompmsuspend "$N" mem > /dev/null 2>&1; then
    echo "# dompmsuspend worked: not covered by this test yet"
else
    echo "# dompmsuspend: not supported by the test driver (vmSuspended from pmsuspended is unit-tested only)"
fi
echo "# crash: the test driver cannot crash a domain; vmCrashed is unit-tested only"
act "shutdown: vmShutdown (from running)"     3 -- vax_virsh shutdown "$N"
vax_virsh start "$N" > /dev/null
sleep 0.3
act "destroy: vmShutdown (from running)"      3 -- vax_virsh destroy "$N"
act "undefine: vmDeleted (from shutdown, persistent(2))" 10 2 -- vax_virsh undefine "$N"
check "the row is gone from the walk" wait_until 3 eval '[ -z "$(index_of $U)" ]'

# A transient domain: its first state is unknown(1) to the agent (no
# definition came first); when it stops it is gone: vmShutdown, vmDeleted.
N=vmtrap-t U=5e1e0000-0000-4000-8000-0000000000b2 UHEX=$(echo "$U" | tr -d -)
domxml "$N" "$U" > "$VAX_TMP/dom2.xml"
m0=$(mark)
vax_virsh create "$VAX_TMP/dom2.xml" > /dev/null
wait_until 3 eval '[ -n "$(index_of $U)" ]'
IDX=$(index_of "$U")
line=$(traps_since "$m0" "$V.0.1" | grep -F "\"$N\"" | head -n 1)
check "create (transient): vmRunning from unknown(1)" \
    eval '[ "$(value "$line" $V.1.4.1.6.$IDX)" = "INTEGER: 1" ]'
sleep 1.2   # a refresh tells the agent the domain is transient
m=$(mark)
expect "destroy (transient): vmShutdown (from running)" 3 4 -- vax_virsh destroy "$N"
line=$(traps_since "$m" "$V.0.10" | grep -F "\"$N\"" | head -n 1)
check "destroy (transient): vmDeleted (from shutdown, transient(3))" \
    eval '[ "$(value "$line" $V.1.4.1.6.$IDX)" = "INTEGER: 11" ] && [ "$(value "$line" $V.1.4.1.8.$IDX)" = "INTEGER: 3" ]'

# ---- the enable objects and directives ----
N=vmtrap-a U=5e1e0000-0000-4000-8000-0000000000a1
quiet_vm() {  # quiet_vm DESC: create+destroy sends ours but no VM-MIB one
    local m; m=$(mark)
    vax_virsh create "$VAX_TMP/dom.xml" > /dev/null && vax_virsh destroy "$N" > /dev/null
    wait_until 2 eval '[ "$(traps_since $m $R.0.6 | wc -l)" -ge 1 ]'
    sleep 0.3
    check "$1: ours still sent, no VM-MIB notification" \
        eval '[ -n "$(traps_since $m $R.0.6)" ] && [ -z "$(tail -n +$((m + 1)) "$LOG" | grep -F "OID: $V.0.")" ]'
}
{ cat "$VAX_TMP/agent.conf.orig"; echo "vmPerVMNotifications no"; } > "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP: vmPerVMNotifications no shows as false(2)" \
    wait_until 3 eval 'vax_get $V.1.9.0 | grep -q "INTEGER: 2$"'
quiet_vm "vmPerVMNotifications no"
check "SET vmPerVMNotificationsEnabled.0 = true(1) is accepted" vax_set $V.1.9.0 i 1
check "... and reads back true(1)" eval 'vax_get $V.1.9.0 | grep -q "INTEGER: 1$"'
m=$(mark)
vax_virsh create "$VAX_TMP/dom.xml" > /dev/null
check "... and vmRunning is sent again" wait_until 2 eval '[ -n "$(traps_since $m $V.0.1)" ]'
vax_virsh destroy "$N" > /dev/null
check "SET to 3 is refused (wrongValue), the value stays" \
    eval '! vax_set $V.1.9.0 i 3 2>&1 | grep -q "^$V" && vax_set $V.1.9.0 i 3 2>&1 | grep -q wrongValue && vax_get $V.1.9.0 | grep -q "INTEGER: 1$"'
check "SET of a string is refused (wrongType)" eval 'vax_set $V.1.10.0 s yes 2>&1 | grep -q wrongType'
check "SET with the read-only community is refused" \
    eval '! snmpset -v2c -c public -r 0 -t 2 127.0.0.1:$VAX_SNMP_PORT $V.1.9.0 i 2 > /dev/null 2>&1'
check "SET vmPerVMNotificationsEnabled.0 = false(2)" vax_set $V.1.9.0 i 2
quiet_vm "SET false(2)"
{ cat "$VAX_TMP/agent.conf.orig"; echo "vmPerVMNotifications yes"; echo "trapsEnabled no"; } > "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP: a changed directive wins over the SET value" \
    wait_until 3 eval 'vax_get $V.1.9.0 | grep -q "INTEGER: 1$"'
m=$(mark)
vax_virsh create "$VAX_TMP/dom.xml" > /dev/null && vax_virsh destroy "$N" > /dev/null
sleep 0.8
check "trapsEnabled no: no notification of either MIB" eval '[ -z "$(tail -n +$((m + 1)) "$LOG" | grep -F "OID: ")" ]'

# ---- rate limit and bulk notifications: 8 domains started at once ----
{ cat "$VAX_TMP/agent.conf.orig"; echo "vmBulkNotifications yes"; echo "vmNotificationRate 2"
  echo "vmBulkWindow 1000"; } > "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP: vmBulkNotifications yes shows as true(1)" \
    wait_until 3 eval 'vax_get $V.1.10.0 | grep -q "INTEGER: 1$"'
for i in 1 2 3 4 5 6 7 8; do domxml "vmburst$i" "5e1e0000-0000-4000-8000-00000000c00$i" > "$VAX_TMP/b$i.xml"; done
m=$(mark)
t0=$(date +%s%N)
( for i in 1 2 3 4 5 6 7 8; do vax_virsh create "$VAX_TMP/b$i.xml" > /dev/null & done; wait )
t1=$(date +%s%N)
check "burst: 8 virtDomainStarted (ours are not limited)" \
    wait_until 5 eval '[ "$(traps_since $m $R.0.3 | grep -c "STRING: \"vmburst")" -eq 8 ]'
sleep 1.5   # the bulk window closes
per=$(traps_since "$m" "$V.0.1" | grep -c 'STRING: "vmburst')
secs=$(( (t1 - t0 + 999999999) / 1000000000 + 1 ))
echo "# burst: $per per-VM vmRunning in about $secs s at vmNotificationRate 2 (burst 2)"
check "burst: per-VM vmRunning within the rate (2 + 2/s: $per <= $((2 + 2 * secs)))" \
    eval '[ $per -ge 2 ] && [ $per -le $((2 + 2 * secs)) ]'
check "the agent logged the notifications it held back" grep -q 'vmNotificationRate' "$VAX_TMP/agent.log"
# bulk_indexes OID MARK: the VM indexes of every vmAffectedVMs.0 since MARK.
bulk_indexes() {
    local line hex i b byte
    traps_since "$2" "$1" | while IFS= read -r line; do
        hex=$(octets "$line" "$V.1.11.0")
        for ((i = 0; i < ${#hex} / 2; i++)); do
            byte=$((16#${hex:2*i:2}))
            for b in 0 1 2 3 4 5 6 7; do
                (( byte & (0x80 >> b) )) && echo $((i * 8 + b + 1))
            done
        done
    done | sort -n | uniq
}
want=$(for i in 1 2 3 4 5 6 7 8; do index_of "5e1e0000-0000-4000-8000-00000000c00$i"; done | sort -n | tr '\n' ' ')
got=$(bulk_indexes "$V.0.11" "$m" | tr '\n' ' ')
nbulk=$(traps_since "$m" "$V.0.11" | wc -l)
check "vmBulkRunning names all 8 VMs in vmAffectedVMs ($nbulk notifications; got: $got; want: $want)" \
    test "$got" = "$want"
check "vmBulkRunning carries only vmAffectedVMs" \
    eval '[ "$(traps_since $m $V.0.11 | head -n 1 | tr "\t" "\n" | grep -c " = ")" -eq 3 ]'
m=$(mark)
( for i in 1 2 3 4 5 6 7 8; do vax_virsh destroy "vmburst$i" > /dev/null & done; wait )
sleep 2
check "destroy all 8: vmBulkShutdown names them" test "$(bulk_indexes "$V.0.13" "$m" | tr '\n' ' ')" = "$want"
check "destroy all 8 (transient): vmBulkDeleted names them" test "$(bulk_indexes "$V.0.20" "$m" | tr '\n' ' ')" = "$want"

check "SIGTERM: exit status 0" vax_stop_agent
vax_done
