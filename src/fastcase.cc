/* fastcase.cc -- the fast path for one JSON Lines case (see fastcase.h).
 *
 * C++ only because simdjson is; the interface is C, the code uses no exceptions, and
 * every rule below mirrors one in tcase.c's case_from_json/read_answer.  The rule of the
 * file: when in doubt, return 0 -- the reference reader is always right, only slower. */
#define SIMDJSON_EXCEPTIONS 0
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

extern "C" {
#include "fastcase.h"
#include "util.h"
}

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using std::string_view;

/* Records longer than this go to the reference reader: a real case is a few KB, and
 * simdjson's buffers grow with the longest document it has parsed (about 14 bytes per
 * input byte), which would make memory depend on the input. */
static const size_t FAST_MAX = 64 * 1024;
/* Top-level keys besides id, answers and unanswered_means that are compared for
 * duplicates here; more of them go to the reference reader. */
static const int OTHER_MAX = 16;

struct fastcase {
  simdjson::dom::parser parser;
  char *buf = nullptr; /* the record, followed by SIMDJSON_PADDING bytes */
  size_t cap = 0;
};

struct fastcase *fastcase_new(void) {
  return new (xmalloc(sizeof(struct fastcase))) fastcase();
}

void fastcase_free(struct fastcase *f) {
  if (!f) return;
  free(f->buf);
  f->~fastcase();
  free(f);
}

/* One answer, as read_answer would read it; false if it would not (or might not). */
static bool read_answer(const struct question *q, element v, struct answer *a) {
  switch (v.type()) {
  case element_type::NULL_VALUE:
    a->state = ANS_UNKNOWN;
    return true;
  case element_type::BOOL:
    if (q->type != Q_BOOL) return false;
    a->state = v.get_bool().value_unsafe() ? ANS_YES : ANS_NO;
    return true;
  case element_type::INT64: {
    int64_t n = v.get_int64().value_unsafe();
    if (q->type != Q_INT || n < q->min || n > q->max) return false;
    a->state = ANS_VALUE;
    a->value = (long)n;
    return true;
  }
  case element_type::STRING: {
    string_view s = v.get_string().value_unsafe();
    if (s.size() > CASE_VALUE_MAX) return false;
    if (s == "unknown") {
      a->state = ANS_UNKNOWN;
      return true;
    }
    if (q->type == Q_BOOL && (s == "yes" || s == "no")) {
      a->state = s == "yes" ? ANS_YES : ANS_NO;
      return true;
    }
    if (q->type == Q_CHOICE)
      for (int i = 0; i < q->nchoices; i++)
        if (s == q->choices[i]) {
          a->state = ANS_VALUE;
          a->value = i;
          return true;
        }
    return false;
  }
  default: /* a fraction, a number beyond int64, an array or an object */
    return false;
  }
}

static bool read_answers(const kb *k, element v, struct tcase *c) {
  object answers;
  if (v.get(answers) || answers.size() > (size_t)k->nq) return false;
  int qi = -1;
  for (auto kv : answers) {
    string_view key = kv.key;
    if (key.size() > CASE_VALUE_MAX) return false;
    qi = kb_question_after(k, qi, key.data(), key.size());
    if (qi < 0 || c->a[qi].state != ANS_NONE) return false; /* unknown, or a duplicate */
    if (!read_answer(&k->q[qi], kv.value, &c->a[qi])) return false;
  }
  return true;
}

/* A top-level key the reader ignores: only a plain scalar is let through here (a nested
 * value would need the depth check, a fraction the range check of the reference). */
static bool ignorable(element v) {
  switch (v.type()) {
  case element_type::STRING:
  case element_type::BOOL:
  case element_type::NULL_VALUE:
  case element_type::INT64: return true;
  default: return false;
  }
}

static bool read_case(const kb *k, element root, struct tcase *c, const char *default_id) {
  object top;
  if (root.get(top)) return false;
  string_view other[OTHER_MAX], id_text;
  int nother = 0;
  bool have_id = false, have_answers = false, have_um = false;
  int64_t id_number = 0;
  for (auto kv : top) {
    string_view key = kv.key;
    if (key == "id") {
      if (have_id) return false;
      have_id = true;
      if (kv.value.type() == element_type::INT64) {
        id_number = kv.value.get_int64().value_unsafe();
      } else if (kv.value.type() == element_type::STRING) {
        id_text = kv.value.get_string().value_unsafe();
        if (id_text.empty() || id_text.size() > CASE_ID_MAX) return false;
      } else {
        return false;
      }
    } else if (key == "answers") {
      if (have_answers) return false;
      have_answers = true;
      if (!read_answers(k, kv.value, c)) return false;
    } else if (key == "unanswered_means") {
      if (have_um) return false;
      have_um = true;
      string_view s;
      if (kv.value.get(s) || (s != "no" && s != "unknown")) return false;
      c->unanswered_no = s == "no";
    } else if (key == "resourceType") {
      return false; /* a FHIR resource, read by fhir.c (batch.c), never a case */
    } else {
      if (nother == OTHER_MAX || !ignorable(kv.value)) return false;
      for (int i = 0; i < nother; i++)
        if (other[i] == key) return false;
      other[nother++] = key;
    }
  }
  if (!have_answers) return false;
  if (!have_id) {
    c->id = xstrdup(default_id ? default_id : "?");
  } else if (id_text.data()) { /* no NUL inside: simdjson rejects a raw one, and no escapes */
    c->id = static_cast<char *>(xmalloc(id_text.size() + 1));
    memcpy(c->id, id_text.data(), id_text.size());
    c->id[id_text.size()] = '\0';
  } else {
    c->id = xasprintf("%lld", static_cast<long long>(id_number));
  }
  return true;
}

int fastcase_read(struct fastcase *f, const kb *k, const char *text, size_t len, struct tcase *c,
                  const char *default_id) {
  /* An escape can spell a key or value another way ("\u0069d"), a NUL or a lone
   * surrogate: all left to the reference reader, as is a byte-order mark. */
  while (len && (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')) {
    text++; /* JSON's whitespace, e.g. before a case file's object */
    len--;
  }
  if (len == 0 || len > FAST_MAX || text[0] != '{' || memchr(text, '\\', len)) return 0;
  if (f->cap < len + simdjson::SIMDJSON_PADDING) {
    free(f->buf);
    f->cap = 2 * (len + simdjson::SIMDJSON_PADDING);
    f->buf = static_cast<char *>(xmalloc(f->cap));
    memset(f->buf, ' ', f->cap); /* the padding is read, never used: keep it defined */
  }
  memcpy(f->buf, text, len);
  element root;
  if (f->parser.parse(f->buf, len, false).get(root)) return 0;
  case_clear(c, k);
  if (read_case(k, root, c, default_id)) return 1;
  case_clear(c, k);
  return 0;
}

/* ---- the knowledge files ------------------------------------------------------------------
 *
 * jansson took 1.6 ms of eval's 7 ms start-up reading kb/; simdjson reads the same files
 * in a quarter of that, and its document is copied into the jansson values the loaders
 * walk (kb.c, screenkb.c).  What the fast path declines -- a backslash (escapes: \u0000,
 * lone surrogates, another spelling of a key), a control byte but a line break, a
 * byte-order mark, a duplicate key, a number beyond a 64-bit integer, a root that is no
 * object or array, any error -- goes to jansson, which words every message.  The two
 * trees are compared in tests/unit.c. */

/* The jansson value of v; NULL when the reference reader must decide. */
static json_t *to_jansson(element v) {
  switch (v.type()) {
  case element_type::OBJECT: {
    object members;
    if (v.get(members)) return nullptr;
    json_t *o = json_object();
    for (auto kv : members) {
      json_t *x = nullptr;
      if (!o || json_object_getn(o, kv.key.data(), kv.key.size()) || !(x = to_jansson(kv.value)) ||
          json_object_setn_new_nocheck(o, kv.key.data(), kv.key.size(), x)) {
        json_decref(o);
        return nullptr; /* (setn_new releases x on failure) */
      }
    }
    return o;
  }
  case element_type::ARRAY: {
    simdjson::dom::array items;
    if (v.get(items)) return nullptr;
    json_t *a = json_array();
    for (auto y : items) {
      json_t *x = to_jansson(y);
      if (!a || !x || json_array_append_new(a, x)) {
        json_decref(a);
        return nullptr;
      }
    }
    return a;
  }
  case element_type::STRING: {
    string_view s = v.get_string().value_unsafe();
    return json_stringn_nocheck(s.data(), s.size());
  }
  case element_type::INT64: return json_integer(v.get_int64().value_unsafe());
  case element_type::DOUBLE: return json_real(v.get_double().value_unsafe());
  case element_type::BOOL: return json_boolean(v.get_bool().value_unsafe());
  case element_type::NULL_VALUE: return json_null();
  default: return nullptr; /* UINT64: jansson's integers stop at 2^63 - 1 */
  }
}

static json_t *fast_document(const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    if (b == '\\' || (b < 0x20 && b != '\n' && b != '\r') || (b == 0xEF && i == 0)) return nullptr;
  }
  size_t i = 0;
  while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r')) i++;
  if (i == len || (text[i] != '{' && text[i] != '[')) return nullptr;
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(text, len, true).get(root)) return nullptr; /* (copied, padded) */
  return to_jansson(root);
}

json_t *fastjson_loadb(const char *text, size_t len, size_t flags, json_error_t *error) {
  json_t *j = (flags & ~static_cast<size_t>(JSON_REJECT_DUPLICATES)) ? nullptr : fast_document(text, len);
  return j ? j : json_loadb(text, len, flags, error);
}

json_t *fastjson_load_file(const char *path, size_t flags, json_error_t *error) {
  size_t len;
  char *text = read_file(path, &len);
  if (!text) return json_load_file(path, flags, error); /* (its message names the error) */
  json_t *j = fastjson_loadb(text, len, flags, error);
  if (!j) snprintf(error->source, sizeof error->source, "%s", path);
  free(text);
  return j;
}
