/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "ram" live section of QEMU 7.2 (version 4): block list and pages. */
#ifndef SAVE_RAM_SECTION_H
#define SAVE_RAM_SECTION_H

#include "ram/ram-block.h"
#include "save/stream.h"

#include <glib.h>
#include <stdbool.h>

#define SAVE_RAM_IDSTR "ram"
#define SAVE_RAM_VERSION 4

/* Record flags in the low 12 bits of each be64 word (§2.1). */
enum {
    SAVE_RAM_FULL = 0x001,
    SAVE_RAM_ZERO = 0x002,
    SAVE_RAM_MEM_SIZE = 0x004,
    SAVE_RAM_PAGE = 0x008,
    SAVE_RAM_EOS = 0x010,
    SAVE_RAM_CONTINUE = 0x020,
    SAVE_RAM_XBZRLE = 0x040,
    SAVE_RAM_HOOK = 0x080,
    SAVE_RAM_COMPRESS_PAGE = 0x100,
};

/*
 * One load of the RAM section: the block list is checked against the
 * registry when START arrives, pages are staged, and nothing in the
 * registry changes before save_ram_load_commit.
 */
typedef struct SaveRamLoad SaveRamLoad;

/* skip_unemulated: -machine unemulated=skip, blocks of absent devices. */
SaveRamLoad *save_ram_load_new(RamRegistry *reg, bool skip_unemulated);
void save_ram_load_free(SaveRamLoad *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SaveRamLoad, save_ram_load_free)

/* Reads one payload up to its EOS; start: a START section's (block list). */
gboolean save_ram_load_payload(SaveRamLoad *l, SaveInput *in, bool start,
                               GError **errp);
/* Blocks named in the list that were skipped (borrowed strings). */
const GPtrArray *save_ram_load_skipped(SaveRamLoad *l);
/* Resizes blocks, runs their hooks, writes the staged pages. */
void save_ram_load_commit(SaveRamLoad *l);

/* Writing: the CONTINUE state persists across the section's payloads. */
typedef struct SaveRamSave {
    RamRegistry *reg;
    const RamBlock *last;
    uint64_t zero_pages;      /* counts for query-migrate */
    uint64_t data_pages;      /* PAGE and COMPRESS_PAGE records */
    /*
     * COMPRESS_PAGE records as QEMU 7.2's "compress" capability writes
     * them; also on when save_ram_set_compress turned it on.
     */
    bool compress;
    uint64_t compressed_pages;
    /* Where save_ram_write_dirty goes on: block index and page. */
    guint cursor_block;
    uint64_t cursor_page;
    uint64_t rounds;          /* times the cursor went past the last block */
} SaveRamSave;

/*
 * The process-wide "compress" migration capability (one machine per
 * stubdm): migrate-set-capabilities sets it, every SaveRamSave follows it.
 * level: zlib level, QEMU's compress-level (default 1).
 */
void save_ram_set_compress(bool on, int level);
bool save_ram_get_compress(void);

/* zlib's compressBound(4096): the longest COMPRESS_PAGE record allowed. */
#define SAVE_RAM_COMPRESS_MAX 4110

/* START payload: MEM_SIZE, {idstr, used_length} per block, EOS. */
void save_ram_write_blocks(SaveRamSave *s, SaveWriter *w);
/*
 * Page records then EOS: every page when all, else the dirty ones; each
 * page sent is cleared in the dirty log. Zero pages as QEMU: ZERO + 0x00.
 * With compress, as QEMU 7.2: the first page of a new block goes out
 * PAGE (so its name precedes any compressed page), later ones
 * COMPRESS_PAGE: be32 length, then a zlib stream of the page.
 */
void save_ram_write_pages(SaveRamSave *s, SaveWriter *w, bool all);

/*
 * A live save's step: marks every page dirty (the bulk stage, at START)
 * or, later, sends at most max dirty pages (0: all of them) from where
 * the last step stopped, wrapping to the first block, then EOS. Pages
 * dirtied meanwhile are sent again on a later step.
 */
void save_ram_mark_all_dirty(SaveRamSave *s);
uint64_t save_ram_write_dirty(SaveRamSave *s, SaveWriter *w, uint64_t max);
/* Dirty pages of the blocks that travel: what a live save still owes. */
uint64_t save_ram_dirty_pages(const SaveRamSave *s);
/* Bytes of the blocks that travel (query-migrate's ram total). */
uint64_t save_ram_total(const SaveRamSave *s);

#endif
