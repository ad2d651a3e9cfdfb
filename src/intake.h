/* intake.h -- the interactive modes: the guided intake and the front-desk screen.
 *
 * Both run the same rules as eval: the rules assert what still needs asking, the
 * dialogue asks the first open question, asserts the answer and runs them again.  The
 * answers are saved as a case file (atomically, after every answer) so that an
 * interrupted dialogue can be resumed and `eval FILE` reproduces the result. */
#ifndef PSOAS_INTAKE_H
#define PSOAS_INTAKE_H

#include <jansson.h>

#include "commands.h"
#include "kb.h"
#include "tcase.h"

/* psoas-triage intake [--therapist] [--show-ids] [--save FILE] [--resume FILE] */
int cmd_intake(struct ctx *ctx, int argc, char **argv);
/* psoas-triage screen [--show-ids] [--save FILE] [--resume FILE] */
int cmd_screen(struct ctx *ctx, int argc, char **argv);

/* The resume reader (fuzz/fuzz_resume.c tries it on anything).  Reads the text of a
 * case file to resume (len bytes; name is the file's, for messages) into c, which must
 * be case_init'ed, as a questionnaire reads it (its "unanswered_means" is not kept: what
 * nobody answered is asked).  Returns 0 with *doc the whole object (caller decrefs: the
 * saved file keeps the keys it does not write), or EXIT_DATA with *doc NULL and the
 * message in err ("FILE:LINE: problem" or "FILE: case ID: problem"). */
int intake_read_resume(const kb *k, const char *name, const char *text, size_t len, struct tcase *c,
                       json_t **doc, char *err, size_t errlen);

/* The text of the case file a dialogue saves: doc's keys in their order (doc may be
 * NULL), with the ones the dialogue writes -- id, answers, unanswered_means, and
 * dialogue unless it is NULL (the reference is taken over) -- replaced, or added at the
 * end; ends with a newline.  Caller frees; NULL if jansson cannot encode it. */
char *intake_case_text(const kb *k, const struct tcase *c, const json_t *doc, json_t *dialogue);

#endif
