/* util.h -- error reporting, allocation and small string helpers.
 *
 * Every diagnostic goes through report(), in one voice:
 *     psoas-triage: FILE:LINE: what is wrong
 * Allocation failures abort with a message (there is nothing sensible to recover). */
#ifndef PSOAS_UTIL_H
#define PSOAS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <sysexits.h>

#define PROGNAME "psoas-triage"
#ifndef PSOAS_VERSION
#define PSOAS_VERSION "0.1.0"
#endif

/* Exit statuses (sysexits.h): one enum for the whole program. */
enum exit_status {
  EXIT_OK = 0,
  EXIT_USAGE = EX_USAGE,       /* 64: bad command line */
  EXIT_DATA = EX_DATAERR,      /* 65: a case was invalid (the others were still evaluated) */
  EXIT_NOINPUT = EX_NOINPUT,   /* 66: an input file or directory is missing */
  EXIT_SOFTWARE = EX_SOFTWARE, /* 70: rules or kb failed to load, or an engine failure */
  EXIT_CANTCREAT = EX_CANTCREAT, /* 73: intake/screen: the save file exists (no --force) */
  EXIT_IOERR = EX_IOERR,       /* 74: writing the output failed */
  EXIT_UNFINISHED = EX_TEMPFAIL, /* 75: an intake/screen stopped early (quit, end of input);
                                    its answers are saved for --resume */
  EXIT_INTERRUPTED = 130       /* an intake/screen was interrupted by a signal (saved) */
};

/* Print "psoas-triage: " + the formatted message + newline to stderr. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, from a va_list and without the newline (the caller ends the line). */
void vreport(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Caller frees.  Like asprintf, but aborts on allocation failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Edit distance between a and b, capped: returns cap+1 as soon as it exceeds cap. */
int edit_distance(const char *a, const char *b, int cap);

/* Returns the candidate closest to word (edit distance at most 1/3 of its length,
 * at least 2), or NULL if none is close.  The pointer is one of the candidates. */
const char *closest_word(const char *word, const char *const *candidates, size_t n);

/* Writes all len bytes of buf to fd (retrying short writes and EINTR).  Returns 0, or -1
 * with errno set. */
int write_all(int fd, const char *buf, size_t len);

/* fsync()s the directory that holds path, so that a rename into it survives a power
 * cut.  Returns 0, or -1 with errno set. */
int fsync_dir_of(const char *path);

/* Replaces path with the len bytes of data, atomically and durably: a new temporary
 * file .NAME.XXXXXX beside it (mkstemp: never an existing file, never through a planted
 * symlink) with the given mode, written, fsync()ed, renamed over path, and the directory
 * fsync()ed.  Returns 0; or -1 with errno set, path untouched (unless only the last
 * fsync failed: the rename is then done but maybe not durable) and no temporary file
 * left behind. */
int replace_file(const char *path, const char *data, size_t len, mode_t mode);

/* Whole file into a NUL-terminated malloc'd buffer (caller frees); *len gets its size.
 * On error returns NULL with errno set. */
char *read_file(const char *path, size_t *len);
/* The same for a file of at most max bytes: a larger one (or an endless one, such as
 * /dev/zero) gives NULL with errno EFBIG. */
char *read_file_max(const char *path, size_t max, size_t *len);

/* Length of the valid UTF-8 sequence at s (n >= 1 bytes available), or 0 if it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are invalid, as in jansson). */
size_t utf8_seq_len(const unsigned char *s, size_t n);
/* The code point of the valid UTF-8 sequence of len (1..4) bytes at s. */
unsigned utf8_decode(const unsigned char *s, size_t len);

/* How text from outside -- a case id, an answer, a message quoting one -- is shown to a
 * person, in every readable output (text, CSV, the letter): the length of the character
 * at s (n >= 1 bytes), and *hide set when it must be shown as U+FFFD instead: a byte that
 * is not UTF-8, a control character (C0, tab and newline too, DEL, C1), a line or
 * paragraph separator (U+2028, U+2029) or an invisible mark that reorders text (U+061C,
 * U+200E, U+200F, U+202A..U+202E, U+2066..U+2069).  None of these can then start another
 * line, drive a terminal or make a line read backwards ("PROCEED" from "DEECORP"). */
size_t shown_len(const unsigned char *s, size_t n, int *hide);

/* Growable byte buffer; sb_free(NULL) is a no-op.  Contents stay NUL-terminated. */
typedef struct strbuf {
  char *s;
  size_t len, cap;
} strbuf;
void sb_add(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a person is shown it: each character shown_len hides as U+FFFD. */
void sb_add_shown(strbuf *b, const char *s);
void sb_clear(strbuf *b);
void sb_free(strbuf *b);

#endif
