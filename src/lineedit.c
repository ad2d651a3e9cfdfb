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

int le_signal(void) { return caught; }
int le_is_tty(void) { return tty; }
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
    using_history();
  }
}

void le_close(void) {
  for (size_t i = 0; i < NHANDLED; i++) sigaction(handled[i], &saved[i], NULL);
  words = NULL;
}

/* ---- reading -------------------------------------------------------------------------- */

static char *rl_line;
static int rl_finished;

static void on_line(char *line) {
  rl_callback_handler_remove();
  rl_line = line;
  rl_finished = 1;
}

static enum le_status tty_read(const char *prompt, char **line) {
  sigset_t block, old;
  sigemptyset(&block);
  for (size_t i = 0; i < NHANDLED; i++) sigaddset(&block, handled[i]);
  sigprocmask(SIG_BLOCK, &block, &old);
  rl_finished = 0;
  rl_line = NULL;
  rl_callback_handler_install(prompt, on_line);
  enum le_status st = LE_LINE;
  while (!rl_finished) {
    if (caught) { /* checked with the signals blocked: pselect cannot miss one */
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_callback_handler_remove(); /* restores the terminal settings */
      fputc('\n', stdout);
      st = LE_INTERRUPT;
      break;
    }
    int fd = fileno(rl_instream ? rl_instream : stdin);
    fd_set in;
    FD_ZERO(&in);
    FD_SET(fd, &in);
    int n = pselect(fd + 1, &in, NULL, NULL, NULL, &old);
    if (n < 0 && errno != EINTR) {
      int e = errno;
      rl_callback_handler_remove();
      errno = e;
      st = LE_ERROR;
      break;
    }
    if (n > 0) rl_callback_read_char();
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (st != LE_LINE) return st;
  if (!rl_line) {
    fputc('\n', stdout); /* readline leaves the cursor after the prompt on Ctrl-D */
    return LE_EOF;
  }
  if (*rl_line) add_history(rl_line);
  *line = rl_line;
  return LE_LINE;
}

static enum le_status plain_read(const char *prompt, char **line) {
  if (caught) return LE_INTERRUPT;
  fputs(prompt, stdout);
  fflush(stdout);
  char *buf = NULL;
  size_t cap = 0;
  ssize_t n = getline(&buf, &cap, stdin);
  if (n < 0) {
    int e = errno;
    free(buf);
    fputc('\n', stdout);
    if (caught) return LE_INTERRUPT;
    if (feof(stdin)) return LE_EOF;
    errno = e;
    return LE_ERROR;
  }
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  printf("%s\n", buf); /* the echo a terminal would have shown */
  *line = buf;
  return LE_LINE;
}

enum le_status le_read(const char *prompt, char **line) {
  *line = NULL;
  enum le_status st = tty ? tty_read(prompt, line) : plain_read(prompt, line);
  fflush(stdout);
  return st;
}
