#!/usr/bin/env bash
# -U/-G: started as root, the agent switches to nobody with group "users"
# (not nobody's own group) before it connects anywhere, cannot get root
# back, keeps only the descriptors it needs, and still serves, reloads and
# writes its index file as that user. Plus the errors that name -U/-G.
set -u
. "$(dirname "$0")/../lib.sh"

AGENT=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}
[ "$(id -u)" -eq 0 ] || vax_skip "switching users needs root"
getent passwd nobody >/dev/null || vax_skip "no user nobody"
getent group users >/dev/null || vax_skip "no group users"
U=$(id -u nobody) G=$(getent group users | cut -d: -f3)
[ "$G" != "$(id -g nobody)" ] || vax_skip "group users is nobody's own group here"

vax_setup
T=$VAX_TMP
R=.1.3.6.1.4.1.32473.1
[ -x "$AGENT" ] || vax_die "agent not built: $AGENT"

# run EXPECTED_STATUS PATTERN [setpriv ARGS --] AGENT ARGS: exit status and
# output (grep -E).
run() {
    local want=$1 pattern=$2 rc=0
    shift 2
    timeout 10 "$@" > "$T/run.out" 2>&1 < /dev/null || rc=$?
    cat "$T/run.out"
    [ "$rc" -eq "$want" ] || { echo "exit status $rc, expected $want"; return 1; }
    grep -Eq -- "$pattern" "$T/run.out" || { echo "output does not match /$pattern/"; return 1; }
}

# ---- mistakes are refused before anything starts, naming the option ----
check "-U of an unknown user: exit 2 naming -U" \
    run 2 "^virt-agentx: -U no-such-user-vax: no such user$" "$AGENT" -n -c /dev/null -U no-such-user-vax
check "-G of an unknown group: exit 2 naming -G" \
    run 2 "^virt-agentx: -G no-such-group-vax: no such group$" \
    "$AGENT" -n -c /dev/null -U nobody -G no-such-group-vax
check "-G without -U: exit 2" run 2 "^virt-agentx: -G users: needs -U" "$AGENT" -n -c /dev/null -G users
check "a uid without a passwd entry needs -G" \
    run 2 "-U 4242424: no user with this id .* give -G" "$AGENT" -n -c /dev/null -U 4242424
check "a uid and a gid as numbers are fine" run 0 "configuration OK" "$AGENT" -n -c /dev/null -U "$U" -G "$G"
if command -v setpriv >/dev/null && setpriv --reuid="$U" --regid="$U" --clear-groups test -x "$AGENT"; then
    as_nobody=(setpriv --reuid="$U" --regid="$(id -g nobody)" --clear-groups)
    check "not root: -U of another user is an error naming -U" \
        run 2 "^virt-agentx: -U root: switching to another user needs root" "${as_nobody[@]}" "$AGENT" -n -c /dev/null -U root
    check "not root: -U of the user we are is fine" \
        run 0 "configuration OK" "${as_nobody[@]}" "$AGENT" -n -c /dev/null -U nobody
    check "not root: -G of another group is an error naming -G" \
        run 2 "^virt-agentx: -G users: switching to another group needs root" \
        "${as_nobody[@]}" "$AGENT" -n -c /dev/null -U nobody -G users
else
    vax_log "not-root checks left out: no setpriv, or nobody cannot run $AGENT"
fi

# ---- a real run as nobody:users ----
vax_start_libvirtd
vax_load_demo_domains || vax_die "cannot load the demo domains"
vax_start_snmpd
# What the new user needs, granted here and not in lib.sh's defaults: the
# AgentX socket (mode 0660 from agentXPerms) to group users, the index
# file's directory to nobody. libvirt's read-only socket is world-writable
# (unix_sock_ro_perms 0777), so only the URI changes: the -ro socket.
chgrp users "$T/agentx.sock" || vax_die "chgrp on the AgentX socket failed"
mkdir -m 0700 "$T/state" && chown nobody:users "$T/state"
printf 'indexFile %s/state/index\ncacheTimeout 30\n' "$T" > "$T/agent.conf"
export VAX_URI="test+unix:///default?socket=$T/libvirt/libvirt-sock-ro"
# A descriptor the agent inherits (a root-only file here) must not stay
# open in the switched process.
echo secret > "$T/root-only" && chmod 0600 "$T/root-only"
exec 7< "$T/root-only"
VAX_FULL_STACKS=1 vax_start_agent -U nobody -G users   # snmpd restarts below
exec 7<&-
P=$VAX_AGENT_PID
status() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$P/status"; }

check "Uid: real, effective, saved, fs all nobody" test "$(status Uid)" = "$U $U $U $U"
check "Gid: all users ($G), not nobody's own group" test "$(status Gid)" = "$G $G $G $G"
check "supplementary groups: users only (none of root's)" test "$(status Groups)" = "$G"
check "every thread switched too" \
    eval '! grep -h "^Uid:" /proc/$P/task/*/status | grep -v "^Uid:	$U	$U	$U	$U$"'
check "no capabilities left" eval '[ "$(status CapEff)" = 0000000000000000 ] && [ "$(status CapPrm)" = 0000000000000000 ]'
check "NoNewPrivs set" test "$(status NoNewPrivs)" = 1
check "not dumpable: /proc/PID/fd is root's, not nobody's" test "$(stat -c %u "/proc/$P/fd")" = 0

check "serves the domain count as nobody" wait_until 10 eval 'vax_get $R.1.7.0 | grep -q "Gauge32: 4$\|INTEGER: 4$"'
check "serves the domain names" wait_until 10 eval 'vax_walk $R.2.1.2 | grep -q "\"web01\""'
check "index file written by nobody" \
    wait_until 5 eval '[ "$(stat -c %u "$T/state/index" 2>/dev/null)" = "$U" ]'
check "no warning about what the user can reach, but the pid file's" \
    eval '! grep -E "cannot (write in|connect to it)|not readable by|no libvirt URI" "$T/agent.log"'
check "the pid file that stays behind is announced" \
    grep -q "pid file $T/agent.pid: user nobody (-U) cannot remove it at exit" "$T/agent.log"
check "start-up message names the user" grep -q "started .*as user nobody (-U)" "$T/agent.log"

# Descriptors: the log file, stdio, and sockets/pipes/eventfds only; no
# configuration file, index file or pid file left open.
fd_list() { for f in /proc/$P/fd/*; do readlink "$f"; done; }
fd_list > "$T/fds.out"
sed 's/^/# fd: /' "$T/fds.out"
unexpected() {
    grep -v -E "^(/dev/null|$T/agent\.(log|out)|pipe:\[[0-9]+\]|socket:\[[0-9]+\]|anon_inode:\[?(eventfd|eventpoll|timerfd)\]?)$" "$T/fds.out"
}
check "only expected descriptors are open" eval '! unexpected'
check "an inherited descriptor was closed" eval '! grep -q root-only "$T/fds.out"'
check "descriptors 0-2 are stdio, 3 the log file" \
    test "$(readlink /proc/$P/fd/0) $(readlink /proc/$P/fd/2) $(readlink /proc/$P/fd/3)" = \
    "/dev/null $T/agent.out $T/agent.log"
check "the -Lf log file, opened as root, is still open" grep -qx "$T/agent.log" "$T/fds.out"
# Every socket is a unix socket connected to libvirt's -ro socket or to
# the AgentX socket (ss shows the server end's path).
peer_paths() {
    local ino
    ss -xH > "$T/ss.out" 2>/dev/null
    sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' "$T/fds.out" | while read -r ino; do
        awk -v i="$ino" '$6 == i { print $8 }' "$T/ss.out" | while read -r peer; do
            awk -v p="$peer" '$6 == p { print $5 }' "$T/ss.out"
        done | grep . || echo "unconnected-or-not-unix:$ino"
    done
}
peer_paths > "$T/peers.out"
sed 's/^/# socket peer: /' "$T/peers.out"
check "every socket leads to libvirt's -ro socket or the AgentX socket" \
    eval '! grep -v -x -e "$T/libvirt/libvirt-sock-ro" -e "$T/agentx.sock" "$T/peers.out"'
check "one AgentX connection" test "$(grep -cx "$T/agentx.sock" "$T/peers.out")" -eq 1
check "a libvirt connection" grep -qx "$T/libvirt/libvirt-sock-ro" "$T/peers.out"

# SIGHUP re-reads the configuration as nobody.
printf 'indexFile %s/state/index\ncacheTimeout 9\n' "$T" > "$T/agent.conf"
kill -HUP "$P"
check "SIGHUP as nobody: the new cacheTimeout is served" \
    wait_until 5 eval 'vax_get $R.1.8.0 | grep -q "INTEGER: 9$"'
# After an snmpd restart the agent reconnects as nobody.
vax_restart_snmpd
chgrp users "$T/agentx.sock"
check "snmpd restarted: the agent registers again as nobody" \
    wait_until 15 eval 'vax_get $R.1.7.0 | grep -q ": 4$"'
check "SIGTERM: exit status 0" vax_stop_agent

# What the user cannot reach is said at start, naming -U and the fix.
mkdir -m 0755 "$T/rootonly"
printf 'indexFile %s/rootonly/index\n' "$T" > "$T/agent.conf"
chmod 0600 "$T/agent.conf"
: > "$T/agent.log"
vax_start_agent -U nobody -G users
check "unwritable index directory: warned, naming the user and -U" \
    grep -q "index file $T/rootonly/index: user nobody (-U) cannot write in $T/rootonly" "$T/agent.log"
check "unreadable configuration file: warned that SIGHUP cannot re-read it" \
    grep -q "$T/agent.conf: not readable by user nobody (-U).*SIGHUP cannot re-read it" "$T/agent.log"
check "still serving" wait_until 10 eval 'vax_get $R.1.7.0 | grep -q ": 4$"'
check "SIGTERM: exit status 0" vax_stop_agent
chmod 0644 "$T/agent.conf"

# An AgentX socket the user cannot reach: the warning says what to do.
chgrp root "$T/agentx.sock"
printf 'indexFile %s/state/index\n' "$T" > "$T/agent.conf"
: > "$T/agent.log"
"$AGENT" -f -x "$VAX_AGENTX" -u "$VAX_URI" -c "$T/agent.conf" -Lf "$T/agent.log" \
    -U nobody -G users > "$T/agent2.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
pid=$!
VAX_PIDS+=("agent:$pid")
check "unreachable AgentX socket: warned, naming the user and agentXPerms" \
    wait_until 10 grep -q "AgentX socket $T/agentx.sock: user nobody (-U) cannot connect to it (Permission denied).*agentXPerms" "$T/agent.log"
vax__forget "$pid"
check "SIGTERM: exit status 0" vax_kill "$pid" 20
vax_done
