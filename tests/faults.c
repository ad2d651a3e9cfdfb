/* faults.c -- an LD_PRELOAD shim that makes chosen file operations fail, for
 * tests/test_faults.py: a full disk, an I/O error, a short write, a failing fsync, rename
 * or close, or a kill in the middle of a save.  `make` builds it as build/libfaults.so.
 *
 *     LD_PRELOAD=build/libfaults.so PSOAS_FAULT=write:ENOSPC:1 PSOAS_FAULT_PATH='*.json' ...
 *
 * PSOAS_FAULT is a comma-separated list of rules OP:ACTION[:AFTER[:TIMES]]:
 *   OP      write   write, pwrite, pwrite64, writev, and what stdio writes to stdout
 *           fsync   fsync, fdatasync
 *           rename  rename, renameat, renameat2
 *           close   close (the descriptor is closed all the same, as Linux does)
 *   ACTION  an errno name (ENOSPC, EIO, EDQUOT, EROFS, EACCES, EPERM, EXDEV, EBADF,
 *           EINVAL); "short": a write writes half of its bytes (at least one) and
 *           returns that count; "kill": the process SIGKILLs itself instead of the call
 *   AFTER   the first AFTER matching calls go through (default 0)
 *   TIMES   how many calls fail after those (default: every one)
 * A call matches only if it is on a file whose path matches PSOAS_FAULT_PATH (fnmatch
 * without flags: '*' matches '/' too); no pattern, no faults.  A descriptor's path is what
 * /proc/self/fd/N links to; a rename matches if either of its paths (made absolute)
 * does.  So the program's other I/O -- stderr, the terminal, the pipe of a test -- is
 * never touched.
 *
 * glibc's stdio writes through internal calls that no shim sees, so when stdout is a
 * matching file and write or close rules exist, stdout is replaced at start-up by a
 * stream (fopencookie) that writes and closes through the functions below, retrying a
 * short write as glibc does: eval's output meets the same faults as the program's own
 * writes.
 *
 * Under AddressSanitizer the shim comes before the ASan runtime in the library order:
 * ASAN_OPTIONS must hold verify_asan_link_order=0 (test_faults.py sets it). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum op { OP_WRITE, OP_FSYNC, OP_RENAME, OP_CLOSE, OP_COUNT };
enum { ACT_SHORT = -1, ACT_KILL = -2 };

#define RULES_MAX 8

static struct rule {
  enum op op;
  int action; /* an errno value, ACT_SHORT or ACT_KILL */
  long after, times;
  long seen;  /* matching calls so far (atomic) */
} rules[RULES_MAX];
static int nrules;
static const char *pattern;

static const struct {
  const char *name;
  int value;
} errnos[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO},     {"EDQUOT", EDQUOT}, {"EROFS", EROFS},
              {"EACCES", EACCES}, {"EPERM", EPERM}, {"EXDEV", EXDEV},   {"EBADF", EBADF},
              {"EINVAL", EINVAL}};

static void bad_spec(const char *spec) {
  fprintf(stderr, "libfaults: cannot read PSOAS_FAULT rule '%s' (OP:ACTION[:AFTER[:TIMES]])\n", spec);
  abort();
}

static void parse_rule(char *spec) {
  static const char *const ops[OP_COUNT] = {"write", "fsync", "rename", "close"};
  char *save = NULL, *op = strtok_r(spec, ":", &save), *act = strtok_r(NULL, ":", &save);
  char *after = strtok_r(NULL, ":", &save), *times = strtok_r(NULL, ":", &save);
  if (!op || !act || nrules == RULES_MAX) bad_spec(spec);
  struct rule *r = &rules[nrules];
  r->op = OP_COUNT;
  for (int i = 0; i < OP_COUNT; i++)
    if (!strcmp(op, ops[i])) r->op = (enum op)i;
  r->action = 0;
  if (!strcmp(act, "short")) r->action = ACT_SHORT;
  if (!strcmp(act, "kill")) r->action = ACT_KILL;
  for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
    if (!strcmp(act, errnos[i].name)) r->action = errnos[i].value;
  if (r->op == OP_COUNT || r->action == 0 || (r->action == ACT_SHORT && r->op != OP_WRITE))
    bad_spec(spec);
  r->after = after ? atol(after) : 0;
  r->times = times ? atol(times) : -1;
  nrules++;
}

/* ---- matching ---------------------------------------------------------------------- */

static int path_matches(const char *path) { return pattern && fnmatch(pattern, path, 0) == 0; }

static int fd_matches(int fd) {
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  int e = errno;
  ssize_t n = readlink(link, path, sizeof path - 1);
  errno = e;
  if (n <= 0) return 0;
  path[n] = '\0';
  return path_matches(path);
}

/* path made absolute (not resolved: a rename names the link, not its target) */
static int name_matches(int dirfd, const char *name) {
  char base[PATH_MAX], full[2 * PATH_MAX + 2];
  if (name[0] == '/') return path_matches(name);
  char link[64];
  ssize_t n;
  int e = errno;
  if (dirfd == AT_FDCWD) {
    n = getcwd(base, sizeof base) ? (ssize_t)strlen(base) : -1;
  } else {
    snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    n = readlink(link, base, sizeof base - 1);
  }
  errno = e;
  if (n <= 0) return 0;
  base[n] = '\0';
  snprintf(full, sizeof full, "%s/%s", base, name);
  return path_matches(full);
}

/* The action for a matching call of op now: 0 (go through), an errno, ACT_SHORT. */
static int fault(enum op op) {
  for (int i = 0; i < nrules; i++) {
    struct rule *r = &rules[i];
    if (r->op != op) continue;
    long n = __atomic_fetch_add(&r->seen, 1, __ATOMIC_SEQ_CST);
    if (n < r->after || (r->times >= 0 && n >= r->after + r->times)) continue;
    if (r->action == ACT_KILL) raise(SIGKILL);
    return r->action;
  }
  return 0;
}

static int has_rules(enum op op) {
  for (int i = 0; i < nrules; i++)
    if (rules[i].op == op) return 1;
  return 0;
}

#define REAL(name) \
  static __typeof__(name) *real_##name; \
  if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* ---- the calls ---------------------------------------------------------------------- */

ssize_t write(int fd, const void *buf, size_t n) {
  REAL(write);
  int a = nrules && has_rules(OP_WRITE) && fd_matches(fd) ? fault(OP_WRITE) : 0;
  if (a == ACT_SHORT && n > 1) return real_write(fd, buf, n / 2);
  if (a > 0) {
    errno = a;
    return -1;
  }
  return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  REAL(pwrite);
  int a = nrules && has_rules(OP_WRITE) && fd_matches(fd) ? fault(OP_WRITE) : 0;
  if (a == ACT_SHORT && n > 1) return real_pwrite(fd, buf, n / 2, off);
  if (a > 0) {
    errno = a;
    return -1;
  }
  return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) { return pwrite(fd, buf, n, off); }

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  REAL(writev);
  int a = nrules && has_rules(OP_WRITE) && fd_matches(fd) ? fault(OP_WRITE) : 0;
  if (a == ACT_SHORT && cnt > 0 && iov[0].iov_len > 1) {
    REAL(write);
    return real_write(fd, iov[0].iov_base, iov[0].iov_len / 2);
  }
  if (a > 0) {
    errno = a;
    return -1;
  }
  return real_writev(fd, iov, cnt);
}

static int sync_fault(int fd) {
  int a = nrules && has_rules(OP_FSYNC) && fd_matches(fd) ? fault(OP_FSYNC) : 0;
  if (a > 0) errno = a;
  return a > 0;
}

int fsync(int fd) {
  REAL(fsync);
  return sync_fault(fd) ? -1 : real_fsync(fd);
}

int fdatasync(int fd) {
  REAL(fdatasync);
  return sync_fault(fd) ? -1 : real_fdatasync(fd);
}

static int rename_fault(int olddir, const char *old, int newdir, const char *new) {
  int a = nrules && has_rules(OP_RENAME) && (name_matches(olddir, old) || name_matches(newdir, new))
              ? fault(OP_RENAME)
              : 0;
  if (a > 0) errno = a;
  return a > 0;
}

int rename(const char *old, const char *new) {
  REAL(rename);
  return rename_fault(AT_FDCWD, old, AT_FDCWD, new) ? -1 : real_rename(old, new);
}

int renameat(int olddir, const char *old, int newdir, const char *new) {
  REAL(renameat);
  return rename_fault(olddir, old, newdir, new) ? -1 : real_renameat(olddir, old, newdir, new);
}

int renameat2(int olddir, const char *old, int newdir, const char *new, unsigned flags) {
  REAL(renameat2);
  return rename_fault(olddir, old, newdir, new) ? -1 : real_renameat2(olddir, old, newdir, new, flags);
}

int close(int fd) {
  REAL(close);
  int a = nrules && has_rules(OP_CLOSE) && fd_matches(fd) ? fault(OP_CLOSE) : 0;
  int rc = real_close(fd); /* Linux frees the descriptor even when close reports an error */
  if (a > 0) {
    errno = a;
    return -1;
  }
  return rc;
}

/* ---- stdout through the shim ---------------------------------------------------------- */

static ssize_t cookie_write(void *cookie, const char *buf, size_t n) {
  int fd = *(int *)cookie;
  size_t done = 0;
  while (done < n) { /* as glibc's own file streams do: a short write is retried */
    ssize_t w = write(fd, buf + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return done ? (ssize_t)done : -1;
    done += (size_t)w;
  }
  return (ssize_t)done;
}

static int cookie_close(void *cookie) { return close(*(int *)cookie); }

__attribute__((constructor)) static void init(void) {
  const char *spec = getenv("PSOAS_FAULT");
  pattern = getenv("PSOAS_FAULT_PATH");
  if (!spec || !*spec || !pattern || !*pattern) return;
  char *copy = strdup(spec), *save = NULL;
  for (char *r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save)) parse_rule(r);
  /* parse_rule keeps no pointer into copy */
  free(copy);
  if ((has_rules(OP_WRITE) || has_rules(OP_CLOSE)) && fd_matches(STDOUT_FILENO)) {
    static int out_fd = STDOUT_FILENO;
    FILE *f = fopencookie(&out_fd, "w", (cookie_io_functions_t){.write = cookie_write, .close = cookie_close});
    if (f) stdout = f;
  }
}
