/*
 * swc: a swift-compatible command-line client written in C on the public
 * header only (include/swiftclient.h), with jansson for JSON.
 *
 *   swc [global options] <subcommand> [options] [args]
 *
 * Subcommands: auth, stat, list, upload, download, delete, post, copy,
 * capabilities, tempurl. Credentials come from the ST_* / OS_* environment
 * and the global options, as with the `swift` command.
 *
 *   main.c      the subcommand table, usage and help texts, dispatch
 *   options.c   the global options, the environment, the client
 *   commands.c  one cmd_<name> per subcommand, and the operation runner
 *   print.c     one printer per record kind, errors, the progress bar
 */
#ifndef SWC_H
#define SWC_H

#define _POSIX_C_SOURCE 200809L
#include "swiftclient.h"

#include <jansson.h>
#include <stddef.h>

/* The kind of operation running: which records come and how they print. */
enum mode { M_STAT, M_LIST, M_UPLOAD, M_DOWNLOAD, M_DELETE, M_POST, M_COPY, M_CAPS };

/* What the subcommand's options (or its arguments) ask of the output. */
enum {
    F_JSON = 1 << 0,     /* list -j, capabilities --json */
    F_LONG = 1 << 1,     /* list -l */
    F_HUMAN = 1 << 2,    /* --lh: human sizes (stat, list) */
    F_TOTALS = 1 << 3,   /* list -t */
    F_VERSIONS = 1 << 4, /* list --versions */
    F_ACCOUNT = 1 << 5,  /* listing the account (containers) */
    F_YES_ALL = 1 << 6   /* delete -a: lines name the container too */
};

/* The live progress line on standard error (a terminal only). */
struct bar {
    int on;
    int shown;
    int single; /* one object: its own total is the whole */
    const char *verb;
    double t0, drawn;
};

/* One run of swc: the global settings, then the subcommand's state. */
struct swc {
    json_t *opts;       /* the client's options, for swc_client_new_from_env */
    int verbose;        /* 0 with -q, 1, 2 with -v */
    int log_level;      /* --debug / --info: the library's log level, or 0 */
    int prompt;         /* --prompt: the password from the terminal */
    swc_client *client; /* once a subcommand needs one */

    enum mode mode;
    unsigned flags;      /* F_* */
    int failed;          /* failed records and operations */
    const char *object_name; /* upload --object-name */
    long long total_count, total_bytes; /* list -l */
    json_t *collected;   /* list -j */
    struct bar bar;
};

/* A subcommand: its name, its handler (argv[0] is the subcommand) and the
 * texts of `swc` usage (synopsis, summary) and `swc <name> --help`. */
typedef int (*command_fn)(struct swc *s, int argc, char **argv);
struct command {
    const char *name;
    command_fn run;
    const char *synopsis; /* NULL: an alias, not in the usage */
    const char *summary;
    const char *help;     /* NULL: no --help text */
};

/* main.c */
void usage(void);

/* options.c */
int parse_global_options(struct swc *s, int argc, char **argv);
const char *setting(json_t *opts, const char *key, const char *env);
int open_client(struct swc *s);

/* commands.c */
int cmd_auth(struct swc *s, int argc, char **argv);
int cmd_stat(struct swc *s, int argc, char **argv);
int cmd_list(struct swc *s, int argc, char **argv);
int cmd_upload(struct swc *s, int argc, char **argv);
int cmd_download(struct swc *s, int argc, char **argv);
int cmd_delete(struct swc *s, int argc, char **argv);
int cmd_post(struct swc *s, int argc, char **argv);
int cmd_copy(struct swc *s, int argc, char **argv);
int cmd_capabilities(struct swc *s, int argc, char **argv);
int cmd_tempurl(struct swc *s, int argc, char **argv);
int cmd_unknown(struct swc *s, int argc, char **argv);

/* print.c */
const char *jstr(json_t *o, const char *k);
void print_json(json_t *v, size_t flags);
void print_error_record(const char *what, const char *err);
int on_record(void *ud, const char *text, size_t len);
void on_progress(void *ud, const char *text, size_t len);
void bar_start(struct swc *s, int single);
void bar_clear(struct bar *bar);
void print_list_end(struct swc *s);
void export_line(const char *name, const char *value);
void log_line(void *user_data, int level, const char *msg, size_t len);

#endif
