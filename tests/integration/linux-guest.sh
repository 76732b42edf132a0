#!/usr/bin/env bash
# The Linux-guest tier: a real kernel with busybox and qemu-ga
# (tests/guest), under TCG in a private libvirtd. It writes and fsyncs to
# an ext4 disk, pings the host over its tap and reports balloon stats, so
# every table is checked against virsh domstats --raw read around the
# agent's refresh; then the lifecycle a real guest goes through (suspend,
# save, managedsave, reboot, shutdown by its agent and by ACPI, a kernel
# panic with on_crash destroy and preserve, destroy under I/O), each with
# the exact notifications of both MIBs and the row it leaves.
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
D=$R.2.1
V=.1.3.6.1.2.1.236.1
vax_setup
vax_start_libvirtd_qemu          # skips, saying why, without QEMU or root
vax_linux_image                  # skips, saying why, without its packages
VAX_TRAP_TCP=1   # snmptrapd and trap2sink on TCP: UDP may drop a notification
vax_start_trapd
vax_start_snmpd
vax_start_agent -t 1
T=$VAX_TMP/traps.log

# Unique per run: tap names and guest cgroups are host-wide.
G=lx-$$ TAP=tlx-$$ NET=10.213.$(( $$ % 250 ))
t0=$(date +%s%N)
xml=$(vax_linux_guest_xml "$G" "$TAP" "$NET") || vax_die "cannot make $G's XML and disk"
vax_virsh define "$xml" > /dev/null || vax_die "cannot define $G"
vax_virsh start "$G" > /dev/null || vax_die "cannot start $G"
vax_linux_up "$G" "$NET"
echo "# boot: $G's agent answered $(( ($(date +%s%N) - t0) / 1000000 )) ms after virsh define"
UUID=$(vax_virsh domuuid "$G")
idx_of() { vax_walk $D.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'; }
check "$G in virtDomainTable" wait_until 5 eval '[ -n "$(idx_of $UUID)" ]'
I=$(idx_of "$UUID")
# The balloon driver reports every 2 s once the guest has run a while.
check "the guest's balloon reports usable memory (virsh)" \
    wait_until 20 eval 'vax_virsh domstats --raw --balloon "$G" | grep -q "balloon.usable="'

# ---- every table against virsh domstats --raw around the walk ----
vax_bracket "$G" -- $R $V
cell() { vax_cell "$@"; }
stat() { vax_domstat "$@"; }
check_eq "state running" 1 "$(cell $D.4.$I)"
check_eq "virtDomainId is virsh's" "$(vax_virsh domid "$G")" "$(cell $D.9.$I)"
check_eq "balloon.maximum = virtDomainMemoryMax" "$(stat after $G balloon.maximum)" "$(cell $D.12.$I)"
for k in cpu.time:14 cpu.user:15 cpu.system:16; do
    vax_counter "${k%%:*}" "$G" "${k%%:*}" "$D.${k##*:}.$I"
done
# Every balloon field libvirt sends, with the guest's driver behind them.
for k in current:17 unused:18 available:19 usable:20 rss:21 swap_in:22 swap_out:23 \
    major_fault:24 minor_fault:25 disk_caches:26; do
    check "virsh has balloon.${k%%:*} (a real balloon driver)" test -n "$(stat after $G balloon.${k%%:*})"
    vax_counter "balloon.${k%%:*}" "$G" "balloon.${k%%:*}" "$D.${k##*:}.$I"
done
avail=$(cell $D.19.$I) usable=$(cell $D.20.$I)
check_eq "virtDomainMemoryUsed = available - usable (Ceilometer), same snapshot: $avail - $usable" \
    "$(( avail - usable ))" "$(cell $D.27.$I)"
echo "# balloon: available $avail usable $usable used $(cell $D.27.$I) unused $(cell $D.18.$I)" \
    "disk_caches $(cell $D.26.$I) rss $(cell $D.21.$I) KiB"
for v in 0 1; do
    for k in time:4 wait:5 delay:6; do
        vax_counter "vcpu.$v.${k%%:*}" "$G" "vcpu.$v.${k%%:*}" "$R.3.1.${k##*:}.$I.$((v + 1))"
    done
done
check_eq "one disk row" 1 "$(grep -c "^$R.4.1.2.$I\." "$VAX_TMP/walk")"
check_eq "disk 1 is vda" vda "$(cell $R.4.1.2.$I.1)"
for k in rd.reqs:7 rd.bytes:8 wr.reqs:9 wr.bytes:10 fl.reqs:11 rd.times:12 wr.times:13 \
    fl.times:14 capacity:16 allocation:17 physical:18; do
    vax_counter "block.0.${k%%:*}" "$G" "block.0.${k%%:*}" "$R.4.1.${k##*:}.$I.1"
done
check_eq "virtInterfaceName is the tap" "$TAP" "$(cell $R.5.1.2.$I.1)"
for k in rx.bytes:10 rx.pkts:11 tx.bytes:14 tx.pkts:15; do
    vax_counter "net.0.${k%%:*}" "$G" "net.0.${k%%:*}" "$R.5.1.${k##*:}.$I.1"
done
# VM-MIB's rows of the same guest.
check_eq "vmName" "$G" "$(cell $V.4.1.2.$I)"
check_eq "vmOperState running(4)" 4 "$(cell $V.4.1.6.$I)"
check_eq "vmPersistent true(2)" 2 "$(cell $V.4.1.8.$I)"
check_eq "vmCurMem is balloon.current in KiB" "$(stat after $G balloon.current)" "$(cell $V.4.1.13.$I)"
vax_micro "vmCpuTime (µs) within cpu.time" "$G" cpu.time "$V.4.1.17.$I"
vax_micro "vmStorageReadLatency (µs) within block.0.rd.times" "$G" block.0.rd.times "$V.7.1.17.$I.1"
vax_micro "vmStorageWriteLatency (µs) within block.0.wr.times" "$G" block.0.wr.times "$V.7.1.18.$I.1"
check_eq "vmNetworkIfIndex is the tap's" "$(cat /sys/class/net/$TAP/ifindex)" "$(cell $V.8.1.2.$I.1)"
first=$(for o in $R.4.1.9.$I.1 $R.4.1.11.$I.1 $R.5.1.11.$I.1 $R.5.1.15.$I.1; do cell $o; done)
echo "# first sample: wr.reqs fl.reqs rx.pkts tx.pkts = $(echo $first)"

# ---- counters climb between two refreshes, and inside the bracket ----
sleep 3
vax_bracket "$G"
second=$(for o in $R.4.1.9.$I.1 $R.4.1.11.$I.1 $R.5.1.11.$I.1 $R.5.1.15.$I.1; do cell $o; done)
echo "# second sample, $((3 + 2)) s later: $(echo $second)"
set -- $first
for o in "wr.reqs:$R.4.1.9.$I.1" "fl.reqs:$R.4.1.11.$I.1" "rx.pkts:$R.5.1.11.$I.1" "tx.pkts:$R.5.1.15.$I.1"; do
    check "${o%%:*} climbs between two refreshes ($1 -> $(cell ${o#*:}))" test "$(cell ${o#*:})" -gt "$1"
    shift
done
for k in block.0.wr.reqs:$R.4.1.9.$I.1 block.0.fl.reqs:$R.4.1.11.$I.1 net.0.rx.pkts:$R.5.1.11.$I.1 net.0.tx.pkts:$R.5.1.15.$I.1; do
    vax_counter "${k%%:*} (second bracket)" "$G" "${k%%:*}" "${k#*:}"
done

# ---- lifecycle: each action's notifications, both MIBs, in order ----
# notifs MARK: the notifications about $G since line MARK of the trap log,
# one word each: VIRT-AGENTX's name(detail text), VM-MIB's name.
notifs() {
    tail -n "+$(( $1 + 1 ))" "$T" | awk -F '\t' -v i="$I" '
        BEGIN { split("Defined Undefined Started Suspended Resumed Stopped Shutdown PMSuspended Crashed", vn, " ")
                split("vmRunning vmShuttingdown vmShutdown vmPaused vmSuspending vmSuspended vmResuming vmMigrating vmCrashed vmDeleted", mn, " ") }
        {
            trap = ""; detail = ""; mine = 0
            for (f = 1; f <= NF; f++) {
                split($f, kv, " = ")
                if (kv[1] == ".1.3.6.1.6.3.1.1.4.1.0") { trap = kv[2]; sub(/^OID: /, "", trap) }
                if (kv[1] == ".1.3.6.1.4.1.32473.1.2.1.2." i || kv[1] == ".1.3.6.1.2.1.236.1.4.1.2." i) mine = 1
                if (kv[1] == ".1.3.6.1.4.1.32473.1.2.1.31." i) { detail = kv[2]; sub(/^STRING: /, "", detail); gsub(/"/, "", detail); gsub(/ /, "-", detail) }
            }
            if (!mine) next
            if (trap ~ /^\.1\.3\.6\.1\.4\.1\.32473\.0\./) { n = trap; sub(/.*\./, "", n); printf "%s(%s) ", vn[n], detail }
            else if (trap ~ /^\.1\.3\.6\.1\.2\.1\.236\.0\./) { n = trap; sub(/.*\./, "", n); printf "%s ", mn[n] }
        }' | sed 's/ $//'
}
mark() { wc -l < "$T"; }
# expect DESC MARK WANT...: the notifications since MARK become exactly
# one of the WANTs (waiting up to 10 s for the last of them), and are
# logged either way. More than one WANT where libvirt's own order varies.
matches() { local w; for w in "${wants[@]}"; do [ "$1" != "$w" ] || return 0; done; return 1; }
expect() {
    local desc=$1 got
    want_mark=$2   # for the eval, where $2 is wait_until's
    shift 2
    wants=("$@")
    wait_until 10 eval 'matches "$(notifs "$want_mark")"' || true
    sleep 0.5   # nothing more may follow
    got=$(notifs "$want_mark")
    echo "# $desc gave: ${got:-(nothing)}"
    if matches "$got"; then ok "$desc: notifications"; return; fi
    not_ok "$desc: notifications: expected '$(IFS='|'; echo "${wants[*]}")', got '$got'"
}
state() { vax_get $D.4.$I | awk '{ print $NF }'; }
reason() { vax_get $D.5.$I | awk '{ print $NF }'; }
oper() { vax_get $V.4.1.6.$I | awk '{ print $NF }' | tr -dc 0-9; }
row() {  # row DESC STATE OPER: the row after the action (a refresh or two later)
    want_state=$2 want_oper=$3
    check "$1: virtDomainState $2 and vmOperState $3" \
        wait_until 5 eval '[ "$(state)" = "$want_state" ] && [ "$(oper)" = "$want_oper" ]'
}
running() { vax_virsh domstate "$G" 2>/dev/null | grep -q '^running'; }
off() { vax_virsh domstate "$G" 2>/dev/null | grep -q '^shut off'; }

m=$(mark); vax_virsh suspend "$G" > /dev/null
expect "suspend" "$m" "vmPaused Suspended(paused)"
row "suspended" 3 8
m=$(mark); vax_virsh resume "$G" > /dev/null
expect "resume" "$m" "vmRunning Resumed(unpaused)"
row "resumed" 1 4

m=$(mark); id=$(vax_virsh domid "$G")
vax_virsh reboot --mode agent "$G" > /dev/null || not_ok "virsh reboot failed"
vax_linux_up "$G" "$NET"
expect "reboot (agent)" "$m" ""
check_eq "reboot: the same QEMU, so the same id" "$id" "$(vax_virsh domid "$G")"
row "rebooted" 1 4

save=$VAX_TMP/qemu-images/$G.save
m=$(mark); vax_virsh save "$G" "$save" > /dev/null || not_ok "virsh save failed"
expect "save" "$m" "vmPaused Suspended(paused) vmSuspended Stopped(saved)"
row "saved" 5 6
m=$(mark); vax_virsh restore "$save" > /dev/null || not_ok "virsh restore failed"
vax_linux_up "$G" "$NET"
expect "restore" "$m" "vmRunning Started(restored) Resumed(from-snapshot)" \
    "vmRunning Started(restored) vmRunning Resumed(from-snapshot)"
row "restored" 1 4
rm -f "$save"

m=$(mark); vax_virsh managedsave "$G" > /dev/null || not_ok "virsh managedsave failed"
expect "managedsave" "$m" "vmPaused Suspended(paused) vmSuspended Stopped(saved)"
row "managed-saved" 5 6
m=$(mark); vax_virsh start "$G" > /dev/null || not_ok "virsh start (managed save) failed"
vax_linux_up "$G" "$NET"
# A restore is an incoming migration: a refresh between the two events
# can see the domain paused (migration), vmOperState migrating, and
# VM-MIB then says vmRunning again at the resume (seen here).
expect "start from managed save" "$m" "vmRunning Started(restored) Resumed(from-snapshot)" \
    "vmRunning Started(restored) vmRunning Resumed(from-snapshot)"
row "started from its managed save" 1 4

m=$(mark); vax_virsh shutdown --mode agent "$G" > /dev/null || not_ok "virsh shutdown --mode agent failed"
check "shutdown (agent): shut off" wait_until 60 off
expect "shutdown (agent)" "$m" "vmShuttingdown Shutdown(guest) vmShutdown Stopped(shutdown)"
row "shut down by its agent" 5 11
check_eq "shutdown: virtDomainStateReason shutdown(1)" 1 "$(reason)"

m=$(mark); vax_virsh start "$G" > /dev/null || not_ok "virsh start failed"
vax_linux_up "$G" "$NET"
expect "start" "$m" "vmRunning Resumed(unpaused) Started(booted)"
m=$(mark); vax_virsh shutdown --mode acpi "$G" > /dev/null || not_ok "virsh shutdown --mode acpi failed"
check "shutdown (ACPI power button, busybox acpid in the guest): shut off" wait_until 60 off
expect "shutdown (ACPI)" "$m" "vmShuttingdown Shutdown(guest) vmShutdown Stopped(shutdown)"

# A kernel panic: the ISA panic device makes it libvirt's CRASHED event.
panic() { vax_guest_exec "$G" 'echo c > /proc/sysrq-trigger' > /dev/null; }
vax_virsh start "$G" > /dev/null || not_ok "virsh start failed"
vax_linux_up "$G" "$NET"
m=$(mark); panic
check "panic, on_crash destroy: shut off" wait_until 30 off
# QEMU stops the guest at the panic; libvirt sends that pause as an event
# of its own, or not (seen both ways here).
expect "panic (on_crash destroy)" "$m" "vmCrashed Crashed(panicked) Stopped(crashed)" \
    "vmPaused Suspended(paused) vmCrashed Crashed(panicked) Stopped(crashed)"
row "crashed and destroyed" 5 12
check_eq "crashed: virtDomainStateReason crashed(3)" 3 "$(reason)"

vax_virsh dumpxml --inactive "$G" | sed 's|<on_crash>destroy</on_crash>|<on_crash>preserve</on_crash>|' \
    > "$VAX_TMP/preserve.xml"
vax_virsh define "$VAX_TMP/preserve.xml" > /dev/null || not_ok "cannot redefine $G with on_crash preserve"
vax_virsh start "$G" > /dev/null || not_ok "virsh start failed"
vax_linux_up "$G" "$NET"
m=$(mark); panic
check "panic, on_crash preserve: crashed" \
    wait_until 30 eval 'vax_virsh domstate "$G" | grep -q "^crashed"'
expect "panic (on_crash preserve)" "$m" "vmCrashed Crashed(panicked)" \
    "vmPaused Suspended(paused) vmCrashed Crashed(panicked)"
row "crashed, preserved" 6 12
m=$(mark); vax_virsh destroy "$G" > /dev/null
expect "destroy of the crashed guest" "$m" "vmShuttingdown Shutdown(host) vmShutdown Stopped(destroyed)"

# Destroy while the guest writes: its disk row stays, nothing hangs.
vax_virsh start "$G" > /dev/null || not_ok "virsh start failed"
vax_linux_up "$G" "$NET"
vax_guest_exec "$G" 'dd if=/dev/zero of=/mnt/data/big bs=1M count=40 conv=fsync' > /dev/null
sleep 1
m=$(mark); vax_virsh destroy "$G" > /dev/null
expect "destroy under I/O" "$m" "vmShuttingdown Shutdown(host) vmShutdown Stopped(destroyed)"
row "destroyed" 5 11
check "the agent still answers" eval 'vax_get $R.1.5.0 | grep -q STRING'
vax_virsh undefine --managed-save "$G" > /dev/null
vax_stop_agent
vax_done
