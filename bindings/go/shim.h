/* C trampolines between libswiftclient's callbacks and the Go functions
 * exported in callbacks.go. user_data carries a cgo.Handle. */
#ifndef SWIFTCLIENT_GO_SHIM_H
#define SWIFTCLIENT_GO_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <swiftclient.h>

ptrdiff_t gsw_read(void *ud, uint8_t *buf, size_t cap);
int gsw_rewind(void *ud);
int gsw_write(void *ud, const uint8_t *buf, size_t len);
int gsw_page(void *ud, const char *json, size_t len);
int gsw_record(void *ud, const char *json, size_t len);
void gsw_progress(void *ud, const char *json, size_t len);
void gsw_done(void *ud, swc_status status, const char *json, size_t len);
void gsw_log(void *ud, int level, const char *msg, size_t len);
void gsw_auth_state(void *ud, const char *json, size_t len);
ptrdiff_t gsw_credential(void *ud, const char *req, size_t len, char *reply, size_t cap);

/* A cgo.Handle as the void * user_data (no Go pointer crosses). */
static inline void *gsw_ud(uintptr_t h) { return (void *)h; }
#endif
