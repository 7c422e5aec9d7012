/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the qtest and QMP halves of the test client. */
#ifndef QTEST_CLIENT_INT_H
#define QTEST_CLIENT_INT_H

#include "qtest-client.h"

#include <sys/types.h>

typedef struct {
    int fd;
    GString *buf;             /* received, not yet consumed */
    bool eof;
} QtcReader;

void qtc_reader_init(QtcReader *r, int fd);
void qtc_reader_destroy(QtcReader *r);
/* One read into the buffer: 1 got data, 0 end of stream, -1 timeout. */
int qtc_reader_fill(QtcReader *r, gint64 deadline);
/* A line without its '\n' (a '\r' stays), NULL at end of stream; fails
 * the test on timeout. */
char *qtc_reader_line(QtcReader *r, QtcProcess *owner, const char *what);
void qtc_send_all(int fd, const void *data, size_t len, QtcProcess *owner,
                  const char *what);

gint64 qtc_deadline_after(int ms);
int qtc_ms_left(gint64 deadline);

/* Fails the test; the child's output (owner may be NULL) is appended. */
void G_GNUC_NORETURN G_GNUC_PRINTF(2, 3)
qtc_fail(QtcProcess *p, const char *fmt, ...);

/* Reaps the child if it has exited; *status gets its wait status. */
bool qtc_exited(QtcProcess *p, int *status);

/* Wraps a connected socket and reads the greeting. */
QtcQmp *qtc_qmp_wrap(int fd, QtcProcess *owner, const char *name,
                     GError **errp);

#endif
