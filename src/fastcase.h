/* fastcase.h -- the fast path for one JSON Lines case, on simdjson.
 *
 * jansson + case_from_json is the reference reader: it alone decides what is an error
 * and words every message.  On a batch of a million cases its parsing takes about a
 * third of the time, so a JSON Lines record is first offered to this fast path: simdjson
 * (a validating parser, strict about JSON grammar and UTF-8) and a walk over the plain
 * shape of a case.  It settles only what the reference reader would accept, giving the
 * same struct tcase; for anything else -- any JSON error, a backslash escape anywhere, a
 * duplicate or unknown key, a value the catalogue does not allow, a nested value outside
 * "answers" -- it returns 0 and the record goes to the reference reader.  So the fast
 * path can make a run faster, never different (tests/test_batch.py compares whole runs
 * with and without it; fuzz/fuzz_fastcase.c compares the two readers case by case).
 *
 * The environment variable PSOAS_FASTPATH=0 turns it off (batch.c). */
#ifndef PSOAS_FASTCASE_H
#define PSOAS_FASTCASE_H

#include <stddef.h>

#include <jansson.h>

#include "kb.h"
#include "tcase.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fastcase; /* one per thread: the parser and its buffers, reused case after case */

struct fastcase *fastcase_new(void);
void fastcase_free(struct fastcase *f);

/* Reads the JSON text of one case (len bytes, no newline) into c, which must be
 * case_init'ed; default_id names the case when it has no "id".  Returns 1 when c now
 * holds exactly what case_from_json would give, 0 when the reference reader must decide
 * (c is then cleared). */
int fastcase_read(struct fastcase *f, const kb *k, const char *text, size_t len, struct tcase *c,
                  const char *default_id);

/* json_load_file(path, flags, error) for the knowledge files, on simdjson where the
 * file is plain (no escape, no control byte but line breaks, no duplicate key, integers
 * within 64 bits): the same tree, four times faster.  Anything else, and any flag but
 * JSON_REJECT_DUPLICATES, is read by jansson itself, whose error it returns. */
json_t *fastjson_load_file(const char *path, size_t flags, json_error_t *error);
/* The same for len bytes of text (fuzz/fuzz_case.c compares it with json_loadb). */
json_t *fastjson_loadb(const char *text, size_t len, size_t flags, json_error_t *error);

#ifdef __cplusplus
}
#endif

#endif
