/* lineedit.h -- the seam between the dialogue and the terminal: reading one answer line.
 *
 * When stdin and stdout are both terminals, lines are read with GNU readline (line
 * editing, history, tab completion of the words set by le_complete_with); otherwise with
 * plain read(2), one answer per line, and the line read is echoed after the prompt so
 * that stdout reads like the terminal session would.  Like lua.c's lua_readline macros.
 *
 * SIGINT, SIGTERM and SIGHUP only set a flag (le_signal()); a read in progress returns
 * LE_INTERRUPT, and the caller saves and exits.  Not thread-safe (one dialogue). */
#ifndef PSOAS_LINEEDIT_H
#define PSOAS_LINEEDIT_H

enum le_status { LE_LINE, LE_EOF, LE_INTERRUPT, LE_ERROR, LE_TOOLONG };

/* An answer line holds at most LE_LINE_MAX bytes: a longer one is dropped up to its end
 * and refused (LE_TOOLONG), so memory stays bounded whatever the input.  An answer is a
 * word or a number: 512 bytes is far more than any needs, and keeps readline's line
 * below the length (about 1000) at which its horizontal scrolling on a dumb terminal
 * reads past its display buffer (readline 8.2, under AddressSanitizer).  Input that
 * brings no end of line within LE_ENDLESS_MAX bytes (e.g. /dev/zero) is not answers at
 * all: it is reported and taken as the end of input (LE_EOF). */
#define LE_LINE_MAX 512
#define LE_ENDLESS_MAX (1 << 20)

/* Decides the mode (readline or plain) and installs the signal handlers. */
void le_open(void);
/* Restores the signal handlers. */
void le_close(void);
/* The signal caught (SIGINT, SIGTERM, SIGHUP), or 0. */
int le_signal(void);

/* Words offered by tab completion from now on: a NULL-terminated array that the caller
 * keeps alive until the next call (NULL: none). */
void le_complete_with(const char *const *words);

/* Shows prompt and reads one line into *line (malloc'd, no newline; caller frees).
 * Returns LE_LINE, LE_EOF (Ctrl-D or end of input), LE_INTERRUPT (a signal: see
 * le_signal), LE_TOOLONG (a line over LE_LINE_MAX bytes, dropped) or LE_ERROR (errno
 * set); *line is NULL unless LE_LINE. */
enum le_status le_read(const char *prompt, char **line);

#endif
