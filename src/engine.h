/* engine.h -- the CLIPS rule engine behind a small interface.  engine.c is the only file
 * that includes clips.h.
 *
 * An engine owns one CLIPS environment with the rules of one directory loaded.  It is
 * not thread-safe: use one engine per thread (the kb may be shared).  A result is
 * owned by the caller, reused across evaluations, and valid until the next
 * engine_eval() into it or result_free(). */
#ifndef PSOAS_ENGINE_H
#define PSOAS_ENGINE_H

#include "kb.h"
#include "tcase.h"
#include "util.h"

enum mode { MODE_EVAL, MODE_INTAKE, MODE_SCREEN };

#define BECAUSE_MAX 16

struct rconcern {
  int concern;              /* index into kb->c */
  int nbecause;
  size_t because[BECAUSE_MAX]; /* offsets into result.pool */
};

#define ASK_CONCERNS_MAX 8

struct rask {
  int question;             /* index into kb->q */
  int rank;
  char reason[16];          /* red-flag, follow-up, pattern, ... */
  int nconcerns;            /* what the answer rules in or out (the ask's `concerns`) */
  int concerns[ASK_CONCERNS_MAX]; /* indexes into kb->c */
};

struct result {
  enum level disposition;
  struct rconcern *concerns; /* most severe first, then catalogue order */
  int nconcerns;
  unsigned char *prec;      /* kb->nprec flags */
  unsigned char *ind;       /* kb->nind flags */
  struct rask *ask;         /* in rank order */
  int nask;
  strbuf pool;              /* because items, NUL-separated */
  char error[512];          /* set when engine_eval fails */
};

void result_init(struct result *r, const kb *k);
void result_free(struct result *r);
static inline const char *result_because(const struct result *r, const struct rconcern *c, int i) {
  return r->pool.s + c->because[i];
}

/* Which rules an engine holds.  ENGINE_DIALOGUE: all of them (intake, screen, serve).
 * ENGINE_EVAL: without the dialogue's, the rules of module DIALOGUE_MODULE, which can
 * fire only in a session of mode intake or screen (`check` verifies that each of them
 * waits for one) and would be matched for every fact of every case for nothing. */
enum engine_kind { ENGINE_DIALOGUE, ENGINE_EVAL };
#define DIALOGUE_MODULE "QUESTIONS"

/* Creates an environment with the rules of rules_dir that kind needs: from its binary
 * image (ENGINE_IMAGE_NAME or ENGINE_EVAL_IMAGE_NAME, see engine_save_images) when that
 * is newer than every *.clp file
 * and the directory, else by parsing rules_dir/<*.clp> in name order.  Each problem is
 * reported as "FILE:LINE: message"; on any error returns NULL (never a half-loaded
 * engine). */
struct engine *engine_open(const kb *k, const char *rules_dir, enum engine_kind kind);
/* The same, always parsing the .clp files (for `check`: errors with file and line). */
struct engine *engine_open_source(const kb *k, const char *rules_dir, enum engine_kind kind);

/* The binary images of the rules (CLIPS bsave), in the rules directory: all the rules,
 * and the eval image without the dialogue's rules. */
#define ENGINE_IMAGE_NAME "rules.bin"
#define ENGINE_EVAL_IMAGE_NAME "rules-eval.bin"
/* Writes e's rules (opened ENGINE_DIALOGUE) as the binary image path, and the rules
 * without the dialogue's as the eval image beside it (path with "-eval" before its
 * extension: rules.bin, rules-eval.bin), each atomically (temporary file, rename).  e
 * is left without the dialogue's rules.  Returns 0, or -1 (reported). */
int engine_save_images(struct engine *e, const char *path);
void engine_close(struct engine *e);
/* For a process about to end (once engine_process_ends() has said so; else, as in a
 * fuzzer that calls batch_eval again and again, it is engine_close): e is not destroyed
 * (the OS frees its memory at once, and DestroyEnvironment costs ~1 ms) but kept
 * reachable, so that valgrind and LeakSanitizer see no leak.  PSOAS_FREE_AT_EXIT=1
 * destroys it all the same. */
void engine_leave(struct engine *e);
void engine_process_ends(void);

/* Evaluates case c.  mode MODE_EVAL asks the rules only for the open red flags;
 * MODE_INTAKE / MODE_SCREEN for the next questions of a dialogue (therapist findings
 * only when therapist is set).  Returns 0, or -1 with r->error set (a rule error, a
 * runaway, or rules that disagree with the kb). */
int engine_eval(struct engine *e, const struct tcase *c, enum mode mode, int therapist,
                struct result *r);

#endif
