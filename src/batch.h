/* batch.h -- `eval`: evaluating case files, directories and JSON Lines streams.
 *
 * Inputs are read in order; cases are evaluated by `jobs` worker threads, each with its
 * own CLIPS environment; records are written in input order, one per case (a result
 * or an error), as soon as every earlier one is written. */
#ifndef PSOAS_BATCH_H
#define PSOAS_BATCH_H

#include "kb.h"
#include "output.h"

struct batch_opts {
  enum format format;
  int jobs;            /* worker threads, >= 1 */
  int summary;         /* counts per disposition and concern on stderr */
  int progress;        /* progress line on stderr (only when it is a terminal) */
  const char *rules_dir;
  const kb *k;
};

/* Evaluates every input (paths, directories, "-" for standard input) and writes the
 * records to stdout.  Returns an exit status: 0, 65 if any case was invalid, 66 if an
 * input was missing, 70 if the engine failed, 74 if writing failed. */
int batch_eval(const struct batch_opts *o, char **inputs, int ninputs);

#endif
