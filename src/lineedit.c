/* lineedit.c -- see lineedit.h.  GNU readline is used through its callback interface,
 * so that a signal interrupts the wait (pselect) instead of being swallowed: the
 * handler only records the signal, and le_read() cleans up readline's state and
 * returns LE_INTERRUPT. */
#include "lineedit.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "util.h"

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
#define NHANDLED (sizeof handled / sizeof handled[0])

static volatile sig_atomic_t caught;
static struct sigaction saved[NHANDLED];
static int tty;
static const char *const *words; /* completion candidates */

static void on_signal(int sig) { caught = sig; }
static void bounded_display(void);

int le_signal(void) { return caught; }
void le_complete_with(const char *const *w) { words = w; }

/* ---- completion ----------------------------------------------------------------------- */

static char *complete_word(const char *text, int state) {
  static size_t next, len;
  if (!state) {
    next = 0;
    len = strlen(text);
  }
  while (words && words[next]) {
    const char *w = words[next++];
    if (!strncasecmp(w, text, len)) return xstrdup(w); /* readline frees it */
  }
  return NULL;
}

static char **complete(const char *text, int start, int end) {
  (void)start;
  (void)end;
  rl_attempted_completion_over = 1; /* never fall back to file names */
  return rl_completion_matches(text, complete_word);
}

/* ---- opening -------------------------------------------------------------------------- */

void le_open(void) {
  tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  caught = 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a blocked read must return EINTR */
  for (size_t i = 0; i < NHANDLED; i++) sigaction(handled[i], &sa, &saved[i]);
  if (tty) {
    rl_readline_name = "psoas-triage";
    rl_catch_signals = 0; /* ours: see le_read */
    rl_attempted_completion_function = complete;
    rl_redisplay_function = bounded_display;
    using_history();
  }
}

void le_close(void) {
  for (size_t i = 0; i < NHANDLED; i++) sigaction(handled[i], &saved[i], NULL);
  words = NULL;
}

/* ---- reading -------------------------------------------------------------------------- */

/* Waits until fd is readable.  Returns 1 when it is, 0 when a handled signal has been
 * caught (checked with the signals blocked, so none slips in between), -1 on error. */
static int wait_input(int fd) {
  sigset_t block, old;
  sigemptyset(&block);
  for (size_t i = 0; i < NHANDLED; i++) sigaddset(&block, handled[i]);
  sigprocmask(SIG_BLOCK, &block, &old);
  int rc;
  for (;;) {
    if (caught) {
      rc = 0;
      break;
    }
    fd_set in;
    FD_ZERO(&in);
    FD_SET(fd, &in);
    int n = pselect(fd + 1, &in, NULL, NULL, NULL, &old);
    if (n > 0) {
      rc = 1;
      break;
    }
    if (n < 0 && errno != EINTR) {
      rc = -1;
      break;
    }
  }
  int e = errno;
  sigprocmask(SIG_SETMASK, &old, NULL);
  errno = e;
  return rc;
}

static char *rl_line;
static int rl_finished;

static void on_line(char *line) {
  rl_callback_handler_remove();
  rl_line = line;
  rl_finished = 1;
}

/* The input ran on for LE_ENDLESS_MAX bytes without an end of line. */
static enum le_status endless(void) {
  report("standard input: no end of line in %d bytes: taken as the end of the answers",
         LE_ENDLESS_MAX);
  return LE_EOF;
}

static long tty_dropped; /* bytes of the line being read that were dropped (over-long) */

/* readline's display, for a line of at most LE_LINE_MAX bytes.  Past that (readline can
 * insert a burst of typed-ahead keys at once, so this is checked before anything is
 * drawn) the line is dropped: readline's buffer is emptied and nothing more is drawn,
 * until Enter ends the line (or Ctrl-D, a signal). */
static void bounded_display(void) {
  if (tty_dropped || rl_end > LE_LINE_MAX) {
    tty_dropped += rl_end;
    rl_replace_line("", 1); /* and its undo list */
    return;
  }
  rl_redisplay();
}

static enum le_status tty_read(const char *prompt, char **line) {
  rl_finished = 0;
  rl_line = NULL;
  tty_dropped = 0;
  rl_callback_handler_install(prompt, on_line);
  enum le_status st = LE_LINE;
  while (!rl_finished && st == LE_LINE) {
    int rc = wait_input(fileno(rl_instream ? rl_instream : stdin));
    if (rc == 0) {
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_callback_handler_remove(); /* restores the terminal settings */
      fputc('\n', stdout);
      st = LE_INTERRUPT;
    } else if (rc < 0) {
      int e = errno;
      rl_callback_handler_remove();
      errno = e;
      st = LE_ERROR;
    } else {
      rl_callback_read_char();
      if (!rl_finished && tty_dropped > LE_ENDLESS_MAX) {
        rl_callback_handler_remove();
        fputc('\n', stdout);
        st = endless();
      }
    }
  }
  if (st != LE_LINE) return st;
  if (tty_dropped) { /* ended by Enter, or by Ctrl-D on the emptied line */
    st = rl_line ? LE_TOOLONG : LE_EOF;
    free(rl_line);
    fputc('\n', stdout);
    return st;
  }
  if (!rl_line) {
    fputc('\n', stdout); /* readline leaves the cursor after the prompt on Ctrl-D */
    return LE_EOF;
  }
  if (*rl_line) add_history(rl_line);
  *line = rl_line;
  return LE_LINE;
}

/* Plain input is read with read(2), not stdio, so that waiting for it can be
 * interrupted without a race (see wait_input); the bytes after a line wait here. */
static char inbuf[4096];
static size_t inbeg, inend;

static enum le_status plain_line(char **line) {
  strbuf b = {0};
  size_t dropped = 0; /* bytes of an over-long line thrown away */
  for (;;) {
    char *nl = memchr(inbuf + inbeg, '\n', inend - inbeg);
    size_t n = nl ? (size_t)(nl - (inbuf + inbeg)) : inend - inbeg;
    if (!dropped && b.len + n <= LE_LINE_MAX) {
      sb_add(&b, inbuf + inbeg, n);
    } else {
      dropped += b.len + n;
      sb_free(&b);
    }
    if (nl) {
      inbeg += n + 1;
      break;
    }
    inbeg = inend = 0;
    if (dropped > LE_ENDLESS_MAX) return endless();
    int rc = wait_input(STDIN_FILENO);
    ssize_t got = rc > 0 ? read(STDIN_FILENO, inbuf, sizeof inbuf) : -1;
    if (got < 0 && rc > 0 && errno == EINTR) continue;
    if (got < 0 || (got == 0 && b.len == 0 && !dropped)) {
      int e = errno;
      sb_free(&b);
      errno = e;
      return rc == 0 ? LE_INTERRUPT : got == 0 ? LE_EOF : LE_ERROR;
    }
    if (got == 0) break; /* a last line without a newline */
    inend = (size_t)got;
  }
  if (dropped) return LE_TOOLONG;
  *line = b.s;
  return LE_LINE;
}

static enum le_status plain_read(const char *prompt, char **line) {
  if (caught) return LE_INTERRUPT;
  fputs(prompt, stdout);
  fflush(stdout);
  enum le_status st = plain_line(line);
  if (st != LE_LINE) {
    fputc('\n', stdout);
    return st;
  }
  size_t n = strlen(*line);
  if (n && (*line)[n - 1] == '\r') (*line)[--n] = '\0';
  printf("%s\n", *line); /* the echo a terminal would have shown */
  return LE_LINE;
}

enum le_status le_read(const char *prompt, char **line) {
  *line = NULL;
  enum le_status st = tty ? tty_read(prompt, line) : plain_read(prompt, line);
  fflush(stdout);
  return st;
}
