/* check.h -- static analysis of rules/ and kb/ together (the `check` command).
 *
 * The rule files are read as s-expression text (so every problem has FILE:LINE), not
 * through the loaded engine; the engine is opened as well so CLIPS parse errors are
 * reported.  Every problem is reported as "FILE:LINE: problem". */
#ifndef PSOAS_CHECK_H
#define PSOAS_CHECK_H

#include "kb.h"

/* Checks the rules in rules_dir against the loaded kb k.  Reports each problem and
 * returns how many there were (0: clean); *nrules (if not NULL) gets the number of
 * rules read.  When image is not NULL and nothing was wrong, the rules' binary image is
 * written there (engine_save_images); -1 if that failed (reported: an output error, not
 * a problem of the knowledge).  Prints nothing on stdout. */
int check_knowledge(const kb *k, const char *rules_dir, const char *image, int *nrules);

#endif
