/*
 * Opening below CARBON_HOME through symbolic links (collector/walk.c): the
 * resolution used where openat2 is missing must give the same answers as the
 * kernel's RESOLVE_BENEATH: relative links inside the tree are followed,
 * absolute links and links or ".." leaving it are EXDEV, loops are ELOOP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbondump/fsutil.h"
#include "carbon/walk.h"

typedef struct tree {
    char root[PATH_MAX];
    int fd;
} tree;

static void put(const tree *t, const char *relpath, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", t->root, relpath);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void link_to(const tree *t, const char *target, const char *relpath)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", t->root, relpath);
    assert_int_equal(0, symlink(target, path));
}

/* home/                       the root
 *   conf/app.xml              "app"
 *   conf/..data -> data-1     Kubernetes-style relative link
 *   data-1/key.txt            "key"
 *   conf/key.txt -> ..data/key.txt
 *   conf/up -> ../conf        stays inside
 *   conf/passwd -> /etc/passwd
 *   conf/out -> ../../outside
 *   conf/loop-a -> loop-b, conf/loop-b -> loop-a */
static int setup(void **state)
{
    tree *t = calloc(1, sizeof *t);
    snprintf(t->root, sizeof t->root, "%s/cd-beneath-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(t->root));
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/conf", t->root);
    assert_int_equal(0, mkdir(path, 0700));
    snprintf(path, sizeof path, "%s/data-1", t->root);
    assert_int_equal(0, mkdir(path, 0700));
    put(t, "conf/app.xml", "app");
    put(t, "data-1/key.txt", "key");
    link_to(t, "../data-1", "conf/..data");
    link_to(t, "..data/key.txt", "conf/key.txt");
    link_to(t, "../conf", "conf/up");
    link_to(t, "/etc/passwd", "conf/passwd");
    link_to(t, "../../outside", "conf/out");
    link_to(t, "loop-b", "conf/loop-a");
    link_to(t, "loop-a", "conf/loop-b");
    t->fd = open(t->root, O_RDONLY | O_DIRECTORY);
    assert_true(t->fd >= 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tree *t = *state;
    close(t->fd);
    cd_remove_tree(t->root);
    free(t);
    return 0;
}

/* The fallback's answer: the resolved path, or "errno N". */
static const char *resolved(const tree *t, const char *relpath, char *out, size_t size)
{
    if (cd_walk_resolve_beneath(t->fd, relpath, out, size) != 0)
        snprintf(out, size, "errno %d", errno);
    return out;
}

/* What the kernel (openat2 through cd_walk_open_beneath) reads there, or
 * "errno N"; the same for the fallback's path opened without links. */
static void expect_same_as_kernel(const tree *t, const char *relpath, const char *content)
{
    char got[64] = "", fallback[PATH_MAX];
    int fd = cd_walk_open_beneath(t->fd, relpath, O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, got, sizeof got - 1);
        got[n > 0 ? n : 0] = '\0';
        close(fd);
    } else {
        snprintf(got, sizeof got, "errno %d", errno);
    }
    if (errno != ENOSYS)
        assert_string_equal(content, got);
    resolved(t, relpath, fallback, sizeof fallback);
    if (strncmp(fallback, "errno ", 6) == 0) {
        assert_string_equal(content, fallback);
        return;
    }
    fd = cd_walk_open(t->fd, fallback, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, got, sizeof got - 1);
    got[n > 0 ? n : 0] = '\0';
    close(fd);
    assert_string_equal(content, got);
}

static void relative_links_inside_are_followed(void **state)
{
    tree *t = *state;
    char out[PATH_MAX];
    assert_string_equal("data-1/key.txt", resolved(t, "conf/key.txt", out, sizeof out));
    assert_string_equal("conf/app.xml", resolved(t, "conf/up/up/app.xml", out, sizeof out));
    expect_same_as_kernel(t, "conf/key.txt", "key");
    expect_same_as_kernel(t, "conf/up/app.xml", "app");
    expect_same_as_kernel(t, "conf/./../conf/app.xml", "app");
}

static void leaving_the_tree_is_exdev(void **state)
{
    tree *t = *state;
    char expected[32];
    snprintf(expected, sizeof expected, "errno %d", EXDEV);
    expect_same_as_kernel(t, "conf/passwd", expected);
    expect_same_as_kernel(t, "conf/out/x", expected);
    expect_same_as_kernel(t, "../etc/passwd", expected);
    expect_same_as_kernel(t, "conf/../../etc/passwd", expected);
}

static void loops_are_eloop(void **state)
{
    tree *t = *state;
    char expected[32];
    snprintf(expected, sizeof expected, "errno %d", ELOOP);
    expect_same_as_kernel(t, "conf/loop-a", expected);
}

static void a_missing_name_fails_at_the_open(void **state)
{
    tree *t = *state;
    char out[PATH_MAX];
    assert_string_equal("conf/none.xml", resolved(t, "conf/none.xml", out, sizeof out));
    assert_int_equal(-1, cd_walk_open(t->fd, out, O_RDONLY));
    assert_int_equal(ENOENT, errno);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(relative_links_inside_are_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(leaving_the_tree_is_exdev, setup, teardown),
        cmocka_unit_test_setup_teardown(loops_are_eloop, setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_name_fails_at_the_open, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
