/* engine.c -- owns CLIPS: environment, rule loading, facts in, conclusions out.
 *
 * Facts are built with the fact API from validated answers, never by formatting input
 * into CLIPS source text.  Per case: clear the error flags, reset, assert, run with a
 * firing limit, read back, and check that the rules' disposition agrees with the
 * levels the kb gives their concerns. */
#include "engine.h"

#include <clips.h>
#include <tmpltutl.h> /* FindSlotPosition */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h> /* memfd_create */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RUN_LIMIT 20000 /* rule firings per case; a correct knowledge base needs < 200 */
#define SYM_CACHE 1024  /* power of two; the host asserts ~250 distinct symbols */
#define SLOT_CACHE 16   /* the template slots the host reads: 11 */

struct engine {
  void *env;
  const kb *k;
  void *t_session, *t_finding, *t_open, *t_required, *t_concern, *t_prec, *t_ind, *t_disp, *t_ask,
      *t_ask_open;
  strbuf out;          /* what the rules or CLIPS wrote to any router */
  const char *loading; /* file being loaded, for parser errors */
  long err_line;
  int parse_errors;
  int f_id, f_value;   /* 0-based positions of finding's id and value slots, or -1 */
  struct {
    void *t;
    const char *name;
    int pos;             /* 0-based, or -1: no such slot */
  } slots[SLOT_CACHE];   /* get_slot's */
  int nslots;
  void *level_sym[LV_COUNT]; /* the level symbols, most severe first (pinned) */
  void **concern_sym;        /* the concern id symbols, indexed like kb->c (pinned) */
  int *concern_at;           /* concern_mask + 1 slots: concern index + 1 of the symbol
                                that hashes there (linear probing), 0 = empty */
  size_t concern_mask;
  int *red, *safety;         /* kb->nq each: the open required questions of a case, */
  int nred, nsafety;         /* as the open-required fact lists them */
  struct engine *next_left;  /* engine_leave's list */
  /* symbols the host asserts, keyed by the address of their (kb or literal) text */
  struct {
    const char *text;
    void *symbol;
  } syms[SYM_CACHE];
};

/* ---- routers: capture everything CLIPS would print ----------------------------------- */

static const char *const captured[] = {"werror", "wwarning", "stdout", "wdisplay",
                                       "wtrace", "wdialog", "wprompt", NULL};

static int rt_query(void *env, const char *name) {
  (void)env;
  for (const char *const *n = captured; *n; n++)
    if (!strcmp(name, *n)) return TRUE;
  return FALSE;
}

static int rt_print(void *env, const char *name, const char *str) {
  struct engine *e = GetEnvironmentContext(env);
  (void)name;
  sb_puts(&e->out, str);
  return TRUE;
}

static void on_parse_error(void *env, const char *file, const char *warning,
                           const char *error, long line) {
  struct engine *e = GetEnvironmentContext(env);
  (void)file;
  (void)warning;
  if (error) {
    e->parse_errors++;
    if (!e->err_line) e->err_line = line;
  }
}

/* ---- host functions: what the rules ask of the knowledge base ------------------------ */

static void *symbol(struct engine *e, const char *value);

/* Argument i of the current call if it is a symbol, else NULL. */
static void *symbol_arg(void *env, int i) {
  DATA_OBJECT a;
  EnvRtnUnknown(env, i, &a);
  return GetType(a) == SYMBOL ? GetValue(a) : NULL;
}

/* 1 for the most severe level (enum level; kb/levels.json must list them in this order),
 * LV_COUNT for the least; 0 for anything that is not a level, e.g. unknown-concern, so a
 * typo can never lower a disposition.  Symbols are compared by address: CLIPS interns them. */
static int level_rank(struct engine *e, void *sym) {
  for (int l = 0; l < LV_COUNT; l++)
    if (e->level_sym[l] == sym) return l + 1;
  return 0;
}

static size_t pointer_hash(const void *p) { return ((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15u; }

/* The index into kb->c of the concern whose id is symbol id, or -1. */
static int concern_of(const struct engine *e, const void *id) {
  for (size_t h = pointer_hash(id);; h++) {
    int c = e->concern_at[h & e->concern_mask] - 1;
    if (c < 0 || e->concern_sym[c] == id) return c;
  }
}

/* (concern-level ID): the level kb/concerns.json gives concern ID; the symbol
 * unknown-concern (more severe than any level, see level_rank) if none. */
static void *fn_concern_level(void *env) {
  struct engine *e = GetEnvironmentContext(env);
  int c = concern_of(e, symbol_arg(env, 1));
  return c < 0 ? symbol(e, "unknown-concern") : e->level_sym[e->k->c[c].level];
}

/* (severity LEVEL): level_rank as an integer, for comparisons in rules. */
static int fn_severity(void *env) {
  return level_rank(GetEnvironmentContext(env), symbol_arg(env, 1));
}

/* (more-severe A B): TRUE if level A is more severe than level B. */
static int fn_more_severe(void *env) {
  struct engine *e = GetEnvironmentContext(env);
  return level_rank(e, symbol_arg(env, 1)) < level_rank(e, symbol_arg(env, 2));
}

/* (concern-at-least ID LEVEL): TRUE if kb/concerns.json gives concern ID the level LEVEL or
 * a more severe one, as (not (more-severe LEVEL (concern-level ID))) would say, in one call
 * instead of three (such a test runs against every concern fact); TRUE for an id the kb
 * lacks (unknown-concern is more severe than any level). */
static int fn_concern_at_least(void *env) {
  struct engine *e = GetEnvironmentContext(env);
  int c = concern_of(e, symbol_arg(env, 1));
  int rank = c < 0 ? 0 : (int)e->k->c[c].level + 1; /* level_rank of its level */
  return rank <= level_rank(e, symbol_arg(env, 2));
}

static int get_slot(struct engine *e, void *fact, const char *slot, DATA_OBJECT *v);

/* (most-severe-concern-level): the most severe level kb/concerns.json gives any concern
 * fact, proceed when there is none, unknown-concern if one's id is not in the kb.  The
 * same as a do-for-all-facts over the concerns with more-severe and concern-level, which
 * cost 3% of a case. */
static void *fn_most_severe_concern_level(void *env) {
  struct engine *e = GetEnvironmentContext(env);
  enum level best = LV_PROCEED;
  for (void *f = EnvGetNextFactInTemplate(env, e->t_concern, NULL); f;
       f = EnvGetNextFactInTemplate(env, e->t_concern, f)) {
    DATA_OBJECT v;
    int c = get_slot(e, f, "id", &v) && GetType(v) == SYMBOL ? concern_of(e, GetValue(v)) : -1;
    if (c < 0) return symbol(e, "unknown-concern");
    if (e->k->c[c].level < best) best = e->k->c[c].level;
  }
  return e->level_sym[best];
}

/* ---- opening ------------------------------------------------------------------------- */

static int clp_filter(const struct dirent *d) {
  size_t n = strlen(d->d_name);
  return d->d_name[0] != '.' && n > 4 && !strcmp(d->d_name + n - 4, ".clp");
}

/* One-line form of CLIPS's multi-line messages: "[PRCCODE3] Undefined variable x ...". */
static void squeeze(char *s) {
  char *w = s;
  int space = 1;
  for (char *r = s; *r; r++) {
    char ch = (*r == '\n' || *r == '\t') ? ' ' : *r;
    if (ch == ' ' && space) continue;
    space = ch == ' ';
    *w++ = ch;
  }
  while (w > s && w[-1] == ' ') w--;
  *w = '\0';
}

static int load_rules(struct engine *e, const char *dir) {
  struct dirent **list = NULL;
  int n = scandir(dir, &list, clp_filter, alphasort);
  if (n < 0) {
    report("%s: %s", dir, strerror(errno));
    return -1;
  }
  int failed = n == 0;
  if (n == 0) report("%s: no rule files (*.clp)", dir);
  for (int i = 0; i < n; i++) {
    char *path = xasprintf("%s/%s", dir, list[i]->d_name);
    sb_clear(&e->out);
    e->loading = path;
    e->err_line = 0;
    e->parse_errors = 0;
    int rc = EnvLoad(e->env, path);
    if (rc == 0) {
      report("%s: cannot open: %s", path, strerror(errno));
      failed = 1;
    } else if (rc != 1 || e->parse_errors) {
      squeeze(e->out.s ? e->out.s : (char *)"");
      report("%s:%ld: %s", path, e->err_line, e->out.len ? e->out.s : "error in a construct");
      failed = 1;
    }
    free(path);
    free(list[i]);
  }
  free(list);
  e->loading = NULL;
  return failed ? -1 : 0;
}

static void *need_template(struct engine *e, const char *name, const char *dir) {
  void *t = EnvFindDeftemplate(e->env, name);
  if (!t) report("%s: the rules define no template '%s' (see rules/00-base.clp)", dir, name);
  return t;
}

/* A new engine with an empty environment, routers and host functions in place (they must
 * exist before rules are parsed or an image is loaded).  NULL on failure. */
static struct engine *engine_new(const kb *k) {
  struct engine *e = xcalloc(1, sizeof *e);
  e->k = k;
  e->env = CreateEnvironment();
  if (!e->env) {
    report("cannot create a CLIPS environment");
    free(e);
    return NULL;
  }
  SetEnvironmentContext(e->env, e);
  EnvAddRouter(e->env, "psoas-capture", 40, rt_query, rt_print, NULL, NULL, NULL);
  EnvSetParserErrorCallback(e->env, on_parse_error);
  EnvDefineFunction2(e->env, "concern-level", 'w', PTIEF fn_concern_level, "fn_concern_level",
                     "11k");
  EnvDefineFunction2(e->env, "severity", 'i', PTIEF fn_severity, "fn_severity", "11k");
  EnvDefineFunction2(e->env, "more-severe", 'b', PTIEF fn_more_severe, "fn_more_severe", "22k");
  EnvDefineFunction2(e->env, "concern-at-least", 'b', PTIEF fn_concern_at_least,
                     "fn_concern_at_least", "22k");
  EnvDefineFunction2(e->env, "most-severe-concern-level", 'w', PTIEF fn_most_severe_concern_level,
                     "fn_most_severe_concern_level", "00");
  for (int l = 0; l < LV_COUNT; l++) e->level_sym[l] = symbol(e, level_name((enum level)l));
  e->concern_sym = xcalloc((size_t)k->nc + 1, sizeof *e->concern_sym);
  e->red = xcalloc((size_t)k->nq + 1, sizeof *e->red);
  e->safety = xcalloc((size_t)k->nq + 1, sizeof *e->safety);
  for (e->concern_mask = 15; e->concern_mask + 1 < 4 * (size_t)k->nc;) e->concern_mask = 2 * e->concern_mask + 1;
  e->concern_at = xcalloc(e->concern_mask + 1, sizeof *e->concern_at);
  for (int c = 0; c < k->nc; c++) {
    e->concern_sym[c] = symbol(e, k->c[c].id);
    size_t h = pointer_hash(e->concern_sym[c]);
    while (e->concern_at[h & e->concern_mask]) h++;
    e->concern_at[h & e->concern_mask] = c + 1;
  }
  return e;
}

/* 0-based position of single-field slot name in template t, or -1. */
static int slot_position(struct engine *e, void *t, const char *name) {
  if (!EnvDeftemplateSlotExistP(e->env, t, name) || !EnvDeftemplateSlotSingleP(e->env, t, name))
    return -1;
  return FindSlotPosition(t, EnvAddSymbol(e->env, name)) - 1;
}

/* Looks up the templates the host asserts and reads.  -1 if one is missing (reported
 * unless quiet). */
static int find_templates(struct engine *e, const char *rules_dir, int quiet) {
  struct {
    void **slot;
    const char *name;
  } t[] = {{&e->t_session, "session"},   {&e->t_finding, "finding"}, {&e->t_open, "open-question"}, {&e->t_required, "open-required"},
           {&e->t_concern, "concern"},   {&e->t_prec, "precaution"}, {&e->t_ind, "indication"},
           {&e->t_disp, "disposition"},  {&e->t_ask, "ask"}, {&e->t_ask_open, "ask-open"}};
  int missing = 0;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!(*t[i].slot = quiet ? EnvFindDeftemplate(e->env, t[i].name)
                             : need_template(e, t[i].name, rules_dir)))
      missing = 1;
  e->f_id = e->f_value = -1;
  if (!missing) {
    e->f_id = slot_position(e, e->t_finding, "id");
    e->f_value = slot_position(e, e->t_finding, "value");
  }
  return missing ? -1 : 0;
}

/* Removes the rules of module DIALOGUE_MODULE (they are the last to be matched and the
 * first to go: nothing else refers to a rule).  -1 (reported) if one cannot go. */
static int drop_dialogue_rules(struct engine *e) {
  void *env = e->env, *module = EnvFindDefmodule(env, DIALOGUE_MODULE);
  if (!module) return 0;
  void *was = EnvGetCurrentModule(env);
  EnvSetCurrentModule(env, module);
  int failed = 0;
  for (void *r = EnvGetNextDefrule(env, NULL); r; r = EnvGetNextDefrule(env, NULL))
    if (!EnvUndefrule(env, r)) {
      report("cannot remove rule %s from the eval engine", EnvGetDefruleName(env, r));
      failed = 1;
      break;
    }
  EnvSetCurrentModule(env, was);
  return failed ? -1 : 0;
}

/* Removes the (initial-fact) deffacts and the [initial-object] definstances CLIPS defines
 * in every environment: no rule matches them (CLIPS 6.30 starts a rule that opens with a
 * not, or has no pattern, without them), and each reset asserted and matched them, and
 * retracted and destroyed them at the next: 12,000 instructions a case, 4% of eval's time
 * (doc/performance.md).  -1 (reported) if one cannot go. */
static int drop_initial_constructs(struct engine *e) {
  void *facts = EnvFindDeffacts(e->env, "initial-fact");
  void *objects = EnvFindDefinstances(e->env, "initial-object");
  if ((facts && !EnvUndeffacts(e->env, facts)) || (objects && !EnvUndefinstances(e->env, objects))) {
    report("cannot remove CLIPS's initial-fact and initial-object");
    return -1;
  }
  return 0;
}

/* The rules parsed from rules_dir/<*.clp>; NULL (reported) on any error. */
struct engine *engine_open_source(const kb *k, const char *rules_dir, enum engine_kind kind) {
  struct engine *e = engine_new(k);
  if (!e) return NULL;
  if (load_rules(e, rules_dir) < 0 || find_templates(e, rules_dir, 0) < 0 ||
      (kind == ENGINE_EVAL && drop_dialogue_rules(e) < 0) || drop_initial_constructs(e) < 0) {
    engine_close(e);
    return NULL;
  }
  return e;
}

/* ---- binary image ---------------------------------------------------------------------
 *
 * `make` writes rules/rules.bin with `check --image` (CLIPS bsave).  It is used only while
 * it is strictly newer than every .clp file and than the directory (so an added, removed
 * or renamed rule file also makes it stale); otherwise, or if it does not load, the .clp
 * files are parsed.  File times are coarse (a clock tick): a change in the same tick as
 * the image gets an equal time, which counts as stale, so a stale image can cost time,
 * never correctness.  engine_save_image waits for the tick after its own rename. */

static int newer(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* rules_dir/name if it exists and is fresh, else NULL.  Caller frees. */
static char *fresh_image(const char *rules_dir, const char *name) {
  char *path = xasprintf("%s/%s", rules_dir, name);
  struct stat img, st;
  struct dirent **list = NULL;
  int fresh = stat(path, &img) == 0 && S_ISREG(img.st_mode) && stat(rules_dir, &st) == 0 &&
              newer(&img.st_mtim, &st.st_mtim);
  int n = fresh ? scandir(rules_dir, &list, clp_filter, alphasort) : -1;
  fresh = n > 0;
  for (int i = 0; i < n; i++) {
    char *clp = xasprintf("%s/%s", rules_dir, list[i]->d_name);
    if (stat(clp, &st) != 0 || !newer(&img.st_mtim, &st.st_mtim)) fresh = 0;
    free(clp);
    free(list[i]);
  }
  free(list);
  if (fresh) return path;
  free(path);
  return NULL;
}

struct engine *engine_open(const kb *k, const char *rules_dir, enum engine_kind kind) {
  char *image = fresh_image(rules_dir, kind == ENGINE_EVAL ? ENGINE_EVAL_IMAGE_NAME : ENGINE_IMAGE_NAME);
  if (image) {
    struct engine *e = engine_new(k);
    /* any problem with the image (another CLIPS version, a template missing) means:
     * parse the source, which reports real errors with file and line */
    int ok = e && EnvBload(e->env, image) && find_templates(e, rules_dir, 1) == 0;
    free(image);
    if (ok) {
      sb_clear(&e->out);
      return e;
    }
    engine_close(e);
  }
  return engine_open_source(k, rules_dir, kind);
}

/* CLIPS's bsave opens the file by name and ignores every write error (a full disk gives
 * a truncated image and success), so the image is bsaved into an anonymous memory file
 * and written out here, where each error is seen: replace_file (a mkstemp temporary
 * beside path, fsync, rename, fsync of the directory; no predictable name to plant a
 * symlink at).  The image gets the mode fopen() would give it (others may read it). */
static int save_image(struct engine *e, const char *path) {
  int mfd = memfd_create("psoas-rules-image", MFD_CLOEXEC), ok = 0;
  const char *why = NULL; /* else strerror(errno) */
  char *text = NULL;
  size_t len = 0;
  if (mfd >= 0) {
    char *name = xasprintf("/proc/self/fd/%d", mfd);
    if (EnvBsave(e->env, name))
      text = read_file(name, &len);
    else
      why = "CLIPS could not save it";
    free(name);
    int err = errno;
    close(mfd);
    errno = err;
  }
  if (text) {
    mode_t mask = umask(0);
    umask(mask);
    ok = replace_file(path, text, len, 0666 & ~mask) == 0;
  }
  if (!ok) report("%s: cannot write the rule image: %s", path, why ? why : strerror(errno));
  free(text);
  return ok ? 0 : -1;
}

/* Touches path until it is newer than its directory (a rename into it set that). */
static void newer_than_dir(const char *path) {
  char *dir = xstrdup(path), *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  struct stat img, st;
  for (int i = 0; i < 2000; i++) { /* a tick is a few ms; give up after ~2 s */
    utimensat(AT_FDCWD, path, NULL, 0);
    if (stat(path, &img) || stat(slash ? dir : ".", &st) || newer(&img.st_mtim, &st.st_mtim))
      break;
    nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  free(dir);
}

/* path with "-eval" before its extension (rules.bin: rules-eval.bin). */
static char *eval_image_path(const char *path) {
  const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
  if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : path)) return xasprintf("%s-eval", path);
  return xasprintf("%.*s-eval%s", (int)(dot - path), path, dot);
}

int engine_save_images(struct engine *e, const char *path) {
  char *eval = eval_image_path(path);
  int rc = save_image(e, path);
  if (rc == 0) rc = drop_dialogue_rules(e) < 0 || save_image(e, eval) < 0 ? -1 : 0;
  if (rc == 0) { /* both renames are done: now make both newer than the directory */
    newer_than_dir(path);
    newer_than_dir(eval);
  }
  free(eval);
  return rc;
}

static struct engine *left;          /* engine_leave's: reachable until the end */
static pthread_mutex_t left_mu = PTHREAD_MUTEX_INITIALIZER;

static int process_ends; /* engine_process_ends() was called */

void engine_process_ends(void) { process_ends = 1; }

void engine_leave(struct engine *e) {
  if (!e) return;
  const char *f = getenv("PSOAS_FREE_AT_EXIT");
  if (!process_ends || (f && !strcmp(f, "1"))) {
    engine_close(e);
    return;
  }
  pthread_mutex_lock(&left_mu);
  e->next_left = left;
  left = e;
  pthread_mutex_unlock(&left_mu);
}

void engine_close(struct engine *e) {
  if (!e) return;
  if (e->env) DestroyEnvironment(e->env);
  free(e->concern_sym);
  free(e->concern_at);
  free(e->red);
  free(e->safety);
  sb_free(&e->out);
  free(e);
}

/* ---- one case ------------------------------------------------------------------------ */

void result_init(struct result *r, const kb *k) {
  memset(r, 0, sizeof *r);
  r->concerns = xcalloc((size_t)k->nc + 1, sizeof *r->concerns);
  r->prec = xcalloc((size_t)k->nprec + 1, 1);
  r->ind = xcalloc((size_t)k->nind + 1, 1);
  r->ask = xcalloc((size_t)k->nq + 1, sizeof *r->ask);
}

void result_free(struct result *r) {
  if (!r) return;
  free(r->concerns);
  free(r->prec);
  free(r->ind);
  free(r->ask);
  sb_free(&r->pool);
  memset(r, 0, sizeof *r);
}

static void result_clear(struct result *r, const kb *k) {
  r->disposition = LV_EMERGENCY;
  r->nconcerns = 0;
  r->nask = 0;
  memset(r->prec, 0, (size_t)k->nprec);
  memset(r->ind, 0, (size_t)k->nind);
  sb_clear(&r->pool);
  r->error[0] = '\0';
}

/* The CLIPS symbol for value, whose text must stay put as long as the engine (kb strings
 * and literals do): looked up by address, so each case does not hash every symbol again.
 * Cached symbols are pinned (their count raised) so CLIPS never collects them. */
static void *symbol(struct engine *e, const char *value) {
  size_t h = ((uintptr_t)value >> 3) * 0x9E3779B97F4A7C15u;
  for (size_t i = 0; i < 8; i++) {
    size_t slot = (h + i) & (SYM_CACHE - 1);
    if (e->syms[slot].text == value) return e->syms[slot].symbol;
    if (!e->syms[slot].text) {
      void *sym = EnvAddSymbol(e->env, value);
      IncrementSymbolCount(sym);
      e->syms[slot].text = value;
      e->syms[slot].symbol = sym;
      return sym;
    }
  }
  return EnvAddSymbol(e->env, value); /* crowded: uncached */
}

static void put_symbol(struct engine *e, void *fact, const char *slot, const char *value) {
  DATA_OBJECT v;
  SetType(v, SYMBOL);
  SetValue(v, symbol(e, value));
  EnvPutFactSlot(e->env, fact, slot, &v);
}

static void put_integer(struct engine *e, void *fact, const char *slot, long value) {
  DATA_OBJECT v;
  SetType(v, INTEGER);
  SetValue(v, EnvAddLong(e->env, value));
  EnvPutFactSlot(e->env, fact, slot, &v);
}

/* Sets single-field slot pos (0-based) of a fact just created, as EnvPutFactSlot does
 * once it has looked the slot name up: the finding facts (~40 a case) skip that look-up,
 * which was 3% of a batch's time.  Only for slot_position()'s positions. */
static void set_field(void *fact, int pos, unsigned short type, void *value) {
  struct fact *f = fact;
  f->theProposition.theFields[pos].type = type;
  f->theProposition.theFields[pos].value = value;
}

static void assert_finding(struct engine *e, const struct question *q, const struct answer *a,
                           unsigned char state) {
  void *f = EnvCreateFact(e->env, e->t_finding);
  const char *value = "yes"; /* only yes answers, numbers and choices are asserted */
  int number = state == ANS_VALUE && q->type == Q_INT;
  if (state == ANS_VALUE && !number) value = q->choices[a->value];
  if (e->f_id >= 0 && e->f_value >= 0) {
    set_field(f, e->f_id, SYMBOL, symbol(e, q->id));
    if (number)
      set_field(f, e->f_value, INTEGER, EnvAddLong(e->env, a->value));
    else
      set_field(f, e->f_value, SYMBOL, symbol(e, value));
  } else {
    put_symbol(e, f, "id", q->id);
    if (number)
      put_integer(e, f, "value", a->value);
    else
      put_symbol(e, f, "value", value);
  }
  EnvAssignFactSlotDefaults(e->env, f);
  EnvAssert(e->env, f);
}

/* The open-question fact of question q, unanswered or "don't know".  Its `required`
 * slot says what must be answered before anyone is cleared in this mode: red flags
 * always, treatment-safety questions except in the screen (principle P5 of
 * kb/principles.json: the screen clears for booking, never for treatment). */
static void assert_open(struct engine *e, const struct question *q, unsigned char state,
                        enum mode mode) {
  void *f = EnvCreateFact(e->env, e->t_open);
  put_symbol(e, f, "id", q->id);
  put_symbol(e, f, "required", q->red_flag                          ? "red-flag"
                               : q->safety && mode != MODE_SCREEN ? "safety"
                                                                  : "no");
  put_symbol(e, f, "who", q->therapist ? "therapist" : "patient");
  put_symbol(e, f, "state", state == ANS_UNKNOWN ? "unknown" : "unanswered");
  put_integer(e, f, "rank", q->index);
  EnvAssignFactSlotDefaults(e->env, f);
  EnvAssert(e->env, f);
}

/* The open-required fact: the n questions of red (red flags) and of safety, ids in rank
 * order. */
static void put_ids(struct engine *e, void *fact, const char *slot, const int *qs, int n) {
  void *mf = EnvCreateMultifield(e->env, n);
  for (int i = 0; i < n; i++) {
    SetMFType(mf, i + 1, SYMBOL);
    SetMFValue(mf, i + 1, symbol(e, e->k->q[qs[i]].id));
  }
  DATA_OBJECT v;
  SetType(v, MULTIFIELD);
  SetValue(v, mf);
  SetDOBegin(v, 1);
  SetDOEnd(v, n);
  EnvPutFactSlot(e->env, fact, slot, &v);
}

static void assert_required(struct engine *e, const int *red, int nred, const int *safety,
                            int nsafety) {
  void *f = EnvCreateFact(e->env, e->t_required);
  put_ids(e, f, "red-flag", red, nred);
  put_ids(e, f, "safety", safety, nsafety);
  EnvAssert(e->env, f);
}

static void assert_session(struct engine *e, enum mode mode, int therapist) {
  static const char *const names[] = {"eval", "intake", "screen"};
  void *f = EnvCreateFact(e->env, e->t_session);
  put_symbol(e, f, "mode", names[mode]);
  put_symbol(e, f, "therapist", therapist ? "yes" : "no");
  EnvAssignFactSlotDefaults(e->env, f);
  EnvAssert(e->env, f);
}

/* EnvGetFactSlot for the facts the host reads: the slot's position is looked up once
 * per template and slot name (EnvGetFactSlot hashes the name at every call) and kept in
 * e->slots, keyed by the addresses of the template and of the name, a string literal. */
static int get_slot(struct engine *e, void *fact, const char *slot, DATA_OBJECT *v) {
  struct fact *f = fact;
  void *t = f->whichDeftemplate;
  int i = 0;
  while (i < e->nslots && (e->slots[i].t != t || e->slots[i].name != slot)) i++;
  if (i == e->nslots) {
    if (i == SLOT_CACHE) return EnvGetFactSlot(e->env, fact, (char *)slot, v);
    e->slots[i].t = t;
    e->slots[i].name = slot;
    e->slots[i].pos = EnvDeftemplateSlotExistP(e->env, t, (char *)slot)
                          ? FindSlotPosition(t, EnvAddSymbol(e->env, slot)) - 1
                          : -1;
    e->nslots++;
  }
  int pos = e->slots[i].pos;
  if (pos < 0) return 0;
  struct field *x = &f->theProposition.theFields[pos];
  if (x->type == RVOID) return 0;
  SetpType(v, x->type);
  SetpValue(v, x->value);
  if (x->type == MULTIFIELD) {
    SetpDOBegin(v, 1);
    SetpDOEnd(v, ((struct multifield *)x->value)->multifieldLength);
  }
  return 1;
}

/* The symbol in slot of fact, or NULL if the slot holds something else. */
static const char *get_symbol(struct engine *e, void *fact, const char *slot) {
  DATA_OBJECT v;
  if (!get_slot(e, fact, slot, &v)) return NULL;
  if (GetType(v) != SYMBOL && GetType(v) != STRING) return NULL;
  return DOToString(v);
}

static int fail(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct result *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->error, sizeof r->error, fmt, ap);
  va_end(ap);
  return -1;
}

static int add_because(struct result *r, struct rconcern *rc, const char *item) {
  for (int i = 0; i < rc->nbecause; i++)
    if (!strcmp(r->pool.s + rc->because[i], item)) return 0;
  if (rc->nbecause == BECAUSE_MAX) return 0;
  rc->because[rc->nbecause++] = r->pool.len;
  sb_add(&r->pool, item, strlen(item) + 1);
  return 0;
}

/* Item i of multifield mf as text (an integer printed into num). */
static const char *because_item(void *mf, long i, char num[32]) {
  int t = GetMFType(mf, i);
  if (t == SYMBOL || t == STRING) return ValueToString(GetMFValue(mf, i));
  if (t == INTEGER) {
    snprintf(num, 32, "%lld", (long long)ValueToLong(GetMFValue(mf, i)));
    return num;
  }
  return NULL;
}

struct concern_fact {
  int concern;
  void *mf;
  long begin, end; /* the because multifield; begin > end when empty or absent */
};

/* Concern facts by concern, then by their because lists compared item by item: the order
   the rules happened to fire in (which the agenda decides) never shows in a result. */
static int cmp_concern_fact(const void *pa, const void *pb) {
  const struct concern_fact *a = pa, *b = pb;
  if (a->concern != b->concern) return a->concern < b->concern ? -1 : 1;
  long i = a->begin, j = b->begin;
  for (; i <= a->end && j <= b->end; i++, j++) {
    char na[32], nb[32];
    const char *x = because_item(a->mf, i, na), *y = because_item(b->mf, j, nb);
    int c = strcmp(x ? x : "", y ? y : "");
    if (c) return c;
  }
  return (i <= a->end) - (j <= b->end);
}

static int read_concerns(struct engine *e, struct result *r) {
  struct concern_fact local[64], *cf = local;
  size_t n = 0, cap = sizeof local / sizeof *local;
  int rc_status = 0;
  for (void *f = EnvGetNextFactInTemplate(e->env, e->t_concern, NULL); f;
       f = EnvGetNextFactInTemplate(e->env, e->t_concern, f)) {
    DATA_OBJECT v;
    const char *id = get_slot(e, f, "id", &v) && GetType(v) == SYMBOL ? DOToString(v) : NULL;
    int ci = id ? concern_of(e, GetValue(v)) : -1;
    if (ci < 0) {
      rc_status = fail(r, "the rules raised concern '%s', which kb/concerns.json lacks", id ? id : "?");
      goto out;
    }
    if (n == cap) {
      struct concern_fact *g = malloc(2 * cap * sizeof *g);
      if (!g) {
        rc_status = fail(r, "out of memory reading the concerns");
        goto out;
      }
      memcpy(g, cf, n * sizeof *g);
      if (cf != local) free(cf);
      cf = g;
      cap *= 2;
    }
    cf[n] = (struct concern_fact){ci, NULL, 1, 0};
    if (get_slot(e, f, "because", &v) && GetType(v) == MULTIFIELD) {
      cf[n].mf = GetValue(v);
      cf[n].begin = GetDOBegin(v);
      cf[n].end = GetDOEnd(v);
    }
    n++;
  }
  qsort(cf, n, sizeof *cf, cmp_concern_fact);
  for (size_t x = 0; x < n; x++) {
    struct rconcern *rc = NULL;
    for (int i = 0; i < r->nconcerns; i++)
      if (r->concerns[i].concern == cf[x].concern) rc = &r->concerns[i];
    if (!rc) {
      rc = &r->concerns[r->nconcerns++];
      rc->concern = cf[x].concern;
      rc->nbecause = 0;
    }
    for (long i = cf[x].begin; i <= cf[x].end; i++) {
      char num[32];
      const char *item = because_item(cf[x].mf, i, num);
      if (item) add_because(r, rc, item);
    }
  }
out:
  if (cf != local) free(cf);
  return rc_status;
}

static int flag_facts(struct engine *e, void *tmpl, int (*find)(const kb *, const char *),
                      unsigned char *flags, const char *what, const char *file,
                      struct result *r) {
  for (void *f = EnvGetNextFactInTemplate(e->env, tmpl, NULL); f;
       f = EnvGetNextFactInTemplate(e->env, tmpl, f)) {
    const char *id = get_symbol(e, f, "id");
    int i = id ? find(e->k, id) : -1;
    if (i < 0) return fail(r, "the rules asserted %s '%s', which %s lacks", what, id ? id : "?", file);
    flags[i] = 1;
  }
  return 0;
}

/* Adds the concern ids in the ask fact's `concerns` multislot to a (no duplicates). */
static int read_ask_concerns(struct engine *e, void *f, struct rask *a, struct result *r) {
  DATA_OBJECT v;
  if (!get_slot(e, f, "concerns", &v) || GetType(v) != MULTIFIELD) return 0;
  void *mf = GetValue(v);
  for (long i = GetDOBegin(v); i <= GetDOEnd(v); i++) {
    const char *id = GetMFType(mf, i) == SYMBOL ? ValueToString(GetMFValue(mf, i)) : "?";
    int ci = GetMFType(mf, i) == SYMBOL ? concern_of(e, GetMFValue(mf, i)) : -1;
    if (ci < 0)
      return fail(r, "the rules asked for '%s' to rule in or out concern '%s', which kb/concerns.json lacks",
                  e->k->q[a->question].id, id);
    int dup = 0;
    for (int j = 0; j < a->nconcerns; j++) dup |= a->concerns[j] == ci;
    if (!dup && a->nconcerns < ASK_CONCERNS_MAX) a->concerns[a->nconcerns++] = ci;
  }
  return 0;
}

/* The entry of r->ask for question qi asked with rank and reason why (the lowest rank
 * wins), or NULL when the list is full. */
static struct rask *add_ask(struct result *r, const kb *k, int qi, int rank, const char *why) {
  struct rask *a = NULL;
  for (int i = 0; i < r->nask; i++)
    if (r->ask[i].question == qi) a = &r->ask[i];
  if (!a) {
    if (r->nask >= k->nq) return NULL;
    a = &r->ask[r->nask++];
    a->question = qi;
    a->rank = INT_MAX; /* set just below */
    a->nconcerns = 0;
  }
  if (rank < a->rank) {
    a->rank = rank;
    const char *w = why && strcmp(why, "nil") ? why : "";
    size_t n = strnlen(w, sizeof a->reason - 1); /* (snprintf's cost showed: 1% of eval) */
    memcpy(a->reason, w, n);
    a->reason[n] = '\0';
  }
  return a;
}

/* The ask facts, one per question (the lowest rank wins; concerns are merged), and the
 * ask-open facts: an ask for each question of that slot of the open-required fact (which
 * the host asserted from e->red and e->safety), at its catalogue rank. */
static int read_asks(struct engine *e, struct result *r) {
  for (void *f = EnvGetNextFactInTemplate(e->env, e->t_ask_open, NULL); f;
       f = EnvGetNextFactInTemplate(e->env, e->t_ask_open, f)) {
    const char *why = get_symbol(e, f, "reason");
    const int *qs;
    int n;
    if (why && !strcmp(why, "red-flag"))
      qs = e->red, n = e->nred;
    else if (why && !strcmp(why, "safety"))
      qs = e->safety, n = e->nsafety;
    else
      return fail(r, "the rules asked for the open questions of '%s', which open-required lacks",
                  why ? why : "?");
    for (int i = 0; i < n; i++) add_ask(r, e->k, qs[i], e->k->q[qs[i]].index, why);
  }
  for (void *f = EnvGetNextFactInTemplate(e->env, e->t_ask, NULL); f;
       f = EnvGetNextFactInTemplate(e->env, e->t_ask, f)) {
    const char *id = get_symbol(e, f, "id");
    int qi = id ? kb_question(e->k, id) : -1;
    if (qi < 0) return fail(r, "the rules asked for '%s', which kb/questions.json lacks", id ? id : "?");
    DATA_OBJECT v;
    int rank = get_slot(e, f, "rank", &v) && GetType(v) == INTEGER ? (int)ValueToLong(GetValue(v)) : qi;
    struct rask *a = add_ask(r, e->k, qi, rank, get_symbol(e, f, "reason"));
    if (a && read_ask_concerns(e, f, a, r)) return -1;
  }
  /* insertion sort by rank: at most a few dozen entries */
  for (int i = 1; i < r->nask; i++) {
    struct rask t = r->ask[i];
    int j = i;
    while (j > 0 && (r->ask[j - 1].rank > t.rank ||
                     (r->ask[j - 1].rank == t.rank && r->ask[j - 1].question > t.question))) {
      r->ask[j] = r->ask[j - 1];
      j--;
    }
    r->ask[j] = t;
  }
  return 0;
}

static int read_disposition(struct engine *e, struct result *r) {
  int n = 0;
  for (void *f = EnvGetNextFactInTemplate(e->env, e->t_disp, NULL); f;
       f = EnvGetNextFactInTemplate(e->env, e->t_disp, f)) {
    const char *lv = get_symbol(e, f, "level");
    int l = lv ? level_from_name(lv) : -1;
    if (l < 0) return fail(r, "the rules concluded an unknown level '%s'", lv ? lv : "?");
    r->disposition = (enum level)l;
    n++;
  }
  if (n != 1) return fail(r, "the rules concluded %d dispositions instead of one", n);
  return 0;
}

/* Concerns most severe first, then in catalogue order. */
static void sort_concerns(const kb *k, struct result *r) {
  for (int i = 1; i < r->nconcerns; i++) {
    struct rconcern t = r->concerns[i];
    int j = i;
    while (j > 0) {
      const struct rconcern *p = &r->concerns[j - 1];
      int lp = k->c[p->concern].level, lt = k->c[t.concern].level;
      if (lp < lt || (lp == lt && p->concern < t.concern)) break;
      r->concerns[j] = r->concerns[j - 1];
      j--;
    }
    r->concerns[j] = t;
  }
}

int engine_eval(struct engine *e, const struct tcase *c, enum mode mode, int therapist,
                struct result *r) {
  const kb *k = e->k;
  void *env = e->env;
  result_clear(r, k);
  SetHaltExecution(env, 0);
  SetEvaluationError(env, 0);
  sb_clear(&e->out);
  /* No garbage collection until the case is asserted: otherwise libclips sweeps its
   * garbage after every fact the reset retracts and every fact asserted from here (3% of
   * a case); EnvDecrementGCLocks sweeps once. */
  EnvIncrementGCLocks(env);
  EnvReset(env);
  if (mode != MODE_EVAL) /* only the dialogue's rules read it (check.c) */
    assert_session(e, mode, therapist);
  int nred = 0, nsafety = 0;
  for (int i = 0; i < k->nq; i++) {
    const struct question *q = &k->q[i];
    unsigned char s = c->a[i].state;
    /* Only what a rule can match is a fact: "no X" means "X not answered yes" (see
     * rules/00-base.clp); answered-ness reaches the rules through open-required (and in
     * a dialogue open-question). */
    if (s == ANS_YES || s == ANS_VALUE) assert_finding(e, q, &c->a[i], s);
    s = case_state(c, k, i);
    if (s != ANS_NONE && s != ANS_UNKNOWN) continue;
    int required = q->red_flag || (q->safety && mode != MODE_SCREEN);
    if (mode == MODE_EVAL ? !required : (q->therapist && !therapist)) continue;
    if (!kb_applicable(k, i, c->a)) continue;
    if (mode != MODE_EVAL) assert_open(e, q, s, mode);
    if (q->red_flag) e->red[nred++] = i;
    else if (required) e->safety[nsafety++] = i;
  }
  e->nred = nred, e->nsafety = nsafety;
  assert_required(e, e->red, nred, e->safety, nsafety);
  EnvDecrementGCLocks(env);
  long long fired = EnvRun(env, RUN_LIMIT);
  if (fired >= RUN_LIMIT) return fail(r, "the rules did not settle within %d firings", RUN_LIMIT);
  if (GetHaltExecution(env) || GetEvaluationError(env) || e->out.len) {
    squeeze(e->out.s ? e->out.s : (char *)"");
    return fail(r, "rule error: %s", e->out.len ? e->out.s : "execution halted");
  }
  if (read_concerns(e, r) || read_disposition(e, r) ||
      flag_facts(e, e->t_prec, kb_precaution, r->prec, "precaution", "kb/precautions.json", r) ||
      flag_facts(e, e->t_ind, kb_indication, r->ind, "indication", "kb/indications.json", r) ||
      read_asks(e, r))
    return -1;
  sort_concerns(k, r);
  /* Safety net: the disposition can never be less severe than a concern's level. */
  if (r->nconcerns && k->c[r->concerns[0].concern].level < r->disposition)
    return fail(r, "the rules concluded '%s' although concern '%s' requires '%s'",
                level_name(r->disposition), k->c[r->concerns[0].concern].id,
                level_name(k->c[r->concerns[0].concern].level));
  return 0;
}
