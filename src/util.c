/* util.c -- see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void vreport(const char *fmt, va_list ap) {
  fflush(stdout);
  fputs(PROGNAME ": ", stderr);
  vfprintf(stderr, fmt, ap);
}

void report(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void out_of_memory(void) {
  fputs(PROGNAME ": out of memory\n", stderr);
  abort();
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) out_of_memory();
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) out_of_memory();
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) out_of_memory();
  return p;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (n < 0) out_of_memory();
  return s;
}

int edit_distance(const char *a, const char *b, int cap) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return cap + 1;
  int prev[65], cur[65];
  for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int best;
    cur[0] = best = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      int del = prev[j] + 1, ins = cur[j - 1] + 1;
      int v = sub < del ? sub : del;
      cur[j] = v < ins ? v : ins;
      if (cur[j] < best) best = cur[j];
    }
    if (best > cap) return cap + 1;
    memcpy(prev, cur, sizeof(int) * (lb + 1));
  }
  return prev[lb];
}

const char *closest_word(const char *word, const char *const *candidates, size_t n) {
  int cap = (int)strlen(word) / 3;
  if (cap < 2) cap = 2;
  const char *best = NULL;
  int bestd = cap + 1;
  for (size_t i = 0; i < n; i++) {
    int d = edit_distance(word, candidates[i], cap);
    if (d < bestd) {
      bestd = d;
      best = candidates[i];
    }
  }
  return best;
}

int write_all(int fd, const char *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w == 0) errno = EIO; /* no progress and no reason: never loop on it, never a stale errno */
    if (w <= 0) return -1;
    off += (size_t)w;
  }
  return 0;
}

int fsync_dir_of(const char *path) {
  char *copy = xstrdup(path);
  int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = -1;
  free(copy);
  if (fd < 0) return -1;
  /* EINVAL: a file system that cannot sync a directory (it has nothing more to do) */
  if (fsync(fd) == 0 || errno == EINVAL) rc = 0;
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

int replace_file(const char *path, const char *data, size_t len, mode_t mode) {
  char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
  char *tmp = xasprintf("%s/.%s.XXXXXX", dirname(dcopy), basename(bcopy));
  free(dcopy);
  free(bcopy);
  int fd = mkostemp(tmp, O_CLOEXEC), rc = -1, e = 0;
  if (fd < 0) {
    e = errno;
  } else {
    int ok = fchmod(fd, mode) == 0 && write_all(fd, data, len) == 0 && fsync(fd) == 0;
    if (!ok) e = errno;
    if (close(fd) != 0 && ok) { /* a close error can be a lost write (NFS, quotas) */
      ok = 0;
      e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
      ok = 0;
      e = errno;
    }
    if (!ok) unlink(tmp);
    /* the rename is durable only once the directory is: a power cut could undo it */
    else if (fsync_dir_of(path) != 0) e = errno;
    else rc = 0;
  }
  free(tmp);
  errno = e;
  return rc;
}

char *read_file_max(const char *path, size_t max, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  strbuf b = {0};
  char chunk[65536];
  size_t n;
  int err = 0;
  while (!err && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (n > max - b.len) err = EFBIG; /* checked before it is kept: /dev/zero ends here */
    else sb_add(&b, chunk, n);
  }
  if (!err && ferror(f)) err = errno ? errno : EIO;
  fclose(f);
  if (err) {
    sb_free(&b);
    errno = err;
    return NULL;
  }
  if (!b.s) sb_add(&b, "", 0);
  *len = b.len;
  return b.s;
}

char *read_file(const char *path, size_t *len) { return read_file_max(path, (size_t)-1, len); }

static void sb_reserve(strbuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  b->s = xrealloc(b->s, cap);
  b->cap = cap;
}

void sb_add(strbuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  if (n) memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

void sb_printf(strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  sb_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void sb_clear(strbuf *b) {
  b->len = 0;
  if (b->s) b->s[0] = '\0';
}

void sb_free(strbuf *b) {
  if (!b) return;
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

/* ---- UTF-8 -------------------------------------------------------------------------- */

size_t utf8_seq_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

unsigned utf8_decode(const unsigned char *s, size_t len) {
  static const unsigned char lead[] = {0, 0x7F, 0x1F, 0x0F, 0x07}; /* the lead byte's bits */
  unsigned cp = s[0] & lead[len];
  for (size_t i = 1; i < len; i++) cp = cp << 6 | (s[i] & 0x3Fu);
  return cp;
}

size_t shown_len(const unsigned char *s, size_t n, int *hide) {
  if (s[0] >= 0x20 && s[0] < 0x7f) { /* the common case */
    *hide = 0;
    return 1;
  }
  size_t len = utf8_seq_len(s, n);
  if (len != 2 && len != 3) { /* a C0 control or DEL, a byte that is not UTF-8, or U+10000.. */
    *hide = len != 4;
    return len ? len : 1;
  }
  unsigned cp = utf8_decode(s, len);
  *hide = cp <= 0x9F || cp == 0x61C || cp == 0x200E || cp == 0x200F ||
          (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  return len;
}

void sb_add_shown(strbuf *b, const char *str) {
  const unsigned char *s = (const unsigned char *)str, *run = s, *end = s + strlen(str);
  while (s < end) {
    int hide;
    size_t len = shown_len(s, (size_t)(end - s), &hide);
    if (hide) {
      sb_add(b, (const char *)run, (size_t)(s - run));
      sb_add(b, "\xef\xbf\xbd", 3);
      run = s + len;
    }
    s += len;
  }
  sb_add(b, (const char *)run, (size_t)(s - run));
}
