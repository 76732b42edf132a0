#!/usr/bin/env bash
# Real dir pools on filesystems of their own, in a private libvirtd with
# every driver (lib.sh's QEMU one: its storage driver), real snmpd,
# snmptrapd and virsh. The script re-runs itself in a private mount
# namespace (unshare -m) and mounts two small tmpfs there before libvirtd
# and the agent start, so both see them and the host sees neither:
#   vaxpool-$$  20 MiB, the default threshold (poolSpaceThreshold 80,
#               poolSpaceHysteresis 10);
#   vaxpool2-$$  4 MiB, a per-pool line "poolSpaceThreshold 50 vaxpool2-$$".
# A file written into each with dd, behind libvirt's back (as guests
# writing to thin images do), takes vaxpool to 85% and vaxpool2 to 62.5%:
#   - one virtPoolSpaceLow each, with capacity, allocation, available,
#     used and threshold equal to the tmpfs's statvfs (stat -f), read
#     before and after: nothing else writes there, so they are exact;
#     vaxpool2 is low at 62.5% only because of its own threshold;
#   - the walk (virtPoolAllocation...) agrees, virtPoolSpaceSource is
#     filesystem(2);
#   - virsh pool-info still shows libvirt's stale cache (the allocation
#     of before the dd) and vol-list no volume: the fact the filesystem
#     source exists for; after virsh pool-refresh they agree with the
#     agent within a few KiB, and the file is a volume;
#   - a volume made through libvirt (vol-create-as) counts in
#     virtPoolVolumes;
#   - the file deleted: one virtPoolSpaceOk for vaxpool, and across the
#     rounds that follow no repeat of either.
# Plus virtPoolStarted from the real storage driver at pool-start.
# Skips (77) without root, unshare, or QEMU (lib.sh's private libvirtd).
# shellcheck disable=SC2016 # eval '...' strings expand when evaluated
set -u
. "$(dirname "$0")/../lib.sh"

# ---- a private mount namespace of our own, before anything starts ----
vax_private_mounts "a tmpfs pool in a private mount namespace" "$@"

R=.1.3.6.1.4.1.32473
P=$R.1.10.1
INTERVAL=5
TAB=$'\t'
vax_setup
A=vaxpool-$$ B=vaxpool2-$$
FA=$VAX_TMP/poolfs FB=$VAX_TMP/poolfs2
mkdir -p "$FA" "$FB"
mount -t tmpfs -o size=20m,mode=0755 vaxpool "$FA" && mount -t tmpfs -o size=4m,mode=0755 vaxpool2 "$FB" ||
    vax_die "cannot mount the pools' tmpfs"
# Unmount before lib.sh's cleanup removes $VAX_TMP (chained: lib.sh's QEMU
# hook, added below, runs first and stops libvirtd).
vax__pools_exit() {
    local rc=$?
    umount -l "$FA" 2> /dev/null
    umount -l "$FB" 2> /dev/null
    vax__qemu_rc "$rc"
    vax__cleanup
}
trap 'vax__pools_exit' EXIT

t0=$(date +%s%N)
vax_start_libvirtd_qemu          # skips, saying why, without QEMU
vax_start_trapd
vax_start_snmpd
printf 'indexFile %s/index\npoolInterval %s\npoolSpaceThreshold 80\npoolSpaceHysteresis 10\npoolSpaceThreshold 50 %s\n' \
    "$VAX_TMP" "$INTERVAL" "$B" > "$VAX_TMP/agent.conf"
vax_start_agent -t 1
vax_log "daemons up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

LOG=$VAX_TMP/traps.log
mark() { wc -l < "$LOG"; }
traps_since() { tail -n "+$(( $1 + 1 ))" "$LOG" | grep -F "OID: $R.0.$2$TAB" || true; }
varbind() { echo "$1" | tr '\t' '\n' | sed -n "s/^$2 = [A-Za-z0-9-]*: //p" | sed 's/^"//; s/"$//'; }
row() { vax_walk $P.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'; }
val() { vax_get -Oqv "$1" 2>/dev/null | grep -v '^No Such' | sed 's/^"//; s/"$//'; }
# fs DIR: "capacity allocation available" as statvfs gives them (f_frsize
# units: capacity f_blocks, available f_bfree, allocation the rest).
fs() { stat -f -c '%S %b %f' "$1" | awk '{ printf "%.0f %.0f %.0f\n", $1 * $2, $1 * ($2 - $3), $1 * $3 }'; }
pinfo() { vax_virsh pool-info --bytes "$1" | sed -n "s/^$2: *//p"; }
nth() { echo "$1" | awk -v n="$2" '{ print $n }'; }
used_of() { awk -v a="$1" -v c="$2" 'BEGIN { printf "%d", a * 10000 / c + 0.5 }'; }
# near DESC A B SLACK: |A - B| <= SLACK bytes.
near() {
    if [ -n "$2" ] && [ -n "$3" ] && awk -v a="$2" -v b="$3" -v s="$4" 'BEGIN { d = a - b; exit !(d <= s && -d <= s) }'; then
        ok "$1 ($2 vs $3)"
    else
        not_ok "$1: '$2' and '$3' differ by more than $4"
    fi
}

# ---- the pools, defined and started through libvirt ----
m=$(mark)
for pt in "$A:$FA" "$B:$FB"; do
    vax_virsh pool-define-as "${pt%%:*}" dir --target "${pt#*:}" > /dev/null &&
        vax_virsh pool-start "${pt%%:*}" > /dev/null || vax_die "cannot define and start pool ${pt%%:*}"
done
UA=$(vax_virsh pool-uuid "$A") UB=$(vax_virsh pool-uuid "$B")
require "both pools in virtPoolTable within 10 s" wait_until 10 eval '[ -n "$(row $UA)" ] && [ -n "$(row $UB)" ]'
IA=$(row "$UA") IB=$(row "$UB")
check "pool-start: virtPoolStarted from the storage driver, name, UUID, running(3)" \
    wait_until 3 eval '[ "$(traps_since $m 12 | grep -cF "$P.3.$IA = STRING: \"$UA\"")" = 1 ]'
line=$(traps_since "$m" 12 | grep -F "$P.3.$IA = " | head -n 1)
check_eq "virtPoolStarted's varbinds" "$A $UA 3" \
    "$(varbind "$line" $P.2.$IA) $(varbind "$line" $P.3.$IA) $(varbind "$line" $P.5.$IA)"
check_eq "virtPoolType dir, virtPoolTargetPath the tmpfs" "dir $FA" "$(val $P.4.$IA) $(val $P.16.$IA)"
check_eq "virtPoolSpaceSource filesystem(2) for both" "2 2" "$(val $P.13.$IA) $(val $P.13.$IB)"
check_eq "virtPoolSpaceThreshold: the default 80% for $A, its own 50% for $B" "8000 5000" \
    "$(val $P.12.$IA) $(val $P.12.$IB)"
check_eq "empty: virtPoolCapacity is the tmpfs's 20 MiB" 20971520 "$(val $P.8.$IA)"
check_eq "empty: virtPoolVolumes 0, as vol-list" "0 0" "$(val $P.17.$IA) $(vax_virsh vol-list "$A" | grep -c .)"
alloc0=$(pinfo "$A" Allocation)
near "empty: pool-info (fresh from pool-start) and the agent agree" "$alloc0" "$(val $P.9.$IA)" 16384

# ---- filled behind libvirt's back ----
m=$(mark)
dd if=/dev/zero of="$FA/fill" bs=1M count=17 status=none && dd if=/dev/zero of="$FB/fill" bs=256K count=10 status=none ||
    vax_die "dd failed"
t_fill=$(date +%s%N)
check "virtPoolSpaceLow for both within two rounds" \
    wait_until $((2 * INTERVAL + 3)) eval '[ -n "$(traps_since $m 14 | grep -F "$P.2.$IA = ")" ] && [ -n "$(traps_since $m 14 | grep -F "$P.2.$IB = ")" ]'
vax_log "virtPoolSpaceLow $(( ($(date +%s%N) - t_fill) / 1000000 )) ms after the dd (poolInterval $INTERVAL)"
for pi in "$A:$IA:$FA:8000" "$B:$IB:$FB:5000"; do
    IFS=: read -r name i dir th <<< "$pi"
    line=$(traps_since "$m" 14 | grep -F "$P.2.$i = " | head -n 1)
    f=$(fs "$dir")
    check_eq "$name: virtPoolSpaceLow carries name, capacity, allocation, available, used, threshold = statvfs" \
        "$name $f $(used_of "$(nth "$f" 2)" "$(nth "$f" 1)") $th" \
        "$(for c in 2 8 9 10 11 12; do varbind "$line" $P.$c.$i; done | tr '\n' ' ' | sed 's/ $//')"
done
check "vaxpool2 at $(val $P.11.$IB) hundredths: low by its own threshold, not the default" \
    eval '[ "$(val $P.11.$IB)" -ge 5000 ] && [ "$(val $P.11.$IB)" -lt 8000 ]'
check "the log says space low" grep -q "pool $A: space low (85.[0-9]*% used, threshold 80.00%)" "$VAX_TMP/agent.log"

# The walk against statvfs read before and after it.
f0=$(fs "$FA")
vax_walk $P > "$VAX_TMP/walk"
f1=$(fs "$FA")
cellw() { awk -v o="$1" '$1 == o { print $NF; exit }' "$VAX_TMP/walk"; }
for kc in capacity:1:8 allocation:2:9 available:3:10; do
    IFS=: read -r k n c <<< "$kc"
    vax_between "walk: virtPool ${k} is statvfs's" "$(cellw $P.$c.$IA)" "$(nth "$f0" "$n")" "$(nth "$f1" "$n")"
done
check_eq "walk: virtPoolUsed" "$(used_of "$(nth "$f1" 2)" "$(nth "$f1" 1)")" "$(cellw $P.11.$IA)"

# libvirt's cache does not know.
check_eq "virsh pool-info is stale: the allocation of before the dd" "$alloc0" "$(pinfo "$A" Allocation)"
check "virsh pool-info is stale: 17 MiB short of statvfs" \
    eval '[ $(( $(nth "$(fs "$FA")" 2) - $(pinfo "$A" Allocation) )) -ge $((17 * 1048576)) ]'
check_eq "vol-list does not know the file either (virtPoolVolumes 0)" "0 0" \
    "$(vax_virsh vol-list "$A" | grep -c .) $(val $P.17.$IA)"
vax_virsh pool-refresh "$A" > /dev/null || not_ok "virsh pool-refresh $A failed"
for kn in Capacity:8 Allocation:9 Available:10; do
    near "after pool-refresh, pool-info's ${kn%%:*} agrees with the agent" \
        "$(pinfo "$A" "${kn%%:*}")" "$(val "$P.${kn##*:}.$IA")" 16384
done
check_eq "after pool-refresh, pool-info's allocation is statvfs's" "$(nth "$(fs "$FA")" 2)" "$(pinfo "$A" Allocation)"
check "after pool-refresh the file is a volume: virtPoolVolumes 1 within a round" \
    wait_until $((INTERVAL + 3)) eval '[ "$(val $P.17.$IA)" = 1 ] && [ "$(vax_virsh vol-list "$A" | grep -c .)" = 1 ]'

# ---- a volume through libvirt ----
vax_virsh vol-create-as "$A" vol1 512K > /dev/null || not_ok "vol-create-as failed"
check "vol-create-as: virtPoolVolumes 2 (vol-list's count) within a round" \
    wait_until $((INTERVAL + 3)) eval '[ "$(val $P.17.$IA)" = "$(vax_virsh vol-list "$A" | grep -c .)" ] && [ "$(val $P.17.$IA)" = 2 ]'
check "the volume's 512 KiB count in virtPoolAllocation too" \
    eval '[ "$(val $P.9.$IA)" -ge $(( 17 * 1048576 + 512 * 1024 )) ]'

# ---- the file deleted ----
m2=$(mark)
rm -f "$FA/fill"
check "virtPoolSpaceOk within two rounds" wait_until $((2 * INTERVAL + 3)) eval '[ -n "$(traps_since $m2 15 | grep -F "$P.2.$IA = ")" ]'
line=$(traps_since "$m2" 15 | grep -F "$P.2.$IA = " | head -n 1)
f=$(fs "$FA")
check_eq "virtPoolSpaceOk carries statvfs's numbers" "$A $f $(used_of "$(nth "$f" 2)" "$(nth "$f" 1)") 8000" \
    "$(for c in 2 8 9 10 11 12; do varbind "$line" $P.$c.$IA; done | tr '\n' ' ' | sed 's/ $//')"
check "the log says space ok again" grep -q "pool $A: space ok again" "$VAX_TMP/agent.log"
sleep $((INTERVAL + 1))   # one more round: nothing may repeat
check_eq "$A: exactly one virtPoolSpaceLow and one virtPoolSpaceOk across $(( ($(date +%s%N) - t_fill) / 1000000000 )) s of rounds" "1 1" \
    "$(traps_since "$m" 14 | grep -cF "$P.2.$IA = ") $(traps_since "$m" 15 | grep -cF "$P.2.$IA = ")"
check_eq "$B (still low): exactly one virtPoolSpaceLow, no Ok" "1 0" \
    "$(traps_since "$m" 14 | grep -cF "$P.2.$IB = ") $(traps_since "$m" 15 | grep -cF "$P.2.$IB = ")"
check_eq "neither pool stalled" "2 2" "$(val $P.15.$IA) $(val $P.15.$IB)"
check "the agent is still running" vax_pid_alive "$VAX_AGENT_PID"
vax_done
