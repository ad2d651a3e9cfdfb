/* kb.c -- loading and validating the knowledge base (the JSON files and disclaimer in kb/).
 *
 * The files are parsed with jansson and kept: every string in struct kb points into
 * them.  Validation is strict and reports every problem as "FILE: ID: problem". */
#include "kb.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fastcase.h"
#include "util.h"

/* ---- `when` conditions ------------------------------------------------------------ */

static void cond_free(struct cond *c) {
  if (!c) return;
  for (int i = 0; i < c->nkids; i++) cond_free(c->kids[i]);
  free(c->kids);
  free(c);
}

/* Three-valued reading of a `when` condition (principle P6 (kb/principles.json)):
 * W_TRUE or W_FALSE once the known answers decide it, W_OPEN while they do not.  A
 * follow-up on a yes (C_YES) is never open: it holds only once the finding is yes. */
enum { W_FALSE, W_TRUE, W_OPEN };

static int known(const struct answer *a) { return a->state == ANS_VALUE; }

static int cond_eval(const struct cond *c, const struct answer *a) {
  switch (c->op) {
  case C_YES:
    return a[c->q].state == ANS_YES ? W_TRUE : W_FALSE;
  case C_IS:
    return !known(&a[c->q]) ? W_OPEN : a[c->q].value == c->a ? W_TRUE : W_FALSE;
  case C_NOT_IS:
    return !known(&a[c->q]) ? W_OPEN : a[c->q].value != c->a ? W_TRUE : W_FALSE;
  case C_RANGE:
    return !known(&a[c->q]) ? W_OPEN
           : a[c->q].value >= c->a && a[c->q].value <= c->b ? W_TRUE : W_FALSE;
  case C_ANY: {
    int r = W_FALSE;
    for (int i = 0; i < c->nkids; i++) {
      int v = cond_eval(c->kids[i], a);
      if (v == W_TRUE) return W_TRUE;
      if (v == W_OPEN) r = W_OPEN;
    }
    return r;
  }
  case C_ALL: {
    int r = W_TRUE;
    for (int i = 0; i < c->nkids; i++) {
      int v = cond_eval(c->kids[i], a);
      if (v == W_FALSE) return W_FALSE;
      if (v == W_OPEN) r = W_OPEN;
    }
    return r;
  }
  }
  return W_FALSE;
}

int kb_applicable(const kb *k, int qi, const struct answer *a) {
  const struct cond *c = k->q[qi].when;
  return c == NULL || cond_eval(c, a) != W_FALSE;
}

static int cond_refs(const struct cond *c, int *buf, int n, int have) {
  if (c->op == C_ANY || c->op == C_ALL) {
    for (int i = 0; i < c->nkids; i++) have = cond_refs(c->kids[i], buf, n, have);
    return have;
  }
  if (have < n) buf[have++] = c->q;
  return have;
}

static void cond_text(const kb *k, const struct cond *c, strbuf *b, int nested) {
  const struct question *q = c->op <= C_RANGE ? &k->q[c->q] : NULL;
  switch (c->op) {
  case C_YES:
    sb_puts(b, q->id);
    return;
  case C_IS:
    sb_printf(b, "%s = %s", q->id, q->choices[c->a]);
    return;
  case C_NOT_IS:
    sb_printf(b, "%s \u2260 %s", q->id, q->choices[c->a]);
    return;
  case C_RANGE:
    if (c->b >= q->max) sb_printf(b, "%s \u2265 %ld", q->id, c->a);
    else if (c->a <= q->min) sb_printf(b, "%s \u2264 %ld", q->id, c->b);
    else sb_printf(b, "%ld \u2264 %s \u2264 %ld", c->a, q->id, c->b);
    return;
  case C_ANY:
  case C_ALL:
    if (nested) sb_puts(b, "(");
    for (int i = 0; i < c->nkids; i++) {
      if (i) sb_puts(b, c->op == C_ANY ? " or " : " and ");
      cond_text(k, c->kids[i], b, 1);
    }
    if (nested) sb_puts(b, ")");
    return;
  }
}

void kb_when_text(const kb *k, int qi, strbuf *b) {
  if (k->q[qi].when) cond_text(k, k->q[qi].when, b, 0);
}

int kb_when_refs(const kb *k, int qi, int *buf, int n) {
  return k->q[qi].when ? cond_refs(k->q[qi].when, buf, n, 0) : 0;
}

/* ---- loading ------------------------------------------------------------------------ */

struct loader {
  struct kb_diag d; /* d.file: for messages, e.g. kb/questions.json */
  kb *k;
};

static int json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int kb_line_of_id(const char *text, const char *id) {
  int line = 1;
  size_t idlen = strlen(id);
  for (const char *p = text; *p; p++) {
    if (*p == '\n') line++;
    if (strncmp(p, "\"id\"", 4)) continue;
    const char *v = p + 4;
    while (json_space(*v)) v++;
    if (*v++ != ':') continue;
    while (json_space(*v)) v++;
    if (*v == '"' && !strncmp(v + 1, id, idlen) && v[1 + idlen] == '"') return line;
  }
  return 0;
}

void kb_problem(struct kb_diag *d, const char *id, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t len;
  char *text = id ? read_file(d->file, &len) : NULL; /* only on errors: read it again */
  int line = text ? kb_line_of_id(text, id) : 0;
  free(text);
  if (id && line)
    report("%s:%d: %s: %s", d->file, line, id, msg);
  else if (id)
    report("%s: %s: %s", d->file, id, msg);
  else
    report("%s: %s", d->file, msg);
  d->errors++;
}

const char *kb_need_str(struct kb_diag *d, json_t *o, const char *id, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  if (!s || !*s) {
    kb_problem(d, id, "\"%s\" must be a non-empty string", key);
    return "";
  }
  return s;
}

/* Returns the array under key `name` in the file `base` of the kb directory, keeping
 * the parsed document in slot; NULL (reported) on error. */
static json_t *load_list(struct loader *L, int slot, const char *base, const char *name) {
  char *path = xasprintf("%s/%s", L->k->dir, base);
  json_error_t e;
  L->d.file = path; /* freed below; kb_problem() only uses it while we run */
  json_t *doc = fastjson_load_file(path, JSON_REJECT_DUPLICATES, &e);
  json_t *arr = NULL;
  if (!doc) {
    if (e.line > 0)
      report("%s:%d: %s", path, e.line, e.text);
    else
      report("%s: %s", path, e.text);
    L->d.errors++;
  } else {
    L->k->json[slot] = doc;
    arr = json_object_get(doc, name);
    if (!json_is_array(arr)) {
      kb_problem(&L->d, NULL, "expected an object with an array \"%s\"", name);
      arr = NULL;
    }
  }
  return arr;
}

static int valid_id(const char *s) {
  if (!s || !*s || strlen(s) > 48) return 0;
  if (!(*s >= 'a' && *s <= 'z')) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
  return 1;
}

static const char **str_list(struct loader *L, json_t *o, const char *id, const char *key,
                             int *n, int required) {
  json_t *v = json_object_get(o, key);
  *n = 0;
  if (!v && !required) return NULL;
  if (json_is_string(v)) {
    const char **out = xcalloc(1, sizeof *out);
    out[(*n)++] = json_string_value(v);
    return out;
  }
  if (!json_is_array(v) || (required && json_array_size(v) == 0)) {
    kb_problem(&L->d, id, "\"%s\" must be a %sarray of strings", key, required ? "non-empty " : "");
    return NULL;
  }
  const char **out = xcalloc(json_array_size(v) + 1, sizeof *out);
  size_t i;
  json_t *x;
  json_array_foreach(v, i, x) {
    if (!json_is_string(x)) {
      kb_problem(&L->d, id, "\"%s\"[%zu] must be a string", key, i);
      continue;
    }
    out[(*n)++] = json_string_value(x);
  }
  return out;
}

static void check_keys(struct loader *L, json_t *o, const char *id, const char *const *allowed) {
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (!strcmp(key, *a)) ok = 1;
    if (!ok) kb_problem(&L->d, id, "unknown key \"%s\"", key);
  }
}

static struct cond *parse_cond(struct loader *L, const char *qid, json_t *j, int depth);

static int cond_finding(struct loader *L, const char *qid, json_t *name, enum qtype want,
                        const char *op) {
  const char *f = json_string_value(name);
  int qi = f ? kb_question(L->k, f) : -1;
  if (qi < 0) {
    const char *hint = f ? kb_suggest_question(L->k, f) : NULL;
    kb_problem(&L->d, qid, "when: \"%s\" names unknown finding '%s'%s%s%s", op, f ? f : "?",
            hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    return -1;
  }
  if (L->k->q[qi].type != want) {
    kb_problem(&L->d, qid, "when: \"%s\" does not fit finding '%s' of another type", op, f);
    return -1;
  }
  return qi;
}

static struct cond *parse_cond(struct loader *L, const char *qid, json_t *j, int depth) {
  if (!json_is_object(j) || json_object_size(j) != 1 || depth > 8) {
    kb_problem(&L->d, qid, "when: a condition is an object with one key: yes, is, not_is, range, any or all");
    return NULL;
  }
  const char *op = json_object_iter_key(json_object_iter(j));
  json_t *arg = json_object_iter_value(json_object_iter(j));
  struct cond *c = xcalloc(1, sizeof *c);
  if (!strcmp(op, "yes")) {
    c->op = C_YES;
    if ((c->q = cond_finding(L, qid, arg, Q_BOOL, op)) < 0) goto fail;
  } else if (!strcmp(op, "is") || !strcmp(op, "not_is")) {
    c->op = op[0] == 'i' ? C_IS : C_NOT_IS;
    if (!json_is_array(arg) || json_array_size(arg) != 2) {
      kb_problem(&L->d, qid, "when: \"%s\" takes [FINDING, VALUE]", op);
      goto fail;
    }
    if ((c->q = cond_finding(L, qid, json_array_get(arg, 0), Q_CHOICE, op)) < 0) goto fail;
    const char *v = json_string_value(json_array_get(arg, 1));
    const struct question *q = &L->k->q[c->q];
    c->a = -1;
    for (int i = 0; v && i < q->nchoices; i++)
      if (!strcmp(v, q->choices[i])) c->a = i;
    if (c->a < 0) {
      kb_problem(&L->d, qid, "when: '%s' is not a choice of '%s'", v ? v : "?", q->id);
      goto fail;
    }
  } else if (!strcmp(op, "range")) {
    c->op = C_RANGE;
    if (!json_is_array(arg) || json_array_size(arg) != 3 ||
        !json_is_integer(json_array_get(arg, 1)) || !json_is_integer(json_array_get(arg, 2))) {
      kb_problem(&L->d, qid, "when: \"range\" takes [FINDING, LOW, HIGH] with whole numbers");
      goto fail;
    }
    if ((c->q = cond_finding(L, qid, json_array_get(arg, 0), Q_INT, op)) < 0) goto fail;
    c->a = (long)json_integer_value(json_array_get(arg, 1));
    c->b = (long)json_integer_value(json_array_get(arg, 2));
  } else if (!strcmp(op, "any") || !strcmp(op, "all")) {
    c->op = op[1] == 'n' ? C_ANY : C_ALL;
    if (!json_is_array(arg) || json_array_size(arg) == 0) {
      kb_problem(&L->d, qid, "when: \"%s\" takes a non-empty array of conditions", op);
      goto fail;
    }
    c->kids = xcalloc(json_array_size(arg), sizeof *c->kids);
    size_t i;
    json_t *x;
    json_array_foreach(arg, i, x) {
      struct cond *kid = parse_cond(L, qid, x, depth + 1);
      if (!kid) goto fail;
      c->kids[c->nkids++] = kid;
    }
  } else {
    kb_problem(&L->d, qid, "when: unknown condition \"%s\"", op);
    goto fail;
  }
  return c;
fail:
  cond_free(c);
  return NULL;
}


/* FNV-1a over the bytes of an id. */
static unsigned id_hash(const char *s, size_t n) {
  unsigned h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

/* Builds k->qhash, the id -> question index of kb_question (linear probing; the table
 * is at least half empty, so a miss ends quickly). */
static void index_questions(kb *k) {
  unsigned size = 8;
  while (size < 2u * (unsigned)k->nq) size *= 2;
  k->qmask = size - 1;
  k->qhash = xcalloc(size, sizeof *k->qhash);
  for (int i = 0; i < k->nq; i++) {
    unsigned h = id_hash(k->q[i].id, strlen(k->q[i].id)) & k->qmask;
    while (k->qhash[h]) h = (h + 1) & k->qmask;
    k->qhash[h] = i + 1;
  }
}

static void load_questions(struct loader *L) {
  static const char *const keys[] = {"id", "type", "min", "max", "choices", "text", "label", "help",
                                     "why", "red_flag", "safety", "who", "when",
                                     "section", "informational", NULL};
  kb *k = L->k;
  json_t *arr = load_list(L, 0, "questions.json", "questions");
  if (!arr) return;
  k->q = xcalloc(json_array_size(arr) + 1, sizeof *k->q);
  k->qids = xcalloc(json_array_size(arr) + 1, sizeof *k->qids);
  json_t **objs = xcalloc(json_array_size(arr) + 1, sizeof *objs);
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    struct question *q = &k->q[k->nq];
    const char *id = json_string_value(json_object_get(o, "id"));
    char where[32];
    snprintf(where, sizeof where, "entry %zu", i + 1);
    if (!json_is_object(o) || !valid_id(id)) {
      kb_problem(&L->d, id ? id : where, "\"id\" must be a lower-case identifier (a-z, 0-9, _)");
      continue;
    }
    for (int j = 0; j < k->nq; j++)
      if (!strcmp(k->q[j].id, id)) kb_problem(&L->d, id, "duplicate question id");
    check_keys(L, o, id, keys);
    q->id = id;
    q->idlen = strlen(id);
    q->index = k->nq;
    const char *type = kb_need_str(&L->d, o, id, "type");
    if (!strcmp(type, "bool")) {
      q->type = Q_BOOL;
    } else if (!strcmp(type, "int")) {
      q->type = Q_INT;
      json_t *mn = json_object_get(o, "min"), *mx = json_object_get(o, "max");
      if (!json_is_integer(mn) || !json_is_integer(mx) ||
          json_integer_value(mn) > json_integer_value(mx) || json_integer_value(mn) < -1000000 ||
          json_integer_value(mx) > 1000000)
        kb_problem(&L->d, id, "an int question needs whole-number \"min\" <= \"max\" within +-1000000");
      else {
        q->min = (long)json_integer_value(mn);
        q->max = (long)json_integer_value(mx);
      }
    } else if (!strcmp(type, "choice")) {
      q->type = Q_CHOICE;
      q->choices = str_list(L, o, id, "choices", &q->nchoices, 1);
      for (int c = 0; c < q->nchoices; c++)
        if (!valid_id(q->choices[c]) || !strcmp(q->choices[c], "unknown"))
          kb_problem(&L->d, id, "choice '%s' must be a lower-case identifier other than 'unknown'",
                  q->choices[c]);
    } else if (*type) {
      kb_problem(&L->d, id, "\"type\" must be bool, int or choice, not '%s'", type);
    }
    q->text = kb_need_str(&L->d, o, id, "text");
    q->label = kb_need_str(&L->d, o, id, "label");
    q->help = kb_need_str(&L->d, o, id, "help");
    q->why = kb_need_str(&L->d, o, id, "why");
    q->section = kb_need_str(&L->d, o, id, "section");
    json_t *rf = json_object_get(o, "red_flag");
    if (!json_is_boolean(rf)) kb_problem(&L->d, id, "\"red_flag\" must be true or false");
    q->red_flag = json_is_true(rf);
    json_t *ts = json_object_get(o, "safety");
    if (ts && !json_is_boolean(ts)) kb_problem(&L->d, id, "\"safety\" must be true or false");
    q->safety = json_is_true(ts);
    const char *who = kb_need_str(&L->d, o, id, "who");
    if (strcmp(who, "patient") && strcmp(who, "therapist") && *who)
      kb_problem(&L->d, id, "\"who\" must be patient or therapist, not '%s'", who);
    q->therapist = !strcmp(who, "therapist");
    if (q->therapist && (q->red_flag || q->safety))
      kb_problem(&L->d, id, "a therapist finding cannot be a red-flag or treatment-safety question (nobody could be cleared without a therapist)");
    k->qids[k->nq] = id;
    objs[k->nq] = o;
    k->nq++;
  }
  /* The index is needed before `when` conditions are resolved. */
  index_questions(k);
  for (int j = 0; j < k->nq; j++) {
    json_t *w = json_object_get(objs[j], "when");
    if (w && !json_is_null(w)) {
      k->q[j].when = parse_cond(L, k->q[j].id, w, 0);
      int refs[16], n = kb_when_refs(k, j, refs, 16);
      for (int r = 0; r < n; r++)
        if (refs[r] >= j)
          kb_problem(&L->d, k->q[j].id, "when: '%s' must come earlier in the catalogue",
                  k->q[refs[r]].id);
    }
  }
  free(objs);
}

static void load_concerns(struct loader *L) {
  static const char *const keys[] = {"id", "title", "level", "triggers", "source", "advice",
                                     "beyond_table", NULL};
  kb *k = L->k;
  json_t *arr = load_list(L, 1, "concerns.json", "concerns");
  if (!arr) return;
  k->c = xcalloc(json_array_size(arr) + 1, sizeof *k->c);
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!json_is_object(o) || !valid_id(id)) {
      kb_problem(&L->d, id ? id : "?", "\"id\" must be a lower-case identifier (a-z, 0-9, _)");
      continue;
    }
    if (kb_concern(k, id) >= 0) kb_problem(&L->d, id, "duplicate concern id");
    check_keys(L, o, id, keys);
    struct concern_def *c = &k->c[k->nc];
    c->id = id;
    c->title = kb_need_str(&L->d, o, id, "title");
    c->advice = kb_need_str(&L->d, o, id, "advice");
    c->triggers = kb_need_str(&L->d, o, id, "triggers");
    json_t *bt = json_object_get(o, "beyond_table");
    if (bt && (!json_is_string(bt) || !*json_string_value(bt)))
      kb_problem(&L->d, id, "\"beyond_table\" must be a non-empty string");
    c->beyond = bt ? json_string_value(bt) : NULL;
    const char *lv = kb_need_str(&L->d, o, id, "level");
    int l = level_from_name(lv);
    if (l < 0 || l == LV_INCOMPLETE)
      kb_problem(&L->d, id, "\"level\" must be emergency, urgent, refer, caution or proceed, not '%s'", lv);
    c->level = l < 0 ? LV_EMERGENCY : (enum level)l;
    c->sources = str_list(L, o, id, "source", &c->nsources, 1);
    k->nc++;
  }
}

static void load_texts(struct loader *L, int slot, const char *base, const char *name,
                       struct text_def **out, int *n, int want_source) {
  static const char *const keys[] = {"id", "text", "source", NULL};
  json_t *arr = load_list(L, slot, base, name);
  *n = 0;
  if (!arr) return;
  *out = xcalloc(json_array_size(arr) + 1, sizeof **out);
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!json_is_object(o) || !id || !*id) {
      kb_problem(&L->d, "?", "\"id\" must be a non-empty string");
      continue;
    }
    for (int j = 0; j < *n; j++)
      if (!strcmp((*out)[j].id, id)) kb_problem(&L->d, id, "duplicate id");
    check_keys(L, o, id, keys);
    struct text_def *t = &(*out)[(*n)++];
    t->id = id;
    t->text = kb_need_str(&L->d, o, id, want_source == 2 ? "citation" : "text");
    if (want_source == 1) t->sources = str_list(L, o, id, "source", &t->nsources, 0);
  }
}

static void load_levels(struct loader *L) {
  static const char *const keys[] = {"id", "label", "action", NULL};
  json_t *arr = load_list(L, 4, "levels.json", "levels");
  if (!arr) return;
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    const char *id = json_string_value(json_object_get(o, "id"));
    int l = id ? level_from_name(id) : -1;
    if (l < 0) {
      kb_problem(&L->d, id ? id : "?", "not a level (emergency, urgent, refer, incomplete, caution, proceed)");
      continue;
    }
    check_keys(L, o, id, keys);
    if (l != (int)i) /* the rules' (severity) and the safety net rely on this order */
      kb_problem(&L->d, id, "out of order: levels are listed from the most severe to the least (%s first)",
                 level_name(LV_EMERGENCY));
    L->k->levels[l].id = level_name((enum level)l);
    L->k->levels[l].label = kb_need_str(&L->d, o, id, "label");
    L->k->levels[l].action = kb_need_str(&L->d, o, id, "action");
  }
  for (int l = 0; l < LV_COUNT; l++)
    if (!L->k->levels[l].action) kb_problem(&L->d, level_name((enum level)l), "level missing");
}

static void check_sources(struct loader *L, const char *file, const char *id,
                          const char **src, int n) {
  L->d.file = file;
  for (int i = 0; i < n; i++) {
    int ok = 0;
    for (int j = 0; j < L->k->nsrc; j++)
      if (!strcmp(src[i], L->k->src[j].id)) ok = 1;
    if (!ok) kb_problem(&L->d, id, "source '%s' is not in sources.json", src[i]);
  }
}

kb *kb_load(const char *dir) {
  kb *k = xcalloc(1, sizeof *k);
  struct loader L = {{"", 0}, k};
  k->dir = xstrdup(dir);
  char *files[6] = {0};
  load_questions(&L);
  files[0] = (char *)L.d.file;
  load_concerns(&L);
  files[1] = (char *)L.d.file;
  load_texts(&L, 2, "precautions.json", "precautions", &k->prec, &k->nprec, 0);
  files[2] = (char *)L.d.file;
  load_texts(&L, 3, "indications.json", "indications", &k->ind, &k->nind, 1);
  files[3] = (char *)L.d.file;
  load_levels(&L);
  files[4] = (char *)L.d.file;
  /* sources.json: ids with a "citation" */
  {
    json_t *arr = load_list(&L, 5, "sources.json", "sources");
    files[5] = (char *)L.d.file;
    size_t i;
    json_t *o;
    if (arr) {
      k->src = xcalloc(json_array_size(arr) + 1, sizeof *k->src);
      json_array_foreach(arr, i, o) {
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!id || !*id) {
          kb_problem(&L.d, "?", "\"id\" must be a non-empty string");
          continue;
        }
        k->src[k->nsrc].id = id;
        k->src[k->nsrc].text = kb_need_str(&L.d, o, id, "citation");
        k->nsrc++;
      }
    }
  }
  if (k->src) {
    for (int i = 0; i < k->nc; i++)
      check_sources(&L, files[1], k->c[i].id, k->c[i].sources, k->c[i].nsources);
    for (int i = 0; i < k->nind; i++)
      check_sources(&L, files[3], k->ind[i].id, k->ind[i].sources, k->ind[i].nsources);
  }
  char *dpath = xasprintf("%s/disclaimer.txt", dir);
  size_t len = 0;
  k->disclaimer = read_file(dpath, &len);
  if (!k->disclaimer) {
    report("%s: %s", dpath, strerror(errno));
    L.d.errors++;
  } else {
    /* One paragraph per blank-line-separated block; line breaks inside become spaces. */
    char *w = k->disclaimer;
    for (char *r = k->disclaimer; *r; r++) {
      if (*r == '\r') continue;
      if (*r == '\n') {
        if (r[1] == '\n' || (r[1] == '\r' && r[2] == '\n')) {
          while (r[1] == '\n' || r[1] == '\r') r++;
          if (w > k->disclaimer) *w++ = '\n';
          continue;
        }
        *w++ = ' ';
        continue;
      }
      *w++ = *r;
    }
    while (w > k->disclaimer && (w[-1] == ' ' || w[-1] == '\n')) w--;
    *w = '\0';
    len = (size_t)(w - k->disclaimer);
    if (len == 0) {
      report("%s: the disclaimer is empty", dpath);
      L.d.errors++;
    }
  }
  free(dpath);
  for (int i = 0; i < 6; i++) free(files[i]);
  if (k->nq == 0 && L.d.errors == 0) {
    report("%s/questions.json: no questions", dir);
    L.d.errors++;
  }
  if (L.d.errors) {
    kb_free(k);
    return NULL;
  }
  return k;
}

/* ---- the knowledge version ----------------------------------------------------------------- */

static int stamp_file(const struct dirent *d, const char *const *ends) {
  size_t n = strlen(d->d_name);
  if (d->d_name[0] == '.') return 0;
  for (; *ends; ends++) {
    size_t e = strlen(*ends);
    if (n > e && !strcmp(d->d_name + n - e, *ends)) return 1;
  }
  return 0;
}
static int clp_only(const struct dirent *d) {
  static const char *const e[] = {".clp", NULL};
  return stamp_file(d, e);
}
/* Not clinic.json: the clinic's name and address head the letters (letter.h), they are
 * not knowledge. */
static int kb_files_only(const struct dirent *d) {
  static const char *const e[] = {".json", ".txt", NULL};
  return strcmp(d->d_name, "clinic.json") && stamp_file(d, e);
}

/* Feeds "LABEL/NAME\0SIZE\0CONTENT" of each matching file of dir, in name order, to ctx.
 * Returns 0, or -1 (reported) if the directory or a file cannot be read. */
static int stamp_dir(struct sha256_ctx *ctx, const char *dir, const char *label,
                     int (*filter)(const struct dirent *)) {
  struct dirent **names;
  int n = scandir(dir, &names, filter, alphasort), rc = 0;
  if (n < 0) {
    report("%s: %s", dir, strerror(errno));
    return -1;
  }
  for (int i = 0; i < n; i++) {
    char *path = xasprintf("%s/%s", dir, names[i]->d_name);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
      report("%s: %s", path, strerror(errno));
      rc = -1;
    } else {
      char head[600];
      int h = snprintf(head, sizeof head, "%s/%s%c%zu%c", label, names[i]->d_name, 0, len, 0);
      sha256_update(ctx, (size_t)h, (const uint8_t *)head);
      sha256_update(ctx, len, (const uint8_t *)text);
    }
    free(text);
    free(path);
    free(names[i]);
  }
  free(names);
  return rc;
}

int kb_stamp(kb *k, const char *rules_dir) {
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  if (stamp_dir(&ctx, rules_dir, "rules", clp_only) < 0 || stamp_dir(&ctx, k->dir, "kb", kb_files_only) < 0)
    return -1;
  sha256_digest(&ctx, sizeof digest, digest);
  static const char hex[] = "0123456789abcdef";
  memcpy(k->knowledge, "sha256:", 7);
  for (int i = 0; i < 8; i++) {
    k->knowledge[7 + 2 * i] = hex[digest[i] >> 4];
    k->knowledge[8 + 2 * i] = hex[digest[i] & 15];
  }
  k->knowledge[23] = 0;
  return 0;
}

/* Frees v, an array of n strings, and them (v may be NULL). */
static void free_strings(char **v, int n) {
  for (int i = 0; v && i < n; i++) free(v[i]);
  free(v);
}

void kb_free(kb *k) {
  if (!k) return;
  for (int i = 0; i < LV_COUNT; i++) free(k->json_level[i]);
  if (k->json_concern)
    for (int i = 0; i < k->nc; i++) free(k->json_concern[i]);
  free(k->json_concern);
  free(k->json_tail);
  free_strings(k->json_qid, k->nq);
  free_strings(k->json_prec, k->nprec);
  free_strings(k->json_ind, k->nind);
  for (int i = 0; i < k->nq; i++) {
    cond_free(k->q[i].when);
    free(k->q[i].choices);
  }
  for (int i = 0; i < k->nc; i++) free(k->c[i].sources);
  for (int i = 0; i < k->nind; i++) free(k->ind[i].sources);
  free(k->q);
  free(k->c);
  free(k->prec);
  free(k->ind);
  free(k->src);
  free(k->qids);
  free(k->qhash);
  free(k->disclaimer);
  for (int i = 0; i < 6; i++) json_decref(k->json[i]);
  free(k->dir);
  free(k);
}

/* ---- look-ups ----------------------------------------------------------------------- */

/* 1 if the NUL-terminated s is the len bytes at id (which may hold a NUL). */
static int is_question(const kb *k, int qi, const char *id, size_t len) {
  return k->q[qi].idlen == len && !memcmp(k->q[qi].id, id, len);
}

int kb_question_n(const kb *k, const char *id, size_t len) {
  if (!k->qhash) { /* while loading, before the index exists */
    for (int i = 0; i < k->nq; i++)
      if (is_question(k, i, id, len)) return i;
    return -1;
  }
  for (unsigned h = id_hash(id, len) & k->qmask;; h = (h + 1) & k->qmask) {
    int qi = k->qhash[h] - 1;
    if (qi < 0) return -1;
    if (is_question(k, qi, id, len)) return qi;
  }
}

int kb_question(const kb *k, const char *id) { return kb_question_n(k, id, strlen(id)); }

int kb_question_after(const kb *k, int prev, const char *id, size_t len) {
  for (int i = prev + 1; i < k->nq && i <= prev + 4; i++) /* (questions a case skips) */
    if (is_question(k, i, id, len)) return i;
  return kb_question_n(k, id, len);
}

int kb_concern(const kb *k, const char *id) {
  for (int i = 0; i < k->nc; i++)
    if (!strcmp(k->c[i].id, id)) return i;
  return -1;
}

int kb_precaution(const kb *k, const char *id) {
  for (int i = 0; i < k->nprec; i++)
    if (!strcmp(k->prec[i].id, id)) return i;
  return -1;
}

int kb_indication(const kb *k, const char *id) {
  for (int i = 0; i < k->nind; i++)
    if (!strcmp(k->ind[i].id, id)) return i;
  return -1;
}

const char *kb_suggest_question(const kb *k, const char *id) {
  return closest_word(id, k->qids, (size_t)k->nq);
}

static const char *const level_names[LV_COUNT] = {"emergency", "urgent",  "refer",
                                                  "incomplete", "caution", "proceed"};

const char *level_name(enum level l) { return (unsigned)l < LV_COUNT ? level_names[l] : "?"; }

int level_from_name(const char *s) {
  for (int i = 0; i < LV_COUNT; i++)
    if (!strcmp(s, level_names[i])) return i;
  return -1;
}
