/*
 * C tests of the SwiftService API against the local cluster: upload a
 * small tree, list it, download it back and compare, stat asynchronously
 * with on_done / free_user_data, delete everything, and the error paths.
 * Built as C99 and C++, run under valgrind by tests/c_programs.rs.
 */
#include "swiftclient.h"
#include "check.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


struct tally {
    int records;
    int failed;
    int progress;
    int entries;
};

static int on_record(void *ud, const char *json, size_t len) {
    struct tally *t = (struct tally *)ud;
    const char *p = json;
    t->records++;
    if (strstr(json, "\"success\":false") != NULL) {
        t->failed++;
        fprintf(stderr, "failed record: %.*s\n", (int)len, json);
    }
    while ((p = strstr(p, "\"bytes\":")) != NULL) { /* listing entries */
        t->entries++;
        p++;
    }
    return 0;
}

static void on_progress(void *ud, const char *json, size_t len) {
    (void)json;
    (void)len;
    ((struct tally *)ud)->progress++;
}

/* Async bookkeeping: on_done must come once, after which free_user_data. */
struct async_state {
    pthread_mutex_t lock;
    int records;
    int done;
    int freed;
    int freed_after_done;
    swc_status status;
};

static int async_record(void *ud, const char *json, size_t len) {
    struct async_state *s = (struct async_state *)ud;
    (void)json;
    (void)len;
    pthread_mutex_lock(&s->lock);
    s->records++;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

static void async_done(void *ud, swc_status status, const char *summary, size_t len) {
    struct async_state *s = (struct async_state *)ud;
    (void)len;
    pthread_mutex_lock(&s->lock);
    s->done++;
    s->status = status;
    pthread_mutex_unlock(&s->lock);
    CHECK(strstr(summary, "\"action\":\"stat\"") != NULL, "%s", summary);
}

static void async_free(void *ud) {
    struct async_state *s = (struct async_state *)ud;
    pthread_mutex_lock(&s->lock);
    s->freed++;
    s->freed_after_done = s->done == 1;
    pthread_mutex_unlock(&s->lock);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

static int same_file(const char *a, const char *b) {
    char x[256], y[256];
    size_t n, m;
    FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
    if (f == NULL || g == NULL) {
        if (f) fclose(f);
        if (g) fclose(g);
        return 0;
    }
    n = fread(x, 1, sizeof x, f);
    m = fread(y, 1, sizeof y, g);
    fclose(f);
    fclose(g);
    return n == m && memcmp(x, y, n) == 0;
}

int main(void) {
    char opts[512], req[2048], dir[128], out[160], path[512], back[512];
    char *err = NULL, *summary = NULL;
    swc_client *client = NULL;
    struct tally t;
    const char *auth = getenv("SWC_TEST_V1_AUTH");
    char container[64];
    int i;

    if (auth == NULL) {
        fprintf(stderr, "SWC_TEST_V1_AUTH is not set (run scripts/test)\n");
        return 2;
    }
    snprintf(opts, sizeof opts, "{\"auth\": \"%s\", \"user\": \"test:tester\", \"key\": \"testing\"}", auth);
    CHECK(swc_client_new(opts, &client, &err) == SWC_OK, "%s", err ? err : "");
    snprintf(container, sizeof container, "swc-c-svc-%d", (int)getpid());

    /* A small tree: tree/a.txt, tree/sub/b.txt, tree/empty/ */
    snprintf(dir, sizeof dir, "/tmp/swc-c-svc-%d", (int)getpid());
    snprintf(out, sizeof out, "%s-out", dir);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/tree", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/tree/sub", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/tree/empty", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/tree/a.txt", dir);
    write_file(path, "alpha\n");
    snprintf(path, sizeof path, "%s/tree/sub/b.txt", dir);
    write_file(path, "beta beta\n");

    memset(&t, 0, sizeof t);
    snprintf(req, sizeof req, "{\"container\": \"%s\", \"objects\": [\"%s/tree\"], \"object_name\": \"tree\"}",
             container, dir);
    CHECK(swc_upload(client, req, on_record, on_progress, &t, NULL, &summary, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(t.records == 4 && t.failed == 0, "records %d failed %d", t.records, t.failed); /* container, 2 files, marker */
    CHECK(t.progress > 0, "progress events");
    CHECK(summary != NULL && strstr(summary, "\"failed\":0") != NULL, "%s", summary ? summary : "");
    swc_string_free(summary);
    summary = NULL;

    memset(&t, 0, sizeof t);
    snprintf(req, sizeof req, "{\"container\": \"%s\"}", container);
    CHECK(swc_list(client, req, on_record, NULL, &t, NULL, NULL, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(t.records == 1 && t.entries == 3, "records %d entries %d", t.records, t.entries);

    memset(&t, 0, sizeof t);
    snprintf(req, sizeof req, "{\"container\": \"%s\", \"out_directory\": \"%s\"}", container, out);
    CHECK(swc_download(client, req, on_record, NULL, &t, NULL, NULL, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(t.records == 3 && t.failed == 0, "records %d", t.records);
    snprintf(path, sizeof path, "%s/tree/sub/b.txt", dir);
    snprintf(back, sizeof back, "%s/tree/sub/b.txt", out);
    CHECK(same_file(path, back), "%s differs from %s", back, path);
    {
        struct stat st;
        snprintf(back, sizeof back, "%s/tree/empty", out);
        CHECK(stat(back, &st) == 0 && S_ISDIR(st.st_mode), "directory marker became a directory");
    }

    /* Asynchronous stat of three objects, one missing. */
    {
        struct async_state s;
        swc_op *op = NULL;
        swc_status final_status = -1;
        memset(&s, 0, sizeof s);
        pthread_mutex_init(&s.lock, NULL);
        snprintf(req, sizeof req, "{\"container\": \"%s\", \"objects\": [\"tree/a.txt\", \"tree/sub/b.txt\", \"nope\"]}",
                 container);
        CHECK(swc_stat_start(client, req, async_record, NULL, async_done, &s, async_free, &op) == SWC_OK, "start");
        CHECK(swc_op_wait(op, -1, &final_status, NULL) == SWC_OK, "wait");
        CHECK(final_status == SWC_E_HTTP, "one failed: %d", (int)final_status);
        pthread_mutex_lock(&s.lock);
        CHECK(s.records == 3 && s.done == 1 && s.freed == 1 && s.freed_after_done, "records %d done %d freed %d",
              s.records, s.done, s.freed);
        CHECK(s.status == final_status, "on_done status");
        pthread_mutex_unlock(&s.lock);
        swc_op_free(op);
        pthread_mutex_destroy(&s.lock);
    }

    /* Errors: a bad request fails at once and no callback fires. */
    memset(&t, 0, sizeof t);
    {
        swc_op *op = (swc_op *)0x1;
        CHECK(swc_upload_start(client, "{\"container\": \"c\"}", on_record, NULL, NULL, &t, NULL, &op) == SWC_E_CONFIG,
              "empty upload");
        CHECK(op == (swc_op *)0x1, "op written on failure");
    }
    CHECK(swc_delete(client, "{\"container\": \"c\", \"bulk\": \"maybe\"}", on_record, NULL, &t, NULL, NULL, &err) ==
              SWC_E_CONFIG, "bad bulk value");
    CHECK(err != NULL && strstr(err, "\"key\":\"bulk\"") != NULL, "%s", err ? err : "");
    swc_string_free(err);
    err = NULL;
    CHECK(t.records == 0, "no callback after a failed start");
    CHECK(swc_op_wait(NULL, 0, NULL, NULL) == SWC_E_INVALID_ARGUMENT, "NULL op");
    swc_op_cancel(NULL);
    swc_op_free(NULL);

    memset(&t, 0, sizeof t);
    snprintf(req, sizeof req, "{\"container\": \"%s\"}", container);
    CHECK(swc_delete(client, req, on_record, NULL, &t, NULL, NULL, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(t.records == 4, "3 objects + the container: %d", t.records);

    swc_client_free(client);
    snprintf(path, sizeof path, "rm -rf '%s' '%s'", dir, out);
    i = system(path);
    (void)i;
    return SUMMARY();
}
