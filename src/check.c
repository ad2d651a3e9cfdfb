/* check.c -- `check`: static analysis of rules/ and kb/ together.
 *
 * A clinic edits rules; a typo in a finding id must never silently switch off a red
 * flag.  The rule files are read as text by a small s-expression reader that keeps line
 * numbers, so every problem is reported as "FILE:LINE: problem":
 *   - finding / concern / precaution / indication / ask ids a rule uses that the kb lacks
 *     (with a "did you mean"), finding values that cannot occur, unknown levels;
 *   - rules without a [SOURCE] key, or citing a key sources.json lacks;
 *   - the same rule name defined twice (CLIPS would silently keep only the last);
 *   - kb entries no rule uses (questions, concerns, precautions, indications);
 *   - questions, red-flag ones above all, whose `when` condition can never hold.
 * The real engine is opened too, so CLIPS parse errors are reported (by engine.c). */
#include "check.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "engine.h"
#include "letter.h"
#include "screenkb.h"
#include "util.h"

#define SX_DEPTH_MAX 200 /* nesting of parentheses in a rule file */

/* ---- s-expression reader --------------------------------------------------------------- */

enum sx_type { SX_LIST, SX_ATOM, SX_STRING };

struct sx {
  enum sx_type t;
  char *s; /* atom text, or a string's contents (unescaped); NULL for a list */
  int line;
  struct sx **kids;
  int n, cap;
};

static struct sx *sx_new(enum sx_type t, int line) {
  struct sx *x = xcalloc(1, sizeof *x);
  x->t = t;
  x->line = line;
  return x;
}

static void sx_free(struct sx *x) {
  if (!x) return;
  for (int i = 0; i < x->n; i++) sx_free(x->kids[i]);
  free(x->kids);
  free(x->s);
  free(x);
}

static void sx_push(struct sx *list, struct sx *kid) {
  if (list->n == list->cap) {
    list->cap = list->cap ? list->cap * 2 : 4;
    list->kids = xrealloc(list->kids, sizeof *list->kids * (size_t)list->cap);
  }
  list->kids[list->n++] = kid;
}

/* The head atom of a list ("defrule", "finding", ...), or "" when it has none. */
static const char *sx_head(const struct sx *x) {
  return x && x->t == SX_LIST && x->n > 0 && x->kids[0]->t == SX_ATOM ? x->kids[0]->s : "";
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Reads every top-level form of a rule file into a list; `;` comments are skipped and
 * strings kept whole.  Unbalanced parentheses and unterminated strings are reported
 * (counted in *problems); what could be read is returned all the same.  Caller frees. */
static struct sx *sx_read(const char *file, const char *p, size_t len, int *problems) {
  const char *end = p + len;
  int line = 1, depth = 0;
  struct sx *stack[SX_DEPTH_MAX + 1];
  stack[0] = sx_new(SX_LIST, 1);
  while (p < end) {
    char c = *p;
    if (c == '\n') {
      line++;
      p++;
    } else if (is_space(c)) {
      p++;
    } else if (c == ';') {
      while (p < end && *p != '\n') p++;
    } else if (c == '(') {
      if (depth == SX_DEPTH_MAX) {
        report("%s:%d: parentheses nested deeper than %d", file, line, SX_DEPTH_MAX);
        ++*problems;
        break;
      }
      struct sx *l = sx_new(SX_LIST, line);
      sx_push(stack[depth], l);
      stack[++depth] = l;
      p++;
    } else if (c == ')') {
      if (depth == 0) {
        report("%s:%d: ')' with no '(' to close", file, line);
        ++*problems;
      } else {
        depth--;
      }
      p++;
    } else if (c == '"') {
      int start = line;
      strbuf b = {0};
      sb_add(&b, "", 0);
      for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end) p++;
        if (*p == '\n') line++;
        sb_add(&b, p, 1);
      }
      struct sx *s = sx_new(SX_STRING, start);
      s->s = b.s;
      sx_push(stack[depth], s);
      if (p >= end) {
        report("%s:%d: string never closed", file, start);
        ++*problems;
        break;
      }
      p++;
    } else {
      const char *a = p;
      while (p < end && !is_space(*p) && *p != '(' && *p != ')' && *p != '"' && *p != ';') p++;
      struct sx *s = sx_new(SX_ATOM, line);
      s->s = xasprintf("%.*s", (int)(p - a), a);
      sx_push(stack[depth], s);
    }
  }
  if (depth > 0) {
    report("%s:%d: '(' never closed", file, stack[1]->line);
    ++*problems;
  }
  return stack[0];
}

/* ---- what the rules use ------------------------------------------------------------------ */

enum use_kind { U_FINDING, U_VALUE, U_CONCERN, U_PRECAUTION, U_INDICATION, U_ASK, U_OPEN, U_LEVEL,
                U_COURSE /* (pain-course (kind new|recent)): "new pain", "recent pain" */ };

struct use {
  enum use_kind kind;
  int rhs;            /* on the right of => (asserted), else matched */
  char *id;           /* owned */
  const char *finding; /* U_VALUE: the finding id the value is compared with (a use's id) */
  const char *file, *rule;
  int line;
};

struct checker {
  const kb *k;
  int problems;
  int unreadable; /* rule files the reader could not follow: skip the "used by no rule" checks */
  struct use *uses;
  int nuses, cap;
  char **rules; /* qualified rule names seen, owned */
  const char **rule_files;
  int *rule_lines;
  int nrules;
  char *module; /* current defmodule, owned */
  strbuf kbtext[4]; /* kb files, for line numbers */
  char *kbpath[4];   /* their paths, owned */
};

static void problem_at(struct checker *C, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem_at(struct checker *C, const char *file, int line, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report("%s:%d: %s", file, line, msg);
  C->problems++;
}

/* Records that a rule names id (len bytes) as a `kind`; the id is copied. */
static void add_use(struct checker *C, enum use_kind kind, int rhs, const char *id, size_t len,
                    const char *finding, const char *file, const char *rule, int line) {
  if (C->nuses == C->cap) {
    C->cap = C->cap ? C->cap * 2 : 64;
    C->uses = xrealloc(C->uses, sizeof *C->uses * (size_t)C->cap);
  }
  struct use *u = &C->uses[C->nuses++];
  *u = (struct use){kind, rhs, xasprintf("%.*s", (int)len, id), finding, file, rule, line};
}

/* The constants in a CLIPS slot constraint: "?x&a|b|~c" gives a, b and c (a negated
 * constant still names something that must exist); variables and ":" / "=" tests are
 * skipped.  Calls add_use for each. */
static void add_constants(struct checker *C, enum use_kind kind, int rhs, const struct sx *atom,
                          const char *finding, const char *file, const char *rule) {
  const char *p = atom->s;
  while (*p) {
    size_t n = strcspn(p, "&|");
    const char *t = p;
    size_t m = n;
    while (m > 0 && *t == '~') t++, m--;
    if (m > 0 && *t != '?' && *t != '$' && *t != ':' && *t != '=')
      add_use(C, kind, rhs, t, m, finding, file, rule, atom->line);
    p += n;
    if (*p) p++;
  }
}

/* The atoms of the slot `slot` in a pattern or fact list (slot NAME ATOM...). */
static const struct sx *slot_of(const struct sx *fact, const char *slot) {
  for (int i = 1; i < fact->n; i++)
    if (!strcmp(sx_head(fact->kids[i]), slot)) return fact->kids[i];
  return NULL;
}

/* Walks one pattern or action of a rule, recording every id it names. */
static void walk(struct checker *C, const struct sx *x, int rhs, const char *file, const char *rule) {
  static const struct {
    const char *head;
    enum use_kind kind;
  } facts[] = {{"finding", U_FINDING},       {"concern", U_CONCERN},
               {"precaution", U_PRECAUTION}, {"indication", U_INDICATION},
               {"ask", U_ASK},               {"open-question", U_OPEN}};
  if (x->t != SX_LIST) return;
  const char *head = sx_head(x);
  for (size_t f = 0; f < sizeof facts / sizeof facts[0]; f++) {
    if (strcmp(head, facts[f].head)) continue;
    const struct sx *id = slot_of(x, "id");
    int first = C->nuses;
    for (int i = 1; id && i < id->n; i++)
      if (id->kids[i]->t == SX_ATOM) add_constants(C, facts[f].kind, rhs, id->kids[i], NULL, file, rule);
    const struct sx *val = facts[f].kind == U_FINDING ? slot_of(x, "value") : NULL;
    int last = C->nuses;
    for (int u = first; val && u < last; u++)
      for (int i = 1; i < val->n; i++)
        if (val->kids[i]->t == SX_ATOM)
          add_constants(C, U_VALUE, rhs, val->kids[i], C->uses[u].id, file, rule);
  }
  if (!strcmp(head, "pain-course")) {
    const struct sx *kind = slot_of(x, "kind");
    for (int i = 1; kind && i < kind->n; i++)
      if (kind->kids[i]->t == SX_ATOM) add_constants(C, U_COURSE, rhs, kind->kids[i], NULL, file, rule);
  }
  /* a level slot, and a level named to the host functions that compare levels */
  if (!strcmp(head, "level") || !strcmp(head, "more-severe") || !strcmp(head, "severity"))
    for (int i = 1; i < x->n; i++)
      if (x->kids[i]->t == SX_ATOM) add_constants(C, U_LEVEL, rhs, x->kids[i], NULL, file, rule);
  /* (concern-at-least ID LEVEL) */
  if (!strcmp(head, "concern-at-least") && x->n == 3) {
    if (x->kids[1]->t == SX_ATOM) add_constants(C, U_CONCERN, rhs, x->kids[1], NULL, file, rule);
    if (x->kids[2]->t == SX_ATOM) add_constants(C, U_LEVEL, rhs, x->kids[2], NULL, file, rule);
  }
  for (int i = 1; i < x->n; i++) walk(C, x->kids[i], rhs, file, rule);
}

/* Checks that a rule's comment opens with one or more [KEY] source keys that exist. */
static void check_sources(struct checker *C, const struct sx *comment, const char *file,
                          const char *rule, int line) {
  const char *p = comment ? comment->s : "";
  int keys = 0;
  while (is_space(*p)) p++;
  while (*p == '[') {
    const char *close = strchr(p, ']');
    if (!close) break;
    char *key = xasprintf("%.*s", (int)(close - p - 1), p + 1);
    const char **ids = xcalloc((size_t)C->k->nsrc + 1, sizeof *ids);
    int ok = 0;
    for (int i = 0; i < C->k->nsrc; i++) {
      ids[i] = C->k->src[i].id;
      if (!strcmp(key, ids[i])) ok = 1;
    }
    if (!ok) {
      const char *hint = closest_word(key, ids, (size_t)C->k->nsrc);
      problem_at(C, file, comment->line, "rule %s cites source [%s], which %s/sources.json lacks%s%s%s",
                 rule, key, C->k->dir, hint ? " (did you mean [" : "", hint ? hint : "",
                 hint ? "]?)" : "");
    }
    free(ids);
    free(key);
    keys++;
    p = close + 1;
  }
  if (keys == 0)
    problem_at(C, file, comment ? comment->line : line,
               "rule %s has no source: its comment must open with a [KEY] of sources.json", rule);
}

/* 1 if pattern x is (session (mode M)) with M one or more of intake, screen joined by |
 * and nothing else: a pattern no eval session matches. */
static int dialogue_session(const struct sx *x) {
  if (x->t != SX_LIST || strcmp(sx_head(x), "session")) return 0;
  const struct sx *mode = slot_of(x, "mode");
  if (!mode || mode->n != 2 || mode->kids[1]->t != SX_ATOM) return 0;
  char *modes = xstrdup(mode->kids[1]->s), *save = NULL;
  int ok = 1;
  for (char *m = strtok_r(modes, "|", &save); m; m = strtok_r(NULL, "|", &save))
    ok &= !strcmp(m, "intake") || !strcmp(m, "screen");
  free(modes);
  return ok && mode->kids[1]->s[0] != '|';
}

/* 1 if x, or anything inside it, reads the session fact: a (session ...) pattern or a
 * fact query over (?var session). */
static int reads_session(const struct sx *x) {
  if (x->t != SX_LIST) return 0;
  if (!strcmp(sx_head(x), "session")) return 1;
  if (x->n == 2 && x->kids[0]->t == SX_ATOM && x->kids[0]->s[0] == '?' &&
      x->kids[1]->t == SX_ATOM && !strcmp(x->kids[1]->s, "session"))
    return 1;
  for (int i = 1; i < x->n; i++)
    if (reads_session(x->kids[i])) return 1;
  return 0;
}

/* Records one (defrule NAME "COMMENT" PATTERN... => ACTION...): its qualified name
 * (reporting a second definition), its sources, and every id its patterns match (lhs)
 * and its actions assert (rhs). */
static void read_rule(struct checker *C, const struct sx *r, const char *file) {
  if (r->n < 2 || r->kids[1]->t != SX_ATOM) {
    problem_at(C, file, r->line, "defrule without a name");
    return;
  }
  const char *name = r->kids[1]->s;
  char *q = strstr(name, "::") ? xstrdup(name)
                               : xasprintf("%s::%s", C->module ? C->module : "MAIN", name);
  for (int i = 0; i < C->nrules; i++)
    if (!strcmp(C->rules[i], q))
      problem_at(C, file, r->line,
                 "rule %s is defined again (first at %s:%d); CLIPS keeps only the last one", q,
                 C->rule_files[i], C->rule_lines[i]);
  C->rules = xrealloc(C->rules, sizeof *C->rules * (size_t)(C->nrules + 1));
  C->rule_files = xrealloc(C->rule_files, sizeof *C->rule_files * (size_t)(C->nrules + 1));
  C->rule_lines = xrealloc(C->rule_lines, sizeof *C->rule_lines * (size_t)(C->nrules + 1));
  C->rules[C->nrules] = q;
  C->rule_files[C->nrules] = file;
  C->rule_lines[C->nrules] = r->line;
  C->nrules++;
  const struct sx *comment = r->n > 2 && r->kids[2]->t == SX_STRING ? r->kids[2] : NULL;
  check_sources(C, comment, file, name, r->line);
  int rhs = 0, dialogue_only = 0, session = 0;
  for (int i = comment ? 3 : 2; i < r->n; i++) {
    const struct sx *x = r->kids[i];
    if (x->t == SX_ATOM && !strcmp(x->s, "=>")) rhs = 1;
    if (!rhs && dialogue_session(x)) dialogue_only = 1;
    session |= reads_session(x);
    walk(C, x, rhs, file, q);
  }
  /* eval asserts no session fact (src/engine.c): a rule that reads it must be one eval
   * leaves out. */
  if (session && strncmp(q, DIALOGUE_MODULE "::", strlen(DIALOGUE_MODULE) + 2))
    problem_at(C, file, r->line,
               "rule %s reads the session, which eval does not assert: only rules of module "
               DIALOGUE_MODULE " (the dialogue's, left out of the eval engine) may",
               q);
  /* The eval engine leaves these rules out (engine.h, ENGINE_EVAL): each must be one
   * that cannot fire in eval. */
  if (!strncmp(q, DIALOGUE_MODULE "::", strlen(DIALOGUE_MODULE) + 2) && !dialogue_only)
    problem_at(C, file, r->line,
               "rule %s of module " DIALOGUE_MODULE " (left out of the eval engine) must wait "
               "for (session (mode intake|screen)): with any other mode it could fire in eval",
               q);
}

static int clp_file(const struct dirent *d) {
  size_t n = strlen(d->d_name);
  return d->d_name[0] != '.' && n > 4 && !strcmp(d->d_name + n - 4, ".clp");
}

/* Reads every rules_dir/<*.clp> in name order; the files' trees go to *trees (caller
 * frees each and the array), the file names to *files.  Returns how many files. */
static int read_rules(struct checker *C, const char *dir, struct sx ***trees, char ***files) {
  struct dirent **list;
  int n = scandir(dir, &list, clp_file, alphasort);
  *trees = NULL;
  *files = NULL;
  if (n < 0) {
    report("%s: %s", dir, strerror(errno));
    C->problems++;
    return 0;
  }
  if (n == 0) problem_at(C, dir, 0, "no rule files (*.clp)");
  *trees = xcalloc((size_t)n + 1, sizeof **trees);
  *files = xcalloc((size_t)n + 1, sizeof **files);
  for (int i = 0; i < n; i++) {
    char *path = (*files)[i] = xasprintf("%s/%s", dir, list[i]->d_name);
    free(list[i]);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
      report("%s: %s", path, strerror(errno));
      C->problems++;
      (*trees)[i] = sx_new(SX_LIST, 1);
      continue;
    }
    int before = C->problems;
    struct sx *root = (*trees)[i] = sx_read(path, text, len, &C->problems);
    free(text);
    C->unreadable += C->problems > before;
    for (int f = 0; f < root->n; f++) {
      const struct sx *form = root->kids[f];
      const char *head = sx_head(form);
      if (!strcmp(head, "defrule")) {
        read_rule(C, form, path);
      } else if (!strcmp(head, "defmodule") && form->n > 1 && form->kids[1]->t == SX_ATOM) {
        free(C->module);
        C->module = xstrdup(form->kids[1]->s);
      }
    }
  }
  free(list);
  return n;
}

/* ---- the kb side --------------------------------------------------------------------------- */

static const char *const kb_files[] = {"questions.json", "concerns.json", "precautions.json",
                                       "indications.json"};

/* Line of `"id": "ID"` in kb file `slot` (an index of kb_files), or 1; sets *path to
 * the file's path (owned by C). */
static int kb_line(struct checker *C, int slot, const char *id, const char **path) {
  strbuf *t = &C->kbtext[slot];
  if (!C->kbpath[slot]) {
    C->kbpath[slot] = xasprintf("%s/%s", C->k->dir, kb_files[slot]);
    size_t len;
    char *s = read_file(C->kbpath[slot], &len);
    sb_add(t, s ? s : "", s ? len : 0);
    free(s);
  }
  *path = C->kbpath[slot];
  int line = kb_line_of_id(t->s ? t->s : "", id);
  return line ? line : 1;
}

/* The questions.json object of question id (borrowed), or NULL. */
static json_t *question_json(const kb *k, const char *id) {
  json_t *arr = json_object_get((json_t *)k->json[0], "questions"), *o;
  size_t i;
  json_array_foreach(arr, i, o) {
    const char *s = json_string_value(json_object_get(o, "id"));
    if (s && !strcmp(s, id)) return o;
  }
  return NULL;
}

static int askable(const kb *k, int qi, int therapist, char *why, size_t n, int depth);

/* 1 if the `when` condition j can hold for someone (only patient findings count unless
 * therapist); else 0 with the reason in why. */
static int satisfiable(const kb *k, json_t *j, int therapist, char *why, size_t n, int depth) {
  if (!json_is_object(j) || json_object_size(j) != 1 || depth > 16) {
    snprintf(why, n, "a malformed condition");
    return 0;
  }
  const char *op = json_object_iter_key(json_object_iter(j));
  json_t *arg = json_object_iter_value(json_object_iter(j));
  if (!strcmp(op, "any") || !strcmp(op, "all")) {
    size_t i;
    json_t *x;
    int any = 0;
    json_array_foreach(arg, i, x) {
      int ok = satisfiable(k, x, therapist, why, n, depth + 1);
      if (!ok && op[1] == 'l') return 0;
      any |= ok;
    }
    return op[1] == 'l' || any;
  }
  const char *f = json_string_value(json_is_array(arg) ? json_array_get(arg, 0) : arg);
  int qi = f ? kb_question(k, f) : -1;
  if (qi < 0) {
    snprintf(why, n, "it names unknown finding '%s'", f ? f : "?");
    return 0;
  }
  const struct question *q = &k->q[qi];
  if (!askable(k, qi, therapist, why, n, depth + 1)) return 0;
  if (!strcmp(op, "range")) {
    long lo = (long)json_integer_value(json_array_get(arg, 1));
    long hi = (long)json_integer_value(json_array_get(arg, 2));
    if (lo > hi || hi < q->min || lo > q->max) {
      snprintf(why, n, "range %ld..%ld of '%s' lies outside its %ld..%ld", lo, hi, f, q->min, q->max);
      return 0;
    }
  } else if (!strcmp(op, "is") || !strcmp(op, "not_is")) {
    const char *v = json_string_value(json_array_get(arg, 1));
    int found = 0;
    for (int c = 0; v && c < q->nchoices; c++) found |= !strcmp(v, q->choices[c]);
    if (!found) {
      snprintf(why, n, "'%s' is not a choice of '%s'", v ? v : "?", f);
      return 0;
    }
    if (op[0] == 'n' && q->nchoices < 2) {
      snprintf(why, n, "'%s' has no other choice than '%s'", f, v);
      return 0;
    }
  }
  return 1;
}

/* 1 if question qi can be asked (of the patient, or also the therapist if therapist):
 * its `who` allows it and its `when` condition can hold; else 0 with why set. */
static int askable(const kb *k, int qi, int therapist, char *why, size_t n, int depth) {
  const struct question *q = &k->q[qi];
  if (q->therapist && !therapist) {
    snprintf(why, n, "'%s' is a therapist finding, never asked of the patient", q->id);
    return 0;
  }
  json_t *w = json_object_get(question_json(k, q->id), "when");
  if (!w || json_is_null(w)) return 1;
  char inner[300];
  if (satisfiable(k, w, therapist, inner, sizeof inner, depth)) return 1;
  if (depth == 0)
    snprintf(why, n, "%s", inner);
  else
    snprintf(why, n, "'%s' can never be asked (%s)", q->id, inner);
  return 0;
}

/* ---- the checks ---------------------------------------------------------------------------- */

/* 1 if some rule names id as a `kind` (only asserting it counts when rhs_only). */
static int used(const struct checker *C, enum use_kind kind, int rhs_only, const char *id) {
  for (int i = 0; i < C->nuses; i++)
    if (C->uses[i].kind == kind && (!rhs_only || C->uses[i].rhs) && !strcmp(C->uses[i].id, id))
      return 1;
  return 0;
}

/* A finding value `v` the rule compares finding `f` with: can it occur? */
static void check_value(struct checker *C, const struct use *u) {
  int qi = kb_question(C->k, u->finding);
  if (qi < 0) return;
  const struct question *q = &C->k->q[qi];
  const char *v = u->id;
  int ok = 0;
  if (!strcmp(v, "no") || !strcmp(v, "unknown")) {
    /* engine.c asserts a finding only for a yes, a number or a choice */
    problem_at(C, u->file, u->line, "rule %s matches finding '%s' answered '%s', which is never a fact "
               "(only yes answers, numbers and choices are): test (not (finding (id %s) (value yes)))",
               u->rule, q->id, v, q->id);
  } else if (q->type == Q_BOOL) {
    ok = !strcmp(v, "yes");
    if (!ok)
      problem_at(C, u->file, u->line, "rule %s compares yes/no finding '%s' with '%s', which it never has (yes)",
                 u->rule, q->id, v);
  } else if (q->type == Q_CHOICE) {
    for (int c = 0; c < q->nchoices; c++) ok |= !strcmp(v, q->choices[c]);
    const char *hint = closest_word(v, q->choices, (size_t)q->nchoices);
    if (!ok)
      problem_at(C, u->file, u->line, "rule %s compares finding '%s' with '%s', which is not one of its choices%s%s%s",
                 u->rule, q->id, v, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
  } else {
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < q->min || n > q->max)
      problem_at(C, u->file, u->line, "rule %s compares number finding '%s' with '%s', outside %ld..%ld",
                 u->rule, q->id, v, q->min, q->max);
  }
}

/* The ids a use of each kind may name, for "lacks" and "did you mean". */
struct vocab {
  const char *what, *file;
  const char **ids;
  int n;
};

static int in_vocab(const struct vocab *v, const char *id) {
  for (int i = 0; i < v->n; i++)
    if (!strcmp(v->ids[i], id)) return 1;
  return 0;
}

/* The rule side: every id a rule names must be in the kb, every value possible. */
static void check_uses(struct checker *C) {
  const kb *k = C->k;
  static const char *lv[LV_COUNT];
  for (int l = 0; l < LV_COUNT; l++) lv[l] = level_name((enum level)l);
  struct vocab v[U_LEVEL + 1] = {
      [U_FINDING] = {"finding", "questions.json", k->qids, k->nq},
      [U_ASK] = {"question (ask)", "questions.json", k->qids, k->nq},
      [U_OPEN] = {"question (open-question)", "questions.json", k->qids, k->nq},
      [U_CONCERN] = {"concern", "concerns.json", xcalloc((size_t)k->nc + 1, sizeof(char *)), k->nc},
      [U_PRECAUTION] = {"precaution", "precautions.json", xcalloc((size_t)k->nprec + 1, sizeof(char *)), k->nprec},
      [U_INDICATION] = {"indication", "indications.json", xcalloc((size_t)k->nind + 1, sizeof(char *)), k->nind},
      [U_LEVEL] = {"level", "levels.json", lv, LV_COUNT}};
  for (int i = 0; i < k->nc; i++) v[U_CONCERN].ids[i] = k->c[i].id;
  for (int i = 0; i < k->nprec; i++) v[U_PRECAUTION].ids[i] = k->prec[i].id;
  for (int i = 0; i < k->nind; i++) v[U_INDICATION].ids[i] = k->ind[i].id;
  for (int i = 0; i < C->nuses; i++) {
    const struct use *u = &C->uses[i];
    if (u->kind == U_VALUE) {
      check_value(C, u);
      continue;
    }
    if (u->kind == U_COURSE) continue; /* CLIPS checks the template's allowed symbols */
    const struct vocab *w = &v[u->kind];
    if (in_vocab(w, u->id)) continue;
    const char *hint = closest_word(u->id, w->ids, (size_t)w->n);
    problem_at(C, u->file, u->line, "rule %s %s %s '%s', which %s/%s lacks%s%s%s", u->rule,
               u->rhs ? "asserts" : "uses", w->what, u->id, k->dir, w->file,
               hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
  }
  free(v[U_CONCERN].ids);
  free(v[U_PRECAUTION].ids);
  free(v[U_INDICATION].ids);
}

/* The kb side: entries no rule uses, red-flag questions that can never be asked. */
static void check_catalogue(struct checker *C) {
  const kb *k = C->k;
  const char *path;
  char why[400];
  for (int i = 0; i < k->nq; i++) {
    const struct question *q = &k->q[i];
    int line = kb_line(C, 0, q->id, &path);
    int info = json_is_true(json_object_get(question_json(k, q->id), "informational"));
    int by_when = 0;
    for (int j = 0; j < k->nq; j++) {
      int refs[16], n = kb_when_refs(k, j, refs, 16);
      for (int r = 0; r < n; r++) by_when |= refs[r] == i;
    }
    int by_rule = used(C, U_FINDING, 0, q->id) || used(C, U_OPEN, 0, q->id);
    json_t *iv = json_object_get(question_json(k, q->id), "informational");
    if (iv && !json_is_boolean(iv))
      problem_at(C, path, line, "question '%s': \"informational\" must be true or false", q->id);
    if (!by_rule && !by_when && !info && !C->unreadable)
      problem_at(C, path, line, "question '%s' is used by no rule and no `when` (mark it \"informational\": true if it is only recorded)",
                 q->id);
    if (info && q->red_flag)
      problem_at(C, path, line, "red-flag question '%s' cannot be \"informational\"", q->id);
    if (q->red_flag && !askable(k, i, 0, why, sizeof why, 0))
      problem_at(C, path, line, "red-flag question '%s' can never be asked: %s", q->id, why);
    else if (!q->red_flag && !askable(k, i, 1, why, sizeof why, 0))
      problem_at(C, path, line, "question '%s' can never be asked: %s", q->id, why);
  }
  static const char *const what[] = {NULL, "concern", "precaution", "indication"};
  for (int slot = 1; slot <= 3; slot++) {
    int n = slot == 1 ? k->nc : slot == 2 ? k->nprec : k->nind;
    enum use_kind kind = slot == 1 ? U_CONCERN : slot == 2 ? U_PRECAUTION : U_INDICATION;
    for (int i = 0; i < n; i++) {
      const char *id = slot == 1 ? k->c[i].id : slot == 2 ? k->prec[i].id : k->ind[i].id;
      int line = kb_line(C, slot, id, &path);
      if (!used(C, kind, 1, id) && !C->unreadable)
        problem_at(C, path, line, "%s '%s' is asserted by no rule", what[slot], id);
    }
  }
}

/* ---- a concern's triggers, in words, against its rules ------------------------------------- */

/* What a term of a triggers statement or of a rule's patterns names: a finding id, another
 * concern's id, or "new pain" / "recent pain" (the COURSE facts).  Written "finding:ID",
 * "concern:ID", "course:KIND" into a list of at most TERMS_MAX entries. */
#define TERMS_MAX 64
struct terms {
  char *t[TERMS_MAX];
  int n;
};

static void terms_add(struct terms *s, const char *kind, const char *id, size_t len) {
  char *t = xasprintf("%s:%.*s", kind, (int)len, id);
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->t[i], t)) {
      free(t);
      return;
    }
  if (s->n < TERMS_MAX) s->t[s->n++] = t;
  else free(t);
}

static int terms_has(const struct terms *s, const char *t) {
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->t[i], t)) return 1;
  return 0;
}

/* "finding:fever" as words: "the finding 'fever'" (caller frees). */
static char *term_words(const char *t) {
  const char *colon = strchr(t, ':');
  if (!strncmp(t, "course:", 7)) return xasprintf("\"%s pain\"", colon + 1);
  return xasprintf("the %.*s '%s'", (int)(colon - t), t, colon + 1);
}

static void terms_free(struct terms *s) {
  for (int i = 0; i < s->n; i++) free(s->t[i]);
  s->n = 0;
}

/* The terms a triggers statement names: every word that is a finding or (another)
 * concern id, and the phrases "new pain" and "recent pain". */
static void statement_terms(const kb *k, const char *self, const char *text, struct terms *s) {
  for (const char *p = text; *p;) {
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
    if (n == 0) {
      p++;
      continue;
    }
    if (kb_question_n(k, p, n) >= 0) {
      terms_add(s, "finding", p, n);
    } else {
      char *w = xasprintf("%.*s", (int)n, p);
      if (kb_concern(k, w) >= 0 && strcmp(w, self)) terms_add(s, "concern", w, n);
      if ((!strcmp(w, "new") || !strcmp(w, "recent")) && !strncmp(p + n, " pain", 5) &&
          !isalnum((unsigned char)p[n + 5]) && p[n + 5] != '_')
        terms_add(s, "course", w, n);
      free(w);
    }
    p += n;
  }
}

/* Each concern's "triggers" must name exactly the findings (and concerns, and new or
 * recent pain) that the patterns of the rules asserting it use: a clinician signs off the
 * statement, so it may not say more or less than the rules do. */
static void check_triggers(struct checker *C) {
  const kb *k = C->k;
  if (C->unreadable) return;
  for (int ci = 0; ci < k->nc; ci++) {
    const struct concern_def *c = &k->c[ci];
    struct terms rules = {0}, text = {0};
    for (int i = 0; i < C->nuses; i++) {
      const struct use *a = &C->uses[i];
      if (a->kind != U_CONCERN || !a->rhs || strcmp(a->id, c->id)) continue;
      for (int j = 0; j < C->nuses; j++) {
        const struct use *u = &C->uses[j];
        if (u->rhs || strcmp(u->rule, a->rule)) continue;
        if (u->kind == U_FINDING) terms_add(&rules, "finding", u->id, strlen(u->id));
        else if (u->kind == U_CONCERN && strcmp(u->id, c->id)) terms_add(&rules, "concern", u->id, strlen(u->id));
        else if (u->kind == U_COURSE) terms_add(&rules, "course", u->id, strlen(u->id));
      }
    }
    statement_terms(k, c->id, c->triggers, &text);
    const char *path;
    int line = kb_line(C, 1, c->id, &path);
    for (int i = 0; i < text.n; i++)
      if (!terms_has(&rules, text.t[i])) {
        char *w = term_words(text.t[i]);
        problem_at(C, path, line, "%s: \"triggers\" names %s, which no rule asserting it uses", c->id, w);
        free(w);
      }
    for (int i = 0; i < rules.n; i++)
      if (!terms_has(&text, rules.t[i])) {
        char *w = term_words(rules.t[i]);
        problem_at(C, path, line, "%s: its rules use %s, which \"triggers\" does not name", c->id, w);
        free(w);
      }
    terms_free(&rules);
    terms_free(&text);
  }
}

int check_knowledge(const kb *k, const char *rules_dir, const char *image, int *nrules) {
  struct checker C = {.k = k};
  struct sx **trees;
  char **files;
  int n = read_rules(&C, rules_dir, &trees, &files);
  check_uses(&C);
  check_catalogue(&C);
  check_triggers(&C);
  /* Always the .clp source, never an image: reports CLIPS errors as FILE:LINE. */
  struct engine *e = engine_open_source(k, rules_dir, ENGINE_DIALOGUE);
  int image_failed = 0;
  if (!e) C.problems++;
  else if (image && C.problems == 0) image_failed = engine_save_images(e, image) < 0;
  engine_close(e);
  for (int i = 0; i < n; i++) {
    sx_free(trees[i]);
    free(files[i]);
  }
  free(trees);
  free(files);
  for (int i = 0; i < C.nuses; i++) free(C.uses[i].id);
  free(C.uses);
  for (int i = 0; i < C.nrules; i++) free(C.rules[i]);
  free(C.rules);
  free(C.rule_files);
  free(C.rule_lines);
  free(C.module);
  if (nrules) *nrules = C.nrules;
  for (int i = 0; i < 4; i++) {
    sb_free(&C.kbtext[i]);
    free(C.kbpath[i]);
  }
  return image_failed ? -1 : C.problems;
}

/* ---- the command --------------------------------------------------------------------------- */

int cmd_check(struct ctx *ctx, int argc, char **argv) {
  const char *image = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--image") && i + 1 < argc)
      image = argv[++i];
    else if (!ctx_common_option(ctx, argc, argv, &i))
      return cmd_usage(ctx, "unknown argument '%s'", argv[i]);
  }
  int status = ctx_load_kb(ctx);
  if (status) return status;
  int nrules = 0, problems = check_knowledge(ctx->k, ctx->rules_dir, image, &nrules);
  int image_failed = problems < 0; /* an output error, not a problem of the knowledge */
  if (image_failed) problems = 0;
  screenkb *sk = screenkb_load(ctx->k, ctx->kb_dir); /* the front-desk checklists */
  if (!sk) problems++;
  screenkb_free(sk);
  char *clinic = xasprintf("%s/clinic.json", ctx->kb_dir); /* the letters' head, if any */
  if (access(clinic, F_OK) == 0) {
    struct letterhead *h = letter_open(ctx->kb_dir);
    if (!h) problems++;
    letter_close(h);
  }
  free(clinic);
  if (problems) {
    report("check: %d problem%s in %s and %s", problems, problems == 1 ? "" : "s",
           ctx->rules_dir, ctx->kb_dir);
    return EXIT_DATA;
  }
  if (image_failed) return EXIT_IOERR;
  int rf = 0;
  for (int i = 0; i < ctx->k->nq; i++) rf += ctx->k->q[i].red_flag;
  printf("%s, %s: %d rules, %d questions (%d red flags), %d concerns, %d precautions, "
         "%d indications: ok\n", ctx->rules_dir, ctx->kb_dir, nrules, ctx->k->nq, rf, ctx->k->nc,
         ctx->k->nprec, ctx->k->nind);
  return EXIT_OK;
}
