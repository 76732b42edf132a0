/* priv.h - least privilege: -U USER and -G GROUP, and process hygiene.
 * Main thread, at start, before any other thread exists. */
#ifndef VAX_PRIV_H
#define VAX_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vax_priv {
	const char *user_arg, *group_arg;  /* -U and -G as given; NULL: not given */
	bool change;       /* root switches to uid/gid at vax_priv_drop() */
	bool same;         /* not root, and already that user: nothing to do */
	uid_t uid;
	gid_t gid;
	char *name;        /* the user's name in the password database, or NULL */
	char *home;        /* and its home directory */
};

/* Resolve -U/-G (names or numbers) before anything is started, so that a
 * mistake is reported on the terminal. Returns 0, or -1 with a message
 * naming the option in err. Not root: -U of the user we already are is a
 * no-op (p->same), any other user an error. */
int vax_priv_lookup(struct vax_priv *p, const char *user, const char *group,
		    char *err, size_t errlen);

/* Switch for good: supplementary groups (initgroups: the user's groups in
 * /etc/group count), gid, uid, in that order; check that root cannot be
 * regained; mark the process non-dumpable (it keeps descriptors opened as
 * root). Call before any thread starts. Returns 0, or -1 with err. */
int vax_priv_drop(const struct vax_priv *p, char *err, size_t errlen);

/* PR_SET_NO_NEW_PRIVS: nothing this process executes can gain privileges.
 * Returns 0, or -1 with err (old kernel). */
int vax_priv_no_new_privs(char *err, size_t errlen);

/* "user nobody (-U)" style description for messages; "" when unchanged. */
const char *vax_priv_who(const struct vax_priv *p, char *buf, size_t len);

/* First thing in main(): close every descriptor above stderr that the
 * agent inherited (a caller's files or pipes, make's jobserver...: they
 * would stay open for the daemon's life, and after -U in a process of
 * another user), and give a closed stdin/stdout/stderr /dev/null so that
 * no file opened later becomes one of them. */
void vax_priv_sanitize_fds(void);

void vax_priv_free(struct vax_priv *p);

#endif
