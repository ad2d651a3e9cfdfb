/* fuzz_jsonl.c -- libFuzzer target: `eval` on a JSON Lines stream (src/batch.c's reader,
 * workers and writer, with the real engine).
 *
 * Each input is written to a .jsonl file and evaluated by batch_eval() with one worker;
 * the records go to a temporary file.  Checked (abort() = a finding): every non-blank
 * input line yields at least one record, every record is one line of JSON with an "id"
 * and a "disposition" or an "error", and the exit status is 0 or 65 (66, said in words,
 * for an input with no non-blank line: it holds no case).  Slow (an engine
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
static char in_path[64], out_path[64];

static void setup(void) {
  K = kb_load("kb");
  if (!K) abort();
  snprintf(in_path, sizeof in_path, "/tmp/psoas-fuzz-%d.jsonl", (int)getpid());
  snprintf(out_path, sizeof out_path, "/tmp/psoas-fuzz-%d.out", (int)getpid());
  if (!freopen(out_path, "w+", stdout)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!K) setup();
  FILE *f = fopen(in_path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f)) abort();
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
  if (ftruncate(fileno(stdout), 0)) abort();
  rewind(stdout);
  struct batch_opts o = {.format = FMT_JSONL, .jobs = 1, .rules_dir = "rules", .k = K};
  char *inputs[] = {in_path};
  int status = batch_eval(&o, inputs, 1);
  if (status != EXIT_OK && status != EXIT_DATA && !(status == EXIT_NOINPUT && lines == 0)) {
    fprintf(stderr, "fuzz_jsonl: exit status %d\n", status);
    abort();
  }
  fflush(stdout);
  size_t len;
  char *out = read_file(out_path, &len);
  if (!out) abort();
  size_t records = 0;
  for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
    *nl = '\0';
    json_error_t e;
    json_t *r = json_loads(line, 0, &e);
    if (!r || !json_is_string(json_object_get(r, "id")) ||
        !(json_object_get(r, "disposition") || json_object_get(r, "error"))) {
      fprintf(stderr, "fuzz_jsonl: bad record: %.200s\n", line);
      abort();
    }
    json_decref(r);
    records++;
  }
  if (records < lines) {
    fprintf(stderr, "fuzz_jsonl: %zu input lines gave %zu records\n", lines, records);
    abort();
  }
  free(out);
  return 0;
}
