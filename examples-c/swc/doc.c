/* What is made from swc's own tables and help texts, so that nothing is
 * written twice: the man page (`swc --man`, which make writes as swc.1)
 * and the words the completion scripts offer (`swc bash_completion
 * [command]`, as `swift bash_completion` prints them). */
#include "swc.h"

#include <string.h>

/* A subcommand's option table: its handler run with HELP_SPEC stops in
 * parse_options, before any request, with the table in t.spec. */
static const struct opt_spec *spec_of(const struct command *c) {
    static char name[32];
    char *argv[2];
    struct swc t;
    memset(&t, 0, sizeof t);
    t.help = HELP_SPEC;
    t.cmd = c;
    snprintf(name, sizeof name, "%s", c->name);
    argv[0] = name;
    argv[1] = NULL;
    optind = 0;
    c->run(&t, 1, argv);
    return t.spec;
}

/* ------------------------------------------------------------ the man page */

/* `n` bytes of text for roff: backslashes and hyphens escaped, a line
 * starting with a control character protected. */
static void roff_text(FILE *out, const char *t, size_t n) {
    size_t i;
    if (n > 0 && (t[0] == '.' || t[0] == '\'')) fputs("\\&", out);
    for (i = 0; i < n; i++) {
        if (t[i] == '\\') fputs("\\e", out);
        else if (t[i] == '-') fputs("\\-", out);
        else fputc(t[i], out);
    }
}

/* The length of the line at `t` (up to '\n' or the end). */
static size_t line_len(const char *t) {
    const char *nl = strchr(t, '\n');
    return nl ? (size_t)(nl - t) : strlen(t);
}

/* Each line of `t`, its indentation dropped unless `keep` (inside .nf). */
static void roff_lines(FILE *out, const char *t, int keep) {
    while (*t) {
        size_t n = line_len(t), skip = keep ? 0 : strspn(t, " ");
        if (skip > n) skip = n;
        if (n > skip || keep) {
            roff_text(out, t + skip, n - skip);
            fputc('\n', out);
        }
        t += n + (t[n] == '\n');
    }
}

/* One option: its spellings and argument, then its sentence. */
static void man_option(FILE *out, const struct opt_spec *o) {
    fputs(".TP\n", out);
    if (o->code < 256) fprintf(out, "\\fB\\-%c\\fR, ", o->code);
    fputs("\\fB\\-\\-", out);
    roff_text(out, o->name, strlen(o->name));
    fputs("\\fR", out);
    if (o->has_arg) {
        fputs(" \\fI", out);
        roff_text(out, o->metavar, strlen(o->metavar));
        fputs("\\fR", out);
    }
    fputc('\n', out);
    roff_lines(out, o->help, 0);
}

/* A subcommand's about text as --help lays it out: prose; a blank line;
 * "Positional arguments:"; "  <arg>  sentence" entries (continued from
 * column 24) as tagged paragraphs; an example (indented 6 or more,
 * outside an entry) kept as it is. */
static void man_about(FILE *out, const char *t) {
    int entry = 0;
    while (*t) {
        size_t n = line_len(t), indent = strspn(t, " ");
        if (indent >= n) {
            fputs(".PP\n", out);
            entry = 0;
        } else if (indent == 2 && (t[2] == '<' || t[2] == '[')) {
            size_t w = strcspn(t + 2, " \n");
            fputs(".TP\n\\fB", out);
            roff_text(out, t + 2, w);
            fputs("\\fR\n", out);
            indent = 2 + w + strspn(t + 2 + w, " ");
            if (indent < n) {
                roff_text(out, t + indent, n - indent);
                fputc('\n', out);
            }
            entry = 1;
        } else if (entry && indent >= 24) {
            roff_text(out, t + indent, n - indent);
            fputc('\n', out);
        } else if (indent >= 6) {
            fputs(".RS\n.nf\n", out);
            roff_text(out, t + indent, n - indent);
            fputs("\n.fi\n.RE\n", out);
        } else {
            if (entry) fputs(".PP\n", out);
            entry = 0;
            roff_text(out, t + indent, n - indent);
            fputc('\n', out);
        }
        t += n + (t[n] == '\n');
    }
}

/* One subcommand: what it does, its usage, its aliases, its options. */
static void man_command(FILE *out, const struct command *c) {
    static const struct opt_spec help = {"help", 0, 'h', SET_NONE, NULL, 0, NULL, "Show this help."};
    const struct opt_spec *o = spec_of(c);
    const struct command *alias;
    size_t i;
    fprintf(out, ".SS %s\n", c->name);
    roff_lines(out, c->summary, 0);
    fputs(".PP\n.nf\n\\fBswc ", out);
    roff_text(out, c->name, strlen(c->name));
    fputs(*c->usage ? "\\fR " : "\\fR\n", out);
    roff_lines(out, c->usage, 1);
    fputs(".fi\n", out);
    for (i = 0; (alias = command_at(i)) != NULL; i++)
        if (alias->synopsis == NULL && alias->run == c->run)
            fprintf(out, ".PP\n\\fB%s\\fR is another name for it.\n", alias->name);
    fputs(".PP\n", out);
    man_about(out, c->about);
    fputs(".PP\nOptions:\n", out);
    for (; o && o->code; o++) man_option(out, o);
    man_option(out, &help);
}

/* `swc --man`: swc(1) in roff, from the usage, the subcommands' table and
 * texts, the option tables and the exit statuses. */
int print_man(FILE *out) {
    const struct command *c;
    struct opt_spec g;
    size_t i;
    fprintf(out, ".\\\" swc(1), written by `swc --man` from swc's own help texts.\n"
                 ".TH SWC 1 \"\" \"swc %s\" \"User Commands\"\n.SH NAME\n"
                 "swc \\- a command\\-line client for OpenStack Swift\n.SH SYNOPSIS\n.nf\n",
            SWC_VERSION_STRING);
    roff_lines(out, swc_synopsis, 1);
    fputs(".fi\n.SH DESCRIPTION\n", out);
    roff_lines(out, swc_description, 0);
    fputs(".PP\nThe global options may come before or after the subcommand.\n"
          "\\fBswc\\fR \\fIsubcommand\\fR \\fB\\-\\-help\\fR prints a subcommand's help.\n.SH SUBCOMMANDS\n",
          out);
    for (i = 0; (c = command_at(i)) != NULL; i++)
        if (c->synopsis) man_command(out, c);
    fputs(".SH GLOBAL OPTIONS\n", out);
    for (i = 0; global_at(i, &g); i++)
        if (g.help) man_option(out, &g);
    fputs(".SH EXIT STATUS\n", out);
    for (i = 0; swc_exit_statuses[i].code; i++) {
        fprintf(out, ".TP\n.B %s\n", swc_exit_statuses[i].code);
        roff_lines(out, swc_exit_statuses[i].meaning, 0);
    }
    fputs(".SH SEE ALSO\n.BR swift (1)\n", out);
    return fflush(out) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ completion */

static void word(int *first, const char *dashes, const char *w) {
    printf("%s%s%s", *first ? "" : " ", dashes, w);
    *first = 0;
}

/* -x and --name of each option of a table. */
static void option_words(int *first, const struct opt_spec *o) {
    char shrt[2] = {0, 0};
    for (; o && o->code; o++) {
        shrt[0] = (char)o->code;
        if (o->code < 256) word(first, "-", shrt);
        word(first, "--", o->name);
    }
}

/* `swc bash_completion [command]`, as swift's: one line of words, the
 * subcommands (this one aside) and the global options, or the command's
 * options and the global ones; an empty line for an unknown command. */
int cmd_bash_completion(struct swc *s, int argc, char **argv) {
    static const struct opt_spec spec[] = {{NULL, 0, 0, SET_NONE, NULL, 0, NULL, NULL}};
    const struct command *c, *only = NULL;
    struct opt_spec g;
    size_t i;
    int first = 1, rc = parse_options(s, argc, argv, "", spec, NULL);
    if (rc >= 0) return rc;
    for (i = 0; optind < argc && (c = command_at(i)) != NULL; i++)
        if (!strcmp(c->name, argv[optind])) only = c;
    if (optind < argc && only == NULL) {
        putchar('\n');
        return 0;
    }
    if (only) option_words(&first, spec_of(only));
    for (i = 0; only == NULL && (c = command_at(i)) != NULL; i++)
        if (c->run != cmd_bash_completion) word(&first, "", c->name);
    for (i = 0; global_at(i, &g); i++) {
        struct opt_spec one[2];
        memset(one, 0, sizeof one);
        one[0] = g;
        if (g.help == NULL) one[0].code = 256; /* an alias: its letter is its original's */
        option_words(&first, one);
    }
    putchar('\n');
    return 0;
}
