/* priv.h - least privilege and process hygiene. */
#ifndef VAX_PRIV_H
#define VAX_PRIV_H

/* First thing in main(): close every descriptor above stderr that the
 * agent inherited (a caller's files or pipes, make's jobserver...: they
 * would stay open for the daemon's life), and give a closed stdin,
 * stdout or stderr /dev/null so that no file opened later becomes one. */
void vax_priv_sanitize_fds(void);

#endif
