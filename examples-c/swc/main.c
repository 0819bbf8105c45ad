/* swc's entry: the global options, then the subcommand found in the
 * table below (its handler, its line in the usage and its --help). */
#include "swc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const struct command commands[] = {
    {"auth", cmd_auth, "auth", "print the storage URL and token as shell exports",
     "Usage: swc auth\n\nDisplay auth related environment variables in shell friendly format\n"
     "(with -v: the settings in use, without authenticating).\n"},
    {"stat", cmd_stat, "stat [container [object...]]", "show account, container or object details",
     "Usage: swc stat [--lh] [--header <header:value>] [--version-id <id>] [<container> [<object>...]]\n\n"
     "Displays information for the account, container, or object.\n"},
    {"list", cmd_list, "list [container]", "list containers or objects (-p prefix, -d delim, -l, -j)",
     "Usage: swc list [--long] [--lh] [--totals] [--prefix <prefix>] [--delimiter <delimiter>]\n"
     "                [--json] [--versions] [--header <header:value>] [<container>]\n\n"
     "Lists the containers for the account or the objects for a container.\n"},
    {"upload", cmd_upload, "upload container path...", "upload files or directories (- for stdin)",
     "Usage: swc upload [--changed] [--skip-identical] [--segment-size <size>]\n"
     "                  [--segment-container <container>] [--leave-segments] [--object-threads <n>]\n"
     "                  [--segment-threads <n>] [--header <header:value>] [--meta <name:value>]\n"
     "                  [--use-slo | --use-dlo] [--object-name <name>] [--ignore-checksum] [--skip-container-put]\n"
     "                  <container> <file_or_directory> [...]   (- reads standard input)\n\n"
     "Uploads specified files and directories to the given container.\n"},
    {"download", cmd_download, "download [container [obj...]]", "download (-a all, -D dir, -o file|-, -p prefix)",
     "Usage: swc download [--all] [--marker <marker>] [--prefix <prefix>] [--output <out_file>]\n"
     "                    [--output-dir <out_directory>] [--object-threads <n>] [--container-threads <n>]\n"
     "                    [--no-download] [--skip-identical] [--ignore-checksum] [--ignore-mtime]\n"
     "                    [--version-id <id>] [--header <header:value>] [<container> [<object>...]]\n\n"
     "Download objects from containers (verified; per segment for large objects).\n"},
    {"delete", cmd_delete, "delete [container [obj...]]", "delete (-a all, -p prefix, --leave-segments)",
     "Usage: swc delete [--all] [--leave-segments] [--prefix <prefix>] [--versions] [--version-id <id>]\n"
     "                  [--object-threads <n>] [--container-threads <n>] [--header <header:value>]\n"
     "                  [<container> [<object>...]]\n\nDelete a container or objects within a container.\n"},
    {"post", cmd_post, "post [container [object]]", "update metadata (-m, -H, -r, -w, -t, -k)",
     "Usage: swc post [--read-acl <acl>] [--write-acl <acl>] [--sync-to <to>] [--sync-key <key>]\n"
     "                [--meta <name:value>] [--header <header>] [<container> [<object>]]\n\n"
     "Updates meta information for the account, container, or object.\n"},
    {"copy", cmd_copy, "copy container object...", "server-side copy (-d /container[/object], -M)",
     "Usage: swc copy [--destination </container/object>] [--fresh-metadata] [--meta <name:value>]\n"
     "                [--header <header>] <container> <object> [<object>...]\n\nCopies object to new destination.\n"},
    {"capabilities", cmd_capabilities, "capabilities [proxy-url]", "show the cluster's capabilities (--json)",
     "Usage: swc capabilities [--json] [<proxy_url>]\n\nRetrieve capability of the proxy.\n"},
    {"info", cmd_capabilities, NULL, NULL, NULL},
    {"tempurl", cmd_tempurl, "tempurl METHOD TIME PATH KEY", "make a temporary URL",
     "Usage: swc tempurl [--absolute] [--prefix-based] [--iso8601] [--ip-range <range>]\n"
     "                   [--digest sha1|sha256|sha512] <method> <time> <path> <key>\n\n"
     "Generates a temporary URL for a Swift object.\n\n"
     "--digest: the HMAC digest (default sha256). The server must accept it: OpenStack\n"
     "Swift lists what it accepts in 'swc capabilities' (tempurl: allowed_digests);\n"
     "Ceph RGW verifies sha1 only.\n"},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

void usage(void) {
    size_t i;
    fputs("usage: swc [--auth URL] [--user USER] [--key KEY] [--auth-version V] [--os-* ...]\n"
          "           [--retries N] [--timeout S[s|m|min|h|hr|d]] [--insecure] [--os-cacert FILE]\n"
          "           [--force-auth-retry] [--prompt] [-v] [-q] [--debug] [--info] [--version]\n"
          "           <subcommand> [options] [args]\n\n"
          "subcommands:\n",
          stderr);
    for (i = 0; i < N_COMMANDS; i++)
        if (commands[i].synopsis) fprintf(stderr, "  %-29s %s\n", commands[i].synopsis, commands[i].summary);
}

static const struct command *find_command(const char *name) {
    size_t i;
    for (i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name)) return &commands[i];
    return NULL;
}

/* `swc <subcommand> ... --help` (or -h) anywhere after the subcommand. */
static int asks_help(int argc, char **argv) {
    int j;
    for (j = 1; j < argc; j++)
        if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) return 1;
    return 0;
}

int main(int argc, char **argv) {
    struct swc s;
    const struct command *cmd;
    int rc;
    memset(&s, 0, sizeof s);
    s.verbose = 1;
    s.opts = json_object();
    rc = parse_global_options(&s, argc, argv);
    if (rc >= 0) return rc;
    if (optind >= argc) {
        usage();
        return 2;
    }
    argc -= optind;
    argv += optind;
    cmd = find_command(argv[0]);
    if (cmd && cmd->help && asks_help(argc, argv)) {
        fputs(cmd->help, stdout);
        rc = 0;
    } else {
        optind = 0; /* 0, not 1: glibc then re-initialises getopt, so options may follow operands */
        rc = cmd ? cmd->run(&s, argc, argv) : cmd_unknown(&s, argc, argv);
    }
    json_decref(s.opts);
    if (s.client) swc_client_free(s.client);
    if (rc == 0 && s.failed) rc = 1;
    return rc;
}
