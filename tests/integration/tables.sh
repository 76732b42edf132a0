#!/usr/bin/env bash
# Every column of every table, checked against what virsh reports for the
# same domain, through a real libvirtd (test driver), snmpd and agent.
#
# The test driver's counters grow with the wall clock, so a counter is
# checked between two virsh readings: one taken before the agent's refresh,
# one after the walk.
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
vax_setup
vax_start_libvirtd
vax_load_demo_domains --keep-test || vax_die "cannot load the demo domains"
# A domain with many vCPUs and no devices at all.
cat > "$VAX_TMP/many.xml" <<'EOF'
<domain type='test'>
  <name>many-vcpus</name>
  <memory unit='MiB'>512</memory>
  <vcpu>64</vcpu>
  <os><type>hvm</type></os>
</domain>
EOF
vax_virsh create "$VAX_TMP/many.xml" >/dev/null || vax_die "cannot create many-vcpus"
vax_start_snmpd
vax_start_agent -t 1

DOMS=$(vax_virsh list --all --name | sed '/^$/d')

# ---- readings ----
# virsh_counters FILE: every counter virsh can report, one "KEY VALUE" line.
virsh_counters() {
    local d dev
    while IFS= read -r d; do
        vax_virsh dominfo "$d" | sed -n "s/^CPU time: *\([0-9.]*\)s/$d cpu \1/p"
        vax_virsh cpu-stats "$d" --total 2>/dev/null |
            awk -v d="$d" '$1 ~ /_time$/ { print d, $1, $2 }'
        vax_virsh vcpuinfo "$d" 2>/dev/null |
            awk -v d="$d" '/^VCPU:/ { v = $2 } /^CPU time:/ { sub("s", "", $3); print d, "vcpu" v, $3 }'
        for dev in $(vax_virsh domblklist "$d" | awk '{ print $1 }'); do
            vax_virsh domblkstat "$d" "$dev" 2>/dev/null | awk -v d="$d" '{ print d, $1, $2, $3 }'
        done
        for dev in $(vax_virsh domiflist "$d" | awk '$1 != "-" { print $1 }'); do
            vax_virsh domifstat "$d" "$dev" 2>/dev/null | awk -v d="$d" '{ print d, $1, $2, $3 }'
        done
    done <<< "$DOMS"
    # the host's CPU times, ns: "host user 9797400000"
    vax_virsh nodecpustats | awk '{ sub(":", "", $1); print "host", $1, $2 }'
}

virsh_counters > "$VAX_TMP/before"
sleep 1.2   # let the cache expire, so the next request refreshes after "before"
vax_get $R.1.7.0 >/dev/null
sleep 0.5
vax_walk .1.3.6.1.4.1.32473 > "$VAX_TMP/walk.raw" || vax_die "walk failed"
# snmpd.conf.example's view ends at our subtree: the walk's last line is
# snmpd's endOfMibView, printed against the last OID.
grep -v ' = No more variables left in this MIB View' "$VAX_TMP/walk.raw" > "$VAX_TMP/walk"
virsh_counters > "$VAX_TMP/after"

# ---- helpers ----
# raw OID: the value of one instance in the walk, as printed ("" if absent).
raw() {
    awk -v o="$1" 'index($0, o " = ") == 1 { v = substr($0, length(o) + 4); sub(/^[A-Za-z0-9-]+: /, "", v); print v; exit }' \
        "$VAX_TMP/walk"
}
# cell OID: the value as text: quotes removed, Hex-STRING (net-snmp's choice
# for non-ASCII bytes) decoded back to the bytes.
cell() {
    local line v
    line=$(grep -m1 -F "$1 = " "$VAX_TMP/walk" | grep "^$1 = ")
    v=$(raw "$1")
    case $line in
        *"= Hex-STRING: "*) printf "$(echo "$v" | sed 's/ *$//; s/\([0-9A-Fa-f][0-9A-Fa-f]\) */\\x\1/g')" ;;
        *) v=${v#\"}; printf '%s' "${v%\"}" ;;
    esac
}
has() { grep -q "^$1 = " "$VAX_TMP/walk"; }
absent() {
    if has "$2"; then not_ok "$1: expected no value, got '$(cell "$2")'"; else ok "$1"; fi
}
reading() { awk -v d="$1" -v k="$2" -v x="$3" '$1 == d && $2 == k && (x == "" || $3 == x) { print $NF; exit }' "$VAX_TMP/$4"; }
# between DESC VALUE LOW HIGH SCALE: LOW*SCALE <= VALUE <= HIGH*SCALE, where
# LOW/HIGH may be decimals (virsh rounds seconds to 0.1 or 0.01).
between() {
    if [ -z "$2" ] || [ -z "$3" ] || [ -z "$4" ]; then
        not_ok "$1: missing value (snmp '$2', virsh '$3'..'$4')"; return
    fi
    if awk -v v="$2" -v lo="$3" -v hi="$4" -v s="$5" \
        'BEGIN { slack = (s > 1 ? 0.1 * s : 0); exit !(v >= lo * s - slack && v <= hi * s + slack) }'; then
        ok "$1"
    else
        not_ok "$1: $2 not within [$3, $4] x $5"
    fi
}
state_num() {
    vax_virsh domstats --state --raw "$1" | sed -n "s/^ *state\.$2=//p"
}
# uidx NAME: the virtDomainIndex of the row holding NAME's UUID.
uidx() {
    awk -v u="\"$(vax_virsh domuuid "$1")\"" -v p="$R.2.1.3." \
        'index($1, p) == 1 && $4 == u { n = split($1, a, "."); print a[n] }' "$VAX_TMP/walk"
}
truth() { [ "$1" = yes ] || [ "$1" = enable ] && echo 1 || echo 2; }
mac_of() {  # snmp Hex-STRING "52 54 00 AA 00 01" -> 52:54:00:aa:00:01
    raw "$1" | tr 'A-F' 'a-f' | sed 's/ *$//; s/ /:/g'
}

# ---- scalars ----
check_eq "virtConnectionState is connected" 1 "$(cell $R.1.6.0)"
check_eq "virtHypervisorType is TEST" TEST "$(cell $R.1.2.0)"
check_eq "virtDomainCount matches virsh" "$(echo "$DOMS" | wc -l)" "$(cell $R.1.7.0)"
check_eq "virtCacheTimeout is -t" 1 "$(cell $R.1.8.0)"
check_eq "virtAgentVersion is the binary's" "$("${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}" -V | awk '{ print $2 }')" "$(cell $R.1.5.0)"
check_eq "virtLibvirtURI is -u" "$VAX_URI" "$(cell $R.1.13.0)"
virsh -c "$VAX_URI" version > "$VAX_TMP/version"
# virsh names the daemon's version when it has one, else its library's.
check_eq "virtLibvirtVersion matches virsh" "$(sed -n 's/^Running against daemon: *//p; s/^Using library: libvirt *//p' "$VAX_TMP/version" | tail -n 1)" "$(cell $R.1.4.0)"
check_eq "virtHypervisorVersion matches virsh" "$(sed -n 's/^Running hypervisor: [^ ]* *//p' "$VAX_TMP/version")" "$(cell $R.1.3.0)"
check_eq "virtHostName matches virsh" "$(vax_virsh hostname)" "$(cell $R.1.1.0)"
check "virtRefreshCalls: the test driver needs per-domain calls ($(cell $R.1.14.0))" \
    eval '[ "$(cell $R.1.14.0)" -gt 3 ]'

# ---- the host node (virtHost) ----
H=$R.9
ni() { vax_virsh nodeinfo | sed -n "s/^$1: *//p" | awk '{ print $1 }'; }
check_eq "virtHostCpuModel is virsh nodeinfo's" "$(ni 'CPU model')" "$(cell $H.1.0)"
for kc in 'CPU(s):2' 'CPU frequency:3' 'NUMA cell(s):4' 'CPU socket(s):5' \
    'Core(s) per socket:6' 'Thread(s) per core:7' 'Memory size:8'; do
    k=${kc%:*} c=${kc##*:}
    check_eq "virtHost.$c is nodeinfo's $k" "$(ni "$k")" "$(cell $H.$c.0)"
done
check_eq "virtHostMaxVcpus is virsh maxvcpus" "$(vax_virsh maxvcpus)" "$(cell $H.9.0)"
for kc in system:10 user:11 idle:12 iowait:13; do
    k=${kc%%:*} c=${kc##*:}
    between "virtHost.$c is nodecpustats' $k" "$(cell $H.$c.0)" \
        "$(reading host "$k" "" before)" "$(reading host "$k" "" after)" 1
done
if vax_virsh nodememstats > /dev/null 2>&1; then
    not_ok "the test driver gained virNodeGetMemoryStats: check virtHostMemory* against it"
else
    for c in 14 15 16 17; do absent "virtHost.$c absent: the test driver has no memory statistics" $H.$c.0; done
fi
running=$(vax_virsh list --name | sed '/^$/d')
gv=0 gm=0
while IFS= read -r d; do
    gv=$(( gv + $(vax_virsh dominfo "$d" | awk '/^CPU\(s\):/ { print $2 }') ))
    gm=$(( gm + $(vax_virsh dominfo "$d" | awk '/^Used memory:/ { print $3 }') ))
done <<< "$running"
check_eq "virtHostGuestVcpus: the running domains' vCPUs" "$gv" "$(cell $H.18.0)"
check_eq "virtHostGuestMemory: the running domains' memory (KiB)" "$gm" "$(cell $H.19.0)"
cpus=$(ni 'CPU(s)') mem=$(ni 'Memory size')
check_eq "virtHostVcpuRatio: $gv vCPUs on $cpus CPUs, in hundredths" \
    "$(( (gv * 100 + cpus / 2) / cpus ))" "$(cell $H.20.0)"
check_eq "virtHostMemoryRatio: $gm KiB of $mem, hundredths of a percent" \
    "$(( (gm * 10000 + mem / 2) / mem ))" "$(cell $H.21.0)"
absent "virtHostCpuUsage: no window yet (usageWindow 10 s)" $H.22.0

# ---- per domain ----
while IFS= read -r d; do
    uuid=$(vax_virsh domuuid "$d")
    idx=$(uidx "$d")
    if [ -z "$idx" ]; then not_ok "$d: no row with UUID $uuid"; continue; fi
    ok "$d: row $idx has its UUID"
    info=$(vax_virsh dominfo "$d")
    field() { echo "$info" | sed -n "s/^$1: *//p"; }
    D=$R.2.1
    check_eq "$d: name" "$d" "$(cell $D.2.$idx)"
    check_eq "$d: state" "$(state_num "$d" state)" "$(cell $D.4.$idx)"
    check_eq "$d: state reason" "$(state_num "$d" reason)" "$(cell $D.5.$idx)"
    check_eq "$d: persistent" "$(truth "$(field Persistent)")" "$(cell $D.6.$idx)"
    check_eq "$d: autostart" "$(truth "$(field Autostart)")" "$(cell $D.7.$idx)"
    # virsh dominfo's "OS Type" is the test driver's constant "linux"; the
    # domain's own <os><type> is what QEMU reports there, and what we serve.
    check_eq "$d: OS type" "$(vax_virsh dumpxml "$d" | sed -n 's/.*<type[^>]*>\([^<]*\)<.*/\1/p' | head -n 1)" "$(cell $D.8.$idx)"
    check_eq "$d: max memory (KiB)" "$(field 'Max memory' | awk '{ print $1 }')" "$(cell $D.12.$idx)"
    check_eq "$d: current memory (KiB)" "$(field 'Used memory' | awk '{ print $1 }')" "$(cell $D.13.$idx)"
    check_eq "$d: vCPUs" "$(field 'CPU(s)')" "$(cell $D.10.$idx)"
    check_eq "$d: max vCPUs" "$(vax_virsh vcpucount "$d" --maximum "$([ "$(field Id)" = - ] && echo --config || echo --live)")" "$(cell $D.11.$idx)"
    ndisks=$(vax_virsh domblklist "$d" | grep -c .)
    nnics=$(vax_virsh domiflist "$d" | grep -c .)
    check_eq "$d: disk count" "$ndisks" "$(cell $D.28.$idx)"
    check_eq "$d: interface count" "$nnics" "$(cell $D.29.$idx)"

    if [ "$(field Id)" = "-" ]; then
        # Inactive: no runtime values at all, never zeros.
        for col in 9 14 15 16 17 21; do absent "$d (shut off): column $col absent" $D.$col.$idx; done
        absent "$d (shut off): no vCPU rows" "$R.3.1.2.$idx.1"
        absent "$d (shut off): no virtDomainStatsAge" $D.32.$idx
        continue
    fi
    check_eq "$d: id" "$(field Id)" "$(cell $D.9.$idx)"
    age=$(cell $D.32.$idx)
    check "$d: virtDomainStatsAge is fresh (${age:-absent} ms)" eval '[ -n "$age" ] && [ "$age" -lt 3000 ]'
    between "$d: CPU time" "$(cell $D.14.$idx)" "$(reading "$d" cpu "" before)" "$(reading "$d" cpu "" after)" 1000000000
    between "$d: CPU user time" "$(cell $D.15.$idx)" "$(reading "$d" user_time "" before)" "$(reading "$d" user_time "" after)" 1000000000
    between "$d: CPU system time" "$(cell $D.16.$idx)" "$(reading "$d" system_time "" before)" "$(reading "$d" system_time "" after)" 1000000000
    # Balloon statistics: each tag dommemstat prints, in its column.
    memstat=$(vax_virsh dommemstat "$d")
    for pair in actual:17 unused:18 available:19 usable:20 rss:21 swap_in:22 swap_out:23 major_fault:24 minor_fault:25 disk_caches:26; do
        tag=${pair%%:*} col=${pair##*:}
        v=$(echo "$memstat" | awk -v t="$tag" '$1 == t { print $2 }')
        if [ -n "$v" ]; then check_eq "$d: balloon $tag" "$v" "$(cell $D.$col.$idx)"
        else absent "$d: balloon $tag absent (virsh has none)" $D.$col.$idx; fi
    done
    avail=$(echo "$memstat" | awk '$1 == "available" { print $2 }')
    usable=$(echo "$memstat" | awk '$1 == "usable" { print $2 }')
    [ -n "$avail" ] && [ -n "$usable" ] && check_eq "$d: memory used = available - usable" "$((avail - usable))" "$(cell $D.27.$idx)"

    # vCPU table.
    nv=0
    while read -r vcpu pcpu vstate; do
        nv=$((nv + 1))
        V=$R.3.1
        row=$idx.$((vcpu + 1))
        check_eq "$d: vcpu $vcpu number" "$vcpu" "$(cell $V.2.$row)"
        check_eq "$d: vcpu $vcpu state" "$([ "$vstate" = running ] && echo 1 || { [ "$vstate" = offline ] && echo 0 || echo 2; })" "$(cell $V.3.$row)"
        check_eq "$d: vcpu $vcpu physical CPU" "$pcpu" "$(cell $V.7.$row)"
        between "$d: vcpu $vcpu time" "$(cell $V.4.$row)" "$(reading "$d" "vcpu$vcpu" "" before)" "$(reading "$d" "vcpu$vcpu" "" after)" 1000000000
    done < <(vax_virsh vcpuinfo "$d" | awk '/^VCPU:/ { v = $2 } /^CPU:/ { c = $2 } /^State:/ { print v, c, $2 }')
    check_eq "$d: vCPU rows" "$nv" "$(grep -c "^$R.3.1.2.$idx\." "$VAX_TMP/walk")"

    # Disk table.
    n=0
    while read -r type device target source; do
        n=$((n + 1))
        K=$R.4.1
        row=$idx.$n
        check_eq "$d: disk $n name" "$target" "$(cell $K.2.$row)"
        check_eq "$d: disk $n type" "$type" "$(cell $K.4.$row)"
        check_eq "$d: disk $n device" "$device" "$(cell $K.6.$row)"
        if [ "$source" = - ]; then absent "$d: disk $n has no source" $K.3.$row
        else check_eq "$d: disk $n source" "$source" "$(cell $K.3.$row)"; fi
        bus=$(vax_virsh dumpxml "$d" | sed -n "s/.*<target dev='$target' bus='\([^']*\)'.*/\1/p")
        check_eq "$d: disk $n bus" "$bus" "$(cell $K.5.$row)"
        for pair in rd_req:7 rd_bytes:8 wr_req:9 wr_bytes:10 errs:15; do
            key=${pair%%:*} col=${pair##*:}
            lo=$(reading "$d" "$target" "$key" before) hi=$(reading "$d" "$target" "$key" after)
            if [ -n "$hi" ]; then between "$d: disk $target $key" "$(cell $K.$col.$row)" "$lo" "$hi" 1
            else absent "$d: disk $target $key absent (virsh has none)" $K.$col.$row; fi
        done
        for col in 11 12 13 14; do absent "$d: disk $target column $col absent (test driver has none)" $K.$col.$row; done
        info=$(vax_virsh domblkinfo "$d" "$target" 2>/dev/null)
        if [ -n "$info" ]; then
            check_eq "$d: disk $target capacity" "$(echo "$info" | sed -n 's/^Capacity: *//p')" "$(cell $K.16.$row)"
            check_eq "$d: disk $target allocation" "$(echo "$info" | sed -n 's/^Allocation: *//p')" "$(cell $K.17.$row)"
            check_eq "$d: disk $target physical" "$(echo "$info" | sed -n 's/^Physical: *//p')" "$(cell $K.18.$row)"
        fi
    done < <(vax_virsh domblklist "$d" --details)

    # Interface table.
    n=0
    while read -r ifname type source model mac; do
        n=$((n + 1))
        N=$R.5.1
        row=$idx.$n
        check_eq "$d: nic $n host device" "$ifname" "$(cell $N.2.$row)"
        check_eq "$d: nic $n MAC" "$mac" "$(mac_of $N.3.$row)"
        check_eq "$d: nic $n type" "$type" "$(cell $N.4.$row)"
        check_eq "$d: nic $n source" "$source" "$(cell $N.5.$row)"
        if [ "$model" = - ]; then absent "$d: nic $n has no model" $N.6.$row
        else check_eq "$d: nic $n model" "$model" "$(cell $N.6.$row)"; fi
        expect_ifindex=0
        [ -e "/sys/class/net/$ifname/ifindex" ] && expect_ifindex=$(cat "/sys/class/net/$ifname/ifindex")
        check_eq "$d: nic $n host ifIndex" "$expect_ifindex" "$(cell $N.9.$row)"
        for pair in rx_bytes:10 rx_packets:11 rx_errs:12 rx_drop:13 tx_bytes:14 tx_packets:15 tx_errs:16 tx_drop:17; do
            key=${pair%%:*} col=${pair##*:}
            between "$d: nic $ifname $key" "$(cell $N.$col.$row)" \
                "$(reading "$d" "$ifname" "$key" before)" "$(reading "$d" "$ifname" "$key" after)" 1
        done
    done < <(vax_virsh domiflist "$d")
done <<< "$DOMS"

# ---- specific shapes ----
w=$(uidx web01)
check_eq "web01: nwfilter reference" clean-traffic "$(cell $R.5.1.7.$w.2)"
check_eq "web01: nwfilter IP parameter" 192.0.2.10 "$(cell $R.5.1.8.$w.2)"
absent "web01: first NIC has no filter" $R.5.1.7.$w.1
u=$(uidx '数据库-ü')
check_eq "unicode name served as its UTF-8 bytes" "$(printf '数据库-ü' | od -An -tx1 | tr -d ' \n')" \
    "$(cell $R.2.1.2.$u | od -An -tx1 | tr -d ' \n')"
absent "unicode domain: no disk rows" $R.4.1.2.$u.1
m=$(uidx many-vcpus)
check_eq "many-vcpus: 64 vCPU rows" 64 "$(grep -c "^$R.3.1.2.$m\." "$VAX_TMP/walk")"
check_eq "many-vcpus: disk count 0" 0 "$(cell $R.2.1.28.$m)"

# The walk is in strictly increasing OID order: sorted numerically on every
# sub-identifier, with no duplicates.
awk '{ print $1 }' "$VAX_TMP/walk" | sed 's/^\.//' > "$VAX_TMP/oids"
keys=$(for i in $(seq 1 16); do printf -- '-k%d,%dn ' "$i" "$i"; done)
# shellcheck disable=SC2086
check "walk OIDs strictly increase" sort -C -u -t. $keys "$VAX_TMP/oids"
vax_done
