/* libvirt_events.c - the tables behind libvirt_events.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "libvirt_events.h"
#include "libvirt_state.h"

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
	switch (kind) {
	case VAX_EV_STARTED:
	case VAX_EV_RESUMED:
		return VAX_STATE_RUNNING;
	case VAX_EV_SUSPENDED:
		return VAX_STATE_PAUSED;
	case VAX_EV_STOPPED:
		return VAX_STATE_SHUTOFF;
	case VAX_EV_SHUTDOWN:
		/* libvirt sets "shutdown" before it sends any of the details. */
		return VAX_STATE_SHUTDOWN;
	case VAX_EV_PMSUSPENDED:
		return VAX_STATE_PMSUSPENDED;
	case VAX_EV_CRASHED:
		return VAX_STATE_CRASHED;
	default:
		return -1;
	}
}
