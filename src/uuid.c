/* uuid.c - libvirt's UUID text: checked, as 16 octets, or canonical. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "uuid.h"

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool vax_uuid_parse(const char *s, uint8_t out[16])
{
	uint8_t b[16];
	size_t n = 0;

	/* 8-4-4-4-12 hex digits; libvirt always gives this form. */
	if (!s || strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			continue;
		}
		int h = hex(s[i]);
		if (h < 0)
			return false;
		b[n / 2] = (uint8_t)(n % 2 ? (b[n / 2] << 4) | h : h);
		n++;
	}
	memcpy(out, b, 16);
	return true;
}

bool vax_uuid_canonical(const char *in, char out[37])
{
	uint8_t b[16];

	if (!vax_uuid_parse(in, b))
		return false;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6],
		 b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return true;
}
