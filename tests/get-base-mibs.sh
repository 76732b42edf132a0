#!/bin/bash
# get-base-mibs.sh DIR
#
# Make sure DIR holds the base SMIv2 MIB modules (SNMPv2-SMI, SNMPv2-TC,
# SNMPv2-CONF, SNMPv2-MIB, and whatever else the source provides, e.g.
# IF-MIB) as NAME.txt files, so that smilint and snmptranslate can load
# mibs/VIRT-AGENTX-MIB.txt.  Debian does not ship these modules in its
# main archive (snmp-mibs-downloader is non-free) and they must never be
# committed to this repository, so they are fetched on demand:
#
#   1. from the Debian package erlang-snmp (apt-get download + dpkg-deb -x,
#      files usr/lib/erlang/lib/snmp-*/mibs/*.mib); `apt-get update` is run
#      only if the first download attempt fails;
#   2. failing that, from the npm package net-snmp (npm pack, files
#      package/lib/mibs/*).
#
# Exits 0 when DIR holds the required modules, non-zero with a message on
# stderr when neither source worked.

set -u

REQUIRED="SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB"

prog=${0##*/}

die() {
    echo "$prog: $*" >&2
    exit 1
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
    die "usage: $prog DIR"
fi
dir=$1

have_all() {
    local m
    for m in $REQUIRED; do
        [ -s "$dir/$m.txt" ] || return 1
    done
    return 0
}

if have_all; then
    exit 0
fi

mkdir -p "$dir" || die "cannot create directory $dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/get-base-mibs.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

# copy_mibs SRCDIR: copy every file of SRCDIR (module files such as
# SNMPv2-SMI.mib, SNMPv2-TC, IF-MIB.txt) into $dir as NAME.txt.
copy_mibs() {
    local src=$1 f base n=0
    for f in "$src"/*; do
        [ -f "$f" ] || continue
        base=${f##*/}
        case $base in
            *.mib|*.txt|*.my) base=${base%.*} ;;
            *.*) continue ;;        # README.md, index.js, ... : not a module
        esac
        # copy then rename, so a concurrent reader never sees half a file
        if ! { cp -f "$f" "$dir/.$base.txt.$$" &&
               mv -f "$dir/.$base.txt.$$" "$dir/$base.txt"; }; then
            rm -f "$dir/.$base.txt.$$"
            return 1
        fi
        n=$((n + 1))
    done
    [ "$n" -gt 0 ]
}

from_erlang_snmp() {
    local work=$tmp/deb d
    mkdir -p "$work/x" || return 1
    if ! (cd "$work" && apt-get download erlang-snmp) >"$tmp/apt.log" 2>&1; then
        echo "$prog: apt-get download erlang-snmp failed; running apt-get update" >&2
        apt-get update >>"$tmp/apt.log" 2>&1 || true
        (cd "$work" && apt-get download erlang-snmp) >>"$tmp/apt.log" 2>&1 || {
            echo "$prog: apt-get download erlang-snmp failed:" >&2
            tail -n 5 "$tmp/apt.log" >&2
            return 1
        }
    fi
    set -- "$work"/erlang-snmp_*.deb
    [ -f "$1" ] || { echo "$prog: no erlang-snmp .deb downloaded" >&2; return 1; }
    dpkg-deb -x "$1" "$work/x" || return 1
    for d in "$work"/x/usr/lib/erlang/lib/snmp-*/mibs; do
        [ -d "$d" ] || continue
        copy_mibs "$d" && return 0
    done
    echo "$prog: erlang-snmp package has no usr/lib/erlang/lib/snmp-*/mibs/*.mib" >&2
    return 1
}

from_npm_net_snmp() {
    local work=$tmp/npm tgz
    command -v npm >/dev/null 2>&1 || { echo "$prog: npm not found" >&2; return 1; }
    mkdir -p "$work" || return 1
    tgz=$(cd "$work" && npm pack --silent net-snmp 2>"$tmp/npm.log" | tail -n 1)
    if [ -z "$tgz" ] || [ ! -f "$work/$tgz" ]; then
        echo "$prog: npm pack net-snmp failed:" >&2
        tail -n 5 "$tmp/npm.log" >&2
        return 1
    fi
    tar -xzf "$work/$tgz" -C "$work" || return 1
    [ -d "$work/package/lib/mibs" ] || {
        echo "$prog: net-snmp package has no package/lib/mibs" >&2
        return 1
    }
    copy_mibs "$work/package/lib/mibs"
}

if from_erlang_snmp && have_all; then
    exit 0
fi
echo "$prog: falling back to npm package net-snmp" >&2
if from_npm_net_snmp && have_all; then
    exit 0
fi

missing=
for m in $REQUIRED; do
    [ -s "$dir/$m.txt" ] || missing="$missing $m"
done
die "could not fetch the base MIB modules into $dir (missing:$missing);" \
    "neither 'apt-get download erlang-snmp' nor 'npm pack net-snmp' worked." \
    "Put SNMPv2-SMI.txt, SNMPv2-TC.txt, SNMPv2-CONF.txt and SNMPv2-MIB.txt there by hand."
