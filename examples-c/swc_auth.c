/*
 * swc_auth: authenticate the way the `swift` command does (ST_* / OS_*
 * environment, plus optional JSON options as the first argument), print the
 * auth record, then HEAD the account and print its counts.
 *
 *   ST_AUTH=http://127.0.0.1:18080/auth/v1.0 ST_USER=test:tester ST_KEY=testing ./swc_auth
 *   ./swc_auth '{"os_auth_url": "...", "os_username": "...", ...}'
 */
#include "swiftclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, swc_status st, char *err) {
    fprintf(stderr, "%s failed: %s\n  %s\n", what, swc_status_str(st), err ? err : "(no record)");
    swc_string_free(err);
    return 1;
}

int main(int argc, char **argv) {
    swc_client *client = NULL;
    char *err = NULL;
    char *auth = NULL;
    char *head = NULL;
    swc_status st;

    printf("libswiftclient %s\n", swc_version());
    st = swc_client_new_from_env(argc > 1 ? argv[1] : NULL, &client, &err);
    if (st != SWC_OK) {
        return fail("swc_client_new_from_env", st, err);
    }
    st = swc_client_auth(client, NULL, &auth, &err);
    if (st != SWC_OK) {
        swc_client_free(client);
        return fail("swc_client_auth", st, err);
    }
    printf("auth: %s\n", auth);
    swc_string_free(auth);

    st = swc_account_head(client, NULL, NULL, &head, &err);
    if (st != SWC_OK) {
        swc_client_free(client);
        return fail("swc_account_head", st, err);
    }
    printf("account: %s\n", head);
    swc_string_free(head);
    swc_client_free(client);
    return 0;
}
