/* priv.c - least privilege and process hygiene. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "priv.h"

void vax_priv_sanitize_fds(void)
{
	long max;

	if (close_range(3, ~0U, 0) < 0) {   /* before Linux 5.9 */
		max = sysconf(_SC_OPEN_MAX);
		if (max < 0 || max > 65536)
			max = 65536;
		for (int fd = 3; fd < max; fd++)
			close(fd);
	}
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n >= 0 && n != fd)   /* cannot happen: the lowest free is fd */
			close(n);
	}
}
