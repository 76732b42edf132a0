/* events.c - the tables behind events.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "events.h"

static const char *const kinds[VAX_EV_NKINDS] = {
	"defined", "undefined", "started", "suspended", "resumed", "stopped",
	"shutdown", "pmsuspended", "crashed",
};

/* Detail words by kind, in libvirt's virDomainEvent<Kind>DetailType order. */
static const char *const defined[] = { "added", "updated", "renamed", "from snapshot" };
static const char *const undefined[] = { "removed", "renamed" };
static const char *const started[] = { "booted", "migrated", "restored", "from snapshot", "wakeup" };
static const char *const suspended[] = { "paused", "migrated", "I/O error", "watchdog",
	"restored", "from snapshot", "API error", "postcopy", "postcopy failed" };
static const char *const resumed[] = { "unpaused", "migrated", "from snapshot", "postcopy",
	"postcopy failed" };
static const char *const stopped[] = { "shutdown", "destroyed", "crashed", "migrated",
	"saved", "failed", "from snapshot" };
static const char *const shutdown[] = { "finished", "guest", "host" };
static const char *const pmsuspended[] = { "memory", "disk" };
static const char *const crashed[] = { "panicked", "crashloaded" };

#define ENTRY(a) { a, sizeof(a) / sizeof(a[0]) }
static const struct { const char *const *words; size_t n; } details[VAX_EV_NKINDS] = {
	ENTRY(defined), ENTRY(undefined), ENTRY(started), ENTRY(suspended),
	ENTRY(resumed), ENTRY(stopped), ENTRY(shutdown), ENTRY(pmsuspended),
	ENTRY(crashed),
};

const char *vax_event_kind_name(int kind)
{
	return kind >= 0 && kind < VAX_EV_NKINDS ? kinds[kind] : NULL;
}

const char *vax_event_detail_name(int kind, int detail)
{
	if (kind < 0 || kind >= VAX_EV_NKINDS || detail < 0 ||
	    (size_t)detail >= details[kind].n)
		return "unknown";
	return details[kind].words[detail];
}

int vax_event_state(int kind)
{
	/* virDomainState: running 1, paused 3, shutdown 4, shutoff 5,
	 * crashed 6, pmsuspended 7. */
	switch (kind) {
	case VAX_EV_STARTED:
	case VAX_EV_RESUMED:
		return 1;
	case VAX_EV_SUSPENDED:
		return 3;
	case VAX_EV_STOPPED:
		return 5;
	case VAX_EV_SHUTDOWN:
		/* libvirt sets "shutdown" before it sends any of the details. */
		return 4;
	case VAX_EV_PMSUSPENDED:
		return 7;
	case VAX_EV_CRASHED:
		return 6;
	default:
		return -1;
	}
}

int vax_event_parse_list(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *p = list;
	unsigned m = 0;

	while (*p) {
		size_t n;
		int k;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (n = 0; p[n] && p[n] != ',' && !isspace((unsigned char)p[n]); n++)
			;
		if (n == 3 && strncasecmp(p, "all", 3) == 0) {
			m |= VAX_EV_ALL;
		} else {
			for (k = 0; k < VAX_EV_NKINDS; k++)
				if (strlen(kinds[k]) == n && strncasecmp(p, kinds[k], n) == 0)
					break;
			if (k == VAX_EV_NKINDS) {
				snprintf(err, errlen, "unknown event \"%.*s\" (use all, defined, "
					 "undefined, started, suspended, resumed, stopped, "
					 "shutdown, pmsuspended, crashed)", (int)(n > 40 ? 40 : n), p);
				return -1;
			}
			m |= 1u << k;
		}
		p += n;
	}
	if (!m) {
		snprintf(err, errlen, "no event named");
		return -1;
	}
	*mask = m;
	return 0;
}
