/* folder.c — see pelab/io/folder.h */
#if !defined(_XOPEN_SOURCE)
#define _XOPEN_SOURCE 700 /* nftw */
#endif
#include "pelab/io/folder.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const pelab_folder_derived[] = {"report.md", "report.html", "figures/", NULL};

const char *pelab_folder_path(char *buf, size_t cap, const char *dir, const char *name) {
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

pelab_status pelab_folder_lock_take(pelab_folder_lock *lock, const char *dir, const char *what, pelab_error *err) {
    char path[4200];
    pelab_folder_path(path, sizeof path, dir, PELAB_FOLDER_LOCK);
    lock->fd = -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot create the lock file: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char holder[512] = "";
        ssize_t got = pread(fd, holder, sizeof holder - 1, 0);
        close(fd);
        if (e != EWOULDBLOCK)
            return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot lock: %s", path, strerror(e));
        holder[got > 0 ? got : 0] = '\0';
        long pid = strtol(holder, NULL, 10);
        const char *desc = strchr(holder, '\n');
        desc = desc ? desc + 1 : "";
        char d[256];
        snprintf(d, sizeof d, "%.*s", (int)strcspn(desc, "\n"), desc);
        if (pid > 0)
            return pelab_error_set(err, PELAB_STATUS_USAGE,
                                   "%s is in use by another pelab (pid %ld: %s): wait for it to finish, or use "
                                   "another folder",
                                   dir, pid, d[0] ? d : "?");
        return pelab_error_set(err, PELAB_STATUS_USAGE,
                               "%s is in use by another pelab: wait for it to finish, or use another folder", dir);
    }
    char rec[600];
    int n = snprintf(rec, sizeof rec, "%ld\n%.500s\n", (long)getpid(), what ? what : "");
    if (ftruncate(fd, 0) != 0 || pwrite(fd, rec, (size_t)n, 0) != n) { /* the lock holds without the record */
    }
    lock->fd = fd;
    return PELAB_STATUS_OK;
}

void pelab_folder_lock_release(pelab_folder_lock *lock) {
    if (lock->fd >= 0) close(lock->fd);
    lock->fd = -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

static pelab_status remove_path(const char *path, int folder, pelab_error *err) {
    struct stat st;
    if (lstat(path, &st) != 0) return PELAB_STATUS_OK;
    int rc = folder && S_ISDIR(st.st_mode) ? nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) : remove(path);
    if (rc != 0 && errno != ENOENT)
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot remove: %s", path, strerror(errno));
    return PELAB_STATUS_OK;
}

pelab_status pelab_folder_clear(const char *dir, pelab_error *err) {
    char path[4200];
    pelab_status s;
    if ((s = remove_path(pelab_folder_path(path, sizeof path, dir, PELAB_FOLDER_RESULTS), 0, err))) return s;
    if ((s = remove_path(pelab_folder_path(path, sizeof path, dir, PELAB_FOLDER_CURVES), 0, err))) return s;
    if ((s = remove_path(pelab_folder_path(path, sizeof path, dir, PELAB_FOLDER_MANIFEST), 0, err))) return s;
    for (int i = 0; pelab_folder_derived[i]; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", pelab_folder_derived[i]);
        size_t l = strlen(name);
        int folder = l && name[l - 1] == '/';
        if (folder) name[l - 1] = '\0';
        if ((s = remove_path(pelab_folder_path(path, sizeof path, dir, name), folder, err))) return s;
    }
    return PELAB_STATUS_OK;
}
