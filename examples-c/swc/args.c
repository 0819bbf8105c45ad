/* A subcommand's options: its own (a table, opt_spec, of what each does to
 * the request) and the global ones, which swift takes after the subcommand
 * too (`swift stat -v`, `swift list c --debug`); its --help, made from the
 * same table so that every option has its line; its usage errors. */
#include "swc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_OPTS 24
#define HELP_COLUMN 24

/* The array at `key`, made when missing. */
json_t *list_at(json_t *req, const char *key) {
    json_t *a = json_object_get(req, key);
    if (a == NULL) {
        a = json_array();
        json_object_set_new(req, key, a);
    }
    return a;
}

void add_list(json_t *req, const char *key, const char *value) {
    json_array_append_new(list_at(req, key), json_string(value));
}

/* ------------------------------------------------------------- --help */

/* One option of a help text: `left` ("  -p, --prefix <prefix>"), then its
 * sentence from column 24 (on the next line when `left` is longer), each
 * of its lines indented as the first. */
void print_option_line(FILE *out, const char *left, const char *help) {
    int n = (int)strlen(left);
    if (n + 2 > HELP_COLUMN) fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
    else fprintf(out, "%-*s", HELP_COLUMN, left);
    for (; *help; help++) {
        fputc(*help, out);
        if (*help == '\n') fprintf(out, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', out);
}

/* `swc <name> --help`: the usage, what it does, then a line per option. */
void print_help(FILE *out, const struct command *cmd, const struct opt_spec *spec) {
    char left[96];
    fprintf(out, "Usage: swc %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->about);
    fputs("Optional arguments:\n", out);
    for (; spec && spec->code; spec++) {
        /* An optional argument goes after '=': "--name[=<arg>]". */
        const char *arg = spec->has_arg == 2 ? "[=<" : spec->has_arg ? " <" : "";
        const char *end = spec->has_arg == 2 ? ">]" : spec->has_arg ? ">" : "";
        const char *meta = spec->has_arg ? spec->metavar : "";
        if (spec->code < 256)
            snprintf(left, sizeof left, "  -%c, --%s%s%s%s", spec->code, spec->name, arg, meta, end);
        else
            snprintf(left, sizeof left, "  --%s%s%s%s", spec->name, arg, meta, end);
        print_option_line(out, left, spec->help);
    }
    print_option_line(out, "  -h, --help", "Show this help.");
    fputs("\nThe global options (swc --help) may come before or after the subcommand.\n", out);
}

/* A usage error of the subcommand: `msg` (if any), then its help, on
 * standard error. 1, swift's status for them. */
int usage_error(const struct swc *s, const char *msg) {
    if (msg) fprintf(stderr, "%s\n\n", msg);
    print_help(stderr, s->cmd, s->spec);
    return 1;
}

/* ------------------------------------------------------------- parsing */

static const struct opt_spec *find_opt(const struct opt_spec *spec, int code) {
    for (; spec->code; spec++)
        if (spec->code == code) return spec;
    return NULL;
}

/* How an error names the option of `code`: "-p/--prefix", "--debug". */
static const char *opt_label(const struct opt_spec *spec, int code, char *buf, size_t cap) {
    const struct opt_spec *p = find_opt(spec, code);
    if (p == NULL) return global_label(code, buf, cap);
    if (code < 256) snprintf(buf, cap, "-%c/--%s", code, p->name);
    else snprintf(buf, cap, "--%s", p->name);
    return buf;
}

/* A thread count, as swift checks it: argparse's int (else exit 2), then
 * positive (else its usage, exit 1). -1 when good. */
static int set_threads(struct swc *s, const struct opt_spec *p, json_t *req, const char *arg) {
    char *end, msg[96];
    long n = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0') {
        print_help(stderr, s->cmd, s->spec);
        fprintf(stderr, "swc: error: argument --%s: invalid int value: '%s'\n", p->name, arg);
        return 2;
    }
    if (n <= 0) {
        snprintf(msg, sizeof msg, "ERROR: option --%s should be a positive integer.", p->name);
        return usage_error(s, msg);
    }
    json_object_set_new(req, p->key, json_integer(n));
    return -1;
}

/* A number of seconds, 0 or more: argparse's float (else exit 2). -1 when
 * good. */
static int set_number(struct swc *s, const struct opt_spec *p, json_t *req, const char *arg) {
    char *end;
    double n = strtod(arg, &end);
    if (*arg == '\0' || *end != '\0' || !(n >= 0)) {
        print_help(stderr, s->cmd, s->spec);
        fprintf(stderr, "swc: error: argument --%s: invalid non-negative number: '%s'\n", p->name, arg);
        return 2;
    }
    json_object_set_new(req, p->key, json_real(n));
    return -1;
}

/* Applies one of the subcommand's options: -1 to go on, else the exit code. */
static int apply_opt(struct swc *s, const struct opt_spec *p, json_t *req, const char *arg) {
    s->flags |= p->flags;
    switch (p->action) {
    case SET_NONE: break;
    case SET_STRING: json_object_set_new(req, p->key, json_string(arg)); break;
    case SET_TRUE: json_object_set_new(req, p->key, json_true()); break;
    case SET_FALSE: json_object_set_new(req, p->key, json_false()); break;
    case SET_THREADS: return set_threads(s, p, req, arg);
    case SET_NUMBER: return set_number(s, p, req, arg);
    case ADD_LIST: add_list(req, p->key, arg); break;
    case SET_NAME: s->object_name = arg; break;
    case SET_ARCHIVE: json_object_set_new(req, p->key, json_string(arg ? arg : "tar")); break;
    }
    return -1;
}

/* getopt's '?' (an option neither the subcommand nor swc has) or ':' (an
 * option without its argument): the help on standard error, then the
 * error as argparse words it. swift itself takes an unknown option for an
 * operand (`swift post --bogus` makes a container "--bogus"); swc refuses
 * it, with swift's status for a usage error (1). A missing argument is an
 * argparse error, status 2 as with swift. */
static int option_error(struct swc *s, int o, char **argv) {
    char buf[96];
    print_help(stderr, s->cmd, s->spec);
    if (o == ':') {
        fprintf(stderr, "swc: error: argument %s: expected one argument\n",
                opt_label(s->spec, optopt, buf, sizeof buf) ? buf : argv[optind - 1]);
        return 2;
    }
    if (optopt) fprintf(stderr, "swc: error: unrecognized arguments: -%c\n", optopt);
    else fprintf(stderr, "swc: error: unrecognized arguments: %s\n", argv[optind - 1]);
    return 1;
}

/* The getopt tables: the subcommand's options, then the global ones. */
static void option_tables(const struct opt_spec *spec, const char *shorts, struct option *longs, char *optstring,
                          size_t cap) {
    size_t n = 0;
    for (; spec->code && n < MAX_OPTS; spec++) {
        memset(&longs[n], 0, sizeof longs[n]);
        longs[n].name = spec->name;
        longs[n].has_arg = spec->has_arg;
        longs[n++].val = spec->code;
    }
    n += global_options(longs + n);
    memset(&longs[n], 0, sizeof longs[n]);
    /* ':' first: getopt reports a missing argument as ':', and says
     * nothing itself. */
    snprintf(optstring, cap, ":%s%sh", shorts, GLOBAL_SHORTS);
}

/* Applies the subcommand's options and the global ones in the order given;
 * -h / --help prints the help. -1 to go on, else the exit code. */
int parse_options(struct swc *s, int argc, char **argv, const char *shorts, const struct opt_spec *spec,
                  json_t *req) {
    struct option longs[MAX_OPTS + 128]; /* 128: room for the global ones (2 per --os-*) */
    char optstring[96];
    int o, rc;
    s->spec = spec;
    if (s->help == HELP_SPEC) return 0;
    if (s->help) {
        print_help(stdout, s->cmd, spec);
        return 0;
    }
    option_tables(spec, shorts, longs, optstring, sizeof optstring);
    while ((o = getopt_long(argc, argv, optstring, longs, NULL)) != -1) {
        const struct opt_spec *p = find_opt(spec, o);
        if (o == 'h') {
            print_help(stdout, s->cmd, spec);
            return 0;
        }
        if (o == '?' || o == ':') return option_error(s, o, argv);
        rc = p ? apply_opt(s, p, req, optarg) : global_option(s, o, optarg);
        if (rc >= 0) return rc;
    }
    return -1;
}
