/* dialogue.h -- the dialogue of the intake and the screen, knowing no terminal and no HTTP.
 *
 * One logic, several hosts: the terminal (intake.c) and the web (serve.c) both keep a
 * struct dialogue and drive it the same way:
 *
 *     dlg_eval(d)                      run the rules on the answers so far
 *     dlg_finished(d) / dlg_next(d, &p) what comes next: nothing more, or prompt p
 *     dlg_answer(d, &p, answer)        an answer to p, as one step
 *     dlg_back(d)                      undo exactly one step
 *     dlg_json(d) / dlg_load(d, json)  the case file it is saved as, and read back from
 *
 * The rules decide what to ask (rules/90-questions.clp): the first question they ask for
 * that has no answer yet.  In screen mode, related red flags are asked together as a
 * checklist (kb/screen.json); a yes or don't-know to a checklist opens it, and its members
 * are then asked one at a time.  Every prompt answered is a step, saved with the answers
 * under the case file's "dialogue" key (which eval ignores), so that `back` after a resume
 * undoes exactly one prompt, whichever host asked it. */
#ifndef PSOAS_DIALOGUE_H
#define PSOAS_DIALOGUE_H

#include <jansson.h>

#include "engine.h"
#include "kb.h"
#include "screenkb.h"
#include "tcase.h"

#define DLG_PROMPT_MAX SCREEN_GROUP_MAX /* questions one prompt can answer (a checklist) */

/* One prompt answered: the questions it set (to undo them), or a yes / don't-know to a
 * checklist group, which sets nothing and opens the group's members (n == 0). */
struct dlg_step {
  int group; /* index into the screenkb, or -1 */
  int n;
  int q[DLG_PROMPT_MAX];
};

/* What to ask next: one question, or a checklist group with its members to ask. */
struct dlg_prompt {
  int group;       /* -1: the single question q[0] */
  int n;
  int q[DLG_PROMPT_MAX];
  const struct rask *ask; /* the rules' request for q[0] (its reason and concerns) */
};

struct dialogue {
  const kb *k;
  const screenkb *sk;    /* screen mode: the checklists; else NULL */
  struct engine *e;      /* not owned */
  enum mode mode;        /* MODE_INTAKE or MODE_SCREEN */
  int therapist;         /* the intake asks the therapist's findings too */
  struct tcase c;        /* the answers so far */
  struct result r;       /* of the last dlg_eval */
  struct dlg_step *steps;
  int nsteps, capsteps;
  unsigned char *opened; /* per group: a yes or don't-know to it, members still to ask */
  unsigned char *reask;  /* per question: "don't know" in the resumed file, asked again */
  json_t *doc;           /* the case file it was loaded from, or NULL: the file it saves
                            keeps the keys it does not write (a clinic's patient_name,
                            dob...), with their values, in their places */
};

extern const char *const dlg_mode_names[]; /* "eval", "intake", "screen" by enum mode */

/* A new dialogue with no answers (sk: the checklists, for screen mode). */
void dlg_init(struct dialogue *d, const kb *k, const screenkb *sk, struct engine *e,
              enum mode mode, int therapist);
void dlg_free(struct dialogue *d);

/* Reads the text of a case file (len bytes; name is the file's, for messages) into c
 * (case_init'ed) as a questionnaire reads it: what nobody answered is asked, whatever a
 * batch key says ("unanswered_means" is not kept).  Returns 0 with *doc the whole object
 * (caller decrefs), or -1 with *doc NULL and the message in err ("FILE:LINE: problem" or
 * "FILE: case ID: problem").  fuzz/fuzz_resume.c tries it on anything. */
int dlg_read(const kb *k, const char *name, const char *text, size_t len, struct tcase *c,
             json_t **doc, char *err, size_t n);

/* The text of a case file: doc's keys in their order (doc may be NULL), with the ones a
 * dialogue writes -- id, answers, unanswered_means, and dialogue unless it is NULL (the
 * reference is taken over) -- replaced, or added at the end; ends with a newline.  Caller
 * frees; NULL if jansson cannot encode it. */
char *dlg_case_text(const kb *k, const struct tcase *c, const json_t *doc, json_t *dialogue);

/* Loads a parsed case file into d: its answers (as dlg_read reads them), its steps, and
 * the file itself (a reference) for the keys it does not write.  resumed: a person takes
 * it up again (intake --resume), so its "don't know" answers are asked once more (not when
 * a web page reloads its session for every request).  Returns 0, or -1 with the reason in
 * err (name: the file). */
int dlg_load(struct dialogue *d, json_t *file, const char *name, int resumed, char *err, size_t n);

/* The case file d is saved as (dlg_case_text with its mode and steps); caller frees. */
char *dlg_text(const struct dialogue *d);

/* Runs the rules on the answers so far into d->r.  Returns 0, or -1 (d->r.error). */
int dlg_eval(struct dialogue *d);

/* After dlg_eval: 1 if an emergency is established and no question could withdraw it
 * (the dialogue stops there), else 0. */
int dlg_emergency(const struct dialogue *d);

/* After dlg_eval: the next prompt into p; 0 when nothing is left to ask. */
int dlg_next(const struct dialogue *d, struct dlg_prompt *p);

/* Records answer a to prompt p as one step (to a checklist: a no answers every member;
 * a yes or don't-know opens it, its members to be asked one at a time). */
void dlg_answer(struct dialogue *d, const struct dlg_prompt *p, struct answer a);

/* Undoes the last step; returns it (valid until the next dlg_answer), or NULL if there
 * is none.  The answers it set are cleared; a checklist it opened is closed. */
const struct dlg_step *dlg_back(struct dialogue *d);

/* "yes", "no", "don't know", the number or the choice (buf for a number). */
const char *dlg_answer_text(const struct question *q, const struct answer *a, char *buf, size_t n);

/* Writes the case file to path (replace_file: atomic and durable, mode 0600).  Returns
 * 0, or -1 with errno set (the previous file is then untouched). */
int dlg_write(const struct dialogue *d, const char *path);

#endif
