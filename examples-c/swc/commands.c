/* The subcommands: one cmd_<name> each. A subcommand's options are a table
 * (opt_spec) saying what each does to the request sent to the library or
 * to the output; run_op sends the request and prints the records. */
#include "swc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    OPT_EXTRACT_ARCHIVE,
    OPT_NO_DOWNLOAD,
    OPT_NO_SHUFFLE,
    OPT_IGNORE_MTIME,
    OPT_RESUME,
    OPT_ABSOLUTE,
    OPT_PREFIX_BASED,
    OPT_ISO8601,
    OPT_IP_RANGE,
    OPT_DIGEST,
    OPT_RESUMABLE,
    OPT_CHECKPOINT,
    OPT_OLDER_THAN,
    OPT_DELETE
};

static json_t *strings(char **v, int n) {
    json_t *a = json_array();
    int i;
    for (i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The end of an option table. */
#define END_OPTS {NULL, 0, 0, SET_NONE, NULL, 0, NULL, NULL}

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
    static const char *const up[] = {"object", "attempts", "for_object", "segment_index", "reused",
                                     "format", "files", "files_created", "bytes_sent", NULL};
    static const char *const down[] = {"status",          "path",        "start_time", "finish_time",
                                       "auth_end_time",   "headers_receipt", "read_length", "attempts",
                                       "pseudodir",       "resumed_from",    "transferred", NULL};
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
    st = f(s->client, text, on_record, s->bar.on ? on_progress : NULL, s, interrupt_token(), &summary,
           &err);
    bar_clear(&s->bar);
    free(text);
    json_decref(req);
    if (st != SWC_OK) {
        /* Failed records were printed (and counted) one by one; a failure
         * of the operation as a whole is printed here. */
        json_t *sum = summary ? json_loads(summary, 0, NULL) : NULL;
        int whole = sum == NULL || json_object_get(sum, "error") != NULL || st == SWC_E_CANCELLED;
        if (whole && s->failed == 0 && !was_interrupted()) print_error_record(what, err);
        if (whole) s->failed++;
        json_decref(sum);
    }
    swc_string_free(summary);
    swc_string_free(err);
    return s->failed ? 1 : 0;
}

/* The start of a subcommand that talks to the cluster: its options (the
 * global ones after the subcommand too) into `req`, then the client made
 * with them. -1 to go on, else the exit code (`req` then freed). */
static int begin(struct swc *s, enum mode m, int argc, char **argv, const char *shorts,
                 const struct opt_spec *spec, json_t *req) {
    int rc;
    s->mode = m;
    rc = parse_options(s, argc, argv, shorts, spec, req);
    if (rc >= 0) {
        json_decref(req);
        return rc;
    }
    if (open_client(s) != 0) {
        json_decref(req);
        return 1;
    }
    return -1;
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

/* The storage URL and token ({"storage_url", "token"}), or NULL said on
 * standard error (a failed authentication as swift words it). */
static json_t *auth_token(struct swc *s) {
    char *res = NULL, *err = NULL;
    json_t *r;
    if (swc_client_auth(s->client, "{\"include_token\": true}", &res, &err) != SWC_OK) {
        print_error_record("auth", err);
        swc_string_free(err);
        return NULL;
    }
    r = json_loads(res, 0, NULL);
    swc_string_free(res);
    return r;
}

int cmd_auth(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {END_OPTS};
    json_t *r;
    int rc = parse_options(s, argc, argv, "", spec, NULL);
    if (rc >= 0) return rc;
    if (s->verbose > 1) {
        print_auth_settings(s->opts);
        return 0;
    }
    if (open_client(s) != 0 || (r = auth_token(s)) == NULL) return 1;
    export_line("OS_STORAGE_URL", jstr(r, "storage_url"));
    export_line("OS_AUTH_TOKEN", jstr(r, "token"));
    json_decref(r);
    return 0;
}

/* ------------------------------------------------------------ stat, list */

int cmd_stat(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"lh", 0, OPT_LH, SET_NONE, NULL, F_HUMAN, NULL, "Report sizes in human readable format similar to\nls -lh."},
        {"header", 1, 'H', ADD_LIST, "header", 0, "header:value", "Adds a custom request header to use for stat."},
        {"version-id", 1, OPT_VERSION_ID, SET_STRING, "version_id", 0, "version-id",
         "Report stat of specific version of a versioned object."},
        END_OPTS};
    json_t *req = json_object();
    int rc = begin(s, M_STAT, argc, argv, "H:", spec, req);
    if (rc >= 0) return rc;
    /* -v: the storage URL and the token first, as swift prints them. */
    if (s->verbose > 1 && (s->auth = auth_token(s)) == NULL) {
        json_decref(req);
        return 1;
    }
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
    static const struct opt_spec spec[] = {
        {"long", 0, 'l', SET_NONE, NULL, F_LONG, NULL, "Long listing format, similar to ls -l."},
        {"lh", 0, OPT_LH, SET_NONE, NULL, F_LONG | F_HUMAN, NULL,
         "Report sizes in human readable format similar to\nls -lh."},
        {"totals", 0, 't', SET_NONE, NULL, F_TOTALS, NULL, "Used with -l or --lh, only report totals."},
        {"prefix", 1, 'p', SET_STRING, "prefix", 0, "prefix", "Only list items beginning with the prefix."},
        {"delimiter", 1, 'd', SET_STRING, "delimiter", 0, "delim",
         "Roll up items with the given delimiter. For containers\n"
         "only. See OpenStack Swift API documentation for what\n"
         "this means."},
        {"json", 0, 'j', SET_NONE, NULL, F_JSON, NULL, "Display listing information in json."},
        {"versions", 0, OPT_VERSIONS, SET_NONE, NULL, F_VERSIONS, NULL,
         "Display listing information for all versions."},
        {"header", 1, 'H', ADD_LIST, "header", 0, "header:value", "Adds a custom request header to use for listing."},
        END_OPTS};
    json_t *req = json_object();
    int rc = begin(s, M_LIST, argc, argv, "p:d:ljtH:", spec, req);
    if (rc >= 0) return rc;
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

/* `-` as the upload path: standard input as the object --object-name. */
static void add_stdin_item(const struct swc *s, json_t *req) {
    json_t *item = json_object();
    json_object_set_new(item, "fd", json_integer(0));
    json_t *checkpoint = json_object_get(req, "checkpoint");
    json_object_set_new(item, "object_name", json_string(s->object_name));
    if (checkpoint) {
        /* The stream's own: it moves from the request to the item. */
        json_object_set(item, "checkpoint", checkpoint);
        json_object_del(req, "checkpoint");
    }
    if (json_object_get(req, "segment_size") == NULL) json_object_set_new(item, "segment_size", json_string("10M"));
    json_array_append_new(list_at(req, "objects"), item);
}

/* swift's checks of upload's paths: NULL, or the error it gives. */
static const char *upload_paths_error(const struct swc *s, int n, char **paths) {
    int i, from_stdin = 0;
    for (i = 0; i < n; i++) from_stdin |= !strcmp(paths[i], "-");
    if (from_stdin && n > 1) return "upload from stdin cannot be used along with other files";
    if (s->object_name && n > 1) return "object-name only be used with 1 file or dir";
    if (from_stdin && s->object_name == NULL) return "object-name must be specified with uploads from stdin";
    return NULL;
}

/* The paths into `req` (a missing one said and counted, as swift does);
 * 0 when none is left. */
static int add_upload_paths(struct swc *s, json_t *req, int n, char **paths) {
    struct stat st;
    int i, added = 0;
    for (i = 0; i < n; i++) {
        if (!strcmp(paths[i], "-")) {
            add_stdin_item(s, req);
        } else if (stat(paths[i], &st) != 0) {
            fprintf(stderr, "Local file '%s' not found\n", paths[i]);
            s->failed++;
            continue;
        } else {
            add_list(req, "objects", paths[i]);
        }
        added++;
    }
    return added;
}

int cmd_upload(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"changed", 0, 'c', SET_TRUE, "changed", 0, NULL,
         "Only upload files that have changed since the last\nupload."},
        {"skip-identical", 0, OPT_SKIP_IDENTICAL, SET_TRUE, "skip_identical", 0, NULL,
         "Skip uploading files that are identical on both sides."},
        {"segment-size", 1, 'S', SET_STRING, "segment_size", 0, "size",
         "Upload files in segments no larger than <size> (in\nBytes, or with a suffix K, M or G) and then create a\n"
         "\"manifest\" file that will download all the segments\nas if it were the original file."},
        {"segment-container", 1, 'C', SET_STRING, "segment_container", 0, "container",
         "Upload the segments into the specified container. If\nnot specified, the segments will be uploaded to a\n"
         "<container>_segments container to not pollute the\nmain <container> listings."},
        {"leave-segments", 0, OPT_LEAVE_SEGMENTS, SET_TRUE, "leave_segments", 0, NULL,
         "Indicates that you want the older segments of manifest\nobjects left alone (in the case of overwrites)."},
        {"object-threads", 1, OPT_OBJECT_THREADS, SET_THREADS, "object_uu_threads", 0, "threads",
         "Number of threads to use for uploading full objects.\nDefault is 10."},
        {"segment-threads", 1, OPT_SEGMENT_THREADS, SET_THREADS, "segment_threads", 0, "threads",
         "Number of threads to use for uploading object segments.\nDefault is 10."},
        {"meta", 1, 'm', ADD_LIST, "meta", 0, "name:value",
         "Sets a meta data item. This option may be repeated.\nExample: -m Color:Blue -m Size:Large"},
        {"header", 1, 'H', ADD_LIST, "header", 0, "header:value",
         "Adds a customized request header. This option may be\nrepeated. Example: -H \"content-type:text/plain\"\n"
         " -H \"Content-Length: 4000\"."},
        {"use-slo", 0, OPT_USE_SLO, SET_TRUE, "use_slo", 0, NULL,
         "When used in conjunction with --segment-size it will\ncreate a Static Large Object (the default when the\n"
         "cluster supports it)."},
        {"use-dlo", 0, OPT_USE_DLO, SET_FALSE, "use_slo", 0, NULL,
         "When used in conjunction with --segment-size it will\ncreate a Dynamic Large Object. May be useful with old\n"
         "swift clusters."},
        {"object-name", 1, OPT_OBJECT_NAME, SET_NAME, NULL, 0, "object-name",
         "Upload file and name object to <object-name> or upload\n"
         "dir and use <object-name> as object prefix instead of\n"
         "folder name."},
        {"ignore-checksum", 0, OPT_IGNORE_CHECKSUM, SET_FALSE, "checksum", 0, NULL,
         "Turn off checksum validation for uploads."},
        {"skip-container-put", 0, OPT_SKIP_CONTAINER_PUT, SET_TRUE, "skip_container_put", 0, NULL,
         "Assume all necessary containers already exist; don't\nautomatically try to create them."},
        {"resumable", 0, OPT_RESUMABLE, SET_TRUE, "resumable", 0, NULL,
         "Keep the segments of a large file whose upload fails\nor is interrupted, and on the next run of the same\n"
         "upload send only the segments missing (those whose\nlocal bytes still match are kept). See 'swc orphans'\n"
         "for segments an upload that is never resumed left."},
        {"checkpoint", 1, OPT_CHECKPOINT, SET_STRING, "checkpoint", 0, "file",
         "With \"-\" (standard input): keep the segments of an\nupload that fails in <file>; the same stream uploaded\n"
         "again with --resumable and this --checkpoint sends only\nthe segments missing."},
        {"extract-archive", 2, OPT_EXTRACT_ARCHIVE, SET_ARCHIVE, "extract_archive", 0, "format",
         "Send all the files as one archive (tar, tar.gz or\ntar.bz2; default tar) that the cluster unpacks into\n"
         "the objects: one request instead of one per file.\nNeeds the bulk middleware; no segmenting, --changed\n"
         "or --skip-identical."},
        END_OPTS};
    json_t *req = json_object();
    const char *bad;
    int rc = begin(s, M_UPLOAD, argc, argv, "cS:C:H:m:", spec, req);
    if (rc >= 0) return rc;
    bad = argc - optind < 2 ? NULL : upload_paths_error(s, argc - optind - 1, argv + optind + 1);
    if (argc - optind < 2 || bad) {
        json_decref(req);
        if (bad) fprintf(stderr, "%s\n", bad);
        return bad ? 1 : usage_error(s, NULL);
    }
    json_object_set_new(req, "container", json_string(argv[optind]));
    if (add_upload_paths(s, req, argc - optind - 1, argv + optind + 1) == 0) {
        json_decref(req);
        return 1;
    }
    if (s->object_name && strcmp(argv[optind + 1], "-") != 0)
        json_object_set_new(req, "object_name", json_string(s->object_name));
    return run_op(s, swc_upload, req, "upload");
}

int cmd_download(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"all", 0, 'a', SET_TRUE, "yes_all", 0, NULL,
         "Indicates that you really want to download\neverything in the account."},
        {"marker", 1, 'm', SET_STRING, "marker", 0, "marker",
         "Marker to use when starting a container or account\ndownload."},
        {"prefix", 1, 'p', SET_STRING, "prefix", 0, "prefix", "Only download items beginning with <prefix>."},
        {"remove-prefix", 0, 'r', SET_TRUE, "remove_prefix", 0, NULL,
         "An optional flag for --prefix <prefix>, use this\noption to download items without <prefix>."},
        {"output", 1, 'o', SET_STRING, "out_file", 0, "out_file",
         "For a single file download, stream the output to\n<out_file>. Specifying \"-\" as <out_file> will\n"
         "redirect to stdout."},
        {"output-dir", 1, 'D', SET_STRING, "out_directory", 0, "out_directory",
         "An optional directory to which to store objects.\nBy default, all objects are recreated in the current\n"
         "directory."},
        {"object-threads", 1, OPT_OBJECT_THREADS, SET_THREADS, "object_dd_threads", 0, "threads",
         "Number of threads to use for downloading objects.\nDefault is 10."},
        {"container-threads", 1, OPT_CONTAINER_THREADS, SET_THREADS, "container_threads", 0, "threads",
         "Number of threads to use for downloading containers.\nDefault is 10."},
        {"no-download", 0, OPT_NO_DOWNLOAD, SET_TRUE, "no_download", 0, NULL,
         "Perform download(s), but don't actually write anything\nto disk."},
        {"header", 1, 'H', ADD_LIST, "header", 0, "header:value",
         "Adds a customized request header to the query, like\n"
         "\"Range\" or \"If-Match\". This option may be repeated.\n"
         "Example: --header \"content-type:text/plain\""},
        {"skip-identical", 0, OPT_SKIP_IDENTICAL, SET_TRUE, "skip_identical", 0, NULL,
         "Skip downloading files that are identical on both\nsides."},
        {"version-id", 1, OPT_VERSION_ID, SET_STRING, "version_id", 0, "version-id",
         "Download specific version of a versioned object."},
        {"ignore-checksum", 0, OPT_IGNORE_CHECKSUM, SET_FALSE, "checksum", 0, NULL,
         "Turn off checksum validation for downloads."},
        {"no-shuffle", 0, OPT_NO_SHUFFLE, SET_FALSE, "shuffle", 0, NULL,
         "Download in the order the objects are listed, not\nshuffled (shuffling spreads the load of many clients\n"
         "downloading the same objects)."},
        {"ignore-mtime", 0, OPT_IGNORE_MTIME, SET_TRUE, "ignore_mtime", 0, NULL,
         "Ignore the 'X-Object-Meta-Mtime' header when\ndownloading an object. Instead, create atime and mtime\n"
         "with fresh timestamps."},
        {"resume", 0, OPT_RESUME, SET_TRUE, "resume_partial", 0, NULL,
         "Keep the partial file of a download that fails or is\ninterrupted (hidden, as .<name>.swc-partial), and\n"
         "continue it on a later run with --resume if the\nobject has not changed (else start from zero)."},
        END_OPTS};
    json_t *req = json_pack("{sb}", "shuffle", 1); /* --no-shuffle turns it off */
    int rc = begin(s, M_DOWNLOAD, argc, argv, "am:p:ro:D:H:", spec, req);
    if (rc >= 0) return rc;
    set_targets(req, argc, argv);
    return run_op(s, swc_download, req, "download");
}

/* ------------------------------------------------------ delete, post, copy */

int cmd_delete(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"all", 0, 'a', SET_TRUE, "yes_all", F_YES_ALL, NULL, "Delete all containers and objects. Implies --versions."},
        {"versions", 0, OPT_VERSIONS, SET_TRUE, "versions", 0, NULL, "Delete all versions."},
        {"leave-segments", 0, OPT_LEAVE_SEGMENTS, SET_TRUE, "leave_segments", 0, NULL,
         "Do not delete segments of manifest objects."},
        {"header", 1, 'H', ADD_LIST, "header", 0, "header:value",
         "Adds a custom request header to use for deleting\nobjects or an entire container."},
        {"object-threads", 1, OPT_OBJECT_THREADS, SET_THREADS, "object_dd_threads", 0, "threads",
         "Number of threads to use for deleting objects.\nDefault is 10."},
        {"container-threads", 1, OPT_CONTAINER_THREADS, SET_THREADS, "container_threads", 0, "threads",
         "Number of threads to use for deleting containers.\nDefault is 10."},
        {"prefix", 1, 'p', SET_STRING, "prefix", 0, "prefix", "Only delete objects beginning with <prefix>."},
        {"version-id", 1, OPT_VERSION_ID, SET_STRING, "version_id", 0, "version-id",
         "Delete specific version of a versioned object."},
        END_OPTS};
    json_t *req = json_object();
    int rc = begin(s, M_DELETE, argc, argv, "ap:H:", spec, req);
    if (rc >= 0) return rc;
    /* swift's usage: a container, or --all and nothing. */
    if ((optind < argc) == ((s->flags & F_YES_ALL) != 0)) {
        json_decref(req);
        return usage_error(s, NULL);
    }
    set_targets(req, argc, argv);
    return run_op(s, swc_delete, req, "delete");
}

/* post's and copy's -m and -H. */
#define META_OPT                                                                                                     \
    {"meta", 1, 'm', ADD_LIST, "meta", 0, "name:value",                                                              \
     "Sets a meta data item. This option may be repeated.\nExample: -m Color:Blue -m Size:Large"}
#define HEADER_OPT                                                                                                   \
    {"header", 1, 'H', ADD_LIST, "header", 0, "header:value",                                                        \
     "Adds a customized request header.\nThis option may be repeated. Example\n"                                     \
     "-H \"content-type:text/plain\" -H \"Content-Length: 4000\""}

int cmd_post(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"read-acl", 1, 'r', SET_STRING, "read_acl", 0, "acl",
         "Read ACL for containers. Quick summary of ACL syntax:\n.r:*, .r:-.example.com, .r:www.example.com,\n"
         "account1 (v1.0 identity API only),\naccount1:*, account2:user2 (v2.0+ identity API)."},
        {"write-acl", 1, 'w', SET_STRING, "write_acl", 0, "acl",
         "Write ACL for containers. Quick summary of ACL syntax:\naccount1 (v1.0 identity API only),\n"
         "account1:*, account2:user2 (v2.0+ identity API)."},
        {"sync-to", 1, 't', SET_STRING, "sync_to", 0, "sync-to",
         "Sync To for containers, for multi-cluster replication."},
        {"sync-key", 1, 'k', SET_STRING, "sync_key", 0, "sync-key",
         "Sync Key for containers, for multi-cluster replication."},
        META_OPT,
        HEADER_OPT,
        END_OPTS};
    json_t *req = json_object();
    int rc = begin(s, M_POST, argc, argv, "r:w:t:k:m:H:", spec, req);
    if (rc >= 0) return rc;
    set_targets(req, argc, argv);
    return run_op(s, swc_post, req, "post");
}

int cmd_copy(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"destination", 1, 'd', SET_STRING, "destination", 0, "/container[/object]",
         "The container and name of the destination object. Name\nof destination object can be omitted, then will be\n"
         "same as name of source object. Supplying multiple\nobjects and destination with object name is invalid."},
        {"fresh-metadata", 0, 'M', SET_TRUE, "fresh_metadata", 0, NULL,
         "Copy the object without any existing metadata,\nIf not set, metadata will be preserved or appended"},
        META_OPT,
        HEADER_OPT,
        END_OPTS};
    json_t *req = json_object();
    int rc = begin(s, M_COPY, argc, argv, "d:Mm:H:", spec, req);
    if (rc >= 0) return rc;
    if (argc - optind < 2) {
        json_decref(req);
        return usage_error(s, NULL);
    }
    json_object_set_new(req, "container", json_string(argv[optind]));
    json_object_set_new(req, "objects", strings(argv + optind + 1, argc - optind - 1));
    return run_op(s, swc_copy, req, "copy");
}

int cmd_orphans(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"segment-container", 1, 'C', SET_STRING, "segment_container", 0, "container",
         "The segment container to look in. Default is\n<container>_segments."},
        {"delete", 0, OPT_DELETE, SET_TRUE, "delete", F_DELETE, NULL,
         "Delete the segments found (default: only list them)."},
        {"older-than", 1, OPT_OLDER_THAN, SET_NUMBER, "older_than", 0, "seconds",
         "Only segments written at least <seconds> ago: an\nupload still running elsewhere is left alone."},
        {"object-threads", 1, OPT_OBJECT_THREADS, SET_THREADS, "object_dd_threads", 0, "threads",
         "Number of threads to use for deleting segments.\nDefault is 10."},
        END_OPTS};
    json_t *req = json_object();
    int rc = begin(s, M_ORPHANS, argc, argv, "C:", spec, req);
    if (rc >= 0) return rc;
    if (optind >= argc) {
        json_decref(req);
        return usage_error(s, NULL);
    }
    set_targets(req, argc, argv);
    return run_op(s, swc_orphans, req, "orphans");
}

/* ------------------------------------------- capabilities, tempurl */

int cmd_capabilities(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"json", 0, OPT_JSON, SET_NONE, NULL, F_JSON, NULL, "Print the cluster capabilities in JSON format."},
        END_OPTS};
    json_t *req = json_object();
    int rc = begin(s, M_CAPS, argc, argv, "", spec, req);
    if (rc >= 0) return rc;
    if (optind < argc) json_object_set_new(req, "url", json_string(argv[optind]));
    return run_op(s, swc_capabilities, req, "capabilities");
}

/* Signs locally: no client, no request. */
int cmd_tempurl(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {
        {"absolute", 0, OPT_ABSOLUTE, SET_TRUE, "absolute", 0, NULL,
         "Interpret the <time> positional argument as a Unix\ntimestamp rather than a number of seconds in the\n"
         "future. If an ISO 8601 timestamp is passed for <time>,\nthis argument is ignored."},
        {"prefix-based", 0, OPT_PREFIX_BASED, SET_TRUE, "prefix", 0, NULL,
         "If present, a prefix-based temporary URL will be\ngenerated."},
        {"iso8601", 0, OPT_ISO8601, SET_TRUE, "iso8601", 0, NULL,
         "If present, the generated temporary URL will contain an\n"
         "ISO 8601 UTC timestamp instead of a Unix timestamp."},
        {"ip-range", 1, OPT_IP_RANGE, SET_STRING, "ip_range", 0, "range",
         "If present, the temporary URL will be restricted to the\ngiven ip or ip range."},
        {"digest", 1, OPT_DIGEST, SET_STRING, "digest", 0, "sha1|sha256|sha512",
         "The HMAC digest (default sha256). The server must\naccept it: OpenStack Swift lists what it accepts in\n"
         "'swc capabilities' (tempurl: allowed_digests);\nCeph RGW verifies sha1 only."},
        END_OPTS};
    json_t *req = json_object();
    char *url = NULL, *err = NULL, *text;
    int rc = parse_options(s, argc, argv, "", spec, req);
    if (rc < 0 && argc - optind != 4) rc = usage_error(s, NULL);
    if (rc >= 0) {
        json_decref(req);
        return rc;
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
