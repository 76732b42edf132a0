/* agentx_vmmib.c - RFC 7666's VM-MIB notifications and its two writable
 * enable scalars (main thread; see agentx_vmmib.h). The policy (tracker,
 * bulk window, rate limit) is mib_vmmib_notify.c's; this file sends. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agentx_notify.h"
#include "agentx_value.h"
#include "agentx_vmmib.h"
#include "clock.h"
#include "log.h"
#include "uuid.h"
#include "mib_vmmib.h"
#include "mib_vmmib_notify.h"
#include "mib_vmmib_state.h"

static struct {
	struct vax_vm_tracker vm;
	struct vax_vm_bulk bulk;
	struct vax_rate rate;
	struct vax_vm_conf conf;        /* as last read from the file */
	bool per_vm, bulk_on;           /* the two enable objects' values */
	bool served;                    /* serveMIBs has VM-MIB: else none of this */
	const struct vax_config *cfg;   /* the agent's (trapsEnabled) */
	bool saved[2];                  /* their values before a SET (kept in RESERVE1) */
	unsigned alarm;                 /* the bulk window's snmp_alarm id, 0: none */
	uint64_t denied_logged;
	int64_t denied_log_ms;
} V;

static void send_bulk(unsigned reg, void *arg);

/* Per-VM notifications the rate limit held back: the first at once, then
 * a count at most once a second (and when a bulk window closes). */
static void log_denied(bool now_anyway)
{
	uint64_t n = V.rate.denied - V.denied_logged;
	int64_t t = vax_now_ms();

	if (!n || (!now_anyway && V.denied_log_ms && t - V.denied_log_ms < 1000))
		return;
	vax_warn("VM-MIB: %" PRIu64 " per-VM notification%s over vmNotificationRate "
		 "(%u a second) not sent%s", n, n == 1 ? "" : "s", V.rate.rate,
		 V.bulk_on ? "; the bulk notifications name their VMs" : "");
	V.denied_logged = V.rate.denied;
	V.denied_log_ms = t;
}

static void arm_bulk(void)
{
	int64_t due = vax_vm_bulk_due(&V.bulk), wait;

	if (V.alarm || due < 0)
		return;
	wait = due - vax_now_ms();
	if (wait < 0)
		wait = 0;
	struct timeval tv = { (time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000 };
	V.alarm = snmp_alarm_register_hr(tv, 0, send_bulk, NULL);
}

/* The window is over: one vmBulk<State> per state some VM changed to. */
static void send_bulk(unsigned reg, void *arg)
{
	struct vax_varbind vb[2];

	(void)reg;
	(void)arg;
	V.alarm = 0;
	for (int k = 1; k <= VAX_VM_NNOTIF; k++) {
		size_t len;
		uint8_t *bits = vax_vm_bulk_take(&V.bulk, k, &len);
		if (!bits)
			continue;
		if (V.cfg->traps_enabled && V.bulk_on)
			vax_notify_varbinds(vb, vax_vm_bulk_varbinds(k, bits, len, vb, 2));
		free(bits);
	}
	log_denied(true);
}

/* Every event goes through the tracker (it must know each VM's state
 * whatever is enabled); what it reports is sent as enabled. */
void vax_vmtraps_event(const struct vax_event *ev, const struct vax_domain *row, uint32_t index)
{
	struct vax_vm_trap t[2];
	struct vax_varbind vb[6];
	char name[sizeof(ev->name)];
	struct vax_domain d = { .name = name };   /* as the event names it */
	int persistent = -1;
	size_t n;

	if (!V.served || !index)
		return;
	memcpy(name, ev->name, sizeof(name));
	d.has_uuid_raw = vax_uuid_parse(ev->uuid, d.uuid_raw);
	if (row && vax_has(&row->vals, VAX_DOM_PERSISTENT))
		persistent = row->vals.v[VAX_DOM_PERSISTENT] ? 1 : 0;
	n = vax_vm_tracker_event(&V.vm, index, ev->kind, ev->detail, persistent,
				 ev->at_ms, t);
	for (size_t i = 0; i < n && V.cfg->traps_enabled; i++) {
		if (V.per_vm) {
			bool ok = vax_rate_allow(&V.rate, vax_now_ms());
			if (ok)
				vax_notify_varbinds(vb, vax_vm_trap_varbinds(&t[i], &d, vb, 6));
			vax_debug("traps", "VM-MIB notification %d for index %u (was %s)%s",
				  t[i].notif, index, vax_vm_oper_name(t[i].prev_oper),
				  ok ? "" : ": over vmNotificationRate, not sent");
		}
		if (V.bulk_on && vax_vm_bulk_add(&V.bulk, t[i].notif, index, vax_now_ms()))
			arm_bulk();
	}
	log_denied(false);
}

/* vmPerVMNotificationsEnabled.0 / vmBulkNotificationsEnabled.0: TruthValue,
 * read-write. A SET changes only this process's flag (the RFC: "MUST NOT
 * persist across re-initialization"); every phase runs on the main thread
 * and touches nothing but the flag. */
static int vm_enable_handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
			     netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	int which = (int)(intptr_t)h->myvoid;
	bool *flag = which ? &V.bulk_on : &V.per_vm;

	(void)reg;
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		long v;

		switch (reqinfo->mode) {
		case MODE_GET:
			v = *flag ? 1 : 2;
			snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
			break;
		case MODE_SET_RESERVE1:
			if (vb->type != ASN_INTEGER || vb->val_len != sizeof(long))
				netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGTYPE);
			else if (*vb->val.integer != 1 && *vb->val.integer != 2)
				netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGVALUE);
			/* The value before this SET, kept before any ACTION changes
			 * it: a PDU naming the object twice still undoes to it. */
			V.saved[which] = *flag;
			break;
		case MODE_SET_ACTION:
			*flag = *vb->val.integer == 1;
			break;
		case MODE_SET_UNDO:
			*flag = V.saved[which];
			break;
		case MODE_SET_COMMIT:
			vax_notice("%s set to %s by SNMP (until the agent restarts)",
				   which ? "vmBulkNotificationsEnabled" : "vmPerVMNotificationsEnabled",
				   *flag ? "true" : "false");
			break;
		default:   /* RESERVE2, FREE: nothing held */
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

int vax_vmtraps_register(char *err, size_t errlen)
{
	static const oid per_vm[] = { VAX_VM_PER_VM_ENABLED_OID };
	static const oid bulk[] = { VAX_VM_BULK_ENABLED_OID };
	const struct { const char *name; const oid *o; size_t len; } s[2] = {
		{ "vmPerVMNotificationsEnabled", per_vm, OID_LENGTH(per_vm) },
		{ "vmBulkNotificationsEnabled", bulk, OID_LENGTH(bulk) },
	};

	/* Each scalar on its own, so they sit beside whatever else serves
	 * the VM-MIB (the more specific registration answers for them). */
	for (int i = 0; i < 2; i++) {
		netsnmp_handler_registration *r = netsnmp_create_handler_registration(
			s[i].name, vm_enable_handler, s[i].o, s[i].len, HANDLER_CAN_RWRITE);
		if (r)
			r->handler->myvoid = (void *)(intptr_t)i;
		if (!r || netsnmp_register_scalar(r) != MIB_REGISTERED_OK) {
			snprintf(err, errlen, "cannot register %s", s[i].name);
			return -1;
		}
	}
	return 0;
}

void vax_vmtraps_start(const struct vax_config *c)
{
	const struct vax_vm_conf *o = &c->vm;

	V.conf = *o;
	V.served = (c->mibs & VAX_MIB_VM) != 0;
	V.cfg = c;
	V.per_vm = o->per_vm;
	V.bulk_on = o->bulk;
	vax_rate_init(&V.rate, o->rate, o->rate);
	vax_vm_bulk_init(&V.bulk, o->bulk_window_ms);
}

bool vax_vmtraps_served(void)
{
	return V.served;
}

void vax_vmtraps_configure(const struct vax_config *c)
{
	const struct vax_vm_conf *o = &c->vm;

	V.cfg = c;
	if (o->per_vm != V.conf.per_vm)
		V.per_vm = o->per_vm;
	if (o->bulk != V.conf.bulk)
		V.bulk_on = o->bulk;
	if (o->rate != V.conf.rate)
		vax_rate_init(&V.rate, o->rate, o->rate);
	V.bulk.window_ms = o->bulk_window_ms;
	V.conf = *o;
}

void vax_vmtraps_snapshot(const struct vax_snapshot *s)
{
	vax_vm_tracker_snapshot(&V.vm, s);
}

void vax_vmtraps_stop(void)
{
	if (V.alarm) {   /* what the bulk window gathered so far */
		snmp_alarm_unregister(V.alarm);
		send_bulk(0, NULL);
	}
}

void vax_vmtraps_free(void)
{
	vax_vm_tracker_free(&V.vm);
	vax_vm_bulk_free(&V.bulk);
}
