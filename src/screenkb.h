/* screenkb.h -- the front-desk screen's knowledge (kb/screen.json): checklist groups
 * that ask related yes/no questions in one prompt, and what the desk is told for each
 * level.
 *
 * screenkb_load() validates the file against a loaded kb and reports every problem as
 * "FILE:LINE: ID: problem".  Strings point into the parsed file and live as long as the
 * screenkb; screenkb_free(NULL) is a no-op. */
#ifndef PSOAS_SCREENKB_H
#define PSOAS_SCREENKB_H

#include "kb.h"

#define SCREEN_GROUP_MAX 16 /* members of one checklist */

struct screen_member {
  int q;              /* index into kb->q: a yes/no question asked of the patient */
  const char *phrase; /* its line in the checklist */
};

struct screen_group {
  const char *id, *text, *why;
  struct screen_member *m;
  int nm;
};

typedef struct screenkb {
  struct screen_group *g;
  int ng;
  int *group_of;                /* kb->nq entries: the group of each question, or -1 */
  const char *verdict[LV_COUNT]; /* the desk's words for each level */
  void *doc;                    /* the parsed file */
} screenkb;

/* Loads dir/screen.json for kb k.  On error reports every problem and returns NULL. */
screenkb *screenkb_load(const kb *k, const char *dir);
void screenkb_free(screenkb *s);

#endif
