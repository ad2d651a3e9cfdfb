/* fuzz_jsonl.c -- libFuzzer target: `eval` on a JSON Lines stream (src/batch.c's reader,
 * workers and writer, with the real engine).
 *
 * Each input is written to a .jsonl file and evaluated by batch_eval() with one worker;
 * the records go to a temporary file.  Checked (abort() = a finding): every non-blank
 * input line yields at least one record, every record is one line of JSON with an "id"
 * and a "disposition" or an "error", and the exit status is 0 or 65 (66, said in words,
 * for an input with no non-blank line: it holds no case).  The same bytes are then
 * evaluated as a .json file, whose records must agree with jansson's reading of the whole
 * text (as_json_file).  Slow (an engine
 * per run: about a hundred runs a second), so it complements fuzz_case.c, it does not
 * replace it.  Run from the repository root, like fuzz_case. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/batch.h"
#include "../src/kb.h"
#include "../src/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kb *K;
static char in_path[64], json_path[64], out_path[64];

static void setup(void) {
  K = kb_load("kb");
  if (!K) abort();
  snprintf(in_path, sizeof in_path, "/tmp/psoas-fuzz-%d.jsonl", (int)getpid());
  snprintf(json_path, sizeof json_path, "/tmp/psoas-fuzz-%d.json", (int)getpid());
  snprintf(out_path, sizeof out_path, "/tmp/psoas-fuzz-%d.out", (int)getpid());
  if (!freopen(out_path, "w+", stdout)) abort();
}

/* Evaluates the input written to path; returns the exit status, and the records (each
 * checked to be one line of JSON with an "id" and a "disposition" or an "error"): their
 * number, and how many are errors. */
static int evaluate(const uint8_t *data, size_t size, const char *path, size_t *records,
                    size_t *errors) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f)) abort();
  if (ftruncate(fileno(stdout), 0)) abort();
  rewind(stdout);
  struct batch_opts o = {.format = FMT_JSONL, .jobs = 1, .rules_dir = "rules", .k = K};
  char *inputs[] = {(char *)path};
  int status = batch_eval(&o, inputs, 1);
  fflush(stdout);
  size_t len;
  char *out = read_file(out_path, &len);
  if (!out) abort();
  *records = *errors = 0;
  for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
    *nl = '\0';
    json_error_t e;
    json_t *r = json_loads(line, 0, &e);
    if (!r || !json_is_string(json_object_get(r, "id")) ||
        !(json_object_get(r, "disposition") || json_object_get(r, "error"))) {
      fprintf(stderr, "fuzz_jsonl: bad record: %.200s\n", line);
      abort();
    }
    *errors += json_object_get(r, "error") != NULL;
    json_decref(r);
    (*records)++;
  }
  free(out);
  unlink(path);
  return status;
}

/* The same bytes as a .json file (src/batch.c cuts it into cases as it reads, without
 * parsing): the records must be those of jansson reading the whole text at once -- for
 * an array of N cases N records, for one object one, for an empty array one error, and
 * for any text jansson refuses at least one error record. */
static void as_json_file(const uint8_t *data, size_t size) {
  size_t records, errors;
  int status = evaluate(data, size, json_path, &records, &errors);
  if (size >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) data += 3, size -= 3;
  json_error_t e;
  json_t *whole = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
  size_t want = !whole ? 0 : json_is_array(whole) ? json_array_size(whole) : 1;
  int ok = status == EXIT_OK || status == EXIT_DATA;
  if (!whole)
    ok = ok && errors >= 1 && status == EXIT_DATA;
  else
    ok = ok && records == (want ? want : 1) && (want || errors == 1);
  if (!ok) {
    fprintf(stderr, "fuzz_jsonl: as a .json file: exit %d, %zu records (%zu errors); jansson "
            "reads %s (%zu cases)\n", status, records, errors, whole ? "it" : e.text, want);
    abort();
  }
  json_decref(whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!K) setup();
  size_t lines = 0;
  for (size_t i = 0, start = 0; i <= size; i++)
    if (i == size || data[i] == '\n') {
      for (size_t j = start; j < i; j++)
        if (data[j] != ' ' && data[j] != '\t' && data[j] != '\r') {
          lines++;
          break;
        }
      start = i + 1;
    }
  size_t records, errors;
  int status = evaluate(data, size, in_path, &records, &errors);
  if (status != EXIT_OK && status != EXIT_DATA && !(status == EXIT_NOINPUT && lines == 0)) {
    fprintf(stderr, "fuzz_jsonl: exit status %d\n", status);
    abort();
  }
  if (records < lines) {
    fprintf(stderr, "fuzz_jsonl: %zu input lines gave %zu records\n", lines, records);
    abort();
  }
  as_json_file(data, size);
  return 0;
}
