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
    gdb         # tests/lib.sh: stacks of a process that ignores SIGTERM
    llvm        # llvm-symbolizer: sanitizer stacks name functions (tests/lsan.supp)
    strace      # the systemd unit's confinement against the agent's calls
    systemd     # systemd-analyze (unit verify, syscall groups), systemd.pc
    # the man pages: rendered and linted by tests/integration/manpages.sh
    groff-base man-db mandoc
    # make check-deb: the Debian package and its lint
    dpkg-dev debhelper fakeroot lintian
    # the real-guest tier: QEMU/TCG guests under a private libvirtd
    qemu-system-x86 qemu-utils
    # ... and its Linux guest (tests/guest/build-image.sh): busybox, the
    # guest agent with its libraries, cpio for the initramfs, mkfs.ext4
    # for its disk; the kernel package is downloaded below, not installed
    busybox-static qemu-guest-agent cpio e2fsprogs
    # ... and a libvirt network's DHCP leases (guest-data.sh): libvirt runs dnsmasq
    dnsmasq-base
    # tests/integration/pool-hang.sh: a storage pool on a FUSE filesystem
    # whose statfs() hangs (tests/data/hangfs.py, in Python with fusepy on
    # libfuse2; fuse3 for fusermount3, which unmounts it)
    fuse3 python3-fusepy
    # contrib/prometheus: snmp_exporter 0.21 and its generator, promtool
    # (rules, scrape configs), curl (scrapes), jq (the dashboard)
    prometheus-snmp-exporter prometheus curl jq
    # Nagios/Icinga integration test: the real check_snmp, and icinga2 to
    # validate contrib/nagios/virt-agentx.conf (icinga2 daemon -C)
    monitoring-plugins-standard icinga2-bin
    gnuplot-nox # make bench: the plot of walk time and RSS against N
    # make fuzz (configure CC=clang --enable-fuzzing): libFuzzer is in the
    # runtime package, which clang only recommends
    clang libclang-rt-14-dev
    # tests/integration/zabbix.sh: a private Zabbix 6.0 server, its PHP
    # frontend (served by php -S) and PostgreSQL.  Installing them starts
    # nothing here (no systemd, policy-rc.d); apt may add apache2-bin and
    # its PHP module for the frontend's "php" dependency, unused and not
    # started.  libsnmp-perl runs contrib/zabbix/zabbix-trap-receiver.pl
    # inside snmptrapd; python3-yaml checks the template's structure.
    zabbix-server-pgsql zabbix-frontend-php php-pgsql php-cli php-cgi
    postgresql libsnmp-perl python3-yaml curl
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
    # A fresh machine often runs unattended-upgrades at first boot: wait
    # for dpkg's lock instead of failing at once.
    apt-get -o DPkg::Lock::Timeout=600 update
    # Debian starts the services of what it installs (PostgreSQL,
    # Prometheus, Icinga, libvirtd, snmpd...). The tests and the demo run
    # private daemons of their own, so the host's stay off: policy-rc.d
    # (invoke-rc.d(8)) refuses every start during the install. An existing
    # policy is left as it is.
    policy=/usr/sbin/policy-rc.d own_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# bootstrap.sh: no service starts while it installs\nexit 101\n' \
            > "$policy"
        chmod 755 "$policy"
        own_policy=1
        trap 'rm -f "$policy"' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y --no-install-recommends "${missing[@]}"
    if [ -n "$own_policy" ]; then
        rm -f "$policy"
        trap - EXIT
    fi
fi

# The Linux guest's kernel: the package linux-image-amd64 points to,
# downloaded (not installed: the host's kernel and boot stay as they are)
# into /var/cache/virt-agentx, where tests/guest/build-image.sh finds it.
guest_cache=/var/cache/virt-agentx
if [ "$(id -u)" -eq 0 ] && ! ls "$guest_cache"/linux-image-*-amd64_*.deb > /dev/null 2>&1; then
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
    if [ -z "$kpkg" ]; then
        apt-get -o DPkg::Lock::Timeout=600 update
        kpkg=$(apt-cache depends linux-image-amd64 |
            sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
    fi
    if [ -n "$kpkg" ]; then
        echo "bootstrap.sh: downloading $kpkg for the test guests into $guest_cache"
        mkdir -p "$guest_cache"
        # As root apt warns that its sandbox user cannot write there: harmless.
        (cd "$guest_cache" && apt-get download "$kpkg" 2>&1) |
            { grep -v '^W: Download is performed unsandboxed' || true; }
        ls "$guest_cache"/linux-image-*-amd64_*.deb > /dev/null 2>&1 ||
            echo "bootstrap.sh: could not download $kpkg: the Linux-guest tests will skip" >&2
    else
        echo "bootstrap.sh: no linux-image-amd64 in apt's lists: the Linux-guest tests will skip" >&2
    fi
fi

# Generate configure in the source tree; run it from the current directory
# (the source tree, or a separate build directory).
srcdir=$(cd "$(dirname "$0")" && pwd)
(cd "$srcdir" && autoreconf -fi)
exec "$srcdir/configure" "$@"
