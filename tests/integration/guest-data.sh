#!/usr/bin/env bash
# Inside the guests (virtGuestTable, virtGuestAddressTable,
# virtGuestFsTable) on real Linux guests with qemu-ga (tests/guest) in a
# private QEMU libvirtd, against virsh guestinfo and virsh domifaddr:
#   - guestAgent no (the default): every libvirt connection the agent
#     opens is read-only, as libvirtd itself records it (virt-admin
#     client-info), and no agent data is served;
#   - guestAgent yes (SIGHUP): one read-write connection; facts,
#     filesystems and addresses equal virsh's, a file written in the
#     guest shows in the used bytes;
#   - a guest with a second NIC on a libvirt network (DHCP by libvirt's
#     dnsmasq): that NIC's address comes from the lease, even before
#     guestAgent yes, the other NIC's from the agent (lease first);
#   - a guest without an agent channel is unsupported(4);
#   - a frozen qemu-ga (SIGSTOP inside the guest): answers stay fast, the
#     guest goes notResponding(3) with libvirt's error and keeps its last
#     data as it ages, the other guest stays fresh; thawed, it recovers;
#   - a stopped guest is notRunning(5) and its rows go;
#   - that libvirt network's row of virtNetworkTable against virsh
#     net-info, net-dumpxml and net-dhcp-leases (its lease counted).
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
GT=$R.6.1 GA=$R.7.1 GF=$R.8.1
INTERVAL=2 TIMEOUT=2
vax_setup
vax_start_libvirtd_qemu          # skips, saying why, without QEMU or root
vax_linux_image                  # skips, saying why, without its packages
command -v virt-admin > /dev/null || vax_skip "virt-admin not installed (libvirt-clients)"
command -v python3 > /dev/null || vax_skip "python3 not installed"
vax_start_snmpd
printf 'indexFile %s/index\nguestInterval %s\nguestTimeout %s\npoolInterval 5\n' "$VAX_TMP" "$INTERVAL" "$TIMEOUT" \
    > "$VAX_TMP/agent.conf"
vax_start_agent -t 1

# Two guests with an agent (A is frozen later, B must stay fresh) and one
# whose XML has no agent channel (C). Names, taps, nets unique per run.
# B also has a NIC on a libvirt network with DHCP.
A=ga-$$ B=gb-$$ C=gc-$$ LN=vaxn-$$
NA=10.216.$(( $$ % 250 )) NB=10.217.$(( $$ % 250 )) NC=10.218.$(( $$ % 250 )) NL=10.219.$(( $$ % 250 ))
vax_libvirt_network "$LN" "vxb$(( $$ % 100000 ))" "$NL"
for g in "$A:$NA" "$B:$NB" "$C:$NC"; do
    name=${g%%:*} net=${g##*:}
    xml=$(vax_linux_guest_xml "$name" "t$name" "$net" "$([ "$name" != "$B" ] || echo "$LN")") ||
        vax_die "cannot make $name's XML"
    [ "$name" != "$C" ] || sed -i '/org.qemu.guest_agent.0/d' "$xml"
    vax_virsh define "$xml" > /dev/null && vax_virsh start "$name" > /dev/null ||
        vax_die "cannot start $name"
done
vax_linux_up "$A" "$NA" 120
vax_linux_up "$B" "$NB" 120

idx_of() { vax_walk $R.2.1.2 | awk -v n="\"$1\"" '$4 == n { k = split($1, a, "."); print a[k] }'; }
check "the three guests are in virtDomainTable" wait_until 10 \
    eval '[ -n "$(idx_of "$A")" ] && [ -n "$(idx_of "$B")" ] && [ -n "$(idx_of "$C")" ]'
IA=$(idx_of "$A") IB=$(idx_of "$B") IC=$(idx_of "$C")
# A value, or nothing when the instance is absent.
val() { vax_get -Oqv "$1" 2>/dev/null | grep -v '^No Such' | sed 's/^"//; s/"$//'; }
state() { val "$GT.1.$1"; }

# The libvirt clients libvirtd has for the agent's process, "id readonly".
ADMIN="libvirtd:///system?socket=$VAX_TMP/libvirt-qemu/libvirt-admin-sock"
clients() {
    local id
    for id in $(virt-admin -q -c "$ADMIN" client-list libvirtd | awk '$1 ~ /^[0-9]+$/ { print $1 }'); do
        virt-admin -c "$ADMIN" client-info libvirtd "$id" 2>/dev/null |
            awk -v id="$id" -v pid="$VAX_AGENT_PID" '
                $1 == "readonly" { ro = $3 } $1 == "unix_process_id:" || $1 == "unix_process_id" { p = $NF }
                END { if (p == pid) print id, ro }'
    done
}

# ---- guestAgent no ----
check_eq "guestAgent no: $A is notConfigured(1)" 1 "$(state "$IA")"
check_eq "guestAgent no: no facts of $A (virtGuestDataAge absent)" "" "$(val "$GT.2.$IA")"
check_eq "guestAgent no: no filesystem rows" 0 "$(vax_walk $GF | grep -c "^$GF\.")"
# Leases only: these guests' NICs are not on a libvirt network.
check_eq "guestAgent no: no address rows for $A (no lease for a type='ethernet' NIC)" 0 \
    "$(vax_walk "$GA.4.$IA" | grep -c "^$GA.4.$IA\.")"
# B's second NIC (virtInterfaceTable row 2) gets a lease from dnsmasq.
lease() { vax_virsh domifaddr "$B" --source lease | awk '$3 == "ipv4" { print $2, $4 }'; }
check "virsh domifaddr --source lease: $B has a lease" wait_until 60 eval '[ -n "$(lease)" ]'
read -r lmac laddr <<< "$(lease)"
echo "# lease of $B: $lmac $laddr"
check "guestAgent no: $B's lease address is served" wait_until 10 \
    eval 'vax_walk "$GA.7.$IB.2" | grep -q "^$GA.7.$IB.2.1 = INTEGER: 1"'
vax_walk -OX "$GA" > "$VAX_TMP/walk"
hexip() { python3 -c 'import ipaddress,sys; print(" ".join("%02X" % b for b in ipaddress.ip_address(sys.argv[1]).packed))' "$1"; }
check_eq "virtGuestAddress is the lease's (${laddr%/*})" "$(hexip "${laddr%/*}")" \
    "$(vax_cell "$GA.5.$IB.2.1" | sed 's/ *$//')"
check_eq "virtGuestAddressPrefix is the lease's" "${laddr#*/}" "$(vax_cell "$GA.6.$IB.2.1")"
check_eq "virtGuestAddressMAC is the NIC's (row 2)" "$(echo "$lmac" | tr a-f A-F | tr : ' ')" \
    "$(vax_cell "$GA.3.$IB.2.1" | sed 's/ *$//')"
check_eq "a lease has no guest interface name" "" "$(vax_cell "$GA.8.$IB.2.1")"

# ---- the libvirt network itself (virtNetworkTable) ----
NT=$R.11.1
nleases() { vax_virsh net-dhcp-leases "$LN" | grep -c ' ipv4 '; }
IN=$(vax_walk $NT.2 | awk -v n="\"$LN\"" '$4 == n { k = split($1, a, "."); print a[k] }')
check "virtNetworkTable has $LN" test -n "$IN"
netinfo() { vax_virsh net-info "$LN" | awk -F': *' -v k="$1" '$1 == k { print $2 }'; }
yesno() { case $1 in yes) echo 1 ;; no) echo 2 ;; *) echo "?$1" ;; esac; }
check_eq "virtNetworkUUID = net-info UUID" "$(netinfo UUID)" "$(val "$NT.3.$IN")"
check_eq "virtNetworkBridge = net-info Bridge" "$(netinfo Bridge)" "$(val "$NT.4.$IN")"
check_eq "virtNetworkActive = net-info Active" "$(yesno "$(netinfo Active)")" "$(val "$NT.5.$IN")"
check_eq "virtNetworkAutostart = net-info Autostart" "$(yesno "$(netinfo Autostart)")" "$(val "$NT.6.$IN")"
check_eq "virtNetworkPersistent = net-info Persistent" "$(yesno "$(netinfo Persistent)")" "$(val "$NT.7.$IN")"
check_eq "virtNetworkForwardMode: no <forward> in net-dumpxml is none" \
    "$(vax_virsh net-dumpxml "$LN" | grep -q '<forward' && echo has-forward || echo none)" "$(val "$NT.8.$IN")"
check "virtNetworkDhcpLeases = net-dhcp-leases ($(nleases) lease(s))" \
    wait_until 15 eval '[ "$(nleases)" -ge 1 ] && [ "$(val "$NT.9.$IN")" = "$(nleases)" ]'
clients > "$VAX_TMP/clients.no"
echo "# clients of the agent (pid $VAX_AGENT_PID), guestAgent no: $(tr '\n' ';' < "$VAX_TMP/clients.no")"
check "guestAgent no: libvirtd records connections of the agent's process" test -s "$VAX_TMP/clients.no"
check_eq "guestAgent no: every one of them is read-only" "" "$(awk '$2 != "yes"' "$VAX_TMP/clients.no")"

# ---- guestAgent yes, by SIGHUP ----
echo "guestAgent yes" >> "$VAX_TMP/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "guestAgent yes: $A connected(2)" wait_until 20 eval '[ "$(state "$IA")" = 2 ]'
check "guestAgent yes: $B connected(2)" wait_until 20 eval '[ "$(state "$IB")" = 2 ]'
clients > "$VAX_TMP/clients.yes"
echo "# clients of the agent, guestAgent yes: $(tr '\n' ';' < "$VAX_TMP/clients.yes")"
check_eq "guestAgent yes: exactly one read-write connection" 1 "$(awk '$2 == "no"' "$VAX_TMP/clients.yes" | wc -l)"
check "guestAgent yes: $C (no agent channel) is unsupported(4)" wait_until 10 eval '[ "$(state "$IC")" = 4 ]'
check_eq "unsupported: no virtGuestAgentError" "" "$(val "$GT.10.$IC")"
# libvirtd logs an error at each asking of a domain without a channel.
unsup() { grep -c 'QEMU guest agent is not configured' "$VAX_TMP/libvirtd-qemu.log"; }
n_unsup=$(unsup)

gi() { vax_virsh guestinfo "$1" | awk -v k="$2" -F' *: ' '$1 == k { print $2; exit }'; }
check_eq "virtGuestKernelRelease = os.kernel-release" "$(gi "$A" os.kernel-release)" "$(val "$GT.5.$IA")"
check_eq "virtGuestTimezone = timezone.name" "$(gi "$A" timezone.name)" "$(val "$GT.6.$IA")"
check_eq "virtGuestTimezoneOffset = timezone.offset" "$(gi "$A" timezone.offset)" "$(val "$GT.7.$IA")"
check_eq "virtGuestHostname = hostname (vax-guest)" "$(gi "$A" hostname)" "$(val "$GT.3.$IA")"
check_eq "virtGuestOsName = os.pretty-name" "$(gi "$A" os.pretty-name)" "$(val "$GT.4.$IA")"
check_eq "and that is the guest's /etc/os-release" "virt-agentx test guest (busybox)" "$(val "$GT.4.$IA")"
check_eq "virtGuestUserCount = user.count" "$(gi "$A" user.count)" "$(val "$GT.8.$IA")"
age=$(val "$GT.2.$IA")
check "virtGuestDataAge within guestInterval + guestTimeout + 2 s: $age ms" \
    test -n "$age" -a "${age:-99999}" -lt $(( (INTERVAL + TIMEOUT + 2) * 1000 ))

# ---- filesystems against virsh guestinfo ----
fsrow() { vax_walk "$GF.2.$1" | awk -v m="\"$2\"" '$4 == m { k = split($1, a, "."); print a[k] }'; }
F=$(fsrow "$IA" /mnt/data)
check "a virtGuestFsTable row for /mnt/data" test -n "$F"
F=${F:-0}
check_eq "virtGuestFsType = fs.0.fstype" "$(gi "$A" fs.0.fstype)" "$(val "$GF.3.$IA.$F")"
check_eq "virtGuestFsDevice = fs.0.disk.0.device" "$(gi "$A" fs.0.disk.0.device)" "$(val "$GF.4.$IA.$F")"
check_eq "virtGuestFsDiskRow is vda's virtDiskTable row (1)" 1 "$(val "$GF.5.$IA.$F")"
check_eq "and that row is vda" vda "$(val "$R.4.1.2.$IA.1")"
check_eq "virtGuestFsTotalBytes = fs.0.total-bytes" "$(gi "$A" fs.0.total-bytes)" "$(val "$GF.6.$IA.$F")"
used0=$(val "$GF.7.$IA.$F")
# 8 MiB more, fsynced, then the next asking: used grows by about that.
vax_guest_exec "$A" 'dd if=/dev/zero of=/mnt/data/fill bs=1M count=8 conv=fsync 2>/dev/null' > /dev/null
check "the written 8 MiB reach virtGuestFsUsedBytes" wait_until 20 \
    eval '[ "$(val "$GF.7.$IA.$F")" -ge $(( used0 + 8 * 1048576 )) ] 2>/dev/null'
# The agent's reading lies between two of virsh's around a fresh asking,
# give or take the guest's own churn (a 256 KiB file rewritten each second).
v1=$(gi "$A" fs.0.used-bytes)
wait_until 10 eval '[ "$(val "$GT.2.$IA")" -lt 1500 ] 2>/dev/null'
used=$(val "$GF.7.$IA.$F") total=$(val "$GF.6.$IA.$F")
v2=$(gi "$A" fs.0.used-bytes)
vax_between "virtGuestFsUsedBytes between virsh's readings (+-512 KiB churn)" "$used" \
    "$(( (v1 < v2 ? v1 : v2) - 524288 ))" "$(( (v1 > v2 ? v1 : v2) + 524288 ))"
check_eq "virtGuestFsUsedPercent = floor(used * 100 / total) of the same row" \
    "$(( used * 100 / total ))" "$(val "$GF.8.$IA.$F")"
echo "# /mnt/data: used $used0 -> $used of $total bytes; virsh $v1, $v2"

# ---- addresses against virsh domifaddr --source agent ----
# virsh's, loopback left out: "mac type address/prefix ifname", sorted.
vax_virsh domifaddr "$A" --source agent --full |
    awk '$3 == "ipv4" || $3 == "ipv6" { print $2, $3, $4, $1 }' |
    grep -v ' 127\.\| ::1/' | sort > "$VAX_TMP/addr.virsh"
vax_walk -OX "$GA" > "$VAX_TMP/walk"
python3 - "$IA" "$VAX_TMP/walk" > "$VAX_TMP/addr.ours" <<'PY'
import ipaddress, re, sys
idx, rows = sys.argv[1], {}
for line in open(sys.argv[2]):
    m = re.match(r'\S*\.7\.1\.(\d+)\.(\d+)\.(\d+)\.(\d+) = (\w[\w-]*): (.*)', line.strip())
    if not m or m.group(2) != idx:
        continue
    col, key, val = int(m.group(1)), (m.group(3), m.group(4)), m.group(6).strip().strip('"')
    rows.setdefault(key, {})[col] = (m.group(5), val)
for key, r in sorted(rows.items()):
    octets = bytes(int(b, 16) for b in r[5][1].split())
    addr = ipaddress.ip_address(octets)
    mac = ':'.join('%02x' % int(b, 16) for b in r[3][1].split())
    print(mac, 'ipv4' if r[4][1] == '1' else 'ipv6', '%s/%s' % (addr, r[6][1]), r[8][1])
PY
sort -o "$VAX_TMP/addr.ours" "$VAX_TMP/addr.ours"
echo "# virsh: $(tr '\n' ';' < "$VAX_TMP/addr.virsh") ours: $(tr '\n' ';' < "$VAX_TMP/addr.ours")"
check "virsh domifaddr --source agent lists $A's eth0 IPv4" grep -q " $NA.2/30 " "$VAX_TMP/addr.virsh"
check_eq "virtGuestAddressTable = virsh domifaddr --source agent (without loopback)" \
    "$(cat "$VAX_TMP/addr.virsh")" "$(cat "$VAX_TMP/addr.ours")"
mac=$(vax_virsh domiflist "$A" | awk '$2 == "ethernet" { print $5; exit }')
row=$(awk -v ip="$NA.2/30" '$3 == ip { print $1 }' "$VAX_TMP/addr.ours")
check_eq "the IPv4 address sits on the NIC's MAC" "$mac" "$row"
check "its index names virtInterfaceTable row 1 (the NIC with that MAC)" \
    grep -q "^$GA.7.$IA.1.[0-9]* = INTEGER: 2" "$VAX_TMP/walk"
# Lease first, then agent: B's eth1 (its lease) stays lease(1), its eth0
# (no lease) comes from the agent; the agent's copy of eth1 is not added.
check_eq "$B: row 2's address still from the lease" 1 "$(vax_cell "$GA.7.$IB.2.1")"
check "$B: row 1's (eth0) from the agent" grep -q "^$GA.7.$IB.1.1 = INTEGER: 2" "$VAX_TMP/walk"
check_eq "$B: eth1's addresses only once (one lease row, the agent's IPv6 of eth1 left out)" 1 \
    "$(grep -c "^$GA.7.$IB.2\.[0-9]* = INTEGER" "$VAX_TMP/walk")"

# ---- a frozen guest agent ----
# qemu-ga is stopped for 25 s from a child it spawned (guest-exec).
# Its last row as served just before the freeze (the guest's own churn
# may have moved it since the checks above: seen once, -256 KiB).
used=$(val "$GF.7.$IA.$F")
vax_guest_exec "$A" 'P=$(pidof qemu-ga); (kill -STOP $P; sleep 25; kill -CONT $P) &' > /dev/null
t_freeze=$(date +%s)
# Each GET of ours beside one of snmpd's own sysUpTime.0 (no AgentX): the
# same snmpget start-up and machine load, so the difference is ours.
worst=0 base=0 n=0
while [ $(( $(date +%s) - t_freeze )) -lt 14 ]; do
    t0=$(date +%s%N)
    vax_get "$GT.1.$IA" "$GT.2.$IB" "$GF.7.$IA.$F" > /dev/null
    t1=$(date +%s%N)
    vax_get .1.3.6.1.2.1.1.3.0 > /dev/null
    t2=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 )) bms=$(( (t2 - t1) / 1000000 ))
    [ "$ms" -le "$worst" ] || worst=$ms
    [ "$bms" -le "$base" ] || base=$bms
    n=$((n + 1))
    sleep 0.3
done
echo "# frozen agent: $n GETs over 14 s, slowest $worst ms; snmpd's own sysUpTime.0 slowest $base ms"
check "no answer waits for the frozen agent (slowest $worst ms < guestTimeout ${TIMEOUT}000 ms)" \
    test "$worst" -lt $(( TIMEOUT * 1000 ))
check_eq "$A notResponding(3)" 3 "$(state "$IA")"
err=$(val "$GT.10.$IA")
echo "# virtGuestAgentError: $err"
check "virtGuestAgentError says why" test -n "$err"
ageA=$(val "$GT.2.$IA") ageB=$(val "$GT.2.$IB")
echo "# ages: $A $ageA ms (frozen), $B $ageB ms"
check "$A's data ages (> 10 s): $ageA ms" test "${ageA:-0}" -gt 10000
check "$B stays fresh (< guestInterval + guestTimeout + 2 s): $ageB ms" \
    test "${ageB:-99999}" -lt $(( (INTERVAL + TIMEOUT + 2) * 1000 ))
check_eq "$B connected(2) meanwhile" 2 "$(state "$IB")"
check_eq "$A keeps its last filesystem row" "$used" "$(val "$GF.7.$IA.$F")"
check "thawed, $A is connected(2) again" wait_until 40 eval '[ "$(state "$IA")" = 2 ]'
check "with fresh data" wait_until 10 eval '[ "$(val "$GT.2.$IA")" -lt 5000 ] 2>/dev/null'

check_eq "$C, unsupported, was not asked again for its agent (libvirtd's log)" "$n_unsup" "$(unsup)"
check_eq "and stays unsupported(4)" 4 "$(state "$IC")"

# ---- a guest that stops ----
vax_virsh destroy "$A" > /dev/null
check "destroyed, $A is notRunning(5)" wait_until 10 eval '[ "$(state "$IA")" = 5 ]'
check_eq "and its filesystem rows are gone" "" "$(vax_walk "$GF.2.$IA" | grep "^$GF.2.$IA\.")"
check_eq "and its address rows" "" "$(vax_walk "$GA.3.$IA" | grep "^$GA.3.$IA\.")"
vax_stop_agent
vax_done
