#!/usr/bin/env bash
# Requests that reach the agent while it registers. net-snmp handles them
# inside init_snmp(), while it waits for snmpd's answers to the AgentX
# registrations, before the collector exists; they once crashed the agent
# (SIGSEGV in 13 of 40 starts under such a load, first seen in CI as
# "agent exited with status 139 before registering"). Each start here runs
# under a steady stream of GETs and GETNEXTs, with each choice of serveMIBs.
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
V=.1.3.6.1.2.1.236.1
STARTS=${VAX_STARTS:-12}   # per serveMIBs choice
vax_setup
AGENT=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}
vax_start_libvirtd
vax_load_demo_domains || vax_die "cannot load the demo domains"
vax_start_snmpd

# Two clients that ask all the time, through snmpd, whoever is registered.
hammer() {
    while :; do
        snmpget -v2c -c public -On -r 0 -t 1 127.0.0.1:"$VAX_SNMP_PORT" "$@" > /dev/null 2>&1
        snmpgetnext -v2c -c public -On -r 0 -t 1 127.0.0.1:"$VAX_SNMP_PORT" "$@" > /dev/null 2>&1
    done
}
hammer $V.1.0 $V.2.0 $R.1.5.0 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
VAX_PIDS+=("hammer:$!")
hammer $V.3.0 $R.2.1.2.1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
VAX_PIDS+=("hammer:$!")

answers() { vax_get_raw "$1" | grep -q "STRING:"; }
# launch LOG: start the agent in the background, logging to LOG; sets pid.
launch() {
    "$AGENT" -f -x "$VAX_AGENTX" -u "$VAX_URI" -c "$VAX_TMP/agent.conf" \
        -Lf "$1" -t 1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    pid=$!
    VAX_PIDS+=("agent:$pid")
}
# stop LABEL: SIGTERM the agent started last; a status other than 0 is
# logged under LABEL and counted in bad.
stop() {
    local rc=0
    vax__forget "$pid"
    vax_kill "$pid" 20 || rc=$?
    [ "$rc" -eq 0 ] || { bad=$((bad + 1)); vax_log "$1: exit status $rc"; }
}

for choice in VM-MIB VIRT-AGENTX-MIB all; do
    case $choice in VIRT-AGENTX-MIB) ready=$R.1.5.0 ;; *) ready=$V.1.1.0 ;; esac
    printf 'indexFile %s\nserveMIBs %s\n' "$VAX_TMP/index" "$choice" > "$VAX_TMP/agent.conf"
    bad=0 unready=0
    for i in $(seq 1 "$STARTS"); do
        launch "$VAX_TMP/agent.log"
        wait_until 30 eval '! vax_pid_alive '"$pid"' || answers '"$ready" || unready=$((unready + 1))
        stop "serveMIBs $choice, start $i"
    done
    check_eq "serveMIBs $choice: $STARTS starts under requests, every one registered" 0 "$unready"
    check_eq "serveMIBs $choice: every one stopped by SIGTERM with status 0 (no crash)" 0 "$bad"
done
# SIGTERM as soon as the AgentX session is open, while the agent still
# registers and starts its collector: it stops at once, cleanly.
printf 'indexFile %s\nserveMIBs all\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
bad=0
for i in $(seq 1 "$STARTS"); do
    log=$VAX_TMP/early.$i.log
    launch "$log"
    for _ in $(seq 1 3000); do   # up to 30 s, in steps of 10 ms
        grep -qs "AgentX subagent connected" "$log" || ! vax_pid_alive "$pid" && break
        sleep 0.01
    done
    stop "SIGTERM while starting, start $i"
    cat "$log" >> "$VAX_TMP/agent.log"
done
check_eq "SIGTERM while the agent registers: $STARTS starts, every one exits 0" 0 "$bad"
check "no crash or sanitizer report in the log" \
    eval '! grep -Eq "AddressSanitizer|runtime error|Segmentation" "$VAX_TMP/agent.log"'
vax_done
