/* stats_input.h - one bulk stats record written as text: the stats
 * fuzzer's input and seed corpus (tests/fuzz/corpus/stats/), which unit
 * tests read too (check_libvirt_stats_domain.c). Test code only.
 *
 * Input: lines of text, each "TAG REST" (one space after the tag is
 * optional). The domain's definition, as the XML would give it:
 *   D TARGET   a disk with a source; "D" alone: a disk without a target
 *   C TARGET   a disk without a source (an empty cdrom)
 *   N TARGET   a NIC; "N" alone: one without a host device (user-mode)
 * (at most 8 disks and 8 NICs). Then typed parameters, "TAG FIELD=VALUE":
 *   i int   u uint   l llong   L ullong   d double   b boolean   s string
 *   ? a type libvirt does not have (0)   ! one past the last (7)
 * Numbers are read with strtoll/strtoull/strtod in base 0 ("-1", "0x10",
 * "99999999999999999999" all go), then cut to the type's width as a C
 * cast would. A field longer than libvirt's 79 bytes is cut as well. A
 * parameter without "=VALUE" is 0, or a NULL string. '#' starts a comment
 * line; an unknown tag is ignored. tests/fuzz/corpus/stats/ has examples,
 * some dumped from real QEMU and test-driver guests by dump-stats.c.
 */
#ifndef VAX_STATS_INPUT_H
#define VAX_STATS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "model.h"

struct stats_input {
	struct vax_domdef *def;   /* the D, C and N lines (parsed: true) */
	virTypedParameter *p;     /* the record, as libvirt would give it */
	int n;
};

/* Decode size bytes into a zeroed *in; false when out of memory. Either
 * way stats_input_free frees what it holds. */
bool stats_input_decode(const uint8_t *data, size_t size, struct stats_input *in);

/* Read the file at path and decode it; false, with a message on stderr,
 * when it cannot be read. */
bool stats_input_load(const char *path, struct stats_input *in);

void stats_input_free(struct stats_input *in);

#endif
