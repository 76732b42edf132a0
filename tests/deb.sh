#!/usr/bin/env bash
# tests/deb.sh - run by "make check-deb": the release tarball builds a
# Debian package with dpkg-buildpackage -us -uc -b, lintian finds no error
# or warning, the package holds what make install puts in place, and its
# maintainer scripts neither enable nor start the agent. With
# VAX_DEB_INSTALL=1 (as root; .ci/run sets it), the package is also
# installed, checked and purged on this machine.
#
# Environment (from Makefile.am): TARBALL (the make dist tarball),
# top_srcdir.
set -u

. "$(dirname "$0")/tap.sh"
skip() { echo "SKIP: $*"; exit 77; }

: "${TARBALL:?}" "${top_srcdir:?}"
for tool in dpkg-buildpackage lintian dh; do
    command -v "$tool" > /dev/null ||
        skip "$tool not installed (bootstrap.sh installs dpkg-dev, debhelper, lintian)"
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
tar -C "$tmp" -xzf "$TARBALL" || exit 1
src=$(echo "$tmp"/virt-agentx-*/)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
deb=$tmp/virt-agentx_${version}_${arch}.deb

echo "# dpkg-buildpackage -us -uc -b in $src (log: build.log)"
if (cd "$src" && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) \
        > "$tmp/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b builds $(basename "$deb")"
else
    not_ok "dpkg-buildpackage -us -uc -b"
    tail -n 40 "$tmp/build.log"
    echo "1..$n"; exit 1
fi
check "the package build ran the unit tests, and they passed" \
    grep -q '^# PASS: *[1-9]' "$tmp/build.log"

lintian --fail-on error,warning "$deb" > "$tmp/lintian.out" 2>&1
rc=$?
sed 's/^/# lintian: /' "$tmp/lintian.out" | grep -v 'root privileges'
check "lintian: no error or warning" [ "$rc" -eq 0 ]

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$tmp/files"
for f in /usr/sbin/virt-agentx \
         /usr/share/snmp/mibs/VIRT-AGENTX-MIB.txt \
         /usr/share/man/man8/virt-agentx.8.gz \
         /usr/share/man/man5/virt-agentx.conf.5.gz \
         /lib/systemd/system/virt-agentx.service \
         /usr/share/doc/virt-agentx/README.Debian \
         /usr/share/doc/virt-agentx/snmpd.conf.example \
         /usr/share/doc/virt-agentx/virt-agentx.conf.example \
         /usr/share/doc/virt-agentx/vm-mib.md.gz \
         /usr/share/virt-agentx/zabbix/virt-agentx.yaml \
         /usr/share/virt-agentx/prometheus/snmp.yml \
         /usr/share/virt-agentx/nagios/check_virt_agentx; do
    check "the package holds $f" grep -qx "$f" "$tmp/files"
done
check "the installed MIB is the source's" \
    eval 'dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/snmp/mibs/VIRT-AGENTX-MIB.txt |
          cmp -s - "$top_srcdir/mibs/VIRT-AGENTX-MIB.txt"'

dpkg-deb -e "$deb" "$tmp/control"
# postinst with its continuation lines joined
postinst_joined() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$tmp/control/postinst"; }
check "postinst creates the virt-agentx system user" \
    eval 'postinst_joined | grep -q "adduser --system .*virt-agentx$"'
# Without --no-enable, dh_installsystemd's snippet enables the unit on a
# first install ("was-enabled defaults to true, so new installations run
# enable"); with it, only a unit the admin had enabled is enabled again.
check "postinst does not enable the unit on a first install" \
    eval '! grep -qs "new installations run enable" "$tmp"/control/post*'
check "no maintainer script starts the unit" \
    eval '! grep -qs "deb-systemd-invoke .*start" "$tmp"/control/post*'
check "README.Debian gives the snmpd lines" \
    eval 'dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/virt-agentx/README.Debian |
          grep -q "agentXPerms 0660 0750 root virt-agentx"'

if [ "${VAX_DEB_INSTALL:-0}" = 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "# VAX_DEB_INSTALL=1 but not root: not installed"
    elif dpkg -s virt-agentx > /dev/null 2>&1; then
        echo "# virt-agentx is already installed here: not touching it"
    else
        # Only the installed binary counts: tests may run agents beside us.
        installed_agents() { pgrep -f '^/usr/sbin/virt-agentx( |$)' | sort; }
        pids_before=$(installed_agents)
        check "dpkg -i installs it" eval 'dpkg -i "$deb" > "$tmp/install.log" 2>&1'
        check "the virt-agentx system user exists" \
            eval 'id -u virt-agentx > /dev/null && [ "$(id -u virt-agentx)" -lt 1000 ]'
        check "the installed agent runs: virt-agentx -V" \
            eval '/usr/sbin/virt-agentx -V | grep -qx "virt-agentx [0-9.]*"'
        check "no agent process was started" \
            eval '[ "$(installed_agents)" = "$pids_before" ]'
        check "the unit is not enabled" \
            eval '! ls /etc/systemd/system/*.wants/virt-agentx.service > /dev/null 2>&1'
        check "man finds virt-agentx(8)" eval 'man -w virt-agentx > /dev/null 2>&1'
        mkdir -p /var/lib/virt-agentx
        check "dpkg -P purges it, index directory included" \
            eval 'dpkg -P virt-agentx > "$tmp/purge.log" 2>&1 &&
                  [ ! -e /usr/sbin/virt-agentx ] && [ ! -e /var/lib/virt-agentx ]'
    fi
fi

tap_done check-deb
