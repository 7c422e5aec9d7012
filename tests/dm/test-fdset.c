/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Descriptor sets (QMP add-fd) and opening "/dev/fdset/N". */
#include "test-dm.h"

#include "dm/fdset.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *temp_file(int *fd, int flags)
{
    g_autoptr(GError) err = NULL;
    char *path = NULL;
    int tmp = g_file_open_tmp("fdset-XXXXXX", &path, &err);

    g_assert_no_error(err);
    close(tmp);
    *fd = open(path, flags);
    g_assert_cmpint(*fd, >=, 0);
    return path;
}

static void write_via_set(DmFdsets *f, const char *name, const char *text)
{
    g_autoptr(GError) err = NULL;
    int fd = dm_fdsets_open(f, name, O_WRONLY | O_CREAT | O_TRUNC, &err);

    g_assert_no_error(err);
    g_assert_cmpint(write(fd, text, strlen(text)), ==, (int)strlen(text));
    close(fd);
}

/* Each open truncates and starts at 0, though duplicates share offsets. */
static void test_fdset_truncate(void)
{
    DmFdsets *f = dm_fdsets_new();
    int fd;
    g_autofree char *path = temp_file(&fd, O_WRONLY);
    g_autofree char *got = NULL;
    g_autofree char *name = NULL;
    int id = dm_fdsets_add(f, -1, fd);

    g_assert_cmpint(id, ==, 0);
    name = g_strdup_printf("/dev/fdset/%d", id);
    write_via_set(f, name, "a longer first save");
    write_via_set(f, name, "second");
    g_assert_true(g_file_get_contents(path, &got, NULL, NULL));
    g_assert_cmpstr(got, ==, "second");
    dm_fdsets_free(f);
    g_unlink(path);
}

/* The access mode must allow the open; unknown sets and names fail. */
static void test_fdset_refusals(void)
{
    DmFdsets *f = dm_fdsets_new();
    g_autoptr(GError) err = NULL;
    int fd;
    g_autofree char *path = temp_file(&fd, O_RDONLY);

    g_assert_cmpint(dm_fdsets_add(f, 3, fd), ==, 3);
    g_assert_cmpint(dm_fdsets_open(f, "/dev/fdset/3", O_WRONLY, &err), <, 0);
    g_assert_nonnull(strstr(err->message, "no descriptor in set 3"));
    g_clear_error(&err);
    g_assert_cmpint(dm_fdsets_open(f, "/dev/fdset/4", O_RDONLY, &err), <, 0);
    g_clear_error(&err);
    g_assert_cmpint(dm_fdsets_open(f, "/dev/fdset/x", O_RDONLY, &err), <, 0);
    g_assert_nonnull(strstr(err->message, "not a descriptor set name"));
    g_clear_error(&err);
    fd = dm_fdsets_open(f, "/dev/fdset/3", O_RDONLY, &err);
    g_assert_no_error(err);
    close(fd);
    /* The lowest free id comes next. */
    g_assert_cmpint(dm_fdsets_add(f, -1, dup(0)), ==, 0);
    dm_fdsets_free(f);
    g_unlink(path);
}

void test_fdset_register(void)
{
    g_test_add_func("/dm/fdset/truncate", test_fdset_truncate);
    g_test_add_func("/dm/fdset/refusals", test_fdset_refusals);
}
