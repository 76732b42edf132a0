#!/usr/bin/env bash
# virtPoolTable and virtNetworkTable on the test driver (a real libvirtd
# hosting it, real snmpd, snmptrapd, virsh): every column of its
# default-pool against virsh pool-info --bytes / pool-dumpxml / vol-list,
# of its default network and an isolated one against net-info /
# net-dumpxml; pool and network lifecycle notifications from
# pool-destroy/pool-start and net-destroy/net-start, with their varbinds;
# poolNotifications no / networkNotifications no by SIGHUP stop those but
# not virtPoolSpaceLow/Ok, which a 95 GiB volume in the 100 GiB pool
# raises with libvirt's own numbers (the test driver's pool has no
# filesystem: its target /default-pool does not exist, so the numbers are
# libvirt's, virtPoolSpaceSource libvirt(1)). tests/integration/pools.sh
# does a real dir pool on a filesystem of its own.
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473
P=$R.1.10.1 N=$R.1.11.1
INTERVAL=5
TAB=$'\t'
vax_setup
vax_start_trapd
vax_start_libvirtd
vax_start_snmpd
printf 'indexFile %s/index\npoolInterval %s\n' "$VAX_TMP" "$INTERVAL" > "$VAX_TMP/agent.conf"
vax_start_agent -t 1

POOL=default-pool NET=default ISO=vax-iso
PU=$(vax_virsh pool-uuid $POOL) NU=$(vax_virsh net-uuid $NET)
# An isolated network (no <forward>): virtNetworkForwardMode "none".
printf "<network><name>%s</name><bridge name='vaxiso%s'/></network>\n" $ISO $$ > "$VAX_TMP/iso.xml"
vax_virsh net-define "$VAX_TMP/iso.xml" > /dev/null && vax_virsh net-start $ISO > /dev/null ||
    vax_die "cannot define and start network $ISO"
IU=$(vax_virsh net-uuid $ISO)

# row TABLE UUID: the row index holding UUID in TABLE's column 3.
row() { vax_walk "$1.3" | awk -v u="\"$2\"" '$4 == u { n = split($1, a, "."); print a[n] }'; }
# val OID: the value alone ("" when absent), quotes removed.
val() { vax_get -Oqv "$1" 2>/dev/null | grep -v '^No Such' | sed 's/^"//; s/"$//'; }
absent() {
    local v
    v=$(vax_get "$2" 2>&1)
    case $v in *"No Such Instance"*) ok "$1" ;; *) not_ok "$1: expected no value, got '$v'" ;; esac
}
truth() { [ "$1" = yes ] && echo 1 || echo 2; }
pinfo() { vax_virsh pool-info --bytes $POOL | sed -n "s/^$1: *//p"; }
ninfo() { vax_virsh net-info "$1" | sed -n "s/^$2: *//p"; }
# forward_of NET: what net-dumpxml says the forward mode is.
forward_of() {
    vax_virsh net-dumpxml "$1" | awk '/<forward/ { f = 1; if (match($0, /mode=.[a-z]+/)) m = substr($0, RSTART + 6, RLENGTH - 6) }
        END { print f ? (m != "" ? m : "nat") : "none" }'
}

check "default-pool in virtPoolTable within 10 s" wait_until 10 eval '[ -n "$(row $P $PU)" ]'
check "$ISO in virtNetworkTable within 10 s" wait_until 10 eval '[ -n "$(row $N $IU)" ]'
PI=$(row $P "$PU") NI=$(row $N "$NU") II=$(row $N "$IU")
[ -n "$PI" ] && [ -n "$NI" ] && [ -n "$II" ] || vax_done

# ---- indexes: from the domains' map, each object its own ----
DI=$(vax_walk $R.1.2.1.3 | awk -v u="\"$(vax_virsh domuuid test)\"" '$4 == u { n = split($1, a, "."); print a[n] }')
check_eq "four objects, four distinct indexes (domain $DI, pool $PI, networks $NI, $II)" 4 \
    "$(printf '%s\n' "$DI" "$PI" "$NI" "$II" | sed '/^$/d' | sort -u | wc -l)"
check "the index file holds the pool's and both networks' indexes" wait_until 5 eval \
    'grep -qx "$PU $PI" "$VAX_TMP/index" && grep -qx "$NU $NI" "$VAX_TMP/index" && grep -qx "$IU $II" "$VAX_TMP/index"'
check "the log names the pool's index" grep -q "pool $PU gets index $PI" "$VAX_TMP/agent.log"

# ---- virtPoolTable: every column ----
xml=$(vax_virsh pool-dumpxml $POOL)
check_eq "virtPoolName" $POOL "$(val $P.2.$PI)"
check_eq "virtPoolUUID is pool-info's" "$(pinfo UUID)" "$(val $P.3.$PI)"
check_eq "virtPoolType is pool-dumpxml's" "$(echo "$xml" | sed -n "s/^<pool type='\([^']*\)'.*/\1/p")" "$(val $P.4.$PI)"
check_eq "virtPoolState running(3): pool-info says $(pinfo State)" 3 "$(val $P.5.$PI)"
check_eq "virtPoolAutostart is pool-info's ($(pinfo Autostart))" "$(truth "$(pinfo Autostart)")" "$(val $P.6.$PI)"
check_eq "virtPoolPersistent is pool-info's ($(pinfo Persistent))" "$(truth "$(pinfo Persistent)")" "$(val $P.7.$PI)"
# $1 COLUMN: the pool's numbers against pool-info --bytes.
numbers() {
    check_eq "$1: virtPoolCapacity is pool-info's" "$(pinfo Capacity)" "$(val $P.8.$PI)"
    check_eq "$1: virtPoolAllocation is pool-info's" "$(pinfo Allocation)" "$(val $P.9.$PI)"
    check_eq "$1: virtPoolAvailable is pool-info's" "$(pinfo Available)" "$(val $P.10.$PI)"
    check_eq "$1: virtPoolUsed is allocation/capacity in hundredths of a percent" \
        "$(awk -v a="$(pinfo Allocation)" -v c="$(pinfo Capacity)" 'BEGIN { printf "%d", a * 10000 / c + 0.5 }')" \
        "$(val $P.11.$PI)"
}
numbers "empty pool"
check_eq "virtPoolSpaceThreshold: the default 90% in hundredths" 9000 "$(val $P.12.$PI)"
check "precondition: /default-pool does not exist on this host" test ! -e /default-pool
check_eq "virtPoolSpaceSource libvirt(1): no filesystem at the target" 1 "$(val $P.13.$PI)"
age=$(val $P.14.$PI)
check "virtPoolSpaceAge within two rounds (${age:-absent} ms)" eval '[ -n "$age" ] && [ "$age" -lt $((2 * INTERVAL * 1000 + 2000)) ]'
check_eq "virtPoolStalled false(2)" 2 "$(val $P.15.$PI)"
check_eq "virtPoolTargetPath is pool-dumpxml's" \
    "$(echo "$xml" | sed -n 's/^ *<path>\(.*\)<\/path>/\1/p' | head -n 1)" "$(val $P.16.$PI)"
check_eq "virtPoolVolumes is vol-list's count" "$(vax_virsh vol-list $POOL | grep -c .)" "$(val $P.17.$PI)"
# cols TABLE ROW: the columns the walk has for ROW, in order.
cols() { vax_walk "$1" | awk -v p="$1." -v r="$2" 'index($1, p) == 1 { split(substr($1, length(p) + 1), a, "."); if (a[2] == r) print a[1] }' | tr '\n' ' '; }
check_eq "the running pool's row has every column, 2 to 17" "2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 " "$(cols $P "$PI")"

# ---- virtNetworkTable: every column, both networks ----
for nn in "$NET:$NI" "$ISO:$II"; do
    name=${nn%%:*} i=${nn##*:}
    check_eq "$name: virtNetworkName" "$name" "$(val $N.2.$i)"
    check_eq "$name: virtNetworkUUID is net-info's" "$(ninfo "$name" UUID)" "$(val $N.3.$i)"
    check_eq "$name: virtNetworkBridge is net-info's" "$(ninfo "$name" Bridge)" "$(val $N.4.$i)"
    check_eq "$name: virtNetworkActive is net-info's ($(ninfo "$name" Active))" "$(truth "$(ninfo "$name" Active)")" "$(val $N.5.$i)"
    check_eq "$name: virtNetworkAutostart is net-info's" "$(truth "$(ninfo "$name" Autostart)")" "$(val $N.6.$i)"
    check_eq "$name: virtNetworkPersistent is net-info's" "$(truth "$(ninfo "$name" Persistent)")" "$(val $N.7.$i)"
    check_eq "$name: virtNetworkForwardMode is net-dumpxml's" "$(forward_of "$name")" "$(val $N.8.$i)"
    check "$name: the test driver has no virNetworkGetDHCPLeases" \
        eval '! vax_virsh net-dhcp-leases "$name" 2>&1 | grep -q . || vax_virsh net-dhcp-leases "$name" 2>&1 | grep -q "not supported"'
    absent "$name: virtNetworkDhcpLeases absent (not 0): the driver gives none" $N.9.$i
done
check_eq "the default network forwards by nat, the isolated one not at all" "nat none" \
    "$(val $N.8.$NI) $(val $N.8.$II)"

# ---- read-only: a SET is refused and changes nothing ----
for x in "$P.2.$PI s hacked" "$P.5.$PI i 1" "$N.5.$NI i 2" "$N.8.$NI s bridge"; do
    set -- $x
    check "SET of $1: notWritable" eval 'vax_set $x 2>&1 | grep -q "^Reason: notWritable"'
done
check_eq "after the SETs: name, state, active and forward mode unchanged" "$POOL 3 1 nat" \
    "$(val $P.2.$PI) $(val $P.5.$PI) $(val $N.5.$NI) $(val $N.8.$NI)"

# ---- autostart changes show at the next round ----
vax_virsh pool-autostart $POOL > /dev/null && vax_virsh net-autostart $NET > /dev/null
check "pool-autostart / net-autostart: virtPoolAutostart and virtNetworkAutostart true(1) within a round" \
    wait_until $((INTERVAL + 3)) eval '[ "$(val $P.6.$PI) $(val $N.6.$NI)" = "1 1" ]'

# ---- notifications ----
LOG=$VAX_TMP/traps.log
mark() { wc -l < "$LOG"; }
traps_since() { tail -n "+$(( $1 + 1 ))" "$LOG" | grep -F "OID: $R.0.$2$TAB" || true; }
varbind() { echo "$1" | tr '\t' '\n' | sed -n "s/^$2 = [A-Za-z0-9-]*: //p" | sed 's/^"//; s/"$//'; }
# expect DESC KIND WANT... -- COMMAND...: run COMMAND; exactly one
# notification .0.KIND within 3 s, its varbinds OID=VALUE as WANT says
# (and no others besides sysUpTime and snmpTrapOID).
expect() {
    local desc=$1 kind=$2 m line w bad="" n
    local -a want=()
    shift 2
    while [ "$1" != -- ]; do want+=("$1"); shift; done
    shift
    m=$(mark)
    "$@" > /dev/null || { not_ok "$desc: '$*' failed"; return; }
    if ! wait_until 3 eval '[ -n "$(traps_since $m $kind)" ]'; then
        not_ok "$desc: no notification .0.$kind within 3 s"; return
    fi
    sleep 0.5   # a duplicate would come now
    n=$(traps_since "$m" "$kind" | wc -l)
    line=$(traps_since "$m" "$kind" | head -n 1)
    [ "$n" = 1 ] || { not_ok "$desc: $n notifications .0.$kind, expected one"; return; }
    for w in "${want[@]}"; do
        [ "$(varbind "$line" "${w%%=*}")" = "${w#*=}" ] ||
            bad="$bad ${w%%=*} is '$(varbind "$line" "${w%%=*}")' not '${w#*=}';"
    done
    [ "$(echo "$line" | tr '\t' '\n' | grep -c ' = ')" = $(( ${#want[@]} + 2 )) ] ||
        bad="$bad $(echo "$line" | tr '\t' '\n' | grep -c ' = ') varbinds, not $(( ${#want[@]} + 2 ));"
    if [ -n "$bad" ]; then not_ok "$desc:$bad"; echo "#   $line"; else ok "$desc"; fi
}
pool_life() { echo "$P.2.$PI=$POOL" "$P.3.$PI=$PU" "$P.5.$PI=$1"; }
net_life() { echo "$N.2.$NI=$NET" "$N.3.$NI=$NU" "$N.5.$NI=$1"; }

# shellcheck disable=SC2046 # word lists on purpose
expect "pool-destroy: virtPoolStopped, state inactive(1)" 13 $(pool_life 1) -- vax_virsh pool-destroy $POOL
check "the walk shows it inactive(1) within 3 s" wait_until 3 eval '[ "$(val $P.5.$PI)" = 1 ]'
absent "inactive pool: no virtPoolVolumes" $P.17.$PI
# virsh pool-info shows no numbers for an inactive pool (libvirt's API
# still returns the stale ones it had): neither do we.
check "pool-info of the inactive pool shows no capacity" eval '[ -z "$(pinfo Capacity)" ]'
check_eq "inactive pool: name, UUID, type, state, autostart, persistent, age, stalled, target; no numbers" \
    "2 3 4 5 6 7 12 14 15 16 " "$(cols $P "$PI")"
# shellcheck disable=SC2046
expect "pool-start: virtPoolStarted, state running(3)" 12 $(pool_life 3) -- vax_virsh pool-start $POOL
check "the walk shows it running(3) within 3 s" wait_until 3 eval '[ "$(val $P.5.$PI)" = 3 ]'
# shellcheck disable=SC2046
expect "net-destroy: virtNetworkStopped, active false(2)" 17 $(net_life 2) -- vax_virsh net-destroy $NET
check "the walk shows it inactive (virtNetworkActive 2) within 3 s" wait_until 3 eval '[ "$(val $N.5.$NI)" = 2 ]'
# shellcheck disable=SC2046
expect "net-start: virtNetworkStarted, active true(1)" 16 $(net_life 1) -- vax_virsh net-start $NET
check "the walk shows it active again within 3 s" wait_until 3 eval '[ "$(val $N.5.$NI)" = 1 ]'

# ---- poolNotifications no, networkNotifications no (SIGHUP) ----
cp "$VAX_TMP/agent.conf" "$VAX_TMP/agent.conf.orig"
printf 'poolNotifications no\nnetworkNotifications no\n' >> "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP: reload logged" wait_until 3 grep -q 'configuration reloaded' "$VAX_TMP/agent.log"
m=$(mark)
vax_virsh pool-destroy $POOL > /dev/null
check "poolNotifications no: the walk still follows (inactive(1))" wait_until 3 eval '[ "$(val $P.5.$PI)" = 1 ]'
vax_virsh pool-start $POOL > /dev/null
vax_virsh net-destroy $NET > /dev/null
check "networkNotifications no: the walk still follows (active 2)" wait_until 3 eval '[ "$(val $N.5.$NI)" = 2 ]'
vax_virsh net-start $NET > /dev/null
wait_until 3 eval '[ "$(val $P.5.$PI) $(val $N.5.$NI)" = "3 1" ]'
sleep 0.5
check "poolNotifications no: no virtPoolStarted/Stopped" eval '[ -z "$(traps_since $m 12)$(traps_since $m 13)" ]'
check "networkNotifications no: no virtNetworkStarted/Stopped" eval '[ -z "$(traps_since $m 16)$(traps_since $m 17)" ]'

# ---- space: a 95 GiB volume in the 100 GiB pool (libvirt's numbers) ----
# poolNotifications no leaves these on (poolSpaceThreshold 0 is their switch).
m=$(mark)
vax_virsh vol-create-as $POOL vax-fill 95G --allocation 95G > /dev/null || vax_die "vol-create-as failed"
check "vol-create-as: virtPoolVolumes counts it within a round" \
    wait_until $((INTERVAL + 3)) eval '[ "$(val $P.17.$PI)" = "$(vax_virsh vol-list $POOL | grep -c .)" ] && [ "$(val $P.17.$PI)" = 1 ]'
numbers "95 GiB volume"
check "virtPoolSpaceLow within a round" wait_until $((INTERVAL + 3)) eval '[ -n "$(traps_since $m 14)" ]'
line=$(traps_since "$m" 14 | head -n 1)
vb="$POOL $(pinfo Capacity) $(pinfo Allocation) $(pinfo Available) 9500 9000"
got=$(for c in 2 8 9 10 11 12; do varbind "$line" "$P.$c.$PI"; done | tr '\n' ' ')
check_eq "virtPoolSpaceLow: name, capacity, allocation, available, used, threshold" "$vb " "$got"
check "the log says space low" grep -q "pool $POOL: space low (95.00% used, threshold 90.00%)" "$VAX_TMP/agent.log"
m2=$(mark)
vax_virsh vol-delete vax-fill --pool $POOL > /dev/null
check "vol-delete: virtPoolSpaceOk within a round" wait_until $((INTERVAL + 3)) eval '[ -n "$(traps_since $m2 15)" ]'
line=$(traps_since "$m2" 15 | head -n 1)
vb="$POOL $(pinfo Capacity) $(pinfo Allocation) $(pinfo Available) 0 9000"
got=$(for c in 2 8 9 10 11 12; do varbind "$line" "$P.$c.$PI"; done | tr '\n' ' ')
check_eq "virtPoolSpaceOk: its varbinds" "$vb " "$got"
numbers "volume deleted"
check_eq "one virtPoolSpaceLow and one virtPoolSpaceOk in all" "1 1" \
    "$(traps_since "$m" 14 | wc -l) $(traps_since "$m" 15 | wc -l)"
check "the agent is still running" vax_pid_alive "$VAX_AGENT_PID"
vax_done
