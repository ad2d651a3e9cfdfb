/* fuzz_resume.c -- libFuzzer target: the intake's resume reader and the file it saves.
 *
 * Each input is taken as the text of a file given to `intake --resume` (or `screen
 * --resume`).  Invariant (abort() = a finding): whatever the file holds, it is either
 * refused with a message (dlg_read), or read as a case that round-trips: the
 * text the dialogue saves for it (dlg_case_text) is read back as the very same case,
 * with every top-level key the dialogue does not write kept, same value, same order.
 *
 * Built by `make fuzz FUZZ_TARGET=resume` with clang -fsanitize=fuzzer,address,undefined;
 * run from the repository root (it loads ./kb, or $PSOAS_KB). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/dialogue.h"
#include "../src/kb.h"
#include "../src/tcase.h"
#include "../src/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kb *K;
static struct tcase C, C2;

static void setup(void) {
  const char *kbdir = getenv("PSOAS_KB");
  K = kb_load(kbdir ? kbdir : "kb");
  if (!K) abort();
  case_init(&C, K);
  case_init(&C2, K);
}

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_resume: %s: %s\n", what, detail ? detail : "");
  abort();
}

/* The keys the dialogue writes (dialogue.h: dlg_case_text). */
static int written(const char *key) {
  return !strcmp(key, "id") || !strcmp(key, "answers") || !strcmp(key, "unanswered_means") ||
         !strcmp(key, "dialogue");
}

/* 1 if a and b have the same other keys, with equal values, in the same order. */
static int same_other_keys(json_t *a, json_t *b) {
  void *ia = json_object_iter(a), *ib = json_object_iter(b);
  for (;;) {
    while (ia && written(json_object_iter_key(ia))) ia = json_object_iter_next(a, ia);
    while (ib && written(json_object_iter_key(ib))) ib = json_object_iter_next(b, ib);
    if (!ia || !ib) return !ia && !ib;
    if (strcmp(json_object_iter_key(ia), json_object_iter_key(ib)) ||
        !json_equal(json_object_iter_value(ia), json_object_iter_value(ib)))
      return 0;
    ia = json_object_iter_next(a, ia);
    ib = json_object_iter_next(b, ib);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!K) setup();
  char err[1024];
  json_t *doc, *back;
  err[0] = '\0';
  if (dlg_read(K, "fuzz.json", (const char *)data, size, &C, &doc, err, sizeof err) != 0) {
    if (!err[0] || doc) fail("refused without a message", NULL);
    return 0;
  }
  json_t *dialogue = json_pack("{s:s, s:[s]}", "mode", "intake", "steps", "age");
  char *text = dlg_case_text(K, &C, doc, dialogue);
  if (!text) fail("the file to save could not be made", C.id);
  if (dlg_read(K, "fuzz.json", text, strlen(text), &C2, &back, err, sizeof err) != 0)
    fail("the saved file is refused", err);
  if (!case_same(K, &C, &C2)) fail("the saved file is another case", C.id);
  if (!same_other_keys(doc, back)) fail("the saved file lost or changed a key it does not write", C.id);
  free(text);
  json_decref(doc);
  json_decref(back);
  return 0;
}
