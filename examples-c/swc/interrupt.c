/* Ctrl-C. `swift` answers it with " Aborted" and exit status 2, leaving
 * whatever was half done (started segments, partial files). swc prints and
 * exits the same, but first cancels the running operation through the
 * library, which removes the segments it started and every partial file.
 * A second Ctrl-C exits at once.
 *
 * SIGINT is blocked in every thread (the library's threads inherit the mask
 * of the thread that makes the client) and taken by one thread with
 * sigwait, so the cancel call runs in an ordinary thread, not in a signal
 * handler. */
#include "swc.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static swc_cancel *token;
static volatile sig_atomic_t interrupted;

static void *watch(void *arg) {
    const sigset_t *set = arg;
    for (;;) {
        int sig;
        if (sigwait(set, &sig) != 0) continue;
        if (interrupted) {
            static const char msg[] = " Aborted\n";
            (void)!write(2, msg, sizeof msg - 1);
            _exit(2);
        }
        interrupted = 1;
        swc_cancel_trigger(token);
    }
    return NULL;
}

void interrupt_setup(void) {
    static sigset_t set;
    pthread_t t;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    if (swc_cancel_new(&token) != SWC_OK) return;
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return;
    if (pthread_create(&t, NULL, watch, &set) == 0) pthread_detach(t);
}

const swc_cancel *interrupt_token(void) { return token; }

int was_interrupted(void) { return interrupted != 0; }
