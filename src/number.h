/* number.h - the one parser for the whole decimal numbers the agent reads
 * (configuration, command line, domain XML, uids): digits only, no sign,
 * no blanks, no overflow. Pure, any thread. */
#ifndef VAX_NUMBER_H
#define VAX_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/* s as a number <= max into *out; false (out untouched) for anything
 * else: NULL, empty, " 5", "-1", "5s", or a value past max or 2^64-1. */
bool vax_parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
