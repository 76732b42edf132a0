/* log.h - logging through net-snmp's logger (so -L options work as in
 * snmpd), safe to call from any thread: messages from other threads are
 * queued and written by the main thread, the only one touching net-snmp. */
#ifndef VAX_LOG_H
#define VAX_LOG_H

#include <syslog.h>

/* Call once from the main thread before any other thread starts.
 * notify() is called (from the logging thread) after a message was queued,
 * so the main loop can wake up and call vax_log_flush(). */
void vax_log_init(void (*notify)(void));
void vax_log_flush(void);
/* Whether -D was given at all; other threads check it cheaply. */
void vax_log_set_debug(int on);

void vax_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Debug output for a subsystem token (shown with -D or -Dtoken). */
void vax_debug(const char *token, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define vax_err(...)     vax_log(LOG_ERR, __VA_ARGS__)
#define vax_warn(...)    vax_log(LOG_WARNING, __VA_ARGS__)
#define vax_notice(...)  vax_log(LOG_NOTICE, __VA_ARGS__)
#define vax_info(...)    vax_log(LOG_INFO, __VA_ARGS__)

#endif
