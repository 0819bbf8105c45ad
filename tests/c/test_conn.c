/*
 * C tests of the Connection API against the local cluster: every body
 * source and sink, listings with a page callback, metadata, copy, /info,
 * the log callback (secrets redacted), cancellation, and the error paths.
 * Built as C99 and C++, run under valgrind by tests/c_programs.rs.
 */
#include "swiftclient.h"
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#define OK(call)                                                                        \
    do {                                                                                \
        char *err_ = NULL;                                                              \
        char *res_ = NULL;                                                              \
        swc_status st_ = (call);                                                        \
        CHECK(st_ == SWC_OK, "%s -> %s %s", #call, swc_status_str(st_), err_ ? err_ : ""); \
        swc_string_free(err_);                                                          \
        swc_string_free(res_);                                                          \
    } while (0)

static swc_client *client;
static char container[64];

/* ---- a growable byte buffer ---- */
struct buf {
    unsigned char *data;
    size_t len;
    size_t cap;
    size_t pos; /* read position, for uploads */
};

static int buf_write(void *ud, const uint8_t *p, size_t n) {
    struct buf *b = (struct buf *)ud;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        unsigned char *d = (unsigned char *)realloc(b->data, cap);
        if (d == NULL) return 1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static intptr_t buf_read(void *ud, uint8_t *p, size_t cap) {
    struct buf *b = (struct buf *)ud;
    size_t n = b->len - b->pos;
    if (n > cap) n = cap;
    if (n > 1000) n = 1000; /* short reads on purpose */
    memcpy(p, b->data + b->pos, n);
    b->pos += n;
    return (intptr_t)n;
}

static int buf_rewind(void *ud) {
    ((struct buf *)ud)->pos = 0;
    return 0;
}

static int stop_writing(void *ud, const uint8_t *p, size_t n) {
    (void)ud;
    (void)p;
    (void)n;
    return 1;
}

static void fill(struct buf *b, size_t n, unsigned seed) {
    size_t i;
    b->data = (unsigned char *)malloc(n);
    b->len = b->cap = n;
    b->pos = 0;
    for (i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b->data[i] = (unsigned char)(seed >> 16);
    }
}

/* ---- pages ---- */
struct pages {
    int count;
    int stop_after;
};

static int on_page(void *ud, const char *json, size_t len) {
    struct pages *p = (struct pages *)ud;
    p->count++;
    if (len == 0 || json[0] != '[' || json[len] != '\0') return 1;
    return p->stop_after > 0 && p->count >= p->stop_after;
}

/* ---- log lines ---- */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[65536];
static size_t log_len = 0;

static void on_log(void *ud, int level, const char *msg, size_t len) {
    (void)ud;
    (void)level;
    pthread_mutex_lock(&log_lock);
    if (log_len + len + 2 < sizeof log_text) {
        memcpy(log_text + log_len, msg, len);
        log_len += len;
        log_text[log_len++] = '\n';
        log_text[log_len] = 0;
    }
    pthread_mutex_unlock(&log_lock);
}

static void test_bodies(void) {
    struct buf src, got;
    char *res = NULL, *err = NULL;
    uint8_t *mem = NULL;
    size_t mem_len = 0;
    char path[256], back[256];
    int fd;
    FILE *f;

    fill(&src, 200001, 7);
    memset(&got, 0, sizeof got);

    OK(swc_object_put_buffer(client, container, "mem", "{\"content_type\": \"application/x-c\"}", src.data, src.len,
                             NULL, &res_, &err_));
    OK(swc_object_get_buffer(client, container, "mem", NULL, &mem, &mem_len, NULL, &res_, &err_));
    CHECK(mem != NULL && mem_len == src.len && memcmp(mem, src.data, src.len) == 0, "buffer round trip %zu", mem_len);
    swc_buffer_free(mem);

    /* Callback upload of known length with short reads, callback download. */
    CHECK(swc_object_put(client, container, "cb", NULL, buf_read, buf_rewind, &src, (int64_t)src.len, NULL, &res,
                         &err) == SWC_OK, "%s", err ? err : "");
    CHECK(res != NULL && strstr(res, "\"bytes\":200001") != NULL, "%s", res ? res : "");
    swc_string_free(res);
    res = NULL;
    CHECK(swc_object_get(client, container, "cb", NULL, buf_write, &got, NULL, &res, &err) == SWC_OK, "%s",
          err ? err : "");
    CHECK(got.len == src.len && memcmp(got.data, src.data, src.len) == 0, "callback round trip %zu", got.len);
    CHECK(res != NULL && strstr(res, "\"verified\":true") != NULL, "%s", res ? res : "");
    swc_string_free(res);
    res = NULL;

    /* Unknown length: chunked transfer. */
    src.pos = 0;
    OK(swc_object_put(client, container, "chunked", NULL, buf_read, NULL, &src, -1, NULL, &res_, &err_));

    /* A callback that announces more than it delivers is an error. */
    src.pos = 0;
    CHECK(swc_object_put(client, container, "short", NULL, buf_read, NULL, &src, (int64_t)src.len + 5, NULL, &res,
                         &err) == SWC_E_INVALID_ARGUMENT, "short source");
    CHECK(err != NULL && strstr(err, "announced") != NULL, "%s", err ? err : "");
    swc_string_free(err);
    err = NULL;

    /* Path and descriptor sources and sinks. */
    snprintf(path, sizeof path, "/tmp/swc-c-test-%d.bin", (int)getpid());
    snprintf(back, sizeof back, "/tmp/swc-c-test-%d.back", (int)getpid());
    f = fopen(path, "wb");
    fwrite(src.data, 1, src.len, f);
    fclose(f);
    OK(swc_object_put_path(client, container, "path", NULL, path, NULL, &res_, &err_));
    OK(swc_object_get_path(client, container, "path", NULL, back, NULL, &res_, &err_));
    fd = open(path, O_RDONLY);
    OK(swc_object_put_fd(client, container, "fd", NULL, fd, -1, NULL, &res_, &err_));
    close(fd);
    fd = open(back, O_RDWR | O_TRUNC);
    OK(swc_object_get_fd(client, container, "fd", NULL, fd, NULL, &res_, &err_));
    close(fd);
    free(got.data);
    memset(&got, 0, sizeof got);
    f = fopen(back, "rb");
    {
        unsigned char tmp[65536];
        size_t n;
        while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_write(&got, tmp, n);
    }
    fclose(f);
    CHECK(got.len == src.len && memcmp(got.data, src.data, src.len) == 0, "fd round trip %zu", got.len);
    unlink(path);
    unlink(back);

    /* A missing file, and a write callback that stops. */
    CHECK(swc_object_put_path(client, container, "x", NULL, "/nonexistent/file", NULL, &res, &err) ==
              SWC_E_INVALID_ARGUMENT, "missing file");
    CHECK(err != NULL && strstr(err, "/nonexistent/file") != NULL, "%s", err ? err : "");
    swc_string_free(err);
    err = NULL;
    CHECK(swc_object_get(client, container, "cb", NULL, stop_writing, NULL, NULL, &res, &err) == SWC_E_CANCELLED,
          "write callback stop");
    CHECK(res == NULL, "result written on failure");
    swc_string_free(err);
    err = NULL;

    free(src.data);
    free(got.data);
}

static void test_listing_and_metadata(void) {
    struct pages p = {0, 0};
    char *res = NULL, *err = NULL;
    int i;
    char name[32];

    for (i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "list/%02d", i);
        OK(swc_object_put_buffer(client, container, name, NULL, (const uint8_t *)"x", 1, NULL, &res_, &err_));
    }
    CHECK(swc_container_list(client, container, "{\"prefix\": \"list/\", \"limit\": 2, \"full_listing\": true}",
                             on_page, &p, NULL, &res, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(p.count == 3, "%d pages", p.count);
    CHECK(res != NULL && strstr(res, "\"count\":5") != NULL, "%s", res ? res : "");
    swc_string_free(res);
    res = NULL;
    p.count = 0;
    p.stop_after = 1;
    OK(swc_container_list(client, container, "{\"prefix\": \"list/\", \"limit\": 2, \"full_listing\": true}", on_page,
                          &p, NULL, &res_, &err_));
    CHECK(p.count == 1, "stopped after %d pages", p.count);
    CHECK(swc_container_list(client, container, "{\"prefix\": \"list/\"}", NULL, NULL, NULL, &res, &err) == SWC_OK,
          "%s", err ? err : "");
    CHECK(res != NULL && strstr(res, "\"name\":\"list/04\"") != NULL, "%s", res ? res : "");
    swc_string_free(res);
    res = NULL;
    OK(swc_account_list(client, NULL, NULL, NULL, NULL, &res_, &err_));

    OK(swc_object_post(client, container, "mem", "{\"headers\": {\"X-Object-Meta-Colour\": \"grün\"}}", NULL, &res_,
                       &err_));
    CHECK(swc_object_head(client, container, "mem", NULL, NULL, &res, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(res != NULL && strstr(res, "\"x-object-meta-colour\":\"grün\"") != NULL, "%s", res ? res : "");
    swc_string_free(res);
    res = NULL;
    {
        char opts[256];
        snprintf(opts, sizeof opts, "{\"destination\": \"/%s/copied\"}", container);
        OK(swc_object_copy(client, container, "mem", opts, NULL, &res_, &err_));
    }
    OK(swc_object_head(client, container, "copied", NULL, NULL, &res_, &err_));
    OK(swc_container_post(client, container, "{\"headers\": {\"X-Container-Meta-A\": \"1\"}}", NULL, &res_, &err_));
    OK(swc_container_head(client, container, NULL, NULL, &res_, &err_));
    {
        /* The escape hatch: a raw PUT from a callback, a raw GET into the record. */
        struct buf body;
        char path[128];
        fill(&body, 3000, 3);
        snprintf(path, sizeof path, "/%s/raw", container);
        OK(swc_request(client, "PUT", path, NULL, buf_read, buf_rewind, &body, (int64_t)body.len, NULL, NULL, NULL,
                       &res_, &err_));
        CHECK(swc_request(client, "GET", "/healthcheck", "{\"base\": \"root\", \"auth\": false}", NULL, NULL, NULL,
                          -1, NULL, NULL, NULL, &res, &err) == SWC_OK, "%s", err ? err : "");
        CHECK(res != NULL && strstr(res, "\"body\":\"OK\"") != NULL, "%s", res ? res : "");
        swc_string_free(res);
        res = NULL;
        CHECK(swc_request(client, "GET", NULL, NULL, NULL, NULL, NULL, -1, NULL, NULL, NULL, &res, &err) ==
                  SWC_E_INVALID_ARGUMENT, "NULL path");
        swc_string_free(err);
        err = NULL;
        OK(swc_object_delete(client, container, "raw", NULL, NULL, &res_, &err_));
        free(body.data);
    }
    CHECK(swc_info(client, NULL, NULL, &res, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(res != NULL && strstr(res, "\"slo\"") != NULL, "info");
    swc_string_free(res);
}

static void test_errors(void) {
    char *res = NULL, *err = NULL;
    uint8_t *mem = NULL;
    size_t mem_len = 7;
    char long_name[1100];
    swc_cancel *cancel = NULL;

    CHECK(swc_object_head(client, NULL, "o", NULL, NULL, &res, &err) == SWC_E_INVALID_ARGUMENT, "NULL container");
    CHECK(err != NULL && strstr(err, "container") != NULL, "%s", err ? err : "");
    swc_string_free(err);
    err = NULL;
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    CHECK(swc_object_head(client, container, long_name, NULL, NULL, &res, &err) == SWC_E_INVALID_ARGUMENT, "long");
    CHECK(err != NULL && strstr(err, "1024") != NULL, "%s", err ? err : "");
    swc_string_free(err);
    err = NULL;
    CHECK(swc_object_get_buffer(client, container, "missing", NULL, &mem, &mem_len, NULL, &res, &err) ==
              SWC_E_NOT_FOUND, "missing object");
    CHECK(mem == NULL && mem_len == 7 && res == NULL, "out-parameters written on failure");
    CHECK(err != NULL && strstr(err, "\"http_status\":404") != NULL && strstr(err, "\"transaction_id\":\"tx") != NULL,
          "%s", err ? err : "");
    swc_string_free(err);
    err = NULL;
    CHECK(swc_container_list(client, container, "{\"limt\": 3}", NULL, NULL, NULL, &res, &err) == SWC_E_CONFIG,
          "unknown listing option");
    CHECK(err != NULL && strstr(err, "\"key\":\"limt\"") != NULL, "%s", err ? err : "");
    swc_string_free(err);
    err = NULL;
    CHECK(swc_object_get(client, container, "mem", NULL, NULL, NULL, NULL, &res, &err) == SWC_E_INVALID_ARGUMENT,
          "NULL write callback");
    swc_string_free(err);
    err = NULL;
    CHECK(swc_object_put_buffer(client, container, "x", NULL, NULL, 5, NULL, &res, &err) == SWC_E_INVALID_ARGUMENT,
          "NULL buffer with a length");
    swc_string_free(err);
    err = NULL;

    CHECK(swc_cancel_new(&cancel) == SWC_OK, "cancel_new");
    CHECK(!swc_cancel_is_triggered(cancel), "fresh token");
    swc_cancel_trigger(cancel);
    swc_cancel_trigger(cancel);
    CHECK(swc_cancel_is_triggered(cancel), "triggered");
    CHECK(swc_account_head(client, NULL, cancel, &res, &err) == SWC_E_CANCELLED, "cancelled");
    swc_string_free(err);
    swc_cancel_free(cancel);
    swc_cancel_free(NULL);
    swc_buffer_free(NULL);
    CHECK(swc_cancel_new(NULL) == SWC_E_INVALID_ARGUMENT, "NULL out");
    CHECK(swc_client_set_log(client, 9, on_log, NULL) == SWC_E_INVALID_ARGUMENT, "bad level");
}

static void test_log_redaction(void) {
    char *res = NULL, *err = NULL;
    const char *tok;
    char token[128] = {0};

    CHECK(swc_client_auth(client, "{\"include_token\": true}", &res, &err) == SWC_OK, "%s", err ? err : "");
    tok = res ? strstr(res, "\"token\":\"") : NULL;
    if (tok != NULL) {
        sscanf(tok + 9, "%127[^\"]", token);
    }
    swc_string_free(res);
    CHECK(strlen(token) > 8, "token %s", token);
    CHECK(swc_client_set_log(client, SWC_LOG_DEBUG, on_log, NULL) == SWC_OK, "set log");
    OK(swc_account_head(client, NULL, NULL, &res_, &err_));
    OK(swc_client_auth(client, "{\"force\": true}", &res_, &err_));
    OK(swc_object_head(client, container, "mem", NULL, NULL, &res_, &err_));
    CHECK(swc_client_set_log(client, SWC_LOG_DEBUG, NULL, NULL) == SWC_OK, "unset log");
    pthread_mutex_lock(&log_lock);
    CHECK(strstr(log_text, "curl -i") != NULL, "%s", log_text);
    CHECK(strstr(log_text, "X-Auth-Token: ***") != NULL, "%s", log_text);
    CHECK(strstr(log_text, token) == NULL, "the token leaked into the log:\n%s", log_text);
    CHECK(strstr(log_text, "testing") == NULL, "the key leaked into the log:\n%s", log_text);
    pthread_mutex_unlock(&log_lock);
}

int main(void) {
    char opts[512];
    char *err = NULL;
    const char *auth = getenv("SWC_TEST_V1_AUTH");
    if (auth == NULL) {
        fprintf(stderr, "SWC_TEST_V1_AUTH is not set (run scripts/test)\n");
        return 2;
    }
    snprintf(opts, sizeof opts, "{\"auth\": \"%s\", \"user\": \"test:tester\", \"key\": \"testing\"}", auth);
    if (swc_client_new(opts, &client, &err) != SWC_OK) {
        fprintf(stderr, "client: %s\n", err);
        return 1;
    }
    snprintf(container, sizeof container, "swc-c-%d", (int)getpid());
    OK(swc_container_put(client, container, "{\"headers\": {\"X-Storage-Policy\": \"gold\"}}", NULL, &res_, &err_));
    test_bodies();
    test_listing_and_metadata();
    test_errors();
    test_log_redaction();
    {
        /* Clean up: delete every object, then the container. */
        const char *names[] = {"mem", "cb", "chunked", "path", "fd", "copied", "list/00", "list/01",
                               "list/02", "list/03", "list/04"};
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            OK(swc_object_delete(client, container, names[i], NULL, NULL, &res_, &err_));
        }
        OK(swc_container_delete(client, container, NULL, NULL, &res_, &err_));
    }
    swc_client_free(client);
    return SUMMARY();
}
