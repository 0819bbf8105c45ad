/* What swc prints: one printer per record kind (as `swift` prints them),
 * errors, the progress bar, shell exports and log lines. */
#include "swc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *jstr(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* A string member, or `missing` (Python's str(None) is "None"). */
static const char *jstr_or(json_t *o, const char *k, const char *missing) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : missing;
}

/* A JSON value on its own line. */
void print_json(json_t *v, size_t flags) {
    char *s = json_dumps(v, flags);
    printf("%s\n", s);
    free(s);
}

/* Python's repr() of bytes, as swift shows a response body: b'...'. */
static void py_bytes_repr(const char *b, size_t n) {
    size_t i;
    char q = memchr(b, '\'', n) && !memchr(b, '"', n) ? '"' : '\'';
    fprintf(stderr, "b%c", q);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c == '\\' || c == (unsigned char)q) fprintf(stderr, "\\%c", c);
        else if (c == '\n') fputs("\\n", stderr);
        else if (c == '\r') fputs("\\r", stderr);
        else if (c == '\t') fputs("\\t", stderr);
        else if (c < 0x20 || c >= 0x7f) fprintf(stderr, "\\x%02x", c);
        else fputc(c, stderr);
    }
    fputc(q, stderr);
}

/* A failed request as swift's ClientException says it ("Auth GET failed:
 * URL 401 Unauthorized  [first 60 chars of response] b'...'"), then its
 * transaction; `kind` is Auth, Account, Container or Object. 0 when the
 * error record is not about an HTTP response. */
int print_swift_error(json_t *er, const char *kind) {
    const char *method = json_string_value(json_object_get(er, "method"));
    const char *url = json_string_value(json_object_get(er, "url"));
    const char *reason = json_string_value(json_object_get(er, "http_reason"));
    const char *body = json_string_value(json_object_get(er, "body"));
    const char *txn = json_string_value(json_object_get(er, "transaction_id"));
    long long status = json_integer_value(json_object_get(er, "http_status"));
    size_t n = body ? strlen(body) : 0;
    if (method == NULL || url == NULL || status == 0) return 0;
    fprintf(stderr, "%s %s failed: %.*s %lld", kind, method, (int)strcspn(url, "?"), url, status);
    if (reason && *reason) fprintf(stderr, " %s", reason);
    if (n > 0) {
        fputs(n <= 60 ? "   " : "  [first 60 chars of response] ", stderr);
        py_bytes_repr(body, n <= 60 ? n : 60);
    }
    fputc('\n', stderr);
    if (txn) fprintf(stderr, "Failed Transaction ID: %s\n", txn);
    return 1;
}

static int is_auth_error(json_t *er) {
    return !strcmp(jstr(er, "status_name"), "SWC_E_AUTH");
}

void print_error_record(const char *what, const char *err) {
    json_t *e = err ? json_loads(err, 0, NULL) : NULL;
    const char *msg = e ? json_string_value(json_object_get(e, "message")) : NULL;
    const char *txn = e ? json_string_value(json_object_get(e, "transaction_id")) : NULL;
    if (e == NULL || !is_auth_error(e) || !print_swift_error(e, "Auth")) {
        fprintf(stderr, "%s: %s\n", what, msg ? msg : (err ? err : "failed"));
        if (txn) fprintf(stderr, "Failed Transaction ID: %s\n", txn);
    }
    json_decref(e);
}

/* " [after N attempts]" when a record took more than one. */
static void attempts_suffix(json_t *r, char *out, size_t cap) {
    long long a = json_integer_value(json_object_get(r, "attempts"));
    if (a > 1) snprintf(out, cap, " [after %lld attempts]", a);
    else out[0] = '\0';
}

/* ------------------------------------------------------- progress bar */

/* A live line on standard error (a terminal only): bytes done of the total,
 * rate and ETA. Record lines clear it first; it comes back on the next
 * progress event. */

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

/* The bar shows for uploads and downloads, not with -q or a log. */
void bar_start(struct swc *s, int single) {
    struct bar *bar = &s->bar;
    bar->on = (s->mode == M_UPLOAD || s->mode == M_DOWNLOAD) && s->verbose && !s->log_level && isatty(2);
    bar->verb = s->mode == M_UPLOAD ? "Uploading" : "Downloading";
    bar->single = s->mode == M_DOWNLOAD && single;
    bar->t0 = now_s();
}

void bar_clear(struct bar *bar) {
    if (bar->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        bar->shown = 0;
    }
}

static void bar_draw(struct bar *bar, double now, double done, double total) {
    double el = now - bar->t0, rate = el > 0 ? done / el : 0;
    char d[32], t[32], r[32], eta[32] = "";
    human_size(d, sizeof d, done);
    human_size(r, sizeof r, rate);
    if (total > 0) {
        human_size(t, sizeof t, total);
        if (rate > 0 && total >= done) {
            long sec = (long)((total - done) / rate + 0.5);
            snprintf(eta, sizeof eta, "  ETA %ld:%02ld:%02ld", sec / 3600, sec / 60 % 60, sec % 60);
        }
        fprintf(stderr, "\r\033[K%s %s / %s (%.0f%%)  %s/s%s", bar->verb, d, t, 100.0 * done / total, r, eta);
    } else {
        fprintf(stderr, "\r\033[K%s %s  %s/s", bar->verb, d, r);
    }
    fflush(stderr);
    bar->shown = 1;
}

void on_progress(void *ud, const char *text, size_t len) {
    struct bar *bar = &((struct swc *)ud)->bar;
    json_t *e;
    const char *action;
    double now = now_s(), done, total;
    if (!bar->on) return;
    e = json_loadb(text, len, 0, NULL);
    if (e == NULL) return;
    action = jstr(e, "action");
    if (strcmp(action, "upload") != 0 && strcmp(action, "download") != 0) {
        json_decref(e);
        return; /* retries and re-auths: the log says those */
    }
    done = (double)json_integer_value(json_object_get(e, "overall_bytes"));
    total = (double)json_integer_value(json_object_get(e, "overall_total"));
    if (total == 0 && bar->single) total = (double)json_integer_value(json_object_get(e, "total"));
    json_decref(e);
    if (now - bar->drawn < 0.1 && (total == 0 || done < total)) return;
    bar->drawn = now;
    bar_draw(bar, now, done, total);
}

/* ---------------------------------------------------------------- stat */

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

#define POLICY_PREFIX "x-account-storage-policy-"
#define POLICY_QUOTA_PREFIX "x-account-quota-bytes-policy-"

static void add_item(json_t *lines, const char *label, const char *value) {
    json_array_append_new(lines, json_pack("[ss]", label, value ? value : ""));
}

/* A per-policy header's value, or `missing`. */
static const char *policy_header(json_t *headers, const char *prefix, const char *policy, const char *suffix,
                                 const char *missing) {
    char key[300];
    const char *v;
    snprintf(key, sizeof key, "%s%s%s", prefix, policy, suffix);
    v = json_string_value(json_object_get(headers, key));
    return v ? v : missing;
}

/* One policy's lines of an account's stat, as swift's stat_account. */
static void add_policy_items(json_t *lines, json_t *headers, const char *p) {
    char label[300];
    const char *n = policy_header(headers, POLICY_PREFIX, p, "-container-count", NULL);
    if (n) {
        snprintf(label, sizeof label, "Containers in policy \"%s\"", p);
        add_item(lines, label, n);
    }
    snprintf(label, sizeof label, "Objects in policy \"%s\"", p);
    add_item(lines, label, policy_header(headers, POLICY_PREFIX, p, "-object-count", "0"));
    snprintf(label, sizeof label, "Bytes in policy \"%s\"", p);
    add_item(lines, label, policy_header(headers, POLICY_PREFIX, p, "-bytes-used", "0"));
    n = policy_header(headers, POLICY_QUOTA_PREFIX, p, "", NULL);
    if (n && *n) {
        snprintf(label, sizeof label, "Quota Bytes for policy \"%s\"", p);
        add_item(lines, label, n);
    }
}

/* The account's quota and per-policy facts: swift derives each policy's
 * name from its X-Account-Storage-Policy-<name>-<fact> headers. */
static void add_account_items(json_t *lines, json_t *headers) {
    json_t *seen = json_object(), *v;
    const char *k, *quota = json_string_value(json_object_get(headers, "x-account-meta-quota-bytes"));
    char name[256];
    if (quota && *quota) add_item(lines, "Quota Bytes", quota);
    json_object_foreach(headers, k, v) {
        const char *p = k + strlen(POLICY_PREFIX), *end = k + strlen(k);
        int dashes = 0;
        if (strncmp(k, POLICY_PREFIX, strlen(POLICY_PREFIX)) != 0) continue;
        while (end > p && dashes < 2) /* the name: up to the last two '-' */
            if (*--end == '-') dashes++;
        if (dashes < 2 || (size_t)(end - p) >= sizeof name) continue;
        snprintf(name, sizeof name, "%.*s", (int)(end - p), p);
        if (json_object_get(seen, name)) continue;
        json_object_set_new(seen, name, json_true());
        add_policy_items(lines, headers, name);
    }
    json_decref(seen);
}

/* stat -v: the URL and the token first, as swift's. */
static void add_auth_items(struct swc *s, json_t *lines, json_t *r, int is_object, int is_container) {
    char url[2048];
    const char *base = jstr(s->auth, "storage_url");
    if (s->auth == NULL) return;
    if (is_object) snprintf(url, sizeof url, "%s/%s/%s", base, jstr(r, "container"), jstr(r, "object"));
    else if (is_container) snprintf(url, sizeof url, "%s/%s", base, jstr(r, "container"));
    add_item(lines, is_object || is_container ? "URL" : "StorageURL", is_object || is_container ? url : base);
    add_item(lines, "Auth Token", jstr(s->auth, "token"));
}

/* The record's labelled facts, then the metadata ("Meta Name") and then
 * the other headers, title-cased: an array of [label, value]. */
static json_t *stat_lines(struct swc *s, json_t *r, int is_object, int is_container) {
    static const char *const ex_account[] = {"content-length", "date", "x-account-container-count",
                                             "x-account-object-count", "x-account-bytes-used",
                                             "x-account-meta-quota-bytes", NULL};
    static const char *const ex_container[] = {"content-length", "date", "x-container-object-count",
                                               "x-container-bytes-used", "x-container-read",
                                               "x-container-write", "x-container-sync-to",
                                               "x-container-sync-key", NULL};
    static const char *const ex_object[] = {"content-type", "content-length", "last-modified", "etag",
                                            "date", "x-object-manifest", NULL};
    const char *prefix = is_object ? "x-object-meta-" : is_container ? "x-container-meta-" : "x-account-meta-";
    const char *const *exclude = is_object ? ex_object : is_container ? ex_container : ex_account;
    json_t *items = json_object_get(r, "items"), *headers = json_object_get(r, "headers");
    json_t *lines = json_array(), *others = json_array();
    size_t i;
    const char *k;
    json_t *v;
    char label[300], titled[256];
    add_auth_items(s, lines, r, is_object, is_container);
    for (i = 0; i < json_array_size(items); i++) json_array_append(lines, json_array_get(items, i));
    if (!is_object && !is_container) add_account_items(lines, headers);
    json_object_foreach(headers, k, v) {
        if (listed(k, exclude)) continue;
        if (!is_object && !is_container &&
            (!strncmp(k, POLICY_PREFIX, strlen(POLICY_PREFIX)) ||
             !strncmp(k, POLICY_QUOTA_PREFIX, strlen(POLICY_QUOTA_PREFIX))))
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
    return lines;
}

/* `val` as a human size when it is a whole number (--lh), in `buf`. */
static const char *human_value(const char *val, char *buf, size_t cap) {
    char *end = NULL;
    long long n = strtoll(val, &end, 10);
    if (end && *end == '\0' && end != val) {
        prt_bytes(buf, cap, n, 1);
        while (*buf == ' ') buf++;
        return buf;
    }
    return val;
}

/* Prints what `swift stat` prints, labels right-aligned to the longest.
 * Empty facts show for accounts and containers, not objects. */
static void print_stat(struct swc *s, json_t *r) {
    const char *action = jstr(r, "action");
    int is_object = !strcmp(action, "stat_object"), is_container = !strcmp(action, "stat_container");
    json_t *lines = stat_lines(s, r, is_object, is_container);
    size_t i, width = 0;
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
        if ((s->flags & F_HUMAN) && human_label(lab)) val = human_value(val, human, sizeof human);
        if (*val) printf("%*s: %s\n", (int)width, lab, val);
        else printf("%*s:\n", (int)width, lab);
    }
    json_decref(lines);
}

/* ---------------------------------------------------------------- list */

/* A container of `swift list -l` (account listing): count, bytes, the
 * last change (UTC) and the storage policy. */
static void print_container_entry(struct swc *s, json_t *e, const char *name) {
    long long n = json_integer_value(json_object_get(e, "bytes"));
    long long count = json_integer_value(json_object_get(e, "count"));
    const char *ts = jstr(e, "timestamp");
    const char *policy = jstr_or(e, "storage_policy", "???");
    char stamp[32] = "?\?\?\?-?\?-?\? ?\?:?\?:?\?"; /* escaped: no trigraphs */
    char bytes[32];
    if (ts && *ts) {
        time_t t = (time_t)atof(ts);
        struct tm g;
        gmtime_r(&t, &g);
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &g);
    }
    s->total_count += count;
    s->total_bytes += n;
    prt_bytes(bytes, sizeof bytes, n, s->flags & F_HUMAN);
    if (!(s->flags & F_TOTALS)) printf("%12lld %s %s %-15s %s\n", count, bytes, stamp, policy, name);
}

/* An object of `swift list -l` / `--lh` / `--versions`: bytes, date,
 * time, (version,) content type. */
static void print_object_entry(struct swc *s, json_t *e, const char *name) {
    long long n = json_integer_value(json_object_get(e, "bytes"));
    char bytes[32], date[16], tm[16];
    if (json_object_get(e, "subdir")) {
        n = 0;
        date[0] = tm[0] = '\0';
    } else {
        const char *lm = jstr(e, "last_modified");
        const char *t = lm ? strchr(lm, 'T') : NULL;
        snprintf(date, sizeof date, "%.*s", t ? (int)(t - lm) : 0, lm ? lm : "");
        snprintf(tm, sizeof tm, "%.*s", t ? (int)strcspn(t + 1, ".") : 0, t ? t + 1 : "");
    }
    s->total_bytes += n;
    prt_bytes(bytes, sizeof bytes, n, s->flags & F_HUMAN);
    if (s->flags & F_TOTALS) return;
    if (s->flags & F_VERSIONS)
        printf("%s %10s %8s %16s %24s %s\n", bytes, date, tm, jstr_or(e, "version_id", "null"),
               jstr_or(e, "content_type", "None"), name);
    else
        printf("%s %10s %8s %24s %s\n", bytes, date, tm, jstr_or(e, "content_type", "None"), name);
}

static void print_list(struct swc *s, json_t *r) {
    json_t *listing = json_object_get(r, "listing");
    size_t i;
    for (i = 0; i < json_array_size(listing); i++) {
        json_t *e = json_array_get(listing, i);
        const char *name = json_object_get(e, "subdir") ? jstr(e, "subdir") : jstr(e, "name");
        if (s->flags & F_JSON) json_array_append(s->collected, e);
        else if (!(s->flags & (F_LONG | F_VERSIONS))) printf("%s\n", name);
        else if (s->flags & F_ACCOUNT) print_container_entry(s, e, name);
        else print_object_entry(s, e, name);
    }
}

/* After the listing: the totals line of -l, or the whole -j array. */
void print_list_end(struct swc *s) {
    if ((s->flags & F_LONG) && !(s->flags & F_JSON) && s->failed == 0) {
        char b[32], cnt[32];
        prt_bytes(b, sizeof b, s->total_bytes, s->flags & F_HUMAN);
        if (s->flags & F_ACCOUNT) {
            prt_bytes(cnt, sizeof cnt, s->total_count, 1);
            printf("%12s %s\n", cnt, b);
        } else {
            printf("%s\n", b);
        }
    }
    if (s->flags & F_JSON) {
        print_json(s->collected, JSON_INDENT(2));
        json_decref(s->collected);
    }
}

/* ------------------------------------------- upload, download, delete */

static void print_upload(struct swc *s, json_t *r) {
    const char *action = jstr(r, "action");
    char after[48];
    if (!s->verbose) return;
    attempts_suffix(r, after, sizeof after);
    if (!strcmp(action, "upload_object") || !strcmp(action, "create_dir_marker"))
        printf("%s%s\n", jstr(r, "object"), after);
    else if (!strcmp(action, "upload_segment") && !*after)
        printf("%s segment %lld%s\n", jstr(r, "for_object"),
               (long long)json_integer_value(json_object_get(r, "segment_index")),
               json_is_true(json_object_get(r, "reused")) ? " (reused)" : "");
    else if (!strcmp(action, "extract_archive"))
        printf("%lld of %lld files created from one %s archive (%lld bytes sent)%s\n",
               (long long)json_integer_value(json_object_get(r, "files_created")),
               (long long)json_integer_value(json_object_get(r, "files")), jstr(r, "format"),
               (long long)json_integer_value(json_object_get(r, "bytes_sent")), after);
}

/* Seconds from the record's start_time to its member `k`, 0 without it. */
static double since_start(json_t *r, const char *k, double start) {
    json_t *v = json_object_get(r, k);
    return v ? json_number_value(v) - start : 0;
}

/* swift's timing line: seconds from the start to the token in hand, to
 * the headers and to the end; MB = 10^6 bytes. A resumed download (ours,
 * --resume) counts the bytes of this run and says where it resumed. */
static void print_download(struct swc *s, json_t *r) {
    double start, fin, auth, hdrs, total, n;
    long long a, from = json_integer_value(json_object_get(r, "resumed_from"));
    char timing[200];
    if (!strcmp(jstr(r, "status"), "skipped-identical")) {
        if (s->verbose) printf("Skipped identical file '%s'\n", jstr(r, "path"));
        return;
    }
    if (!s->verbose || !strcmp(jstr(r, "path"), "-")) return;
    start = json_number_value(json_object_get(r, "start_time"));
    fin = json_number_value(json_object_get(r, "finish_time"));
    auth = since_start(r, "auth_end_time", start);
    hdrs = since_start(r, "headers_receipt", start);
    total = fin > start ? fin - start : 0;
    n = json_number_value(json_object_get(r, from > 0 ? "transferred" : "read_length"));
    a = json_integer_value(json_object_get(r, "attempts"));
    if (json_is_true(json_object_get(r, "pseudodir")))
        snprintf(timing, sizeof timing, "auth %.3fs, headers %.3fs, total %.3fs, pseudo", auth, hdrs, total);
    else
        snprintf(timing, sizeof timing, "auth %.3fs, headers %.3fs, total %.3fs, %.3f MB/s", auth, hdrs, total,
                 total - auth > 0 ? n / (total - auth) / 1e6 : 0.0);
    if (from > 0) {
        size_t used = strlen(timing);
        snprintf(timing + used, sizeof timing - used, ", resumed with %lld bytes kept", from);
    }
    if (a > 1) printf("%s [%s after %lld attempts]\n", jstr(r, "path"), timing, a);
    else printf("%s [%s]\n", jstr(r, "path"), timing);
}

static void print_delete(struct swc *s, json_t *r) {
    const char *action = jstr(r, "action");
    char after[48];
    if (!s->verbose) return;
    attempts_suffix(r, after, sizeof after);
    if (!strcmp(action, "delete_object")) {
        if (s->flags & F_YES_ALL) printf("%s/%s%s\n", jstr(r, "container"), jstr(r, "object"), after);
        else printf("%s%s\n", jstr(r, "object"), after);
    } else if (!strcmp(action, "delete_segment")) {
        printf("%s/%s%s\n", jstr(r, "container"), jstr(r, "object"), after);
    } else if (!strcmp(action, "delete_container")) {
        printf("%s%s\n", jstr(r, "container"), after);
    }
}

/* ------------------------------------------ post, copy, capabilities */

static void print_post(struct swc *s, json_t *r) {
    (void)s;
    (void)r;
}

static void print_copy(struct swc *s, json_t *r) {
    if (s->verbose) printf("%s/%s copied to %s\n", jstr(r, "container"), jstr(r, "object"), jstr(r, "destination"));
}

/* One line per segment no manifest uses (when only listing) or deleted,
 * then how many and how big. */
static void print_orphans(struct swc *s, json_t *r) {
    const char *action = jstr(r, "action");
    long long n, deleted;
    if (!strcmp(action, "orphan_segment") && !(s->flags & F_DELETE)) {
        printf("%s/%s\n", jstr(r, "container"), jstr(r, "object"));
    } else if (!strcmp(action, "delete_segment") && s->verbose) {
        printf("%s/%s deleted\n", jstr(r, "container"), jstr(r, "object"));
    } else if (!strcmp(action, "orphans") && s->verbose) {
        n = json_integer_value(json_object_get(r, "segments"));
        deleted = json_integer_value(json_object_get(r, "deleted"));
        fprintf(stderr, "%lld segment%s (%lld bytes) in %s not used by any manifest", n, n == 1 ? "" : "s",
                (long long)json_integer_value(json_object_get(r, "bytes")), jstr(r, "segment_container"));
        if (s->flags & F_DELETE) fprintf(stderr, "; %lld deleted", deleted);
        fputc('\n', stderr);
    }
}

/* As swift prints them: from the document as the server sent it (its
 * member order shows inside values, as Python's dicts keep it), else the
 * parsed one. */
static void print_capabilities(struct swc *s, json_t *r) {
    json_t *caps = json_object_get(r, "capabilities");
    const char *doc = json_string_value(json_object_get(r, "document"));
    json_t *ordered = doc ? json_loads(doc, 0, NULL) : NULL;
    if (json_is_object(ordered)) caps = ordered;
    py_print_capabilities(stdout, caps, (s->flags & F_JSON) != 0);
    json_decref(ordered);
}

/* ------------------------------------------------------------ records */

/* Prints a failed record as swift does and counts it (a container swift
 * could not create before an upload is a warning only, as with swift). */
static void print_record_error(struct swc *s, json_t *r) {
    json_t *er = json_object_get(r, "error_record");
    const char *txn = json_string_value(json_object_get(er, "transaction_id"));
    const char *obj = json_string_value(json_object_get(r, "object"));
    const char *cont = jstr(r, "container"), *error = jstr(r, "error");
    const char *slash = obj ? "/" : "", *object = obj ? obj : "";
    long long http = json_integer_value(json_object_get(er, "http_status"));
    if (s->mode == M_UPLOAD && !strcmp(jstr(r, "action"), "create_container")) {
        fprintf(stderr, "Warning: failed to create container '%s': %s\n", cont, error);
        return;
    }
    s->failed++;
    if (is_auth_error(er) && print_swift_error(er, "Auth")) return;
    if (http == 404 && obj == NULL && *cont && (s->mode == M_STAT || s->mode == M_LIST || s->mode == M_DOWNLOAD)) {
        fprintf(stderr, "Container '%s' not found\n", cont);
        if (txn) fprintf(stderr, "Failed Transaction ID: %s\n", txn);
        return;
    }
    if (s->mode == M_STAT && obj && print_swift_error(er, "Object")) return;
    if (s->mode == M_DOWNLOAD && obj) {
        /* Only the object's own 404: a segment's is an error about it. */
        if (http == 404 && !strcmp(jstr(er, "status_name"), "SWC_E_NOT_FOUND"))
            fprintf(stderr, "Object '%s/%s' not found\n", cont, obj);
        else
            fprintf(stderr, "Error downloading object '%s/%s': %s\nFailed Transaction ID: %s\n", cont, obj, error,
                    txn ? txn : "unknown");
        return;
    }
    if (s->mode == M_DELETE) fprintf(stderr, "Error Deleting: %s%s%s: %s\n", cont, slash, object, error);
    else if (s->mode == M_UPLOAD) fprintf(stderr, "%s\n", error);
    else if (!*cont) fprintf(stderr, "Error: %s\n", error);
    else fprintf(stderr, "Error %s%s%s: %s\n", cont, slash, object, error);
    if (s->mode == M_UPLOAD && http == 413 && s->verbose)
        fputs("Consider using the --segment-size option to chunk the object\n", stderr);
    if (txn && s->mode != M_DOWNLOAD) fprintf(stderr, "Failed Transaction ID: %s\n", txn);
}

/* The printer of a successful record, by the kind of operation. */
static void (*const printers[])(struct swc *, json_t *) = {
    [M_STAT] = print_stat,         [M_LIST] = print_list, [M_UPLOAD] = print_upload,
    [M_DOWNLOAD] = print_download, [M_DELETE] = print_delete, [M_POST] = print_post,
    [M_COPY] = print_copy,         [M_CAPS] = print_capabilities, [M_ORPHANS] = print_orphans,
};

int on_record(void *ud, const char *text, size_t len) {
    struct swc *s = (struct swc *)ud;
    json_t *r = json_loadb(text, len, 0, NULL);
    if (r == NULL) return 0;
    bar_clear(&s->bar);
    /* After Ctrl-C the failures are the cancellation's: " Aborted" says it. */
    if (!json_is_false(json_object_get(r, "success"))) printers[s->mode](s, r);
    else if (!was_interrupted()) print_record_error(s, r);
    json_decref(r);
    fflush(stdout);
    return 0;
}

/* --------------------------------------------------------- auth, log */

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

void export_line(const char *name, const char *value) {
    printf("export %s=", name);
    sh_quote(value);
    putchar('\n');
}

/* --debug / --info: the library's log lines, as python's logging prints
 * them ("DEBUG:swiftclient:REQ: curl -i ..."); secrets are already "***". */
void log_line(void *user_data, int level, const char *msg, size_t len) {
    (void)user_data;
    (void)len;
    if (level >= SWC_LOG_DEBUG)
        fprintf(stderr, "DEBUG:swiftclient:%s%s\n", strncmp(msg, "curl ", 5) == 0 ? "REQ: " : "", msg);
    else if (level == SWC_LOG_INFO)
        fprintf(stderr, "INFO:swiftclient:%s\n", msg);
    else
        fprintf(stderr, "%s:swiftclient:%s\n", level == SWC_LOG_WARN ? "WARNING" : "ERROR", msg);
}
