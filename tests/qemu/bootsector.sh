#!/bin/bash
# tests/qemu/bootsector.sh [OUTFILE] - write a 512-byte x86 boot sector that
# makes a guest without any OS do disk I/O forever, so that libvirt's block
# counters (block.N.rd.reqs, wr.reqs, rd.bytes, wr.bytes) keep climbing.
#
# The BIOS (SeaBIOS) loads it at 0000:7C00 and jumps there with DL = the boot
# drive (0x80).  It then loops: read 8 sectors (CHS 0/0/2, i.e. LBA 1-8) of
# drive DL into 0000:8000 with int 13h AH=02, write them back with AH=03;
# then the same on drive DL+1 (the second disk, 0x81; errors are ignored).
# The data written back is what was read (zeros on a fresh image), so the
# disks never change content.  A HLT at the top of the loop paces it by the
# BIOS timer (18.2 Hz): under TCG each of block.0/1.rd/wr.reqs climbs about
# 18/s (fewer on a loaded host: 6-8/s with 4 guests on 2 busy cores), and the
# guest's QEMU uses about 20-40% of a host core.  Without the HLT it does
# about 300 requests/s per counter at 120% of a core.
#
# Hand-assembled 16-bit real-mode code (addresses as loaded):
#
#   7C00  FA            cli
#   7C01  31 C0         xor  ax, ax
#   7C03  8E D8         mov  ds, ax
#   7C05  8E C0         mov  es, ax            ; ES:BX is the buffer
#   7C07  8E D0         mov  ss, ax
#   7C09  BC 00 7C      mov  sp, 0x7C00        ; stack below the code
#   7C0C  FB            sti
#   7C0D  89 D5         mov  bp, dx            ; keep the boot drive (DL)
#         loop:
#   7C0F  F4            hlt                    ; sleep until the next interrupt:
#                                              ; the BIOS timer ticks at 18.2 Hz
#   7C10  89 EA         mov  dx, bp            ; DL = boot drive
#   7C12  30 F6         xor  dh, dh            ; head 0
#   7C14  E8 07 00      call rw                ; boot disk   (-> 7C1E)
#   7C17  FE C2         inc  dl                ; next disk (0x81)
#   7C19  E8 02 00      call rw                ; second disk (-> 7C1E)
#   7C1C  EB F1         jmp  loop              ; (-> 7C0F)
#         rw:                                  ; DL = drive, DH = head 0
#   7C1E  B8 08 02      mov  ax, 0x0208        ; AH=02 read, AL=8 sectors
#   7C21  B9 02 00      mov  cx, 0x0002        ; CH=cylinder 0, CL=sector 2
#   7C24  BB 00 80      mov  bx, 0x8000        ; to 0000:8000
#   7C27  52            push dx
#   7C28  CD 13         int  0x13
#   7C2A  5A            pop  dx                ; (CF ignored)
#   7C2B  B8 08 03      mov  ax, 0x0308        ; AH=03 write, AL=8 sectors
#   7C2E  B9 02 00      mov  cx, 0x0002        ; same place
#   7C31  BB 00 80      mov  bx, 0x8000        ; from 0000:8000
#   7C34  52            push dx
#   7C35  CD 13         int  0x13
#   7C37  5A            pop  dx
#   7C38  C3            ret
#   7C39  00 ...        zero padding
#   7DFE  55 AA         boot signature
#
# Check it with: objdump -D -b binary -mi8086 --adjust-vma=0x7c00 FILE
set -eu

vax_bootsector_code='\xFA\x31\xC0\x8E\xD8\x8E\xC0\x8E\xD0\xBC\x00\x7C\xFB\x89\xD5'
vax_bootsector_code+='\xF4\x89\xEA\x30\xF6\xE8\x07\x00\xFE\xC2\xE8\x02\x00\xEB\xF1'
vax_bootsector_code+='\xB8\x08\x02\xB9\x02\x00\xBB\x00\x80\x52\xCD\x13\x5A'
vax_bootsector_code+='\xB8\x08\x03\xB9\x02\x00\xBB\x00\x80\x52\xCD\x13\x5A\xC3'

vax_bootsector() {
    local code_len=57    # 0x7C39 - 0x7C00
    printf %b "$vax_bootsector_code"
    head -c $((510 - code_len)) /dev/zero
    printf '\x55\xAA'
}

if [ $# -gt 0 ] && [ "$1" != - ]; then
    vax_bootsector > "$1"
    size=$(stat -c %s "$1")
    [ "$size" -eq 512 ] || { echo "bootsector.sh: wrote $size bytes, not 512" >&2; exit 1; }
else
    vax_bootsector
fi
