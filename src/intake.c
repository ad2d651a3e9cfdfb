/* intake.c -- the guided intake and the front-desk screen at a terminal (see intake.h).
 *
 * The terminal host of the dialogue (dialogue.h, which decides what to ask; the web is
 * its other host, serve.c): one loop for both modes: run the rules on the case so far;
 * stop at an emergency; otherwise show the next prompt; read the answer (or why / back /
 * help / quit); save; repeat. */
#include "intake.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dialogue.h"
#include "engine.h"
#include "letter.h"
#include "lineedit.h"
#include "output.h"
#include "screenkb.h"
#include "tcase.h"
#include "util.h"

/* The terminal's side of a dialogue: the dialogue itself, where it is saved, and what
 * the screen shows. */
struct term {
  struct dialogue x;     /* what to ask, the answers, the steps */
  screenkb *screen;      /* screen mode: the checklists (owned) */
  int show_ids, color;
  char *path;            /* where the answers are saved (owned) */
  int created;           /* path was created empty by this dialogue (claim_path) */
  int asking;            /* the questions have begun (a failed save is said on screen) */
  int unsaved;           /* the last save failed: the file holds an older state */
  int saved_answers;     /* answers in the file as last saved */
  char save_error[128];  /* why the last save failed */
  int style;             /* how the result is shown (output.h: colour, ids, width) */
  int urgent_said;       /* the "already needs a doctor today" notice was shown */
  const char *words[16]; /* tab completion for the current prompt */
};
enum outcome { ASKED, WENT_BACK, STOPPED, INTERRUPTED, READ_ERROR };


static void put(const char *s) { fputs(s, stdout); }

static int columns = 88; /* the terminal's width (out_term_width), or 88 */

static void put_wrapped(const char *text, const char *indent) {
  strbuf b = {0};
  out_wrap(&b, text, indent, columns);
  put(b.s);
  sb_free(&b);
}

/* ---- saving ------------------------------------------------------------------------------- */

static int count_answers(const struct term *d) {
  int n = 0;
  for (int i = 0; i < d->x.k->nq; i++) n += d->x.c.a[i].state != ANS_NONE;
  return n;
}

/* Saves the answers (replace_file: atomic and durable).  Returns 0, or -1 when the file
 * could not be written: it then holds what the last good save wrote.  The first failure
 * of a run of them is reported, and said on the screen once the questions have begun
 * (they go on: a clinic may still want the result); every later answer saves again, and
 * a save that works again says so. */
static int save_case(struct term *d) {
  const char *why = NULL;
  struct stat st;
  if (lstat(d->path, &st) == 0 && !S_ISREG(st.st_mode)) {
    why = "not a regular file";
  } else {
    char *text = dlg_text(&d->x);
    if (!text) why = "the answers could not be put as JSON";
    else if (replace_file(d->path, text, strlen(text), 0600) != 0) why = strerror(errno);
    free(text);
  }
  if (!why) {
    if (d->unsaved) printf("  Saved: %s holds all the answers again.\n", d->path);
    d->unsaved = 0;
    d->saved_answers = count_answers(d);
    return 0;
  }
  snprintf(d->save_error, sizeof d->save_error, "%s", why);
  if (!d->unsaved) {
    report("%s: cannot save the answers: %s", d->path, why);
    if (d->asking) {
      char *t = xasprintf("NOT SAVED: your answers could not be written to %s (%s), so they are "
                          "not safe on disk. The questions go on; each answer tries to save "
                          "them again, and the end says whether they were saved.", d->path, why);
      put("\n");
      put_wrapped(t, "");
      free(t);
    }
  }
  d->unsaved = 1;
  return -1;
}

/* Removes the temporary files that a save of path cut short (a SIGKILL, a power cut)
 * left beside it, saying so.  Only what replace_file creates is touched: named exactly
 * "." + the file's name + "." + mkstemp's 6 letters or digits, a regular file (never
 * a symlink), owned by us, and older than this process (so not a save in progress). */
static void remove_stale_temporaries(const char *path, const struct timespec *start) {
  char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
  const char *dir = dirname(dcopy), *base = basename(bcopy);
  size_t blen = strlen(base);
  DIR *dh = opendir(dir);
  struct dirent *de;
  while (dh && (de = readdir(dh))) {
    const char *n = de->d_name;
    struct stat st;
    if (n[0] != '.' || strncmp(n + 1, base, blen) || n[1 + blen] != '.' || strlen(n) != blen + 8 ||
        strspn(n + blen + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != 6)
      continue;
    if (fstatat(dirfd(dh), n, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || st.st_mtim.tv_sec > start->tv_sec ||
        (st.st_mtim.tv_sec == start->tv_sec && st.st_mtim.tv_nsec >= start->tv_nsec))
      continue;
    if (unlinkat(dirfd(dh), n, 0) == 0)
      report("%s/%s: removed: a save of %s was cut short there (the file holds the last "
             "complete save)", dir, n, path);
    else
      report("%s/%s: a save of %s was cut short there; cannot remove it: %s", dir, n, path,
             strerror(errno));
  }
  if (dh) closedir(dh);
  free(dcopy);
  free(bcopy);
}

/* ---- showing ------------------------------------------------------------------------------ */

/* The question (or checklist) wrapped to the terminal's width, words whole. */
static void show_prompt(const struct term *d, const struct dlg_prompt *p) {
  const kb *k = d->x.k;
  strbuf ids = {0}, t = {0};
  put("\n");
  if (d->show_ids) { /* "[id id] ", never broken (the tests read it) */
    sb_puts(&ids, "[");
    for (int i = 0; i < p->n; i++) sb_printf(&ids, "%s%s", i ? " " : "", k->q[p->q[i]].id);
    sb_puts(&ids, "] ");
  }
  out_wrap_hang(&t, p->group < 0 ? k->q[p->q[0]].text : d->x.sk->g[p->group].text, ids.s ? ids.s : "", "",
                columns);
  put(t.s);
  sb_free(&ids);
  sb_free(&t);
  if (p->group < 0) return;
  const struct screen_group *g = &d->x.sk->g[p->group];
  for (int i = 0; i < p->n; i++)
    for (int m = 0; m < g->nm; m++)
      if (g->m[m].q == p->q[i]) {
        strbuf line = {0};
        out_wrap_hang(&line, g->m[m].phrase, "  - ", "    ", columns);
        put(line.s);
        sb_free(&line);
      }
}

/* The readline prompt: the answers this question takes. */
static char *answer_prompt(const struct question *q) {
  if (q->type == Q_INT) return xasprintf("(%ld-%ld, ?) > ", q->min, q->max);
  if (q->type == Q_CHOICE) {
    strbuf b = {0};
    sb_puts(&b, "(");
    for (int i = 0; i < q->nchoices; i++) sb_printf(&b, "%s/", q->choices[i]);
    sb_puts(&b, "?) > ");
    return b.s;
  }
  return xstrdup("(y/n/?) > ");
}

static void set_completions(struct term *d, const struct question *q) {
  static const char *const commands[] = {"why", "back", "help", "quit", NULL};
  int n = 0;
  if (q->type == Q_BOOL) {
    d->words[n++] = "yes";
    d->words[n++] = "no";
  }
  for (int i = 0; q->type == Q_CHOICE && i < q->nchoices && n < 8; i++) d->words[n++] = q->choices[i];
  d->words[n++] = "unknown";
  for (const char *const *c = commands; *c; c++) d->words[n++] = *c;
  d->words[n] = NULL;
  le_complete_with(d->words);
}

static void show_why(const struct term *d, const struct dlg_prompt *p) {
  const kb *k = d->x.k;
  if (p->group >= 0) {
    const struct screen_group *g = &d->x.sk->g[p->group];
    int red = 0;
    for (int m = 0; m < g->nm; m++) red += k->q[g->m[m].q].red_flag;
    put_wrapped(g->why, "  ");
    put(red == g->nm ? "  These are red-flag questions: nobody is cleared for treatment until they are answered.\n"
        : red ? "  Red-flag questions among them: nobody is cleared for treatment until they are answered.\n"
                : "  A yes to any of them is followed by a closer question about each.\n");
    return;
  }
  put_wrapped(k->q[p->q[0]].why, "  ");
  if (k->q[p->q[0]].red_flag)
    put("  It is a red-flag question: nobody is cleared for treatment until it is answered.\n");
  else if (k->q[p->q[0]].safety)
    put("  It is a treatment-safety question: nobody is cleared for treatment until it is answered.\n");
  if (p->ask && p->ask->nconcerns) {
    put("  Your answer helps rule in or out:\n");
    for (int i = 0; i < p->ask->nconcerns; i++) {
      const struct concern_def *c = &k->c[p->ask->concerns[i]];
      printf("  - %s (%s)\n", c->title, level_name(c->level));
    }
  }
}

/* The answers question q takes, in words, into buf; returns buf. */
static const char *answer_hint(const struct question *q, char *buf, size_t n) {
  if (q->type == Q_BOOL)
    snprintf(buf, n, "y (yes), n (no) or ? (don't know)");
  else if (q->type == Q_INT)
    snprintf(buf, n, "with a whole number from %ld to %ld, or ? (don't know)", q->min, q->max);
  else
    snprintf(buf, n, "with one of the choices shown (the first letters are enough), or ? (don't know)");
  return buf;
}

static void show_help(const struct term *d, const struct dlg_prompt *p) {
  const struct question *q = &d->x.k->q[p->q[0]];
  char hint[128];
  if (p->group >= 0)
    put("  Answer y if any of the listed items applies (each is then asked on its own), n if\n"
        "  none does, or ? if you are not sure (each is then asked on its own).\n");
  else {
    put_wrapped(q->help, "  ");
    printf("  Answer %s.\n", answer_hint(q, hint, sizeof hint));
  }
  put("  Commands:  why   why this question is asked\n"
      "             back  change the previous answer\n"
      "             help  this text\n"
      "             quit  stop now; your answers are kept and you can resume later\n"
      "  Ctrl-D stops too, Ctrl-C interrupts: the answers given are never lost.\n");
  if (d->unsaved)
    printf("  But your answers are NOT saved at the moment: %s could not be written (%s).\n",
           d->path, d->save_error);
}

/* ---- asking ------------------------------------------------------------------------------- */

/* Undoes the last step, saying what it was; returns 0, or -1 if there is none. */
static int go_back(struct term *d) {
  if (d->x.nsteps == 0) return -1;
  const struct dlg_step *s = &d->x.steps[d->x.nsteps - 1];
  char buf[32];
  if (s->n == 0 && s->group >= 0) printf("  Going back to the checklist \"%s\".\n", d->x.sk->g[s->group].text);
  for (int i = 0; i < s->n; i++) {
    const struct question *q = &d->x.k->q[s->q[i]];
    printf("  Going back to: %s (you answered: %s)\n", q->text,
           dlg_answer_text(q, &d->x.c.a[s->q[i]], buf, sizeof buf));
  }
  dlg_back(&d->x);
  return 0;
}

/* Records a valid answer a to prompt p as one step. */
static void record(struct term *d, const struct dlg_prompt *p, struct answer a) {
  dlg_answer(&d->x, p, a);
  if (p->group >= 0 && a.state != ANS_NO)
    put(a.state == ANS_YES ? "  Which ones? One at a time:\n" : "  Then one at a time:\n");
}

static int is_word(const char *line, const char *w) {
  while (*line == ' ' || *line == '\t') line++;
  size_t n = strlen(w);
  if (strncasecmp(line, w, n)) return 0;
  for (line += n; *line; line++)
    if (*line != ' ' && *line != '\t') return 0;
  return 1;
}

/* Shows prompt p and reads until it gets an answer or a command that leaves it. */
static enum outcome ask(struct term *d, const struct dlg_prompt *p) {
  const struct question *q = &d->x.k->q[p->q[0]];
  show_prompt(d, p);
  set_completions(d, q);
  char *hint = answer_prompt(q);
  enum outcome out = READ_ERROR;
  for (;;) {
    char *line = NULL;
    enum le_status st = le_read(hint, &line);
    if (st == LE_TOOLONG) {
      printf("  That line is longer than %d bytes: it is not an answer. Please answer again.\n",
             LE_LINE_MAX);
      continue;
    }
    if (st != LE_LINE) {
      out = st == LE_EOF ? STOPPED : st == LE_INTERRUPT ? INTERRUPTED : READ_ERROR;
      break;
    }
    struct answer a;
    char err[256];
    if (is_word(line, "why")) {
      show_why(d, p);
    } else if (is_word(line, "help")) {
      show_help(d, p);
    } else if (is_word(line, "quit") || is_word(line, "exit")) {
      out = STOPPED;
    } else if (is_word(line, "back")) {
      if (go_back(d) == 0)
        out = WENT_BACK;
      else
        put("  This is the first question: there is nothing to go back to.\n");
    } else if (case_parse_answer(d->x.k, p->q[0], line, &a, err, sizeof err) == 0) {
      record(d, p, a);
      out = ASKED;
    } else {
      const char *w = line + strspn(line, " \t");
      const char *near = q->type == Q_CHOICE ? closest_word(w, q->choices, (size_t)q->nchoices) : NULL;
      char words[128];
      if (!*w)
        printf("  Please answer %s", answer_hint(q, words, sizeof words));
      else
        printf("  Sorry, \"%.40s\" is not an answer here: please answer %s", w,
               answer_hint(q, words, sizeof words));
      if (near) printf(" (did you mean \"%s\"?)", near);
      put(". Type help for more.\n");
    }
    free(line);
    if (out != READ_ERROR) break;
  }
  free(hint);
  le_complete_with(NULL);
  return out;
}

/* ---- the loop ------------------------------------------------------------------------------ */

static void show_result(struct term *d) {
  struct result r;
  result_init(&r, d->x.k);
  if (engine_eval(d->x.e, &d->x.c, MODE_EVAL, 0, &r) < 0) {
    report("engine: %s", r.error);
    result_free(&r);
    return;
  }
  strbuf b = {0};
  sb_puts(&b, "\n");
  if (d->x.mode == MODE_SCREEN) /* the desk's level: the screen's own, which does not wait for
                                 the treatment-safety questions (principle P5), never a
                                 treatment level */
    out_desk_record(&b, d->x.k, d->x.c.id, &r, d->x.r.disposition, d->x.sk->verdict[d->x.r.disposition], d->style);
  else
    out_record(&b, FMT_TEXT, d->x.k, d->x.c.id, &r, NULL, d->style);
  put(b.s);
  sb_free(&b);
  result_free(&r);
}

/* A notice in the level's colour, wrapped to the terminal. */
static void announce(const struct term *d, enum level l, const char *text) {
  const char *on = d->color ? level_color(l) : "", *off = d->color ? "\033[0m" : "";
  printf("\n%s", on);
  put_wrapped(text, "");
  put(off);
}

static void announce_emergency(const struct term *d) {
  char *t = xasprintf("%s: %s The questions stop here: do not wait for the rest.",
                      d->x.k->levels[LV_EMERGENCY].label, d->x.k->levels[LV_EMERGENCY].action);
  announce(d, LV_EMERGENCY, t);
  free(t);
}

static const char *resume_cmd(const struct term *d) {
  return d->x.mode == MODE_SCREEN ? "screen" : d->x.therapist ? "intake --therapist" : "intake";
}

/* After an intake on a terminal: a key that writes the referral letter for the patient's
 * doctor (eval --format letter) beside the case file, FILE.letter.html. */
static void offer_letter(struct term *d) {
  char *line = NULL;
  if (le_read("(l = a referral letter for the doctor, Enter = done) > ", &line) != LE_LINE || !line ||
      (line[0] != 'l' && line[0] != 'L')) {
    free(line);
    return;
  }
  free(line);
  struct result r;
  result_init(&r, d->x.k);
  struct letterhead *h = letter_open(d->x.k->dir);
  size_t n = strlen(d->path);
  char *out = n > 5 && !strcmp(d->path + n - 5, ".json") ? xasprintf("%.*s.letter.html", (int)(n - 5), d->path)
                                                         : xasprintf("%s.letter.html", d->path);
  if (h && engine_eval(d->x.e, &d->x.c, MODE_EVAL, 0, &r) == 0) {
    strbuf b = {0};
    letter_begin(&b);
    letter_case(&b, d->x.k, h, d->x.c.id, &d->x.c, &r);
    letter_end(&b);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0 && write_all(fd, b.s, b.len) == 0 && fsync(fd) == 0 && close(fd) == 0)
      printf("The letter is in %s: open it in a browser and print it.\n", out);
    else {
      report("%s: cannot write the letter: %s", out, strerror(errno));
      if (fd >= 0) close(fd);
    }
    sb_free(&b);
  }
  letter_close(h);
  result_free(&r);
  free(out);
}

/* The end of a dialogue whose last save failed: said plainly (the file holds an older
 * state), and on a terminal a key to try again (after freeing space, say).  Returns 1
 * if the answers are saved after all. */
static int end_unsaved(struct term *d) {
  report("%s: the answers are NOT saved: %s", d->path, d->save_error);
  int n = count_answers(d);
  char *t = xasprintf("Your answers are NOT saved: %s could not be saved (%s). It may hold only "
                      "what was saved before (%d answer%s), not the %d answer%s given.", d->path,
                      d->save_error, d->saved_answers, d->saved_answers == 1 ? "" : "s", n,
                      n == 1 ? "" : "s");
  put("\n");
  put_wrapped(t, "");
  free(t);
  while (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
    char *line = NULL;
    enum le_status st = le_read("(Enter = try to save them again, q = leave them unsaved) > ", &line);
    char c = st == LE_LINE ? line[strspn(line, " \t")] : 'q';
    int again = c != 'q' && c != 'Q';
    free(line);
    if (!again) break;
    if (save_case(d) == 0) return 1;
    printf("  Still NOT saved: %s.\n", d->save_error);
  }
  return 0;
}

/* Runs the dialogue to its end, a stop or an error; returns the exit status.  The
 * answers were saved once before it starts. */
static int run(struct term *d) {
  d->asking = 1;
  for (;;) {
    if (dlg_eval(&d->x) < 0) {
      report("engine: %s", d->x.r.error);
      save_case(d);
      return EXIT_SOFTWARE;
    }
    if (dlg_emergency(&d->x)) {
      announce_emergency(d);
      break;
    }
    if (d->x.r.disposition == LV_URGENT && !d->urgent_said) {
      char *t = xasprintf("%s: this already needs a doctor today. The remaining questions help the "
                          "doctor; type quit to stop here (%s).", d->x.k->levels[LV_URGENT].label,
                          d->unsaved ? "the result is shown, but the answers are NOT saved"
                                     : "the answers are saved and the result is shown");
      announce(d, LV_URGENT, t);
      free(t);
      d->urgent_said = 1;
    }
    struct dlg_prompt p;
    if (!dlg_next(&d->x, &p)) break;
    enum outcome o = ask(d, &p);
    int err = errno; /* of a read error, before saving */
    save_case(d);
    if (o == ASKED || o == WENT_BACK) continue;
    if (o == READ_ERROR) {
      report("reading the answers: %s", strerror(err));
      if (d->unsaved) end_unsaved(d);
      return EXIT_IOERR;
    }
    int sig = le_signal();
    if (o == STOPPED && d->x.r.disposition <= LV_URGENT) show_result(d); /* leave with it */
    const char *how = o == INTERRUPTED ? "Interrupted" : "Stopped";
    if (d->unsaved) {
      printf("\n%s.\n", how);
      if (!end_unsaved(d)) return EXIT_IOERR;
    }
    printf("\n%s. Your answers so far are saved in %s.\nTo continue: %s %s --resume %s\n", how,
           d->path, PROGNAME, resume_cmd(d), d->path);
    if (o == INTERRUPTED) return sig == SIGINT || !sig ? EXIT_INTERRUPTED : 128 + sig;
    return EXIT_UNFINISHED;
  }
  save_case(d);
  show_result(d);
  if (d->unsaved && !end_unsaved(d)) return EXIT_IOERR;
  printf("Answers saved in %s (`%s eval %s` gives this same result).\n", d->path, PROGNAME, d->path);
  if (d->x.mode == MODE_SCREEN && d->x.r.disposition >= LV_INCOMPLETE)
    printf("At the first visit, `%s intake --resume %s` asks the remaining questions.\n", PROGNAME,
           d->path);
  if (d->x.mode == MODE_INTAKE && !d->x.therapist && d->x.r.disposition >= LV_INCOMPLETE)
    printf("Therapist: to add your examination findings, run `%s intake --therapist --resume %s`.\n",
           PROGNAME, d->path);
  if (d->x.mode == MODE_INTAKE && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) offer_letter(d);
  return EXIT_OK;
}

/* ---- setting up ---------------------------------------------------------------------------- */

#define RESUME_MAX (64u << 20) /* bytes in a file to resume: as a .json case file for eval */

/* Reads the case to resume into d->x.c, its other keys into d->x.doc and its steps.
 * Returns 0 or an exit status, after reporting. */
static int resume(struct term *d, const char *file) {
  size_t len;
  char *text = read_file_max(file, RESUME_MAX, &len), err[1024];
  if (!text && errno == EFBIG) {
    report("%s: larger than %u MiB: not a case file", file, RESUME_MAX >> 20);
    return EXIT_DATA;
  }
  if (!text) {
    report("%s: %s", file, strerror(errno));
    return errno == ENOENT || errno == ENOTDIR ? EXIT_NOINPUT : EXIT_IOERR;
  }
  json_t *doc;
  int rc = dlg_read(d->x.k, file, text, len, &d->x.c, &doc, err, sizeof err);
  free(text);
  if (rc == 0) rc = dlg_load(&d->x, doc, file, 1, err, sizeof err); /* resumed: re-ask don't-knows */
  json_decref(doc);
  if (rc) {
    report("%s", err);
    return EXIT_DATA;
  }
  return 0;
}

/* A case id or file-name part from --id: 1-64 letters, digits, '.', '_' or '-', not
 * starting with '.' or '-'. */
static int valid_case_id(const char *s) {
  size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
  return n > 0 && n <= 64 && !s[n] && s[0] != '.' && s[0] != '-';
}

/* Reserves the file the answers go to, so that no other patient's answers are ever saved
 * over it: an explicit --save FILE must not exist (unless --force); the default name
 * MODE-[ID-]YYYYmmdd-HHMMSS.json gets -2, -3 ... when taken, even by an intake started the
 * same second (O_EXCL).  Sets d->path (and the case id from the name when none was
 * given).  Returns 0 or an exit status, after reporting. */
static int claim_path(struct term *d, const char *save, const char *id, int force) {
  if (save) {
    int fd = open(save, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST && force) {
      struct stat st;
      if (lstat(save, &st) == 0 && !S_ISREG(st.st_mode)) {
        report("%s: cannot save the answers: not a regular file", save);
        return EXIT_IOERR;
      }
    } else if (fd < 0 && errno == EEXIST) {
      report("%s exists: to continue it use --resume %s; to replace it, --force", save, save);
      return EXIT_CANTCREAT;
    } else if (fd < 0) {
      report("%s: cannot save the answers: %s", save, strerror(errno));
      return EXIT_IOERR;
    } else {
      close(fd);
      d->created = 1;
    }
    d->path = xstrdup(save);
    return 0;
  }
  char stamp[32];
  time_t now = time(NULL);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
  for (int n = 1; n <= 1000; n++) {
    char *base = n == 1 ? xasprintf("%s-%s%s%s", dlg_mode_names[d->x.mode], id ? id : "", id ? "-" : "", stamp)
                        : xasprintf("%s-%s%s%s-%d", dlg_mode_names[d->x.mode], id ? id : "", id ? "-" : "", stamp, n);
    char *path = xasprintf("%s.json", base);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      close(fd);
      d->created = 1;
      d->path = path;
      if (!id) {
        free(d->x.c.id);
        d->x.c.id = base;
      } else {
        free(base);
      }
      return 0;
    }
    free(path);
    free(base);
    if (errno != EEXIST) {
      report("cannot create a file for the answers in the current directory: %s", strerror(errno));
      return EXIT_IOERR;
    }
  }
  report("cannot find a free file name for the answers in the current directory");
  return EXIT_CANTCREAT;
}

static int dialogue_main(struct ctx *ctx, int argc, char **argv, enum mode mode) {
  struct term d = {0};
  const char *save = NULL, *from = NULL, *id = NULL;
  int force = 0, therapist = 0;
  struct timespec start;
  clock_gettime(CLOCK_REALTIME, &start);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--therapist") && mode == MODE_INTAKE)
      therapist = 1;
    else if (!strcmp(a, "--show-ids"))
      d.show_ids = 1;
    else if (!strcmp(a, "--save") && i + 1 < argc)
      save = argv[++i];
    else if (!strcmp(a, "--resume") && i + 1 < argc)
      from = argv[++i];
    else if (!strcmp(a, "--id") && i + 1 < argc)
      id = argv[++i];
    else if (!strcmp(a, "--force"))
      force = 1;
    else if (!ctx_common_option(ctx, argc, argv, &i))
      return cmd_usage(ctx, "unknown argument '%s'", a);
  }
  if (id && !valid_case_id(id))
    return cmd_usage(ctx, "--id takes 1-64 letters, digits, '.', '_' or '-', not '%s'", id);
  if (id && from) return cmd_usage(ctx, "--id names a new case; a resumed case keeps its id");
  int status = ctx_load_kb(ctx);
  if (status) return status;
  if (mode == MODE_SCREEN && !(d.screen = screenkb_load(ctx->k, ctx->kb_dir))) return EXIT_SOFTWARE;
  struct engine *e = engine_open(ctx->k, ctx->rules_dir, ENGINE_DIALOGUE);
  if (!e) {
    screenkb_free(d.screen);
    return EXIT_SOFTWARE;
  }
  dlg_init(&d.x, ctx->k, d.screen, e, mode, therapist);
  const char *nc = getenv("NO_COLOR");
  d.color = isatty(STDOUT_FILENO) && !(nc && *nc);
  int width = out_term_width(STDOUT_FILENO);
  columns = width ? width : 88;
  d.style = (d.color ? OUT_COLOR : 0) | (d.show_ids ? OUT_SHOW_IDS : 0) | OUT_WIDTH(width);
  if (from && (status = resume(&d, from))) goto done;
  if (!from) {
    char stamp[32];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
    d.x.c.id = id ? xstrdup(id) : xasprintf("%s-%s", dlg_mode_names[mode], stamp);
  }
  if (from && (!save || !strcmp(save, from)))
    d.path = xstrdup(from);
  else if ((status = claim_path(&d, save, id, force)))
    goto done;
  if (from || save) remove_stale_temporaries(d.path, &start);
  if (save_case(&d) < 0) { /* fail before the questions, not after them */
    if (d.created) unlink(d.path);
    status = EXIT_IOERR;
    goto done;
  }
  char *intro =
      mode == MODE_SCREEN
          ? xasprintf("%s screen: the front-desk red-flag screen (emergency now / see a doctor "
                      "today / see a doctor before booking / fine to book).", PROGNAME)
          : xasprintf("%s intake: questions about back, hip and groin pain, red flags first%s.",
                      PROGNAME, therapist ? ", then the therapist's findings" : "");
  put_wrapped(intro, "");
  free(intro);
  intro = xasprintf("Answer y (yes), n (no) or ? (don't know); at any question you can type why, "
                    "back, help or quit.  Answers are saved as you go in %s.", d.path);
  put_wrapped(intro, "");
  free(intro);
  if (from) {
    int n = 0;
    for (int i = 0; i < d.x.k->nq; i++) n += d.x.c.a[i].state != ANS_NONE;
    printf("Resuming %s: %d answer%s so far.\n", from, n, n == 1 ? "" : "s");
  }
  le_open();
  status = run(&d);
  le_close();
done:
  free(d.path);
  dlg_free(&d.x);
  engine_close(e);
  screenkb_free(d.screen);
  return status;
}

int cmd_intake(struct ctx *ctx, int argc, char **argv) { return dialogue_main(ctx, argc, argv, MODE_INTAKE); }
int cmd_screen(struct ctx *ctx, int argc, char **argv) { return dialogue_main(ctx, argc, argv, MODE_SCREEN); }
