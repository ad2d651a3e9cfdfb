/* intake.h -- the interactive modes: the guided intake and the front-desk screen.
 *
 * Both run the same rules as eval: the rules assert what still needs asking, the
 * dialogue asks the first open question, asserts the answer and runs them again.  The
 * answers are saved as a case file (atomically, after every answer) so that an
 * interrupted dialogue can be resumed and `eval FILE` reproduces the result. */
#ifndef PSOAS_INTAKE_H
#define PSOAS_INTAKE_H

#include "commands.h"

/* psoas-triage intake [--therapist] [--show-ids] [--save FILE] [--resume FILE] */
int cmd_intake(struct ctx *ctx, int argc, char **argv);
/* psoas-triage screen [--show-ids] [--save FILE] [--resume FILE] */
int cmd_screen(struct ctx *ctx, int argc, char **argv);

#endif
