#!/bin/bash
# bench/soak.sh - memory and fd soak: full walks of the agent's subtree in
# a loop while transient domains are created and destroyed, sampling the
# agent's VmRSS, RssAnon and open fds.  Not part of `make check`.
#
#   SOAK_WALKS    walks to do (default 10000; 0: no limit)
#   SOAK_SECONDS  stop after this long instead (default 0: no limit)
#   SOAK_SAMPLE   sample every this many walks (default 250)
#   SOAK_CSV      write the samples there (walk,seconds,rss_kib,anon_kib,fds)
#   SOAK_PAUSE    seconds to sleep between walks (default 0)
#   SOAK_UUIDS    fixed (default): each churned domain comes back with its
#                 UUID; new: a new UUID every time, so the index map (one
#                 entry per UUID ever seen, never reused) grows by design
# Prints progress and a last line "soak=1 walks=... rss_first=..." that
# bench/run.sh reads: "first" is the sample after 10% of the run, once
# allocator and caches have settled, compared with the last.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
export VAX_AGENT=${VAX_AGENT:-${abs_top_builddir:-$top}/src/virt-agentx}
WALKS=${SOAK_WALKS:-10000}
SECONDS_MAX=${SOAK_SECONDS:-0}
SAMPLE=${SOAK_SAMPLE:-250}
UUIDS=${SOAK_UUIDS:-fixed}
PAUSE=${SOAK_PAUSE:-0}
case $UUIDS in fixed|new) ;; *) echo "soak: SOAK_UUIDS is fixed or new, not $UUIDS" >&2; exit 1 ;; esac
OID=.1.3.6.1.4.1.32473
[ "$WALKS" -gt 0 ] || [ "$SECONDS_MAX" -gt 0 ] || { echo "soak: set SOAK_WALKS or SOAK_SECONDS" >&2; exit 1; }

# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"
vax_setup
vax_start_libvirtd
vax_start_snmpd
printf 'indexFile %s\ncacheTimeout 1\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
vax_start_agent
apid=$VAX_AGENT_PID
target=127.0.0.1:$VAX_SNMP_PORT

# Churn: transient domains soak-K (K = 1..3) created and destroyed in turn,
# so rows, snapshots and domain XML come and go (with SOAK_UUIDS=new, each
# time under a new UUID, so a new index too).
churn() {
    local k=0 name uuid
    while :; do
        name=soak-$(( k % 3 + 1 ))
        uuid="<uuid>8e3b1c1a-0d5e-4f8a-9a51-00000000050$(( k % 3 + 1 ))</uuid>"
        [ "$UUIDS" = fixed ] || uuid=
        virsh -q -c "$VAX_URI" destroy "$name" > /dev/null 2>&1 || true
        sed "s/@NAME@/$name/; s|@UUID@|$uuid|" > "$VAX_TMP/churn.xml" <<'EOF'
<domain type='test'><name>@NAME@</name>@UUID@<memory unit='KiB'>262144</memory>
<vcpu>2</vcpu><os><type>hvm</type></os><devices>
<disk type='file' device='disk'><source file='/var/lib/libvirt/images/@NAME@.qcow2'/><target dev='vda' bus='virtio'/></disk>
<interface type='network'><source network='default'/><target dev='@NAME@-0'/></interface>
</devices></domain>
EOF
        virsh -q -c "$VAX_URI" create "$VAX_TMP/churn.xml" > /dev/null 2>&1 || true
        k=$(( k + 1 ))
        echo "$k" > "$VAX_TMP/churn.count"
        sleep 0.5
    done
}
churn &
VAX_PIDS+=("churn:$!")

sample() {      # walk seconds rss anon fds
    printf '%s,%s,%s,%s\n' "$1" "$2" \
        "$(awk '/^(VmRSS|RssAnon):/ { printf "%s,", $2 }' "/proc/$apid/status")" \
        "$(find "/proc/$apid/fd" -mindepth 1 | wc -l)" | sed 's/,,/,/'
}
csv=${SOAK_CSV:-$VAX_TMP/soak.csv}
echo "walk,seconds,rss_kib,anon_kib,fds" > "$csv"
t0=$(date +%s) w=0 errors=0
while :; do
    snmpbulkwalk -v2c -c public -On -Oq -Cr50 -r 1 -t 10 "$target" "$OID.1" > /dev/null 2>&1 ||
        errors=$(( errors + 1 ))
    w=$(( w + 1 ))
    el=$(( $(date +%s) - t0 ))
    done_=0
    { [ "$WALKS" -gt 0 ] && [ "$w" -ge "$WALKS" ]; } && done_=1
    { [ "$SECONDS_MAX" -gt 0 ] && [ "$el" -ge "$SECONDS_MAX" ]; } && done_=1
    if (( w % SAMPLE == 0 )) || [ "$done_" -eq 1 ]; then
        vax_pid_alive "$apid" || vax_die "the agent died at walk $w"
        s=$(sample "$w" "$el"); echo "$s" >> "$csv"
        vax_log "walk $w, ${el} s: rss,anon KiB,fds = ${s#*,*,}"
    fi
    [ "$done_" -eq 0 ] || break
    [ "$PAUSE" = 0 ] || sleep "$PAUSE"
done
[ "$errors" -eq 0 ] || vax_log "WARNING: $errors walks failed"

# first: the sample at 10% of the run; last; max
awk -F, -v uuids="$UUIDS" -v errors="$errors" -v churn="$(cat "$VAX_TMP/churn.count" 2>/dev/null || echo 0)" '
    NR == 1 { next }
    { n++; w[n] = $1; s[n] = $2; r[n] = $3; f[n] = $5
      if ($3 > rmax) rmax = $3; if ($5 > fmax) fmax = $5 }
    END { k = int(n / 10); if (k < 1) k = 1
          printf "soak=1 uuids=%s walks=%d secs=%d churn=%d errors=%d first=%d rss_first=%d rss_last=%d rss_max=%d fds_first=%d fds_last=%d fds_max=%d\n",
              uuids, w[n], s[n], churn, errors, w[k], r[k], r[n], rmax, f[k], f[n], fmax }' "$csv" >&"$VAX_OUT"
