/* Built against the installed header and library: the compile-time version
 * macros and the run-time swc_version() agree, and the SONAME'd library is
 * the one that was loaded. */
#include <swiftclient.h>

#include <stdio.h>
#include <string.h>

#if SWC_VERSION_NUMBER < SWC_MAKE_VERSION(0, 1, 0)
#error "SWC_VERSION_NUMBER is below 0.1.0"
#endif

int main(void) {
    char expect[64];
    snprintf(expect, sizeof expect, "%d.%d.%d", SWC_VERSION_MAJOR, SWC_VERSION_MINOR,
             SWC_VERSION_PATCH);
    if (strcmp(expect, SWC_VERSION_STRING) != 0 || strcmp(swc_version(), SWC_VERSION_STRING) != 0) {
        fprintf(stderr, "version mismatch: macros %s / %s, library %s\n", expect,
                SWC_VERSION_STRING, swc_version());
        return 1;
    }
    printf("libswiftclient %s\n", swc_version());
    return 0;
}
