# shellcheck shell=bash
# tests/lib.sh - fixtures for virt-agentx integration tests.
#
# Sourced by the tests run by automake's harness (exit 0 pass, 1 fail,
# 77 skip).  Each test gets its own temp dir, its own loopback ports and its
# own daemons (libvirtd hosting the test driver, snmpd as AgentX master,
# snmptrapd, the agent), so tests can run in parallel (make -j check).
#
#   . "$srcdir/tests/lib.sh"          # or wherever it is
#   vax_setup
#   vax_start_libvirtd; vax_load_demo_domains
#   vax_start_trapd;   vax_start_snmpd;  vax_start_agent
#   check "web01 listed" grep -q web01 <(vax_walk .1.3.6.1.4.1.32473.1.2)
#   vax_done
#
# Functions:
#   vax_setup                     temp dir $VAX_TMP, ports, EXIT trap
#   vax_start_libvirtd / vax_stop_libvirtd, vax_virsh ARGS, vax_load_demo_domains
#   vax_start_trapd, vax_traps    snmptrapd (start it before snmpd)
#   vax_start_snmpd / vax_stop_snmpd / vax_restart_snmpd
#   vax_start_agent [ARGS] / vax_stop_agent (returns the agent's exit status)
#   vax_get OID..., vax_walk OID, vax_set ARGS (community private)
#   check DESC CMD..., require DESC CMD..., ok DESC, not_ok DESC, vax_done
#   wait_until SECONDS CMD..., vax_skip REASON, vax_die REASON
#   vax_free_udp_port / vax_free_tcp_port [EXCLUDE...]   a free loopback port
#   vax_start_tcp NAME SECONDS LOG CMD...   a daemon on a free TCP port (@PORT@)
# Values print as net-snmp does without MIBs: non-ASCII strings (the
# unicode domain name) come back as "Hex-STRING: E6 95 B0 ...".
#
# Environment knobs:
#   VAX_AGENT          agent binary (default: TOP_BUILDDIR/src/virt-agentx)
#   VAX_AGENT_WRAPPER  prefix for the agent, e.g. "valgrind --error-exitcode=99"
#   VAX_KEEP=1         keep the temp dir (its path is printed)
#   VAX_SNMPD_EXTRA    lines appended to the private snmpd's snmpd.conf
#                      (e.g. a createUser for an SNMPv3 test)
#   VAX_TRAP_TCP=1     snmptrapd listens on TCP and snmpd's trap2sink uses it:
#                      no notification lost to a full UDP buffer in a burst
#   VAX_LIBVIRTD_ALL_DRIVERS=1  let libvirtd load its hypervisor/network
#                      driver modules (default: none, only the built-in test
#                      driver is needed; this keeps it fast and side-effect free)
#
# lib.sh sets no shell options; its functions work with or without set -eu.
# Daemons are started in the background and stopped by the EXIT trap.

export LC_ALL=C.UTF-8

# Where things are.  lib.sh lives in SRCDIR/tests.
VAX_TESTS_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VAX_TOP_SRCDIR=$(dirname "$VAX_TESTS_SRCDIR")
VAX_DATA=$VAX_TESTS_SRCDIR/data
VAX_TOP_BUILDDIR=${abs_top_builddir:-${top_builddir:-$VAX_TOP_SRCDIR}}
VAX_TOP_BUILDDIR=$(cd "$VAX_TOP_BUILDDIR" && pwd)
VAX_OID=.1.3.6.1.4.1.32473          # the agent's subtree

VAX_CHECKS=0 VAX_FAILED=0
VAX_PIDS=()                         # "name:pid", stopped in reverse order

# ---------------------------------------------------------------------------
# Small helpers

# vax_die and vax_skip write to the test's own stdout/stderr (saved by
# vax_setup), even when called inside a check whose output is captured.
vax_log() { echo "# $*"; }
vax_die() { echo "ERROR: $*" >&"${VAX_ERR:-2}"; exit 1; }
vax_skip() { echo "SKIP: $*" >&"${VAX_OUT:-1}"; exit 77; }

# wait_until TIMEOUT_SECONDS COMMAND... : poll every 0.2 s until COMMAND
# succeeds (0) or the timeout passes (1).
wait_until() {
    local timeout=$1 deadline
    shift
    deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
    until "$@" >/dev/null 2>&1; do
        (( $(date +%s%N) < deadline )) || return 1
        sleep 0.2
    done
}

# TAP-like checks.  check/ok/not_ok never abort the test; require does.
ok() {
    VAX_CHECKS=$((VAX_CHECKS + 1))
    echo "ok $VAX_CHECKS - $*"
}
not_ok() {
    VAX_CHECKS=$((VAX_CHECKS + 1)) VAX_FAILED=$((VAX_FAILED + 1))
    echo "not ok $VAX_CHECKS - $*"
    VAX_FAILED_LIST="${VAX_FAILED_LIST:-}#   not ok $VAX_CHECKS - $*
"
}
# check_eq DESC EXPECTED ACTUAL: ok if they are equal, else not ok with both.
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
# check "description" COMMAND... : run COMMAND in this shell (so it may start
# daemons or set variables), report ok/not ok; on failure show its output as
# comments.  Returns 0 either way.
check() {
    local desc=$1 out=${VAX_TMP:-}/check.out rc=0
    shift
    if [ -n "${VAX_TMP:-}" ]; then
        "$@" > "$out" 2>&1 || rc=$?
    else
        "$@" || rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        ok "$desc"
    else
        not_ok "$desc (exit $rc)"
        [ -z "${VAX_TMP:-}" ] || [ ! -s "$out" ] || tail -n 40 "$out" | sed 's/^/#   /'
    fi
    return 0
}
# require "description" COMMAND... : like check, but ends the test on failure.
require() {
    local before=$VAX_FAILED
    check "$@"
    [ "$VAX_FAILED" -eq "$before" ] || vax_done
}
# vax_done: print the plan and exit 1 if any check failed, else 0.
vax_done() {
    echo "1..$VAX_CHECKS"
    if [ "$VAX_FAILED" -gt 0 ]; then
        echo "# $VAX_FAILED of $VAX_CHECKS checks failed:"
        # Again here: a CI log often shows only the tail of a test's output.
        printf '%s' "${VAX_FAILED_LIST:-}"
        exit 1
    fi
    exit 0
}

# vax_pid_alive PID: true while PID runs (a zombie counts as gone).
vax_pid_alive() {
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [ -n "$stat" ] && [ "${stat#Z}" = "$stat" ]
}

# vax_kill PID [TIMEOUT]: SIGTERM, wait up to TIMEOUT s (default 10), then
# SIGKILL.  Reaps PID if it is our child.  Returns its exit status if known.
vax_kill() {
    local pid=$1 timeout=${2:-10} rc=0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    if ! wait_until "$timeout" eval '! vax_pid_alive '"$pid"; then
        echo "# pid $pid ignored SIGTERM for ${timeout}s, killing" >&2
        vax__hang_report "$pid" >&2
        kill -KILL "$pid" 2>/dev/null
        rc=137
    fi
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
}

# vax__hang_report PID: what a process that ignores SIGTERM is doing (its
# threads' states and, with gdb, their stacks), as "#" lines for the log:
# a hang in CI is then diagnosed from its log alone.
vax__hang_report() {
    ps -L -o tid=,stat=,wchan:24=,time=,comm= -p "$1" 2>/dev/null | sed 's/^/#   thread /'
    command -v gdb > /dev/null || return 0
    timeout 60 gdb -p "$1" -batch -nx -ex 'thread apply all bt 25' 2>&1 |
        grep -E '^(Thread|#[0-9])' | sed 's/^/#   /'
}

vax__forget() {   # vax__forget PID: drop PID from the cleanup list
    local i
    for i in "${!VAX_PIDS[@]}"; do
        [ "${VAX_PIDS[$i]#*:}" != "$1" ] || unset 'VAX_PIDS[i]'
    done
    VAX_PIDS=("${VAX_PIDS[@]}")
}

# vax_free_udp_port [EXCLUDE...]: a random loopback UDP port in 20000-60000
# that nothing listens on now.  Two tests may still race for one; the start
# functions detect that (the daemon fails to bind) and pick again.
# vax_free_tcp_port [EXCLUDE...]: the same for TCP, in 20000-32767
# (zabbix_server's ListenPort must be below 32768).
vax__free_port() {   # vax__free_port SS-PROTO-FLAGS LOW SPAN [EXCLUDE...]
    local flags=$1 low=$2 span=$3 used port i
    shift 3
    used=" $(ss -Hl"$flags" 2>/dev/null | awk '{ n = split($4, a, ":"); printf "%s ", a[n] }') $* "
    for i in $(seq 200); do
        port=$(( low + (RANDOM * 32768 + RANDOM) % span ))
        case $used in *" $port "*) continue ;; esac
        echo "$port"
        return 0
    done
    return 1
}
vax_free_udp_port() { vax__free_port un 20000 40001 "$@"; }
vax_free_tcp_port() { vax__free_port tn 20000 12768 "$@"; }

# vax_start_tcp NAME SECONDS LOG CMD...: start CMD, in which @PORT@ stands
# for a free loopback TCP port, until it listens there within SECONDS (a
# new port on each of 5 tries: another test may take one first). Sets
# VAX_TCP_PORT and VAX_TCP_PID; the EXIT trap stops it.
vax_start_tcp() {
    local name=$1 secs=$2 log=$3 pid try
    shift 3
    for try in 1 2 3 4 5; do
        VAX_TCP_PORT=$(vax_free_tcp_port) || vax_die "no free TCP port"
        "${@//@PORT@/$VAX_TCP_PORT}" > "$log" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
        pid=$!
        VAX_PIDS+=("$name:$pid")
        if wait_until "$secs" eval "! vax_pid_alive $pid || vax__tcp_owned_by $pid" &&
                vax_pid_alive "$pid"; then
            VAX_TCP_PID=$pid
            return 0
        fi
        vax__forget "$pid"
        vax_kill "$pid" 5 || true
    done
    vax_die "$name did not start (see $log)"
}
vax__tcp_owned_by() { ss -Hltnp "sport = :$VAX_TCP_PORT" 2>/dev/null | grep -q "pid=$1,"; }

# vax_port_owned_by PORT PID: PID listens on loopback UDP PORT.
vax_port_owned_by() {
    ss -Hlunp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"
}

# ---------------------------------------------------------------------------
# Setup and teardown

vax_setup() {
    local base=${TMPDIR:-/tmp}
    VAX_TMP=$(mktemp -d "$base/vax.XXXXXXXX") || vax_die "mktemp failed"
    chmod 755 "$VAX_TMP"
    export VAX_TMP
    # The test's stdout/stderr, for messages from inside captured checks;
    # daemons are started with these closed.
    exec {VAX_OUT}>&1 {VAX_ERR}>&2
    # Every net-snmp process (snmpd, clients, the agent) keeps its state and
    # reads its snmp.conf here, never /var/lib/snmp, /etc/snmp or ~/.snmp.
    export SNMP_PERSISTENT_DIR=$VAX_TMP/snmp-persist
    export SNMPCONFPATH=$VAX_TMP/snmp-conf
    mkdir -p "$SNMP_PERSISTENT_DIR" "$SNMPCONFPATH"
    # No MIB files needed: tests use numeric OIDs (-On).  The MIBS
    # environment variable, when set, overrides this.
    echo "mibs :" > "$SNMPCONFPATH/snmp.conf"
    VAX_SNMP_PORT=$(vax_free_udp_port) || vax_die "no free UDP port"
    VAX_TRAP_PORT=$(vax_free_udp_port "$VAX_SNMP_PORT") || vax_die "no free UDP port"
    export VAX_SNMP_PORT VAX_TRAP_PORT
    export VAX_AGENTX="unix:$VAX_TMP/agentx.sock"
    trap 'vax__cleanup' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

vax__cleanup() {
    local rc=$? i entry f
    trap - EXIT
    trap '' INT TERM HUP    # a second signal must not cut the cleanup short
    exec 1>&"$VAX_OUT" 2>&"$VAX_ERR"
    # Stop in reverse start order: agent, snmpd, trapd, virsh holder, libvirtd.
    for (( i = ${#VAX_PIDS[@]} - 1; i >= 0; i-- )); do
        entry=${VAX_PIDS[$i]}
        vax_kill "${entry#*:}" 10 || true
    done
    VAX_PIDS=()
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "${VAX_TMP:-}" ]; then
        echo "# exit status $rc; logs follow (temp dir $VAX_TMP)"
        for f in "$VAX_TMP"/*.log "$VAX_TMP"/*.out; do
            [ -s "$f" ] || continue
            echo "# ---- tail of $(basename "$f") ----"
            tail -n 30 "$f" | sed 's/^/#   /'
        done
    fi
    if [ -n "${VAX_TMP:-}" ] && [ -d "$VAX_TMP" ]; then
        if [ "${VAX_KEEP:-0}" = 1 ]; then
            echo "# kept $VAX_TMP"
        else
            rm -rf "$VAX_TMP"
        fi
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------
# libvirtd with the test driver

# vax__libvirtd_conf FILE SOCKDIR LOG: a private libvirtd's config: sockets
# in SOCKDIR without authentication, no TCP/TLS, logs to LOG.
vax__libvirtd_conf() {
    cat > "$1" <<EOF
unix_sock_dir = "$2"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
listen_tls = 0
listen_tcp = 0
log_outputs = "3:file:$3"
EOF
}

# vax_start_libvirtd: private libvirtd; exports VAX_LIBVIRT_SOCK and VAX_URI
# (test+unix:///default?socket=...).  Keeps one virsh connected for the
# whole test, because the test driver's shared state (test:///default)
# is thrown away when its last client disconnects.
vax_start_libvirtd() {
    local conf=$VAX_TMP/libvirtd.conf dir=$VAX_TMP/libvirt pid
    command -v libvirtd >/dev/null || vax_skip "libvirtd not installed"
    command -v virsh >/dev/null || vax_skip "virsh not installed"
    mkdir -p "$dir" "$VAX_TMP/libvirt-drivers"
    vax__libvirtd_conf "$conf" "$dir" "$VAX_TMP/libvirtd.log"
    export VAX_LIBVIRT_SOCK=$dir/libvirt-sock
    export VAX_URI="test+unix:///default?socket=$VAX_LIBVIRT_SOCK"
    (
        # Driver modules (qemu, network...) are not needed for the test
        # driver, which is built into libvirt.so: an empty module dir
        # starts libvirtd in a fraction of a second and touches nothing.
        [ "${VAX_LIBVIRTD_ALL_DRIVERS:-0}" = 1 ] ||
            export LIBVIRT_DRIVER_DIR=$VAX_TMP/libvirt-drivers
        if [ "$(id -u)" -eq 0 ]; then
            # Root libvirtd keeps pid files under /run/libvirt: give it a
            # private one in its own mount namespace, so it runs beside any
            # other libvirtd (the host's or another test's).
            # shellcheck disable=SC2016 # "$1" is for sh -c
            exec unshare -m sh -c 'mkdir -p /run/libvirt &&
                mount -t tmpfs tmpfs /run/libvirt &&
                exec libvirtd -f "$1" -p "$2"' sh "$conf" "$VAX_TMP/libvirtd.pid"
        else
            # Session libvirtd: all its state under XDG dirs in the temp dir.
            export XDG_RUNTIME_DIR=$VAX_TMP/xdg/run XDG_CONFIG_HOME=$VAX_TMP/xdg/config
            export XDG_CACHE_HOME=$VAX_TMP/xdg/cache XDG_DATA_HOME=$VAX_TMP/xdg/data
            mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
            exec libvirtd -f "$conf" -p "$VAX_TMP/libvirtd.pid"
        fi
    ) > "$VAX_TMP/libvirtd.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    pid=$!
    VAX_PIDS+=("libvirtd:$pid")
    VAX_LIBVIRTD_PID=$pid
    wait_until 30 eval '! vax_pid_alive '"$pid"' || vax_virsh list --all'
    if ! vax_pid_alive "$pid"; then
        # No mount namespace without CAP_SYS_ADMIN (e.g. some containers).
        ! grep -q '^unshare:' "$VAX_TMP/libvirtd.out" ||
            vax_skip "cannot run a private libvirtd: $(head -n 1 "$VAX_TMP/libvirtd.out")"
        vax_die "libvirtd exited (see $VAX_TMP/libvirtd.out, libvirtd.log)"
    fi
    vax_virsh list --all > /dev/null ||
        vax_die "libvirtd did not answer on $VAX_LIBVIRT_SOCK within 30 s"
    # The holder: an interactive virsh reading commands from a fifo that a
    # sleeping writer keeps open.  It echoes a marker once connected, so we
    # know the shared state is pinned.  Writer and reader are two separate
    # jobs (not a pipeline), so that each can be waited for on its own.
    [ -p "$VAX_TMP/virsh-holder.fifo" ] || mkfifo "$VAX_TMP/virsh-holder.fifo"
    {
        echo "echo vax-holder-connected"
        exec sleep 2147483647
    } > "$VAX_TMP/virsh-holder.fifo" 2>/dev/null < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    VAX_HOLDER_WRITER_PID=$!
    VAX_PIDS+=("virsh-holder-writer:$VAX_HOLDER_WRITER_PID")
    virsh -q -c "$VAX_URI" < "$VAX_TMP/virsh-holder.fifo" > "$VAX_TMP/virsh-holder.out" 2>&1 \
        {VAX_OUT}>&- {VAX_ERR}>&- &
    VAX_HOLDER_PID=$!
    VAX_PIDS+=("virsh-holder:$VAX_HOLDER_PID")
    wait_until 30 grep -q '^vax-holder-connected' "$VAX_TMP/virsh-holder.out" ||
        vax_die "the holder virsh did not connect"
    vax_log "libvirtd pid $pid, URI $VAX_URI"
}

# vax_stop_libvirtd: stop the holder and libvirtd (the test driver's state
# is lost: after vax_start_libvirtd, load the domains again).
vax_stop_libvirtd() {
    local p
    for p in "${VAX_HOLDER_WRITER_PID:-}" "${VAX_HOLDER_PID:-}" "${VAX_LIBVIRTD_PID:-}"; do
        [ -n "$p" ] || continue
        vax__forget "$p"
        vax_kill "$p" 10 || true
    done
    VAX_HOLDER_WRITER_PID='' VAX_HOLDER_PID='' VAX_LIBVIRTD_PID=''
}

# vax_virsh ARGS...: virsh on the shared test driver.
vax_virsh() { virsh -q -c "$VAX_URI" "$@"; }

# vax_load_demo_domains [--keep-test]: define the four demo domains from
# tests/data and leave web01 running, db01 paused, build shut off (defined)
# and 数据库-ü running.  The driver's own running domain "test" is removed
# unless --keep-test is given.
vax_load_demo_domains() {
    local f
    if [ "${1:-}" != --keep-test ]; then
        vax_virsh destroy test >/dev/null || return 1
        vax_virsh undefine test >/dev/null || return 1
    fi
    for f in web01 db01 build unicode; do
        vax_virsh define "$VAX_DATA/dom-$f.xml" >/dev/null || return 1
    done
    vax_virsh start web01 >/dev/null &&
        vax_virsh start db01 >/dev/null &&
        vax_virsh suspend db01 >/dev/null &&
        vax_virsh start '数据库-ü' >/dev/null
}

# ---------------------------------------------------------------------------
# snmptrapd and snmpd

# vax_start_trapd: snmptrapd on udp:127.0.0.1:$VAX_TRAP_PORT logging every
# trap (numeric OIDs) to $VAX_TMP/traps.log.  Start it before snmpd: snmpd's
# trap2sink points at this port, which changes if it was taken meanwhile.
vax_start_trapd() {
    local conf=$VAX_TMP/snmptrapd.conf pid
    command -v snmptrapd >/dev/null || vax_skip "snmptrapd not installed"
    # One line per notification: "TRAP" and its varbinds, tab-separated.
    printf 'disableAuthorization yes\nformat2 TRAP\t%%v\\n\n' > "$conf"
    for _ in 1 2 3 4 5; do
        : > "$VAX_TMP/traps.log"
        MIBS='' snmptrapd -f -C -c "$conf" -Lf "$VAX_TMP/traps.log" -On \
            -p "$VAX_TMP/snmptrapd.pid" "$(vax__trap_proto):127.0.0.1:$VAX_TRAP_PORT" \
            > "$VAX_TMP/snmptrapd.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
        pid=$!
        VAX_PIDS+=("snmptrapd:$pid")
        if wait_until 15 eval '! vax_pid_alive '"$pid"' || vax__trapd_listens '"$pid" &&
            vax_pid_alive "$pid"; then
            export VAX_TRAPD_PID=$pid
            vax_log "snmptrapd pid $pid on $(vax__trap_proto):127.0.0.1:$VAX_TRAP_PORT"
            return 0
        fi
        vax__forget "$pid"
        vax_kill "$pid" 2 || true
        [ -z "${VAX_SNMPD_PID:-}" ] || vax_die "snmptrapd failed on port $VAX_TRAP_PORT"
        VAX_TRAP_PORT=$(vax_free_udp_port "$VAX_SNMP_PORT")
    done
    vax_die "snmptrapd did not start (see $VAX_TMP/traps.log)"
}

vax__trap_proto() { if [ "${VAX_TRAP_TCP:-0}" = 1 ]; then echo tcp; else echo udp; fi; }
vax__trapd_listens() {   # vax__trapd_listens PID: on $VAX_TRAP_PORT
    if [ "$(vax__trap_proto)" = tcp ]; then
        ss -Hltnp "sport = :$VAX_TRAP_PORT" 2>/dev/null | grep -q "pid=$1,"
    else
        vax_port_owned_by "$VAX_TRAP_PORT" "$1"
    fi
}

# vax_traps: the trap log so far.
vax_traps() { cat "$VAX_TMP/traps.log"; }

vax__snmpd_conf() {
    # snmpd.conf.example itself, with this test's ports and paths: the
    # example is what every integration test runs.  Plus a write
    # community (SET tests must reach the agent) and a marker sysLocation.
    sed -e "s|^agentaddress .*|agentaddress udp:127.0.0.1:$VAX_SNMP_PORT|" \
        -e "s|^agentXSocket .*|agentXSocket $VAX_AGENTX|" \
        -e "s|^agentXPerms .*|agentXPerms 0660 0770|" \
        -e "s|^trap2sink .*|trap2sink $(vax__trap_proto):127.0.0.1:$VAX_TRAP_PORT public|" \
        "$VAX_TOP_SRCDIR/snmpd.conf.example" > "$VAX_TMP/snmpd.conf" || return 1
    cat >> "$VAX_TMP/snmpd.conf" <<EOF
rwcommunity private 127.0.0.1 -V virtview
sysLocation vax:$VAX_TMP
sysContact virt-agentx tests
EOF
    [ -z "${VAX_SNMPD_EXTRA:-}" ] || printf '%s\n' "$VAX_SNMPD_EXTRA" >> "$VAX_TMP/snmpd.conf"
}

# vax_snmpd_is_ours: the snmpd answering on our port is the one we started
# (its sysLocation names our temp dir).
vax_snmpd_is_ours() {
    snmpget -v2c -c public -r 0 -t 1 -Oqv "127.0.0.1:$VAX_SNMP_PORT" \
        1.3.6.1.2.1.1.6.0 2>/dev/null | grep -qxF "\"vax:$VAX_TMP\"" || return 1
    snmpget -v2c -c public -r 0 -t 1 "127.0.0.1:$VAX_SNMP_PORT" \
        1.3.6.1.2.1.1.3.0 >/dev/null 2>&1
}

# vax_start_snmpd: private snmpd, AgentX master on $VAX_AGENTX, SNMP on
# udp:127.0.0.1:$VAX_SNMP_PORT (communities public/ro and private/rw).
vax_start_snmpd() {
    local pid
    command -v snmpd >/dev/null || vax_skip "snmpd not installed"
    for _ in 1 2 3 4 5; do
        vax__snmpd_conf
        MIBS='' snmpd -f -C -c "$VAX_TMP/snmpd.conf" -p "$VAX_TMP/snmpd.pid" \
            -Lf "$VAX_TMP/snmpd.log" > "$VAX_TMP/snmpd.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
        pid=$!
        VAX_PIDS+=("snmpd:$pid")
        if wait_until 30 eval '! vax_pid_alive '"$pid"' || vax_snmpd_is_ours' &&
            vax_pid_alive "$pid"; then
            VAX_SNMPD_PID=$pid
            vax_log "snmpd pid $pid on udp:127.0.0.1:$VAX_SNMP_PORT, AgentX $VAX_AGENTX"
            return 0
        fi
        vax__forget "$pid"
        vax_kill "$pid" 2 || true
        if grep -q 'Error opening specified endpoint' "$VAX_TMP/snmpd.log" 2>/dev/null; then
            VAX_SNMP_PORT=$(vax_free_udp_port "$VAX_TRAP_PORT")
            continue
        fi
        break
    done
    VAX_SNMPD_PID=
    vax_die "snmpd did not start (see $VAX_TMP/snmpd.log)"
}

vax_stop_snmpd() {
    [ -n "${VAX_SNMPD_PID:-}" ] || return 0
    vax__forget "$VAX_SNMPD_PID"
    vax_kill "$VAX_SNMPD_PID" 10 || true
    VAX_SNMPD_PID=
}

vax_restart_snmpd() {
    vax_stop_snmpd
    vax_start_snmpd
}

# ---------------------------------------------------------------------------
# The agent

# vax_start_agent [EXTRA ARGS...]: start the agent against our snmpd and
# libvirtd (test:///default in-process if none was started) and wait until
# it serves virtAgentVersion, or $VAX_READY_OID if set (30 s, 120 s under
# VAX_AGENT_WRAPPER): a STRING instance of a MIB it serves.
vax_start_agent() {
    local agent=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx} pid
    local timeout=30
    [ -z "${VAX_AGENT_WRAPPER:-}" ] || timeout=120
    local -a cmd=()
    [ -x "$agent" ] || vax_die "agent not found: $agent (set VAX_AGENT or build it)"
    [ -f "$VAX_TMP/agent.conf" ] || echo "indexFile $VAX_TMP/index" > "$VAX_TMP/agent.conf"
    # shellcheck disable=SC2206 # the wrapper is a word list on purpose
    [ -z "${VAX_AGENT_WRAPPER:-}" ] || cmd=($VAX_AGENT_WRAPPER)
    # A libtool wrapper script must be run through libtool for a wrapper
    # like valgrind to see the real binary.
    if [ ${#cmd[@]} -gt 0 ] && [ -x "$VAX_TOP_BUILDDIR/libtool" ] &&
        head -n 5 "$agent" | grep -q 'temporary wrapper script'; then
        cmd=("$VAX_TOP_BUILDDIR/libtool" --mode=execute "${cmd[@]}")
    fi
    cmd+=("$agent" -f -x "$VAX_AGENTX" -u "${VAX_URI:-test:///default}"
          -c "$VAX_TMP/agent.conf" -Lf "$VAX_TMP/agent.log"
          -p "$VAX_TMP/agent.pid" "$@")
    # VAX_FULL_STACKS=1, for a test that restarts snmpd under the agent:
    # net-snmp then loses a peer address (tests/lsan.supp). libnetsnmp has
    # no frame pointers, so ASan's fast unwinder cuts that allocation's
    # stack short at random and the suppression misses it; the slow one
    # is complete. Too slow for every test (hostile.sh's churn starves).
    [ "${VAX_FULL_STACKS:-0}" = 0 ] ||
        cmd=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0" "${cmd[@]}")
    echo "${cmd[*]}" > "$VAX_TMP/agent.cmd"
    "${cmd[@]}" > "$VAX_TMP/agent.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    pid=$!
    VAX_PIDS+=("agent:$pid")
    VAX_AGENT_PID=$pid
    if ! wait_until "$timeout" eval '! vax_pid_alive '"$pid"' || vax_get_raw '"${VAX_READY_OID:-$VAX_OID.1.1.5.0}"' | grep -q "STRING:"'; then
        vax_die "agent did not register within $timeout s"
    fi
    if ! vax_pid_alive "$pid"; then
        vax__forget "$pid"
        VAX_AGENT_PID=
        local st=0
        wait "$pid" || st=$?
        vax_die "agent exited with status $st before registering"
    fi
    vax_log "agent pid $pid: ${cmd[*]}"
}

# vax_stop_agent: SIGTERM the agent, wait up to 20 s (60 s under
# VAX_AGENT_WRAPPER), return its exit status (137 if it had to be killed).
vax_stop_agent() {
    local pid=${VAX_AGENT_PID:-} rc=0 timeout=20
    [ -n "$pid" ] || return 0
    [ -z "${VAX_AGENT_WRAPPER:-}" ] || timeout=60
    vax__forget "$pid"
    VAX_AGENT_PID=
    vax_kill "$pid" "$timeout" || rc=$?
    return "$rc"
}

# ---------------------------------------------------------------------------
# SNMP clients (numeric OIDs; -r/-t keep a dead agent from stalling tests)

vax_get_raw() {
    snmpget -v2c -c public -On -r 1 -t 2 "127.0.0.1:$VAX_SNMP_PORT" "$@" 2>&1
}
vax_get() {
    snmpget -v2c -c public -On -Oe -r 1 -t 2 "127.0.0.1:$VAX_SNMP_PORT" "$@"
}
vax_walk() {
    snmpbulkwalk -v2c -c public -On -Oe -Cr50 -r 1 -t 5 "127.0.0.1:$VAX_SNMP_PORT" "$@"
}
vax_set() {
    snmpset -v2c -c private -On -r 1 -t 5 "127.0.0.1:$VAX_SNMP_PORT" "$@"
}

# ---------------------------------------------------------------------------
# libvirtd with the QEMU driver: real guests under TCG
#
#   vax_setup
#   vax_start_libvirtd_qemu            # skips (77) without root/QEMU
#   vax_qemu_guest g1 tapg1            # running transient guest, I/O looping
#   vax_virsh domstats --raw g1
#   pid=$(vax_qemu_pid g1)
#   vax_done                           # destroys guests, stops the daemons
#
# One private virtlogd and one private libvirtd, with every driver module
# (qemu, network, storage, nodedev...), share a private mount namespace in
# which /run/libvirt is a tmpfs and /etc/libvirt, /var/lib/libvirt and
# /var/log/libvirt are bind mounts of directories in $VAX_TMP/qemu-ns, so
# that nothing of the host's (or another test's) libvirt is seen or touched:
# no host networks/pools/hooks/domains are loaded, `virsh define` writes to
# $VAX_TMP/qemu-ns/etc/qemu, guest logs go to $VAX_TMP/qemu-ns/log/qemu.
# /var/cache/libvirt (QEMU capabilities cache, which makes a warm start take
# a fraction of a second instead of several) is the host's, shared, unless
# VAX_QEMU_PRIVATE_CACHE=1.  The network namespace is the host's: the guests'
# tap devices are host interfaces (what snmpd's IF-MIB sees), so concurrent
# tests must use distinct tap names; and distinct guest names, since two
# private libvirtds that give the same name the same domain id (both count
# from 1) put both QEMUs in one cgroup (machine/qemu-1-NAME.libvirt-qemu)
# and cpu.time then counts both.  A suffix like $$ does it.
#
# Exports VAX_URI (qemu+unix:///system?socket=...), VAX_LIBVIRT_SOCK,
# VAX_LIBVIRTD_PID, VAX_VIRTLOGD_PID, VAX_QEMU_NS (the state dirs).
# Guests: VAX_QEMU_UUID/VAX_QEMU_TAP/VAX_QEMU_PID of the last one made, and
# VAX_QEMU_UUIDS[NAME], VAX_QEMU_TAPS[NAME].
#
# At exit (before lib.sh's own cleanup) every domain is destroyed (SIGCONT
# first, for guests a test stopped), libvirtd and virtlogd are stopped, and
# any QEMU process of ours that survived is killed and reported.

# shellcheck disable=SC2034 # for the tests
declare -gA VAX_QEMU_UUIDS=() VAX_QEMU_TAPS=()
VAX_QEMU_PIDS=()        # every qemu pid seen, for the last-resort kill

vax_start_libvirtd_qemu() {
    local ns=$VAX_TMP/qemu-ns dir=$VAX_TMP/libvirt-qemu cache=0 t0 pid lpid cmd kvm
    [ "$(id -u)" -eq 0 ] || vax_skip "QEMU guests need root (system libvirtd, tap devices)"
    [ -x /usr/bin/qemu-system-x86_64 ] || vax_skip "no /usr/bin/qemu-system-x86_64 (apt-get install qemu-system-x86)"
    for cmd in qemu-img virtlogd libvirtd virsh unshare nsenter; do
        command -v "$cmd" >/dev/null || vax_skip "$cmd not installed"
    done
    [ -c /dev/net/tun ] || vax_skip "no /dev/net/tun for the guests' tap devices"
    [ -z "${VAX_LIBVIRTD_PID:-}" ] || vax_die "a libvirtd was already started (pid $VAX_LIBVIRTD_PID)"
    [ "${VAX_QEMU_PRIVATE_CACHE:-0}" != 1 ] || cache=1
    mkdir -p "$dir" "$ns/etc" "$ns/lib" "$ns/log" "$ns/cache" /run/libvirt || return 1
    chmod 755 "$ns" "$ns/etc" "$ns/lib" "$ns/log" "$ns/cache"
    export VAX_QEMU_NS=$ns
    cat > "$ns/etc/qemu.conf" <<'EOF'
# virt-agentx tests: QEMU driver defaults (user libvirt-qemu, dynamic
# ownership, cgroups), no MAC security driver (nothing to load into a
# host-wide AppArmor/SELinux), stdio through the private virtlogd.
security_driver = "none"
stdio_handler = "logd"
EOF
    vax__libvirtd_conf "$VAX_TMP/libvirtd-qemu.conf" "$dir" "$VAX_TMP/libvirtd-qemu.log"
    echo "log_outputs = \"3:file:$VAX_TMP/virtlogd.log\"" > "$VAX_TMP/virtlogd.conf"
    export VAX_LIBVIRT_SOCK=$dir/libvirt-sock
    export VAX_URI="qemu+unix:///system?socket=$VAX_LIBVIRT_SOCK"
    # /dev/kvm as Debian's udev leaves it (0660, group kvm) inside the
    # namespace, whatever the host did with it. Where only root can open it
    # (containers without udev), libvirt probes QEMU with KVM as root, then
    # finds KVM unusable by libvirt-qemu, declares its capabilities stale and
    # probes again: about 60 s per guest start, with stats calls queued
    # behind it. The guests run TCG either way.
    kvm=
    if [ -c /dev/kvm ] && getent group kvm > /dev/null; then
        kvm="$(( 0x$(stat -c %t /dev/kvm) )) $(( 0x$(stat -c %T /dev/kvm) ))"
    fi
    t0=$(date +%s%N)
    # virtlogd makes the namespace; libvirtd joins it.  Both are exec'd, so
    # $! is the daemon itself (no daemonizing: they stay our children).
    # shellcheck disable=SC2016 # "$1".. are for sh -c
    unshare -m --propagation private sh -c 'set -e
        mount -t tmpfs -o mode=0755 tmpfs /run/libvirt
        mount --bind "$1/etc" /etc/libvirt
        mount --bind "$1/lib" /var/lib/libvirt
        mount --bind "$1/log" /var/log/libvirt
        [ "$2" = 0 ] || mount --bind "$1/cache" /var/cache/libvirt
        if [ -n "$5" ]; then
            mknod -m 0660 "$1/kvm" c $5 && chgrp kvm "$1/kvm"
            mount --bind "$1/kvm" /dev/kvm
        fi
        exec virtlogd -f "$3" -p "$4"' sh "$ns" "$cache" \
        "$VAX_TMP/virtlogd.conf" "$VAX_TMP/virtlogd.pid" "$kvm" \
        > "$VAX_TMP/virtlogd.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    pid=$!
    VAX_PIDS+=("virtlogd:$pid")
    VAX_VIRTLOGD_PID=$pid
    # Its pid file is written once its socket is set up in the namespace.
    # shellcheck disable=SC2016 # $VAX_TMP is expanded by eval
    wait_until 30 eval '! vax_pid_alive '"$pid"' || [ -s "$VAX_TMP/virtlogd.pid" ]' || true
    if ! vax_pid_alive "$pid"; then
        ! grep -q '^unshare:\|^mount:' "$VAX_TMP/virtlogd.out" ||
            vax_skip "cannot make a private mount namespace: $(head -n 1 "$VAX_TMP/virtlogd.out")"
        vax_die "virtlogd exited (see $VAX_TMP/virtlogd.out, virtlogd.log)"
    fi
    nsenter -t "$pid" -m -- libvirtd -f "$VAX_TMP/libvirtd-qemu.conf" -p "$VAX_TMP/libvirtd-qemu.pid" \
        > "$VAX_TMP/libvirtd-qemu.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    lpid=$!
    VAX_PIDS+=("libvirtd-qemu:$lpid")
    VAX_LIBVIRTD_PID=$lpid
    export VAX_VIRTLOGD_PID VAX_LIBVIRTD_PID
    wait_until 90 eval '! vax_pid_alive '"$lpid"' || vax_virsh list --all' || true
    vax_pid_alive "$lpid" ||
        vax_die "libvirtd exited (see $VAX_TMP/libvirtd-qemu.out, libvirtd-qemu.log)"
    vax_virsh list --all > /dev/null ||
        vax_die "libvirtd did not answer on $VAX_LIBVIRT_SOCK within 90 s"
    # Destroy the guests before lib.sh's cleanup stops the daemons.
    if [ -z "${VAX__QEMU_EXIT_CHAINED:-}" ]; then
        VAX__QEMU_EXIT_CHAINED=1
        eval "set -- $(trap -p EXIT)"
        VAX__QEMU_OLD_EXIT=${3:-}
        trap 'vax__qemu_exit' EXIT
    fi
    vax_log "libvirtd (qemu) pid $lpid, virtlogd pid $pid, up in" \
        "$(( ($(date +%s%N) - t0) / 1000000 )) ms, URI $VAX_URI"
}

vax__qemu_rc() { return "$1"; }
vax__qemu_exit() {
    local rc=$?
    set +e      # the cleanup must run to its end, whatever the test's options
    vax_stop_libvirtd_qemu 1>&"${VAX_OUT:-1}" 2>&"${VAX_ERR:-2}"
    vax__qemu_rc "$rc"
    eval "$VAX__QEMU_OLD_EXIT"
}

# vax__qemu_ns CMD...: run CMD in the private mount namespace.
vax__qemu_ns() {
    local p=${VAX_LIBVIRTD_PID:-}
    vax_pid_alive "${p:-0}" || p=${VAX_VIRTLOGD_PID:-}
    vax_pid_alive "${p:-0}" || return 1
    nsenter -t "$p" -m -- "$@"
}

# vax__qemu_running_pids: pids of all QEMU processes of our libvirtd (from
# its pid files), plus any recorded earlier that are still alive.
vax__qemu_running_pids() {
    local p
    {
        vax__qemu_ns sh -c 'cat /run/libvirt/qemu/*.pid 2>/dev/null; echo' 2>/dev/null
        printf '%s\n' "${VAX_QEMU_PIDS[@]}"
    } | sort -un | while read -r p; do
        if [ -n "$p" ] && vax_pid_alive "$p"; then echo "$p"; fi
    done
    return 0
}

# vax_stop_libvirtd_qemu: destroy every domain, stop libvirtd and virtlogd,
# kill any surviving QEMU.  Returns 1 if a QEMU had to be killed by hand.
# Safe to call twice (the EXIT hook calls it again).
vax_stop_libvirtd_qemu() {
    local p name rc=0 left
    [ -n "${VAX_LIBVIRTD_PID:-}${VAX_VIRTLOGD_PID:-}" ] || return 0
    for p in $(vax__qemu_running_pids); do
        VAX_QEMU_PIDS+=("$p")
        kill -CONT "$p" 2>/dev/null || true # a SIGSTOPped QEMU cannot die of SIGTERM
    done
    if [ -n "${VAX_LIBVIRTD_PID:-}" ] && vax_pid_alive "$VAX_LIBVIRTD_PID"; then
        timeout 30 virsh -q -c "$VAX_URI" list --name 2>/dev/null | while read -r name; do
            [ -z "$name" ] || timeout 30 virsh -q -c "$VAX_URI" destroy "$name" >/dev/null 2>&1 || true
        done || true
        # A libvirt network's dnsmasq, bridge and firewall rules are the
        # host's: libvirtd takes them down while it still runs.
        for name in ${VAX_NETWORKS[@]+"${VAX_NETWORKS[@]}"}; do
            timeout 30 virsh -q -c "$VAX_URI" net-destroy "$name" > /dev/null 2>&1 || rc=1
        done
        VAX_NETWORKS=()
    fi
    for p in "${VAX_LIBVIRTD_PID:-}" "${VAX_VIRTLOGD_PID:-}"; do
        [ -n "$p" ] || continue
        vax__forget "$p"
        vax_kill "$p" 15 || true
    done
    VAX_LIBVIRTD_PID='' VAX_VIRTLOGD_PID=''
    left=$(for p in "${VAX_QEMU_PIDS[@]}"; do ! vax_pid_alive "$p" || echo "$p"; done)
    for p in $left; do
        echo "# qemu pid $p survived its libvirtd: killing it ($(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-80))"
        kill -CONT "$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
        rc=1
    done
    return "$rc"
}

# vax_qemu_guest_xml NAME [TAPNAME]: make NAME's disk images in
# $VAX_TMP/qemu-images and print the path of its domain XML: 64 MiB,
# 2 vCPUs, TCG (type='qemu'), vda = qcow2 boot disk holding
# tests/qemu/bootsector.sh (int 13h read/write loop on vda and vdb),
# vdb = blank qcow2, 32 MiB each; an ethernet NIC (virtio) on a managed tap
# TAPNAME (default tap-NAME cut to 15 characters), a user-mode NIC (e1000,
# no host device), a virtio balloon with 1 s stats, no graphics.
vax_qemu_guest_xml() {
    local name=$1 tap=${2:-} img=$VAX_TMP/qemu-images
    [ -n "$tap" ] || tap=tap-$name
    tap=${tap:0:15}
    case $tap in
        vnet*|macvtap*|macvlan*) vax_die "tap name $tap: libvirt reserves that prefix" ;;
    esac
    mkdir -p "$img" && chmod 755 "$img" || return 1
    bash "$VAX_TESTS_SRCDIR/qemu/bootsector.sh" "$img/$name-boot.raw" || return 1
    truncate -s 32M "$img/$name-boot.raw" &&
        qemu-img convert -f raw -O qcow2 "$img/$name-boot.raw" "$img/$name-vda.qcow2" &&
        rm -f "$img/$name-boot.raw" &&
        qemu-img create -q -f qcow2 "$img/$name-vdb.qcow2" 32M || return 1
    chmod 644 "$img/$name-vda.qcow2" "$img/$name-vdb.qcow2"
    cat > "$img/$name.xml" <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$img/$name-vda.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <boot order='1'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$img/$name-vdb.qcow2'/>
      <target dev='vdb' bus='virtio'/>
      <boot order='2'/>
    </disk>
    <interface type='ethernet'>
      <target dev='$tap' managed='yes'/>
      <model type='virtio'/>
      <rom enabled='no'/>
    </interface>
    <interface type='user'>
      <model type='e1000'/>
      <rom enabled='no'/>
    </interface>
    <serial type='pty'/>
    <console type='pty'/>
    <memballoon model='virtio'>
      <stats period='1'/>
    </memballoon>
  </devices>
</domain>
EOF
    echo "$img/$name.xml"
}

# vax_qemu_guest NAME [TAPNAME]: create (transient) and start guest NAME
# (see vax_qemu_guest_xml).  Sets VAX_QEMU_UUID, VAX_QEMU_TAP, VAX_QEMU_PID
# and VAX_QEMU_UUIDS[NAME], VAX_QEMU_TAPS[NAME]; logs them.
vax_qemu_guest() {
    local name=$1 tap=${2:-} xml t0 ms cg
    [ -n "$tap" ] || tap=tap-$name
    tap=${tap:0:15}
    xml=$(vax_qemu_guest_xml "$name" "$tap") || vax_die "cannot make guest $name's images"
    if command -v setpriv >/dev/null && id libvirt-qemu >/dev/null 2>&1 &&
        ! setpriv --reuid=libvirt-qemu --regid="$(id -g libvirt-qemu)" --clear-groups \
            test -r "$VAX_TMP/qemu-images/$name-vdb.qcow2"; then
        vax_die "user libvirt-qemu cannot read $VAX_TMP/qemu-images: a parent dir lacks o+x (TMPDIR?)"
    fi
    # Taps and guest cgroups are host-wide: another test's would clash.
    [ ! -e "/sys/class/net/$tap" ] ||
        vax_die "tap $tap already exists on the host (another test's? tap names must be unique)"
    for cg in /sys/fs/cgroup/machine/qemu-*-"$name".libvirt-qemu \
        /sys/fs/cgroup/*/machine/qemu-*-"$name".libvirt-qemu; do
        [ -d "$cg" ] || continue
        vax_log "WARNING: a guest named $name already runs on this host ($cg): with the" \
            "same domain id both share that cgroup and cpu.time counts both; use unique names"
        break
    done
    t0=$(date +%s%N)
    vax_virsh create "$xml" > "$VAX_TMP/qemu-create-$name.out" 2>&1 ||
        vax_die "virsh create $name failed: $(cat "$VAX_TMP/qemu-create-$name.out")"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    VAX_QEMU_UUID=$(vax_virsh domuuid "$name") || vax_die "no UUID for $name"
    VAX_QEMU_TAP=$tap
    VAX_QEMU_PID=$(vax_qemu_pid "$name") || vax_die "no qemu process for $name"
    VAX_QEMU_PIDS+=("$VAX_QEMU_PID")
    # shellcheck disable=SC2034 # for the tests
    VAX_QEMU_UUIDS[$name]=$VAX_QEMU_UUID
    # shellcheck disable=SC2034
    VAX_QEMU_TAPS[$name]=$tap
    export VAX_QEMU_UUID VAX_QEMU_TAP VAX_QEMU_PID
    vax_log "guest $name uuid $VAX_QEMU_UUID tap $tap qemu pid $VAX_QEMU_PID (created in $ms ms)"
}

# vax_qemu_pid NAME: the pid of guest NAME's QEMU process (from libvirt's pid
# file inside the private namespace; else the unique process whose command
# line has "guest=NAME," and one of our paths).
vax_qemu_pid() {
    local name=$1 pid p
    pid=$(vax__qemu_ns cat "/run/libvirt/qemu/$name.pid" 2>/dev/null) || pid=''
    if [ -n "$pid" ] && vax_pid_alive "$pid"; then
        echo "$pid"
        return 0
    fi
    pid=''
    for p in $(pgrep -f -- "-name guest=$name," || true); do
        grep -qF "$VAX_TMP/" "/proc/$p/cmdline" 2>/dev/null || continue
        [ -z "$pid" ] || return 1       # ambiguous
        pid=$p
    done
    [ -n "$pid" ] && echo "$pid"
}

# ---- real Linux guests (tests/guest): a kernel, busybox and qemu-ga ----
# vax_linux_image: build (or reuse) the guest image in the build tree and
# set VAX_LINUX_KERNEL, VAX_LINUX_INITRD, VAX_LINUX_KVER. Skips, saying
# why, when a part is missing (tests/guest/build-image.sh).
vax_linux_image() {
    local dir=${abs_top_builddir:-$VAX_TESTS_SRCDIR/..}/tests/guest-image t0 rc=0 out
    t0=$(date +%s%N)
    out=$(bash "$VAX_TESTS_SRCDIR/guest/build-image.sh" "$dir" 2>"$VAX_TMP/guest-image.err") || rc=$?
    [ "$rc" -ne 77 ] || vax_skip "$(sed -n 's/^SKIP: //p' "$VAX_TMP/guest-image.err" | head -n 1)"
    [ "$rc" -eq 0 ] || vax_die "building the guest image failed: $(tail -n 3 "$VAX_TMP/guest-image.err")"
    VAX_LINUX_KVER=$out VAX_LINUX_KERNEL=$dir/vmlinuz VAX_LINUX_INITRD=$dir/initrd.gz
    export VAX_LINUX_KVER VAX_LINUX_KERNEL VAX_LINUX_INITRD
    vax_log "guest image: kernel $out, initrd $(( $(stat -c %s "$VAX_LINUX_INITRD") / 1024 )) KiB" \
        "($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
}

# vax_linux_guest_xml NAME TAP NET [NETWORK]: print the path of NAME's
# domain XML (and make its data disk): 192 MiB, 2 vCPUs, TCG, direct boot
# of the image (vax_linux_image), vda = a raw ext4 disk the guest writes
# and fsyncs to once a second, a virtio NIC on managed tap TAP with the
# guest at NET.2/30 pinging the host at NET.1, a virtio balloon (2 s
# stats), the guest agent's channel, ACPI, an ISA panic device, the
# console in $VAX_TMP/qemu-images/NAME.console; on_crash destroy. With
# NETWORK, a second virtio NIC on that libvirt network, which the guest
# configures by DHCP (vax_libvirt_network).
vax_linux_guest_xml() {
    local name=$1 tap=$2 net=$3 img=$VAX_TMP/qemu-images nic2=
    [ -z "${4:-}" ] || nic2="<interface type='network'><source network='$4'/><model type='virtio'/><rom enabled='no'/></interface>"
    mkdir -p "$img" && chmod 755 "$img" || return 1
    if [ ! -e "$img/$name-data.raw" ]; then
        truncate -s 64M "$img/$name-data.raw" && mkfs.ext4 -q -F "$img/$name-data.raw" || return 1
        chmod 666 "$img/$name-data.raw"
    fi
    cat > "$img/$name.xml" <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>192</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VAX_LINUX_KERNEL</kernel>
    <initrd>$VAX_LINUX_INITRD</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 vax.ip=$net.2/30 vax.peer=$net.1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$img/$name-data.raw'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='ethernet'>
      <target dev='$tap' managed='yes'/>
      <model type='virtio'/>
      <rom enabled='no'/>
    </interface>
    $nic2
    <serial type='file'><source path='$img/$name.console' append='on'/></serial>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <memballoon model='virtio'><stats period='2'/></memballoon>
    <panic model='isa'/>
  </devices>
</domain>
EOF
    echo "$img/$name.xml"
}

# vax_private_mounts REASON "$@" (before anything starts): run the rest
# of the script in a private mount namespace of its own (re-exec under
# unshare), so that what it mounts is seen by the daemons it starts and
# by no process of the host's; skips, saying why, without root or unshare.
vax_private_mounts() {
    local why=$1
    shift
    [ "${VAX_PRIVATE_MOUNTS:-}" != 1 ] || return 0
    [ "$(id -u)" -eq 0 ] || vax_skip "needs root ($why)"
    command -v unshare > /dev/null || vax_skip "unshare not installed (util-linux)"
    unshare -m --propagation private true 2> /dev/null ||
        vax_skip "cannot make a private mount namespace: $(unshare -m true 2>&1 | head -n 1)"
    VAX_PRIVATE_MOUNTS=1 exec unshare -m --propagation private -- "$BASH" "$0" "$@"
}

# vax_libvirt_network NAME BRIDGE NET: an isolated libvirt network NAME
# (bridge BRIDGE, NET.1/24, DHCP NET.100-200 by libvirt's dnsmasq), started;
# the EXIT trap destroys it. Skips without dnsmasq.
vax_libvirt_network() {
    command -v dnsmasq > /dev/null || vax_skip "dnsmasq not installed (apt-get install dnsmasq-base)"
    cat > "$VAX_TMP/net-$1.xml" <<EOF
<network><name>$1</name><bridge name='$2' stp='off'/>
  <ip address='$3.1' netmask='255.255.255.0'><dhcp><range start='$3.100' end='$3.200'/></dhcp></ip>
</network>
EOF
    vax_virsh net-define "$VAX_TMP/net-$1.xml" > /dev/null && vax_virsh net-start "$1" > /dev/null ||
        vax_die "cannot start libvirt network $1 (libvirtd-qemu.log: $(tail -n 2 "$VAX_TMP/libvirtd-qemu.log"))"
    VAX_NETWORKS+=("$1")
}

# vax_linux_up NAME NET [TIMEOUT]: after a start, give the host's end of
# NAME's tap its address (a new QEMU has a new tap) and wait until the
# guest agent answers (default 90 s). Logs how long it took.
vax_linux_up() {
    local name=$1 net=$2 t0 tap
    t0=$(date +%s%N)
    tap=$(vax_virsh domiflist "$name" | awk 'NR > 0 && $2 == "ethernet" { print $1; exit }')
    [ -n "$tap" ] || vax_die "guest $name has no tap"
    ip addr replace "$net.1/30" dev "$tap" && ip link set "$tap" up || vax_die "cannot address $tap"
    wait_until "${3:-90}" eval 'vax_virsh qemu-agent-command "$name" "{\"execute\":\"guest-ping\"}" > /dev/null 2>&1' ||
        vax_die "guest $name: no answer from its agent in ${3:-90} s (console: $(tail -n 3 "$VAX_TMP/qemu-images/$name.console" 2>/dev/null))"
    VAX_QEMU_PIDS+=("$(vax_qemu_pid "$name")")
    vax_log "guest $name: agent answers $(( ($(date +%s%N) - t0) / 1000000 )) ms after start-up was asked; tap $tap"
}

# vax_guest_exec NAME SHELL-COMMAND: run it in the guest through its agent
# (guest-exec; needs a read-write connection, as root has here).
vax_guest_exec() {
    local cmd
    cmd=$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g')
    vax_virsh qemu-agent-command "$1" \
        "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\",\"arg\":[\"-c\",\"$cmd\"]}}"
}

# ---- readings bracketed by virsh domstats --raw (qemu.sh, linux-guest.sh) ----
# vax_bracket DOMAIN... [-- OID...]: $VAX_TMP/before (domstats), a refresh
# after it, the walk of OIDs (default the enterprise tree) in
# $VAX_TMP/walk, then $VAX_TMP/after. A counter served must lie between
# its before and after readings.
vax_bracket() {
    local doms=() oids=() o
    while [ $# -gt 0 ] && [ "$1" != -- ]; do doms+=("$1"); shift; done
    [ $# -eq 0 ] || shift
    oids=("$@")
    [ ${#oids[@]} -gt 0 ] || oids=(.1.3.6.1.4.1.32473)
    vax_virsh domstats --raw "${doms[@]}" > "$VAX_TMP/before"
    sleep 1.2
    vax_get .1.3.6.1.4.1.32473.1.1.7.0 > /dev/null   # starts a refresh after "before"
    sleep 0.5
    for o in "${oids[@]}"; do vax_walk "$o"; done | grep -v ' = No more variables' > "$VAX_TMP/walk"
    vax_virsh domstats --raw "${doms[@]}" > "$VAX_TMP/after"
}
# vax_cell OID: its value in the walk (no type, no quotes); vax_has OID.
vax_cell() { awk -v o="$1" 'index($0, o " = ") == 1 { v = substr($0, length(o) + 4); sub(/^[A-Za-z0-9-]+: /, "", v); gsub(/^"|"$/, "", v); print v; exit }' "$VAX_TMP/walk"; }
vax_has() { grep -q "^$1 = " "$VAX_TMP/walk"; }
# vax_domstat before|after DOMAIN KEY: a virsh domstats --raw value.
vax_domstat() {
    awk -v d="$2" -v k="$3" '/^Domain: / { cur = $2; gsub(/\047/, "", cur); next }
        cur == d { split($0, kv, "="); gsub(/^ +/, "", kv[1]); if (kv[1] == k) { print kv[2]; exit } }' "$VAX_TMP/$1"
}
# vax_between DESC VALUE LOW HIGH: ok if VALUE lies in [LOW, HIGH]; the
# numbers are in the log either way.
vax_between() {
    if [ -n "$2" ] && [ -n "$3" ] && [ -n "$4" ] &&
        awk -v v="$2" -v a="$3" -v b="$4" 'BEGIN { lo = a < b ? a : b; hi = a < b ? b : a; exit !(v >= lo && v <= hi) }'; then
        ok "$1 ($2 in [$3, $4])"
    else
        not_ok "$1: '$2' not within ['$3', '$4']"
    fi
}
# vax_counter DESC DOMAIN KEY OID: the value between the two readings, or
# absent if virsh has none.
vax_counter() {
    local lo hi
    lo=$(vax_domstat before "$2" "$3") hi=$(vax_domstat after "$2" "$3")
    if [ -z "$hi" ]; then
        if vax_has "$4"; then not_ok "$1: virsh has no $3, we say $(vax_cell "$4")"; else ok "$1: absent, as in virsh"; fi
    else
        vax_between "$1" "$(vax_cell "$4")" "$lo" "$hi"
    fi
}
# vax_micro DESC DOMAIN KEY OID: a ns counter served in µs.
vax_micro() {
    vax_between "$1" "$(vax_cell "$4")" "$(( $(vax_domstat before "$2" "$3") / 1000 ))" \
        "$(( $(vax_domstat after "$2" "$3") / 1000 ))"
}
