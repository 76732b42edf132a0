/* file.h - opening a file the user named (the configuration, the index
 * file): never waits on a FIFO or reads a device. Any thread. */
#ifndef VAX_FILE_H
#define VAX_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Open path for reading if it is a regular file (or /dev/null): never
 * waits on a FIFO or reads a device. NULL with "PATH: problem" in err (what names the
 * file's role, "configuration file") and errno set (ENOENT if missing). */
FILE *vax_fopen_regular(const char *path, const char *what, char *err, size_t errlen);

#endif
