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
    OPT_INSECURE = 256,
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
    OPT_OS_KEY
};

/* The global options, in swift's order. One with a `key` sets the client
 * option of that name to its argument; the others are handled by code. */
static const struct global_opt {
    const char *name;
    int has_arg;
    int code;
    const char *key;
} globals[] = {
    {"auth", 1, 'A', "auth"},
    {"user", 1, 'U', "user"},
    {"key", 1, 'K', "key"},
    {"auth-version", 1, 'V', "auth_version"},
    {"retries", 1, 'R', NULL},
    {"timeout", 1, 'T', NULL},
    {"verbose", 0, 'v', NULL},
    {"quiet", 0, 'q', NULL},
    {"help", 0, 'h', NULL},
    {"insecure", 0, OPT_INSECURE, NULL},
    {"debug", 0, OPT_DEBUG, NULL},
    {"info", 0, OPT_INFO, NULL},
    {"os-username", 1, OPT_OS_USERNAME, "os_username"},
    {"os-password", 1, OPT_OS_PASSWORD, "os_password"},
    {"os-user-id", 1, OPT_OS_USER_ID, "os_user_id"},
    {"os-user-domain-name", 1, OPT_OS_USER_DOMAIN_NAME, "os_user_domain_name"},
    {"os-user-domain-id", 1, OPT_OS_USER_DOMAIN_ID, "os_user_domain_id"},
    {"os-project-name", 1, OPT_OS_PROJECT_NAME, "os_project_name"},
    {"os-project-id", 1, OPT_OS_PROJECT_ID, "os_project_id"},
    {"os-project-domain-name", 1, OPT_OS_PROJECT_DOMAIN_NAME, "os_project_domain_name"},
    {"os-project-domain-id", 1, OPT_OS_PROJECT_DOMAIN_ID, "os_project_domain_id"},
    {"os-tenant-name", 1, OPT_OS_TENANT_NAME, "os_tenant_name"},
    {"os-tenant-id", 1, OPT_OS_TENANT_ID, "os_tenant_id"},
    {"os-auth-url", 1, OPT_OS_AUTH_URL, "os_auth_url"},
    {"os-auth-token", 1, OPT_OS_AUTH_TOKEN, "os_auth_token"},
    {"os-storage-url", 1, OPT_OS_STORAGE_URL, "os_storage_url"},
    {"os-region-name", 1, OPT_OS_REGION_NAME, "os_region_name"},
    {"os-service-type", 1, OPT_OS_SERVICE_TYPE, "os_service_type"},
    {"os-endpoint-type", 1, OPT_OS_ENDPOINT_TYPE, "os_endpoint_type"},
    {"os-auth-type", 1, OPT_OS_AUTH_TYPE, "os_auth_type"},
    {"os-application-credential-id", 1, OPT_OS_APPLICATION_CREDENTIAL_ID, "os_application_credential_id"},
    {"os-application-credential-secret", 1, OPT_OS_APPLICATION_CREDENTIAL_SECRET,
     "os_application_credential_secret"},
    {"os-cacert", 1, OPT_OS_CACERT, "os_cacert"},
    {"os-cert", 1, OPT_OS_CERT, "os_cert"},
    {"os-key", 1, OPT_OS_KEY, "os_key"},
    {"os-identity-api-version", 1, 'V', "auth_version"},
    {"force-auth-retry", 0, OPT_FORCE_AUTH_RETRY, NULL},
    {"prompt", 0, OPT_PROMPT, NULL},
    {"version", 0, OPT_VERSION, NULL},
    {"no-ssl-compression", 0, OPT_NO_SSL_COMPRESSION, NULL},
};
enum { NG = sizeof globals / sizeof globals[0] };

/* The getopt table: every global option, then (swift takes them too)
 * every --os-* option spelled with underscores. */
static const struct option *global_longs(void) {
    static struct option all[2 * NG + 1];
    static char under[NG][64];
    size_t i, j, n = 0;
    for (i = 0; i < NG; i++) {
        all[n].name = globals[i].name;
        all[n].has_arg = globals[i].has_arg;
        all[n++].val = globals[i].code;
    }
    for (i = 0; i < NG; i++) {
        if (strncmp(globals[i].name, "os-", 3) != 0 || strlen(globals[i].name) >= sizeof under[0]) continue;
        strcpy(under[i], globals[i].name);
        for (j = 0; under[i][j]; j++)
            if (under[i][j] == '-') under[i][j] = '_';
        all[n] = all[i];
        all[n++].name = under[i];
    }
    return all;
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

/* Reads the global options into `s`; stops at the subcommand (optind).
 * -1 to go on, else the exit code (--version, --help, a bad option). */
int parse_global_options(struct swc *s, int argc, char **argv) {
    const struct option *longs = global_longs();
    int o;
    while ((o = getopt_long(argc, argv, "+A:U:K:V:R:T:vqh", longs, NULL)) != -1) {
        const char *key = global_key(o);
        if (key != NULL) {
            json_object_set_new(s->opts, key, json_string(optarg));
            continue;
        }
        switch (o) {
        case 'R':
        case 'T':
            if (set_number(s->opts, o, optarg) != 0) return 2;
            break;
        case OPT_FORCE_AUTH_RETRY: json_object_set_new(s->opts, "force_auth_retry", json_true()); break;
        case OPT_PROMPT: s->prompt = 1; break;
        case OPT_VERSION: printf("swc %s\n", SWC_VERSION_STRING); return 0;
        case OPT_NO_SSL_COMPRESSION: break; /* accepted and ignored, as swift does */
        case 'v': s->verbose = 2; break;
        case 'q': s->verbose = 0; break;
        case OPT_INSECURE: json_object_set_new(s->opts, "insecure", json_true()); break;
        case OPT_DEBUG: s->log_level = SWC_LOG_DEBUG; break;
        case OPT_INFO: if (s->log_level == 0) s->log_level = SWC_LOG_INFO; break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    return -1;
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
    if (s->log_level) swc_client_set_log(s->client, s->log_level, log_line, NULL);
    return 0;
}
