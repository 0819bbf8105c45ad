/* The prelude of the hostile-caller program that tests/hostile_calls.rs
 * generates from the header: the valid values its calls start from (a
 * client authenticated against the local cluster, a container with an
 * object, files, generic callbacks of every callback type) and the report
 * each call prints. The program defines HOSTILE_OPTIONS (the client's
 * options), HOSTILE_CONTAINER and HOSTILE_DIR before including it. */
#ifndef SWC_HOSTILE_H
#define SWC_HOSTILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "swiftclient.h"

/* Out-parameters are filled with this byte before each call: one still
 * holding it was not written. */
#define SENTINEL 0x5e

static swc_client *g_client;
static swc_cancel *g_cancel;
static char *g_state;
static int g_ud;
static int g_in_fd = -1;
static int g_out_fd = -1;
static size_t g_read_pos;
static char g_text[64];
static const char *g_fn = "", *g_param = "", *g_kind = "";

static void die(const char *what, swc_status st, char *err) {
    fprintf(stderr, "setup: %s: %s %s\n", what, swc_status_str(st), err ? err : "");
    exit(2);
}

static int written(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != SENTINEL) return 1;
    return 0;
}

/* Generic callbacks, one per callback type of the header. The reader gives
 * "hello" once per call (before_case and the rewinder start it again). */
static void cb_swc_log_fn(void *u, int level, const char *msg, size_t len) {
    (void)u, (void)level, (void)msg, (void)len;
}
static void cb_swc_auth_state_fn(void *u, const char *json, size_t len) {
    (void)u, (void)json, (void)len;
}
static ptrdiff_t cb_swc_credential_fn(void *u, const char *json, size_t len, char *reply, size_t cap) {
    (void)u, (void)json, (void)len, (void)reply, (void)cap;
    return -1;
}
static int cb_swc_page_fn(void *u, const char *json, size_t len) {
    (void)u, (void)json, (void)len;
    return SWC_CONTINUE;
}
static ptrdiff_t cb_swc_read_fn(void *u, uint8_t *buf, size_t cap) {
    static const char text[] = "hello";
    size_t n = sizeof text - 1 - g_read_pos;
    (void)u;
    if (n > cap) n = cap;
    memcpy(buf, text + g_read_pos, n);
    g_read_pos += n;
    return (ptrdiff_t)n;
}
static int cb_swc_rewind_fn(void *u) {
    (void)u;
    g_read_pos = 0;
    return 0;
}
static int cb_swc_write_fn(void *u, const uint8_t *buf, size_t len) {
    (void)u, (void)buf, (void)len;
    return SWC_CONTINUE;
}
static int cb_swc_record_fn(void *u, const char *json, size_t len) {
    (void)u, (void)json, (void)len;
    return SWC_CONTINUE;
}
static void cb_swc_progress_fn(void *u, const char *json, size_t len) {
    (void)u, (void)json, (void)len;
}
static void cb_swc_done_fn(void *u, swc_status st, const char *json, size_t len) {
    (void)u, (void)st, (void)json, (void)len;
}
static void cb_swc_free_fn(void *u) { (void)u; }

/* Fresh values for the calls that consume or change what they are given. */
static swc_client *fresh_client(void) {
    swc_client *c = NULL;
    char *err = NULL;
    swc_status st = swc_client_new(HOSTILE_OPTIONS, &c, &err);
    if (st != SWC_OK) die("swc_client_new", st, err);
    return c;
}

static swc_cancel *fresh_cancel(void) {
    swc_cancel *c = NULL;
    swc_status st = swc_cancel_new(&c);
    if (st != SWC_OK) die("swc_cancel_new", st, NULL);
    return c;
}

static swc_json *fresh_json(void) {
    swc_json *j = NULL;
    swc_status st = swc_json_new(&j);
    if (st != SWC_OK) die("swc_json_new", st, NULL);
    st = swc_json_set_string(j, "a", "b");
    if (st != SWC_OK) die("swc_json_set_string", st, NULL);
    return j;
}

static swc_op *fresh_op(void) {
    swc_op *op = NULL;
    swc_status st = swc_capabilities_start(g_client, "{}", NULL, NULL, NULL, NULL, NULL, &op);
    if (st != SWC_OK) die("swc_capabilities_start", st, NULL);
    return op;
}

/* Waits for an operation and frees its handle. */
static void op_done(void *p) {
    swc_op *op = (swc_op *)p;
    if (!op) return;
    if (swc_op_wait(op, -1, NULL, NULL) != SWC_OK) die("swc_op_wait", -1, NULL);
    swc_op_free(op);
}

static char *fresh_string(void) {
    swc_client *c = NULL;
    char *err = NULL;
    if (swc_client_new("{\"zz_no_such_key\": 1}", &c, &err) == SWC_OK || !err) die("a string", 0, NULL);
    return err;
}

static uint8_t *fresh_buffer(void) {
    uint8_t *buf = NULL;
    size_t len = 0;
    char *err = NULL;
    swc_status st = swc_object_get_buffer(g_client, HOSTILE_CONTAINER, "hostile-obj", NULL, &buf, &len,
                                          NULL, NULL, &err);
    if (st != SWC_OK) die("swc_object_get_buffer", st, err);
    return buf;
}

static void make_container(const char *name) {
    char *err = NULL;
    swc_status st = swc_container_put(g_client, name, NULL, NULL, NULL, &err);
    if (st != SWC_OK) die(name, st, err);
}

static void put_object(const char *name) {
    char *err = NULL;
    swc_status st = swc_object_put_buffer(g_client, HOSTILE_CONTAINER, name, NULL,
                                          (const uint8_t *)"hello", 5, NULL, NULL, &err);
    if (st != SWC_OK) die(name, st, err);
}

/* Names the call about to run (on stderr, so a crash names it too). */
static void before_case(const char *fn, const char *param, const char *kind) {
    g_fn = fn, g_param = param, g_kind = kind;
    fprintf(stderr, "B\t%s\t%s\t%s\n", fn, param, kind);
    fflush(stderr);
    g_read_pos = 0;
    if (lseek(g_in_fd, 0, SEEK_SET) != 0) die("lseek", -1, NULL);
}

/* Prints the call's line; `st` is -1000 for a function without status. */
static void report(swc_status st, int out_written, const char *record, const char *ret) {
    printf("R\t%s\t%s\t%s\t%d\t%d\t%s\t", g_fn, g_param, g_kind, (int)st, out_written,
           record ? record : "-");
    for (const char *p = ret ? ret : "-"; *p; p++) putchar(*p == '\t' || *p == '\n' ? ' ' : *p);
    putchar('\n');
    fflush(stdout);
}

static void setup(void) {
    char *err = NULL;
    swc_status st;
    g_client = fresh_client();
    g_cancel = fresh_cancel();
    make_container(HOSTILE_CONTAINER);
    put_object("hostile-obj");
    st = swc_client_export_auth(g_client, NULL, &g_state, &err);
    if (st != SWC_OK) die("swc_client_export_auth", st, err);
    g_in_fd = open(HOSTILE_DIR "/in.txt", O_RDONLY);
    g_out_fd = open(HOSTILE_DIR "/out-fd.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (g_in_fd < 0 || g_out_fd < 0) die("open", -1, NULL);
}

static void teardown(void) {
    close(g_in_fd);
    close(g_out_fd);
    swc_string_free(g_state);
    swc_cancel_free(g_cancel);
    swc_client_free(g_client);
}

#endif
