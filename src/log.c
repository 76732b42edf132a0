/* log.c - a thread-safe front for net-snmp's logger. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "log.h"

struct queued {
	struct queued *next;
	int prio;
	char *token;   /* debug token or NULL */
	char msg[];
};

static pthread_t main_thread;
static bool ready;   /* before vax_log_init only the main thread runs */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct queued *head, **tail = &head;
static void (*wake)(void);
static atomic_int debug_on;

void vax_log_init(void (*notify)(void))
{
	main_thread = pthread_self();
	wake = notify;
	ready = true;
}

void vax_log_set_debug(int on)
{
	atomic_store(&debug_on, on);
}

static void emit(int prio, const char *token, const char *msg)
{
	if (!token)
		snmp_log(prio, "%s\n", msg);
	else if (debug_is_token_registered(token) == SNMPERR_SUCCESS)
		snmp_log(LOG_DEBUG, "%s: %s\n", token, msg);
}

static void vlog(int prio, const char *token, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void vlog(int prio, const char *token, const char *fmt, va_list ap)
{
	char buf[1024];
	struct queued *q;
	size_t len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!ready || pthread_equal(pthread_self(), main_thread)) {
		vax_log_flush();   /* keep order with queued messages */
		emit(prio, token, buf);
		return;
	}
	len = strlen(buf) + 1;
	if (!(q = malloc(sizeof(*q) + len)))
		return;
	q->next = NULL;
	q->prio = prio;
	q->token = token ? strdup(token) : NULL;
	memcpy(q->msg, buf, len);
	pthread_mutex_lock(&lock);
	*tail = q;
	tail = &q->next;
	pthread_mutex_unlock(&lock);
	if (wake)
		wake();
}

void vax_log_flush(void)
{
	struct queued *q;

	pthread_mutex_lock(&lock);
	q = head;
	head = NULL;
	tail = &head;
	pthread_mutex_unlock(&lock);
	while (q) {
		struct queued *next = q->next;
		emit(q->prio, q->token, q->msg);
		free(q->token);
		free(q);
		q = next;
	}
}

void vax_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, NULL, fmt, ap);
	va_end(ap);
}

void vax_debug(const char *token, const char *fmt, ...)
{
	va_list ap;

	if (!atomic_load(&debug_on))
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, token, fmt, ap);
	va_end(ap);
}
