/*
 * C tests of the JSON builder (swc_json_*), the accessors
 * (swc_json_get_*), swc_status_message and the callback return values:
 * escaping round trips (quotes, backslashes, control characters, non-ASCII
 * UTF-8), paths, NULL arguments, invalid UTF-8, wrong types, missing keys,
 * a buffer too small; then a request built with the builder and a record
 * read with the accessors against the local cluster. Built as C99 and C++,
 * run under valgrind and the sanitizers by tests/c_programs.rs.
 */
#include "swiftclient.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Compares strings, a NULL `got` failing. */
static int str_eq(const char *got, const char *want) { return got != NULL && strcmp(got, want) == 0; }
#define EQ_STR(got, want) CHECK(str_eq((got), (want)), "got %s, want %s", (got) ? (got) : "(null)", (want))
#define IS(call, want)                                                                     \
    do {                                                                                   \
        swc_status st_ = (call);                                                           \
        CHECK(st_ == (want), "%s -> %s, want %s", #call, swc_status_str(st_), swc_status_str(want)); \
    } while (0)

/* The string at `path` of `json`, copied into a static buffer ("" if none). */
static const char *str_at(const char *json, const char *path) {
    static char buf[256];
    size_t len = 0;
    if (swc_json_get_string(json, path, buf, sizeof buf, &len) != SWC_OK) buf[0] = '\0';
    return buf;
}

static void test_escaping_round_trip(void) {
    /* Every control character, quotes, backslashes, slashes, DEL and
     * multi-byte UTF-8 ("é", "€", an emoji) go in and come back intact. */
    char value[64];
    char back[64];
    size_t len = 0, i, n = 0;
    swc_json *j = NULL;
    for (i = 1; i < 0x20; i++) value[n++] = (char)i;
    memcpy(value + n, "\"\\/\x7f" "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 13);
    n += 13;
    value[n] = '\0';
    IS(swc_json_new(&j), SWC_OK);
    IS(swc_json_set_string(j, "v", value), SWC_OK);
    IS(swc_json_get_string(swc_json_text(j), "v", back, sizeof back, &len), SWC_OK);
    CHECK(len == n && memcmp(back, value, n + 1) == 0, "round trip: %zu bytes back of %zu", len, n);
    /* The text itself: JSON's short escapes where there are some, \u00XX for
     * the other control characters, UTF-8 as it is. */
    IS(swc_json_set_string(j, "v", "q\"b\\n\n t\t r\r \x01 \x1f z\xc3\xa9"), SWC_OK);
    EQ_STR(swc_json_text(j), "{\"v\":\"q\\\"b\\\\n\\n t\\t r\\r \\u0001 \\u001f z\xc3\xa9\"}");
    /* A key is escaped too. */
    IS(swc_json_set_string(j, "k\"\x02", "x"), SWC_OK);
    EQ_STR(str_at(swc_json_text(j), "k\"\x02"), "x");
    swc_json_free(j);
}

static void test_members_and_paths(void) {
    swc_json *j = NULL;
    const char *before;
    int64_t i = 0;
    bool b = false;
    IS(swc_json_new(&j), SWC_OK);
    EQ_STR(swc_json_text(j), "{}");
    CHECK(swc_json_error(j) == NULL, "no error yet");
    IS(swc_json_set_string(j, "container", "c"), SWC_OK);
    IS(swc_json_set_int(j, "min", INT64_MIN), SWC_OK);
    IS(swc_json_set_int(j, "max", INT64_MAX), SWC_OK);
    IS(swc_json_set_bool(j, "t", true), SWC_OK);
    IS(swc_json_set_null(j, "none"), SWC_OK);
    IS(swc_json_append_string(j, "objects", "a b"), SWC_OK);
    IS(swc_json_append_string(j, "objects", "d/e"), SWC_OK);
    /* Replacing keeps the member's place. */
    IS(swc_json_set_string(j, "container", "c2"), SWC_OK);
    EQ_STR(swc_json_text(j), "{\"container\":\"c2\",\"min\":-9223372036854775808,\"max\":9223372036854775807,"
                             "\"t\":true,\"none\":null,\"objects\":[\"a b\",\"d/e\"]}");
    IS(swc_json_get_int(swc_json_text(j), "min", &i), SWC_OK);
    CHECK(i == INT64_MIN, "min %lld", (long long)i);
    IS(swc_json_get_bool(swc_json_text(j), "t", &b), SWC_OK);
    CHECK(b, "t");
    EQ_STR(str_at(swc_json_text(j), "objects.1"), "d/e");
    swc_json_free(j);

    /* Paths make objects; "\." is a dot in a key; set_header takes the name
     * as it is; a raw object can be extended. */
    IS(swc_json_new(&j), SWC_OK);
    IS(swc_json_set_string(j, "headers.X-Object-Meta-Color", "blue"), SWC_OK);
    IS(swc_json_set_header(j, "X-Object-Meta-a.b", "dotted"), SWC_OK);
    IS(swc_json_set_string(j, "m\\.n.o\\\\p", "v"), SWC_OK);
    IS(swc_json_set_raw(j, "r", " {\"z\": [1, 2.5, \"s\"], \"a\": {}} "), SWC_OK);
    IS(swc_json_set_int(j, "r.n", 7), SWC_OK);
    EQ_STR(swc_json_text(j), "{\"headers\":{\"X-Object-Meta-Color\":\"blue\",\"X-Object-Meta-a.b\":\"dotted\"},"
                             "\"m.n\":{\"o\\\\p\":\"v\"},\"r\":{\"a\":{},\"z\":[1,2.5,\"s\"],\"n\":7}}");
    EQ_STR(str_at(swc_json_text(j), "headers.X-Object-Meta-a\\.b"), "dotted");

    /* A failed change leaves the builder (and its text) as it was and says
     * why, naming the key; the next success clears the error. */
    before = swc_json_text(j);
    IS(swc_json_set_string(j, "headers.X-Object-Meta-Color.deeper", "x"), SWC_E_INVALID_ARGUMENT);
    CHECK(swc_json_text(j) == before, "the text was kept");
    CHECK(swc_json_error(j) != NULL, "an error record");
    EQ_STR(str_at(swc_json_error(j), "key"), "headers.X-Object-Meta-Color.deeper");
    IS(swc_json_get_int(swc_json_error(j), "status", &i), SWC_OK);
    CHECK(i == SWC_E_INVALID_ARGUMENT, "status %lld", (long long)i);
    IS(swc_json_append_string(j, "headers", "x"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_raw(j, "bad", "{\"a\": "), SWC_E_INVALID_ARGUMENT);
    EQ_STR(str_at(swc_json_error(j), "key"), "bad");
    IS(swc_json_set_raw(j, "two", "1 2"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_string(j, "a..b", "x"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_string(j, "", "x"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_string(j, "a\\", "x"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_string(j, "a\\b", "x"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_header(j, "", "x"), SWC_E_INVALID_ARGUMENT);
    CHECK(swc_json_text(j) == before, "the text was kept");
    IS(swc_json_set_bool(j, "ok", false), SWC_OK);
    CHECK(swc_json_error(j) == NULL, "the error was cleared");
    swc_json_free(j);
}

static void test_bad_arguments(void) {
    swc_json *j = NULL;
    IS(swc_json_new(NULL), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_string(NULL, "k", "v"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_int(NULL, "k", 1), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_bool(NULL, "k", true), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_null(NULL, "k"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_raw(NULL, "k", "1"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_header(NULL, "k", "v"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_append_string(NULL, "k", "v"), SWC_E_INVALID_ARGUMENT);
    CHECK(swc_json_text(NULL) == NULL, "text of NULL");
    CHECK(swc_json_error(NULL) == NULL, "error of NULL");
    swc_json_free(NULL);

    IS(swc_json_new(&j), SWC_OK);
    IS(swc_json_set_string(j, NULL, "v"), SWC_E_INVALID_ARGUMENT);
    EQ_STR(str_at(swc_json_error(j), "key"), "key");
    IS(swc_json_set_string(j, "k", NULL), SWC_E_INVALID_ARGUMENT);
    EQ_STR(str_at(swc_json_error(j), "key"), "k");
    IS(swc_json_set_raw(j, "k", NULL), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_header(j, NULL, "v"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_header(j, "k", NULL), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_append_string(j, "k", NULL), SWC_E_INVALID_ARGUMENT);
    /* Invalid UTF-8 is refused, in a value (the record names its key) and
     * in a key. */
    IS(swc_json_set_string(j, "container", "ab\xff" "c"), SWC_E_INVALID_ARGUMENT);
    EQ_STR(str_at(swc_json_error(j), "key"), "container");
    CHECK(strstr(str_at(swc_json_error(j), "message"), "UTF-8 (at byte 2)") != NULL, "%s", swc_json_error(j));
    IS(swc_json_set_string(j, "k", "\xc3"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_append_string(j, "objects", "\xed\xa0\x80"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_header(j, "X-Foo", "\x80"), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_set_int(j, "bad\xfe", 1), SWC_E_INVALID_ARGUMENT);
    CHECK(strstr(str_at(swc_json_error(j), "message"), "key") != NULL, "%s", swc_json_error(j));
    EQ_STR(swc_json_text(j), "{}");
    swc_json_free(j);
}

static void test_accessors(void) {
    const char *rec =
        "{\"status\": 201, \"headers\": {\"etag\": \"abc\", \"x.y\": \"dot\"}, \"ok\": true,"
        " \"n\": null, \"f\": 1.5, \"g\": 3.0, \"big\": 18446744073709551615, \"neg\": -5,"
        " \"listing\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"nul\": \"a\\u0000b\","
        " \"u\": \"\\u00e9\\ud83d\\ude00\"}";
    char buf[8];
    size_t len = 99;
    int64_t i = 0;
    bool b = false;

    IS(swc_json_get_string(rec, "headers.etag", buf, sizeof buf, &len), SWC_OK);
    CHECK(len == 3 && strcmp(buf, "abc") == 0, "etag %s (%zu)", buf, len);
    EQ_STR(str_at(rec, "headers.x\\.y"), "dot");
    EQ_STR(str_at(rec, "listing.1.name"), "b");
    EQ_STR(str_at(rec, "u"), "\xc3\xa9\xf0\x9f\x98\x80");
    IS(swc_json_get_string(rec, "listing.2.name", buf, sizeof buf, &len), SWC_E_NOT_FOUND);
    IS(swc_json_get_string(rec, "listing.x", buf, sizeof buf, &len), SWC_E_NOT_FOUND);
    IS(swc_json_get_string(rec, "missing", buf, sizeof buf, &len), SWC_E_NOT_FOUND);
    IS(swc_json_get_string(rec, "headers.etag.more", buf, sizeof buf, &len), SWC_E_NOT_FOUND);
    IS(swc_json_get_string(rec, "n", buf, sizeof buf, &len), SWC_E_NOT_FOUND);
    IS(swc_json_get_int(rec, "n", &i), SWC_E_NOT_FOUND);
    IS(swc_json_get_bool(rec, "nothing", &b), SWC_E_NOT_FOUND);

    /* Wrong types. */
    IS(swc_json_get_string(rec, "status", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string(rec, "headers", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_int(rec, "headers.etag", &i), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_int(rec, "ok", &i), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_bool(rec, "status", &b), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_bool(rec, "headers.etag", &b), SWC_E_INVALID_ARGUMENT);

    /* Integers: a fraction or beyond int64_t is not one. */
    i = 0;
    IS(swc_json_get_int(rec, "status", &i), SWC_OK);
    CHECK(i == 201, "status %lld", (long long)i);
    IS(swc_json_get_int(rec, "neg", &i), SWC_OK);
    CHECK(i == -5, "neg %lld", (long long)i);
    IS(swc_json_get_int(rec, "g", &i), SWC_OK);
    CHECK(i == 3, "g %lld", (long long)i);
    i = 42;
    IS(swc_json_get_int(rec, "f", &i), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_int(rec, "big", &i), SWC_E_INVALID_ARGUMENT);
    CHECK(i == 42, "not written on failure");
    IS(swc_json_get_bool(rec, "ok", &b), SWC_OK);
    CHECK(b, "ok");

    /* Buffer too small: refused, the length needed given, "" in the buffer,
     * nothing written past cap; a size query with NULL and 0. */
    memset(buf, 'x', sizeof buf);
    IS(swc_json_get_string(rec, "headers.etag", buf, 3, &len), SWC_E_INVALID_ARGUMENT);
    CHECK(len == 3 && buf[0] == '\0' && buf[1] == 'x' && buf[3] == 'x', "too small: len %zu", len);
    IS(swc_json_get_string(rec, "headers.etag", buf, 4, &len), SWC_OK);
    CHECK(strcmp(buf, "abc") == 0, "%s", buf);
    len = 0;
    IS(swc_json_get_string(rec, "u", NULL, 0, &len), SWC_OK);
    CHECK(len == 6, "size query %zu", len);
    IS(swc_json_get_string(rec, "u", NULL, 5, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string(rec, "headers.etag", buf, 0, NULL), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string(rec, "headers.etag", buf, sizeof buf, NULL), SWC_OK);
    /* A string holding a NUL is copied whole; len says where it ends. */
    IS(swc_json_get_string(rec, "nul", buf, sizeof buf, &len), SWC_OK);
    CHECK(len == 3 && memcmp(buf, "a\0b", 4) == 0, "nul: %zu", len);

    /* NULL arguments, text that is not JSON or not UTF-8, bad paths. */
    IS(swc_json_get_string(NULL, "a", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string(rec, NULL, buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_int(NULL, "status", &i), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_int(rec, NULL, &i), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_int(rec, "status", NULL), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_bool(NULL, "ok", &b), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_bool(rec, NULL, &b), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_bool(rec, "ok", NULL), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string("{\"a\": ", "a", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string("{\"a\": \"\xff\"}", "a", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string("", "a", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string(rec, "headers..etag", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
    IS(swc_json_get_string(rec, "bad\xff", buf, sizeof buf, &len), SWC_E_INVALID_ARGUMENT);
}

static void test_status_messages(void) {
    swc_status s;
    for (s = SWC_OK; s <= SWC_E_INTERNAL; s++) {
        const char *m = swc_status_message(s);
        CHECK(m != NULL && strlen(m) > 5 && strcmp(m, "Unknown status code.") != 0, "%d: %s", (int)s, m);
    }
    EQ_STR(swc_status_message(SWC_OK), "Success.");
    EQ_STR(swc_status_message(SWC_E_NOT_FOUND), "The account, container or object does not exist (HTTP 404).");
    EQ_STR(swc_status_message(-1), "Unknown status code.");
    EQ_STR(swc_status_message(SWC_E_INTERNAL + 1), "Unknown status code.");
    CHECK(SWC_CONTINUE == 0 && SWC_STOP == 1, "callback values");
}

/* A listing page callback that stops at the first page. */
static int first_page_only(void *user_data, const char *json, size_t len) {
    (void)json;
    (void)len;
    ++*(int *)user_data;
    return SWC_STOP;
}

/* The builder's request and the accessors' reading on the real cluster: a
 * header value with quotes, a backslash and UTF-8 makes it there and back. */
static void test_live(swc_client *client) {
    char container[64];
    const char *note = "say \"hi\" \\ caf\xc3\xa9";
    swc_json *opts = NULL, *list = NULL;
    char *res = NULL, *err = NULL;
    int pages = 0;
    int64_t http = 0;
    snprintf(container, sizeof container, "swc-c-json-%d", (int)getpid());
    IS(swc_json_new(&opts), SWC_OK);
    IS(swc_json_set_header(opts, "X-Container-Meta-Note", note), SWC_OK);
    IS(swc_container_put(client, container, swc_json_text(opts), NULL, NULL, &err), SWC_OK);
    swc_string_free(err);
    err = NULL;
    IS(swc_container_head(client, container, NULL, NULL, &res, &err), SWC_OK);
    EQ_STR(str_at(res, "headers.x-container-meta-note"), note);
    IS(swc_json_get_int(res, "status", &http), SWC_OK);
    CHECK(http == 204, "HEAD status %lld", (long long)http);
    swc_string_free(res);
    res = NULL;
    /* Two pages of one entry each are there; SWC_STOP ends after the first. */
    IS(swc_object_put_buffer(client, container, "a", NULL, (const uint8_t *)"1", 1, NULL, NULL, NULL), SWC_OK);
    IS(swc_object_put_buffer(client, container, "b", NULL, (const uint8_t *)"2", 1, NULL, NULL, NULL), SWC_OK);
    IS(swc_json_new(&list), SWC_OK);
    IS(swc_json_set_int(list, "limit", 1), SWC_OK);
    IS(swc_json_set_bool(list, "full_listing", true), SWC_OK);
    IS(swc_container_list(client, container, swc_json_text(list), first_page_only, &pages, NULL, &res, &err),
       SWC_OK);
    CHECK(pages == 1, "pages %d", pages);
    IS(swc_json_get_int(res, "pages", &http), SWC_OK);
    CHECK(http == 1, "the record's pages: %lld", (long long)http);
    swc_string_free(res);
    swc_string_free(err);
    err = NULL;
    /* A 404, read from the error record. */
    IS(swc_object_delete(client, container, "missing", NULL, NULL, NULL, &err), SWC_E_NOT_FOUND);
    IS(swc_json_get_int(err, "http_status", &http), SWC_OK);
    CHECK(http == 404, "http_status %lld", (long long)http);
    swc_string_free(err);
    IS(swc_object_delete(client, container, "a", NULL, NULL, NULL, NULL), SWC_OK);
    IS(swc_object_delete(client, container, "b", NULL, NULL, NULL, NULL), SWC_OK);
    IS(swc_container_delete(client, container, NULL, NULL, NULL, NULL), SWC_OK);
    swc_json_free(opts);
    swc_json_free(list);
}

int main(void) {
    swc_json *o = NULL;
    swc_client *client = NULL;
    char *err = NULL;
    const char *auth = getenv("SWC_TEST_V1_AUTH");
    test_escaping_round_trip();
    test_members_and_paths();
    test_bad_arguments();
    test_accessors();
    test_status_messages();
    if (auth == NULL) {
        fprintf(stderr, "SWC_TEST_V1_AUTH is not set (run scripts/test)\n");
        return 2;
    }
    /* Client options from the builder too. */
    IS(swc_json_new(&o), SWC_OK);
    IS(swc_json_set_string(o, "auth", auth), SWC_OK);
    IS(swc_json_set_string(o, "user", "test:tester"), SWC_OK);
    IS(swc_json_set_string(o, "key", "testing"), SWC_OK);
    IS(swc_json_set_int(o, "retries", 2), SWC_OK);
    if (swc_client_new(swc_json_text(o), &client, &err) != SWC_OK) {
        fprintf(stderr, "client: %s\n", err);
        swc_string_free(err);
        swc_json_free(o);
        return 1;
    }
    swc_json_free(o);
    test_live(client);
    swc_client_free(client);
    return SUMMARY();
}
