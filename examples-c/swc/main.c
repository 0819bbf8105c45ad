/* swc's entry: the global options, then the subcommand found in the
 * table below (its handler, its line in the usage and its help texts). */
#include "swc.h"

#include <string.h>

#define CAPS_USAGE "[--json] [<proxy_url>]"
#define CAPS_ABOUT                                                                                                   \
    "Retrieve capability of the proxy.\n\nOptional positional arguments:\n"                                          \
    "  <proxy_url>           Proxy URL of the cluster to retrieve capabilities.\n"

static const struct command commands[] = {
    {"auth", cmd_auth, "auth", "print the storage URL and token as shell exports", "",
     "Display auth related authentication variables in shell friendly format.\n\n"
     "  Commands to run to export storage url and auth token into\n"
     "  OS_STORAGE_URL and OS_AUTH_TOKEN:\n\n      swc auth\n\n"
     "  Commands to append to a runcom file (e.g. ~/.bashrc, /etc/profile) for\n"
     "  automatic authentication (the settings in use, without authenticating):\n\n"
     "      swc auth -v -U test:tester -K testing -A http://localhost:8080/auth/v1.0\n"},
    {"stat", cmd_stat, "stat [container [object...]]", "show account, container or object details",
     "[--lh] [--header <header:value>]\n                [--version-id <version_id>]\n"
     "                [<container> [<object>...]]",
     "Displays information for the account, container, or object.\n\nPositional arguments:\n"
     "  [<container>]         Name of container to stat from.\n"
     "  [<object>]            Name of object to stat (several: each).\n"},
    {"list", cmd_list, "list [container]", "list containers or objects (-p prefix, -d delim, -l, -j)",
     "[--long] [--lh] [--totals] [--prefix <prefix>]\n"
     "                [--delimiter <delimiter>] [--header <header:value>]\n"
     "                [--json] [--versions] [<container>]",
     "Lists the containers for the account or the objects for a container.\n\nPositional arguments:\n"
     "  [<container>]         Name of container to list object in.\n"},
    {"upload", cmd_upload, "upload container path...", "upload files or directories (- for stdin)",
     "[--changed] [--skip-identical] [--segment-size <size>]\n"
     "                  [--segment-container <container>] [--leave-segments]\n"
     "                  [--object-threads <thread>] [--segment-threads <threads>]\n"
     "                  [--meta <name:value>] [--header <header>] [--use-slo]\n"
     "                  [--use-dlo] [--ignore-checksum] [--skip-container-put]\n"
     "                  [--object-name <object-name>] [--resumable]\n"
     "                  [--checkpoint <file>]\n"
     "                  <container> <file_or_directory> [<file_or_directory>] [...]",
     "Uploads specified files and directories to the given container.\n\nPositional arguments:\n"
     "  <container>           Name of container to upload to.\n"
     "  <file_or_directory>   Name of file or directory to upload. Specify multiple\n"
     "                        times for multiple uploads. If \"-\" is specified, reads\n"
     "                        content from standard input (--object-name is required\n"
     "                        in this case).\n"},
    {"download", cmd_download, "download [container [obj...]]", "download (-a all, -D dir, -o file|-, -p prefix)",
     "[--all] [--marker <marker>] [--prefix <prefix>]\n"
     "                    [--output <out_file>] [--output-dir <out_directory>]\n"
     "                    [--object-threads <threads>] [--ignore-checksum]\n"
     "                    [--container-threads <threads>] [--no-download]\n"
     "                    [--skip-identical] [--remove-prefix] [--ignore-mtime]\n"
     "                    [--version-id <version_id>]\n"
     "                    [--header <header:value>] [--no-shuffle]\n"
     "                    [--resume]\n"
     "                    [<container> [<object>] [...]]",
     "Download objects from containers (verified; per segment for large objects).\n\nPositional arguments:\n"
     "  [<container>]         Name of container to download from. To download a\n"
     "                        whole account, omit this and specify --all.\n"
     "  [<object>]            Name of object to download. Specify multiple times\n"
     "                        for multiple objects. Omit this to download all\n"
     "                        objects from the container.\n"},
    {"delete", cmd_delete, "delete [container [obj...]]", "delete (-a all, -p prefix, --leave-segments)",
     "[--all] [--leave-segments]\n                  [--object-threads <threads>]\n"
     "                  [--container-threads <threads>]\n                  [--header <header:value>]\n"
     "                  [--prefix <prefix>]\n                  [--versions]\n"
     "                  [<container> [<object>] [--version-id <version_id>] [...]]",
     "Delete a container or objects within a container.\n\nPositional arguments:\n"
     "  [<container>]         Name of container to delete from.\n"
     "  [<object>]            Name of object to delete. Specify multiple times\n"
     "                        for multiple objects.\n"},
    {"post", cmd_post, "post [container [object]]", "update metadata (-m, -H, -r, -w, -t, -k)",
     "[--read-acl <acl>] [--write-acl <acl>] [--sync-to <sync-to>]\n"
     "                [--sync-key <sync-key>] [--meta <name:value>]\n                [--header <header>]\n"
     "                [<container> [<object>]]",
     "Updates meta information for the account, container, or object.\n"
     "If the container is not found, it will be created automatically.\n\nPositional arguments:\n"
     "  [<container>]         Name of container to post to.\n  [<object>]            Name of object to post.\n"},
    {"copy", cmd_copy, "copy container object...", "server-side copy (-d /container[/object], -M)",
     "[--destination </container/object>] [--fresh-metadata]\n"
     "                [--meta <name:value>] [--header <header>] <container>\n                <object> [<object>] [...]",
     "Copies object to new destination, optionally updates objects metadata.\n"
     "If destination is not set, will update metadata of object\n\nPositional arguments:\n"
     "  <container>           Name of container to copy from.\n"
     "  <object>              Name of object to copy. Specify multiple times\n"
     "                        for multiple objects\n"},
    {"orphans", cmd_orphans, "orphans container [obj...]", "segments no manifest uses (--delete, --older-than)",
     "[--segment-container <container>] [--delete]\n"
     "                   [--older-than <seconds>] [--object-threads <threads>]\n"
     "                   <container> [<object>] [...]",
     "Lists the segments in the segment container that no manifest in <container>\n"
     "uses: what an upload that failed and was never resumed, or an overwrite\n"
     "with --leave-segments, left behind. Deletes them with --delete (refused\n"
     "for a container that keeps object versions). Only segment names in the\n"
     "shape swift and swc write are judged.\n\nPositional arguments:\n"
     "  <container>           Name of container the manifests are in.\n"
     "  [<object>]            Only the segments written for this object. Specify\n"
     "                        multiple times for multiple objects.\n"},
    {"capabilities", cmd_capabilities, "capabilities [proxy-url]", "show the cluster's capabilities (--json)",
     CAPS_USAGE, CAPS_ABOUT},
    {"info", cmd_capabilities, NULL, NULL, CAPS_USAGE, CAPS_ABOUT},
    {"tempurl", cmd_tempurl, "tempurl METHOD TIME PATH KEY", "make a temporary URL",
     "[--absolute] [--prefix-based] [--iso8601]\n"
     "                   [--ip-range <range>] [--digest <digest>]\n                   <method> <time> <path> <key>",
     "Generates a temporary URL for a Swift object.\n\nPositional arguments:\n"
     "  <method>              An HTTP method to allow for this temporary URL.\n"
     "                        Usually 'GET' or 'PUT'.\n"
     "  <time>                The amount of time the temporary URL will be\n"
     "                        valid: seconds, a number with a 's', 'm', 'h', or\n"
     "                        'd' suffix, or an ISO 8601 timestamp (YYYY-MM-DD,\n"
     "                        YYYY-MM-DDThh:mm:ss or YYYY-MM-DDThh:mm:ssZ; local\n"
     "                        time without the Z). With --absolute, a whole number\n"
     "                        is the Unix time when the URL expires.\n"
     "  <path>                The full path or storage URL to the Swift object.\n"
     "                        Example: /v1/AUTH_account/c/o\n"
     "                        or: http://saio:8080/v1/AUTH_account/c/o\n"
     "  <key>                 The secret temporary URL key set on the Swift cluster.\n"
     "                        To set a key, run 'swc post -m\n"
     "                        \"Temp-URL-Key:b3968d0207b54ece87cccc06515a89d4\"'\n"},
    {"bash_completion", cmd_bash_completion, "bash_completion [command]",
     "the words to complete (for the completion scripts)", "[<command>]",
     "Prints, on one line, the words a shell may complete: the subcommands and the\n"
     "global options, or with <command> its options and the global ones (as\n"
     "swift bash_completion). The installed bash and zsh completion scripts call\n"
     "it, so they always offer what this swc has.\n\nOptional positional arguments:\n"
     "  <command>             Subcommand whose options to print.\n"},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

/* What follows "usage: " in swc's usage (and the man page's synopsis). */
const char swc_synopsis[] =
    "swc [--auth URL] [--user USER] [--key KEY] [--auth-version V] [--os-* ...]\n"
    "           [--retries N] [--timeout S[s|m|min|h|hr|d]] [--insecure] [--os-cacert FILE]\n"
    "           [--force-auth-retry] [--prompt] [-v] [-q] [--debug] [--info] [--version]\n"
    "           <subcommand> [options] [args]\n";

/* What swc is, first in `swc --help` and the man page's description. */
const char swc_description[] =
    "A command-line client for OpenStack Swift on libswiftclient: swift's\n"
    "subcommands, options, environment and output.\n";

/* swc's exit statuses, last in `swc --help` and in the man page. */
const struct exit_status swc_exit_statuses[] = {
    {"0", "Success."},
    {"1", "Something failed: a request, an object of a bulk operation, the\n"
          "authentication; or an unknown subcommand or option, or a wrong use\n"
          "of a subcommand (swift's status for them)."},
    {"2", "An option's argument is missing or malformed (a thread count, -R,\n"
          "-T; argparse's status), an unknown option before the subcommand;\n"
          "or interrupted by Ctrl-C (\" Aborted\")."},
    {NULL, NULL}};

const struct command *command_at(size_t i) { return i < N_COMMANDS ? &commands[i] : NULL; }

/* The usage: on standard output for --help (then what swc is, the global
 * options and the exit statuses too), on standard error after a mistake. */
void usage(FILE *out) {
    size_t i;
    fprintf(out, "usage: %s\n", swc_synopsis);
    if (out == stdout) fprintf(out, "%s\n", swc_description);
    fputs("subcommands (swc <subcommand> --help for one's options):\n", out);
    for (i = 0; i < N_COMMANDS; i++)
        if (commands[i].synopsis) fprintf(out, "  %-29s %s\n", commands[i].synopsis, commands[i].summary);
    if (out != stdout) return;
    print_global_help(out);
    fputs("\nExit status:\n", out);
    for (i = 0; swc_exit_statuses[i].code; i++) {
        char left[8];
        snprintf(left, sizeof left, "  %s", swc_exit_statuses[i].code);
        print_option_line(out, left, swc_exit_statuses[i].meaning);
    }
}

static const struct command *find_command(const char *name) {
    size_t i;
    for (i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name)) return &commands[i];
    return NULL;
}

int main(int argc, char **argv) {
    struct swc s;
    int rc;
    if (argc == 2 && !strcmp(argv[1], "--man")) return print_man(stdout); /* hidden: make writes swc.1 */
    memset(&s, 0, sizeof s);
    s.verbose = 1;
    s.opts = json_object();
    rc = parse_global_options(&s, argc, argv);
    if (rc < 0 && optind >= argc) {
        usage(stdout); /* swc, swc --help: as swift, the help and status 0 */
        rc = 0;
    } else if (rc < 0 && (s.cmd = find_command(argv[optind])) == NULL) {
        /* Said before any client or credentials, as swift does. */
        usage(stderr);
        fprintf(stderr, "no such command: %s\n", argv[optind]);
        rc = 1;
    } else if (rc < 0) {
        argc -= optind;
        argv += optind;
        optind = 0; /* 0, not 1: glibc then re-initialises getopt, so options may follow operands */
        interrupt_setup(); /* before the client: its threads inherit the signal mask */
        rc = s.cmd->run(&s, argc, argv);
    }
    json_decref(s.opts);
    json_decref(s.auth);
    if (s.client) swc_client_free(s.client);
    if (rc == 0 && s.failed) rc = 1;
    if (was_interrupted()) {
        fputs(" Aborted\n", stderr); /* as swift, after the cleanup */
        rc = 2;
    }
    return rc;
}
