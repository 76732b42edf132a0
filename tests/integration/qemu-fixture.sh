#!/bin/bash
# shellcheck disable=SC2016,SC2034,SC2317 # checks eval '...' on purpose
# The real-guest fixtures of tests/lib.sh work: a private libvirtd with the
# QEMU driver (beside any other libvirtd), TCG guests whose disk counters
# climb, tap devices in the host's network namespace, a stuck guest
# (SIGSTOPped QEMU), lifecycle and device events, hot-plug, and a cleanup
# that leaves no QEMU, tap or mount behind.  Skips (77) without root/QEMU.
#
# Besides the checks it prints (as "# " comments) what collector authors need
# to know: the domstats keys of a guest, event sequences, timings.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# stat_of DOMAIN KEY [--nowait]: one value of `virsh domstats --raw`.
stat_of() {
    vax_virsh domstats --raw ${3:+"$3"} "$1" | awk -F= -v k="$2" '$1 == "  " k { print $2 }'
}

vax_setup
t0=$(date +%s%N)
# shellcheck disable=SC2119
vax_start_libvirtd_qemu
T_LIBVIRTD=$(ms_since "$t0")

# Unique per run: tap names live in the host's network namespace, and
# guest names in its cgroup tree, which concurrent tests share.
s=$$
GA=qfa$s GB=qfb$s GD=qfd$s
TA=tqa$s TB=tqb$s TC=tqc$s TD=tqd$s

# The event listener, first, so that it sees the guests being created.
EV=$VAX_TMP/events.out
virsh -c "$VAX_URI" event --all --loop --timestamp > "$EV" 2>&1 < /dev/null \
    {VAX_OUT}>&- {VAX_ERR}>&- &
VAX_PIDS+=("virsh-event:$!")
# It is listening once it reports a define (of a throwaway domain).
cat > "$VAX_TMP/sync.xml" <<EOF
<domain type='qemu'><name>qfs$s</name><memory unit='MiB'>16</memory>
<os><type arch='x86_64'>hvm</type></os></domain>
EOF
for _ in $(seq 50); do
    vax_virsh define "$VAX_TMP/sync.xml" > /dev/null
    grep -q "'qfs$s': Defined" "$EV" && break
    sleep 0.2
done
require "virsh event is listening" grep -q "'qfs$s': Defined" "$EV"
vax_virsh undefine "qfs$s" > /dev/null
wait_until 10 grep -q "'qfs$s': Undefined" "$EV"
ev_off=$(stat -c %s "$EV")
ev_mark() { ev_off=$(stat -c %s "$EV"); }
ev_new() { tail -c +$((ev_off + 1)) "$EV"; }
# ev_wait N PATTERN: wait up to 15 s for N new event lines matching PATTERN.
ev_wait() {
    local n=$1 pat=$2
    wait_until 15 eval '[ "$(ev_new | grep -c -- "$pat")" -ge "$n" ]'
}
ev_show() { ev_new | sed -e 's/^[0-9-]* [0-9:.]*+0000: //' -e "s|^|#   $1: |"; }
# ev_lifecycle DOMAIN: the new lifecycle events of DOMAIN, one per line.
ev_lifecycle() { ev_new | sed -n "s/.*event 'lifecycle' for domain '$1': //p"; }

# ---- two guests ----
t0=$(date +%s%N)
vax_qemu_guest "$GA" "$TA"
T_GA=$(ms_since "$t0")
UUID_A=$VAX_QEMU_UUID PID_A=$VAX_QEMU_PID
t0=$(date +%s%N)
vax_qemu_guest "$GB" "$TB"
T_GB=$(ms_since "$t0")
PID_B=$VAX_QEMU_PID
T_CREATED=$(date +%s%N)
vax_log "timing: libvirtd up ${T_LIBVIRTD} ms; guests created in ${T_GA} ms, ${T_GB} ms"

check "both guests running" eval '
    [ "$(vax_virsh domstate "$GA")" = running ] && [ "$(vax_virsh domstate "$GB")" = running ]'
check "vax_qemu_guest exported the UUID" \
    eval '[ "$UUID_A" = "$(vax_virsh domuuid "$GA")" ] && [ "${VAX_QEMU_UUIDS[$GA]}" = "$UUID_A" ]'
check "they run under TCG (type qemu, -accel tcg), not KVM" eval '
    vax_virsh dumpxml "$GA" | grep -q "<domain type=.qemu." &&
    tr "\0" " " < /proc/$PID_A/cmdline | grep -q -- "-accel tcg " &&
    ! tr "\0" " " < /proc/$PID_A/cmdline | grep -q -- "kvm\|-cpu host"'
check "vax_qemu_pid: the pid file and the command line agree" eval '
    [ "$(vax_qemu_pid "$GA")" = "$PID_A" ] &&
    [ "$(pgrep -f -- "-name guest=$GA,")" = "$PID_A" ] &&
    [ "$(vax_qemu_pid "$GB")" = "$PID_B" ] && [ "$PID_A" != "$PID_B" ]'
vax_log "guest $GA: qemu pid $PID_A, RSS $(awk '/VmRSS/ { print $2, $3 }' "/proc/$PID_A/status")"
ev_wait 4 "Started\|Resumed"
check "create: each guest gives 'Resumed Unpaused' then 'Started Booted'" eval '
    [ "$(ev_lifecycle "$GA" | tr "\n" ,)" = "Resumed Unpaused,Started Booted," ] &&
    [ "$(ev_lifecycle "$GB" | tr "\n" ,)" = "Resumed Unpaused,Started Booted," ]'
ev_show create

# ---- bulk stats ----
sleep 2
STATS=$VAX_TMP/stats-a.out
t0=$(date +%s%N)
vax_virsh domstats --raw "$GA" > "$STATS"
vax_log "timing: domstats --raw of one guest $(ms_since "$t0") ms"
vax_log "domstats --raw keys of $GA ($(( ($(date +%s%N) - T_CREATED) / 1000000 )) ms after create):"
sed -e '/^Domain:/d' -e '/^$/d' -e 's/^ */#   /' "$STATS"
key() { awk -F= -v k="$1" '$1 == "  " k { print $2; f = 1 } END { exit !f }' "$STATS"; }
check "state.state=1 (running)" eval '[ "$(key state.state)" = 1 ]'
check "block.count=2, block.0 is vda, block.1 is vdb, 32 MiB each" eval '
    [ "$(key block.count)" = 2 ] && [ "$(key block.0.name)" = vda ] && [ "$(key block.1.name)" = vdb ] &&
    [ "$(key block.0.capacity)" = 33554432 ] && [ "$(key block.1.capacity)" = 33554432 ]'
check "vcpu.current=2 with vcpu.0.time and vcpu.1.time, cpu.time" eval '
    [ "$(key vcpu.current)" = 2 ] && key vcpu.0.time && key vcpu.1.time && key cpu.time'
check "balloon.current and balloon.maximum are 65536 KiB, balloon.rss present" eval '
    [ "$(key balloon.current)" = 65536 ] && [ "$(key balloon.maximum)" = 65536 ] && key balloon.rss'
vax_log "balloon keys: $(grep -o 'balloon\.[a-z_-]*' "$STATS" | sort -u | tr '\n' ' ')(no guest OS:" \
    "no balloon driver, so no available/unused/usable/swap_*; last-update stays 0)"
check "net.count=2 (the user NIC counts) but only net.0 (the tap) has keys" eval '
    [ "$(key net.count)" = 2 ] && [ "$(key net.0.name)" = "$TA" ] && ! grep -q "net\.1\." "$STATS"'
check "vax_qemu_guest's domiflist: the tap and a user NIC without a host device" eval '
    vax_virsh domiflist "$GA" | grep -q "^ *$TA *ethernet" &&
    vax_virsh domiflist "$GA" | grep -q "^ *- *user"'

# ---- block counters climb ----
b0=$(vax_virsh domstats --raw "$GA" | grep -E 'block\.[01]\.(rd|wr)\.reqs=' | sort)
t0=$(date +%s%N)
sleep 3
b1=$(vax_virsh domstats --raw "$GA" | grep -E 'block\.[01]\.(rd|wr)\.reqs=' | sort)
dt=$(ms_since "$t0")
rates=$(join -t= <(echo "$b0") <(echo "$b1") | awk -F= -v dt="$dt" \
    '{ sub(/^ */, "", $1); printf "%s +%d (%.1f/s) ", $1, $3 - $2, ($3 - $2) * 1000 / dt }')
vax_log "block counters over $dt ms: $rates"
check "block rd.reqs and wr.reqs of vda and vdb all rise over 3 s" eval '
    [ "$(echo "$b0" | wc -l)" = 4 ] &&
    [ "$(join -t= <(echo "$b0") <(echo "$b1") | awk -F= "\$3 > \$2" | wc -l)" = 4 ]'
cpu0=$(awk '{ print $14 + $15 }' "/proc/$PID_A/stat")
sleep 2
cpu1=$(awk '{ print $14 + $15 }' "/proc/$PID_A/stat")
vax_log "guest $GA QEMU CPU use: $(( (cpu1 - cpu0) * 100 / 2 / $(getconf CLK_TCK) ))% of a core"

# ---- the tap on the host ----
IFX=$(cat "/sys/class/net/$TA/ifindex" 2>/dev/null)
check "tap $TA exists in the host's network namespace" eval '
    ip link show "$TA" && [ -n "$IFX" ] &&
    [ "$(readlink /proc/$$/ns/net)" = "$(readlink /proc/$VAX_LIBVIRTD_PID/ns/net)" ]'
vax_log "tap $TA: ifindex $IFX, $(ip -br link show "$TA" | awk '{ print $2, $4 }')"
check "virsh domifstat on the tap" eval '
    vax_virsh domifstat "$GA" "$TA" | grep -q "^$TA rx_bytes [0-9]"'
vax_log "domifstat: $(vax_virsh domifstat "$GA" "$TA" | tr '\n' ' ')"
if command -v snmpd > /dev/null && command -v snmpget > /dev/null; then
    vax_start_snmpd
    check "snmpd's IF-MIB ifDescr.$IFX is the tap" eval '
        wait_until 20 eval "vax_get .1.3.6.1.2.1.2.2.1.2.$IFX | grep -q \"$TA\""'
    vax_stop_snmpd
fi

# ---- suspend / resume ----
ev_mark
vax_virsh suspend "$GA" > /dev/null
ev_wait 1 "'$GA': Suspended"
vax_virsh resume "$GA" > /dev/null
ev_wait 1 "'$GA': Resumed"
check "suspend then resume: 'Suspended Paused', 'Resumed Unpaused'" \
    eval '[ "$(ev_lifecycle "$GA" | tr "\n" ,)" = "Suspended Paused,Resumed Unpaused," ]'
ev_show suspend/resume

# ---- a stuck guest: SIGSTOP on B's QEMU ----
kill -STOP "$PID_B"
vax_log "SIGSTOP $GB (qemu pid $PID_B)"
t0=$(date +%s%N)
timeout 20 virsh -q -c "$VAX_URI" domstats --raw --nowait "$GA" > "$VAX_TMP/nowait-a.out" 2>&1
rc=$? T=$(ms_since "$t0")
vax_log "timing: domstats --nowait $GA alone, $GB stuck: $T ms (rc $rc)"
check "domstats --nowait of the other guest is quick and complete" eval '
    [ $rc = 0 ] && [ $T -lt 5000 ] && grep -q "block.0.rd.reqs=" "$VAX_TMP/nowait-a.out"'
# The first call that reaches B's monitor hangs (NOWAIT only skips a domain
# whose job is already taken): this one takes B's job and keeps it.
(
    t0=$(date +%s%N)
    timeout 120 virsh -q -c "$VAX_URI" domstats --raw --nowait "$GB" > "$VAX_TMP/stuck-b.out" 2>&1
    echo "rc $? after $(ms_since "$t0") ms" > "$VAX_TMP/stuck-b.rc"
) < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
STUCK=$!
VAX_PIDS+=("stuck-domstats:$STUCK")
sleep 2
check "the first stats call on the stopped QEMU hangs, even with --nowait" \
    eval '! [ -s "$VAX_TMP/stuck-b.rc" ]'
t0=$(date +%s%N)
timeout 20 virsh -q -c "$VAX_URI" domstats --raw --nowait > "$VAX_TMP/nowait-all.out" 2>&1
rc=$? T=$(ms_since "$t0")
vax_log "timing: domstats --nowait (all domains) while $GB's job hangs: $T ms (rc $rc)"
check "domstats --nowait of all domains returns quickly, $GA complete" eval '
    [ $rc = 0 ] && [ $T -lt 5000 ] &&
    sed -n "/^Domain: .$GA./,/^\$/p" "$VAX_TMP/nowait-all.out" | grep -q "block.0.rd.reqs="'
check "... and $GB partial: state, no block counters" eval '
    sed -n "/^Domain: .$GB./,/^\$/p" "$VAX_TMP/nowait-all.out" > "$VAX_TMP/nowait-b.out" &&
    grep -q "state.state=1" "$VAX_TMP/nowait-b.out" && ! grep -q "block.0.rd.reqs" "$VAX_TMP/nowait-b.out"'
vax_log "stuck $GB under --nowait has: $(sed -n 's/^  \([a-z]*\)\..*/\1/p' "$VAX_TMP/nowait-b.out" | uniq -c | awk '{ printf "%s(%s) ", $2, $1 }')"
vax_log "  missing vs. normal: $(comm -23 <(sed -n 's/^  \([^=]*\)=.*/\1/p' "$STATS" | sort) \
    <(sed -n 's/^  \([^=]*\)=.*/\1/p' "$VAX_TMP/nowait-b.out" | sort) | tr '\n' ' ')"
t0=$(date +%s%N)
timeout 60 virsh -q -c "$VAX_URI" domstats --raw > "$VAX_TMP/blocking-all.out" 2>&1
rc=$? T=$(ms_since "$t0")
vax_log "timing: domstats (all, no --nowait) while $GB's job hangs: $T ms (rc $rc)"
check "without --nowait, all-domain stats wait ~30 s for the job, then return partial stats" eval '
    [ $rc = 0 ] && [ $T -ge 25000 ] &&
    sed -n "/^Domain: .$GA./,/^\$/p" "$VAX_TMP/blocking-all.out" | grep -q "block.0.rd.reqs="'
t0=$(date +%s%N)
timeout 5 virsh -q -c "$VAX_URI" dominfo "$GB" > /dev/null 2>&1
rc=$? T=$(ms_since "$t0")
check "dominfo of the stuck guest still answers (no monitor)" eval '[ $rc = 0 ] && [ $T -lt 3000 ]'
vax_log "timing: dominfo $GB stuck: $T ms"
kill -CONT "$PID_B"
vax_log "SIGCONT $GB"
wait_until 20 test -s "$VAX_TMP/stuck-b.rc"
vax_log "the hung domstats --nowait $GB returned: $(cat "$VAX_TMP/stuck-b.rc" 2>/dev/null)"
check "after SIGCONT the hung call returns with $GB's block counters" \
    eval 'grep -q "^rc 0" "$VAX_TMP/stuck-b.rc" && grep -q "block.0.rd.reqs=" "$VAX_TMP/stuck-b.out"'
t0=$(date +%s%N)
check "after SIGCONT domstats of $GB is complete and quick" eval '
    timeout 5 virsh -q -c "$VAX_URI" domstats --raw "$GB" | grep -q "block.0.rd.reqs="'
vax_log "timing: domstats $GB after SIGCONT: $(ms_since "$t0") ms"

# ---- hot-plug a third NIC (virsh 9.0's attach-interface has no type ethernet) ----
cat > "$VAX_TMP/nic-c.xml" <<EOF
<interface type='ethernet'>
  <target dev='$TC' managed='yes'/>
  <model type='virtio'/>
</interface>
EOF
ev_mark
check "virsh attach-interface cannot do type ethernet (libvirt 9.0)" eval '
    ! vax_virsh attach-interface "$GA" ethernet "$TC" --target "$TC" --live'
t0=$(date +%s%N)
check "virsh attach-device --live of an ethernet NIC on a new tap" \
    vax_virsh attach-device "$GA" "$VAX_TMP/nic-c.xml" --live
vax_log "timing: attach-device $(ms_since "$t0") ms"
ev_wait 1 "device-added"
check "hot-plug gives a device-added event" eval 'ev_new | grep -q "device-added. for domain .$GA.: net2"'
ev_show hot-plug
check "the new tap is on the host, net.count=3, and net.N numbering has a gap" eval '
    [ -e "/sys/class/net/$TC/ifindex" ] &&
    [ "$(stat_of "$GA" net.count)" = 3 ] && [ "$(stat_of "$GA" net.2.name)" = "$TC" ] &&
    [ -z "$(stat_of "$GA" net.1.name)" ]'
vax_log "after hot-plug: $(vax_virsh domstats --raw "$GA" | grep -E 'net\.(count|[0-9]+\.name)' | tr -d ' ' | tr '\n' ' ')"

# ---- destroy ----
ev_mark
t0=$(date +%s%N)
vax_virsh destroy "$GB" > /dev/null
vax_log "timing: destroy $(ms_since "$t0") ms"
ev_wait 1 "'$GB': Stopped"
sleep 0.5
check "destroy: 'Shutdown Finished after host request', then 'Stopped Destroyed'" eval '
    [ "$(ev_lifecycle "$GB" | tr "\n" ,)" = "Shutdown Finished after host request,Stopped Destroyed," ]'
ev_show destroy
check "destroy removed $GB's tap and QEMU" \
    wait_until 10 eval '! [ -e "/sys/class/net/$TB" ] && ! vax_pid_alive "$PID_B"'

# ---- define + start, shutdown, undefine ----
ev_mark
XML_D=$(vax_qemu_guest_xml "$GD" "$TD")
vax_virsh define "$XML_D" > /dev/null
ev_wait 1 "'$GD': Defined"
t0=$(date +%s%N)
check "start of a defined guest" vax_virsh start "$GD"
vax_log "timing: start of defined $GD: $(ms_since "$t0") ms"
ev_wait 1 "'$GD': Started"
check "define + start: 'Defined Added', 'Resumed Unpaused', 'Started Booted'" eval '
    [ "$(ev_lifecycle "$GD" | tr "\n" ,)" = "Defined Added,Resumed Unpaused,Started Booted," ]'
ev_show define/start
ev_mark
vax_virsh shutdown "$GD" > /dev/null
sleep 2
vax_log "virsh shutdown (ACPI, no guest OS): state '$(vax_virsh domstate "$GD")'," \
    "events: $(ev_new | grep -c "'$GD'")"
PID_D=$(vax_qemu_pid "$GD")
kill -TERM "$PID_D"     # a QEMU that exits by itself, as on a guest poweroff
ev_wait 1 "'$GD': Stopped"
check "QEMU exiting (SIGTERM): 'Shutdown Finished after host request', 'Stopped Shutdown'" eval '
    [ "$(ev_lifecycle "$GD" | tr "\n" ,)" = "Shutdown Finished after host request,Stopped Shutdown," ]'
ev_show "qemu SIGTERM"
check "$GD is shut off but still defined" eval '[ "$(vax_virsh domstate "$GD")" = "shut off" ]'
check "the definition went to the private /etc/libvirt, not the host's" eval '
    [ -f "$VAX_QEMU_NS/etc/qemu/$GD.xml" ] && ! [ -e "/etc/libvirt/qemu/$GD.xml" ]'
# Left defined and running, for the cleanup to handle: start it again.
vax_virsh start "$GD" > /dev/null

# ---- cleanup ----
vax_log "before cleanup: $(vax_virsh list --all | awk '{ print $2 "=" $3 }' | tr '\n' ' ')"
PIDS_LEFT="$(vax_qemu_pid "$GA") $(vax_qemu_pid "$GD")"
kill -STOP "$(vax_qemu_pid "$GA")"     # a stuck guest too
t0=$(date +%s%N)
check "vax_stop_libvirtd_qemu destroys every guest (no QEMU killed by hand)" vax_stop_libvirtd_qemu
vax_log "timing: vax_stop_libvirtd_qemu $(ms_since "$t0") ms"
check "no QEMU of ours is left" eval '
    ! pgrep -f -- "-name guest=qf[a-z]$s," &&
    ( for p in $PIDS_LEFT; do ! vax_pid_alive $p || exit 1; done )'
check "libvirtd and virtlogd are gone" eval '
    ! pgrep -f -- "$VAX_TMP/libvirtd-qemu.conf" && ! pgrep -f -- "$VAX_TMP/virtlogd.conf"'
check "no tap of ours is left" eval '
    ( for t in "$TA" "$TB" "$TC" "$TD"; do ! [ -e "/sys/class/net/$t" ] || exit 1; done )'
check "no mount of ours in the host's namespace" eval '! grep -qF "$VAX_TMP" /proc/self/mountinfo'
vax_done
