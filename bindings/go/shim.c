#include "shim.h"
#include "_cgo_export.h"

ptrdiff_t gsw_read(void *ud, uint8_t *buf, size_t cap) {
    return goRead((uintptr_t)ud, buf, cap);
}
int gsw_rewind(void *ud) { return goRewind((uintptr_t)ud); }
int gsw_write(void *ud, const uint8_t *buf, size_t len) {
    return goWrite((uintptr_t)ud, (uint8_t *)buf, len);
}
int gsw_page(void *ud, const char *json, size_t len) {
    return goPage((uintptr_t)ud, (char *)json, len);
}
int gsw_record(void *ud, const char *json, size_t len) {
    return goRecord((uintptr_t)ud, (char *)json, len);
}
void gsw_progress(void *ud, const char *json, size_t len) {
    goProgress((uintptr_t)ud, (char *)json, len);
}
void gsw_done(void *ud, swc_status status, const char *json, size_t len) {
    goDone((uintptr_t)ud, status, (char *)json, len);
}
void gsw_log(void *ud, int level, const char *msg, size_t len) {
    goLog((uintptr_t)ud, level, (char *)msg, len);
}
void gsw_auth_state(void *ud, const char *json, size_t len) {
    goAuthState((uintptr_t)ud, (char *)json, len);
}
ptrdiff_t gsw_credential(void *ud, const char *req, size_t len, char *reply, size_t cap) {
    return goCredential((uintptr_t)ud, (char *)req, len, reply, cap);
}
