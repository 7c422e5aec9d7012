/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEVM version 3 record framing over a file descriptor, both ways. */
#ifndef SAVE_STREAM_H
#define SAVE_STREAM_H

#include "save/codec.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define QEVM_MAGIC 0x5145564du
#define QEVM_VERSION 3

enum {
    QEVM_EOF = 0x00,
    QEVM_SECTION_START = 0x01,
    QEVM_SECTION_PART = 0x02,
    QEVM_SECTION_END = 0x03,
    QEVM_SECTION_FULL = 0x04,
    QEVM_SUBSECTION = 0x05,
    QEVM_VMDESCRIPTION = 0x06,
    QEVM_CONFIGURATION = 0x07,
    QEVM_COMMAND = 0x08,
    QEVM_FOOTER = 0x7e,
};

/* Buffered writer; the first write error sticks and is reported at finish. */
typedef struct SaveWriter {
    int fd;
    GByteArray *buf;
    uint64_t written;
    GError *error;
} SaveWriter;

void save_writer_init(SaveWriter *w, int fd);
void save_writer_u8(SaveWriter *w, uint8_t v);
void save_writer_be32(SaveWriter *w, uint32_t v);
void save_writer_bytes(SaveWriter *w, const void *p, size_t n);
/* u8 length then the bytes, as QEMU's counted strings. */
void save_writer_counted(SaveWriter *w, const char *s);
/* Flushes and frees; FALSE with the first error if any write failed. */
gboolean save_writer_finish(SaveWriter *w, GError **errp);

/*
 * Buffered reader over an fd with bounded memory: the window grows only to
 * what one request needs. Bytes consumed while a capture is set are
 * copied into it (a section's payload, staged for commit).
 */
typedef struct SaveInput {
    int fd;
    GByteArray *buf;
    size_t pos;
    uint64_t origin;          /* stream offset of buf->data[0] */
    bool eof;
    GByteArray *capture;
} SaveInput;

void save_input_init(SaveInput *in, int fd);
void save_input_destroy(SaveInput *in);
uint64_t save_input_offset(const SaveInput *in);
/* Makes n bytes available; FALSE at end of stream (errp says where). */
gboolean save_input_need(SaveInput *in, size_t n, GError **errp);
/* Peeks up to n bytes without consuming; returns how many there are. */
size_t save_input_peek(SaveInput *in, size_t n, const uint8_t **p);
gboolean save_input_u8(SaveInput *in, uint8_t *v, GError **errp);
gboolean save_input_be32(SaveInput *in, uint32_t *v, GError **errp);
gboolean save_input_bytes(SaveInput *in, void *p, size_t n, GError **errp);
/* A counted string into buf (256 bytes), NUL-terminated. */
gboolean save_input_counted(SaveInput *in, char *buf, GError **errp);

/*
 * Decodes one table payload straight from the stream, capturing the bytes
 * it consumed so it can be applied later from memory.
 */
gboolean save_input_decode(SaveInput *in, const SaveSection *s,
                           void *scratch, int version, GByteArray *capture,
                           GError **errp);

#endif
