/* batch.h -- `eval`: evaluating case files, directories and JSON Lines streams.
 *
 * Inputs are read in order; cases are evaluated by `jobs` worker threads, each with its
 * own CLIPS environment; records are written in input order, one per case (a result
 * or an error), as soon as every earlier one is written. */
#ifndef PSOAS_BATCH_H
#define PSOAS_BATCH_H

#include "kb.h"
#include "output.h"

enum summary { SUMMARY_NONE, SUMMARY_TEXT, SUMMARY_JSON };
enum progress { PROGRESS_OFF, PROGRESS_AUTO, PROGRESS_ON };

/* eval runs at most this many worker threads per core (more would only cost memory) */
#define JOBS_PER_CORE 4

struct batch_opts {
  enum format format;
  int jobs;            /* worker threads, >= 1 */
  enum summary summary; /* counts per disposition and concern: a table on stderr, or
                          a final {"summary":{...}} record on stdout (JSON Lines only) */
  enum progress progress; /* progress line on stderr; AUTO: only once a run lasts 1 s.
                             The caller sets OFF unless stderr is a terminal. */
  const char *rules_dir;
  const kb *k;
  int style;           /* text records: OUT_SHOW_IDS, OUT_WIDTH(w) (output.h) */
  const struct letterhead *letterhead; /* FMT_LETTER: the clinic heading each letter */
};

/* Evaluates every input (paths, directories, "-" for standard input) and writes the
 * records to stdout.  Returns an exit status: 0, 65 if any case was invalid, 66 if an
 * input was missing, 70 if the engine failed, 74 if writing failed. */
int batch_eval(const struct batch_opts *o, char **inputs, int ninputs);

#endif
