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
#include <string.h>

static int print_record(void *user_data, const char *json, size_t len) {
    (void)user_data;
    printf("  %.*s\n", (int)len, json);
    return 0;
}

/* Appends `s` to `out` as a JSON string (quotes and backslashes escaped). */
static void json_str(char *out, size_t cap, const char *s) {
    size_t n = strlen(out);
    if (n + 1 < cap) out[n++] = '"';
    for (; *s && n + 3 < cap; s++) {
        if (*s == '"' || *s == '\\') out[n++] = '\\';
        out[n++] = *s;
    }
    if (n + 1 < cap) out[n++] = '"';
    out[n] = '\0';
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

int main(int argc, char **argv) {
    swc_client *client = NULL;
    char *err = NULL, *summary = NULL;
    char req[8192];
    swc_status st;

    if (argc < 4) {
        fprintf(stderr, "usage: %s CONTAINER SOURCE_DIR DEST_DIR [SEGMENT_SIZE]\n", argv[0]);
        return 2;
    }
    st = swc_client_new_from_env(NULL, &client, &err);
    if (st != SWC_OK) return run("client", st, NULL, err);

    strcpy(req, "{\"container\": ");
    json_str(req, sizeof req, argv[1]);
    strcat(req, ", \"objects\": [");
    json_str(req, sizeof req, argv[2]);
    strcat(req, "], \"object_name\": \"\", \"segment_size\": ");
    json_str(req, sizeof req, argc > 4 ? argv[4] : "1M");
    strcat(req, "}");
    printf("upload %s\n", req);
    st = swc_upload(client, req, print_record, NULL, NULL, NULL, &summary, &err);
    if (run("upload", st, summary, err)) goto out;

    strcpy(req, "{\"container\": ");
    json_str(req, sizeof req, argv[1]);
    strcat(req, ", \"out_directory\": ");
    json_str(req, sizeof req, argv[3]);
    strcat(req, "}");
    printf("download %s\n", req);
    st = swc_download(client, req, print_record, NULL, NULL, NULL, &summary, &err);
    run("download", st, summary, err);
out:
    swc_client_free(client);
    return st == SWC_OK ? 0 : 1;
}
