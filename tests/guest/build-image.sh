#!/usr/bin/env bash
# tests/guest/build-image.sh DIR: a tiny Linux guest for the real-guest
# tier, from Debian packages only, into DIR (made if missing):
#   DIR/vmlinuz      the kernel of the linux-image-*-amd64 package
#   DIR/initrd.gz    busybox, the virtio/ext4/pvpanic modules, qemu-ga
#                    with its libraries, and tests/guest/init as /init
#   DIR/stamp        what it was built from; a second run with the same
#                    inputs does nothing
# Prints DIR's kernel version. Exit 77 (skip) with the reason when a part
# is missing: bootstrap.sh installs busybox-static, qemu-guest-agent and
# cpio, and downloads the kernel package into /var/cache/virt-agentx
# (VAX_GUEST_KERNEL_DEB names another .deb). Nothing is installed here and
# nothing is committed: the image is made at test time.
set -euo pipefail

out=${1:?usage: build-image.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*" >&2; exit 77; }

for cmd in busybox cpio gzip dpkg-deb ldd; do
    command -v "$cmd" > /dev/null || skip "$cmd not installed (./bootstrap.sh installs it)"
done
busybox=$(command -v busybox)
# The static build: the dynamic one would need its libraries in the guest.
ldd "$busybox" > /dev/null 2>&1 && skip "$busybox is not static (apt-get install busybox-static)"
qga=/usr/sbin/qemu-ga
[ -x "$qga" ] || skip "no $qga (apt-get install qemu-guest-agent)"

deb=${VAX_GUEST_KERNEL_DEB:-}
if [ -z "$deb" ]; then
    deb=$(ls -1 /var/cache/virt-agentx/linux-image-*-amd64_*.deb 2>/dev/null | sort -V | tail -n 1) || true
fi
[ -n "$deb" ] && [ -r "$deb" ] ||
    skip "no kernel package in /var/cache/virt-agentx (./bootstrap.sh downloads it; or set VAX_GUEST_KERNEL_DEB)"

# The modules the guest loads (tests/guest/init), with what they need.
modules="virtio_pci virtio_blk virtio_net virtio_balloon virtio_console ext4 crc32c_generic pvpanic_mmio evdev button"
stamp="$(basename "$deb") $(sha256sum "$here/init" "$0" | cut -c1-16 | tr '\n' ' ')$("$qga" -V 2>&1 | head -n 1)"
if [ -s "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] &&
    [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.gz" ]; then
    cat "$out/kver"
    exit 0
fi

mkdir -p "$out"
work=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Only the kernel and the module directories we use: a full unpack is
# ~400 MB and 10 s more.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards \
    './boot/vmlinuz-*' './lib/modules/*/modules.order' './lib/modules/*/modules.builtin' \
    './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/virtio_blk.ko' \
    './lib/modules/*/kernel/drivers/net/virtio_net.ko' './lib/modules/*/kernel/drivers/net/net_failover.ko' \
    './lib/modules/*/kernel/net/core/failover.ko' './lib/modules/*/kernel/drivers/char/virtio_console.ko' \
    './lib/modules/*/kernel/drivers/misc/pvpanic/*' './lib/modules/*/kernel/fs/ext4/*' \
    './lib/modules/*/kernel/fs/jbd2/*' './lib/modules/*/kernel/fs/mbcache.ko' \
    './lib/modules/*/kernel/lib/crc16.ko' './lib/modules/*/kernel/crypto/crc32c_generic.ko' \
    './lib/modules/*/kernel/drivers/input/evdev.ko' './lib/modules/*/kernel/drivers/acpi/button.ko'
kver=$(ls "$work/lib/modules")
[ -n "$kver" ] && [ -f "$work/boot/vmlinuz-$kver" ] || { echo "no kernel in $deb" >&2; exit 1; }

root=$work/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,mnt/data,lib/modules,usr/sbin}
mkdir -p "$root/var"
ln -s ../run "$root/var/run"   # qemu-ga keeps its state in /var/run
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp -a "$work/lib/modules/$kver" "$root/lib/modules/"
"$busybox" depmod -b "$root" "$kver"
for m in $modules; do
    grep -q "/${m//_/[_-]}\.ko:" "$root/lib/modules/$kver/modules.dep" ||
        { echo "module $m not in $deb" >&2; exit 1; }
done

# qemu-ga and what the dynamic linker loads for it, at the same paths.
cp "$qga" "$root/usr/sbin/qemu-ga"
for lib in $(ldd "$qga" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
# qemu-ga's guest-shutdown runs /sbin/shutdown -P|-H|-r +0 MESSAGE; /init is
# not busybox's init, so power off and reboot go straight to the kernel.
cat > "$root/sbin/shutdown" <<'EOF'
#!/bin/sh
sync
case " $* " in
    *" -r "*) exec reboot -f ;;
    *) exec poweroff -f ;;
esac
EOF
chmod 755 "$root/sbin/shutdown"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
echo "$modules" > "$root/etc/modules"
# What qemu-ga's guest-get-osinfo reads (virtGuestOsName), and a name.
printf '%s\n' 'PRETTY_NAME="virt-agentx test guest (busybox)"' 'NAME="vax-guest"' 'ID=vax' \
    > "$root/etc/os-release"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initrd.gz"
cp "$work/boot/vmlinuz-$kver" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$out/vmlinuz"
mv -f "$work/initrd.gz" "$out/initrd.gz"
echo "$kver" > "$out/kver"
echo "$stamp" > "$out/stamp"
chmod 644 "$out/vmlinuz" "$out/initrd.gz"
echo "$kver"
