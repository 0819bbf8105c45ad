/* The global options (before the subcommand), as `swift` takes them, the
 * settings from the environment, and the client made from both. */
#include "swc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

/* The codes of the long options without a short letter (those with one
 * are their letter). */
enum global_code {
    OPT_INSECURE = 1000, /* above the subcommands' codes: both share a table */
    OPT_DEBUG,
    OPT_INFO,
    OPT_FORCE_AUTH_RETRY,
    OPT_PROMPT,
    OPT_VERSION,
    OPT_NO_SSL_COMPRESSION,
    OPT_OS_USERNAME,
    OPT_OS_PASSWORD,
    OPT_OS_USER_ID,
    OPT_OS_USER_DOMAIN_NAME,
    OPT_OS_USER_DOMAIN_ID,
    OPT_OS_PROJECT_NAME,
    OPT_OS_PROJECT_ID,
    OPT_OS_PROJECT_DOMAIN_NAME,
    OPT_OS_PROJECT_DOMAIN_ID,
    OPT_OS_TENANT_NAME,
    OPT_OS_TENANT_ID,
    OPT_OS_AUTH_URL,
    OPT_OS_AUTH_TOKEN,
    OPT_OS_STORAGE_URL,
    OPT_OS_REGION_NAME,
    OPT_OS_SERVICE_TYPE,
    OPT_OS_ENDPOINT_TYPE,
    OPT_OS_AUTH_TYPE,
    OPT_OS_APPLICATION_CREDENTIAL_ID,
    OPT_OS_APPLICATION_CREDENTIAL_SECRET,
    OPT_OS_CACERT,
    OPT_OS_CERT,
    OPT_OS_KEY,
    OPT_AUTH_HEADERS,
    OPT_OS_CLOUD
};

/* The global options, in swift's order. One with a `key` sets the client
 * option of that name to its argument; the others are handled by code. */
static const struct global_opt {
    const char *name;
    int has_arg;
    int code;
    const char *key;
    const char *help; /* NULL: not listed (an alias) */
} globals[] = {
    {"auth", 1, 'A', "auth", "URL for obtaining an auth token (ST_AUTH)."},
    {"user", 1, 'U', "user", "User name for obtaining an auth token (ST_USER)."},
    {"key", 1, 'K', "key", "Key for obtaining an auth token (ST_KEY)."},
    {"auth-version", 1, 'V', "auth_version",
     "Auth version: 1.0, 2.0 or 3 (ST_AUTH_VERSION, OS_AUTH_VERSION,\nOS_IDENTITY_API_VERSION; default 1.0)."},
    {"retries", 1, 'R', NULL, "The number of times to retry a failed connection."},
    {"timeout", 1, 'T', NULL, "Timeout to wait for a response: seconds, or with a suffix\ns, m, min, h, hr or d."},
    {"verbose", 0, 'v', NULL, "Print more info."},
    {"quiet", 0, 'q', NULL, "Suppress status output."},
    {"help", 0, 'h', NULL, "Show this help (after a subcommand: the subcommand's)."},
    {"insecure", 0, OPT_INSECURE, NULL, "Allow servers whose SSL certificate does not verify."},
    {"debug", 0, OPT_DEBUG, NULL, "Show the curl commands and results of all http queries."},
    {"info", 0, OPT_INFO, NULL, "Show the curl commands and results of the http queries\nwhich return an error."},
    {"os-username", 1, OPT_OS_USERNAME, "os_username", "OpenStack username (OS_USERNAME)."},
    {"os-password", 1, OPT_OS_PASSWORD, "os_password", "OpenStack password (OS_PASSWORD)."},
    {"os-user-id", 1, OPT_OS_USER_ID, "os_user_id", "OpenStack user ID (OS_USER_ID)."},
    {"os-user-domain-name", 1, OPT_OS_USER_DOMAIN_NAME, "os_user_domain_name",
     "OpenStack user domain name (OS_USER_DOMAIN_NAME)."},
    {"os-user-domain-id", 1, OPT_OS_USER_DOMAIN_ID, "os_user_domain_id",
     "OpenStack user domain ID (OS_USER_DOMAIN_ID)."},
    {"os-project-name", 1, OPT_OS_PROJECT_NAME, "os_project_name", "OpenStack project name (OS_PROJECT_NAME)."},
    {"os-project-id", 1, OPT_OS_PROJECT_ID, "os_project_id", "OpenStack project ID (OS_PROJECT_ID)."},
    {"os-project-domain-name", 1, OPT_OS_PROJECT_DOMAIN_NAME, "os_project_domain_name",
     "OpenStack project domain name (OS_PROJECT_DOMAIN_NAME)."},
    {"os-project-domain-id", 1, OPT_OS_PROJECT_DOMAIN_ID, "os_project_domain_id",
     "OpenStack project domain ID (OS_PROJECT_DOMAIN_ID)."},
    {"os-tenant-name", 1, OPT_OS_TENANT_NAME, "os_tenant_name", "OpenStack tenant name (OS_TENANT_NAME)."},
    {"os-tenant-id", 1, OPT_OS_TENANT_ID, "os_tenant_id", "OpenStack tenant ID (OS_TENANT_ID)."},
    {"os-auth-url", 1, OPT_OS_AUTH_URL, "os_auth_url", "OpenStack auth URL (OS_AUTH_URL)."},
    {"os-auth-token", 1, OPT_OS_AUTH_TOKEN, "os_auth_token",
     "OpenStack token, used with --os-storage-url (OS_AUTH_TOKEN)."},
    {"os-storage-url", 1, OPT_OS_STORAGE_URL, "os_storage_url",
     "OpenStack storage URL, used with --os-auth-token (OS_STORAGE_URL)."},
    {"os-region-name", 1, OPT_OS_REGION_NAME, "os_region_name", "OpenStack region name (OS_REGION_NAME)."},
    {"os-service-type", 1, OPT_OS_SERVICE_TYPE, "os_service_type", "OpenStack service type (OS_SERVICE_TYPE)."},
    {"os-endpoint-type", 1, OPT_OS_ENDPOINT_TYPE, "os_endpoint_type", "OpenStack endpoint type (OS_ENDPOINT_TYPE)."},
    {"os-auth-type", 1, OPT_OS_AUTH_TYPE, "os_auth_type",
     "OpenStack auth type: password or v3applicationcredential (OS_AUTH_TYPE)."},
    {"os-application-credential-id", 1, OPT_OS_APPLICATION_CREDENTIAL_ID, "os_application_credential_id",
     "OpenStack application credential ID."},
    {"os-application-credential-secret", 1, OPT_OS_APPLICATION_CREDENTIAL_SECRET,
     "os_application_credential_secret", "OpenStack application credential secret."},
    {"os-cacert", 1, OPT_OS_CACERT, "os_cacert", "CA certificate bundle file to verify servers with (OS_CACERT)."},
    {"os-cert", 1, OPT_OS_CERT, "os_cert", "Client certificate file (OS_CERT)."},
    {"os-key", 1, OPT_OS_KEY, "os_key", "Client certificate key file (OS_KEY)."},
    {"auth-headers", 1, OPT_AUTH_HEADERS, "auth_headers",
     "v1 auth header spelling: auth (X-Auth-User/X-Auth-Key, the\ndefault) or storage (X-Storage-User/X-Storage-Pass, as\nViPR/ECS and some gateways want). Ours; not in swift."},
    {"os-cloud", 1, OPT_OS_CLOUD, "cloud",
     "Cloud in clouds.yaml (and secure.yaml) to take the settings\nfrom, as openstack's --os-cloud (OS_CLOUD); the environment\nand other options override its entry. Ours; not in swift."},
    {"os-identity-api-version", 1, 'V', "auth_version", NULL},
    {"force-auth-retry", 0, OPT_FORCE_AUTH_RETRY, NULL, "Re-authenticate on any error other than 401 Unauthorized."},
    {"prompt", 0, OPT_PROMPT, NULL, "Prompt for the password (over --key, --os-password and the\nenvironment)."},
    {"version", 0, OPT_VERSION, NULL, "Show swc's version and exit."},
    {"no-ssl-compression", 0, OPT_NO_SSL_COMPRESSION, NULL, "Accepted and ignored, as swift does."},
};
enum { NG = sizeof globals / sizeof globals[0] };

/* The getopt table of the global options into `out` (room for 2 * NG):
 * every one, then (swift takes them too) every --os-* option spelled with
 * underscores. Returns how many. */
size_t global_options(struct option *out) {
    static char under[NG][64];
    size_t i, j, n = 0;
    for (i = 0; i < NG; i++) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].name = globals[i].name;
        out[n].has_arg = globals[i].has_arg;
        out[n++].val = globals[i].code;
    }
    for (i = 0; i < NG; i++) {
        if (strncmp(globals[i].name, "os-", 3) != 0 || strlen(globals[i].name) >= sizeof under[0]) continue;
        strcpy(under[i], globals[i].name);
        for (j = 0; under[i][j]; j++)
            if (under[i][j] == '-') under[i][j] = '_';
        out[n] = out[i];
        out[n++].name = under[i];
    }
    return n;
}

/* The global option `i` as a subcommand's option is described (its help
 * NULL for an alias, not listed); 0 past the last. */
int global_at(size_t i, struct opt_spec *out) {
    if (i >= NG) return 0;
    memset(out, 0, sizeof *out);
    out->name = globals[i].name;
    out->has_arg = globals[i].has_arg;
    out->code = globals[i].code;
    out->metavar = "value";
    out->help = globals[i].help;
    return 1;
}

/* An option as argparse names it in errors: "-R/--retries", "--debug". */
static const char *label(char *buf, size_t cap, int code, const char *name) {
    if (code < 256) snprintf(buf, cap, "-%c/--%s", code, name);
    else snprintf(buf, cap, "--%s", name);
    return buf;
}

/* The label of a global option's code, or NULL when it is not one. */
const char *global_label(int code, char *buf, size_t cap) {
    size_t i;
    for (i = 0; i < NG; i++)
        if (globals[i].code == code) return label(buf, cap, code, globals[i].name);
    return NULL;
}

/* The client option a code sets to its argument, or NULL. */
static const char *global_key(int code) {
    size_t i;
    for (i = 0; i < NG; i++)
        if (globals[i].code == code) return globals[i].key;
    return NULL;
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

/* -R and -T: 0, or 2 with swift's message when the value is not one. */
static int set_number(json_t *opts, int code, const char *arg) {
    if (code == 'R') {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || n < 0) {
            fprintf(stderr, "swc: error: argument -R/--retries: invalid int value: '%s'\n", arg);
            return 2;
        }
        json_object_set_new(opts, "retries", json_integer(n));
    } else {
        double t = parse_timeout(arg);
        if (t < 0) {
            fprintf(stderr, "swc: error: argument -T/--timeout: invalid parse_timeout value: '%s'\n", arg);
            return 2;
        }
        json_object_set_new(opts, "timeout", json_real(t));
    }
    return 0;
}

/* Applies a global option (before or after the subcommand: swift takes
 * them anywhere). -2 when `code` is not one, -1 to go on, else the exit
 * code (--version, a bad number). */
int global_option(struct swc *s, int code, const char *arg) {
    const char *key = global_key(code);
    if (key != NULL) {
        json_object_set_new(s->opts, key, json_string(arg));
        return -1;
    }
    switch (code) {
    case 'R':
    case 'T': return set_number(s->opts, code, arg) != 0 ? 2 : -1;
    case OPT_FORCE_AUTH_RETRY: json_object_set_new(s->opts, "force_auth_retry", json_true()); break;
    case OPT_PROMPT: s->prompt = 1; break;
    case OPT_VERSION: printf("swc %s\n", SWC_VERSION_STRING); return 0;
    case OPT_NO_SSL_COMPRESSION: break; /* accepted and ignored, as swift does */
    case 'v': s->verbose = 2; break;
    case 'q': s->verbose = 0; break;
    case OPT_INSECURE: json_object_set_new(s->opts, "insecure", json_true()); break;
    case OPT_DEBUG: s->log_level = SWC_LOG_DEBUG; break;
    case OPT_INFO: if (s->log_level == 0) s->log_level = SWC_LOG_INFO; break;
    default: return -2;
    }
    return -1;
}

/* Reads the global options before the subcommand into `s`; stops at the
 * subcommand (optind). -1 to go on, else the exit code. */
int parse_global_options(struct swc *s, int argc, char **argv) {
    struct option longs[2 * NG + 1];
    int o, rc;
    memset(&longs[global_options(longs)], 0, sizeof longs[0]);
    while ((o = getopt_long(argc, argv, "+" GLOBAL_SHORTS "h", longs, NULL)) != -1) {
        if (o == 'h') s->help = 1;
        else if (o == '?' || o == ':') {
            usage(stderr);
            return 2;
        } else if ((rc = global_option(s, o, optarg)) != -1) {
            return rc;
        }
    }
    return -1;
}

/* The global options of `swc --help`, a line or more each. */
void print_global_help(FILE *out) {
    size_t i;
    char left[64];
    fputs("\nGlobal options (before or after the subcommand):\n", out);
    for (i = 0; i < NG; i++) {
        const char *h = globals[i].help;
        if (h == NULL) continue;
        if (globals[i].code < 256)
            snprintf(left, sizeof left, "  -%c, --%s%s", globals[i].code, globals[i].name,
                     globals[i].has_arg ? " <value>" : "");
        else snprintf(left, sizeof left, "  --%s%s", globals[i].name, globals[i].has_arg ? " <value>" : "");
        print_option_line(out, left, h);
    }
}

/* The option or variable a setting came from: -A/--auth over ST_AUTH. */
const char *setting(json_t *opts, const char *key, const char *env) {
    const char *v = json_string_value(json_object_get(opts, key));
    if (v == NULL && env != NULL) v = getenv(env);
    return v ? v : "";
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

/* The client from the options and the environment (after --prompt's
 * password), logging with --debug / --info. 0, or 1 said on stderr. */
int open_client(struct swc *s) {
    char *err = NULL, *text;
    if (s->prompt) {
        /* --prompt: the password from the terminal, over any other. */
        char pw[1024];
        if (read_password(pw, sizeof pw) != 0) {
            fputs("swc: --prompt needs a terminal\n", stderr);
            return 1;
        }
        json_object_set_new(s->opts, "key", json_string(pw));
        json_object_set_new(s->opts, "os_password", json_string(pw));
        memset(pw, 0, sizeof pw);
    }
    text = json_dumps(s->opts, JSON_COMPACT);
    json_decref(s->opts);
    s->opts = NULL;
    if (swc_client_new_from_env(text, &s->client, &err) != SWC_OK) {
        print_error_record("swc", err);
        swc_string_free(err);
        free(text);
        s->client = NULL;
        return 1;
    }
    free(text);
    /* The level is one of SWC_LOG_*, so this cannot fail; checked all the
     * same, as every status is (SWC_MUST_USE). */
    if (s->log_level && swc_client_set_log(s->client, s->log_level, log_line, NULL) != SWC_OK) {
        fprintf(stderr, "swc: cannot set the log level %d\n", s->log_level);
        swc_client_free(s->client);
        s->client = NULL;
        return 1;
    }
    return 0;
}
