/* priv.c - dropping root: -U USER, -G GROUP.
 *
 * The agent needs root for nothing once it runs: libvirt's read-only
 * socket, the AgentX socket and the index file only need the right
 * permissions. What may need root is opened before the switch (pid file,
 * -Lf log file, the configuration file) and everything else after it, so
 * that a reconnection later works exactly as the first connection did.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "number.h"
#include "priv.h"

static bool number(const char *s, unsigned long *out)
{
	uint64_t v;

	if (!vax_parse_u64(s, ULONG_MAX, &v))
		return false;
	*out = (unsigned long)v;
	return true;
}

/* getpwnam/getgrnam return NULL with errno 0 (or one of these) when the
 * name is simply not there; anything else is a failed lookup. */
static bool not_found(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

static int lookup_user(struct vax_priv *p, const char *user, char *err, size_t errlen)
{
	struct passwd *pw;
	unsigned long n;

	errno = 0;
	pw = getpwnam(user);
	if (!pw && !not_found(errno)) {
		snprintf(err, errlen, "-U %s: cannot look the user up: %s", user,
			 strerror(errno));
		return -1;
	}
	if (!pw && number(user, &n)) {
		if (n >= (unsigned long)(uid_t)-1) {
			snprintf(err, errlen, "-U %s: not a valid user id", user);
			return -1;
		}
		p->uid = (uid_t)n;
		pw = getpwuid(p->uid);
		if (!pw)
			return 0;   /* an id without a name: -G is then needed */
	}
	if (!pw) {
		snprintf(err, errlen, "-U %s: no such user", user);
		return -1;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	if (!(p->name = strdup(pw->pw_name)) || !(p->home = strdup(pw->pw_dir))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int lookup_group(struct vax_priv *p, const char *group, char *err, size_t errlen)
{
	struct group *gr;
	unsigned long n;

	errno = 0;
	gr = getgrnam(group);
	if (!gr && !not_found(errno)) {
		snprintf(err, errlen, "-G %s: cannot look the group up: %s", group,
			 strerror(errno));
		return -1;
	}
	if (gr) {
		p->gid = gr->gr_gid;
		return 0;
	}
	if (!number(group, &n)) {
		snprintf(err, errlen, "-G %s: no such group", group);
		return -1;
	}
	if (n >= (unsigned long)(gid_t)-1) {
		snprintf(err, errlen, "-G %s: not a valid group id", group);
		return -1;
	}
	p->gid = (gid_t)n;
	return 0;
}

int vax_priv_lookup(struct vax_priv *p, const char *user, const char *group,
		    char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->user_arg = user;
	p->group_arg = group;
	if (!user && !group)
		return 0;
	if (!user) {
		/* A process that stays root can take any group back. */
		snprintf(err, errlen, "-G %s: needs -U USER too (a process that stays "
			 "root keeps every privilege)", group);
		goto fail;
	}
	if (!*user || (group && !*group)) {
		snprintf(err, errlen, "%s: needs a name or a number", *user ? "-G" : "-U");
		goto fail;
	}
	if (lookup_user(p, user, err, errlen) < 0)
		goto fail;
	if (group) {
		if (lookup_group(p, group, err, errlen) < 0)
			goto fail;
	} else if (!p->name) {
		snprintf(err, errlen, "-U %s: no user with this id in the password "
			 "database, so no group to take: give -G GROUP too", user);
		goto fail;
	}

	if (geteuid() == 0) {
		p->change = true;
		return 0;
	}
	/* Not root: switching is impossible; being that user already is fine. */
	if (p->uid != geteuid() || p->uid != getuid()) {
		snprintf(err, errlen, "-U %s: switching to another user needs root "
			 "(running as uid %lu)", user, (unsigned long)geteuid());
		goto fail;
	}
	if (group && (p->gid != getegid() || p->gid != getgid())) {
		snprintf(err, errlen, "-G %s: switching to another group needs root "
			 "(running as gid %lu)", group, (unsigned long)getegid());
		goto fail;
	}
	p->same = true;
	return 0;
fail:
	vax_priv_free(p);
	return -1;
}

int vax_priv_drop(const struct vax_priv *p, char *err, size_t errlen)
{
	const char *u = p->user_arg;
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (!p->change)
		return 0;
	/* Capabilities must not survive the uid change (the default). */
	if (prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) < 0) {
		snprintf(err, errlen, "-U %s: prctl(PR_SET_KEEPCAPS): %s", u, strerror(errno));
		return -1;
	}
	/* Groups first, uid last: after setuid() nothing else may change.
	 * initgroups() gives the user's memberships from the group database
	 * (and the -G group), so e.g. access granted to a group counts. */
	if ((p->name ? initgroups(p->name, p->gid) : setgroups(1, &p->gid)) < 0) {
		snprintf(err, errlen, "-U %s: cannot set the supplementary groups: %s",
			 u, strerror(errno));
		return -1;
	}
	if (setresgid(p->gid, p->gid, p->gid) < 0) {
		snprintf(err, errlen, "%s %s: cannot switch to gid %lu: %s",
			 p->group_arg ? "-G" : "-U", p->group_arg ? p->group_arg : u,
			 (unsigned long)p->gid, strerror(errno));
		return -1;
	}
	if (setresuid(p->uid, p->uid, p->uid) < 0) {
		snprintf(err, errlen, "-U %s: cannot switch to uid %lu: %s", u,
			 (unsigned long)p->uid, strerror(errno));
		return -1;
	}
	if (getresuid(&r, &e, &s) < 0 || r != p->uid || e != p->uid || s != p->uid ||
	    getresgid(&rg, &eg, &sg) < 0 || rg != p->gid || eg != p->gid || sg != p->gid) {
		snprintf(err, errlen, "-U %s: the user and group ids did not all change", u);
		return -1;
	}
	/* There must be no way back. */
	if (p->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "-U %s: root could be regained after the switch; "
			 "refusing to run", u);
		return -1;
	}
	if (p->gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
		snprintf(err, errlen, "-U %s: gid 0 could be regained after the switch; "
			 "refusing to run", u);
		return -1;
	}
	/* The process keeps descriptors opened as root (the -Lf log file):
	 * processes of the new user must not ptrace it or read its memory.
	 * The kernel usually clears the flag on the switch already, but only
	 * if fs.suid_dumpable is 0. No core dumps either. */
	if (p->uid != 0 && prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0) {
		snprintf(err, errlen, "-U %s: prctl(PR_SET_DUMPABLE): %s", u, strerror(errno));
		return -1;
	}
	/* libvirt's client reads the user's own configuration. */
	if (p->name && (setenv("HOME", p->home, 1) < 0 || setenv("USER", p->name, 1) < 0 ||
			setenv("LOGNAME", p->name, 1) < 0)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int vax_priv_no_new_privs(char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		return -1;
	}
	return 0;
}

const char *vax_priv_who(const struct vax_priv *p, char *buf, size_t len)
{
	if (!p->change && !p->same)
		snprintf(buf, len, "%s", "");
	else if (p->name)
		snprintf(buf, len, "user %s (-U)", p->name);
	else
		snprintf(buf, len, "uid %lu (-U)", (unsigned long)p->uid);
	return buf;
}

void vax_priv_sanitize_fds(void)
{
	long max;

#ifdef HAVE_CLOSE_RANGE
	if (close_range(3, ~0U, 0) < 0)   /* before Linux 5.9 */
#endif
	{
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

void vax_priv_free(struct vax_priv *p)
{
	free(p->name);
	free(p->home);
	p->name = p->home = NULL;
}
