/* fuzz_case.c -- libFuzzer target: the case parser plus evaluation plus output.
 *
 * Each input is taken as the text of a case file (one case object, or an array of
 * them).  Parse errors go through case_json_reason(); every valid case is evaluated in
 * eval, intake and screen mode and written in all three formats, and these invariants
 * are checked (abort() = a finding):
 *   - a case that validates survives case_to_json -> case_from_json unchanged;
 *   - evaluation never fails on a valid case (the shipped rules agree with the kb);
 *   - the disposition is never less severe than any concern raised (no under-triage);
 *   - a text the fast reader (fastcase.cc, simdjson) settles is read by the reference
 *     reader (jansson + case_from_json) as the very same case;
 *   - the knowledge files' reader (fastjson_loadb, simdjson) gives jansson's tree, or
 *     jansson's error.
 *
 * Built by `make fuzz` with clang -fsanitize=fuzzer,address,undefined; run from the
 * repository root (it loads ./kb and ./rules, or $PSOAS_KB and $PSOAS_RULES). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/engine.h"
#include "../src/fastcase.h"
#include "../src/kb.h"
#include "../src/output.h"
#include "../src/tcase.h"
#include "../src/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kb *K;
static struct engine *E;
static struct result R;
static struct tcase C, C2, CF;
static struct fastcase *F;

static void setup(void) {
  const char *kbdir = getenv("PSOAS_KB"), *rules = getenv("PSOAS_RULES");
  K = kb_load(kbdir ? kbdir : "kb");
  if (!K) abort();
  E = engine_open(K, rules ? rules : "rules", ENGINE_EVAL);
  if (!E) abort();
  result_init(&R, K);
  case_init(&C, K);
  case_init(&C2, K);
  case_init(&CF, K);
  F = fastcase_new();
}

static void fail(const char *what, const char *id, const char *detail) {
  fprintf(stderr, "fuzz_case: %s: %s: %s\n", id ? id : "?", what, detail ? detail : "");
  abort();
}

static void one_case(json_t *j) {
  char err[512];
  if (case_from_json(K, j, &C, "fuzz", err, sizeof err) < 0) {
    if (!err[0]) fail("invalid case without a message", C.id, NULL);
    return;
  }
  /* round trip */
  json_t *back = case_to_json(K, &C);
  if (case_from_json(K, back, &C2, "fuzz", err, sizeof err) < 0) fail("round trip rejected", C.id, err);
  json_decref(back);
  if (!case_same(K, &C, &C2)) fail("round trip changed the case", C.id, NULL);
  static const enum mode modes[] = {MODE_EVAL, MODE_INTAKE, MODE_SCREEN};
  for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    if (engine_eval(E, &C, modes[m], m == 1, &R) < 0) fail("evaluation failed", C.id, R.error);
    for (int i = 0; i < R.nconcerns; i++)
      if (K->c[R.concerns[i].concern].level < R.disposition)
        fail("under-triage: a concern is more severe than the disposition", C.id,
             K->c[R.concerns[i].concern].id);
    if (m == 0) {
      strbuf out = {0};
      out_record(&out, FMT_JSONL, K, C.id, &R, NULL, 0);
      out_record(&out, FMT_TEXT, K, C.id, &R, NULL, 0);
      out_record(&out, FMT_CSV, K, C.id, &R, NULL, 0);
      sb_clear(&out);
      out_case(&out, FMT_LETTER, K, NULL, &C, &R, 0); /* the case's id and answers, escaped */
      if (strstr(out.s, "<script")) fail("the letter holds markup from the case", C.id, NULL);
      sb_free(&out);
    }
  }
}

/* The fast reader's case CF must be the reference reader's reading of j. */
static void same_as_reference(json_t *j) {
  char err[512];
  if (!j) fail("the fast reader settled a text jansson rejects", CF.id, NULL);
  if (case_from_json(K, j, &C2, "fuzz", err, sizeof err) < 0)
    fail("the fast reader settled an invalid case", CF.id, err);
  if (!case_same(K, &CF, &C2)) fail("the fast reader read another case", CF.id, C2.id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!K) setup();
  int fast = fastcase_read(F, K, (const char *)data, size, &CF, "fuzz");
  json_error_t e, fe;
  json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
  if (fast) same_as_reference(j);
  /* the knowledge files' reader: jansson's tree, or jansson's error */
  json_t *fj = fastjson_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &fe);
  if (j ? !fj || !json_equal(j, fj) : fj || fe.line != e.line || strcmp(fe.text, e.text))
    fail("the knowledge files' reader disagrees with jansson", NULL, fj ? "read it" : fe.text);
  json_decref(fj);
  if (!j) {
    const char *why = case_json_reason(&e);
    if (!why || !*why) fail("parse error without a reason", NULL, NULL);
    strbuf out = {0};
    out_record(&out, FMT_JSONL, K, "fuzz", NULL, why, 0);
    sb_free(&out);
    return 0;
  }
  if (json_is_array(j)) {
    size_t i;
    json_t *x;
    json_array_foreach(j, i, x) one_case(x);
  } else {
    one_case(j);
  }
  json_decref(j);
  return 0;
}
