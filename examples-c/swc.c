/*
 * swc: a swift-compatible command-line client written in C on the public
 * header only (include/swiftclient.h), with jansson for JSON.
 *
 *   swc [global options] <subcommand> [options] [args]
 *
 * Subcommands: auth, stat, list, upload, download, delete, post, copy,
 * capabilities, tempurl. Credentials come from the ST_* / OS_* environment
 * and the global options, as with the `swift` command.
 */
#define _POSIX_C_SOURCE 200809L
#include "swiftclient.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int verbose = 1;
static int failed = 0;
static int debug = 0; /* --debug / --info: the library's log level */

static const char *jstr(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* ------------------------------------------------------- progress bar */

/* A live line on standard error (a terminal only): bytes done of the total,
 * rate and ETA. Record lines clear it first; it comes back on the next
 * progress event. */
static struct {
    int on;
    int shown;
    int single; /* one object: its own total is the whole */
    const char *verb;
    double t0, drawn;
} bar;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1024-based sizes with one decimal: "512B", "12.3MiB". */
static void human_size(char *out, size_t cap, double n) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (n >= 1024 && u < 5) {
        n /= 1024;
        u++;
    }
    if (u == 0) snprintf(out, cap, "%.0f%s", n, units[u]);
    else snprintf(out, cap, "%.1f%s", n, units[u]);
}

static void bar_clear(void) {
    if (bar.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        bar.shown = 0;
    }
}

static void on_progress(void *ud, const char *text, size_t len) {
    json_t *e;
    const char *action;
    double now = now_s(), done, total, rate, el;
    char d[32], t[32], r[32], eta[32] = "";
    (void)ud;
    if (!bar.on) return;
    e = json_loadb(text, len, 0, NULL);
    if (e == NULL) return;
    action = jstr(e, "action");
    if (strcmp(action, "upload") != 0 && strcmp(action, "download") != 0) {
        json_decref(e);
        return; /* retries and re-auths: the log says those */
    }
    done = (double)json_integer_value(json_object_get(e, "overall_bytes"));
    total = (double)json_integer_value(json_object_get(e, "overall_total"));
    if (total == 0 && bar.single) total = (double)json_integer_value(json_object_get(e, "total"));
    json_decref(e);
    if (now - bar.drawn < 0.1 && (total == 0 || done < total)) return;
    bar.drawn = now;
    el = now - bar.t0;
    rate = el > 0 ? done / el : 0;
    human_size(d, sizeof d, done);
    human_size(r, sizeof r, rate);
    if (total > 0) {
        human_size(t, sizeof t, total);
        if (rate > 0 && total >= done) {
            long s = (long)((total - done) / rate + 0.5);
            snprintf(eta, sizeof eta, "  ETA %ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        }
        fprintf(stderr, "\r\033[K%s %s / %s (%.0f%%)  %s/s%s", bar.verb, d, t, 100.0 * done / total, r, eta);
    } else {
        fprintf(stderr, "\r\033[K%s %s  %s/s", bar.verb, d, r);
    }
    fflush(stderr);
    bar.shown = 1;
}

static void usage(void) {
    fputs("usage: swc [--auth URL] [--user USER] [--key KEY] [--auth-version V] [--os-* ...]\n"
          "           [--retries N] [--timeout S[s|m|min|h|hr|d]] [--insecure] [--os-cacert FILE]\n"
          "           [--force-auth-retry] [--prompt] [-v] [-q] [--debug] [--info] [--version]\n"
          "           <subcommand> [options] [args]\n\n"
          "subcommands:\n"
          "  auth                          print the storage URL and token as shell exports\n"
          "  stat [container [object...]]  show account, container or object details\n"
          "  list [container]              list containers or objects (-p prefix, -d delim, -l, -j)\n"
          "  upload container path...      upload files or directories (- for stdin)\n"
          "  download [container [obj...]] download (-a all, -D dir, -o file|-, -p prefix)\n"
          "  delete [container [obj...]]   delete (-a all, -p prefix, --leave-segments)\n"
          "  post [container [object]]     update metadata (-m, -H, -r, -w, -t, -k)\n"
          "  copy container object...      server-side copy (-d /container[/object], -M)\n"
          "  capabilities [proxy-url]      show the cluster's capabilities (--json)\n"
          "  tempurl METHOD TIME PATH KEY  make a temporary URL\n",
          stderr);
}

/* ---------------------------------------------------------------- output */

static void print_error_record(const char *what, const char *err) {
    json_t *e = err ? json_loads(err, 0, NULL) : NULL;
    const char *msg = e ? json_string_value(json_object_get(e, "message")) : NULL;
    const char *txn = e ? json_string_value(json_object_get(e, "transaction_id")) : NULL;
    fprintf(stderr, "%s: %s\n", what, msg ? msg : (err ? err : "failed"));
    if (txn) fprintf(stderr, "Failed Transaction ID: %s\n", txn);
    json_decref(e);
}

/* A string member, or `missing` (Python's str(None) is "None"). */
static const char *jstr_or(json_t *o, const char *k, const char *missing) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : missing;
}

/* " [after N attempts]" when a record took more than one. */
static void attempts_suffix(json_t *r, char *out, size_t cap) {
    long long a = json_integer_value(json_object_get(r, "attempts"));
    if (a > 1) snprintf(out, cap, " [after %lld attempts]", a);
    else out[0] = '\0';
}

/* ------------------------------------------------------------- records */

enum mode { M_STAT, M_LIST, M_UPLOAD, M_DOWNLOAD, M_DELETE, M_POST, M_COPY, M_CAPS };

struct ctx {
    enum mode mode;
    int json_out;
    int long_out;
    int human;    /* --lh */
    int totals;   /* list -t */
    int versions; /* list --versions */
    int account;  /* listing the account (containers) */
    int yes_all;  /* delete -a: lines name the container too */
    long long total_count, total_bytes;
    json_t *collected; /* list -j */
};

/* python-swiftclient's prt_bytes: a 12-wide number, or with `human` a
 * 4-character ls -lh style size (K, M, G, ... in powers of 1024). */
static void prt_bytes(char *out, size_t cap, long long n, int human) {
    static const char suffixes[] = "KMGTPEZY";
    double num = (double)n;
    int s = 7, i;
    if (!human) {
        snprintf(out, cap, "%12lld", n);
        return;
    }
    for (i = -1; i < 7; i++) {
        if (num <= 1023) {
            s = i;
            break;
        }
        num /= 1024.0;
    }
    if (s < 0) snprintf(out, cap, "%4lld", n);
    else if (num >= 10) snprintf(out, cap, "%3d%c", (int)num, suffixes[s]);
    else snprintf(out, cap, "%.1f%c", num, suffixes[s]);
}

/* `swift stat --lh` turns these labels' numbers into human sizes. */
static int human_label(const char *label) {
    return !strcmp(label, "Objects") || !strcmp(label, "Bytes") || !strcmp(label, "Quota Bytes") ||
           !strcmp(label, "Content Length") || !strncmp(label, "Containers in policy", 20) ||
           !strncmp(label, "Objects in policy", 17) || !strncmp(label, "Bytes in policy", 15) ||
           !strncmp(label, "Quota Bytes for policy", 22);
}
static int stat_human = 0;

/* Python's str.title() for ASCII: a letter after a non-letter goes upper
 * case, any other letter lower case ("x-object-meta-a1b" -> "X-Object-Meta-A1B"). */
static void title_case(const char *in, char *out, size_t cap) {
    size_t i;
    int prev_alpha = 0;
    for (i = 0; in[i] && i + 1 < cap; i++) {
        char c = in[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alpha && !prev_alpha && c >= 'a' && c <= 'z') c = (char)(c - 32);
        else if (alpha && prev_alpha && c >= 'A' && c <= 'Z') c = (char)(c + 32);
        out[i] = c;
        prev_alpha = alpha;
    }
    out[i] = 0;
}

static int listed(const char *k, const char *const *names) {
    for (; *names; names++)
        if (!strcmp(k, *names)) return 1;
    return 0;
}

/* Prints what `swift stat` prints: the labelled facts, then the metadata
 * ("Meta Name") and the other headers, title-cased, labels right-aligned to
 * the longest. Empty facts show for accounts and containers, not objects. */
static void print_stat(json_t *r) {
    static const char *const ex_account[] = {"content-length", "date", "x-account-container-count",
                                             "x-account-object-count", "x-account-bytes-used",
                                             "x-account-meta-quota-bytes", NULL};
    static const char *const ex_container[] = {"content-length", "date", "x-container-object-count",
                                               "x-container-bytes-used", "x-container-read",
                                               "x-container-write", "x-container-sync-to",
                                               "x-container-sync-key", NULL};
    static const char *const ex_object[] = {"content-type", "content-length", "last-modified", "etag",
                                            "date", "x-object-manifest", NULL};
    const char *action = jstr(r, "action");
    int is_object = !strcmp(action, "stat_object"), is_container = !strcmp(action, "stat_container");
    const char *prefix = is_object ? "x-object-meta-" : is_container ? "x-container-meta-" : "x-account-meta-";
    const char *const *exclude = is_object ? ex_object : is_container ? ex_container : ex_account;
    json_t *items = json_object_get(r, "items");
    json_t *headers = json_object_get(r, "headers");
    json_t *lines = json_array(), *others = json_array(); /* [label, value] */
    size_t i, width = 0;
    const char *k;
    json_t *v;
    char label[300], titled[256];
    for (i = 0; i < json_array_size(items); i++) json_array_append(lines, json_array_get(items, i));
    json_object_foreach(headers, k, v) {
        if (listed(k, exclude)) continue;
        if (!is_object && !is_container &&
            (!strncmp(k, "x-account-storage-policy-", 25) || !strncmp(k, "x-account-quota-bytes-policy-", 29)))
            continue;
        if (!strncmp(k, prefix, strlen(prefix))) {
            title_case(k + strlen(prefix), titled, sizeof titled);
            snprintf(label, sizeof label, "Meta %s", titled);
            json_array_append_new(lines, json_pack("[ss]", label, json_string_value(v)));
        } else {
            title_case(k, titled, sizeof titled);
            json_array_append_new(others, json_pack("[ss]", titled, json_string_value(v)));
        }
    }
    json_array_extend(lines, others);
    json_decref(others);
    for (i = 0; i < json_array_size(lines); i++) {
        size_t n = strlen(json_string_value(json_array_get(json_array_get(lines, i), 0)));
        if (n > width) width = n;
    }
    for (i = 0; i < json_array_size(lines); i++) {
        json_t *l = json_array_get(lines, i);
        const char *lab = json_string_value(json_array_get(l, 0));
        const char *val = json_string_value(json_array_get(l, 1));
        char human[32];
        if (val == NULL) val = "";
        if (is_object && *val == '\0') continue;
        if (stat_human && human_label(lab)) {
            char *end = NULL;
            long long n = strtoll(val, &end, 10);
            if (end && *end == '\0' && end != val) {
                const char *h;
                prt_bytes(human, sizeof human, n, 1);
                for (h = human; *h == ' '; h++) {
                }
                val = h;
            }
        }
        if (*val) printf("%*s: %s\n", (int)width, lab, val);
        else printf("%*s:\n", (int)width, lab);
    }
    json_decref(lines);
}

/* Prints a failed record as swift does and counts it (a container swift
 * could not create before an upload is a warning only, as with swift). */
static void record_error(const struct ctx *c, json_t *r) {
    json_t *er = json_object_get(r, "error_record");
    const char *txn = json_string_value(json_object_get(er, "transaction_id"));
    const char *obj = json_string_value(json_object_get(r, "object"));
    const char *cont = jstr(r, "container");
    const char *action = jstr(r, "action");
    long long http = json_integer_value(json_object_get(er, "http_status"));
    if (c->mode == M_UPLOAD && !strcmp(action, "create_container")) {
        fprintf(stderr, "Warning: failed to create container '%s': %s\n", cont, jstr(r, "error"));
        return;
    }
    failed++;
    if (c->mode == M_DOWNLOAD && obj) {
        if (http == 404) {
            fprintf(stderr, "Object '%s/%s' not found\n", cont, obj);
            return;
        }
        fprintf(stderr, "Error downloading object '%s/%s': %s\nFailed Transaction ID: %s\n", cont, obj,
                jstr(r, "error"), txn ? txn : "unknown");
        return;
    }
    if (c->mode == M_DELETE)
        fprintf(stderr, "Error Deleting: %s%s%s: %s\n", cont, obj ? "/" : "", obj ? obj : "", jstr(r, "error"));
    else if (c->mode == M_UPLOAD)
        fprintf(stderr, "%s\n", jstr(r, "error"));
    else
        fprintf(stderr, "Error %s%s%s: %s\n", cont, obj ? "/" : "", obj ? obj : "", jstr(r, "error"));
    if (c->mode == M_UPLOAD && http == 413 && verbose)
        fputs("Consider using the --segment-size option to chunk the object\n", stderr);
    if (txn && c->mode != M_DOWNLOAD) fprintf(stderr, "Failed Transaction ID: %s\n", txn);
}

static int on_record(void *ud, const char *text, size_t len) {
    struct ctx *c = (struct ctx *)ud;
    json_t *r = json_loadb(text, len, 0, NULL);
    const char *action;
    char after[48];
    if (r == NULL) return 0;
    bar_clear();
    action = jstr(r, "action");
    if (json_is_false(json_object_get(r, "success"))) {
        record_error(c, r);
        json_decref(r);
        fflush(stdout);
        return 0;
    }
    switch (c->mode) {
    case M_STAT:
        print_stat(r);
        break;
    case M_LIST: {
        json_t *listing = json_object_get(r, "listing");
        size_t i;
        char bytes[32], date[16], tm[16];
        for (i = 0; i < json_array_size(listing); i++) {
            json_t *e = json_array_get(listing, i);
            long long n = json_integer_value(json_object_get(e, "bytes"));
            const char *name = json_object_get(e, "subdir") ? jstr(e, "subdir") : jstr(e, "name");
            if (c->json_out) {
                json_array_append(c->collected, e);
                continue;
            }
            if (!c->long_out && !c->versions) {
                printf("%s\n", name);
                continue;
            }
            /* The long formats of `swift list -l` / `--lh` / `--versions`. */
            if (c->account) {
                long long count = json_integer_value(json_object_get(e, "count"));
                const char *ts = jstr(e, "timestamp");
                const char *policy = jstr_or(e, "storage_policy", "???");
                char stamp[32] = "?\?\?\?-?\?-?\? ?\?:?\?:?\?"; /* escaped: no trigraphs */
                if (ts && *ts) {
                    time_t t = (time_t)atof(ts);
                    struct tm g;
                    gmtime_r(&t, &g);
                    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &g);
                }
                c->total_count += count;
                c->total_bytes += n;
                prt_bytes(bytes, sizeof bytes, n, c->human);
                if (!c->totals)
                    printf("%12lld %s %s %-15s %s\n", count, bytes, stamp, policy, name);
                continue;
            }
            if (json_object_get(e, "subdir")) {
                n = 0;
                date[0] = tm[0] = '\0';
            } else {
                const char *lm = jstr(e, "last_modified");
                const char *t = lm ? strchr(lm, 'T') : NULL;
                snprintf(date, sizeof date, "%.*s", t ? (int)(t - lm) : 0, lm ? lm : "");
                snprintf(tm, sizeof tm, "%.*s", t ? (int)strcspn(t + 1, ".") : 0, t ? t + 1 : "");
            }
            c->total_bytes += n;
            prt_bytes(bytes, sizeof bytes, n, c->human);
            if (c->totals) continue;
            if (c->versions)
                printf("%s %10s %8s %16s %24s %s\n", bytes, date, tm, jstr_or(e, "version_id", "null"),
                       jstr_or(e, "content_type", "None"), name);
            else
                printf("%s %10s %8s %24s %s\n", bytes, date, tm, jstr_or(e, "content_type", "None"), name);
        }
        break;
    }
    case M_UPLOAD:
        if (!verbose) break;
        attempts_suffix(r, after, sizeof after);
        if (!strcmp(action, "upload_object") || !strcmp(action, "create_dir_marker"))
            printf("%s%s\n", jstr(r, "object"), after);
        else if (!strcmp(action, "upload_segment") && !*after)
            printf("%s segment %lld\n", jstr(r, "for_object"),
                   (long long)json_integer_value(json_object_get(r, "segment_index")));
        break;
    case M_DOWNLOAD:
        if (!strcmp(jstr(r, "status"), "skipped-identical")) {
            if (verbose) printf("Skipped identical file '%s'\n", jstr(r, "path"));
        } else if (verbose && strcmp(jstr(r, "path"), "-") != 0) {
            /* swift's timing line: seconds from the start to the token in
             * hand, to the headers and to the end; MB = 10^6 bytes. */
            double start = json_number_value(json_object_get(r, "start_time"));
            double fin = json_number_value(json_object_get(r, "finish_time"));
            double auth = json_object_get(r, "auth_end_time") ? json_number_value(json_object_get(r, "auth_end_time")) - start : 0;
            double hdrs = json_object_get(r, "headers_receipt") ? json_number_value(json_object_get(r, "headers_receipt")) - start : 0;
            double total = fin > start ? fin - start : 0;
            double n = json_number_value(json_object_get(r, "read_length"));
            long long a = json_integer_value(json_object_get(r, "attempts"));
            char timing[160];
            if (json_is_true(json_object_get(r, "pseudodir")))
                snprintf(timing, sizeof timing, "auth %.3fs, headers %.3fs, total %.3fs, pseudo", auth, hdrs, total);
            else
                snprintf(timing, sizeof timing, "auth %.3fs, headers %.3fs, total %.3fs, %.3f MB/s", auth, hdrs,
                         total, total - auth > 0 ? n / (total - auth) / 1e6 : 0.0);
            if (a > 1) printf("%s [%s after %lld attempts]\n", jstr(r, "path"), timing, a);
            else printf("%s [%s]\n", jstr(r, "path"), timing);
        }
        break;
    case M_DELETE:
        if (!verbose) break;
        attempts_suffix(r, after, sizeof after);
        if (!strcmp(action, "delete_object")) {
            if (c->yes_all) printf("%s/%s%s\n", jstr(r, "container"), jstr(r, "object"), after);
            else printf("%s%s\n", jstr(r, "object"), after);
        } else if (!strcmp(action, "delete_segment")) {
            printf("%s/%s%s\n", jstr(r, "container"), jstr(r, "object"), after);
        } else if (!strcmp(action, "delete_container")) {
            printf("%s%s\n", jstr(r, "container"), after);
        }
        break;
    case M_COPY:
        if (verbose) printf("%s/%s copied to %s\n", jstr(r, "container"), jstr(r, "object"), jstr(r, "destination"));
        break;
    case M_CAPS:
        if (c->json_out) {
            char *s = json_dumps(json_object_get(r, "capabilities"), JSON_SORT_KEYS | JSON_INDENT(4));
            printf("%s\n", s);
            free(s);
        } else {
            json_t *caps = json_object_get(r, "capabilities");
            const char *k, *k2;
            json_t *v, *v2;
            json_t *core = json_object_get(caps, "swift");
            printf("Core: swift\n Options:\n");
            json_object_foreach(core, k2, v2) {
                char *s = json_dumps(v2, JSON_ENCODE_ANY);
                printf("  %s: %s\n", k2, s);
                free(s);
            }
            json_object_foreach(caps, k, v) {
                if (strcmp(k, "swift") != 0) printf("Additional middleware: %s\n", k);
            }
        }
        break;
    case M_POST:
        break;
    }
    json_decref(r);
    fflush(stdout);
    return 0;
}

/* ------------------------------------------------------------- helpers */

static json_t *strings(char **v, int n) {
    json_t *a = json_array();
    int i;
    for (i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

typedef swc_status (*twin_fn)(const swc_client *, const char *, swc_record_fn, swc_progress_fn, void *,
                              const swc_cancel *, char **, char **);

/* The keys on_record reads of a successful record, per mode (failed
 * records always come whole): the library then sends no more than that. */
static void want_record_keys(json_t *req, enum mode m) {
    static const char *const up[] = {"object", "attempts", "for_object", "segment_index", NULL};
    static const char *const down[] = {"status",          "path",        "start_time", "finish_time",
                                       "auth_end_time",   "headers_receipt", "read_length", "attempts",
                                       "pseudodir", NULL};
    static const char *const del[] = {"container", "object", "attempts", NULL};
    const char *const *keys = m == M_UPLOAD ? up : m == M_DOWNLOAD ? down : m == M_DELETE ? del : NULL;
    json_t *a;
    if (keys == NULL) return;
    a = json_array();
    for (; *keys; keys++) json_array_append_new(a, json_string(*keys));
    json_object_set_new(req, "record_keys", a);
}

static int run_op(swc_client *c, twin_fn f, json_t *req, struct ctx *x, const char *what) {
    char *text;
    want_record_keys(req, x->mode);
    text = json_dumps(req, JSON_COMPACT);
    char *summary = NULL, *err = NULL;
    swc_status st;
    json_t *objs = json_object_get(req, "objects");
    bar.on = (x->mode == M_UPLOAD || x->mode == M_DOWNLOAD) && verbose && !debug && isatty(2);
    bar.verb = x->mode == M_UPLOAD ? "Uploading" : "Downloading";
    bar.single = x->mode == M_DOWNLOAD && json_array_size(objs) == 1;
    bar.t0 = now_s();
    st = f(c, text, on_record, bar.on ? on_progress : NULL, x, NULL, &summary, &err);
    bar_clear();
    free(text);
    json_decref(req);
    if (st != SWC_OK) {
        /* Failed records were printed (and counted) one by one; a failure
         * of the operation as a whole is printed here. */
        json_t *s = summary ? json_loads(summary, 0, NULL) : NULL;
        int whole = s == NULL || json_object_get(s, "error") != NULL || st == SWC_E_CANCELLED;
        if (whole && failed == 0) print_error_record(what, err);
        if (whole) failed++;
        json_decref(s);
    }
    swc_string_free(summary);
    swc_string_free(err);
    return failed ? 1 : 0;
}

static void add_list(json_t *req, const char *key, const char *value) {
    json_t *a = json_object_get(req, key);
    if (a == NULL) {
        a = json_array();
        json_object_set_new(req, key, a);
    }
    json_array_append_new(a, json_string(value));
}

/* `swc <subcommand> --help`. */
static const char *const sub_usage[][2] = {
    {"auth", "Usage: swc auth\n\nDisplay auth related environment variables in shell friendly format\n(with -v: the settings in use, without authenticating).\n"},
    {"stat", "Usage: swc stat [--lh] [--header <header:value>] [--version-id <id>] [<container> [<object>...]]\n\nDisplays information for the account, container, or object.\n"},
    {"list", "Usage: swc list [--long] [--lh] [--totals] [--prefix <prefix>] [--delimiter <delimiter>]\n"
             "                [--json] [--versions] [--header <header:value>] [<container>]\n\nLists the containers for the account or the objects for a container.\n"},
    {"upload", "Usage: swc upload [--changed] [--skip-identical] [--segment-size <size>]\n"
               "                  [--segment-container <container>] [--leave-segments] [--object-threads <n>]\n"
               "                  [--segment-threads <n>] [--header <header:value>] [--meta <name:value>]\n"
               "                  [--use-slo | --use-dlo] [--object-name <name>] [--ignore-checksum] [--skip-container-put]\n"
               "                  <container> <file_or_directory> [...]   (- reads standard input)\n\nUploads specified files and directories to the given container.\n"},
    {"download", "Usage: swc download [--all] [--marker <marker>] [--prefix <prefix>] [--output <out_file>]\n"
                 "                    [--output-dir <out_directory>] [--object-threads <n>] [--container-threads <n>]\n"
                 "                    [--no-download] [--skip-identical] [--ignore-checksum] [--ignore-mtime]\n"
                 "                    [--version-id <id>] [--header <header:value>] [<container> [<object>...]]\n\nDownload objects from containers (verified; per segment for large objects).\n"},
    {"delete", "Usage: swc delete [--all] [--leave-segments] [--prefix <prefix>] [--versions] [--version-id <id>]\n"
               "                  [--object-threads <n>] [--container-threads <n>] [--header <header:value>]\n"
               "                  [<container> [<object>...]]\n\nDelete a container or objects within a container.\n"},
    {"post", "Usage: swc post [--read-acl <acl>] [--write-acl <acl>] [--sync-to <to>] [--sync-key <key>]\n"
             "                [--meta <name:value>] [--header <header>] [<container> [<object>]]\n\nUpdates meta information for the account, container, or object.\n"},
    {"copy", "Usage: swc copy [--destination </container/object>] [--fresh-metadata] [--meta <name:value>]\n"
             "                [--header <header>] <container> <object> [<object>...]\n\nCopies object to new destination.\n"},
    {"capabilities", "Usage: swc capabilities [--json] [<proxy_url>]\n\nRetrieve capability of the proxy.\n"},
    {"tempurl", "Usage: swc tempurl [--absolute] [--prefix-based] [--iso8601] [--ip-range <range>]\n"
                "                   [--digest sha1|sha256|sha512] <method> <time> <path> <key>\n\nGenerates a temporary URL for a Swift object.\n\n"
                "--digest: the HMAC digest (default sha256). The server must accept it: OpenStack\n"
                "Swift lists what it accepts in 'swc capabilities' (tempurl: allowed_digests);\n"
                "Ceph RGW verifies sha1 only.\n"},
};

static int sub_help(const char *sub, int argc, char **argv) {
    size_t i;
    int j, asked = 0;
    for (j = 1; j < argc; j++) asked |= !strcmp(argv[j], "--help") || !strcmp(argv[j], "-h");
    if (!asked) return 0;
    for (i = 0; i < sizeof sub_usage / sizeof sub_usage[0]; i++)
        if (!strcmp(sub, sub_usage[i][0])) {
            fputs(sub_usage[i][1], stdout);
            return 1;
        }
    return 0;
}

/* Python's shlex.quote, as `swift auth` uses it: safe strings as they are,
 * anything else in single quotes. */
static void sh_quote(const char *s) {
    const char *p;
    int safe = *s != '\0';
    for (p = s; *p && safe; p++)
        safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               strchr("_@%+=:,./-", *p) != NULL;
    if (safe) {
        fputs(s, stdout);
        return;
    }
    putchar('\'');
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\"'\"'", stdout);
        else
            putchar(*s);
    }
    putchar('\'');
}

/* --debug / --info: the library's log lines, as python's logging prints
 * them ("DEBUG:swiftclient:REQ: curl -i ..."); secrets are already "***". */
static void log_line(void *user_data, int level, const char *msg, size_t len) {
    (void)user_data;
    (void)len;
    if (level >= SWC_LOG_DEBUG)
        fprintf(stderr, "DEBUG:swiftclient:%s%s\n", strncmp(msg, "curl ", 5) == 0 ? "REQ: " : "", msg);
    else if (level == SWC_LOG_INFO)
        fprintf(stderr, "INFO:swiftclient:%s\n", msg);
    else
        fprintf(stderr, "%s:swiftclient:%s\n", level == SWC_LOG_WARN ? "WARNING" : "ERROR", msg);
}

/* The option or variable a setting came from: -A/--auth over ST_AUTH. */
static const char *setting(json_t *opts, const char *key, const char *env) {
    const char *v = json_string_value(json_object_get(opts, key));
    if (v == NULL && env != NULL) v = getenv(env);
    return v ? v : "";
}

static void export_line(const char *name, const char *value) {
    printf("export %s=", name);
    sh_quote(value);
    putchar('\n');
}

/* python-swiftclient's parse_timeout: seconds, or with a suffix s, m, min,
 * h, hr or d. -1 when it is not a number. */
static double parse_timeout(const char *v) {
    static const struct { const char *suffix; double mult; } units[] = {
        {"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}, {"hr", 3600}, {"d", 86400}};
    char num[64], *end;
    size_t i, n = strlen(v);
    double mult = 1, t;
    if (n == 0 || n >= sizeof num) return -1;
    strcpy(num, v);
    for (i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t k = strlen(units[i].suffix);
        if (n > k && !strcmp(v + n - k, units[i].suffix)) {
            num[n - k] = '\0';
            mult = units[i].mult;
            break;
        }
    }
    t = strtod(num, &end);
    if (*end != '\0' || end == num || t < 0) return -1;
    return t * mult;
}

/* Reads a password from the terminal without echo (swift's --prompt). */
static int read_password(char *out, size_t cap) {
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    size_t n;
    int echo_off;
    if (tty == NULL) return -1;
    /* Echo off before the prompt shows: anything typed once it is visible
     * must not appear. */
    echo_off = tcgetattr(fileno(tty), &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSANOW, &quiet);
    }
    fputs("Password: ", tty);
    fflush(tty);
    if (fgets(out, (int)cap, tty) == NULL) out[0] = '\0';
    if (echo_off) tcsetattr(fileno(tty), TCSANOW, &old);
    fputs("\n", tty);
    fclose(tty);
    n = strlen(out);
    if (n && out[n - 1] == '\n') out[n - 1] = '\0';
    return 0;
}

/* -------------------------------------------------------------- main */

int main(int argc, char **argv) {
    static struct option global[] = {
        {"auth", 1, 0, 'A'}, {"user", 1, 0, 'U'}, {"key", 1, 0, 'K'}, {"auth-version", 1, 0, 'V'},
        {"retries", 1, 0, 'R'}, {"timeout", 1, 0, 'T'}, {"verbose", 0, 0, 'v'}, {"quiet", 0, 0, 'q'},
        {"help", 0, 0, 'h'}, {"insecure", 0, 0, 1}, {"debug", 0, 0, 2}, {"info", 0, 0, 3},
        {"os-username", 1, 0, 10}, {"os-password", 1, 0, 11}, {"os-user-id", 1, 0, 12},
        {"os-user-domain-name", 1, 0, 13}, {"os-user-domain-id", 1, 0, 14}, {"os-project-name", 1, 0, 15},
        {"os-project-id", 1, 0, 16}, {"os-project-domain-name", 1, 0, 17}, {"os-project-domain-id", 1, 0, 18},
        {"os-tenant-name", 1, 0, 19}, {"os-tenant-id", 1, 0, 20}, {"os-auth-url", 1, 0, 21},
        {"os-auth-token", 1, 0, 22}, {"os-storage-url", 1, 0, 23}, {"os-region-name", 1, 0, 24},
        {"os-service-type", 1, 0, 25}, {"os-endpoint-type", 1, 0, 26}, {"os-auth-type", 1, 0, 27},
        {"os-application-credential-id", 1, 0, 28}, {"os-application-credential-secret", 1, 0, 29},
        {"os-cacert", 1, 0, 30}, {"os-cert", 1, 0, 31}, {"os-key", 1, 0, 32},
        {"os-identity-api-version", 1, 0, 'V'}, {"force-auth-retry", 0, 0, 4}, {"prompt", 0, 0, 5},
        {"version", 0, 0, 6}, {"no-ssl-compression", 0, 0, 7}, {0, 0, 0, 0}};
    /* swift also takes every --os-* option spelled with underscores. */
    enum { NG = sizeof global / sizeof global[0] };
    static struct option all[2 * NG];
    static char under[NG][64];
    static const char *os_keys[] = {"os_username", "os_password", "os_user_id", "os_user_domain_name",
                                    "os_user_domain_id", "os_project_name", "os_project_id",
                                    "os_project_domain_name", "os_project_domain_id", "os_tenant_name",
                                    "os_tenant_id", "os_auth_url", "os_auth_token", "os_storage_url",
                                    "os_region_name", "os_service_type", "os_endpoint_type", "os_auth_type",
                                    "os_application_credential_id", "os_application_credential_secret",
                                    "os_cacert", "os_cert", "os_key"};
    json_t *opts = json_object();
    swc_client *client = NULL;
    char *err = NULL, *text;
    const char *sub;
    int o, rc = 0, prompt = 0;
    struct ctx x;

    memset(&x, 0, sizeof x);
    {
        size_t i, n = 0, j;
        for (i = 0; global[i].name; i++) all[n++] = global[i];
        for (i = 0; global[i].name; i++) {
            if (strncmp(global[i].name, "os-", 3) != 0 || strlen(global[i].name) >= sizeof under[0]) continue;
            strcpy(under[i], global[i].name);
            for (j = 0; under[i][j]; j++)
                if (under[i][j] == '-') under[i][j] = '_';
            all[n] = global[i];
            all[n++].name = under[i];
        }
    }
    while ((o = getopt_long(argc, argv, "+A:U:K:V:R:T:vqh", all, NULL)) != -1) {
        switch (o) {
        case 'A': json_object_set_new(opts, "auth", json_string(optarg)); break;
        case 'U': json_object_set_new(opts, "user", json_string(optarg)); break;
        case 'K': json_object_set_new(opts, "key", json_string(optarg)); break;
        case 'V': json_object_set_new(opts, "auth_version", json_string(optarg)); break;
        case 'R': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || n < 0) {
                fprintf(stderr, "swc: error: argument -R/--retries: invalid int value: '%s'\n", optarg);
                return 2;
            }
            json_object_set_new(opts, "retries", json_integer(n));
            break;
        }
        case 'T': {
            double t = parse_timeout(optarg);
            if (t < 0) {
                fprintf(stderr, "swc: error: argument -T/--timeout: invalid parse_timeout value: '%s'\n", optarg);
                return 2;
            }
            json_object_set_new(opts, "timeout", json_real(t));
            break;
        }
        case 4: json_object_set_new(opts, "force_auth_retry", json_true()); break;
        case 5: prompt = 1; break;
        case 6: printf("swc %s\n", SWC_VERSION_STRING); return 0;
        case 7: break; /* accepted and ignored, as swift does */
        case 'v': verbose = 2; break;
        case 'q': verbose = 0; break;
        case 1: json_object_set_new(opts, "insecure", json_true()); break;
        case 2: debug = SWC_LOG_DEBUG; break;
        case 3: if (debug == 0) debug = SWC_LOG_INFO; break;
        case 'h': usage(); return 0;
        default:
            if (o >= 10 && o <= 32) {
                json_object_set_new(opts, os_keys[o - 10], json_string(optarg));
                break;
            }
            usage();
            return 2;
        }
    }
    if (optind >= argc) {
        usage();
        return 2;
    }
    sub = argv[optind];
    argc -= optind;
    argv += optind;
    if (sub_help(sub, argc, argv)) {
        json_decref(opts);
        return 0;
    }
    optind = 0; /* 0, not 1: glibc then re-initialises getopt, so options may follow operands */

    if (strcmp(sub, "tempurl") == 0) {
        static struct option tu[] = {{"absolute", 0, 0, 'a'}, {"prefix-based", 0, 0, 'p'}, {"iso8601", 0, 0, 'i'},
                                     {"ip-range", 1, 0, 'r'}, {"digest", 1, 0, 'd'}, {0, 0, 0, 0}};
        json_t *req = json_object();
        char *url = NULL;
        while ((o = getopt_long(argc, argv, "", tu, NULL)) != -1) {
            if (o == 'a') json_object_set_new(req, "absolute", json_true());
            else if (o == 'p') json_object_set_new(req, "prefix", json_true());
            else if (o == 'i') json_object_set_new(req, "iso8601", json_true());
            else if (o == 'r') json_object_set_new(req, "ip_range", json_string(optarg));
            else if (o == 'd') json_object_set_new(req, "digest", json_string(optarg));
            else return 2;
        }
        if (argc - optind != 4) {
            fputs("usage: swc tempurl [--absolute] [--prefix-based] [--iso8601] [--ip-range R] [--digest D] "
                  "METHOD TIME PATH KEY\n", stderr);
            return 2;
        }
        json_object_set_new(req, "method", json_string(argv[optind]));
        json_object_set_new(req, "seconds", json_string(argv[optind + 1]));
        json_object_set_new(req, "path", json_string(argv[optind + 2]));
        json_object_set_new(req, "key", json_string(argv[optind + 3]));
        text = json_dumps(req, JSON_COMPACT);
        json_decref(req);
        if (swc_tempurl(text, &url, &err) != SWC_OK) {
            print_error_record("tempurl", err);
            swc_string_free(err);
            free(text);
            return 1;
        }
        printf("%s\n", url);
        swc_string_free(url);
        free(text);
        json_decref(opts);
        return 0;
    }

    /* `swift auth -v`: the settings in use as exports, no request made. */
    if (strcmp(sub, "auth") == 0 && verbose > 1) {
        const char *ver = setting(opts, "auth_version", getenv("ST_AUTH_VERSION") ? "ST_AUTH_VERSION" : "OS_AUTH_VERSION");
        if (*ver == '\0' && getenv("OS_IDENTITY_API_VERSION")) ver = getenv("OS_IDENTITY_API_VERSION");
        if (*ver == '\0') ver = "1.0";
        if (!strcmp(ver, "1") || !strcmp(ver, "1.0")) {
            export_line("ST_AUTH", setting(opts, "auth", "ST_AUTH"));
            export_line("ST_USER", setting(opts, "user", "ST_USER"));
            export_line("ST_KEY", setting(opts, "key", "ST_KEY"));
        } else {
            static const char *const os_names[] = {"os_application_credential_id", "os_application_credential_secret",
                                                   "os_auth_token", "os_auth_type", "os_cacert", "os_cert",
                                                   "os_endpoint_type", "os_key", "os_password",
                                                   "os_project_domain_id", "os_project_domain_name",
                                                   "os_project_id", "os_project_name", "os_region_name",
                                                   "os_service_type", "os_storage_url", "os_tenant_id",
                                                   "os_tenant_name", "os_user_domain_id", "os_user_domain_name",
                                                   "os_user_id", "os_username", NULL};
            const char *const *k;
            char env[64];
            export_line("OS_IDENTITY_API_VERSION", ver);
            export_line("OS_AUTH_VERSION", ver);
            export_line("OS_AUTH_URL", *setting(opts, "auth", "ST_AUTH") ? setting(opts, "auth", "ST_AUTH")
                                                                          : setting(opts, "os_auth_url", "OS_AUTH_URL"));
            for (k = os_names; *k; k++) {
                size_t i;
                const char *v;
                for (i = 0; (*k)[i] && i + 1 < sizeof env; i++) env[i] = (char)((*k)[i] >= 'a' && (*k)[i] <= 'z' ? (*k)[i] - 32 : (*k)[i]);
                env[i] = '\0';
                v = setting(opts, *k, env);
                if (*v) export_line(env, v);
            }
        }
        json_decref(opts);
        return 0;
    }

    if (prompt) {
        /* --prompt: the password from the terminal, over any other. */
        char pw[1024];
        if (read_password(pw, sizeof pw) != 0) {
            fputs("swc: --prompt needs a terminal\n", stderr);
            return 1;
        }
        json_object_set_new(opts, "key", json_string(pw));
        json_object_set_new(opts, "os_password", json_string(pw));
        memset(pw, 0, sizeof pw);
    }
    text = json_dumps(opts, JSON_COMPACT);
    json_decref(opts);
    if (swc_client_new_from_env(text, &client, &err) != SWC_OK) {
        print_error_record("swc", err);
        swc_string_free(err);
        free(text);
        return 1;
    }
    free(text);
    if (debug) swc_client_set_log(client, debug, log_line, NULL);

    if (strcmp(sub, "auth") == 0) {
        char *res = NULL;
        json_t *r;
        if (swc_client_auth(client, "{\"include_token\": true}", &res, &err) != SWC_OK) {
            print_error_record("auth", err);
            swc_string_free(err);
            rc = 1;
        } else {
            r = json_loads(res, 0, NULL);
            export_line("OS_STORAGE_URL", jstr(r, "storage_url"));
            export_line("OS_AUTH_TOKEN", jstr(r, "token"));
            json_decref(r);
            swc_string_free(res);
        }
    } else if (strcmp(sub, "stat") == 0) {
        static struct option so[] = {{"lh", 0, 0, 1}, {"header", 1, 0, 'H'}, {"version-id", 1, 0, 2}, {0, 0, 0, 0}};
        json_t *req = json_object();
        x.mode = M_STAT;
        while ((o = getopt_long(argc, argv, "H:", so, NULL)) != -1) {
            if (o == 1) stat_human = 1;
            else if (o == 'H') add_list(req, "header", optarg);
            else if (o == 2) json_object_set_new(req, "version_id", json_string(optarg));
            else { usage(); return 2; }
        }
        if (optind < argc) json_object_set_new(req, "container", json_string(argv[optind]));
        if (optind + 1 < argc) json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
        rc = run_op(client, swc_stat, req, &x, "stat");
    } else if (strcmp(sub, "list") == 0) {
        static struct option lo[] = {{"prefix", 1, 0, 'p'}, {"delimiter", 1, 0, 'd'}, {"long", 0, 0, 'l'},
                                     {"json", 0, 0, 'j'}, {"versions", 0, 0, 'V'}, {"lh", 0, 0, 1},
                                     {"totals", 0, 0, 't'}, {"header", 1, 0, 'H'}, {0, 0, 0, 0}};
        json_t *req = json_object();
        x.mode = M_LIST;
        while ((o = getopt_long(argc, argv, "p:d:ljtH:", lo, NULL)) != -1) {
            if (o == 'p') json_object_set_new(req, "prefix", json_string(optarg));
            else if (o == 'd') json_object_set_new(req, "delimiter", json_string(optarg));
            else if (o == 'l') x.long_out = 1;
            else if (o == 'j') x.json_out = 1;
            else if (o == 'V') x.versions = 1;
            else if (o == 1) x.long_out = x.human = 1;
            else if (o == 't') x.totals = 1;
            else if (o == 'H') add_list(req, "header", optarg);
            else { usage(); return 2; }
        }
        if (optind < argc) json_object_set_new(req, "container", json_string(argv[optind]));
        else x.account = 1;
        if (x.versions) {
            if (x.account) {
                fputs("--versions option only allowed for container listings\n", stderr);
                return 1;
            }
            json_object_set_new(req, "versions", json_true());
        }
        if (x.totals && !x.long_out) {
            fputs("Listing totals only works with -l or --lh.\n", stderr);
            return 1;
        }
        if (x.long_out && x.account) json_object_set_new(req, "long", json_true());
        /* Only what gets printed: smaller records, less JSON to parse. */
        if (!x.json_out && !x.account) {
            json_t *f = json_pack("[s]", "name");
            if (x.long_out || x.versions) {
                json_array_append_new(f, json_string("bytes"));
                json_array_append_new(f, json_string("last_modified"));
                json_array_append_new(f, json_string("content_type"));
            }
            if (x.versions) json_array_append_new(f, json_string("version_id"));
            json_object_set_new(req, "fields", f);
        } else if (!x.json_out && !x.long_out) {
            json_object_set_new(req, "fields", json_pack("[s]", "name"));
        }
        if (x.json_out) x.collected = json_array();
        rc = run_op(client, swc_list, req, &x, "list");
        if (x.long_out && !x.json_out && rc == 0) {
            char b[32], cnt[32];
            prt_bytes(b, sizeof b, x.total_bytes, x.human);
            if (x.account) {
                prt_bytes(cnt, sizeof cnt, x.total_count, 1);
                printf("%12s %s\n", cnt, b);
            } else {
                printf("%s\n", b);
            }
        }
        if (x.json_out) {
            char *s = json_dumps(x.collected, JSON_INDENT(2));
            printf("%s\n", s);
            free(s);
            json_decref(x.collected);
        }
    } else if (strcmp(sub, "upload") == 0) {
        static struct option uo[] = {{"changed", 0, 0, 'c'}, {"skip-identical", 0, 0, 1},
                                     {"segment-size", 1, 0, 'S'}, {"segment-container", 1, 0, 2},
                                     {"leave-segments", 0, 0, 3}, {"object-threads", 1, 0, 4},
                                     {"segment-threads", 1, 0, 5}, {"header", 1, 0, 'H'}, {"meta", 1, 0, 'm'},
                                     {"use-slo", 0, 0, 6}, {"use-dlo", 0, 0, 7}, {"object-name", 1, 0, 8},
                                     {"ignore-checksum", 0, 0, 9}, {"skip-container-put", 0, 0, 10},
                                     {0, 0, 0, 0}};
        json_t *req = json_object();
        const char *object_name = NULL;
        int i;
        x.mode = M_UPLOAD;
        while ((o = getopt_long(argc, argv, "cS:C:H:m:", uo, NULL)) != -1) {
            switch (o) {
            case 'c': json_object_set_new(req, "changed", json_true()); break;
            case 1: json_object_set_new(req, "skip_identical", json_true()); break;
            case 'S': json_object_set_new(req, "segment_size", json_string(optarg)); break;
            case 2:
            case 'C': json_object_set_new(req, "segment_container", json_string(optarg)); break;
            case 10: json_object_set_new(req, "skip_container_put", json_true()); break;
            case 3: json_object_set_new(req, "leave_segments", json_true()); break;
            case 4: json_object_set_new(req, "object_uu_threads", json_integer(atoi(optarg))); break;
            case 5: json_object_set_new(req, "segment_threads", json_integer(atoi(optarg))); break;
            case 'H': add_list(req, "header", optarg); break;
            case 'm': add_list(req, "meta", optarg); break;
            case 6: json_object_set_new(req, "use_slo", json_true()); break;
            case 7: json_object_set_new(req, "use_slo", json_false()); break;
            case 8: object_name = optarg; break;
            case 9: json_object_set_new(req, "checksum", json_false()); break;
            default: usage(); return 2;
            }
        }
        if (argc - optind < 2) {
            fputs("usage: swc upload [options] container path...\n", stderr);
            return 2;
        }
        json_object_set_new(req, "container", json_string(argv[optind]));
        for (i = optind + 1; i < argc; i++) {
            if (strcmp(argv[i], "-") == 0) {
                json_t *item = json_object();
                if (object_name == NULL) {
                    fputs("upload from stdin needs --object-name\n", stderr);
                    return 2;
                }
                json_object_set_new(item, "fd", json_integer(0));
                json_object_set_new(item, "object_name", json_string(object_name));
                if (json_object_get(req, "segment_size") == NULL)
                    json_object_set_new(item, "segment_size", json_string("10M"));
                json_array_append_new(json_object_get(req, "objects") ? json_object_get(req, "objects")
                                                                        : (json_object_set_new(req, "objects", json_array()),
                                                                           json_object_get(req, "objects")),
                                      item);
            } else {
                add_list(req, "objects", argv[i]);
            }
        }
        if (object_name && !(argc - optind == 2 && strcmp(argv[optind + 1], "-") == 0))
            json_object_set_new(req, "object_name", json_string(object_name));
        rc = run_op(client, swc_upload, req, &x, "upload");
    } else if (strcmp(sub, "download") == 0) {
        static struct option dl[] = {{"all", 0, 0, 'a'}, {"marker", 1, 0, 'm'}, {"prefix", 1, 0, 'p'},
                                     {"remove-prefix", 0, 0, 'r'}, {"output", 1, 0, 'o'},
                                     {"output-dir", 1, 0, 'D'}, {"object-threads", 1, 0, 1},
                                     {"container-threads", 1, 0, 2}, {"no-download", 0, 0, 3},
                                     {"header", 1, 0, 'H'}, {"skip-identical", 0, 0, 4},
                                     {"ignore-checksum", 0, 0, 5}, {"no-shuffle", 0, 0, 6},
                                     {"ignore-mtime", 0, 0, 7}, {"version-id", 1, 0, 8}, {0, 0, 0, 0}};
        json_t *req = json_object();
        x.mode = M_DOWNLOAD;
        json_object_set_new(req, "shuffle", json_true());
        while ((o = getopt_long(argc, argv, "am:p:ro:D:H:", dl, NULL)) != -1) {
            switch (o) {
            case 'a': json_object_set_new(req, "yes_all", json_true()); break;
            case 'm': json_object_set_new(req, "marker", json_string(optarg)); break;
            case 'p': json_object_set_new(req, "prefix", json_string(optarg)); break;
            case 'r': json_object_set_new(req, "remove_prefix", json_true()); break;
            case 'o': json_object_set_new(req, "out_file", json_string(optarg)); break;
            case 'D': json_object_set_new(req, "out_directory", json_string(optarg)); break;
            case 1: json_object_set_new(req, "object_dd_threads", json_integer(atoi(optarg))); break;
            case 2: json_object_set_new(req, "container_threads", json_integer(atoi(optarg))); break;
            case 3: json_object_set_new(req, "no_download", json_true()); break;
            case 'H': add_list(req, "header", optarg); break;
            case 4: json_object_set_new(req, "skip_identical", json_true()); break;
            case 5: json_object_set_new(req, "checksum", json_false()); break;
            case 6: json_object_set_new(req, "shuffle", json_false()); break;
            case 7: json_object_set_new(req, "ignore_mtime", json_true()); break;
            case 8: json_object_set_new(req, "version_id", json_string(optarg)); break;
            default: usage(); return 2;
            }
        }
        if (optind < argc) json_object_set_new(req, "container", json_string(argv[optind]));
        if (optind + 1 < argc) json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
        rc = run_op(client, swc_download, req, &x, "download");
    } else if (strcmp(sub, "delete") == 0) {
        static struct option de[] = {{"all", 0, 0, 'a'}, {"leave-segments", 0, 0, 1}, {"prefix", 1, 0, 'p'},
                                     {"object-threads", 1, 0, 2}, {"container-threads", 1, 0, 3},
                                     {"header", 1, 0, 'H'}, {"versions", 0, 0, 4}, {"version-id", 1, 0, 5},
                                     {0, 0, 0, 0}};
        json_t *req = json_object();
        x.mode = M_DELETE;
        x.yes_all = 0;
        while ((o = getopt_long(argc, argv, "ap:H:", de, NULL)) != -1) {
            switch (o) {
            case 'a': json_object_set_new(req, "yes_all", json_true()); x.yes_all = 1; break;
            case 1: json_object_set_new(req, "leave_segments", json_true()); break;
            case 'p': json_object_set_new(req, "prefix", json_string(optarg)); break;
            case 2: json_object_set_new(req, "object_dd_threads", json_integer(atoi(optarg))); break;
            case 3: json_object_set_new(req, "container_threads", json_integer(atoi(optarg))); break;
            case 'H': add_list(req, "header", optarg); break;
            case 4: json_object_set_new(req, "versions", json_true()); break;
            case 5: json_object_set_new(req, "version_id", json_string(optarg)); break;
            default: usage(); return 2;
            }
        }
        if (optind < argc) json_object_set_new(req, "container", json_string(argv[optind]));
        if (optind + 1 < argc) json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
        rc = run_op(client, swc_delete, req, &x, "delete");
    } else if (strcmp(sub, "post") == 0) {
        static struct option po[] = {{"read-acl", 1, 0, 'r'}, {"write-acl", 1, 0, 'w'}, {"sync-to", 1, 0, 't'},
                                     {"sync-key", 1, 0, 'k'}, {"meta", 1, 0, 'm'}, {"header", 1, 0, 'H'},
                                     {0, 0, 0, 0}};
        json_t *req = json_object();
        x.mode = M_POST;
        while ((o = getopt_long(argc, argv, "r:w:t:k:m:H:", po, NULL)) != -1) {
            switch (o) {
            case 'r': json_object_set_new(req, "read_acl", json_string(optarg)); break;
            case 'w': json_object_set_new(req, "write_acl", json_string(optarg)); break;
            case 't': json_object_set_new(req, "sync_to", json_string(optarg)); break;
            case 'k': json_object_set_new(req, "sync_key", json_string(optarg)); break;
            case 'm': add_list(req, "meta", optarg); break;
            case 'H': add_list(req, "header", optarg); break;
            default: usage(); return 2;
            }
        }
        if (optind < argc) json_object_set_new(req, "container", json_string(argv[optind]));
        if (optind + 1 < argc) json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
        rc = run_op(client, swc_post, req, &x, "post");
    } else if (strcmp(sub, "copy") == 0) {
        static struct option co[] = {{"destination", 1, 0, 'd'}, {"fresh-metadata", 0, 0, 'M'},
                                     {"meta", 1, 0, 'm'}, {"header", 1, 0, 'H'}, {0, 0, 0, 0}};
        json_t *req = json_object();
        x.mode = M_COPY;
        while ((o = getopt_long(argc, argv, "d:Mm:H:", co, NULL)) != -1) {
            switch (o) {
            case 'd': json_object_set_new(req, "destination", json_string(optarg)); break;
            case 'M': json_object_set_new(req, "fresh_metadata", json_true()); break;
            case 'm': add_list(req, "meta", optarg); break;
            case 'H': add_list(req, "header", optarg); break;
            default: usage(); return 2;
            }
        }
        if (argc - optind < 2) {
            fputs("usage: swc copy [options] container object...\n", stderr);
            return 2;
        }
        json_object_set_new(req, "container", json_string(argv[optind]));
        json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
        rc = run_op(client, swc_copy, req, &x, "copy");
    } else if (strcmp(sub, "capabilities") == 0 || strcmp(sub, "info") == 0) {
        static struct option ca[] = {{"json", 0, 0, 'j'}, {0, 0, 0, 0}};
        json_t *req = json_object();
        x.mode = M_CAPS;
        while ((o = getopt_long(argc, argv, "", ca, NULL)) != -1) {
            if (o == 'j') x.json_out = 1;
            else { usage(); return 2; }
        }
        if (optind < argc) json_object_set_new(req, "url", json_string(argv[optind]));
        rc = run_op(client, swc_capabilities, req, &x, "capabilities");
    } else {
        fprintf(stderr, "swc: unknown subcommand \"%s\"\n", sub);
        usage();
        rc = 2;
    }
    swc_client_free(client);
    if (rc == 0 && failed) rc = 1;
    return rc;
}
