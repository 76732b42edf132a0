/* bench/baseline.c - the "AgentX ceiling" for bench/run.sh.
 *
 * A minimal AgentX subagent serving static in-memory tables under
 * 1.3.6.1.4.1.32473.99 (outside virt-agentx's .1 subtree):
 *
 *   .1.3.6.1.4.1.32473.99.T.1.C.R     table T (1..), column C, row R
 *
 * Odd columns are Counter64, even columns OCTET STRINGs shaped like ours
 * (a disk path).  Row indexes are kept in a sorted array and found by
 * binary search, as a real table with sparse indexes would; values are
 * computed from (T, C, R), nothing is allocated per request.  One plain
 * handler answers GET and GETNEXT (GETBULK is turned into GETNEXTs by the
 * agent library, as it is for virt-agentx).
 *
 * Usage: baseline -x AGENTX_ADDRESS [-p PIDFILE] -T ROWS,COLS [-T ROWS,COLS...]
 * Each -T adds the next table.  SIGTERM/SIGINT stop it.
 */
#define _GNU_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TABLES 8

struct table {
    oid base[16];           /* .1.3.6.1.4.1.32473.99.T */
    size_t base_len;
    long nrows, ncols;
    long *rows;             /* sorted row indexes */
};

static struct table tables[MAX_TABLES];
static int ntables;
static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

/* Index of the first row whose index is >= idx (nrows if none). */
static long lower_bound(const struct table *t, long idx)
{
    long lo = 0, hi = t->nrows;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (t->rows[mid] < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void set_value(netsnmp_variable_list *var, const struct table *t,
                      long col, long row)
{
    if (col % 2) {
        struct counter64 c;
        uint64_t v = (uint64_t)row * 1000003u + (uint64_t)col * 7919u +
                     (uint64_t)(t - tables) * 104729u;
        c.high = (u_long)(v >> 32);
        c.low = (u_long)(v & 0xffffffffu);
        snmp_set_var_typed_value(var, ASN_COUNTER64, &c, sizeof c);
    } else {
        char buf[96];
        int n = snprintf(buf, sizeof buf, "/var/lib/libvirt/images/dom%06ld-%ld.qcow2",
                         row, col);
        snmp_set_var_typed_value(var, ASN_OCTET_STR, buf, (size_t)n);
    }
}

static void set_name(netsnmp_variable_list *var, const struct table *t,
                     long col, long row)
{
    oid name[MAX_OID_LEN];
    memcpy(name, t->base, t->base_len * sizeof(oid));
    name[t->base_len] = 1;
    name[t->base_len + 1] = (oid)col;
    name[t->base_len + 2] = (oid)row;
    snmp_set_var_objid(var, name, t->base_len + 3);
}

/* The next (col, row) after the requested OID, inside table t; 0 if none. */
static int next_instance(const struct table *t, const oid *name, size_t len,
                         long *colp, long *rowp)
{
    size_t b = t->base_len;
    long col, pos;
    int cmp = snmp_oid_compare(name, len, t->base, b);
    if (cmp < 0 || len <= b || name[b] < 1) {
        col = 1, pos = 0;                         /* before the table */
    } else if (name[b] > 1) {
        return 0;                                 /* past the entry */
    } else if (len <= b + 1 || name[b + 1] < 1) {
        col = 1, pos = 0;
    } else {
        col = (long)name[b + 1];
        if (col > t->ncols)
            return 0;
        if (len <= b + 2)
            pos = 0;
        else if (name[b + 2] > (oid)LONG_MAX)
            pos = t->nrows;
        else {
            long idx = (long)name[b + 2];
            pos = lower_bound(t, idx);
            /* .C.idx and any .C.idx.x: the next row is after idx */
            if (pos < t->nrows && t->rows[pos] == idx)
                pos++;
        }
    }
    while (col <= t->ncols) {
        if (pos < t->nrows) {
            *colp = col;
            *rowp = t->rows[pos];
            return 1;
        }
        col++;
        pos = 0;
    }
    return 0;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                   netsnmp_agent_request_info *reqinfo,
                   netsnmp_request_info *requests)
{
    const struct table *t = reg->my_reg_void;
    netsnmp_request_info *r;
    (void)h;

    for (r = requests; r; r = r->next) {
        netsnmp_variable_list *var = r->requestvb;
        size_t b = t->base_len;
        long col, row;

        if (r->processed)
            continue;
        switch (reqinfo->mode) {
        case MODE_GET:
            if (var->name_length == b + 3 &&
                snmp_oid_compare(var->name, b, t->base, b) == 0 &&
                var->name[b] == 1 && var->name[b + 1] >= 1 &&
                (long)var->name[b + 1] <= t->ncols &&
                var->name[b + 2] <= (oid)LONG_MAX) {
                long pos = lower_bound(t, (long)var->name[b + 2]);
                if (pos < t->nrows && t->rows[pos] == (long)var->name[b + 2]) {
                    set_value(var, t, (long)var->name[b + 1], t->rows[pos]);
                    break;
                }
            }
            netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
            break;
        case MODE_GETNEXT:
            if (next_instance(t, var->name, var->name_length, &col, &row)) {
                set_name(var, t, col, row);
                set_value(var, t, col, row);
            }
            /* else leave it: the agent moves on to the next subtree */
            break;
        default:
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_GENERR);
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

static void usage(void)
{
    fprintf(stderr, "usage: baseline -x AGENTX_ADDRESS [-p PIDFILE] -T ROWS,COLS [-T ...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const oid ent[] = { 1, 3, 6, 1, 4, 1, 32473, 99 };
    const char *pidfile = NULL;
    int opt, i;

    while ((opt = getopt(argc, argv, "x:p:T:")) != -1) {
        switch (opt) {
        case 'x':
            netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
                                  NETSNMP_DS_AGENT_X_SOCKET, optarg);
            break;
        case 'p':
            pidfile = optarg;
            break;
        case 'T': {
            struct table *t;
            long r, c;
            if (ntables == MAX_TABLES || sscanf(optarg, "%ld,%ld", &r, &c) != 2 ||
                r < 0 || c < 1)
                usage();
            t = &tables[ntables];
            memcpy(t->base, ent, sizeof ent);
            t->base[8] = (oid)(ntables + 1);
            t->base_len = 9;
            t->nrows = r;
            t->ncols = c;
            t->rows = calloc((size_t)r + 1, sizeof *t->rows);
            if (!t->rows)
                return 3;
            /* sparse-ish, sorted indexes, like domain indexes after churn */
            for (long k = 0; k < r; k++)
                t->rows[k] = 1 + k + k / 7;
            ntables++;
            break;
        }
        default:
            usage();
        }
    }
    if (ntables == 0)
        usage();

    snmp_enable_stderrlog();
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
                       NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 1);
    if (init_agent("baseline") != 0)
        return 3;
    for (i = 0; i < ntables; i++) {
        char name[32];
        netsnmp_handler_registration *reg;
        snprintf(name, sizeof name, "baselineTable%d", i + 1);
        reg = netsnmp_create_handler_registration(name, handler,
                                                  tables[i].base, tables[i].base_len,
                                                  HANDLER_CAN_RONLY);
        if (!reg)
            return 3;
        reg->my_reg_void = &tables[i];
        if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK)
            return 3;
    }
    init_snmp("baseline");
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
    while (!stop)
        agent_check_and_process(1);
    snmp_shutdown("baseline");
    shutdown_agent();
    return 0;
}
