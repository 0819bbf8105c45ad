/*
 * C tests of the public header: the boundary contract (NULLs, bad UTF-8,
 * bad JSON, unknown keys, out-parameters untouched on failure, frees of
 * NULL) and authentication against the local cluster, from several threads.
 * Built as C99 and as C++ with -Wall -Wextra -Wpedantic -Werror, run under
 * valgrind by tests/c_programs.rs. Needs SWC_TEST_V1_AUTH.
 */
#include "swiftclient.h"
#include "check.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static char options[1024];

static void v1_options(const char *key) {
    const char *auth = getenv("SWC_TEST_V1_AUTH");
    if (auth == NULL) {
        fprintf(stderr, "SWC_TEST_V1_AUTH is not set (run scripts/test)\n");
        exit(2);
    }
    snprintf(options, sizeof options,
             "{\"auth\": \"%s\", \"user\": \"test:tester\", \"key\": \"%s\"}", auth, key);
}

static void test_static_strings(void) {
    CHECK(swc_version() != NULL && strlen(swc_version()) > 0, "version");
    CHECK(strcmp(swc_status_str(SWC_OK), "SWC_OK") == 0, "%s", swc_status_str(SWC_OK));
    CHECK(strcmp(swc_status_str(SWC_E_AUTH), "SWC_E_AUTH") == 0, "%s", swc_status_str(SWC_E_AUTH));
    CHECK(strcmp(swc_status_str(9999), "SWC_E_UNKNOWN") == 0, "unknown code");
    CHECK(strcmp(swc_status_str(-1), "SWC_E_UNKNOWN") == 0, "negative code");
    swc_string_free(NULL);
    swc_client_free(NULL);
}

static void expect_config_error(const char *opts, const char *needle) {
    swc_client *c = (swc_client *)0x1; /* must stay untouched on failure */
    char *err = NULL;
    swc_status st = swc_client_new(opts, &c, &err);
    CHECK(st == SWC_E_CONFIG, "status %d for %s", (int)st, opts);
    CHECK(c == (swc_client *)0x1, "out-parameter written on failure");
    CHECK(err != NULL && strstr(err, needle) != NULL, "record %s lacks %s", err ? err : "(null)", needle);
    CHECK(err != NULL && strstr(err, "\"status\":2") != NULL, "record %s", err ? err : "(null)");
    swc_string_free(err);
}

static void test_bad_input(void) {
    swc_client *c = NULL;
    char *err = NULL;
    char *res = NULL;
    const char bad_utf8[] = {'{', '"', (char)0xff, (char)0xfe, '"', '}', 0};

    expect_config_error("{\"auth\": ", "not valid JSON");
    expect_config_error("[1, 2]", "JSON object");
    expect_config_error("{\"auth\": \"http://127.0.0.1:1/auth/v1.0\", \"user\": \"a\", \"key\": \"b\", \"colour\": 1}",
                        "\"key\":\"colour\"");
    expect_config_error("{\"retries\": \"many\"}", "\"key\":\"retries\"");
    expect_config_error("{\"auth\": \"not a url\", \"user\": \"a\", \"key\": \"b\"}", "\"key\":\"auth\"");
    /* No options (NULL or {}): a client; authenticating it, or any
       request, says what is missing. */
    {
        const char *none[] = {NULL, "{}"};
        size_t i;
        for (i = 0; i < 2; i++) {
            swc_client *bare = NULL;
            CHECK(swc_client_new(none[i], &bare, &err) == SWC_OK, "no options: %s", err ? err : "(null)");
            CHECK(swc_client_auth(bare, NULL, &res, &err) == SWC_E_CONFIG, "auth without a way");
            CHECK(res == NULL, "result written on failure");
            CHECK(err != NULL && strstr(err, "no way to authenticate") != NULL && strstr(err, "\"key\":\"auth\"") != NULL,
                  "%s", err ? err : "(null)");
            swc_string_free(err);
            err = NULL;
            swc_client_free(bare);
        }
    }
    /* Some auth options but not enough: refused at creation. */
    expect_config_error("{\"auth\": \"http://127.0.0.1:1/auth/v1.0\"}", "\"key\":\"user\"");
    /* A header-breaking user agent: refused, naming the option. */
    expect_config_error("{\"user_agent\": \"a\\r\\nX-Evil: 1\"}", "\"key\":\"user_agent\"");

    CHECK(swc_client_new(bad_utf8, &c, &err) == SWC_E_INVALID_ARGUMENT, "bad UTF-8");
    CHECK(err != NULL && strstr(err, "UTF-8") != NULL, "%s", err ? err : "(null)");
    swc_string_free(err);
    err = NULL;

    v1_options("testing");
    CHECK(swc_client_new(options, NULL, &err) == SWC_E_INVALID_ARGUMENT, "NULL out");
    CHECK(err != NULL && strstr(err, "client") != NULL, "%s", err ? err : "(null)");
    swc_string_free(err);
    err = NULL;
    /* A NULL err_json is allowed: just no record. */
    CHECK(swc_client_new("{\"nope\": 1}", &c, NULL) == SWC_E_CONFIG, "NULL err_json");

    CHECK(swc_client_auth(NULL, NULL, &res, &err) == SWC_E_INVALID_ARGUMENT, "NULL client");
    CHECK(res == NULL, "result written on failure");
    swc_string_free(err);
    err = NULL;

    CHECK(swc_client_new(options, &c, &err) == SWC_OK, "%s", err ? err : "");
    /* A NULL result_json: only the status is wanted. */
    CHECK(swc_client_auth(c, NULL, NULL, &err) == SWC_OK, "NULL result_json: %s", err ? err : "");
    CHECK(err == NULL, "no error record");
    CHECK(swc_client_auth(c, "{\"forse\": true}", &res, &err) == SWC_E_CONFIG, "unknown auth option");
    CHECK(err != NULL && strstr(err, "forse") != NULL, "%s", err ? err : "(null)");
    swc_string_free(err);
    err = NULL;
    CHECK(swc_account_head(c, "{\"headers\": {\"X-Foo\": [1]}}", NULL, &res, &err) == SWC_E_CONFIG, "header not a string");
    swc_string_free(err);
    swc_client_free(c);
}

static void test_auth(void) {
    swc_client *c = NULL;
    char *err = NULL;
    char *res = NULL;

    v1_options("testing");
    CHECK(swc_client_new(options, &c, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(swc_client_auth(c, NULL, &res, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(res != NULL && strstr(res, "/v1/AUTH_test") != NULL, "%s", res ? res : "(null)");
    CHECK(res != NULL && strstr(res, "\"token\"") == NULL, "token present without asking: %s", res ? res : "");
    CHECK(res != NULL && strstr(res, "\"auth_version\":\"1.0\"") != NULL, "%s", res ? res : "");
    swc_string_free(res);
    res = NULL;
    CHECK(swc_client_auth(c, "{\"include_token\": true, \"force\": true}", &res, &err) == SWC_OK, "%s",
          err ? err : "");
    CHECK(res != NULL && strstr(res, "\"token\":\"AUTH_tk") != NULL, "%s", res ? res : "(null)");
    swc_string_free(res);
    res = NULL;
    CHECK(swc_account_head(c, "{\"headers\": {\"X-Newest\": \"true\"}}", NULL, &res, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(res != NULL && strstr(res, "x-account-object-count") != NULL, "%s", res ? res : "(null)");
    swc_string_free(res);
    swc_client_free(c);

    /* Wrong password: SWC_E_AUTH with HTTP 401 and the request in the record. */
    v1_options("wrong-password-zz");
    c = NULL;
    res = NULL;
    CHECK(swc_client_new(options, &c, &err) == SWC_OK, "%s", err ? err : "");
    CHECK(swc_client_auth(c, NULL, &res, &err) == SWC_E_AUTH, "wrong password status");
    CHECK(res == NULL, "result written on failure");
    CHECK(err != NULL && strstr(err, "\"http_status\":401") != NULL, "%s", err ? err : "(null)");
    CHECK(err != NULL && strstr(err, "\"method\":\"GET\"") != NULL, "%s", err ? err : "(null)");
    CHECK(err != NULL && strstr(err, "wrong-password-zz") == NULL, "secret leaked: %s", err ? err : "");
    swc_string_free(err);
    swc_client_free(c);
}

struct worker {
    const swc_client *client;
    int ok;
};

static void *head_many(void *arg) {
    struct worker *w = (struct worker *)arg;
    int i;
    for (i = 0; i < 5; i++) {
        char *res = NULL;
        char *err = NULL;
        if (swc_account_head(w->client, NULL, NULL, &res, &err) == SWC_OK) {
            w->ok++;
        } else {
            fprintf(stderr, "thread error: %s\n", err ? err : "(null)");
        }
        swc_string_free(res);
        swc_string_free(err);
    }
    return NULL;
}

static void test_threads(void) {
    swc_client *c = NULL;
    char *err = NULL;
    pthread_t th[8];
    struct worker w[8];
    int i;
    int total = 0;

    v1_options("testing");
    CHECK(swc_client_new(options, &c, &err) == SWC_OK, "%s", err ? err : "");
    for (i = 0; i < 8; i++) {
        w[i].client = c;
        w[i].ok = 0;
        pthread_create(&th[i], NULL, head_many, &w[i]);
    }
    for (i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += w[i].ok;
    }
    CHECK(total == 40, "%d of 40 concurrent requests succeeded", total);
    swc_client_free(c);
}

int main(void) {
    test_static_strings();
    test_bad_input();
    test_auth();
    test_threads();
    /* All clients are freed: the runtime is gone; a new client starts it again. */
    test_auth();
    return SUMMARY();
}
