/* quickstart: create a container, upload, list, download, handle a 404 —
 * with libswiftclient alone, no JSON library. Credentials come from the
 * environment as for `swift`: ST_AUTH, ST_USER, ST_KEY (or OS_*). */
#include <stdio.h>
#include <string.h>
#include "swiftclient.h"

/* Reports a failed call (the error record's message) and frees the record. */
static void report(const char *what, swc_status st, char *err) {
    char msg[512];
    if (swc_json_get_string(err, "message", msg, sizeof msg, NULL) != SWC_OK)
        snprintf(msg, sizeof msg, "%s", swc_status_message(st));
    fprintf(stderr, "%s: %s: %s\n", what, swc_status_str(st), msg);
    swc_string_free(err);
}

/* Receives each listing page, a JSON array: prints the names. (Each
 * swc_json_get_* parses the page again: fine for a few names; for large
 * listings use a JSON library.) */
static int print_names(void *user_data, const char *page, size_t len) {
    char path[32], name[1100];
    int i;
    (void)user_data;
    (void)len;
    for (i = 0;; i++) {
        snprintf(path, sizeof path, "%d.name", i);
        if (swc_json_get_string(page, path, name, sizeof name, NULL) != SWC_OK) break;
        printf("  %s\n", name);
    }
    return SWC_CONTINUE;
}

int main(int argc, char **argv) {
    const char *container = argc > 1 ? argv[1] : "quickstart";
    const char *text = "Hello from C\n";
    swc_client *client = NULL;
    swc_json *opts = NULL;
    char *rec = NULL, *err = NULL;
    char etag[64];
    uint8_t *body = NULL;
    size_t len = 0;
    int64_t http = 0;
    int rc = 1;
    swc_status st = swc_client_new_from_env(NULL, &client, &err);
    if (st != SWC_OK) {
        report("client", st, err);
        return 1;
    }

    /* Create the container (a PUT: fine if it exists). */
    st = swc_container_put(client, container, NULL, NULL, NULL, &err);
    if (st != SWC_OK) {
        report("create container", st, err);
        goto out;
    }

    /* Upload from memory, with options built by the library's builder. */
    st = swc_json_new(&opts);
    if (st == SWC_OK) st = swc_json_set_header(opts, "X-Object-Meta-Greeting", "say \"hi\"");
    if (st == SWC_OK) st = swc_json_set_string(opts, "content_type", "text/plain");
    if (st != SWC_OK) {
        fprintf(stderr, "options: %s\n", swc_status_message(st));
        goto out;
    }
    st = swc_object_put_buffer(client, container, "hello.txt", swc_json_text(opts),
                               (const uint8_t *)text, strlen(text), NULL, &rec, &err);
    if (st != SWC_OK) {
        report("upload", st, err);
        goto out;
    }
    if (swc_json_get_string(rec, "etag", etag, sizeof etag, NULL) == SWC_OK)
        printf("uploaded hello.txt, ETag %s\n", etag);
    swc_string_free(rec);

    /* List: each page of names goes to the callback. */
    printf("objects in %s:\n", container);
    st = swc_container_list(client, container, NULL, print_names, NULL, NULL, NULL, &err);
    if (st != SWC_OK) {
        report("list", st, err);
        goto out;
    }

    /* Download into memory the library allocates. */
    st = swc_object_get_buffer(client, container, "hello.txt", NULL, &body, &len, NULL, NULL, &err);
    if (st != SWC_OK) {
        report("download", st, err);
        goto out;
    }
    printf("downloaded %d bytes: %.*s", (int)len, (int)len, (const char *)body);
    swc_buffer_free(body);

    /* A missing object is SWC_E_NOT_FOUND; the error record has the rest. */
    st = swc_object_get_buffer(client, container, "missing.txt", NULL, &body, &len, NULL, NULL, &err);
    if (st != SWC_E_NOT_FOUND) {
        if (st == SWC_OK) swc_buffer_free(body);
        report("missing.txt was not a 404", st, err);
        goto out;
    }
    if (swc_json_get_int(err, "http_status", &http) != SWC_OK) http = 0;
    printf("missing.txt: %s (HTTP %d)\n", swc_status_str(st), (int)http);
    swc_string_free(err);

    /* Clean up: the object, then the (now empty) container. */
    st = swc_object_delete(client, container, "hello.txt", NULL, NULL, NULL, &err);
    if (st == SWC_OK) st = swc_container_delete(client, container, NULL, NULL, NULL, &err);
    if (st != SWC_OK) {
        report("delete", st, err);
        goto out;
    }
    rc = 0;
out:
    swc_json_free(opts);
    swc_client_free(client);
    return rc;
}
