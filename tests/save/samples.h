/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU 7.2's reference streams (shared/samples, *.bin) and where their
 * records are, from the decoder's dump beside each (*.txt).
 */
#ifndef TEST_SAVE_SAMPLES_H
#define TEST_SAVE_SAMPLES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char kind[16];            /* FULL, START, PART, END, EOF, ... */
    uint64_t at;              /* record start */
    uint64_t end;             /* start of the next record */
    uint32_t id;
    char idstr[256];
    uint32_t instance;
    uint32_t version;
    uint64_t payload;         /* FULL: first payload byte */
    uint64_t payload_len;     /* FULL: without header and footer */
} SampleRecord;

typedef struct {
    char *name;               /* "devstate-i440fx-7.2" */
    GBytes *data;
    const char *machine;      /* the machine type it was written on */
    bool footers;
    GArray *records;          /* SampleRecord, in stream order */
} Sample;

/*
 * Every sample, sorted by name; fails the test when the directory
 * ($STUBDM_SAMPLES) or a dump is missing. Free with sample_list_free.
 */
GPtrArray *sample_list(void);
void sample_list_free(GPtrArray *list);
const Sample *sample_find(GPtrArray *list, const char *name);

const uint8_t *sample_bytes(const Sample *s, size_t *len);

/*
 * A device-state stream (header, FULL records, EOF) of the sample's FULL
 * records that keep() accepts, footers kept as they were.
 */
GByteArray *sample_filter(const Sample *s,
                          bool (*keep)(const SampleRecord *r));

#endif
