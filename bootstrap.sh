#!/bin/bash
# bootstrap.sh [CONFIGURE ARGS...]
#
# Installs the Debian 12 packages needed to build virt-agentx, run `make
# demo` and `make check` (only those missing), then generates and runs
# configure with the given arguments.  Safe to run again: with everything
# installed it only re-runs autoreconf and configure.
set -euo pipefail

packages=(
    # build
    build-essential autoconf automake libtool pkg-config
    libvirt-dev libxml2-dev libsnmp-dev check
    # demo and tests: real daemons and clients
    snmpd snmp snmptrapd
    libvirt-clients libvirt-daemon libvirt-daemon-system
    util-linux  # unshare: a private libvirtd per test
    iproute2    # ss: free ports
    procps      # ps
    smitools    # smilint (MIB lint test)
    valgrind
    llvm        # llvm-symbolizer: sanitizer stacks name functions (tests/lsan.supp)
    strace      # the systemd unit's confinement against the agent's calls
    systemd     # systemd-analyze (unit verify, syscall groups), systemd.pc
    # the real-guest tier: QEMU/TCG guests under a private libvirtd
    qemu-system-x86 qemu-utils
    gnuplot-nox # make bench: the plot of walk time and RSS against N
    # make fuzz (configure CC=clang --enable-fuzzing): libFuzzer is in the
    # runtime package, which clang only recommends
    clang libclang-rt-14-dev
)

# Which are not installed?
missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "bootstrap.sh: missing Debian packages (run as root to install):" >&2
        echo "  ${missing[*]}" >&2
        exit 1
    fi
    echo "bootstrap.sh: installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "${missing[@]}"
fi

# Generate configure in the source tree; run it from the current directory
# (the source tree, or a separate build directory).
srcdir=$(cd "$(dirname "$0")" && pwd)
(cd "$srcdir" && autoreconf -fi)
exec "$srcdir/configure" "$@"
