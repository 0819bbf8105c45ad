/*
 * Peak memory of a large upload and download through the C API.
 *
 *   rss SIZE_MIB SEGMENT_MIB THREADS [LIMIT_MIB [together]]
 *
 * Makes a sparse file of SIZE_MIB, uploads it as a segmented object
 * (SEGMENT_MIB segments, THREADS segment threads), downloads it with
 * verification (no_download: fetched, checked, discarded), deletes it, and
 * prints the process's peak RSS after each step (getrusage ru_maxrss).
 * LIMIT_MIB (0: none) is the client's memory_limit. With "together", the
 * upload runs first in a child process (its memory is not this one's),
 * then this process uploads a second copy while it downloads the first,
 * both at once on one client, and prints its peak RSS.
 * Needs SWC_TEST_V1_AUTH.
 */
#define _POSIX_C_SOURCE 200809L
#include "swiftclient.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static long peak_kib(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

static double now(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int count(void *ud, const char *json, size_t len) {
    (void)len;
    if (strstr(json, "\"success\":false") != NULL) {
        fprintf(stderr, "%s\n", json);
        ++*(int *)ud;
    }
    return 0;
}

static void on_done(void *ud, swc_status st, const char *summary, size_t len) {
    (void)len;
    if (st != SWC_OK) {
        fprintf(stderr, "upload (together): %s\n", summary);
        ++*(int *)ud;
    }
}

/* The second copy's upload in the background while the first downloads. */
static int together(swc_client *c, const char *path, long seg_mib, long threads, int *failed) {
    char req[1024];
    char *err = NULL;
    swc_op *op = NULL;
    snprintf(req, sizeof req,
             "{\"container\": \"swc-rss\", \"objects\": [{\"path\": \"%s\", \"object_name\": \"big2\"}],"
             " \"segment_size\": \"%ldM\", \"segment_threads\": %ld}",
             path, seg_mib, threads);
    if (swc_upload_start(c, req, count, NULL, on_done, failed, NULL, &op) != SWC_OK) return 1;
    snprintf(req, sizeof req,
             "{\"container\": \"swc-rss\", \"objects\": [\"big\"], \"no_download\": true,"
             " \"segment_threads\": %ld}",
             threads);
    if (swc_download(c, req, count, NULL, failed, NULL, NULL, &err) != SWC_OK) {
        fprintf(stderr, "download (together): %s\n", err);
        return 1;
    }
    /* The upload's own failures are counted by on_done. */
    if (swc_op_wait(op, -1, NULL, NULL) != SWC_OK) *failed = 1;
    swc_op_free(op);
    return 0;
}

int main(int argc, char **argv) {
    long size_mib = argc > 1 ? atol(argv[1]) : 5120;
    long seg_mib = argc > 2 ? atol(argv[2]) : 100;
    long threads = argc > 3 ? atol(argv[3]) : 10;
    long limit_mib = argc > 4 ? atol(argv[4]) : 0;
    int both = argc > 5 && !strcmp(argv[5], "together");
    pid_t child = 0;
    int status = 0;
    const char *auth = getenv("SWC_TEST_V1_AUTH");
    char opts[512], req[1024], path[256];
    swc_client *c = NULL;
    char *err = NULL;
    int failed = 0, fd;
    double t;

    if (auth == NULL) {
        fprintf(stderr, "SWC_TEST_V1_AUTH is not set\n");
        return 2;
    }
    snprintf(path, sizeof path, "/tmp/swc-rss-%d.bin", (int)getpid());
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)size_mib << 20) != 0) {
        perror("sparse file");
        return 1;
    }
    close(fd);
    if (both) {
        /* The first copy, uploaded by a child: only the concurrent phase
         * counts in this process's peak. */
        child = fork();
        if (child == 0) {
            char *args[] = {argv[0], argv[1], argv[2], argv[3], "0", "upload-only", NULL};
            execv(argv[0], args);
            _exit(127);
        }
        if (child < 0 || waitpid(child, &status, 0) < 0 || status != 0) {
            fprintf(stderr, "the first upload failed\n");
            return 1;
        }
    }
    if (limit_mib > 0)
        snprintf(opts, sizeof opts,
                 "{\"auth\": \"%s\", \"user\": \"test:tester\", \"key\": \"testing\", \"memory_limit\": %ld}", auth,
                 limit_mib << 20);
    else
        snprintf(opts, sizeof opts, "{\"auth\": \"%s\", \"user\": \"test:tester\", \"key\": \"testing\"}", auth);
    if (swc_client_new(opts, &c, &err) != SWC_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("baseline: peak RSS %ld KiB\n", peak_kib());
    if (both) {
        t = now();
        if (together(c, path, seg_mib, threads, &failed) != 0) return 1;
        printf("upload %ld MiB and download %ld MiB at once (%ld threads each, memory_limit %ld MiB): %.1f s, peak "
               "RSS %ld KiB\n",
               size_mib, size_mib, threads, limit_mib, now() - t, peak_kib());
        goto cleanup;
    }

    t = now();
    snprintf(req, sizeof req,
             "{\"container\": \"swc-rss\", \"objects\": [{\"path\": \"%s\", \"object_name\": \"big\"}],"
             " \"segment_size\": \"%ldM\", \"segment_threads\": %ld}",
             path, seg_mib, threads);
    if (swc_upload(c, req, count, NULL, &failed, NULL, NULL, &err) != SWC_OK) {
        fprintf(stderr, "upload: %s\n", err);
        return 1;
    }
    printf("upload %ld MiB (%ld MiB segments, %ld threads): %.1f s, peak RSS %ld KiB\n", size_mib, seg_mib, threads,
           now() - t, peak_kib());
    if (argc > 5 && !strcmp(argv[5], "upload-only")) {
        swc_client_free(c);
        unlink(path);
        return failed != 0;
    }

    t = now();
    if (swc_download(c, "{\"container\": \"swc-rss\", \"objects\": [\"big\"], \"no_download\": true}", count, NULL,
                     &failed, NULL, NULL, &err) != SWC_OK) {
        fprintf(stderr, "download: %s\n", err);
        return 1;
    }
    printf("download %ld MiB verified per segment: %.1f s, peak RSS %ld KiB\n", size_mib, now() - t, peak_kib());

cleanup:
    /* Clean-up failures are counted by `count` (records with "success": false). */
    if (swc_delete(c, "{\"container\": \"swc-rss\"}", count, NULL, &failed, NULL, NULL, NULL) != SWC_OK)
        fprintf(stderr, "cleanup: swc-rss not deleted\n");
    if (swc_delete(c, "{\"container\": \"swc-rss_segments\"}", count, NULL, &failed, NULL, NULL, NULL) != SWC_OK)
        fprintf(stderr, "cleanup: swc-rss_segments not deleted\n");
    swc_client_free(c);
    unlink(path);
    return failed != 0;
}
