/* kb.h -- the knowledge base as data: question catalogue, concern catalogue, levels,
 * precaution and indication texts, sources and the disclaimer (files in kb/).
 *
 * kb_load() reads and validates every file; a broken entry is reported as
 * "FILE:LINE: ID: problem" and the load fails.  A kb is immutable after loading and may be
 * shared by threads.  Strings inside it live as long as the kb. */
#ifndef PSOAS_KB_H
#define PSOAS_KB_H

#include <stddef.h>

enum level { LV_EMERGENCY, LV_URGENT, LV_REFER, LV_INCOMPLETE, LV_CAUTION, LV_PROCEED, LV_COUNT };
enum qtype { Q_BOOL, Q_INT, Q_CHOICE };

/* One answer to one question.  For Q_INT value is the number, for Q_CHOICE the index
 * of the choice; for Q_BOOL the state says it all. */
enum ans_state { ANS_NONE = 0, ANS_YES, ANS_NO, ANS_UNKNOWN, ANS_VALUE };
struct answer {
  unsigned char state;
  long value;
};

/* A `when` condition as kb.c parsed it, read-only once loaded (fhir.c maps it onto FHIR's
 * enableWhen): yes F, is [F, CHOICE], not_is [F, CHOICE], range [F, LOW, HIGH], or any /
 * all of other conditions.  kb_applicable() is its meaning. */
enum cond_op { C_YES, C_IS, C_NOT_IS, C_RANGE, C_ANY, C_ALL };
struct cond {
  enum cond_op op;
  int q;           /* question index (C_YES .. C_RANGE) */
  long a, b;       /* choice index (C_IS, C_NOT_IS) or range (C_RANGE) */
  struct cond **kids;
  int nkids;       /* C_ANY, C_ALL: at least one */
};

struct question {
  const char *id;
  size_t idlen;           /* strlen(id) */
  enum qtype type;
  long min, max;          /* Q_INT */
  const char **choices;   /* Q_CHOICE */
  int nchoices;
  const char *text, *help, *why, *section;
  const char *label;      /* a few plain words for results and letters ("pulsing lump in
                             the belly") */
  int red_flag;
  int safety;             /* a treatment-safety question: required like a red flag
                             before anyone is cleared, but not asked by the screen */
  int therapist;          /* asked of the therapist, never of the patient */
  struct cond *when;      /* NULL: always applicable */
  int index;              /* position in the catalogue = asking order */
};

struct concern_def {
  const char *id, *title, *advice;
  const char *triggers;   /* when it fires, in words naming finding ids (`check` compares
                             them with the findings its rules use) */
  const char *beyond;     /* what the project adds beyond the specification's table, or NULL */
  enum level level;
  const char **sources;
  int nsources;
};

struct text_def {
  const char *id, *text;
  const char **sources; /* may be empty */
  int nsources;
};

struct level_def {
  const char *id, *label, *action;
};

typedef struct kb {
  char *dir;
  struct question *q;
  int nq;
  struct concern_def *c;
  int nc;
  struct text_def *prec, *ind, *src;
  int nprec, nind, nsrc;
  struct level_def levels[LV_COUNT];
  char *disclaimer;
  char knowledge[24];    /* the knowledge version, "sha256:" + 16 hex digits of the digest
                            of the rule files and kb/ (kb_stamp); "" until stamped */
  const char **qids;     /* question ids, for "did you mean" */
  int *qhash;            /* open-addressing index of question ids: index + 1, 0 = empty */
  unsigned qmask;        /* qhash has qmask + 1 slots (a power of two, >= 2 * nq) */
  void *json[6];         /* the parsed files; the strings above point into them */
  /* The constant parts of a JSON Lines record, escaped once (out_prepare, after
   * kb_stamp); NULL until then (each record then escapes them itself). */
  char *json_level[LV_COUNT]; /* ,"disposition":"L","action":"..." */
  char **json_concern;        /* {"id":"..","level":"..","title":"..","because":[ */
  char *json_tail;            /* ,"disclaimer":"..","program":"..","knowledge":".."}\n */
  char **json_qid, **json_prec, **json_ind; /* "id" of each question, precaution, indication */
} kb;

/* Diagnostics while loading a knowledge file: kb_problem() reports "FILE:LINE: ID: problem"
 * (LINE: of the entry with that id; "FILE: problem" when id is NULL) and counts it; kb_need_str() returns the
 * non-empty string member key of object o, or reports and returns "". */
struct json_t;
struct kb_diag {
  const char *file;
  int errors;
};
/* The line (from 1) of a knowledge file's text where the entry with "id": id is, or 0. */
int kb_line_of_id(const char *text, const char *id);
void kb_problem(struct kb_diag *d, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *kb_need_str(struct kb_diag *d, struct json_t *o, const char *id, const char *key);

/* Loads and validates the knowledge base in dir.  On error reports every problem
 * found and returns NULL. */
kb *kb_load(const char *dir);
void kb_free(kb *k);
/* Sets k->knowledge from the content of rules_dir's *.clp files and the kb directory's
 * *.json and *.txt files but clinic.json (names and bytes, in name order): any edit to the
 * knowledge changes it, and the clinic's letterhead does not.  Returns 0, or -1 after reporting an unreadable file. */
int kb_stamp(kb *k, const char *rules_dir);

/* Index of the question / concern / precaution / indication with this id, or -1. */
int kb_question(const kb *k, const char *id);
/* The same for an id of len bytes that need not be NUL-terminated. */
int kb_question_n(const kb *k, const char *id, size_t len);
/* kb_question_n, trying the few questions after prev first: the keys of a case file
 * usually follow the catalogue's order (the intake writes them so). */
int kb_question_after(const kb *k, int prev, const char *id, size_t len);
int kb_concern(const kb *k, const char *id);
int kb_precaution(const kb *k, const char *id);
int kb_indication(const kb *k, const char *id);
/* Closest question id to a misspelt one, or NULL. */
const char *kb_suggest_question(const kb *k, const char *id);

/* Level names: "emergency" ... "proceed"; level_from_name returns -1 if unknown. */
const char *level_name(enum level l);
int level_from_name(const char *s);

/* 1 if question qi applies to the person whose answers are a (kb->nq entries): its
 * `when` condition holds or is still undecided (an age or a sex not yet known), read as
 * principle P6 (kb/principles.json) says.  A follow-up on a yes ({"yes": F}, alone or
 * in any/all) holds only once F is answered yes. */
int kb_applicable(const kb *k, int qi, const struct answer *a);

/* Lists into buf (caller's) the finding ids a question's `when` condition refers to;
 * returns how many (at most n).  Used by `check`. */
int kb_when_refs(const kb *k, int qi, int *buf, int n);

/* Appends question qi's `when` condition to b in words ("sex \u2260 male and 10 \u2264 age \u2264 60");
 * nothing when it has none. */
struct strbuf;
void kb_when_text(const kb *k, int qi, struct strbuf *b);

/* 1 if question q must be answered before a person is cleared in eval and intake: a
 * red-flag or a treatment-safety question. */
static inline int kb_required(const struct question *q) { return q->red_flag || q->safety; }

#endif
