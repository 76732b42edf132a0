/* utf8.h - UTF-8 text: cut on a character, and made valid. Pure (any
 * thread): libvirt's names and the snapshot's text pass through here. */
#ifndef VAX_UTF8_H
#define VAX_UTF8_H

#include <stddef.h>

/* How many bytes of a UTF-8 string to keep for at most max, cut at a
 * character boundary (nothing is copied). s must be valid UTF-8 (see
 * below). */
size_t vax_utf8_prefix(const char *s, size_t max);

/* A malloc'ed copy of s that is valid UTF-8 (RFC 3629): every ill-formed
 * sequence (a stray byte, an overlong form, a surrogate, a code point
 * above U+10FFFF, a cut character) becomes U+FFFD. For text from outside
 * (libvirt accepts any bytes in a domain name through virDomainRename)
 * before the MIB serves it as VirtUtf8String or DisplayString. NULL
 * stays NULL; NULL also when out of memory. */
char *vax_utf8_dup(const char *s);

/* s made valid as above into dst, cut at a character to fit size bytes
 * with its NUL ("" for NULL or out of memory). */
void vax_utf8_copy(char *dst, size_t size, const char *s);

#endif
