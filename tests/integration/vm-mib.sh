#!/usr/bin/env bash
# VM-MIB (RFC 7666, .1.3.6.1.2.1.236) through a real libvirtd (test
# driver), snmpd and agent, numeric OIDs only: every vmTable,
# vmStorageTable and vmNetworkTable cell against virsh and against
# VIRT-AGENTX-MIB in the same walk; vmIndex == virtDomainIndex per UUID;
# serveMIBs serves only the MIBs it names.
set -u
. "$(dirname "$0")/../lib.sh"

V=.1.3.6.1.2.1.236.1
R=.1.3.6.1.4.1.32473.1
vax_setup
vax_start_libvirtd
vax_load_demo_domains --keep-test || vax_die "cannot load the demo domains"
vax_start_snmpd
vax_start_agent -t 60
# The first refresh has landed (slow under valgrind): hypervisor known.
wait_until 60 eval 'vax_get $V.1.1.0 | grep -q STRING' || vax_die "no data from libvirt"

# One walk of both MIBs on one snapshot: a long cache timeout, and
# virtRefreshCount (.1.11.0) the same before the VM-MIB walk and in ours.
# A refresh asked for by the first GET may still land after the first
# one (seen under valgrind): then walk again.
refreshes() { sed -n 's/.*Counter64: //p'; }
for try in 1 2 3 4 5; do
    n0=$(vax_get $R.1.11.0 | refreshes)
    vax_walk .1.3.6.1.2.1.236 > "$VAX_TMP/vm.raw" || vax_die "walk failed"
    vax_walk $R > "$VAX_TMP/virt.raw" || vax_die "walk failed"
    n1=$(grep "^$R\.1\.11\.0 = " "$VAX_TMP/virt.raw" | refreshes)
    [ -n "$n0" ] && [ "$n0" = "$n1" ] && break
    vax_log "walk $try spanned refreshes $n0 to $n1: again"
    sleep 1
done
check_eq "both walks on one snapshot (virtRefreshCount before and in the walk)" "$n0" "$n1"
cat "$VAX_TMP/vm.raw" "$VAX_TMP/virt.raw" |
    grep -v ' = No more variables left in this MIB View' > "$VAX_TMP/walk"

raw() {
    awk -v o="$1" 'index($0, o " = ") == 1 { v = substr($0, length(o) + 4); sub(/^[A-Za-z0-9-]+: /, "", v); print v; exit }' \
        "$VAX_TMP/walk"
}
cell() { local v; v=$(raw "$1"); v=${v#\"}; printf '%s' "${v%\"}"; }
has() { grep -q "^$1 = " "$VAX_TMP/walk"; }
hex() { raw "$1" | tr 'A-F' 'a-f' | sed 's/ *$//'; }   # "8e 3b 1c ..."
# Timeticks: (12345) 0:02:03.45 -> 12345
ticks() { raw "$1" | sed -n 's/^(\([0-9]*\)).*/\1/p'; }

# ---- scalars ----
check_eq "vmHvSoftware is virtHypervisorType" "$(cell $R.1.2.0)" "$(cell $V.1.1.0)"
check_eq "vmHvVersion is virtHypervisorVersion" "$(cell $R.1.3.0)" "$(cell $V.1.2.0)"
check_eq "vmHvObjectID is zeroDotZero" ".0.0" "$(cell $V.1.3.0)"
host_cs=$(awk '{ printf "%d", $1 * 100 }' /proc/uptime)
up=$(ticks $V.1.4.0)
check "vmHvUpTime ($up) is the host's uptime ($host_cs cs)" \
    eval '[ -n "$up" ] && [ $((host_cs - up)) -ge -100 ] && [ $((host_cs - up)) -le 1000 ]'
check_eq "vmNumber matches virsh" "$(vax_virsh list --all --name | grep -c .)" "$(cell $V.2.0)"
last=$(ticks $V.3.0)
check "vmTableLastChange ($last) is at most vmHvUpTime ($up)" \
    eval '[ -n "$last" ] && [ "$last" -le "$up" ]'
# The notification enables (.1.9, .1.10) are registered apart, beside the
# subtrees above; the walk passes through them in order, with the defaults.
check_eq "vmPerVMNotificationsEnabled defaults to true(1)" 1 "$(cell $V.9.0)"
check_eq "vmBulkNotificationsEnabled defaults to false(2)" 2 "$(cell $V.10.0)"

# ---- per domain ----
oper_of() {  # libvirt "state reason" numbers -> VirtualMachineOperState
    case "$1 $2" in
        "1 10") echo 9 ;; 1\ *|2\ *) echo 4 ;;
        "3 2"|"3 12") echo 9 ;; "3 3") echo 5 ;; "3 8") echo 10 ;;
        "3 10") echo 12 ;; "3 11") echo 3 ;; 3\ *) echo 8 ;;
        4\ *) echo 10 ;; "5 5") echo 6 ;; "5 3") echo 12 ;; 5\ *) echo 11 ;;
        6\ *) echo 12 ;; 7\ *) echo 6 ;; *) echo 1 ;;
    esac
}
admin_of() {
    case $1 in 3|4|7|9) echo 1 ;; 5|6) echo 2 ;; 8) echo 3 ;; 10|11|12) echo 4 ;; esac
}
while IFS= read -r d; do
    uuid=$(vax_virsh domuuid "$d")
    # vmIndex: the row whose vmUUID is these 16 octets.
    want=$(echo "$uuid" | tr -d '-' | sed 's/\(..\)/\1 /g; s/ $//')
    idx=$(grep "^$V\.4\.1\.3\." "$VAX_TMP/walk" | while read -r o _ _ rest; do
        [ "$(echo "$rest" | tr 'A-F' 'a-f' | sed 's/ *$//')" = "$want" ] && echo "${o##*.}"
    done)
    if [ -z "$idx" ]; then not_ok "$d: no vmTable row with UUID $uuid"; continue; fi
    check_eq "$d: vmIndex $idx is virtDomainIndex" "$uuid" "$(cell $R.2.1.3.$idx)"
    info=$(vax_virsh dominfo "$d")
    field() { echo "$info" | sed -n "s/^$1: *//p"; }
    E=$V.4.1
    # Names are served as UTF-8 (net-snmp prints non-ASCII as hex).
    check_eq "$d: vmName" "$(printf '%s' "$d" | od -An -tx1 | tr -d '\n' | sed 's/^ //')" \
        "$(if raw $E.2.$idx | grep -q '^"'; then cell $E.2.$idx | od -An -tx1 | tr -d '\n' | sed 's/^ //'; else hex $E.2.$idx; fi)"
    check_eq "$d: vmOSType is virtDomainOSType" "$(cell $R.2.1.8.$idx)" "$(cell $E.4.$idx)"
    st=$(vax_virsh domstats --state --raw "$d")
    s=$(echo "$st" | sed -n 's/^ *state\.state=//p'); r=$(echo "$st" | sed -n 's/^ *state\.reason=//p')
    oper=$(oper_of "$s" "$r")
    check_eq "$d: vmOperState for libvirt state $s reason $r" "$oper" "$(cell $E.6.$idx)"
    check_eq "$d: vmAdminState" "$(admin_of "$oper")" "$(cell $E.5.$idx)"
    check_eq "$d: vmAutoStart" "$([ "$(field Autostart)" = enable ] && echo 2 || echo 3)" "$(cell $E.7.$idx)"
    check_eq "$d: vmPersistent" "$([ "$(field Persistent)" = yes ] && echo 2 || echo 3)" "$(cell $E.8.$idx)"
    check_eq "$d: vmCurCpuNumber" "$(field 'CPU(s)')" "$(cell $E.9.$idx)"
    live=$([ "$(field Id)" = - ] && echo --config || echo --live)
    check_eq "$d: vmMaxCpuNumber" "$(vax_virsh vcpucount "$d" --maximum $live)" "$(cell $E.11.$idx)"
    # No <vcpus> in these definitions: every vCPU present at start is fixed.
    check_eq "$d: vmMinCpuNumber" "$(vax_virsh vcpucount "$d" --current --config)" "$(cell $E.10.$idx)"
    check_eq "$d: vmMemUnit is KiB" 1024 "$(cell $E.12.$idx)"
    check_eq "$d: vmCurMem" "$(field 'Used memory' | awk '{ print $1 }')" "$(cell $E.13.$idx)"
    check_eq "$d: vmMinMem is -1 (libvirt has no minimum)" -1 "$(cell $E.14.$idx)"
    check_eq "$d: vmMaxMem" "$(field 'Max memory' | awk '{ print $1 }')" "$(cell $E.15.$idx)"
    cpu=$(cell $R.2.1.14.$idx)
    if [ -n "$cpu" ]; then
        check_eq "$d: vmCpuTime is virtDomainCpuTime in µs" "$((cpu / 1000))" "$(cell $E.17.$idx)"
    else
        check "$d: no vmCpuTime without virtDomainCpuTime" eval '! has $E.17.$idx'
    fi
    if [ "$(field Id)" = - ]; then
        check_eq "$d: vmUpTime of a domain that is off" 0 "$(ticks $E.16.$idx)"
    else
        check "$d: no vmUpTime: it ran before the agent saw it start" eval '! has $E.16.$idx'
    fi
    # vCPUs: the same rows as virtVcpuTable, times in µs.
    for o in $(grep -o "^$R\.3\.1\.4\.$idx\.[0-9]*" "$VAX_TMP/walk"); do
        n=${o##*.}
        check_eq "$d: vmCpuCoreTime.$n" "$(($(cell "$o") / 1000))" "$(cell $V.5.1.2.$idx.$n)"
    done

    # ---- storage ----
    n=0
    while read -r target source; do
        n=$((n + 1))
        S=$V.7.1
        check_eq "$d disk $n: vmStorageResourceID" "$([ "$source" = - ] || echo "$source")" "$(cell $S.6.$idx.$n)"
        check_eq "$d disk $n ($target) is virtDiskTarget's row" "$target" "$(cell $R.4.1.2.$idx.$n)"
        xml=$(vax_virsh dumpxml "$d" | awk -v t="$target" '/<disk /{ b = "" } { b = b $0 "\n" } /<\/disk>/ && b ~ "dev=.\"?" t "[\"\x27]" { print b }')
        dtype=$(echo "$xml" | sed -n "s/.*<disk type=.\([a-z]*\).*device=.\([a-z]*\).*/\1 \2/p" | head -n 1)
        case $dtype in
            "block "*) want=3 ;; "network "*) want=6 ;;
            "file "*) if echo "$xml" | grep -q "<driver[^>]*type=.qcow2"; then want=5; else want=4; fi ;;
            *) want=2 ;;
        esac
        check_eq "$d disk $n: vmStorageSourceType ($dtype)" "$want" "$(cell $S.4.$idx.$n)"
        case ${dtype#* } in disk) want=3 ;; cdrom) want=4 ;; floppy) want=5 ;; *) want=1 ;; esac
        check_eq "$d disk $n: vmStorageMediaType" "$want" "$(cell $S.8.$idx.$n)"
        ro=2; { echo "$xml" | grep -q '<readonly/>' || [ "${dtype#* }" = cdrom ]; } && ro=3
        check_eq "$d disk $n: vmStorageAccess" "$ro" "$(cell $S.7.$idx.$n)"
        check_eq "$d disk $n: vmStorageMediaTypeString is the bus" "$(cell $R.4.1.5.$idx.$n)" "$(cell $S.9.$idx.$n)"
        check_eq "$d disk $n: vmStorageParent" 0 "$(cell $S.3.$idx.$n)"
        unit=$(cell $S.10.$idx.$n)
        cap=$(cell $R.4.1.16.$idx.$n)
        if [ -n "$cap" ]; then
            check_eq "$d disk $n: vmStorageDefinedSize x unit" "$((cap / unit))" "$(cell $S.11.$idx.$n)"
            check "$d disk $n: the size fits Integer32 at unit $unit" \
                eval '[ "$(cell $S.11.$idx.$n)" -le 2147483647 ]'
        else
            check_eq "$d disk $n: vmStorageDefinedSize unknown" -1 "$(cell $S.11.$idx.$n)"
        fi
        for pair in 13:7 14:9 15:8 16:10; do
            a=${pair%:*}; b=${pair#*:}
            check_eq "$d disk $n: VM-MIB column $a is VIRT-AGENTX-MIB column $b" \
                "$(cell $R.4.1.$b.$idx.$n)" "$(cell $S.$a.$idx.$n)"
        done
        rd=$(vax_virsh domblkstat "$d" "$target" 2>/dev/null | awk '$2 == "rd_req" { print $3 }')
        [ -z "$rd" ] || check "$d disk $n: vmStorageReadIOs ($(cell $S.13.$idx.$n)) <= virsh's later $rd" \
            eval '[ "$(cell $S.13.$idx.$n)" -le "$rd" ]'
    done < <(vax_virsh domblklist "$d" | awk '{ print $1, ($2 == "" ? "-" : $2) }')
    check_eq "$d: as many vmStorageTable rows as domblklist" "$n" \
        "$(grep -c "^$V\.7\.1\.4\.$idx\." "$VAX_TMP/walk")"

    # ---- network ----
    n=0
    while read -r iface type source model mac; do
        n=$((n + 1))
        N=$V.8.1
        check_eq "$d nic $n: vmNetworkModel" "$([ "$model" = - ] || echo "$model")" "$(cell $N.4.$idx.$n)"
        check_eq "$d nic $n: vmNetworkPhysAddress" "$mac" "$(hex $N.5.$idx.$n | tr ' ' ':')"
        check_eq "$d nic $n: vmNetworkIfIndex is virtInterfaceHostIfIndex" \
            "$(cell $R.5.1.9.$idx.$n)" "$(cell $N.2.$idx.$n)"
        # The test taps and bridges do not exist on this host: IF-MIB has
        # no row for them.
        want=0; [ "$iface" = - ] || ! ip link show "$iface" >/dev/null 2>&1 ||
            want=$(cat "/sys/class/net/$iface/ifindex")
        check_eq "$d nic $n ($iface): vmNetworkIfIndex" "$want" "$(cell $N.2.$idx.$n)"
        check_eq "$d nic $n: vmNetworkParent ($source not on this host)" 0 "$(cell $N.3.$idx.$n)"
        : "$type"
    done < <(vax_virsh domiflist "$d")
    check_eq "$d: as many vmNetworkTable rows as domiflist" "$n" \
        "$(grep -c "^$V\.8\.1\.5\.$idx\." "$VAX_TMP/walk")"
done < <(vax_virsh list --all --name | sed '/^$/d')

# ---- vCPU affinity: every vCPU row times every host CPU ----
cpus=$(vax_virsh nodecpumap | awk '/^CPUs present:/ { print $3 }')
vcpus=$(grep -c "^$R\.3\.1\.2\." "$VAX_TMP/walk")
check_eq "vmCpuAffinityTable: $vcpus vCPUs x $cpus host CPUs" "$((vcpus * cpus))" \
    "$(grep -c "^$V\.6\.1\.3\." "$VAX_TMP/walk")"
check_eq "no pinning in the demo domains: every affinity is enable(1)" "" \
    "$(grep "^$V\.6\.1\.3\." "$VAX_TMP/walk" | grep -v '= INTEGER: 1$')"

# ---- a domain started while the agent watches has a vmUpTime ----
vax_virsh start build >/dev/null || vax_die "cannot start build"
idx=$(awk -v u="\"$(vax_virsh domuuid build)\"" -v p="$R.2.1.3." \
    'index($1, p) == 1 && $4 == u { n = split($1, a, "."); print a[n] }' "$VAX_TMP/walk")
wait_until 10 eval 'vax_get $V.4.1.6.$idx | grep -q "INTEGER: 4$"'
sleep 1.5
t=$(vax_get $V.4.1.16.$idx | sed -n 's/.*Timeticks: (\([0-9]*\)).*/\1/p')
check "build started now: vmUpTime $t cs is between 1 and 10 s" \
    eval '[ -n "$t" ] && [ "$t" -ge 100 ] && [ "$t" -le 1000 ]'
t2=$(vax_get $V.3.0 | sed -n 's/.*Timeticks: (\([0-9]*\)).*/\1/p')
check_eq "a start changes no row: vmTableLastChange stays" "$last" "$t2"
vax_virsh undefine build >/dev/null    # running: now transient, still a row
vax_virsh destroy build >/dev/null     # gone
wait_until 10 eval '! vax_get $V.4.1.2.$idx | grep -q STRING'
t3=$(vax_get $V.3.0 | sed -n 's/.*Timeticks: (\([0-9]*\)).*/\1/p')
up=$(vax_get $V.1.4.0 | sed -n 's/.*Timeticks: (\([0-9]*\)).*/\1/p')
check "a row gone: vmTableLastChange moved ($last -> $t3, vmHvUpTime $up)" \
    eval '[ -n "$t3" ] && [ "$t3" -gt "$last" ] && [ "$t3" -le "$up" ]'
check_eq "vmNumber follows" "$(vax_virsh list --all --name | grep -c .)" \
    "$(vax_get $V.2.0 | sed -n 's/.*INTEGER: //p')"

# ---- serveMIBs: restart the agent with each choice ----
for choice in VM-MIB VIRT-AGENTX-MIB all; do
    vax_stop_agent
    printf 'indexFile %s\nserveMIBs %s\n' "$VAX_TMP/index" "$choice" > "$VAX_TMP/agent.conf"
    # Registered: a STRING scalar of a MIB it serves (vmHvSoftware).
    VAX_READY_OID=$([ "$choice" = VM-MIB ] && echo $V.1.1.0) vax_start_agent -t 60
    wait_until 60 eval 'vax_get $V.1.1.0 $R.1.2.0 | grep -q STRING'
    vm=$(vax_walk .1.3.6.1.2.1.236 | grep -c "^$V\.")
    virt=$(vax_walk $R | grep -c "^$R\.")
    case $choice in
        VM-MIB) check "serveMIBs VM-MIB: VM-MIB only ($vm, $virt)" eval '[ "$vm" -gt 0 ] && [ "$virt" -eq 0 ]' ;;
        VIRT-AGENTX-MIB) check "serveMIBs VIRT-AGENTX-MIB: ours only ($vm, $virt)" eval '[ "$vm" -eq 0 ] && [ "$virt" -gt 0 ]' ;;
        all) check "serveMIBs all: both ($vm, $virt)" eval '[ "$vm" -gt 0 ] && [ "$virt" -gt 0 ]' ;;
    esac
done
printf 'serveMIBs VM-MIB,IF-MIB\n' > "$VAX_TMP/bad.conf"
msg=$("${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}" -n -c "$VAX_TMP/bad.conf" 2>&1)
check "virt-agentx -n refuses an unknown MIB ($msg)" \
    eval 'case $msg in *"bad.conf:1: serveMIBs: unknown MIB \"IF-MIB\""*) true ;; *) false ;; esac'

vax_done
