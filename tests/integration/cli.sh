#!/usr/bin/env bash
# The command line and the configuration file: each error names the file,
# line or option and exits non-zero; -n checks without starting; the
# command line wins over the file; the code's MIB root is the MIB's.
set -u
. "$(dirname "$0")/../lib.sh"

vax_setup
AGENT=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}
[ -x "$AGENT" ] || vax_die "agent not built: $AGENT"
T=$VAX_TMP

# run EXPECTED_STATUS PATTERN ARGS...: the agent exits with that status and
# its output matches PATTERN (grep -E).
run() {
    local want=$1 pattern=$2 rc=0
    shift 2
    timeout 10 "$AGENT" "$@" > "$T/run.out" 2>&1 < /dev/null || rc=$?
    cat "$T/run.out"
    [ "$rc" -eq "$want" ] || { echo "exit status $rc, expected $want"; return 1; }
    grep -Eq -- "$pattern" "$T/run.out" || { echo "output does not match /$pattern/"; return 1; }
}

check "-V prints the version" run 0 "^virt-agentx [0-9]+\.[0-9]+\.[0-9]+$" -V
check "-h prints usage with every option" run 0 "-x ADDRESS.*" -h
for o in -f -x -u -t -c -L -D -p -U -G -n -h -V; do
    check "usage mentions $o" grep -q -- "^  $o" "$T/run.out"
done
check "unknown option: usage error (2)" run 2 "Usage" -Z
check "stray argument: usage error (2)" run 2 'unexpected argument "extra"' extra
check "-t 0 is refused (2) naming -t" run 2 "^virt-agentx: -t 0: .*1\.\.86400" -t 0
check "-t abc is refused (2)" run 2 "-t abc" -t abc
check "-t 86401 is refused (2)" run 2 "-t 86401" -t 86401

# Configuration files.
printf '# ok\nlibvirtURI test:///default\ncacheTimeout 10\nindexFile %s/idx\n' "$T" > "$T/good.conf"
check "-n with a good file: exit 0" run 0 "configuration OK" -n -c "$T/good.conf"
check "a named file that is missing: exit 1 naming it" \
    run 1 "$T/missing.conf: cannot open configuration file: No such file" -n -c "$T/missing.conf"
printf 'libvirtURI test:///default\n\nfrobnicate yes\n' > "$T/unknown.conf"
check "unknown directive: FILE:LINE and the name" \
    run 1 "$T/unknown.conf:3: unknown directive \"frobnicate\"" -n -c "$T/unknown.conf"
printf 'cacheTimeout 5s\n' > "$T/badnum.conf"
check "bad number: FILE:LINE, directive and range" \
    run 1 "$T/badnum.conf:1: cacheTimeout: \"5s\" is not a whole number of seconds in 1\.\.86400" \
    -n -c "$T/badnum.conf"
printf 'cacheTimeout 0\n' > "$T/range.conf"
check "out-of-range value is refused" run 1 "$T/range.conf:1: cacheTimeout" -n -c "$T/range.conf"
printf 'agentXPingInterval -1\n' > "$T/neg.conf"
check "negative value is refused" run 1 "$T/neg.conf:1: agentXPingInterval" -n -c "$T/neg.conf"
printf 'indexFile\n' > "$T/novalue.conf"
check "directive without value is refused" run 1 "$T/novalue.conf:1: indexFile needs a value" -n -c "$T/novalue.conf"
check "a directory as configuration file is refused" \
    run 1 "$T: configuration file is not a regular file \(a directory\)" -n -c "$T"
mkfifo "$T/fifo.conf"
check "a FIFO as configuration file is refused at once, not waited on" \
    run 1 "$T/fifo.conf: configuration file is not a regular file \(a FIFO\)" -n -c "$T/fifo.conf"
check "/dev/null is an empty configuration" run 0 "configuration OK" -n -c /dev/null
printf 'cacheTimeout 5\nlibvirtURI "\n' > "$T/quote.conf"
check "a lone quote: FILE:LINE and the directive" \
    run 1 "$T/quote.conf:2: libvirtURI: unterminated quote" -n -c "$T/quote.conf"
printf 'libvirtURI "test:///default\n' > "$T/quote2.conf"
check "an unterminated quote: FILE:LINE" run 1 "$T/quote2.conf:1: libvirtURI: unterminated quote" \
    -n -c "$T/quote2.conf"
if [ "$(id -u)" -ne 0 ]; then
    cp "$T/good.conf" "$T/unreadable.conf" && chmod 000 "$T/unreadable.conf"
    check "unreadable file is refused" run 1 "Permission denied" -n -c "$T/unreadable.conf"
fi
check "a bad file stops the agent before it starts (no -n)" \
    run 1 "$T/unknown.conf:3:" -f -c "$T/unknown.conf" -x "unix:$T/none.sock"

# The command line wins over the file: run for real and read the scalars.
vax_start_snmpd
printf 'libvirtURI test:///nonexistent-from-file\ncacheTimeout 30\nindexFile %s/index\n' "$T" > "$T/agent.conf"
export VAX_URI=test:///default
vax_start_agent -t 7
R=.1.3.6.1.4.1.32473.1
check "-t wins over cacheTimeout" eval 'vax_get $R.1.8.0 | grep -q "INTEGER: 7$"'
check "-u wins over libvirtURI" eval 'vax_get $R.1.13.0 | grep -q "\"test:///default\""'
check "the in-process test driver's domain is served" \
    wait_until 5 eval 'vax_get $R.2.1.2.1 | grep -q "\"test\""'
check "pid file written" eval '[ "$(cat $T/agent.pid)" = "$VAX_AGENT_PID" ]'
check "SIGTERM: exit status 0" vax_stop_agent
check "pid file removed on exit" test ! -e "$T/agent.pid"

# SIGHUP applies a changed cacheTimeout (no -t this time).
printf 'cacheTimeout 30\nindexFile %s/index\n' "$T" > "$T/agent.conf"
vax_start_agent
check "cacheTimeout from the file" eval 'vax_get $R.1.8.0 | grep -q "INTEGER: 30$"'
printf 'cacheTimeout 9\nindexFile %s/index\n' "$T" > "$T/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP: the new cacheTimeout is served" wait_until 3 eval 'vax_get $R.1.8.0 | grep -q "INTEGER: 9$"'
# SIGHUP onto a FIFO: refused at once, the old settings kept, no wait.
mv "$T/agent.conf" "$T/agent.conf.real" && mkfifo "$T/agent.conf"
kill -HUP "$VAX_AGENT_PID"
check "SIGHUP with a FIFO for a file: refused in the log" \
    wait_until 3 grep -q "agent.conf: configuration file is not a regular file (a FIFO)" "$T/agent.log"
t0=$(date +%s%N)
check "SIGHUP with a FIFO: still answers, with the old cacheTimeout" \
    eval 'vax_get $R.1.8.0 | grep -q "INTEGER: 9$"'
check "SIGHUP with a FIFO: the answer came at once (under 2 s)" \
    test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000
rm -f "$T/agent.conf" && mv "$T/agent.conf.real" "$T/agent.conf"
check "SIGHUP: agent still running, SIGTERM exit 0" vax_stop_agent

# The code's root OID is the MIB's (one place each).
code_root=$(sed -n 's/^#define VAX_VIRT_ROOT \(.*\)$/\1/p' "$VAX_TOP_SRCDIR/src/mib_virtagentx.h" | tr -d ' ' | tr , .)
mib_arc=$(sed -n 's/.*::= *{ *enterprises *\([0-9]*\) *}.*/\1/p' "$VAX_TOP_SRCDIR/mibs/VIRT-AGENTX-MIB.txt")
check "one root in the code, one in the MIB, and they agree" \
    test "$code_root" = "1.3.6.1.4.1.$mib_arc"
vax_done
