/* tcase.c -- reading a case file object into a struct tcase, with validation that
 * names the key and what was expected; writing one back. */
#include "tcase.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

void case_init(struct tcase *c, const kb *k) {
  memset(c, 0, sizeof *c);
  c->a = xcalloc((size_t)k->nq + 1, sizeof *c->a);
}

void case_clear(struct tcase *c, const kb *k) {
  free(c->id);
  c->id = NULL;
  memset(c->a, 0, sizeof *c->a * (size_t)k->nq);
  c->unanswered_no = 0;
}

void case_free(struct tcase *c) {
  if (!c) return;
  free(c->id);
  free(c->a);
  c->id = NULL;
  c->a = NULL;
}

int case_same(const kb *k, const struct tcase *a, const struct tcase *b) {
  return a->unanswered_no == b->unanswered_no && a->id && b->id && !strcmp(a->id, b->id) &&
         !memcmp(a->a, b->a, sizeof *a->a * (size_t)k->nq);
}

int case_fail(char *err, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, n, fmt, ap);
  va_end(ap);
  return -1;
}

/* A short, safe rendering of a JSON value for messages: at most ~40 characters,
 * control characters escaped (the JSON encoder does that for us). */
void case_show(json_t *v, char *buf, size_t n) {
  char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
  if (!s) {
    snprintf(buf, n, "(unprintable)");
    return;
  }
  if (strlen(s) > 40)
    snprintf(buf, n, "%.37s...", s);
  else
    snprintf(buf, n, "%s", s);
  free(s);
}

static const char *type_name(json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "a whole number";
  case JSON_REAL: return "a number with a fraction";
  case JSON_TRUE:
  case JSON_FALSE: return "true/false";
  case JSON_NULL: return "null";
  }
  return "?";
}

/* Parses one answer v to question q into a. Returns 0 or -1 with err set. */
static int read_answer(const struct question *q, json_t *v, struct answer *a, char *err,
                       size_t n) {
  char shown[64];
  const char *s = json_string_value(v);
  if (s && json_string_length(v) > CASE_VALUE_MAX)
    return case_fail(err, n, "key '%s' has a string of %zu bytes (answers are at most %d)", q->id,
               json_string_length(v), CASE_VALUE_MAX);
  if (json_is_null(v) || (s && !strcasecmp(s, "unknown"))) {
    a->state = ANS_UNKNOWN;
    return 0;
  }
  switch (q->type) {
  case Q_BOOL:
    if (json_is_boolean(v)) {
      a->state = json_is_true(v) ? ANS_YES : ANS_NO;
      return 0;
    }
    if (s && !strcasecmp(s, "yes")) {
      a->state = ANS_YES;
      return 0;
    }
    if (s && !strcasecmp(s, "no")) {
      a->state = ANS_NO;
      return 0;
    }
    case_show(v, shown, sizeof shown);
    return case_fail(err, n, "key '%s' expects true, false, \"yes\", \"no\" or \"unknown\", got %s",
               q->id, shown);
  case Q_INT:
    if (!json_is_integer(v)) {
      case_show(v, shown, sizeof shown);
      return case_fail(err, n, "key '%s' expects a whole number from %ld to %ld, got %s %s", q->id,
                 q->min, q->max, type_name(v), shown);
    }
    if (json_integer_value(v) < q->min || json_integer_value(v) > q->max)
      return case_fail(err, n, "key '%s' must be from %ld to %ld, got %" JSON_INTEGER_FORMAT, q->id,
                 q->min, q->max, json_integer_value(v));
    a->state = ANS_VALUE;
    a->value = (long)json_integer_value(v);
    return 0;
  case Q_CHOICE:
    if (s && *s) { /* as the dialogue takes them: any case, or the first letters of one choice */
      int found = -1;
      size_t len = strlen(s);
      for (int i = 0; i < q->nchoices; i++) {
        if (!strcasecmp(s, q->choices[i])) {
          found = i;
          break;
        }
        if (!strncasecmp(s, q->choices[i], len)) found = found == -1 ? i : -2;
      }
      if (found >= 0) {
        a->state = ANS_VALUE;
        a->value = found;
        return 0;
      }
    }
    {
      strbuf list = {0};
      for (int i = 0; i < q->nchoices; i++) {
        if (i) sb_puts(&list, i + 1 == q->nchoices ? " or " : ", ");
        sb_printf(&list, "\"%s\"", q->choices[i]);
      }
      const char *hint = s ? closest_word(s, q->choices, (size_t)q->nchoices) : NULL;
      case_show(v, shown, sizeof shown);
      case_fail(err, n, "key '%s' expects %s (or \"unknown\"), got %s%s%s%s", q->id, list.s, shown,
          hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
      sb_free(&list);
      return -1;
    }
  }
  return -1;
}

/* 1 if v nests objects/arrays more than max levels deep (v itself is level 1). */
static int too_deep(json_t *v, int max) {
  if (!json_is_object(v) && !json_is_array(v)) return 0;
  if (max == 0) return 1;
  json_t *x;
  if (json_is_array(v)) {
    size_t i;
    json_array_foreach(v, i, x) if (too_deep(x, max - 1)) return 1;
  } else {
    const char *key;
    json_object_foreach(v, key, x) if (too_deep(x, max - 1)) return 1;
  }
  return 0;
}

const char *case_json_reason(const json_error_t *e) {
  switch (json_error_code(e)) {
  case json_error_null_character:
    return "a NUL character (\\u0000) in a string";
  case json_error_null_byte_in_key:
    return "a NUL character (\\u0000) in a key";
  case json_error_invalid_utf8:
    return "text that is not valid UTF-8";
  case json_error_numeric_overflow:
    return "a number out of range (whole numbers must fit in 64 bits, others in a double)";
  case json_error_stack_overflow:
    return "objects and arrays nested too deeply";
  default:
    if (!strncmp(e->text, "control character 0x0 ", 22)) return "a NUL byte in the input";
    if (strstr(e->text, "near '\xef\xbb\xbf'"))
      return "a byte-order mark (U+FEFF) where the JSON should begin: save the file as UTF-8 without a BOM";
    return e->text;
  }
}

/* The JSON value a typed answer stands for (see case_parse_answer); caller owns it. */
static json_t *typed_value(const struct question *q, const char *w) {
  static const char *const yes[] = {"y", "yes", "true", NULL}, *const no[] = {"n", "no", "false", NULL},
                           *const dunno[] = {"?", "unknown", "dk", "don't know", "dont know", NULL};
  for (const char *const *p = dunno; *p; p++)
    if (!strcmp(w, *p)) return json_string("unknown");
  if (q->type == Q_BOOL) {
    for (const char *const *p = yes; *p; p++)
      if (!strcmp(w, *p)) return json_true();
    for (const char *const *p = no; *p; p++)
      if (!strcmp(w, *p)) return json_false();
  } else if (q->type == Q_INT && *w) {
    char *end;
    errno = 0;
    long long v = strtoll(w, &end, 10);
    if (!*end && errno == 0) return json_integer(v);
  } else if (q->type == Q_CHOICE && *w) {
    int found = -1;
    size_t n = strlen(w);
    for (int i = 0; i < q->nchoices; i++)
      if (!strncmp(q->choices[i], w, n)) found = found == -1 ? i : -2;
    if (found >= 0) return json_string(q->choices[found]);
  }
  return json_string(w);
}

int case_parse_answer(const kb *k, int qi, const char *text, struct answer *a, char *err,
                      size_t errlen) {
  while (isspace((unsigned char)*text)) text++;
  size_t n = strlen(text);
  while (n && isspace((unsigned char)text[n - 1])) n--;
  char *w = xmalloc(n + 1);
  for (size_t i = 0; i < n; i++) w[i] = (char)tolower((unsigned char)text[i]);
  w[n] = '\0';
  json_t *v = typed_value(&k->q[qi], w);
  struct answer got = {0};
  int rc = v ? read_answer(&k->q[qi], v, &got, err, errlen) : case_fail(err, errlen, "unreadable answer");
  if (rc == 0) *a = got;
  json_decref(v);
  free(w);
  return rc;
}

static int set_id(struct tcase *c, json_t *idv, const char *default_id, char *err, size_t n) {
  if (!idv) {
    c->id = xstrdup(default_id ? default_id : "?");
    return 0;
  }
  if (json_is_integer(idv)) {
    c->id = xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(idv));
    return 0;
  }
  const char *s = json_string_value(idv);
  if (!s) {
    c->id = xstrdup(default_id ? default_id : "?");
    char shown[64];
    case_show(idv, shown, sizeof shown);
    return case_fail(err, n, "key 'id' expects a string or a whole number, got %s", shown);
  }
  size_t len = json_string_length(idv);
  if (len == 0 || len > CASE_ID_MAX || memchr(s, '\0', len)) {
    c->id = xstrdup(default_id ? default_id : "?");
    return case_fail(err, n, "key 'id' must be 1 to %d bytes with no NUL byte", CASE_ID_MAX);
  }
  c->id = xstrdup(s);
  return 0;
}

int case_from_json(const kb *k, json_t *j, struct tcase *c, const char *default_id, char *err,
                   size_t errlen) {
  case_clear(c, k);
  err[0] = '\0';
  if (!json_is_object(j)) {
    c->id = xstrdup(default_id ? default_id : "?");
    return case_fail(err, errlen, "a case must be a JSON object, got %s", type_name(j));
  }
  if (set_id(c, json_object_get(j, "id"), default_id, err, errlen) < 0) return -1;
  if (too_deep(j, CASE_DEPTH_MAX))
    return case_fail(err, errlen, "objects and arrays nested more than %d levels deep", CASE_DEPTH_MAX);
  json_t *um = json_object_get(j, "unanswered_means");
  if (um) {
    const char *s = json_string_value(um);
    if (s && !strcmp(s, "no"))
      c->unanswered_no = 1;
    else if (!s || strcmp(s, "unknown")) {
      char shown[64];
      case_show(um, shown, sizeof shown);
      return case_fail(err, errlen, "key 'unanswered_means' expects \"unknown\" or \"no\", got %s", shown);
    }
  }
  json_t *answers = json_object_get(j, "answers");
  if (!answers) return case_fail(err, errlen, "no 'answers' object");
  if (!json_is_object(answers))
    return case_fail(err, errlen, "key 'answers' expects an object, got %s", type_name(answers));
  if (json_object_size(answers) > (size_t)k->nq)
    return case_fail(err, errlen, "%zu answers, but the catalogue has only %d findings",
               json_object_size(answers), k->nq);
  const char *key;
  json_t *v;
  json_object_foreach(answers, key, v) {
    if (strlen(key) > CASE_VALUE_MAX)
      return case_fail(err, errlen, "answers: a key of %zu bytes (finding ids are at most %d)",
                 strlen(key), CASE_VALUE_MAX);
    int qi = kb_question(k, key);
    if (qi < 0) {
      const char *hint = kb_suggest_question(k, key);
      char shown[64];
      json_t *ks = json_string(key);
      if (ks)
        case_show(ks, shown, sizeof shown);
      else
        snprintf(shown, sizeof shown, "(invalid text)");
      json_decref(ks);
      return case_fail(err, errlen, "answers: key %s is not a finding%s%s%s", shown,
                 hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    }
    if (read_answer(&k->q[qi], v, &c->a[qi], err, errlen) < 0) return -1;
  }
  return 0;
}

json_t *case_to_json(const kb *k, const struct tcase *c) {
  json_t *o = json_object(), *ans = json_object();
  json_object_set_new(o, "id", json_string(c->id ? c->id : ""));
  for (int i = 0; i < k->nq; i++) {
    const struct question *q = &k->q[i];
    const struct answer *a = &c->a[i];
    json_t *v = NULL;
    switch (a->state) {
    case ANS_YES: v = json_true(); break;
    case ANS_NO: v = json_false(); break;
    case ANS_UNKNOWN: v = json_string("unknown"); break;
    case ANS_VALUE:
      v = q->type == Q_INT ? json_integer(a->value) : json_string(q->choices[a->value]);
      break;
    default: break;
    }
    if (v) json_object_set_new(ans, q->id, v);
  }
  json_object_set_new(o, "answers", ans);
  json_object_set_new(o, "unanswered_means", json_string(c->unanswered_no ? "no" : "unknown"));
  return o;
}
