#!/usr/bin/env bash
# contrib/systemd/virt-agentx.service.in: `systemd-analyze verify` accepts
# it without a word (it exits 0 even on unknown keys or bad values, so its
# output is checked), and its confinement fits what the agent does. There
# is no systemd to run the unit under here, so the agent is run as the unit
# runs it (its ExecStart options, never root, a system user's HOME) under
# strace, against the private daemons, through start, walks, SIGHUP,
# lifecycle events, an snmpd restart and SIGTERM, with the directory of
# its sockets and configuration mounted read-only; then:
#   every system call passes the unit's SystemCallFilter= lines,
#   every socket family is in RestrictAddressFamilies=,
#   no memory is writable and executable (MemoryDenyWriteExecute=),
#   it writes only in its state directory (ProtectSystem=strict and
#   StateDirectory=), opens nothing under /home, /root, /run/user
#   (ProtectHome=) and only the devices PrivateDevices= leaves.
set -u
. "$(dirname "$0")/../lib.sh"

AGENT=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}
UNIT_IN=$VAX_TOP_SRCDIR/contrib/systemd/virt-agentx.service.in
command -v systemd-analyze >/dev/null ||
    vax_skip "systemd-analyze not installed (Debian package systemd): cannot verify the unit"
vax_setup
T=$VAX_TMP
[ -x "$AGENT" ] || vax_die "agent not built: $AGENT"

# ---- systemd-analyze verify ----
# --man=no: Documentation= names the man pages, which are not installed
# while the tests run (make installcheck checks the installed ones).
# The unit as make generates it, but with the ExecStart binary that exists
# here (verify checks that it is executable).
sed "s|@sbindir@|$(dirname "$AGENT")|g" "$UNIT_IN" > "$T/virt-agentx.service"
verify() {
    local rc=0
    (cd "$T" && systemd-analyze verify --man=no ./virt-agentx.service) > "$T/verify.out" 2>&1 || rc=$?
    sed 's/^/# verify: /' "$T/verify.out"
    [ "$rc" -eq 0 ] || { echo "systemd-analyze verify: exit status $rc"; return 1; }
    # Lines about other units (snmpd.service...) are the host's business.
    ! grep -i 'virt-agentx' "$T/verify.out"
}
check "systemd-analyze verify accepts the unit, without a warning" verify
check "no @-placeholder left after substitution" eval '! grep -n "@[a-z_]*@" "$T/virt-agentx.service"'
(cd "$T" && systemd-analyze security --offline=yes ./virt-agentx.service 2>/dev/null) |
    sed -n 's/^→ /# /p'

# ---- the unit's settings, read from the unit itself ----
unit_values() { sed -n "s/^$1=//p" "$T/virt-agentx.service"; }
# expand GROUP|CALL...: system calls, with systemd's @groups expanded.
expand() {
    local g x
    for g in "$@"; do
        case $g in
        @*) systemd-analyze syscall-filter "$g" | tail -n +2 | sed 's/^ *//' |
                grep -v -e '^#' -e '^$' | while read -r x; do expand "$x"; done ;;
        *) echo "$g" ;;
        esac
    done
}
: > "$T/allow"
: > "$T/deny"
while read -r line; do
    # shellcheck disable=SC2086 # a list of groups and calls
    case $line in
    '~'*) expand ${line#\~} >> "$T/deny" ;;
    *) expand $line >> "$T/allow" ;;
    esac
done < <(unit_values SystemCallFilter)
sort -u -o "$T/allow" "$T/allow"
sort -u -o "$T/deny" "$T/deny"
comm -23 "$T/allow" "$T/deny" > "$T/allowed"
check "the unit's system call filter expands to a list ($(wc -l < "$T/allowed") calls)" \
    test "$(wc -l < "$T/allowed")" -gt 100
read -ra families <<< "$(unit_values RestrictAddressFamilies)"
read -ra execstart <<< "$(unit_values ExecStart)"

# ---- the agent as the unit runs it, under strace ----
command -v strace >/dev/null || { vax_log "strace not installed: the rest is left out"; vax_done; }
if ldd "$AGENT" 2>/dev/null | grep -q -e libasan -e libubsan; then
    # The sanitizers' own system calls are not the agent's.
    vax_log "the agent is built with sanitizers: the strace part is left out"
    vax_done
fi
getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
    { vax_log "no user nobody or group nogroup: the strace part is left out"; vax_done; }
setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$AGENT" 2>/dev/null ||
    { vax_log "nobody cannot run $AGENT: the strace part is left out"; vax_done; }

vax_start_libvirtd
vax_load_demo_domains || vax_die "cannot load the demo domains"
vax_start_snmpd
RW_URI=$VAX_URI
RO_URI="test+unix:///default?socket=$T/libvirt/libvirt-sock-ro"
# What the unit's user gets on a real host: the AgentX socket by group
# (agentXPerms), a state directory of its own (StateDirectory=).
chgrp nogroup "$T/agentx.sock"
mkdir -m 0700 "$T/state" && chown nobody:nogroup "$T/state"
printf 'indexFile %s/state/index\n' "$T" > "$T/agent.conf"
# ExecStart, with this test's AgentX socket and libvirt URI, and -c for the
# index file (the unit relies on the default /var/lib/virt-agentx/index).
cmd=()
for w in "${execstart[@]}"; do
    case $w in
    unix:/var/agentx/master) cmd+=("$VAX_AGENTX") ;;
    qemu:///system) cmd+=("$RO_URI") ;;
    *) cmd+=("$w") ;;
    esac
done
cmd+=(-c "$T/agent.conf")
vax_log "traced: ${cmd[*]}"
# MemoryDenyWriteExecute=, as far as the kernel can do it without systemd:
# PR_SET_MDWE (Linux 6.3), inherited across execve, refuses writable and
# executable mappings. libvirt compiles a GLib regex at start, and PCRE2's
# JIT asks for such a mapping; refused, it falls back to interpreting.
mdwe=()
mdwe_py='import ctypes, os, sys
ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0 or sys.exit("PR_SET_MDWE failed")
os.execvp(sys.argv[1], sys.argv[1:])'
if command -v python3 >/dev/null && python3 -c "$mdwe_py" true 2>/dev/null; then
    mdwe=(python3 -c "$mdwe_py")
else
    vax_log "no PR_SET_MDWE (kernel before 6.3, or no python3): W+X mappings are only listed"
fi
# ProtectSystem=strict, for the temp dir that holds both sockets and the
# configuration: read-only, but for the state directory (StateDirectory=)
# and strace's output; connect() to a socket on a read-only mount works.
ns=()
mkdir "$T/out"
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
    # shellcheck disable=SC2016 # for sh -c
    # (A bind mount inherits read-only: the writable ones come first.)
    ns=(unshare -m sh -c 'mount --bind "$1" "$1" && mount --bind "$1/state" "$1/state" &&
        mount --bind "$1/out" "$1/out" && mount -o remount,bind,ro "$1" &&
        shift && exec "$@"' sh "$T")
else
    vax_log "no mount namespace: the temp dir stays writable"
fi
# strace -u switches before the agent's execve; HOME as systemd sets it.
HOME=/nonexistent "${ns[@]}" "${mdwe[@]}" strace -f -qq -s 256 -o "$T/out/strace.trace" \
    -u nobody "${cmd[@]}" > "$T/agent.log" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
spid=$!
VAX_PIDS+=("strace:$spid")
R=.1.3.6.1.4.1.32473.1
require "the traced agent registers" \
    wait_until 60 eval 'vax_get_raw $R.1.5.0 | grep -q STRING:'
apid=$(pgrep -P "$spid" | head -n 1)
check "it runs as nobody" test "$(stat -c %U "/proc/$apid")" = nobody
check "it serves the domains" wait_until 10 eval 'vax_walk $R.2.1.2 | grep -q "\"web01\""'
kill -HUP "$apid"
check "SIGHUP is logged" wait_until 10 grep -q "configuration reloaded" "$T/agent.log"
virsh -q -c "$RW_URI" destroy web01 >/dev/null && virsh -q -c "$RW_URI" start web01 >/dev/null
check "index file written" wait_until 10 test -s "$T/state/index"
vax_restart_snmpd
chgrp nogroup "$T/agentx.sock"
check "registers again after an snmpd restart" \
    wait_until 20 eval 'vax_walk $R.2.1.2 | grep -q "\"web01\""'
kill -TERM "$apid"
rc=0
wait "$spid" || rc=$?
vax__forget "$spid"
check "SIGTERM: exit status 0" test "$rc" -eq 0

# From the agent's execve on (strace -u's own switch comes before it).
sed -n '/execve(/,$p' "$T/out/strace.trace" > "$T/trace"
calls() {
    awk '{ l = $0; sub(/^[0-9]+ +/, "", l)
           if (l ~ /^[a-z_0-9]+\(/) { sub(/\(.*/, "", l); print l } }' "$T/trace" | sort -u
}
calls > "$T/calls"
vax_log "system calls made: $(wc -l < "$T/calls") distinct, $(wc -l < "$T/trace") in all"
check "every system call passes SystemCallFilter=" eval '! comm -23 "$T/calls" "$T/allowed" | grep .'
sed -n 's/.*socket(\(AF_[A-Z0-9]*\).*/\1/p' "$T/trace" | sort -u > "$T/families"
vax_log "socket families used: $(tr '\n' ' ' < "$T/families")"
check "every socket family is in RestrictAddressFamilies=" \
    eval '! grep -v -x -F "$(printf "%s\n" "${families[@]}")" "$T/families"'
# systemd refuses mmap with PROT_WRITE|PROT_EXEC and any mprotect with
# PROT_EXEC; the agent must work (it did, above) with those refused.
grep -E '^[0-9]+ +mmap\(.*PROT_WRITE\|PROT_EXEC' "$T/trace" > "$T/wx" || true
sed 's/^/# W+X mapping asked for: /' "$T/wx"
if [ ${#mdwe[@]} -gt 0 ]; then
    check "every writable+executable mapping was refused, and the agent worked on" \
        eval '! grep -v -E "= -1 (EACCES|EPERM)" "$T/wx"'
fi
check "no mprotect making memory executable (MemoryDenyWriteExecute=)" \
    eval '! grep -E "^[0-9]+ +(pkey_)?mprotect\(.*PROT_EXEC" "$T/trace"'
# Paths opened for writing, created, renamed, removed.
written() {
    grep -E '^[0-9]+ +(open|openat|creat)\(.*"[^"]*", [^)]*(O_WRONLY|O_RDWR|O_CREAT)' "$T/trace" |
        sed 's/^[^"]*"\([^"]*\)".*/\1/'
    grep -E '^[0-9]+ +(rename|renameat2?|unlink|unlinkat|mkdir|mkdirat|rmdir|link|linkat|symlink|symlinkat|f?chmod|f?chmodat|f?chown|fchownat|truncate|mknod|mknodat)\(' "$T/trace" |
        grep -o '"[^"]*"' | tr -d '"'
}
written | sort -u > "$T/written"
sed 's/^/# written: /' "$T/written"
check "writes only in its state directory (ProtectSystem=strict)" \
    eval '! grep -v -e "^$T/state/" -e "^/dev/null$" "$T/written"'
grep -o '"/[^"]*"' "$T/trace" | tr -d '"' | sort -u > "$T/paths"
check "nothing under /home, /root or /run/user (ProtectHome=)" \
    eval '! grep -E "^/(home|root|run/user)(/|$)" "$T/paths"'
check "only the devices PrivateDevices= leaves" \
    eval '! grep -E "^/dev/" "$T/paths" | grep -v -E "^/dev/(null|zero|full|random|urandom|tty|ptmx|pts/.*|shm/.*|log)$"'
vax_done
