/* bench/spawn: runs a command and reports what it cost, for bench.py.
 *
 *   spawn OUTFILE command [args...]
 *
 * Writes "<exit code> <user+sys CPU seconds> <peak RSS KiB>" to OUTFILE.
 * The measuring parent is this small process rather than Python: Linux
 * carries a forking parent's RSS high-water mark into the child's
 * ru_maxrss, which would otherwise floor every figure at Python's size. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fputs("usage: spawn OUTFILE command [args...]\n", stderr);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    fprintf(f, "%d %.6f %ld\n", code, cpu, ru.ru_maxrss);
    fclose(f);
    return code;
}
