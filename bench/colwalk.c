/* bench/colwalk.c - a many-column GETBULK table walk, as snmptable does it.
 *
 * snmptable needs the table's MIB to know its columns; the bench has none
 * for the baseline's table, so this does the same on the wire without one:
 * each GETBULK carries one varbind per column (TABLE.1.C, then the last OID
 * seen in that column) with max-repetitions REPS, until every column has
 * left the table.  Prints "VARBINDS ROWS REQUESTS SECONDS" (ROWS: the longest column).
 *
 * Usage: colwalk HOST:PORT COMMUNITY TABLE_OID NCOLS REPS
 */
#define _GNU_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXCOLS 128

int main(int argc, char **argv)
{
    netsnmp_session sess, *ss;
    oid table[MAX_OID_LEN];
    size_t table_len = MAX_OID_LEN;
    oid cur[MAXCOLS][MAX_OID_LEN];
    size_t cur_len[MAXCOLS];
    int active[MAXCOLS];
    long ncols, reps, varbinds = 0, requests = 0, rows = 0, percol[MAXCOLS] = { 0 };
    struct timespec t0, t1;
    int nactive;

    if (argc != 6) {
        fprintf(stderr, "usage: colwalk HOST:PORT COMMUNITY TABLE_OID NCOLS REPS\n");
        return 2;
    }
    ncols = atol(argv[4]);
    reps = atol(argv[5]);
    if (ncols < 1 || ncols > MAXCOLS || reps < 1)
        return 2;
    /* snmp.conf (SNMPCONFPATH) says which MIBs to load: the bench's none */
    init_snmp("colwalk");
    if (!read_objid(argv[3], table, &table_len)) {
        fprintf(stderr, "colwalk: bad OID %s\n", argv[3]);
        return 2;
    }
    snmp_sess_init(&sess);
    sess.peername = argv[1];
    sess.version = SNMP_VERSION_2c;
    sess.community = (u_char *)argv[2];
    sess.community_len = strlen(argv[2]);
    sess.timeout = 5000000;
    sess.retries = 1;
    ss = snmp_open(&sess);
    if (!ss) {
        snmp_perror("colwalk");
        return 1;
    }
    for (long c = 0; c < ncols; c++) {
        memcpy(cur[c], table, table_len * sizeof(oid));
        cur[c][table_len] = 1;
        cur[c][table_len + 1] = (oid)(c + 1);
        cur_len[c] = table_len + 2;
        active[c] = 1;
    }
    nactive = (int)ncols;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (nactive > 0) {
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK), *resp = NULL;
        int map[MAXCOLS], n = 0;
        pdu->non_repeaters = 0;
        pdu->max_repetitions = reps;
        for (long c = 0; c < ncols; c++)
            if (active[c]) {
                snmp_add_null_var(pdu, cur[c], cur_len[c]);
                map[n++] = (int)c;
            }
        requests++;
        if (snmp_synch_response(ss, pdu, &resp) != STAT_SUCCESS || !resp ||
            resp->errstat != SNMP_ERR_NOERROR) {
            fprintf(stderr, "colwalk: request %ld failed\n", requests);
            if (resp)
                snmp_free_pdu(resp);
            snmp_close(ss);
            return 1;
        }
        /* Answers are n varbinds per repetition, column order repeated. */
        int i = 0, done[MAXCOLS] = { 0 };
        for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable, i++) {
            int c = map[i % n];
            oid prefix[MAX_OID_LEN];
            if (done[c])
                continue;
            memcpy(prefix, table, table_len * sizeof(oid));
            prefix[table_len] = 1;
            prefix[table_len + 1] = (oid)(c + 1);
            if (v->type == SNMP_ENDOFMIBVIEW || v->name_length <= table_len + 2 ||
                snmp_oid_compare(v->name, table_len + 2, prefix, table_len + 2) != 0) {
                done[c] = 1;
                active[c] = 0;
                nactive--;
                continue;
            }
            varbinds++;
            if (++percol[c] > rows)
                rows = percol[c];
            memcpy(cur[c], v->name, v->name_length * sizeof(oid));
            cur_len[c] = v->name_length;
        }
        snmp_free_pdu(resp);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%ld %ld %ld %.6f\n", varbinds, rows, requests,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    snmp_close(ss);
    return 0;
}
