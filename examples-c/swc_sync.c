/*
 * swc_sync: upload a directory to a container, then download the container
 * into another directory, printing one line per result record and the
 * summary. Credentials come from the ST_* / OS_* environment.
 *
 *   swc_sync CONTAINER SOURCE_DIR DEST_DIR [SEGMENT_SIZE]
 */
#include "swiftclient.h"

#include <stdio.h>
#include <stdlib.h>

static int print_record(void *user_data, const char *json, size_t len) {
    (void)user_data;
    printf("  %.*s\n", (int)len, json);
    return SWC_CONTINUE;
}

static int run(const char *what, swc_status st, char *summary, char *err) {
    if (st != SWC_OK) {
        fprintf(stderr, "%s failed: %s\n  %s\n", what, swc_status_str(st), err ? err : "");
        swc_string_free(err);
        return 1;
    }
    printf("%s: %s\n", what, summary);
    swc_string_free(summary);
    return 0;
}

/* The upload request: {"container", "objects": [dir], "object_name": "",
 * "segment_size"}, built and escaped by the library. */
static swc_status upload_request(swc_json *req, char **argv, int argc) {
    swc_status st = swc_json_set_string(req, "container", argv[1]);
    if (st == SWC_OK) st = swc_json_append_string(req, "objects", argv[2]);
    if (st == SWC_OK) st = swc_json_set_string(req, "object_name", "");
    if (st == SWC_OK) st = swc_json_set_string(req, "segment_size", argc > 4 ? argv[4] : "1M");
    return st;
}

int main(int argc, char **argv) {
    swc_client *client = NULL;
    swc_json *up = NULL, *down = NULL;
    char *err = NULL, *summary = NULL;
    swc_status st;

    if (argc < 4) {
        fprintf(stderr, "usage: %s CONTAINER SOURCE_DIR DEST_DIR [SEGMENT_SIZE]\n", argv[0]);
        return 2;
    }
    st = swc_client_new_from_env(NULL, &client, &err);
    if (st != SWC_OK) return run("client", st, NULL, err);

    st = swc_json_new(&up);
    if (st == SWC_OK) st = upload_request(up, argv, argc);
    if (st == SWC_OK) st = swc_json_new(&down);
    if (st == SWC_OK) st = swc_json_set_string(down, "container", argv[1]);
    if (st == SWC_OK) st = swc_json_set_string(down, "out_directory", argv[3]);
    if (st != SWC_OK) {
        /* An argument that is not UTF-8: the record names it. */
        const char *why = swc_json_error(down ? down : up);
        fprintf(stderr, "request: %s\n", why ? why : swc_status_message(st));
        goto out;
    }

    printf("upload %s\n", swc_json_text(up));
    st = swc_upload(client, swc_json_text(up), print_record, NULL, NULL, NULL, &summary, &err);
    if (run("upload", st, summary, err)) goto out;

    printf("download %s\n", swc_json_text(down));
    st = swc_download(client, swc_json_text(down), print_record, NULL, NULL, NULL, &summary, &err);
    run("download", st, summary, err);
out:
    swc_json_free(up);
    swc_json_free(down);
    swc_client_free(client);
    return st == SWC_OK ? 0 : 1;
}
