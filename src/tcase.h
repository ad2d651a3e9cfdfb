/* tcase.h -- one triage case: an id and an answer per question of the kb.
 *
 * A struct tcase owns its id and its answers array (kb->nq entries).  case_free(NULL)
 * and freeing a zeroed tcase are no-ops. */
#ifndef PSOAS_TCASE_H
#define PSOAS_TCASE_H

#include <jansson.h>

#include "kb.h"

struct tcase {
  char *id;
  struct answer *a;  /* kb->nq entries, indexed like kb->q */
  int unanswered_no; /* "unanswered_means": "no" -- an unticked box means no */
};

/* Limits on untrusted input (reported, never truncated).  Lines and files are limited
 * where they are read (batch.c). */
#define CASE_ID_MAX 200   /* bytes in an id */
#define CASE_DEPTH_MAX 64 /* nesting of objects and arrays in one case */
#define CASE_VALUE_MAX 64 /* bytes in an answer's key or string value */

/* Allocates the answers of c for kb k (all unanswered), id NULL. */
void case_init(struct tcase *c, const kb *k);
/* Clears id and answers so c can be reused for the next case. */
void case_clear(struct tcase *c, const kb *k);
void case_free(struct tcase *c);

/* 1 if a and b are the same case: the same id, answers and "unanswered_means". */
int case_same(const kb *k, const struct tcase *a, const struct tcase *b);

/* Reads case j (a JSON object) into c, which must be case_init'ed and is cleared
 * first.  default_id names the case when it has no "id" (e.g. "FILE:3").
 * Returns 0, or -1 with a message in err naming the key and what was expected; c->id
 * is then still set (to the case's id when it had a usable one) for the error record.
 * This is the reference reader: src/fastcase.cc settles the plain cases first and must
 * accept nothing this rejects -- a new check here needs its mirror there (or there, a
 * reason to decline); tests/test_batch.py and fuzz/fuzz_case.c compare the two. */
int case_from_json(const kb *k, json_t *j, struct tcase *c, const char *default_id,
                   char *err, size_t errlen);

/* A short, safe rendering of the JSON value v for a message, into buf: at most ~40
 * characters, control characters escaped. */
void case_show(json_t *v, char *buf, size_t n);

/* Plain words for why the JSON text of a case could not be parsed (e from jansson):
 * a NUL byte, invalid UTF-8, a number out of range, too deep nesting, or jansson's own
 * text.  Returns a static string or e->text. */
const char *case_json_reason(const json_error_t *e);

/* Parses an answer typed in a dialogue to question qi into a, by the same rules as a
 * case file (type, range, choices): y/yes/n/no, ?/unknown/dk (don't know), a whole
 * number, or a choice or an unambiguous start of one; case and surrounding blanks are
 * ignored.  Returns 0, or -1 with err set (a is then unchanged). */
int case_parse_answer(const kb *k, int qi, const char *text, struct answer *a, char *err,
                      size_t errlen);

/* The case as a case file object (id, answers in catalogue order, unanswered_means).
 * Caller owns the returned reference. */
json_t *case_to_json(const kb *k, const struct tcase *c);

/* The answer to question qi as it counts for the triage: with "unanswered_means": "no",
 * an unanswered yes/no question counts as no. */
static inline unsigned char case_state(const struct tcase *c, const kb *k, int qi) {
  unsigned char s = c->a[qi].state;
  if (s == ANS_NONE && c->unanswered_no && k->q[qi].type == Q_BOOL) return ANS_NO;
  return s;
}

/* Formats a message into err (n bytes) and returns -1: `return case_fail(err, n, ...)`. */
int case_fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
