/* file.c - opening a file the user named, safely (see file.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "file.h"

FILE *vax_fopen_regular(const char *path, const char *what, char *err, size_t errlen)
{
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), saved;
	struct stat st;
	FILE *f;

	if (fd < 0) {
		saved = errno;
		snprintf(err, errlen, "%s: cannot open %s: %s", path, what, strerror(errno));
		errno = saved;
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		snprintf(err, errlen, "%s: cannot read %s: %s", path, what, strerror(errno));
		close(fd);
		errno = saved;
		return NULL;
	}
	/* /dev/null stays usable as "no settings". */
	if (!(S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))) {
		snprintf(err, errlen, "%s: %s is not a regular file (%s): give the path "
			 "of a plain file", path, what,
			 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" :
			 S_ISSOCK(st.st_mode) ? "a socket" : "a device or other special file");
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (fcntl(fd, F_SETFL, 0) < 0 || !(f = fdopen(fd, "r"))) {
		saved = errno;
		snprintf(err, errlen, "%s: cannot read %s: %s", path, what, strerror(errno));
		close(fd);
		errno = saved;
		return NULL;
	}
	return f;
}
