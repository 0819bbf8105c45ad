/* The subcommands: one cmd_<name> each. A subcommand's options are a table
 * (opt_spec) saying what each does to the request sent to the library or
 * to the output; run_op sends the request and prints the records. */
#include "swc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The codes of the long options without a short letter (those with one
 * are their letter). */
enum opt_code {
    OPT_LH = 256,
    OPT_VERSION_ID,
    OPT_VERSIONS,
    OPT_JSON,
    OPT_SKIP_IDENTICAL,
    OPT_SEGMENT_CONTAINER,
    OPT_LEAVE_SEGMENTS,
    OPT_OBJECT_THREADS,
    OPT_SEGMENT_THREADS,
    OPT_CONTAINER_THREADS,
    OPT_USE_SLO,
    OPT_USE_DLO,
    OPT_OBJECT_NAME,
    OPT_IGNORE_CHECKSUM,
    OPT_SKIP_CONTAINER_PUT,
    OPT_NO_DOWNLOAD,
    OPT_NO_SHUFFLE,
    OPT_IGNORE_MTIME,
    OPT_ABSOLUTE,
    OPT_PREFIX_BASED,
    OPT_ISO8601,
    OPT_IP_RANGE,
    OPT_DIGEST
};

/* What an option does to the request, at its key. */
enum opt_action {
    SET_NONE,   /* nothing (its flags only) */
    SET_STRING, /* the argument */
    SET_TRUE,
    SET_FALSE,
    SET_INT,    /* the argument as a number */
    ADD_LIST,   /* the argument appended to a list */
    SET_NAME    /* the argument kept as the object name */
};

/* One option of a subcommand; a table ends with a code of 0. */
struct opt_spec {
    const char *name; /* the long name; NULL: a short option only */
    int has_arg;
    int code;
    enum opt_action action;
    const char *key;
    unsigned flags; /* F_* set in the context */
};

#define MAX_OPTS 24

/* The array at `key`, made when missing. */
static json_t *list_at(json_t *req, const char *key) {
    json_t *a = json_object_get(req, key);
    if (a == NULL) {
        a = json_array();
        json_object_set_new(req, key, a);
    }
    return a;
}

static void add_list(json_t *req, const char *key, const char *value) {
    json_array_append_new(list_at(req, key), json_string(value));
}

static json_t *strings(char **v, int n) {
    json_t *a = json_array();
    int i;
    for (i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

static const struct opt_spec *find_opt(const struct opt_spec *spec, int code) {
    for (; spec->code; spec++)
        if (spec->code == code) return spec;
    return NULL;
}

static void apply_opt(struct swc *s, const struct opt_spec *p, json_t *req, const char *arg) {
    switch (p->action) {
    case SET_NONE: break;
    case SET_STRING: json_object_set_new(req, p->key, json_string(arg)); break;
    case SET_TRUE: json_object_set_new(req, p->key, json_true()); break;
    case SET_FALSE: json_object_set_new(req, p->key, json_false()); break;
    case SET_INT: json_object_set_new(req, p->key, json_integer(atoi(arg))); break;
    case ADD_LIST: add_list(req, p->key, arg); break;
    case SET_NAME: s->object_name = arg; break;
    }
    s->flags |= p->flags;
}

/* Applies the subcommand's options in the order given; -1 on one it does
 * not take (getopt has said which). */
static int parse_options(struct swc *s, int argc, char **argv, const char *shorts, const struct opt_spec *spec,
                         json_t *req) {
    struct option longs[MAX_OPTS + 1];
    size_t n = 0;
    const struct opt_spec *p;
    int o;
    for (p = spec; p->code && n < MAX_OPTS; p++) {
        if (p->name == NULL) continue;
        longs[n].name = p->name;
        longs[n].has_arg = p->has_arg;
        longs[n].flag = NULL;
        longs[n++].val = p->code;
    }
    memset(&longs[n], 0, sizeof longs[n]);
    while ((o = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        p = find_opt(spec, o);
        if (p == NULL) return -1;
        apply_opt(s, p, req, optarg);
    }
    return 0;
}

/* [<container> [<object>...]] */
static void set_targets(json_t *req, int argc, char **argv) {
    if (optind < argc) json_object_set_new(req, "container", json_string(argv[optind]));
    if (optind + 1 < argc) json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
}

/* ---------------------------------------------------- running an operation */

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

/* Sends the request (consumed) and prints its records; 1 when anything
 * failed. */
static int run_op(struct swc *s, twin_fn f, json_t *req, const char *what) {
    char *text, *summary = NULL, *err = NULL;
    swc_status st;
    want_record_keys(req, s->mode);
    text = json_dumps(req, JSON_COMPACT);
    bar_start(s, json_array_size(json_object_get(req, "objects")) == 1);
    st = f(s->client, text, on_record, s->bar.on ? on_progress : NULL, s, NULL, &summary, &err);
    bar_clear(&s->bar);
    free(text);
    json_decref(req);
    if (st != SWC_OK) {
        /* Failed records were printed (and counted) one by one; a failure
         * of the operation as a whole is printed here. */
        json_t *sum = summary ? json_loads(summary, 0, NULL) : NULL;
        int whole = sum == NULL || json_object_get(sum, "error") != NULL || st == SWC_E_CANCELLED;
        if (whole && s->failed == 0) print_error_record(what, err);
        if (whole) s->failed++;
        json_decref(sum);
    }
    swc_string_free(summary);
    swc_string_free(err);
    return s->failed ? 1 : 0;
}

/* The start of a subcommand that talks to the cluster: the client, then
 * its options into `req`. 0, or the exit code. */
static int begin(struct swc *s, enum mode m, int argc, char **argv, const char *shorts,
                 const struct opt_spec *spec, json_t *req) {
    if (open_client(s) != 0) return 1;
    s->mode = m;
    if (parse_options(s, argc, argv, shorts, spec, req) != 0) {
        usage();
        return 2;
    }
    return 0;
}

/* ----------------------------------------------------------- auth */

/* Upper case of an os_* setting: its environment variable. */
static void env_name(const char *key, char *out, size_t cap) {
    size_t i;
    for (i = 0; key[i] && i + 1 < cap; i++) out[i] = (char)(key[i] >= 'a' && key[i] <= 'z' ? key[i] - 32 : key[i]);
    out[i] = '\0';
}

/* `swift auth -v`: the settings in use as exports, no request made. */
static void print_auth_settings(json_t *opts) {
    static const char *const os_names[] = {"os_application_credential_id", "os_application_credential_secret",
                                           "os_auth_token", "os_auth_type", "os_cacert", "os_cert",
                                           "os_endpoint_type", "os_key", "os_password", "os_project_domain_id",
                                           "os_project_domain_name", "os_project_id", "os_project_name",
                                           "os_region_name", "os_service_type", "os_storage_url", "os_tenant_id",
                                           "os_tenant_name", "os_user_domain_id", "os_user_domain_name",
                                           "os_user_id", "os_username", NULL};
    const char *ver = setting(opts, "auth_version", getenv("ST_AUTH_VERSION") ? "ST_AUTH_VERSION" : "OS_AUTH_VERSION");
    const char *const *k;
    char env[64];
    if (*ver == '\0' && getenv("OS_IDENTITY_API_VERSION")) ver = getenv("OS_IDENTITY_API_VERSION");
    if (*ver == '\0') ver = "1.0";
    if (!strcmp(ver, "1") || !strcmp(ver, "1.0")) {
        export_line("ST_AUTH", setting(opts, "auth", "ST_AUTH"));
        export_line("ST_USER", setting(opts, "user", "ST_USER"));
        export_line("ST_KEY", setting(opts, "key", "ST_KEY"));
        return;
    }
    export_line("OS_IDENTITY_API_VERSION", ver);
    export_line("OS_AUTH_VERSION", ver);
    export_line("OS_AUTH_URL", *setting(opts, "auth", "ST_AUTH") ? setting(opts, "auth", "ST_AUTH")
                                                                  : setting(opts, "os_auth_url", "OS_AUTH_URL"));
    for (k = os_names; *k; k++) {
        const char *v;
        env_name(*k, env, sizeof env);
        v = setting(opts, *k, env);
        if (*v) export_line(env, v);
    }
}

int cmd_auth(struct swc *s, int argc, char **argv) {
    char *res = NULL, *err = NULL;
    json_t *r;
    (void)argc;
    (void)argv;
    if (s->verbose > 1) {
        print_auth_settings(s->opts);
        return 0;
    }
    if (open_client(s) != 0) return 1;
    if (swc_client_auth(s->client, "{\"include_token\": true}", &res, &err) != SWC_OK) {
        print_error_record("auth", err);
        swc_string_free(err);
        return 1;
    }
    r = json_loads(res, 0, NULL);
    export_line("OS_STORAGE_URL", jstr(r, "storage_url"));
    export_line("OS_AUTH_TOKEN", jstr(r, "token"));
    json_decref(r);
    swc_string_free(res);
    return 0;
}

/* ------------------------------------------------------------ stat, list */

int cmd_stat(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {{"lh", 0, OPT_LH, SET_NONE, NULL, F_HUMAN},
                                           {"header", 1, 'H', ADD_LIST, "header", 0},
                                           {"version-id", 1, OPT_VERSION_ID, SET_STRING, "version_id", 0},
                                           {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    int rc = begin(s, M_STAT, argc, argv, "H:", spec, req);
    if (rc != 0) return rc;
    set_targets(req, argc, argv);
    return run_op(s, swc_stat, req, "stat");
}

/* Only what gets printed: smaller records, less JSON to parse. */
static void want_list_fields(const struct swc *s, json_t *req) {
    unsigned fl = s->flags;
    if (!(fl & F_JSON) && !(fl & F_ACCOUNT)) {
        json_t *f = json_pack("[s]", "name");
        if (fl & (F_LONG | F_VERSIONS)) {
            json_array_append_new(f, json_string("bytes"));
            json_array_append_new(f, json_string("last_modified"));
            json_array_append_new(f, json_string("content_type"));
        }
        if (fl & F_VERSIONS) json_array_append_new(f, json_string("version_id"));
        json_object_set_new(req, "fields", f);
    } else if (!(fl & F_JSON) && !(fl & F_LONG)) {
        json_object_set_new(req, "fields", json_pack("[s]", "name"));
    }
}

int cmd_list(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {{"prefix", 1, 'p', SET_STRING, "prefix", 0},
                                           {"delimiter", 1, 'd', SET_STRING, "delimiter", 0},
                                           {"long", 0, 'l', SET_NONE, NULL, F_LONG},
                                           {"json", 0, 'j', SET_NONE, NULL, F_JSON},
                                           {"versions", 0, OPT_VERSIONS, SET_NONE, NULL, F_VERSIONS},
                                           {"lh", 0, OPT_LH, SET_NONE, NULL, F_LONG | F_HUMAN},
                                           {"totals", 0, 't', SET_NONE, NULL, F_TOTALS},
                                           {"header", 1, 'H', ADD_LIST, "header", 0},
                                           {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    int rc = begin(s, M_LIST, argc, argv, "p:d:ljtH:", spec, req);
    if (rc != 0) return rc;
    if (optind < argc) json_object_set_new(req, "container", json_string(argv[optind]));
    else s->flags |= F_ACCOUNT;
    if (s->flags & F_VERSIONS) {
        if (s->flags & F_ACCOUNT) {
            fputs("--versions option only allowed for container listings\n", stderr);
            return 1;
        }
        json_object_set_new(req, "versions", json_true());
    }
    if ((s->flags & F_TOTALS) && !(s->flags & F_LONG)) {
        fputs("Listing totals only works with -l or --lh.\n", stderr);
        return 1;
    }
    if ((s->flags & F_LONG) && (s->flags & F_ACCOUNT)) json_object_set_new(req, "long", json_true());
    want_list_fields(s, req);
    if (s->flags & F_JSON) s->collected = json_array();
    rc = run_op(s, swc_list, req, "list");
    print_list_end(s);
    return rc;
}

/* ------------------------------------------------------- upload, download */

/* `-` as an upload path: standard input as the object --object-name. */
static int add_stdin_item(const struct swc *s, json_t *req) {
    json_t *item;
    if (s->object_name == NULL) {
        fputs("upload from stdin needs --object-name\n", stderr);
        return -1;
    }
    item = json_object();
    json_object_set_new(item, "fd", json_integer(0));
    json_object_set_new(item, "object_name", json_string(s->object_name));
    if (json_object_get(req, "segment_size") == NULL) json_object_set_new(item, "segment_size", json_string("10M"));
    json_array_append_new(list_at(req, "objects"), item);
    return 0;
}

int cmd_upload(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"changed", 0, 'c', SET_TRUE, "changed", 0},
        {"skip-identical", 0, OPT_SKIP_IDENTICAL, SET_TRUE, "skip_identical", 0},
        {"segment-size", 1, 'S', SET_STRING, "segment_size", 0},
        {"segment-container", 1, OPT_SEGMENT_CONTAINER, SET_STRING, "segment_container", 0},
        {NULL, 1, 'C', SET_STRING, "segment_container", 0},
        {"leave-segments", 0, OPT_LEAVE_SEGMENTS, SET_TRUE, "leave_segments", 0},
        {"object-threads", 1, OPT_OBJECT_THREADS, SET_INT, "object_uu_threads", 0},
        {"segment-threads", 1, OPT_SEGMENT_THREADS, SET_INT, "segment_threads", 0},
        {"header", 1, 'H', ADD_LIST, "header", 0},
        {"meta", 1, 'm', ADD_LIST, "meta", 0},
        {"use-slo", 0, OPT_USE_SLO, SET_TRUE, "use_slo", 0},
        {"use-dlo", 0, OPT_USE_DLO, SET_FALSE, "use_slo", 0},
        {"object-name", 1, OPT_OBJECT_NAME, SET_NAME, NULL, 0},
        {"ignore-checksum", 0, OPT_IGNORE_CHECKSUM, SET_FALSE, "checksum", 0},
        {"skip-container-put", 0, OPT_SKIP_CONTAINER_PUT, SET_TRUE, "skip_container_put", 0},
        {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    int i, rc = begin(s, M_UPLOAD, argc, argv, "cS:C:H:m:", spec, req);
    if (rc != 0) return rc;
    if (argc - optind < 2) {
        fputs("usage: swc upload [options] container path...\n", stderr);
        return 2;
    }
    json_object_set_new(req, "container", json_string(argv[optind]));
    for (i = optind + 1; i < argc; i++) {
        if (strcmp(argv[i], "-") != 0) add_list(req, "objects", argv[i]);
        else if (add_stdin_item(s, req) != 0) return 2;
    }
    if (s->object_name && !(argc - optind == 2 && strcmp(argv[optind + 1], "-") == 0))
        json_object_set_new(req, "object_name", json_string(s->object_name));
    return run_op(s, swc_upload, req, "upload");
}

int cmd_download(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"all", 0, 'a', SET_TRUE, "yes_all", 0},
        {"marker", 1, 'm', SET_STRING, "marker", 0},
        {"prefix", 1, 'p', SET_STRING, "prefix", 0},
        {"remove-prefix", 0, 'r', SET_TRUE, "remove_prefix", 0},
        {"output", 1, 'o', SET_STRING, "out_file", 0},
        {"output-dir", 1, 'D', SET_STRING, "out_directory", 0},
        {"object-threads", 1, OPT_OBJECT_THREADS, SET_INT, "object_dd_threads", 0},
        {"container-threads", 1, OPT_CONTAINER_THREADS, SET_INT, "container_threads", 0},
        {"no-download", 0, OPT_NO_DOWNLOAD, SET_TRUE, "no_download", 0},
        {"header", 1, 'H', ADD_LIST, "header", 0},
        {"skip-identical", 0, OPT_SKIP_IDENTICAL, SET_TRUE, "skip_identical", 0},
        {"ignore-checksum", 0, OPT_IGNORE_CHECKSUM, SET_FALSE, "checksum", 0},
        {"no-shuffle", 0, OPT_NO_SHUFFLE, SET_FALSE, "shuffle", 0},
        {"ignore-mtime", 0, OPT_IGNORE_MTIME, SET_TRUE, "ignore_mtime", 0},
        {"version-id", 1, OPT_VERSION_ID, SET_STRING, "version_id", 0},
        {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_pack("{sb}", "shuffle", 1); /* --no-shuffle turns it off */
    int rc = begin(s, M_DOWNLOAD, argc, argv, "am:p:ro:D:H:", spec, req);
    if (rc != 0) return rc;
    set_targets(req, argc, argv);
    return run_op(s, swc_download, req, "download");
}

/* ------------------------------------------------------ delete, post, copy */

int cmd_delete(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"all", 0, 'a', SET_TRUE, "yes_all", F_YES_ALL},
        {"leave-segments", 0, OPT_LEAVE_SEGMENTS, SET_TRUE, "leave_segments", 0},
        {"prefix", 1, 'p', SET_STRING, "prefix", 0},
        {"object-threads", 1, OPT_OBJECT_THREADS, SET_INT, "object_dd_threads", 0},
        {"container-threads", 1, OPT_CONTAINER_THREADS, SET_INT, "container_threads", 0},
        {"header", 1, 'H', ADD_LIST, "header", 0},
        {"versions", 0, OPT_VERSIONS, SET_TRUE, "versions", 0},
        {"version-id", 1, OPT_VERSION_ID, SET_STRING, "version_id", 0},
        {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    int rc = begin(s, M_DELETE, argc, argv, "ap:H:", spec, req);
    if (rc != 0) return rc;
    set_targets(req, argc, argv);
    return run_op(s, swc_delete, req, "delete");
}

int cmd_post(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {{"read-acl", 1, 'r', SET_STRING, "read_acl", 0},
                                           {"write-acl", 1, 'w', SET_STRING, "write_acl", 0},
                                           {"sync-to", 1, 't', SET_STRING, "sync_to", 0},
                                           {"sync-key", 1, 'k', SET_STRING, "sync_key", 0},
                                           {"meta", 1, 'm', ADD_LIST, "meta", 0},
                                           {"header", 1, 'H', ADD_LIST, "header", 0},
                                           {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    int rc = begin(s, M_POST, argc, argv, "r:w:t:k:m:H:", spec, req);
    if (rc != 0) return rc;
    set_targets(req, argc, argv);
    return run_op(s, swc_post, req, "post");
}

int cmd_copy(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {{"destination", 1, 'd', SET_STRING, "destination", 0},
                                           {"fresh-metadata", 0, 'M', SET_TRUE, "fresh_metadata", 0},
                                           {"meta", 1, 'm', ADD_LIST, "meta", 0},
                                           {"header", 1, 'H', ADD_LIST, "header", 0},
                                           {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    int rc = begin(s, M_COPY, argc, argv, "d:Mm:H:", spec, req);
    if (rc != 0) return rc;
    if (argc - optind < 2) {
        fputs("usage: swc copy [options] container object...\n", stderr);
        return 2;
    }
    json_object_set_new(req, "container", json_string(argv[optind]));
    json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
    return run_op(s, swc_copy, req, "copy");
}

/* ------------------------------------------- capabilities, tempurl, other */

int cmd_capabilities(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {{"json", 0, OPT_JSON, SET_NONE, NULL, F_JSON},
                                           {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    int rc = begin(s, M_CAPS, argc, argv, "", spec, req);
    if (rc != 0) return rc;
    if (optind < argc) json_object_set_new(req, "url", json_string(argv[optind]));
    return run_op(s, swc_capabilities, req, "capabilities");
}

/* Signs locally: no client, no request. */
int cmd_tempurl(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {{"absolute", 0, OPT_ABSOLUTE, SET_TRUE, "absolute", 0},
                                           {"prefix-based", 0, OPT_PREFIX_BASED, SET_TRUE, "prefix", 0},
                                           {"iso8601", 0, OPT_ISO8601, SET_TRUE, "iso8601", 0},
                                           {"ip-range", 1, OPT_IP_RANGE, SET_STRING, "ip_range", 0},
                                           {"digest", 1, OPT_DIGEST, SET_STRING, "digest", 0},
                                           {0, 0, 0, SET_NONE, NULL, 0}};
    json_t *req = json_object();
    char *url = NULL, *err = NULL, *text;
    if (parse_options(s, argc, argv, "", spec, req) != 0) return 2;
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
    return 0;
}

/* A subcommand swc does not have: said once the client is made (as with
 * the others, credentials come first). */
int cmd_unknown(struct swc *s, int argc, char **argv) {
    (void)argc;
    if (open_client(s) != 0) return 1;
    fprintf(stderr, "swc: unknown subcommand \"%s\"\n", argv[0]);
    usage();
    return 2;
}
