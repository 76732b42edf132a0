/* fuzz.h - the libFuzzer entry point every target defines.
 *
 * Each tests/fuzz/fuzz_*.c is linked twice: with libFuzzer
 * (--enable-fuzzing, CC=clang) as a fuzzer, and with replay.c (any
 * compiler) as a make-check program that feeds it its seed corpus.
 * A target reports a finding by crashing: abort() on a broken invariant,
 * and the sanitizers for memory errors, undefined behaviour and leaks.
 */
#ifndef VAX_FUZZ_H
#define VAX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which, then crash so that the fuzzer keeps
 * the input. */
#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
