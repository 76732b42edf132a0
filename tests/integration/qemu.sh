#!/usr/bin/env bash
# The real-guest tier: QEMU/TCG guests under a private libvirtd, where bulk
# stats carry every group. Tables against virsh domstats --raw taken around
# the walk; host ifIndex against the kernel and snmpd's own IF-MIB; the same
# for VM-MIB (RFC 7666); QEMU's event pairs; hot-plug; and a frozen guest
# that must not stall anything.
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
D=$R.2.1
vax_setup
vax_start_libvirtd_qemu          # skips, saying why, without QEMU or root
# Names unique per run: two private libvirtds number domains alike, and a
# guest name shared by two runs at once would share a cgroup (and tap names
# are host-wide).
G1=g1-$$ G2=g2-$$
vax_qemu_guest "$G1" "tq1-$$"
vax_qemu_guest "$G2" "tq2-$$"
vax_start_trapd
# HOST-RESOURCES-MIB's hrDeviceTable too: vmCpuPhysIndex must name its
# processor rows.
VAX_SNMPD_EXTRA="view virtview included .1.3.6.1.2.1.25.3.2" vax_start_snmpd
vax_start_agent -t 1

idx_of() { vax_walk $D.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'; }
check "both guests in the table" wait_until 10 eval '[ -n "$(idx_of ${VAX_QEMU_UUIDS[$G1]})" ] && [ -n "$(idx_of ${VAX_QEMU_UUIDS[$G2]})" ]'
sleep 3   # let the boot sectors run and the balloon report
check "a steady refresh on QEMU makes 5 libvirt calls (virtRefreshCalls): 3 for the domains, 2 for the host" \
    wait_until 5 eval 'vax_get $R.1.14.0 | grep -q "Gauge32: 5$"'

# ---- every table against virsh domstats --raw around the walk ----
vax_bracket "$G1" "$G2"          # before, refresh, walk, after (lib.sh)
vax_virsh nodememstats > "$VAX_TMP/nodemem"
nm() { awk -v k="$1" '$1 == k || $1 == k ":" { print $(NF - 1) }' "$VAX_TMP/nodemem"; }   # "total  :  24683584 KiB"
check_eq "virtHostMemoryTotal is virsh nodememstats' total (KiB)" "$(nm total)" "$(vax_cell $R.9.14.0)"
for kc in free:15 buffers:16 cached:17; do   # they move: within 10% of the reading after
    vax_between "virtHost.${kc##*:} is about nodememstats' ${kc%%:*}" "$(vax_cell $R.9.${kc##*:}.0)" \
        "$(( $(nm ${kc%%:*}) * 9 / 10 ))" "$(( $(nm ${kc%%:*}) * 11 / 10 + 1024 ))"
done
check "virtHostCpuKernelTime grows: a real host's (vs nodecpustats)" \
    eval '[ "$(vax_cell $R.9.10.0)" -le "$(vax_virsh nodecpustats | awk "/^system:/ { print \$2 }")" ]'

cell() { vax_cell "$@"; }
has() { vax_has "$@"; }
stat() { vax_domstat "$@"; }
between() { vax_between "$@"; }
counter() { vax_counter "$@"; }

for g in "$G1" "$G2"; do
    i=$(idx_of "${VAX_QEMU_UUIDS[$g]}")
    check_eq "$g: state running" 1 "$(cell $D.4.$i)"
    check_eq "$g: state.reason" "$(stat after $g state.reason)" "$(cell $D.5.$i)"
    check_eq "$g: vcpu.current" "$(stat after $g vcpu.current)" "$(cell $D.10.$i)"
    check_eq "$g: vcpu.maximum" "$(stat after $g vcpu.maximum)" "$(cell $D.11.$i)"
    check_eq "$g: balloon.maximum = MemoryMax" "$(stat after $g balloon.maximum)" "$(cell $D.12.$i)"
    counter "$g: cpu.time" $g cpu.time $D.14.$i
    counter "$g: cpu.user" $g cpu.user $D.15.$i
    counter "$g: cpu.system" $g cpu.system $D.16.$i
    for pair in current:17 unused:18 available:19 usable:20 swap_in:22 swap_out:23 major_fault:24 minor_fault:25 disk_caches:26; do
        counter "$g: balloon.${pair%%:*}" $g "balloon.${pair%%:*}" "$D.${pair##*:}.$i"
    done
    counter "$g: balloon.rss" $g balloon.rss $D.21.$i
    check "$g: virtDomainStatsAge fresh" eval '[ "$(cell $D.32.$i)" -lt 3000 ]'
    # vCPUs
    for v in 0 1; do
        check_eq "$g: vcpu $v state" "$(stat after $g vcpu.$v.state)" "$(cell $R.3.1.3.$i.$((v + 1)))"
        counter "$g: vcpu.$v.time" $g vcpu.$v.time $R.3.1.4.$i.$((v + 1))
        counter "$g: vcpu.$v.wait" $g vcpu.$v.wait $R.3.1.5.$i.$((v + 1))
        counter "$g: vcpu.$v.delay" $g vcpu.$v.delay $R.3.1.6.$i.$((v + 1))
    done
    # Disks: XML order, stats by name.
    check_eq "$g: block.count = disk rows" "$(stat after $g block.count)" "$(grep -c "^$R.4.1.2.$i\." "$VAX_TMP/walk")"
    for n in 0 1; do
        row=$i.$((n + 1))
        check_eq "$g: disk $n name" "$(stat after $g block.$n.name)" "$(cell $R.4.1.2.$row)"
        check_eq "$g: disk $n source" "$(stat after $g block.$n.path)" "$(cell $R.4.1.3.$row)"
        for pair in rd.reqs:7 rd.bytes:8 wr.reqs:9 wr.bytes:10 fl.reqs:11 rd.times:12 wr.times:13 fl.times:14 capacity:16 allocation:17 physical:18; do
            counter "$g: block.$n.${pair%%:*}" $g "block.$n.${pair%%:*}" "$R.4.1.${pair##*:}.$row"
        done
    done
    # Interfaces: row 1 the tap, row 2 the user NIC (no host device, no stats).
    tap=${VAX_QEMU_TAPS[$g]}
    check_eq "$g: net.0.name is the tap" "$tap" "$(stat after $g net.0.name)"
    check_eq "$g: NIC 1 name" "$tap" "$(cell $R.5.1.2.$i.1)"
    mac=$(vax_virsh domiflist "$g" | awk -v t="$tap" '$1 == t { print $5 }')
    check_eq "$g: NIC 1 MAC" "$mac" "$(cell $R.5.1.3.$i.1 | tr 'A-F' 'a-f' | sed 's/ *$//; s/ /:/g')"
    check_eq "$g: NIC 1 type" ethernet "$(cell $R.5.1.4.$i.1)"
    for pair in rx.bytes:10 rx.pkts:11 rx.errs:12 rx.drop:13 tx.bytes:14 tx.pkts:15 tx.errs:16 tx.drop:17; do
        counter "$g: net.0.${pair%%:*}" $g "net.0.${pair%%:*}" "$R.5.1.${pair##*:}.$i.1"
    done
    kifi=$(cat "/sys/class/net/$tap/ifindex")
    check_eq "$g: virtInterfaceHostIfIndex is the kernel's ifindex of $tap" "$kifi" "$(cell $R.5.1.9.$i.1)"
    check_eq "$g: ... and snmpd's IF-MIB ifDescr.$kifi is $tap" "$tap" \
        "$(snmpget -v2c -c public -Oqv 127.0.0.1:$VAX_SNMP_PORT .1.3.6.1.2.1.2.2.1.2.$kifi | tr -d '"')"
    check_eq "$g: NIC 2 (user) type" user "$(cell $R.5.1.4.$i.2)"
    check "$g: NIC 2 (user) has no host device and no counters" \
        eval '! has $R.5.1.2.$i.2 && ! has $R.5.1.10.$i.2 && [ "$(cell $R.5.1.9.$i.2)" = 0 ]'
done
check "disk counters climb (the boot sector's I/O)" \
    eval '[ "$(stat after $G1 block.0.rd.reqs)" -gt "$(stat before $G1 block.0.rd.reqs)" ]'

# ---- VM-MIB (RFC 7666) on real guests ----
V=.1.3.6.1.2.1.236.1
vax_bracket "$G1" "$G2" -- .1.3.6.1.2.1.236 $R
micro() { vax_micro "$@"; }
check_eq "vmHvSoftware" QEMU "$(cell $V.1.1.0)"
check_eq "vmHvVersion is virsh's hypervisor version" \
    "$(vax_virsh version | sed -n 's/^Running hypervisor: QEMU *//p')" "$(cell $V.1.2.0)"
for g in "$G1" "$G2"; do
    uuid=${VAX_QEMU_UUIDS[$g]}
    i=$(idx_of "$uuid")
    check_eq "$g: vmUUID.$i (vmIndex = virtDomainIndex) is its UUID" "$(echo "$uuid" | tr -d '-')" \
        "$(cell $V.4.1.3.$i | tr -d ' ' | tr 'A-F' 'a-f')"
    info=$(vax_virsh dominfo "$g")
    field() { echo "$info" | sed -n "s/^$1: *//p"; }
    check_eq "$g: vmName" "$g" "$(cell $V.4.1.2.$i)"
    check_eq "$g: vmOperState running(4)" 4 "$(cell $V.4.1.6.$i)"
    check_eq "$g: vmAdminState running(1)" 1 "$(cell $V.4.1.5.$i)"
    check_eq "$g: vmPersistent ($(field Persistent))" "$([ "$(field Persistent)" = yes ] && echo 2 || echo 3)" "$(cell $V.4.1.8.$i)"
    check_eq "$g: vmAutoStart ($(field Autostart))" "$([ "$(field Autostart)" = enable ] && echo 2 || echo 3)" "$(cell $V.4.1.7.$i)"
    check_eq "$g: vmCurCpuNumber" "$(stat after $g vcpu.current)" "$(cell $V.4.1.9.$i)"
    check_eq "$g: vmMaxCpuNumber" "$(stat after $g vcpu.maximum)" "$(cell $V.4.1.11.$i)"
    check_eq "$g: vmMinCpuNumber (no hotplug: all present at start)" \
        "$(vax_virsh vcpucount "$g" --current --live)" "$(cell $V.4.1.10.$i)"
    check_eq "$g: vmMemUnit KiB" 1024 "$(cell $V.4.1.12.$i)"
    check_eq "$g: vmCurMem is dominfo's Used memory" "$(field 'Used memory' | awk '{ print $1 }')" "$(cell $V.4.1.13.$i)"
    check_eq "$g: vmMaxMem is dominfo's Max memory" "$(field 'Max memory' | awk '{ print $1 }')" "$(cell $V.4.1.15.$i)"
    check "$g: no vmUpTime (it started before the agent)" eval '! has $V.4.1.16.$i'
    micro "$g: vmCpuTime (µs) within cpu.time" $g cpu.time $V.4.1.17.$i
    for v in 0 1; do
        micro "$g: vmCpuCoreTime.$((v + 1)) within vcpu.$v.time" $g vcpu.$v.time $V.5.1.2.$i.$((v + 1))
    done
    for n in 0 1; do
        row=$i.$((n + 1))
        check_eq "$g: vmStorageResourceID $((n + 1))" "$(stat after $g block.$n.path)" "$(cell $V.7.1.6.$row)"
        check_eq "$g: vmStorageSourceType $((n + 1)) sparse(5) (qcow2)" 5 "$(cell $V.7.1.4.$row)"
        check_eq "$g: vmStorageSourceTypeString $((n + 1))" qcow2 "$(cell $V.7.1.5.$row)"
        unit=$(cell $V.7.1.10.$row)
        check_eq "$g: vmStorageDefinedSize x $unit = block.$n.capacity" \
            "$(( $(stat after $g block.$n.capacity) / unit ))" "$(cell $V.7.1.11.$row)"
        between "$g: vmStorageAllocatedSize $((n + 1))" "$(cell $V.7.1.12.$row)" \
            "$(( $(stat before $g block.$n.allocation) / unit ))" "$(( $(stat after $g block.$n.allocation) / unit ))"
        for pair in rd.reqs:13 wr.reqs:14 rd.bytes:15 wr.bytes:16; do
            counter "$g: VM-MIB block.$n.${pair%%:*}" $g "block.$n.${pair%%:*}" "$V.7.1.${pair##*:}.$row"
        done
        micro "$g: vmStorageReadLatency $((n + 1)) (µs)" $g block.$n.rd.times $V.7.1.17.$row
        micro "$g: vmStorageWriteLatency $((n + 1)) (µs)" $g block.$n.wr.times $V.7.1.18.$row
    done
    tap=${VAX_QEMU_TAPS[$g]}
    kifi=$(cat "/sys/class/net/$tap/ifindex")
    check_eq "$g: vmNetworkIfIndex.$i.1 is snmpd's IF-MIB row of $tap (ifDescr)" "$tap" \
        "$(snmpget -v2c -c public -Oqv 127.0.0.1:$VAX_SNMP_PORT .1.3.6.1.2.1.2.2.1.2.$(cell $V.8.1.2.$i.1) | tr -d '"')"
    check_eq "$g: vmNetworkIfIndex is the kernel's" "$kifi" "$(cell $V.8.1.2.$i.1)"
    check_eq "$g: vmNetworkIfIndex of the user NIC is 0" 0 "$(cell $V.8.1.2.$i.2)"
    check_eq "$g: vmNetworkParent of an ethernet NIC is 0" 0 "$(cell $V.8.1.3.$i.1)"
    while read -r ifc _ _ model mac; do
        n=$([ "$ifc" = "$tap" ] && echo 1 || echo 2)
        check_eq "$g: vmNetworkModel.$n" "$model" "$(cell $V.8.1.4.$i.$n)"
        check_eq "$g: vmNetworkPhysAddress.$n" "$mac" "$(cell $V.8.1.5.$i.$n | tr 'A-F' 'a-f' | sed 's/ *$//; s/ /:/g')"
    done < <(vax_virsh domiflist "$g")
    vax_log "VM-MIB of $g (vmIndex $i), beside virsh dominfo and domblklist:"
    grep -E "^$V\.(4\.1\.[0-9]+\.$i|5\.1\.2\.$i\.|7\.1\.(4|6|11|13|15)\.$i\.|8\.1\.[2-5]\.$i\.)" "$VAX_TMP/walk" |
        sed 's/^/#   /'
    echo "$info" | sed 's/^/#   /'
    vax_virsh domblklist "$g" --details | sed 's/^/#   /'
done
# Affinity: every vCPU on every host CPU, numbered as snmpd's hrDeviceTable
# numbers processors (hrDeviceType = hrDeviceProcessor).
hr=$(snmpwalk -v2c -c public -On 127.0.0.1:$VAX_SNMP_PORT .1.3.6.1.2.1.25.3.2.1.2 |
    awk '$4 == ".1.3.6.1.2.1.25.3.1.3" { n = split($1, a, "."); print a[n] }' | sort -n | tr '\n' ' ')
i=$(idx_of "${VAX_QEMU_UUIDS[$G1]}")
ours=$(grep "^$V\.6\.1\.3\.$i\.1\." "$VAX_TMP/walk" | awk '{ n = split($1, a, "."); print a[n] }' | sort -n | tr '\n' ' ')
check "vmCpuPhysIndex of $G1's vCPU 1 ($ours) = hrDeviceTable's processors ($hr)" \
    eval '[ -n "$hr" ] && [ "$hr" = "$ours" ]'
check_eq "no pinning: every vCPU may run everywhere, enable(1)" "" \
    "$(grep "^$V\.6\.1\.3\.$i\." "$VAX_TMP/walk" | grep -v 'INTEGER: 1$')"

# ---- a frozen guest: last known values, everything else fresh and fast ----
i1=$(idx_of "${VAX_QEMU_UUIDS[$G1]}") i2=$(idx_of "${VAX_QEMU_UUIDS[$G2]}")
pid2=$(vax_qemu_pid "$G2")
kill -STOP "$pid2"
# A first refresh may find g2's monitor idle and ask it: it hangs in QEMU,
# libvirt's job on g2 stays busy, and from then on NOWAIT skips g2.
slowest=0 fails=0
for n in $(seq 1 40); do
    t0=$(date +%s%N)
    vax_get $R.1.6.0 $D.32.$i1 > /dev/null || fails=$((fails + 1))
    t=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ "$t" -le "$slowest" ] || slowest=$t
    sleep 0.1
done
echo "# frozen g2: slowest of 40 GETs $slowest ms (incl. snmpget start), $fails failed"
check "frozen guest: every GET answered, none slower than 300 ms incl. client start ($slowest ms)" \
    eval '[ $fails -eq 0 ] && [ $slowest -lt 300 ]'
t0=$(date +%s%N)
vax_walk .1.3.6.1.4.1.32473 > "$VAX_TMP/walk.frozen"
walk_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# full walk while g2 is frozen: $walk_ms ms, $(wc -l < "$VAX_TMP/walk.frozen") varbinds"
# Sample both guests' StatsAge for 12 s while g2 stays frozen.
max1=0 fresh=0 samples=0
for n in $(seq 1 24); do
    age1=$(vax_get $D.32.$i1 | sed 's/.*: //') age2=$(vax_get $D.32.$i2 | sed 's/.*: //')
    samples=$((samples + 1))
    [ "$age1" -lt 2000 ] && fresh=$((fresh + 1))
    [ "$age1" -le "$max1" ] || max1=$age1
    sleep 0.5
done
echo "# frozen g2 for 12 s: g1 fresh (<2 s) in $fresh of $samples samples, oldest g1 data $max1 ms; g2 age $age2 ms"
# The first bulk call to reach the hung monitor hangs; the agent abandons
# it after 2 s and asks again on a new connection (NOWAIT then skips the
# frozen guest). These samples start seconds later: the other guest must be
# fresh in (nearly) all of them.
check "frozen guest: the other guest stays fresh ($fresh/$samples samples under 2 s)" \
    eval '[ $fresh -ge $((samples - 2)) ]'
check "frozen guest: its own values age (g2 age $age2 ms)" eval '[ "$age2" -gt 10000 ]'
check "frozen guest: its last disk counters are still served" \
    eval 'vax_get $R.4.1.7.$i2.1 | grep -q Counter64'
kill -CONT "$pid2"
check "thawed: g2 fresh again within 35 s" \
    wait_until 35 eval '[ "$(vax_get $D.32.$i2 | sed "s/.*: //")" -lt 3000 ]'

# ---- hot-plug: a new NIC within two cache periods ----
cat > "$VAX_TMP/hp.xml" <<'EOF'
<interface type='ethernet'><target dev='tapvaxhp' managed='yes'/><model type='virtio'/></interface>
EOF
vax_virsh attach-device "$G1" "$VAX_TMP/hp.xml" --live > /dev/null || not_ok "attach-device failed"
check "hot-plugged NIC appears within 2 cache periods" \
    wait_until 2 eval 'vax_walk $R.5.1.2.$i1 | grep -q tapvaxhp'

# ---- QEMU's events: pairs, each its own notification ----
T=$VAX_TMP/traps.log
m=$(wc -l < "$T")
vax_virsh suspend "$G2" > /dev/null && vax_virsh resume "$G2" > /dev/null
check "suspend/resume: virtDomainSuspended then virtDomainResumed" \
    wait_until 2 eval 'tail -n +$((m + 1)) "$T" | grep -o "OID: .1.3.6.1.4.1.32473.0.[0-9]*" | tr "\n" " " | grep -q "0.4 .*0.5 "'
m=$(wc -l < "$T")
vax_virsh destroy "$G2" > /dev/null
check "destroy: virtDomainStopped (destroyed) arrives" \
    wait_until 2 eval 'tail -n +$((m + 1)) "$T" | grep "OID: .1.3.6.1.4.1.32473.0.6" | grep -q destroyed'
sleep 0.5
echo "# destroy gave: $(tail -n +$((m + 1)) "$T" | grep -o 'OID: .1.3.6.1.4.1.32473.0.[0-9]*\|STRING: "[a-z ]*"$' | tr '\n' ' ')"
check "destroy: no duplicate virtDomainStopped" \
    test "$(tail -n +$((m + 1)) "$T" | grep -c 'OID: .1.3.6.1.4.1.32473.0.6')" -eq 1
# start of a defined guest: QEMU reports RESUMED then STARTED.
G3=g3-$$
xml3=$(vax_qemu_guest_xml "$G3" "tq3-$$") || vax_die "cannot make $G3's images"
vax_virsh define "$xml3" > /dev/null || vax_die "cannot define $G3"
m=$(wc -l < "$T")
vax_virsh start "$G3" > /dev/null || not_ok "virsh start $G3 failed"
check "start: virtDomainResumed, then virtDomainStarted (booted)" \
    wait_until 3 eval 'tail -n +$((m + 1)) "$T" | grep -F "$G3" | grep -o "OID: .1.3.6.1.4.1.32473.0.[0-9]*" | tr "\n" " " | grep -q "0.5 OID: .1.3.6.1.4.1.32473.0.3 "'
echo "# start gave: $(tail -n +$((m + 1)) "$T" | grep -F "$G3" | grep -o 'OID: .1.3.6.1.4.1.32473.0.[0-9]*\|STRING: "[a-z ]*"$' | tr '\n' ' ')"
vax_virsh destroy "$G3" > /dev/null
vax_virsh undefine "$G3" > /dev/null
vax_stop_agent
vax_done
