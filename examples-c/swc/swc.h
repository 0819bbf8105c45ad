/*
 * swc: a swift-compatible command-line client written in C on the public
 * header only (include/swiftclient.h), with jansson for JSON.
 *
 *   swc [global options] <subcommand> [options] [args]
 *
 * Subcommands: auth, stat, list, upload, download, delete, post, copy,
 * orphans, capabilities, tempurl, bash_completion. Credentials come from the ST_* / OS_* environment
 * and the global options, as with the `swift` command.
 *
 *   main.c      the subcommand table, the usage and the subcommands' texts, dispatch
 *   options.c   the global options, the environment, the client
 *   args.c      a subcommand's options (the global ones too, as swift takes
 *               them anywhere), its --help and its usage errors
 *   commands.c  one cmd_<name> per subcommand, and the operation runner
 *   print.c     one printer per record kind, errors, the progress bar
 *   pyrepr.c    JSON values as Python prints them (capabilities as swift)
 *   interrupt.c Ctrl-C: the running operation cancelled, then " Aborted"
 *   doc.c       what is made from the tables: the man page (swc --man) and
 *               the words the completion scripts offer (bash_completion)
 */
#ifndef SWC_H
#define SWC_H

#define _POSIX_C_SOURCE 200809L
#include "swiftclient.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stddef.h>

/* The kind of operation running: which records come and how they print. */
enum mode { M_STAT, M_LIST, M_UPLOAD, M_DOWNLOAD, M_DELETE, M_POST, M_COPY, M_CAPS, M_ORPHANS };

/* What the subcommand's options (or its arguments) ask of the output. */
enum {
    F_JSON = 1 << 0,     /* list -j, capabilities --json */
    F_LONG = 1 << 1,     /* list -l */
    F_HUMAN = 1 << 2,    /* --lh: human sizes (stat, list) */
    F_TOTALS = 1 << 3,   /* list -t */
    F_VERSIONS = 1 << 4, /* list --versions */
    F_ACCOUNT = 1 << 5,  /* listing the account (containers) */
    F_YES_ALL = 1 << 6,  /* delete -a: lines name the container too */
    F_DELETE = 1 << 7    /* orphans --delete: deleted lines, not found ones */
};

/* The live progress line on standard error (a terminal only). */
struct bar {
    int on;
    int shown;
    int single; /* one object: its own total is the whole */
    const char *verb;
    double t0, drawn;
};

/* What a subcommand's option does to the request, at its key. */
enum opt_action {
    SET_NONE,   /* nothing (its flags only) */
    SET_STRING, /* the argument */
    SET_TRUE,
    SET_FALSE,
    SET_THREADS, /* the argument, a positive whole number (a thread count) */
    SET_NUMBER,  /* the argument, a number 0 or more (seconds) */
    ADD_LIST,   /* the argument appended to a list */
    SET_NAME,   /* the argument kept as the object name */
    SET_ARCHIVE /* an optional argument (has_arg 2): the archive format, "tar" when none */
};

/* One option of a subcommand; a table ends with a code of 0. The code is
 * the short letter when it has one (else 256 and up). */
struct opt_spec {
    const char *name; /* the long name */
    int has_arg;
    int code;
    enum opt_action action;
    const char *key;
    unsigned flags;      /* F_* set in the context */
    const char *metavar; /* the argument's name in --help ("prefix") */
    const char *help;    /* its sentence in --help; '\n' starts a line */
};

struct command;

/* s->help set to this: parse_options only keeps the subcommand's table in
 * s->spec and returns 0 (how doc.c reads a subcommand's options). */
#define HELP_SPEC 2

/* One run of swc: the global settings, then the subcommand's state. */
struct swc {
    json_t *opts;       /* the client's options, for swc_client_new_from_env */
    int verbose;        /* 0 with -q, 1, 2 with -v */
    int log_level;      /* --debug / --info: the library's log level, or 0 */
    int prompt;         /* --prompt: the password from the terminal */
    int help;           /* -h / --help before the subcommand; HELP_SPEC */
    swc_client *client; /* once a subcommand needs one */
    const struct command *cmd;
    const struct opt_spec *spec; /* the subcommand's options, for its usage */
    json_t *auth;       /* stat -v: the storage URL and token */

    enum mode mode;
    unsigned flags;      /* F_* */
    int failed;          /* failed records and operations */
    const char *object_name; /* upload --object-name */
    long long total_count, total_bytes; /* list -l */
    json_t *collected;   /* list -j */
    struct bar bar;
};

/* A subcommand: its name, its handler (argv[0] is the subcommand) and the
 * texts of `swc` usage (synopsis, summary) and of `swc <name> --help`
 * (usage, about; the options' lines come from the handler's table). */
typedef int (*command_fn)(struct swc *s, int argc, char **argv);
struct command {
    const char *name;
    command_fn run;
    const char *synopsis; /* NULL: an alias, not in the usage */
    const char *summary;
    const char *usage;    /* what follows "Usage: swc <name> " */
    const char *about;    /* what it does, its positional arguments */
};

/* An exit status and its meaning ('\n' starts a line), in `swc --help`. */
struct exit_status {
    const char *code;
    const char *meaning;
};

/* main.c */
extern const char swc_synopsis[], swc_description[];
extern const struct exit_status swc_exit_statuses[]; /* ends with a NULL code */
void usage(FILE *out);
const struct command *command_at(size_t i); /* NULL past the last */

/* options.c */
#define GLOBAL_SHORTS "A:U:K:V:R:T:vq"
int parse_global_options(struct swc *s, int argc, char **argv);
size_t global_options(struct option *out);
int global_at(size_t i, struct opt_spec *out);
const char *global_label(int code, char *buf, size_t cap);
int global_option(struct swc *s, int code, const char *arg);
void print_global_help(FILE *out);
const char *setting(json_t *opts, const char *key, const char *env);
int open_client(struct swc *s);

/* args.c */
int parse_options(struct swc *s, int argc, char **argv, const char *shorts, const struct opt_spec *spec,
                  json_t *req);
void print_option_line(FILE *out, const char *left, const char *help);
void print_help(FILE *out, const struct command *cmd, const struct opt_spec *spec);
int usage_error(const struct swc *s, const char *msg);
json_t *list_at(json_t *req, const char *key);
void add_list(json_t *req, const char *key, const char *value);

/* commands.c */
int cmd_auth(struct swc *s, int argc, char **argv);
int cmd_stat(struct swc *s, int argc, char **argv);
int cmd_list(struct swc *s, int argc, char **argv);
int cmd_upload(struct swc *s, int argc, char **argv);
int cmd_download(struct swc *s, int argc, char **argv);
int cmd_delete(struct swc *s, int argc, char **argv);
int cmd_post(struct swc *s, int argc, char **argv);
int cmd_copy(struct swc *s, int argc, char **argv);
int cmd_orphans(struct swc *s, int argc, char **argv);
int cmd_capabilities(struct swc *s, int argc, char **argv);
int cmd_tempurl(struct swc *s, int argc, char **argv);

/* doc.c */
int print_man(FILE *out);
int cmd_bash_completion(struct swc *s, int argc, char **argv);

/* print.c */
const char *jstr(json_t *o, const char *k);
void print_json(json_t *v, size_t flags);
void py_repr(FILE *out, json_t *v);
void py_print_capabilities(FILE *out, json_t *caps, int as_json);
void print_error_record(const char *what, const char *err);
int print_swift_error(json_t *er, const char *kind);
int on_record(void *ud, const char *text, size_t len);
void on_progress(void *ud, const char *text, size_t len);
void bar_start(struct swc *s, int single);
void bar_clear(struct bar *bar);
void print_list_end(struct swc *s);
void export_line(const char *name, const char *value);
void log_line(void *user_data, int level, const char *msg, size_t len);

/* interrupt.c */
void interrupt_setup(void);
const swc_cancel *interrupt_token(void);
int was_interrupted(void);

#endif
