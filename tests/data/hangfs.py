#!/usr/bin/python3
"""hangfs.py MOUNTPOINT FLAGFILE [--free=FILE] [--uninterruptible]

A FUSE filesystem that stands in for an NFS mount whose server is gone
(tests/integration/pool-hang.sh): an empty, read-only directory whose
statfs() answers fixed numbers (20 MiB: 5120 blocks of 4 KiB, 3840 free,
so 25% used; with --free, the number of free blocks is read from FILE at
each answer) unless FLAGFILE (outside the mount) exists; while it does,
statfs() blocks and answers once it is removed (with the numbers of that
moment).

Like a hard NFS mount, a blocked caller can still be killed: the kernel
tells the daemon of the fatal signal (FUSE_INTERRUPT) and the waiting
statfs() then answers EINTR. --uninterruptible ignores that, as a FUSE
daemon without interrupt support does: its caller then stays in D state,
SIGKILL or not, until the flag goes.

Runs in the foreground, multithreaded (a blocked statfs() does not stop
getattr, readdir or the unmount); each statfs() logs a line to stderr.
Needs fusepy (Debian: python3-fusepy, module "fusepy") and libfuse2.
"""
import ctypes
import errno
import os
import stat
import sys
import threading
import time

try:
    import fusepy as fuse        # Debian's name for it
except ImportError:
    import fuse                  # pip's

BLOCK = 4096
TOTAL = 5120                     # 20 MiB
FREE = 3840                      # 15 MiB


def log(*args):
    print("hangfs %.3f [%s]" % (time.time(), threading.current_thread().name),
          *args, file=sys.stderr, flush=True)


class HangFS(fuse.Operations):
    use_ns = True

    def __init__(self, flag, free_file, interruptible):
        self.flag = flag
        self.free_file = free_file
        self.interruptible = interruptible
        self.t0 = time.time_ns()
        self.interrupted = fuse._libfuse.fuse_interrupted
        self.interrupted.restype = ctypes.c_int
        self.interrupted.argtypes = []

    def getattr(self, path, fh=None):
        if path != "/":
            raise fuse.FuseOSError(errno.ENOENT)
        return dict(st_mode=stat.S_IFDIR | 0o755, st_nlink=2, st_uid=0, st_gid=0,
                    st_size=0, st_atime=self.t0, st_mtime=self.t0, st_ctime=self.t0)

    def readdir(self, path, fh):
        return [".", ".."]

    def statfs(self, path):
        if os.path.exists(self.flag):
            log("statfs blocks: %s exists" % self.flag)
            t = time.monotonic()
            while os.path.exists(self.flag):
                if self.interruptible and self.interrupted():
                    log("statfs interrupted after %.1f s" % (time.monotonic() - t))
                    raise fuse.FuseOSError(errno.EINTR)
                time.sleep(0.05)
            log("statfs unblocked after %.1f s" % (time.monotonic() - t))
        else:
            log("statfs answers")
        free = FREE
        if self.free_file:
            try:
                with open(self.free_file) as f:
                    free = min(int(f.read()), TOTAL)
            except (OSError, ValueError):
                pass
        return dict(f_bsize=BLOCK, f_frsize=BLOCK, f_blocks=TOTAL, f_bfree=free,
                    f_bavail=free, f_files=1000, f_ffree=999, f_favail=999,
                    f_namemax=255)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    interruptible = "--uninterruptible" not in sys.argv[1:]
    free_file = None
    for a in sys.argv[1:]:
        if a.startswith("--free="):
            free_file = os.path.abspath(a[len("--free="):])
    mnt, flag = args
    log("mounting %s (flag %s, %s)" % (mnt, flag,
        "interruptible" if interruptible else "uninterruptible"))
    fuse.FUSE(HangFS(os.path.abspath(flag), free_file, interruptible), mnt, foreground=True,
              nothreads=False, ro=True, allow_other=True, default_permissions=True,
              fsname="hangfs", subtype="hangfs")
    log("unmounted")


if __name__ == "__main__":
    main()
