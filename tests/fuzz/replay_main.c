/* replay_main.c — run the fuzz target's checks on files, without libFuzzer.
 *
 * Usage: fuzz_replay DIR_OR_FILE...  Every regular file (a directory's
 * entries, one level) is passed to LLVMFuzzerTestOneInput, which aborts on
 * any broken invariant; ASan builds also catch memory errors. Built in the
 * ordinary build from the same source list as the libFuzzer target, so the
 * committed corpus is a regression test of the loader and the fuzz target's
 * link line is checked by every `ctest`. Prints "N inputs replayed". */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads path whole and feeds it to the target; returns 1 if fed, 0 if not a
 * regular file, -1 on a read error (reported with the path). */
static int replay_file(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) { fclose(f); fprintf(stderr, "%s: out of memory\n", path); return -1; }
    len = fread(buf, 1, cap - 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); fprintf(stderr, "%s: read error\n", path); return -1; }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 1;
}

int main(int argc, char **argv) {
    long fed = 0;
    for (int a = 1; a < argc; a++) {
        DIR *d = opendir(argv[a]);
        if (!d) {
            int r = replay_file(argv[a]);
            if (r < 0) return 1;
            if (r == 0) { fprintf(stderr, "%s: not a file or directory\n", argv[a]); return 1; }
            fed++;
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
            int r = replay_file(path);
            if (r < 0) { closedir(d); return 1; }
            fed += r;
        }
        closedir(d);
    }
    printf("%ld inputs replayed\n", fed);
    return fed > 0 ? 0 : 1;
}
