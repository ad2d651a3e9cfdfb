/* intake.c -- the guided intake and the front-desk screen (see intake.h).
 *
 * One loop for both: evaluate the case so far; stop at an emergency; otherwise take the
 * first question the rules ask for that has no answer yet (in screen mode, related red
 * flags are asked together as a checklist from kb/screen.json); read the answer (or
 * why / back / help / quit); save; repeat.  Every prompt answered is a step, so `back`
 * can undo exactly one prompt.  The dialogue's steps are saved with the answers under
 * the case file's "dialogue" key, which eval ignores. */
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

#include "engine.h"
#include "letter.h"
#include "lineedit.h"
#include "output.h"
#include "screenkb.h"
#include "tcase.h"
#include "util.h"

#define STEP_MAX SCREEN_GROUP_MAX /* questions one prompt can answer (a checklist group) */

/* One prompt answered: the questions it set (to undo them), or a yes / don't-know to a
 * checklist group, which sets nothing and opens the group's members (n == 0). */
struct step {
  int group; /* index into the screenkb, or -1 */
  int n;
  int q[STEP_MAX];
};

/* What to ask next: one question, or a checklist group with its members to ask. */
struct prompt {
  int group;       /* -1: the single question q[0] */
  int n;
  int q[STEP_MAX];
  const struct rask *ask; /* the rules' request for q[0] (its reason and concerns) */
};

struct dialogue {
  const kb *k;
  screenkb *sk;          /* screen mode only */
  struct engine *e;
  enum mode mode;
  int therapist, show_ids, color;
  struct tcase c;
  struct result r;
  char *path;            /* where the answers are saved (owned) */
  int created;           /* path was created empty by this dialogue (claim_path) */
  json_t *doc;           /* the resumed file: the saved file keeps its other keys */
  int asking;            /* the questions have begun (a failed save is said on screen) */
  int unsaved;           /* the last save failed: the file holds an older state */
  int saved_answers;     /* answers in the file as last saved */
  char save_error[128];  /* why the last save failed */
  struct step *steps;
  int nsteps, capsteps;
  unsigned char *opened; /* per group: a yes or don't-know to it, members still to ask */
  unsigned char *reask;  /* per question: "don't know" in the resumed file, asked again */
  int style;             /* how the result is shown (output.h: colour, ids, width) */
  int urgent_said;       /* the "already needs a doctor today" notice was shown */
  const char *words[16]; /* tab completion for the current prompt */
};

enum outcome { ASKED, WENT_BACK, STOPPED, INTERRUPTED, READ_ERROR };

static const char *const mode_names[] = {"eval", "intake", "screen"};

static void put(const char *s) { fputs(s, stdout); }

static int columns = 88; /* the terminal's width (out_term_width), or 88 */

static void put_wrapped(const char *text, const char *indent) {
  strbuf b = {0};
  out_wrap(&b, text, indent, columns);
  put(b.s);
  sb_free(&b);
}

/* ---- saving ------------------------------------------------------------------------------- */

/* The steps as strings: "age" (one question), "nerves: saddle_numbness bladder_change"
 * (a checklist answered no), "nerves:" (a checklist answered yes or don't know). */
static json_t *steps_json(const struct dialogue *d) {
  json_t *arr = json_array();
  strbuf b = {0};
  for (int i = 0; i < d->nsteps; i++) {
    const struct step *s = &d->steps[i];
    sb_clear(&b);
    if (s->group >= 0) sb_printf(&b, "%s:", d->sk->g[s->group].id);
    for (int j = 0; j < s->n; j++) sb_printf(&b, "%s%s", j || s->group >= 0 ? " " : "", d->k->q[s->q[j]].id);
    json_array_append_new(arr, json_string(b.s ? b.s : ""));
  }
  sb_free(&b);
  return arr;
}

static int count_answers(const struct dialogue *d) {
  int n = 0;
  for (int i = 0; i < d->k->nq; i++) n += d->c.a[i].state != ANS_NONE;
  return n;
}

char *intake_case_text(const kb *k, const struct tcase *c, const json_t *doc, json_t *dialogue) {
  /* a shallow copy: updating it replaces the values of keys it has in place, so the
   * keys keep their order (jansson keeps insertion order) and new ones come last */
  json_t *o = doc ? json_copy((json_t *)doc) : json_object(), *ours = case_to_json(k, c);
  if (dialogue) json_object_set_new(ours, "dialogue", dialogue);
  json_object_update(o, ours);
  json_decref(ours);
  char *text = json_dumps(o, JSON_INDENT(2));
  json_decref(o);
  if (!text) return NULL;
  char *out = xasprintf("%s\n", text);
  free(text);
  return out;
}

static char *case_text(const struct dialogue *d) {
  json_t *dl = json_object();
  json_object_set_new(dl, "mode", json_string(mode_names[d->mode]));
  json_object_set_new(dl, "steps", steps_json(d));
  return intake_case_text(d->k, &d->c, d->doc, dl);
}

/* Saves the answers (replace_file: atomic and durable).  Returns 0, or -1 when the file
 * could not be written: it then holds what the last good save wrote.  The first failure
 * of a run of them is reported, and said on the screen once the questions have begun
 * (they go on: a clinic may still want the result); every later answer saves again, and
 * a save that works again says so. */
static int save_case(struct dialogue *d) {
  const char *why = NULL;
  struct stat st;
  if (lstat(d->path, &st) == 0 && !S_ISREG(st.st_mode)) {
    why = "not a regular file";
  } else {
    char *text = case_text(d);
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

/* ---- steps ---------------------------------------------------------------------------------- */

static struct step *push_step(struct dialogue *d, int group) {
  if (d->nsteps == d->capsteps) {
    d->capsteps = d->capsteps ? 2 * d->capsteps : 32;
    d->steps = xrealloc(d->steps, sizeof *d->steps * (size_t)d->capsteps);
  }
  struct step *s = &d->steps[d->nsteps++];
  s->group = group;
  s->n = 0;
  return s;
}

/* Restores the steps saved by save_case from a resumed file, keeping only questions
 * that are answered in it; without them, each answer is a step in catalogue order. */
static void load_steps(struct dialogue *d, json_t *saved) {
  json_t *steps = json_object_get(json_object_get(saved, "dialogue"), "steps");
  unsigned char *seen = xcalloc((size_t)d->k->nq + 1, 1);
  size_t i;
  json_t *o;
  json_array_foreach(steps, i, o) {
    const char *text = json_string_value(o);
    if (!text) continue;
    char *copy = xstrdup(text), *words = copy, *colon = strchr(copy, ':'), *save = NULL;
    int g = -1;
    if (colon) {
      *colon = '\0';
      words = colon + 1;
      for (int x = 0; d->sk && x < d->sk->ng; x++)
        if (!strcmp(d->sk->g[x].id, copy)) g = x;
    }
    struct step *s = push_step(d, g);
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
      int qi = kb_question(d->k, w);
      if (qi >= 0 && d->c.a[qi].state != ANS_NONE && !seen[qi] && s->n < STEP_MAX) {
        seen[qi] = 1;
        s->q[s->n++] = qi;
      }
    }
    free(copy);
    if (s->n == 0 && g >= 0)
      d->opened[g] = 1;
    else if (s->n == 0)
      d->nsteps--;
  }
  for (int qi = 0; qi < d->k->nq; qi++)
    if (d->c.a[qi].state != ANS_NONE && !seen[qi]) {
      struct step *s = push_step(d, -1);
      s->q[s->n++] = qi;
    }
  free(seen);
}

/* ---- choosing the next prompt ------------------------------------------------------------ */

static const struct rask *pending_ask(const struct dialogue *d, int qi) {
  if (d->c.a[qi].state != ANS_NONE && !(d->c.a[qi].state == ANS_UNKNOWN && d->reask[qi])) return NULL;
  for (int i = 0; i < d->r.nask; i++)
    if (d->r.ask[i].question == qi) return &d->r.ask[i];
  return NULL;
}

/* 1 if the rules ask a question before an emergency is final (reason "confirm": its
 * answer can withdraw the emergency, e.g. how a sudden pain began). */
static int confirm_pending(const struct dialogue *d) {
  for (int i = 0; i < d->r.nask; i++)
    if (!strcmp(d->r.ask[i].reason, "confirm") && pending_ask(d, d->r.ask[i].question)) return 1;
  return 0;
}

/* The next prompt into p: the first question the rules ask for that has no answer yet
 * (never one answered "don't know").  In screen mode: the members of an opened group
 * come first; otherwise two or more unanswered members of a group wanted by the rules
 * are asked as one checklist.  Returns 0 when nothing is left to ask. */
static int next_prompt(const struct dialogue *d, struct prompt *p) {
  const screenkb *sk = d->mode == MODE_SCREEN ? d->sk : NULL;
  p->group = -1;
  p->n = 0;
  p->ask = NULL;
  if (sk) { /* an opened (or partly answered) group: its next member */
    for (int i = 0; i < d->r.nask && !p->ask; i++) {
      int qi = d->r.ask[i].question, g = sk->group_of[qi];
      if (g < 0 || !pending_ask(d, qi)) continue;
      int answered = 0;
      for (int m = 0; m < sk->g[g].nm; m++) answered |= d->c.a[sk->g[g].m[m].q].state != ANS_NONE;
      if (d->opened[g] || answered) p->ask = &d->r.ask[i];
    }
  }
  for (int i = 0; i < d->r.nask && !p->ask; i++)
    if (pending_ask(d, d->r.ask[i].question)) p->ask = &d->r.ask[i];
  if (!p->ask) return 0;
  int qi = p->ask->question, g = sk ? sk->group_of[qi] : -1;
  if (g >= 0 && !d->opened[g]) {
    for (int m = 0; m < sk->g[g].nm && p->n < STEP_MAX; m++)
      if (pending_ask(d, sk->g[g].m[m].q)) p->q[p->n++] = sk->g[g].m[m].q;
    if (p->n >= 2) {
      p->group = g;
      return 1;
    }
  }
  p->n = 1;
  p->q[0] = qi;
  return 1;
}

/* ---- showing ------------------------------------------------------------------------------ */

/* The question (or checklist) wrapped to the terminal's width, words whole. */
static void show_prompt(const struct dialogue *d, const struct prompt *p) {
  const kb *k = d->k;
  strbuf ids = {0}, t = {0};
  put("\n");
  if (d->show_ids) { /* "[id id] ", never broken (the tests read it) */
    sb_puts(&ids, "[");
    for (int i = 0; i < p->n; i++) sb_printf(&ids, "%s%s", i ? " " : "", k->q[p->q[i]].id);
    sb_puts(&ids, "] ");
  }
  out_wrap_hang(&t, p->group < 0 ? k->q[p->q[0]].text : d->sk->g[p->group].text, ids.s ? ids.s : "", "",
                columns);
  put(t.s);
  sb_free(&ids);
  sb_free(&t);
  if (p->group < 0) return;
  const struct screen_group *g = &d->sk->g[p->group];
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

static void set_completions(struct dialogue *d, const struct question *q) {
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

static void show_why(const struct dialogue *d, const struct prompt *p) {
  const kb *k = d->k;
  if (p->group >= 0) {
    const struct screen_group *g = &d->sk->g[p->group];
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

static void show_help(const struct dialogue *d, const struct prompt *p) {
  const struct question *q = &d->k->q[p->q[0]];
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

/* "yes", "no", "don't know", the number or the choice. */
static const char *answer_text(const struct question *q, const struct answer *a, char *buf, size_t n) {
  switch (a->state) {
  case ANS_YES: return "yes";
  case ANS_NO: return "no";
  case ANS_UNKNOWN: return "don't know";
  case ANS_VALUE:
    if (q->type == Q_CHOICE) return q->choices[a->value];
    snprintf(buf, n, "%ld", a->value);
    return buf;
  default: return "no answer";
  }
}

/* ---- asking ------------------------------------------------------------------------------- */

/* Undoes the last step; returns 0, or -1 if there is none. */
static int go_back(struct dialogue *d) {
  if (d->nsteps == 0) return -1;
  struct step *s = &d->steps[--d->nsteps];
  char buf[32];
  if (s->n == 0 && s->group >= 0) {
    d->opened[s->group] = 0;
    printf("  Going back to the checklist \"%s\".\n", d->sk->g[s->group].text);
  }
  for (int i = 0; i < s->n; i++) {
    const struct question *q = &d->k->q[s->q[i]];
    printf("  Going back to: %s (you answered: %s)\n", q->text,
           answer_text(q, &d->c.a[s->q[i]], buf, sizeof buf));
    d->c.a[s->q[i]].state = ANS_NONE;
    d->c.a[s->q[i]].value = 0;
  }
  return 0;
}

/* Records a valid answer a to prompt p as one step. */
static void record(struct dialogue *d, const struct prompt *p, struct answer a) {
  struct step *s = push_step(d, p->group);
  if (p->group >= 0 && a.state != ANS_NO) {
    d->opened[p->group] = 1; /* yes or don't know: each member on its own */
    put(a.state == ANS_YES ? "  Which ones? One at a time:\n" : "  Then one at a time:\n");
    return;
  }
  for (int i = 0; i < p->n; i++) {
    d->c.a[p->q[i]] = a;
    s->q[s->n++] = p->q[i];
  }
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
static enum outcome ask(struct dialogue *d, const struct prompt *p) {
  const struct question *q = &d->k->q[p->q[0]];
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
    } else if (case_parse_answer(d->k, p->q[0], line, &a, err, sizeof err) == 0) {
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

static void show_result(struct dialogue *d) {
  struct result r;
  result_init(&r, d->k);
  if (engine_eval(d->e, &d->c, MODE_EVAL, 0, &r) < 0) {
    report("engine: %s", r.error);
    result_free(&r);
    return;
  }
  strbuf b = {0};
  sb_puts(&b, "\n");
  if (d->mode == MODE_SCREEN) /* the desk's level: the screen's own, which does not wait for
                                 the treatment-safety questions (principle P5), never a
                                 treatment level */
    out_desk_record(&b, d->k, d->c.id, &r, d->r.disposition, d->sk->verdict[d->r.disposition], d->style);
  else
    out_record(&b, FMT_TEXT, d->k, d->c.id, &r, NULL, d->style);
  put(b.s);
  sb_free(&b);
  result_free(&r);
}

/* A notice in the level's colour, wrapped to the terminal. */
static void announce(const struct dialogue *d, enum level l, const char *text) {
  const char *on = d->color ? level_color(l) : "", *off = d->color ? "\033[0m" : "";
  printf("\n%s", on);
  put_wrapped(text, "");
  put(off);
}

static void announce_emergency(const struct dialogue *d) {
  char *t = xasprintf("%s: %s The questions stop here: do not wait for the rest.",
                      d->k->levels[LV_EMERGENCY].label, d->k->levels[LV_EMERGENCY].action);
  announce(d, LV_EMERGENCY, t);
  free(t);
}

static const char *resume_cmd(const struct dialogue *d) {
  return d->mode == MODE_SCREEN ? "screen" : d->therapist ? "intake --therapist" : "intake";
}

/* After an intake on a terminal: a key that writes the referral letter for the patient's
 * doctor (eval --format letter) beside the case file, FILE.letter.html. */
static void offer_letter(struct dialogue *d) {
  char *line = NULL;
  if (le_read("(l = a referral letter for the doctor, Enter = done) > ", &line) != LE_LINE || !line ||
      (line[0] != 'l' && line[0] != 'L')) {
    free(line);
    return;
  }
  free(line);
  struct result r;
  result_init(&r, d->k);
  struct letterhead *h = letter_open(d->k->dir);
  size_t n = strlen(d->path);
  char *out = n > 5 && !strcmp(d->path + n - 5, ".json") ? xasprintf("%.*s.letter.html", (int)(n - 5), d->path)
                                                         : xasprintf("%s.letter.html", d->path);
  if (h && engine_eval(d->e, &d->c, MODE_EVAL, 0, &r) == 0) {
    strbuf b = {0};
    letter_begin(&b);
    letter_case(&b, d->k, h, d->c.id, &d->c, &r);
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
static int end_unsaved(struct dialogue *d) {
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
static int run(struct dialogue *d) {
  d->asking = 1;
  for (;;) {
    if (engine_eval(d->e, &d->c, d->mode, d->therapist, &d->r) < 0) {
      report("engine: %s", d->r.error);
      save_case(d);
      return EXIT_SOFTWARE;
    }
    if (d->r.disposition == LV_EMERGENCY && !confirm_pending(d)) {
      announce_emergency(d);
      break;
    }
    if (d->r.disposition == LV_URGENT && !d->urgent_said) {
      char *t = xasprintf("%s: this already needs a doctor today. The remaining questions help the "
                          "doctor; type quit to stop here (%s).", d->k->levels[LV_URGENT].label,
                          d->unsaved ? "the result is shown, but the answers are NOT saved"
                                     : "the answers are saved and the result is shown");
      announce(d, LV_URGENT, t);
      free(t);
      d->urgent_said = 1;
    }
    struct prompt p;
    if (!next_prompt(d, &p)) break;
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
    if (o == STOPPED && d->r.disposition <= LV_URGENT) show_result(d); /* leave with it */
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
  if (d->mode == MODE_SCREEN && d->r.disposition >= LV_INCOMPLETE)
    printf("At the first visit, `%s intake --resume %s` asks the remaining questions.\n", PROGNAME,
           d->path);
  if (d->mode == MODE_INTAKE && !d->therapist && d->r.disposition >= LV_INCOMPLETE)
    printf("Therapist: to add your examination findings, run `%s intake --therapist --resume %s`.\n",
           PROGNAME, d->path);
  if (d->mode == MODE_INTAKE && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) offer_letter(d);
  return EXIT_OK;
}

/* ---- setting up ---------------------------------------------------------------------------- */

int intake_read_resume(const kb *k, const char *name, const char *text, size_t len, struct tcase *c,
                       json_t **doc, char *err, size_t errlen) {
  json_error_t je;
  *doc = NULL;
  json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!j) {
    snprintf(err, errlen, "%s:%d: %s", name, je.line, case_json_reason(&je));
    return EXIT_DATA;
  }
  char why[512];
  if (case_from_json(k, j, c, name, why, sizeof why) < 0) {
    snprintf(err, errlen, "%s: case %s: %s", name, c->id, why);
    json_decref(j);
    return EXIT_DATA;
  }
  /* A questionnaire asks what nobody answered, whatever a batch key says. */
  c->unanswered_no = 0;
  *doc = j;
  return 0;
}

#define RESUME_MAX (64u << 20) /* bytes in a file to resume: as a .json case file for eval */

/* Reads the case to resume into d->c, its other keys into d->doc and its steps.
 * Returns 0 or an exit status, after reporting. */
static int resume(struct dialogue *d, const char *file) {
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
  int status = intake_read_resume(d->k, file, text, len, &d->c, &d->doc, err, sizeof err);
  free(text);
  if (status) {
    report("%s", err);
    return status;
  }
  load_steps(d, d->doc);
  /* the "don't know" answers are asked once more (the rules ask the required ones first) */
  for (int i = 0; i < d->k->nq; i++) d->reask[i] = d->c.a[i].state == ANS_UNKNOWN;
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
static int claim_path(struct dialogue *d, const char *save, const char *id, int force) {
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
    char *base = n == 1 ? xasprintf("%s-%s%s%s", mode_names[d->mode], id ? id : "", id ? "-" : "", stamp)
                        : xasprintf("%s-%s%s%s-%d", mode_names[d->mode], id ? id : "", id ? "-" : "", stamp, n);
    char *path = xasprintf("%s.json", base);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      close(fd);
      d->created = 1;
      d->path = path;
      if (!id) {
        free(d->c.id);
        d->c.id = base;
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
  struct dialogue d = {0};
  const char *save = NULL, *from = NULL, *id = NULL;
  int force = 0;
  struct timespec start;
  clock_gettime(CLOCK_REALTIME, &start);
  d.mode = mode;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--therapist") && mode == MODE_INTAKE)
      d.therapist = 1;
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
  d.k = ctx->k;
  if (mode == MODE_SCREEN && !(d.sk = screenkb_load(d.k, ctx->kb_dir))) return EXIT_SOFTWARE;
  if (!(d.e = engine_open(d.k, ctx->rules_dir))) {
    screenkb_free(d.sk);
    return EXIT_SOFTWARE;
  }
  result_init(&d.r, d.k);
  case_init(&d.c, d.k);
  d.opened = xcalloc(d.sk ? (size_t)d.sk->ng + 1 : 1, 1);
  d.reask = xcalloc((size_t)d.k->nq + 1, 1);
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
    d.c.id = id ? xstrdup(id) : xasprintf("%s-%s", mode_names[mode], stamp);
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
                      PROGNAME, d.therapist ? ", then the therapist's findings" : "");
  put_wrapped(intro, "");
  free(intro);
  intro = xasprintf("Answer y (yes), n (no) or ? (don't know); at any question you can type why, "
                    "back, help or quit.  Answers are saved as you go in %s.", d.path);
  put_wrapped(intro, "");
  free(intro);
  if (from) {
    int n = 0;
    for (int i = 0; i < d.k->nq; i++) n += d.c.a[i].state != ANS_NONE;
    printf("Resuming %s: %d answer%s so far.\n", from, n, n == 1 ? "" : "s");
  }
  le_open();
  status = run(&d);
  le_close();
done:
  free(d.path);
  json_decref(d.doc);
  free(d.steps);
  free(d.opened);
  free(d.reask);
  case_free(&d.c);
  result_free(&d.r);
  engine_close(d.e);
  screenkb_free(d.sk);
  return status;
}

int cmd_intake(struct ctx *ctx, int argc, char **argv) { return dialogue_main(ctx, argc, argv, MODE_INTAKE); }
int cmd_screen(struct ctx *ctx, int argc, char **argv) { return dialogue_main(ctx, argc, argv, MODE_SCREEN); }
