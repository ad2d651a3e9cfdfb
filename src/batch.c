/* batch.c -- see batch.h.
 *
 * Threads: the caller's thread reads the inputs and fills chunks of cases; `jobs`
 * workers evaluate chunks, each with its own engine; one writer writes finished chunks
 * strictly in sequence.  A fixed ring of chunk slots bounds memory: the reader waits
 * for a free slot, so a stream of any length runs in constant space. */
#include "batch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "fastcase.h"
#include "fhir.h"
#include "tcase.h"
#include "util.h"

#define CHUNK_CASES 256           /* most cases per chunk (chunk_cases: fewer for big records) */
#define CHUNK_BYTES (1u << 20)    /* input text per chunk (bounds memory with long lines) */
#define SLOTS_PER_JOB 3           /* chunks in flight per worker */
#define LINE_MAX_BYTES (1u << 20) /* longest JSON Lines record */
#define CASE_MAX_BYTES (1u << 20) /* longest case in a .json file (a file has no limit) */

/* ---- chunks ---------------------------------------------------------------------------- */

/* One case: its raw JSON text, as the reader cut it out of its input (a JSON Lines line,
 * a .json file, or one element of an array in either), or the reader's error message in
 * its place.  Arrays never reach the workers whole: the reader cuts them into their
 * elements, so that a chunk's case count (CHUNK_CASES), and with it the memory its
 * records take, is bounded whatever an input holds. */
struct item {
  size_t text, len;   /* offsets into chunk.text: the raw JSON */
  size_t where;       /* offset of the default id, e.g. "cases.jsonl:12" */
  size_t error;       /* offset of a reader error message, or NO_ERROR */
  long line, col;     /* where the text starts in its input (1-based), for messages */
  int lines;          /* 1: messages give a line and column (a .json file); 0: a column */
  int element;        /* an element of an array: any JSON value (a case must be an object) */
};
#define NO_ERROR ((size_t)-1)

enum slot_state { SLOT_EMPTY, SLOT_FILLED, SLOT_DONE };

struct chunk {
  enum slot_state state;
  long seq;
  struct item *items;
  int n;
  size_t bytes;     /* input bytes these cases came from (progress) */
  strbuf text;      /* raw lines, default ids, reader messages */
  strbuf out;       /* the records, ready to write */
  long *counts;     /* per level, per concern, then invalid and failed (summary) */
};

struct pipeline {
  const struct batch_opts *o;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct chunk *slots;
  int nslots;
  long next_fill, next_work, next_write;
  int closing;
  int filling;      /* cases in the chunk being filled (reader thread only) */
  int chunk_cases;  /* cases per chunk, for the output format (chunk_cases()) */
  int ncounts;
  long *totals;     /* summed by the writer */
  int write_error;  /* writing failed (errno in write_errno): the reader stops early */
  int write_errno;
  int stop;         /* reader thread only: stop reading (output is gone) */
  int missing;      /* an input could not be read, or held no case */
  long added;       /* items the reader has added (records to be written) */
  struct timespec start;
  double last_progress; /* when the progress line was last drawn; < 0: never yet */
  off_t total_bytes;    /* size of all inputs, or 0 if unknown (a pipe): no ETA */
  off_t done_bytes;     /* input bytes of the cases written (writer thread) */
  struct {              /* the directories read so far (reader thread) */
    dev_t dev;
    ino_t ino;
    char *path;
  } *dirs;
  int ndirs, capdirs;
  struct worker *workers; /* jobs of them, started (reader thread) as chunks come */
  int jobs, started;
  int engine_failed;      /* a worker could not open its engine (under mu) */
};

enum { CNT_INVALID = LV_COUNT, CNT_FAILED = LV_COUNT + 1, CNT_CONCERNS = LV_COUNT + 2 };

static struct chunk *fill_slot(struct pipeline *p) { return &p->slots[p->next_fill % p->nslots]; }

static void start_worker(struct pipeline *p);

/* Hands the chunk being filled to the workers (if it holds anything). */
static void submit(struct pipeline *p) {
  struct chunk *c = fill_slot(p);
  if (p->filling == 0) return;
  pthread_mutex_lock(&p->mu);
  c->state = SLOT_FILLED;
  c->seq = p->next_fill++;
  p->filling = 0;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  /* Engines on demand: one case, one engine; another worker (and its engine) with each
   * chunk after the first, up to --jobs. */
  if (p->next_fill > 1 && p->started < p->jobs) start_worker(p);
}

/* The chunk to add to, once its slot is free. */
static struct chunk *open_chunk(struct pipeline *p) {
  struct chunk *c = fill_slot(p);
  pthread_mutex_lock(&p->mu);
  while (c->state != SLOT_EMPTY) pthread_cond_wait(&p->cv, &p->mu);
  if (p->write_error) p->stop = 1;
  pthread_mutex_unlock(&p->mu);
  if (c->n == 0) {
    c->bytes = 0;
    sb_clear(&c->text);
    sb_clear(&c->out);
    memset(c->counts, 0, sizeof *c->counts * (size_t)p->ncounts);
  }
  return c;
}

static size_t add_text(struct chunk *c, const char *s, size_t n) {
  size_t off = c->text.len;
  sb_add(&c->text, s, n);
  sb_add(&c->text, "", 1);
  return off;
}

/* Where an item's text starts in its input, and how its messages place an error. */
struct origin {
  long line, col;
  int lines, element;
};

/* Adds one item to the chunk being filled: raw JSON text, or a reader's error message
 * (text NULL).  bytes: how much input it stands for (progress). */
static void add_one(struct pipeline *p, const char *where, const char *text, size_t len,
                    const char *error, size_t bytes, const struct origin *at) {
  struct chunk *c = open_chunk(p);
  if (c->n > 0 && c->text.len + len > CHUNK_BYTES) { /* a chunk's text stays within 1 MiB */
    submit(p);
    c = open_chunk(p);
  }
  c->bytes += bytes;
  struct item *it = &c->items[c->n++];
  it->where = add_text(c, where, strlen(where));
  it->text = text ? add_text(c, text, len) : 0;
  it->len = text ? len : 0;
  it->error = error ? add_text(c, error, strlen(error)) : NO_ERROR;
  it->line = at ? at->line : 1;
  it->col = at ? at->col : 1;
  it->lines = at ? at->lines : 0;
  it->element = at ? at->element : 0;
  p->added++;
  p->filling = c->n;
  if (c->n == p->chunk_cases || c->text.len >= CHUNK_BYTES) submit(p);
}

static void add_error(struct pipeline *p, const char *where, const char *error, size_t bytes) {
  add_one(p, where, NULL, 0, error, bytes, NULL);
}

/* The error record's text for JSON jansson could not parse, placed in the item's input:
 * by line and column in a .json file, by column in a JSON Lines line. */
static void malformed(char *msg, size_t n, const json_error_t *e, const struct item *it) {
  long col = e->line <= 1 ? it->col - 1 + e->column : e->column;
  if (it->lines)
    snprintf(msg, n, "malformed JSON at line %ld, column %ld: %s",
             it->line - 1 + (e->line > 0 ? e->line : 1), col, case_json_reason(e));
  else
    snprintf(msg, n, "malformed JSON at column %ld: %s", col, case_json_reason(e));
}

/* ---- workers ----------------------------------------------------------------------------- */

struct worker {
  struct pipeline *p;
  struct engine *engine;
  struct result r;
  struct tcase c;
  struct fastcase *fast; /* NULL with PSOAS_FASTPATH=0 */
  struct tcase check;    /* PSOAS_FASTPATH=verify: the reference reader's reading */
  int verify;
  long settled, disagreed; /* records the fast path settled; of them, read otherwise */
  pthread_t thread;
};

static void worker_free(struct worker *w) {
  engine_leave(w->engine); /* the process ends with eval: the OS frees it faster */
  result_free(&w->r);
  case_free(&w->c);
  case_free(&w->check);
  fastcase_free(w->fast);
}

/* Evaluates the case in w->c (read and valid) and adds its record to chunk c. */
static void eval_case(struct worker *w, struct chunk *c) {
  const kb *k = w->p->o->k;
  if (engine_eval(w->engine, &w->c, MODE_EVAL, 0, &w->r) < 0) {
    out_record(&c->out, w->p->o->format, k, w->c.id, NULL, w->r.error, w->p->o->style);
    c->counts[CNT_FAILED]++;
  } else {
    out_case(&c->out, w->p->o->format, k, w->p->o->letterhead, &w->c, &w->r, w->p->o->style);
    c->counts[w->r.disposition]++;
    for (int i = 0; i < w->r.nconcerns; i++) c->counts[CNT_CONCERNS + w->r.concerns[i].concern]++;
  }
}

static void eval_one(struct worker *w, struct chunk *c, json_t *j, const char *where) {
  const kb *k = w->p->o->k;
  char err[512];
  if (case_from_json(k, j, &w->c, where, err, sizeof err) < 0) {
    out_record(&c->out, w->p->o->format, k, w->c.id, NULL, err, w->p->o->style);
    c->counts[CNT_INVALID]++;
  } else {
    eval_case(w, c);
  }
}

static void error_record(struct worker *w, struct chunk *c, const char *where, const char *msg) {
  out_record(&c->out, w->p->o->format, w->p->o->k, where, NULL, msg, w->p->o->style);
  c->counts[CNT_INVALID]++;
}

/* A FHIR resource (fhir.h): each QuestionnaireResponse in it is a case with a record of
 * its own, named by its id, else NAME (a resource alone) or NAME[i] (the i-th entry of a
 * Bundle, as the elements of an array are; the reader has cut Bundles up already, see
 * add_item_at, so here a resource is one response or an error). */
struct responses {
  struct worker *w;
  struct chunk *c;
  const char *where;
};

static void eval_response(void *arg, json_t *qr, size_t entry) {
  struct responses *r = arg;
  char err[512];
  char *name = entry ? xasprintf("%s[%zu]", r->where, entry) : xstrdup(r->where);
  json_t *j = fhir_case_from(r->w->p->o->k, qr, err, sizeof err);
  if (j) {
    eval_one(r->w, r->c, j, name);
  } else {
    const char *id = fhir_case_id(qr);
    error_record(r->w, r->c, id ? id : name, err);
  }
  json_decref(j);
  free(name);
}

static void eval_resource(struct worker *w, struct chunk *c, json_t *j, const char *where) {
  struct responses r = {w, c, where};
  char err[512];
  if (fhir_responses(j, eval_response, &r, err, sizeof err) < 0) error_record(w, c, where, err);
}

/* PSOAS_FASTPATH=verify: 1 if the reference reader reads the record the fast path just
 * read into w->c (text, len bytes) as the very same case. */
static int agrees(struct worker *w, const char *text, size_t len, const char *where) {
  const kb *k = w->p->o->k;
  char err[512];
  json_error_t e;
  json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
  int same = j && case_from_json(k, j, &w->check, where, err, sizeof err) == 0 &&
             case_same(k, &w->check, &w->c);
  json_decref(j);
  return same;
}

static void run_item(struct worker *w, struct chunk *c, struct item *it) {
  const char *where = c->text.s + it->where;
  if (it->error != NO_ERROR) {
    error_record(w, c, where, c->text.s + it->error);
    return;
  }
  const char *text = c->text.s + it->text;
  if (w->fast && fastcase_read(w->fast, w->p->o->k, text, it->len, &w->c, where)) {
    w->settled++;
    if (w->verify && !agrees(w, text, it->len, where)) {
      w->disagreed++;
      out_record(&c->out, w->p->o->format, w->p->o->k, where, NULL,
                 "internal error: the fast JSON reader and the reference reader disagree on "
                 "this case (please report it)", w->p->o->style);
      c->counts[CNT_FAILED]++;
      return;
    }
    eval_case(w, c);
    return;
  }
  /* an element of an array may be any value (case_from_json says a case is an object); a
   * whole file or line must be an object or array, as jansson says by default */
  json_error_t e;
  json_t *j = json_loadb(text, it->len, JSON_REJECT_DUPLICATES | (it->element ? JSON_DECODE_ANY : 0), &e);
  if (!j) {
    char msg[300];
    malformed(msg, sizeof msg, &e, it);
    error_record(w, c, where, msg);
    return;
  }
  if (fhir_is_resource(j)) /* the fast path declines these: fastcase.cc */
    eval_resource(w, c, j, where);
  else
    eval_one(w, c, j, where);
  json_decref(j);
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  struct pipeline *p = w->p;
  if (!w->engine && !(w->engine = engine_open(p->o->k, p->o->rules_dir, ENGINE_EVAL))) {
    pthread_mutex_lock(&p->mu); /* the others carry on; the exit status says it */
    p->engine_failed = 1;
    pthread_mutex_unlock(&p->mu);
    return NULL;
  }
  pthread_mutex_lock(&p->mu);
  for (;;) {
    struct chunk *c = &p->slots[p->next_work % p->nslots];
    if (p->next_work < p->next_fill && c->state == SLOT_FILLED && c->seq == p->next_work) {
      p->next_work++;
      pthread_mutex_unlock(&p->mu);
      for (int i = 0; i < c->n; i++) run_item(w, c, &c->items[i]);
      pthread_mutex_lock(&p->mu);
      c->state = SLOT_DONE;
      pthread_cond_broadcast(&p->cv);
    } else if (p->closing && p->next_work >= p->next_fill) {
      break;
    } else {
      pthread_cond_wait(&p->cv, &p->mu);
    }
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

static void start_worker(struct pipeline *p) {
  struct worker *w = &p->workers[p->started++];
  pthread_create(&w->thread, NULL, worker_main, w);
}

/* ---- writer ------------------------------------------------------------------------------ */

static double seconds_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "1:02:03" or "2:03" for a number of seconds. */
static void clock_text(char *buf, size_t n, double secs) {
  long t = (long)(secs + 0.5), h = t / 3600, m = t / 60 % 60, sec = t % 60;
  if (h)
    snprintf(buf, n, "%ld:%02ld:%02ld", h, m, sec);
  else
    snprintf(buf, n, "%ld:%02ld", m, sec);
}

/* The progress line on stderr: cases done, rate, and (when the input size is known)
 * percentage and ETA.  Drawn at most 4 times a second; with PROGRESS_AUTO only once
 * the run has lasted a second (short runs stay quiet).  final: the last drawing, ended
 * with a newline (only if a line was drawn before). */
static void show_progress(struct pipeline *p, int final) {
  double s = seconds_since(&p->start);
  if (final ? p->last_progress < 0 : s - p->last_progress < 0.25) return;
  if (p->last_progress < 0 && p->o->progress == PROGRESS_AUTO && s < 1.0) return;
  p->last_progress = s;
  long done = 0;
  for (int i = 0; i < CNT_CONCERNS; i++) done += p->totals[i];
  char eta[64] = "";
  if (p->total_bytes > 0 && !final) {
    double frac = (double)p->done_bytes / (double)p->total_bytes;
    char left[32];
    clock_text(left, sizeof left, frac > 0 ? s / frac - s : 0);
    snprintf(eta, sizeof eta, ", %3.0f%%, ETA %s", frac > 1 ? 100.0 : frac * 100, left);
  } else if (final) {
    char took[32];
    clock_text(took, sizeof took, s);
    snprintf(eta, sizeof eta, " in %s", took);
  }
  fprintf(stderr, "\r\033[K%s: %ld cases, %.0f cases/s%s%s", PROGNAME, done,
          s > 0 ? (double)done / s : 0.0, eta, final ? "\n" : "");
}

static void *writer_main(void *arg) {
  struct pipeline *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    struct chunk *c = &p->slots[p->next_write % p->nslots];
    if (p->next_write < p->next_fill && c->state == SLOT_DONE && c->seq == p->next_write) {
      pthread_mutex_unlock(&p->mu);
      int failed = 0, err = 0; /* write_error is read by the reader: set it under the lock */
      if (!p->write_error &&
          ((c->out.len && fwrite(c->out.s, 1, c->out.len, stdout) != c->out.len) || fflush(stdout))) {
        failed = 1;
        err = errno;
      }
      for (int i = 0; i < p->ncounts; i++) p->totals[i] += c->counts[i];
      p->done_bytes += (off_t)c->bytes;
      if (p->o->progress) show_progress(p, 0);
      pthread_mutex_lock(&p->mu);
      if (failed) {
        p->write_errno = err;
        p->write_error = 1;
      }
      c->n = 0;
      c->state = SLOT_EMPTY;
      p->next_write++;
      pthread_cond_broadcast(&p->cv);
    } else if (p->closing && p->next_write >= p->next_fill) {
      break;
    } else {
      pthread_cond_wait(&p->cv, &p->mu);
    }
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* ---- the input layer ---------------------------------------------------------------------
 *
 * One place knows what an input is.  Every decision is made on an open descriptor's fstat,
 * never on a name that could be swapped in between:
 *   - a directory is listed, in name order (each directory once per run: a symbolic link
 *     back up the tree, or a second path to a directory already read, is said on stderr
 *     and not read again);
 *   - a regular file, or a stream named on the command line (`-`, a pipe, `<(cmd)`, a
 *     device), is read: *.jsonl, *.ndjson and `-` line by line, anything else as one JSON
 *     text (a case, or an array of cases); both in constant memory whatever their size;
 *   - anything else found in a directory under a case file's name (a FIFO, a device, a
 *     socket) is not read; it gets an error record;
 *   - an input that cannot be opened or read gets an error record in its place.
 * A case is at most 1 MiB of JSON (a JSON Lines line, an element of an array, a .json
 * file holding one case); arrays are cut into their elements here, so a chunk never
 * holds more than CHUNK_CASES cases or much more than CHUNK_BYTES of text. */

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && !strcmp(s + n - m, suf);
}

static int is_case_file_name(const char *name) {
  return has_suffix(name, ".json") || has_suffix(name, ".jsonl");
}

static int by_lines(const char *name) {
  return has_suffix(name, ".jsonl") || has_suffix(name, ".ndjson");
}

/* An input that cannot be read: its error record, a line on stderr, exit status 66. */
static void unreadable(struct pipeline *p, const char *path, const char *what, int err) {
  char *msg = err ? xasprintf("%s: %s", what, strerror(err)) : xstrdup(what);
  report("%s: %s", path, msg);
  add_error(p, path, msg, 0);
  p->missing = 1;
  free(msg);
}

static const char *file_kind(mode_t m) {
  return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
       : S_ISSOCK(m) ? "a socket" : "not a file";
}

/* ---- scanning JSON text from a descriptor or a buffer, in constant memory ---- */

struct scan {
  struct pipeline *p;
  int fd;             /* where more input comes from, or -1: buf holds all there is */
  char *buf;
  size_t len, cap;    /* bytes in buf, and its size */
  size_t pos;         /* the next byte to look at */
  size_t keep;        /* the start of what must stay in buf (the value being cut out) */
  int eof, err;       /* input ended; errno of a read error */
  long line, col;     /* of buf[pos], 1-based */
  off_t used;         /* bytes of input before buf[pos] */
};

/* The byte at pos, or -1 at the end of input (or on a read error: s->err). */
static int peek(struct scan *s) {
  while (s->pos == s->len) {
    if (s->eof || s->fd < 0) return -1;
    if (s->keep > 0) { /* drop what is no longer needed */
      memmove(s->buf, s->buf + s->keep, s->len - s->keep);
      s->len -= s->keep;
      s->pos -= s->keep;
      s->keep = 0;
    }
    if (s->len == s->cap) s->buf = xrealloc(s->buf, s->cap *= 2);
    struct pollfd pf = {s->fd, POLLIN, 0}; /* before blocking, hand on what was read */
    if (s->p->filling > 0 && poll(&pf, 1, 0) == 0) submit(s->p);
    ssize_t n = read(s->fd, s->buf + s->len, s->cap - s->len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      s->eof = 1;
      if (n < 0) s->err = errno;
      return -1;
    }
    s->len += (size_t)n;
  }
  return (unsigned char)s->buf[s->pos];
}

static void advance(struct scan *s) {
  if (s->buf[s->pos++] == '\n')
    s->line++, s->col = 1;
  else
    s->col++;
  s->used++;
}

static int is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int skip_ws(struct scan *s) {
  int c;
  while (is_ws(c = peek(s))) advance(s);
  return c;
}

enum cut { CUT_WHOLE, CUT_SHORT, CUT_TOO_LONG };

/* Cuts out the JSON value at pos (not white space): a string, an object or array (to its
 * balancing bracket, outside strings), or a bare word (a number, true, ...) up to white
 * space or punctuation.  Only its extent is found here: a worker's parser judges it, so
 * the text accepted is exactly what jansson accepts.  On return buf[keep..pos) is the
 * value: CUT_WHOLE; CUT_SHORT if the input ended inside it; CUT_TOO_LONG if it is over
 * CASE_MAX_BYTES (it is scanned to its end all the same, but not kept). */
static enum cut cut_value(struct scan *s) {
  size_t depth = 0, seen = 0;
  int in_string = 0, escaped = 0, c = peek(s), bare = c != '{' && c != '[' && c != '"';
  s->keep = s->pos;
  while ((c = peek(s)) >= 0) {
    if (bare) { /* a number or literal; any other byte is a value of its own, for the parser to refuse */
      if (seen > 0 && !(isalnum(c) || c == '+' || c == '-' || c == '.')) break;
    } else if (in_string) {
      if (escaped)
        escaped = 0;
      else if (c == '\\')
        escaped = 1;
      else if (c == '"')
        in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if ((c == '}' || c == ']') && depth > 0) {
      depth--;
    }
    advance(s);
    if (++seen > CASE_MAX_BYTES) s->keep = s->pos; /* too long: keep nothing more */
    if (!bare && !in_string && depth == 0) break;
  }
  if (seen > CASE_MAX_BYTES) return CUT_TOO_LONG;
  return c < 0 && (!bare || s->err) ? CUT_SHORT : CUT_WHOLE;
}

/* ---- FHIR Bundles, cut into their QuestionnaireResponses ---- */

/* A Bundle (fhir.h) is cut into its QuestionnaireResponses here, as an array is into its
 * elements: each is an item of its own, named NAME[i] (i: its place in Bundle.entry), so
 * that a chunk's count of cases, and the memory its records take, stays bounded however
 * many a Bundle holds.  One entry is parsed at a time (a whole Bundle's tree can take 14
 * times its text).  Anything irregular -- malformed JSON, a duplicate member -- is left to
 * the worker, which parses the text whole and words the error. */

struct bundle {
  int is_bundle;     /* "resourceType" is "Bundle" */
  json_t *type;      /* the "type" member's value, or NULL */
  size_t entries;    /* offset of the "entry" array's '[', or 0: none */
  size_t responses;  /* how many entries are QuestionnaireResponses */
};

struct bundle_add {  /* where the responses go */
  struct pipeline *p;
  const char *where;
  size_t bytes;      /* the Bundle's input bytes: counted with its first response */
  const struct origin *at;
};

/* The value just cut (buf[keep..pos)), parsed as a worker parses; NULL if malformed. */
static json_t *parse_cut(const struct scan *s) {
  return json_loadb(s->buf + s->keep, s->pos - s->keep, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
}

static void add_response(struct bundle_add *a, json_t *qr, size_t entry) {
  char *text = json_dumps(qr, JSON_COMPACT), *where = xasprintf("%s[%zu]", a->where, entry);
  if (text)
    add_one(a->p, where, text, strlen(text), NULL, a->bytes, a->at);
  else /* out of memory: said in the case's place */
    add_one(a->p, where, NULL, 0, "cannot copy this QuestionnaireResponse out of its Bundle", a->bytes, NULL);
  a->bytes = 0;
  free(where);
  free(text);
}

/* The array at pos ('['), entry by entry: counts the QuestionnaireResponses into b (add
 * NULL), or adds each as an item.  Returns 0, or -1 if it is malformed. */
static int bundle_entries(struct scan *s, struct bundle *b, struct bundle_add *add) {
  advance(s);
  int c = skip_ws(s);
  for (size_t i = 1; c != ']'; i++) {
    json_t *e = cut_value(s) == CUT_WHOLE ? parse_cut(s) : NULL;
    if (!e) return -1;
    json_t *r = json_object_get(e, "resource");
    if (!fhir_is_response(r))
      ; /* other resources in a Bundle are passed over */
    else if (add)
      add_response(add, r, i);
    else
      b->responses++;
    json_decref(e);
    if ((c = skip_ws(s)) == ',') {
      advance(s);
      if ((c = skip_ws(s)) == ']') return -1;
    } else if (c != ']') {
      return -1;
    }
  }
  advance(s);
  return 0;
}

/* The members of the object that is the whole text (but white space): resourceType,
 * type, and where the entries are, into b.  Returns 0, or -1 if the text is not an
 * object the worker would parse (malformed, a member twice, something after it). */
static int bundle_members(struct scan *s, struct bundle *b) {
  json_t *seen = json_object(), *key = NULL, *v;
  int rc = -1, c = skip_ws(s);
  if (c != '{') goto done;
  advance(s);
  for (c = skip_ws(s); c != '}';) {
    key = c == '"' && cut_value(s) == CUT_WHOLE ? parse_cut(s) : NULL;
    const char *k = json_string_value(key);
    if (!k || json_object_get(seen, k) || skip_ws(s) != ':') goto done;
    json_object_set(seen, k, json_null());
    advance(s);
    if (!strcmp(k, "entry") && skip_ws(s) == '[') {
      b->entries = s->pos;
      if (bundle_entries(s, b, NULL) < 0) goto done;
    } else {
      skip_ws(s);
      if (cut_value(s) != CUT_WHOLE || !(v = parse_cut(s))) goto done;
      if (!strcmp(k, "resourceType")) b->is_bundle = json_is_string(v) && !strcmp(json_string_value(v), "Bundle");
      if (!strcmp(k, "type")) b->type = json_incref(v);
      json_decref(v);
    }
    json_decref(key);
    key = NULL;
    if ((c = skip_ws(s)) == ',') {
      advance(s);
      if ((c = skip_ws(s)) == '}') goto done;
    } else if (c != '}') {
      goto done;
    }
  }
  advance(s);
  rc = skip_ws(s) < 0 ? 0 : -1;
done:
  json_decref(key);
  json_decref(seen);
  return rc;
}

/* Adds the item as add_one does; but a Bundle's QuestionnaireResponses each as an item
 * of its own, or the Bundle's error record in its place. */
static void add_item_at(struct pipeline *p, const char *where, const char *text, size_t len,
                        const char *error, size_t bytes, const struct origin *at) {
  struct scan s = {.p = p, .fd = -1, .buf = (char *)text, .len = len, .cap = len, .eof = 1,
                   .line = 1, .col = 1}; /* fd -1: buf is never written to */
  struct bundle b = {0};
  char err[512];
  if (!text || !fhir_maybe_bundle(text, len) || bundle_members(&s, &b) < 0 || !b.is_bundle) {
    add_one(p, where, text, len, error, bytes, at); /* the worker reads it */
  } else if (fhir_bundle_readable(b.type, b.responses, err, sizeof err) < 0) {
    add_error(p, where, err, bytes);
  } else {
    struct bundle_add a = {p, where, bytes, at};
    s.pos = b.entries;
    bundle_entries(&s, &b, &a);
  }
  json_decref(b.type);
}

/* How a JSON text is read: the messages' names and positions. */
struct text_src {
  const char *name;   /* the input ("cases.json"; "cases.jsonl:12" for a line) */
  int lines;          /* positions by line and column (a file) or column only (a line) */
  long col0;          /* a line's first column in its input */
};

static char *place(const struct text_src *t, const struct scan *s) {
  return t->lines ? xasprintf("line %ld, column %ld", s->line, s->col)
                  : xasprintf("column %ld", t->col0 - 1 + s->col);
}

/* A structural error (outside any case): its record, and the reading of this text ends. */
static void broken(struct pipeline *p, const struct text_src *t, const struct scan *s,
                   const char *where, const char *what) {
  char *at = place(t, s), *msg;
  if (s->err)
    msg = xasprintf("read error at %s: %s", at, strerror(s->err));
  else
    msg = xasprintf("malformed JSON at %s: %s", at, what);
  add_error(p, where, msg, 0);
  if (s->err) {
    report("%s: %s", t->name, msg);
    p->missing = 1;
  }
  free(at);
  free(msg);
}

/* Cuts out the value at pos and adds it as an item named where. */
static enum cut add_value(struct pipeline *p, struct scan *s, const struct text_src *t,
                          const char *where, int element) {
  struct origin at = {s->line, t->lines ? s->col : t->col0 - 1 + s->col, t->lines, element};
  off_t before = s->used;
  enum cut r = cut_value(s);
  if (r == CUT_TOO_LONG) {
    char *msg = xasprintf("a case longer than %u bytes", CASE_MAX_BYTES);
    add_error(p, where, msg, (size_t)(s->used - before));
    free(msg);
  } else if (r == CUT_SHORT && s->err) {
    broken(p, t, s, where, NULL);
  } else {
    add_item_at(p, where, s->buf + s->keep, s->pos - s->keep, NULL, (size_t)(s->used - before), &at);
  }
  s->keep = s->pos;
  return r;
}

/* A JSON text that is not an array: one case, evaluated only if nothing but white space
 * follows it (else the text is one error record, as a whole). */
static void add_single(struct pipeline *p, struct scan *s, const struct text_src *t) {
  struct origin at = {s->line, t->lines ? s->col : t->col0 - 1 + s->col, t->lines, 0};
  off_t before = s->used;
  enum cut r = cut_value(s);
  strbuf v = {0}; /* the case, kept aside: what follows it may be long */
  if (r != CUT_TOO_LONG) sb_add(&v, s->buf + s->keep, s->pos - s->keep);
  s->keep = s->pos;
  int c = skip_ws(s);
  if (s->err) {
    broken(p, t, s, t->name, NULL);
  } else if (c >= 0) {
    json_error_t e; /* the case's own error first, if it has one */
    json_t *j = r == CUT_TOO_LONG ? NULL : json_loadb(v.s ? v.s : "", v.len, JSON_REJECT_DUPLICATES, &e);
    if (j || r == CUT_TOO_LONG) {
      broken(p, t, s, t->name, "end of input expected after the case");
    } else {
      struct item it = {.line = at.line, .col = at.col, .lines = at.lines};
      char msg[300];
      malformed(msg, sizeof msg, &e, &it);
      add_error(p, t->name, msg, (size_t)(s->used - before));
    }
    json_decref(j);
  } else if (r == CUT_TOO_LONG) {
    char *msg = xasprintf("a case longer than %u bytes", CASE_MAX_BYTES);
    add_error(p, t->name, msg, (size_t)(s->used - before));
    free(msg);
  } else {
    add_item_at(p, t->name, v.s ? v.s : "", v.len, NULL, (size_t)(s->used - before), &at);
  }
  sb_free(&v);
}

/* A JSON text: one case, or an array of cases (each its own item, named NAME[i]).  What
 * follows the text, other than white space, is an error; so is an array cut off (the
 * cases before the cut are still evaluated, each in its place). */
static void read_json_text(struct pipeline *p, struct scan *s, const struct text_src *t) {
  int c = skip_ws(s);
  if (c < 0) {
    broken(p, t, s, t->name, "no JSON in it (empty)");
    return;
  }
  if (c != '[') {
    add_single(p, s, t);
    return;
  } else {
    advance(s);
    c = skip_ws(s);
    if (c == ']') {
      advance(s);
      add_error(p, t->name, "an empty array holds no case", 0);
    }
    for (size_t i = 1; c != ']' && !p->stop; i++) {
      char *where = xasprintf("%s[%zu]", t->name, i);
      enum cut r = add_value(p, s, t, where, 1);
      free(where);
      if (r == CUT_SHORT) return; /* the input ends inside this case: its record says so */
      c = skip_ws(s);
      if (c == ',') {
        advance(s);
        if ((c = skip_ws(s)) == ']' || c < 0) {
          broken(p, t, s, t->name, c < 0 ? "the input ends after ','" : "a case expected after ','");
          return;
        }
      } else if (c == ']') {
        advance(s);
      } else {
        broken(p, t, s, t->name, c < 0 ? "the array is cut off (']' expected)" : "',' or ']' expected");
        return;
      }
    }
  }
  if ((c = skip_ws(s)) >= 0)
    broken(p, t, s, t->name, "end of input expected after the JSON text");
  else if (s->err)
    broken(p, t, s, t->name, NULL);
}

/* A .json input from fd: its name names its records (NAME, NAME[i]). */
static void read_json_stream(struct pipeline *p, int fd, const char *name) {
  struct scan s = {.p = p, .fd = fd, .cap = 1u << 16, .line = 1, .col = 1};
  s.buf = xmalloc(s.cap);
  struct text_src t = {name, 1, 1};
  /* a byte order mark opening the file is skipped (columns count from after it) */
  if (peek(&s) == 0xef && s.len - s.pos >= 3 && !memcmp(s.buf + s.pos, "\xef\xbb\xbf", 3))
    s.pos += 3, s.used += 3, s.keep = s.pos;
  read_json_text(p, &s, &t);
  free(s.buf);
}

/* where = "NAME:LINE", as sb_printf would write it, without its cost on every line. */
static void set_where(strbuf *where, const char *name, long line) {
  char digits[24], *d = digits + sizeof digits;
  unsigned long n = line < 0 ? 0 : (unsigned long)line;
  do *--d = (char)('0' + n % 10); while (n /= 10);
  sb_clear(where);
  sb_puts(where, name);
  sb_add(where, ":", 1);
  sb_add(where, d, (size_t)(digits + sizeof digits - d));
}

/* JSON Lines from fd: one case (or array of cases) per line; blank lines are skipped.
 * Before blocking on a slow stream, the cases read so far are handed on, so results
 * flow as input arrives. */
static void read_jsonl(struct pipeline *p, int fd, const char *name) {
  size_t cap = 1u << 16, len = 0, start = 0;
  char *buf = xmalloc(cap);
  long line = 0;
  int eof = 0, skipping = 0; /* skipping: inside an over-long line */
  char msg[300];
  strbuf where = {0};
  while (!p->stop && (!eof || start < len)) {
    char *nl = memchr(buf + start, '\n', len - start);
    if (!nl && !eof) {
      /* need more input: compact, grow, read */
      if (start > 0) {
        memmove(buf, buf + start, len - start);
        len -= start;
        start = 0;
      }
      if (len > LINE_MAX_BYTES) { /* over-long line: report once, drop the rest of it */
        if (!skipping) {
          sb_clear(&where);
          sb_printf(&where, "%s:%ld", name, line + 1);
          snprintf(msg, sizeof msg, "line longer than %u bytes", LINE_MAX_BYTES);
          add_error(p, where.s, msg, len);
          skipping = 1;
        }
        len = 0;
      }
      if (len == cap) buf = xrealloc(buf, cap *= 2);
      struct pollfd pf = {fd, POLLIN, 0};
      if (p->filling > 0 && poll(&pf, 1, 0) == 0) submit(p);
      ssize_t n = read(fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        report("%s: read error: %s", name, strerror(errno));
        sb_clear(&where);
        sb_printf(&where, "%s:%ld", name, line + 1);
        snprintf(msg, sizeof msg, "read error after line %ld: %s", line, strerror(errno));
        add_error(p, where.s, msg, 0);
        p->missing = 1;
        break;
      }
      if (n == 0) eof = 1;
      len += (size_t)n;
      continue;
    }
    size_t end = nl ? (size_t)(nl - buf) : len;
    line++;
    set_where(&where, name, line);
    if (skipping) {
      skipping = 0;
    } else if (end - start > LINE_MAX_BYTES) { /* whole, but too long all the same */
      snprintf(msg, sizeof msg, "line longer than %u bytes", LINE_MAX_BYTES);
      add_error(p, where.s, msg, end - start + 1);
    } else {
      size_t s = start, e = end;
      while (s < e && (buf[s] == ' ' || buf[s] == '\t' || buf[s] == '\r')) s++;
      while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\t' || buf[e - 1] == '\r')) e--;
      json_error_t je;
      json_t *j = NULL;
      if (e == s) {
        /* a blank line */
      } else if (!nl && !(j = json_loadb(buf + s, e - s, JSON_REJECT_DUPLICATES, &je))) {
        /* a last line without a newline: evaluated, but said if it is broken */
        snprintf(msg, sizeof msg, "incomplete last line (no newline at end of input): %s",
                 case_json_reason(&je));
        add_error(p, where.s, msg, end - start);
      } else if (buf[s] == '[') { /* an array of cases: each its own item */
        json_decref(j);
        struct scan sc = {.p = p, .fd = -1, .buf = buf + s, .len = e - s, .cap = e - s,
                          .eof = 1, .line = 1, .col = 1};
        struct text_src t = {where.s, 0, (long)(s - start) + 1};
        read_json_text(p, &sc, &t);
      } else {
        json_decref(j);
        struct origin at = {line, (long)(s - start) + 1, 0, 0};
        add_item_at(p, where.s, buf + s, e - s, NULL, end - start + (nl != NULL), &at);
      }
    }
    start = nl ? end + 1 : len;
  }
  sb_free(&where);
  free(buf);
}

/* ---- files and directories ---- */

static void read_dir(struct pipeline *p, int dfd, const char *dir);

/* Reads a file or stream (open on fd) by its name's kind. */
static void read_stream(struct pipeline *p, int fd, const char *path) {
  if (by_lines(path))
    read_jsonl(p, fd, path);
  else
    read_json_stream(p, fd, path);
}

static int not_hidden(const struct dirent *d) { return d->d_name[0] != '.'; }

/* An entry of a directory (open on dfd): a directory is read; a regular file named
 * *.json or *.jsonl is read; a case file's name on anything else is an error record;
 * other names are passed over. */
static void read_entry(struct pipeline *p, int dfd, const char *name, const char *path) {
  struct stat st;
  int wanted = is_case_file_name(name);
  if (fstatat(dfd, name, &st, 0) < 0) {
    if (wanted) unreadable(p, path, "cannot read", errno);
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      unreadable(p, path, "cannot read the directory", errno);
      return;
    }
    read_dir(p, fd, path);
    close(fd);
    return;
  }
  if (!wanted) return;
  if (!S_ISREG(st.st_mode)) {
    char *what = xasprintf("not a regular file (%s): not read", file_kind(st.st_mode));
    unreadable(p, path, what, 0);
    free(what);
    return;
  }
  /* O_NONBLOCK: should it have become a FIFO since, opening it must not wait */
  int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    unreadable(p, path, "cannot read", errno);
    return;
  }
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    char *what = xasprintf("not a regular file (%s): not read", file_kind(st.st_mode));
    unreadable(p, path, what, 0);
    free(what);
  } else {
    read_stream(p, fd, path);
  }
  close(fd);
}

/* 1 if the directory open on dfd was read before in this run (said on stderr); else
 * remembers it. */
static int read_before(struct pipeline *p, int dfd, const char *dir) {
  struct stat st;
  if (fstat(dfd, &st) < 0) return 0;
  for (int i = 0; i < p->ndirs; i++)
    if (p->dirs[i].dev == st.st_dev && p->dirs[i].ino == st.st_ino) {
      report("%s: not read again: it is %s, read already (a symbolic link loop, or a second "
             "path to the same directory)", dir, p->dirs[i].path);
      return 1;
    }
  if (p->ndirs == p->capdirs) p->dirs = xrealloc(p->dirs, sizeof *p->dirs * (size_t)(p->capdirs = p->capdirs ? 2 * p->capdirs : 16));
  p->dirs[p->ndirs].dev = st.st_dev;
  p->dirs[p->ndirs].ino = st.st_ino;
  p->dirs[p->ndirs++].path = xstrdup(dir);
  return 0;
}

static void read_dir(struct pipeline *p, int dfd, const char *dir) {
  if (read_before(p, dfd, dir)) return;
  struct dirent **list;
  int n = scandirat(dfd, ".", &list, not_hidden, alphasort);
  if (n < 0) {
    unreadable(p, dir, "cannot read the directory", errno);
    return;
  }
  for (int i = 0; i < n; i++) {
    if (!p->stop) {
      char *path = xasprintf("%s/%s", dir, list[i]->d_name);
      read_entry(p, dfd, list[i]->d_name, path);
      free(path);
    }
    free(list[i]);
  }
  free(list);
}

/* An input named on the command line: `-` (standard input, JSON Lines), a directory, or a
 * file or stream of any kind (opening a FIFO waits for its writer, as cat does). */
static void read_input(struct pipeline *p, const char *path) {
  if (!strcmp(path, "-")) {
    read_jsonl(p, 0, "stdin");
    return;
  }
  int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) {
    unreadable(p, path, "cannot read", errno);
  } else if (S_ISDIR(st.st_mode)) {
    read_dir(p, fd, path);
  } else {
    read_stream(p, fd, path);
  }
  if (fd >= 0) close(fd);
}

/* Bytes of input that read_input(path) will read, for the ETA; -1 if unknown (a pipe, a
 * terminal).  Directories as read_dir reads them (each once). */
struct seen {
  dev_t dev;
  ino_t ino;
};

static off_t dir_size(int dfd, struct seen **seen, int *nseen);

static off_t entry_size(int dfd, const char *name, int top, struct seen **seen, int *nseen) {
  struct stat st;
  if (fstatat(dfd, name, &st, 0) < 0) return 0;
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    off_t n = fd < 0 ? 0 : dir_size(fd, seen, nseen);
    if (fd >= 0) close(fd);
    return n;
  }
  if (!top && !is_case_file_name(name)) return 0;
  return S_ISREG(st.st_mode) ? st.st_size : top ? -1 : 0;
}

static off_t dir_size(int dfd, struct seen **seen, int *nseen) {
  struct stat st;
  if (fstat(dfd, &st) < 0) return 0;
  for (int i = 0; i < *nseen; i++)
    if ((*seen)[i].dev == st.st_dev && (*seen)[i].ino == st.st_ino) return 0;
  *seen = xrealloc(*seen, sizeof **seen * (size_t)(*nseen + 1));
  (*seen)[(*nseen)++] = (struct seen){st.st_dev, st.st_ino};
  struct dirent **list;
  int n = scandirat(dfd, ".", &list, not_hidden, NULL);
  off_t sum = 0;
  for (int i = 0; i < n; i++) {
    off_t one = entry_size(dfd, list[i]->d_name, 0, seen, nseen);
    sum += one > 0 ? one : 0;
    free(list[i]);
  }
  if (n >= 0) free(list);
  return sum;
}

static off_t input_size(const char *path, struct seen **seen, int *nseen) {
  struct stat st;
  if (!strcmp(path, "-"))
    return fstat(0, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size - lseek(0, 0, SEEK_CUR) : -1;
  return entry_size(AT_FDCWD, path, 1, seen, nseen);
}

/* ---- summary ------------------------------------------------------------------------------ */

/* The counts as a table on stderr. */
static void print_summary(struct pipeline *p) {
  const kb *k = p->o->k;
  long cases = 0;
  for (int i = 0; i < CNT_CONCERNS; i++) cases += p->totals[i];
  fprintf(stderr, "%s: summary of %ld case%s (knowledge %s, %s %s)\n", PROGNAME, cases,
          cases == 1 ? "" : "s", k->knowledge, PROGNAME, PSOAS_VERSION);
  for (int l = 0; l < LV_COUNT; l++)
    fprintf(stderr, "  %-12s %8ld\n", level_name((enum level)l), p->totals[l]);
  fprintf(stderr, "  %-12s %8ld\n  %-12s %8ld\n", "invalid", p->totals[CNT_INVALID], "failed",
          p->totals[CNT_FAILED]);
  fprintf(stderr, "  concerns:\n");
  for (int c = 0; c < k->nc; c++)
    if (p->totals[CNT_CONCERNS + c])
      fprintf(stderr, "    %-28s %8ld\n", k->c[c].id, p->totals[CNT_CONCERNS + c]);
}

/* The counts as one JSON object, the last line of the JSON Lines output:
 * {"summary":{"cases":N,"dispositions":{LEVEL:N...},"invalid":N,"failed":N,
 *  "concerns":{ID:N...},"program":"psoas-triage V","knowledge":"sha256:..."}} -- every
 *  level, the concerns that occurred, and which program and knowledge produced them. */
static void summary_json(struct pipeline *p, strbuf *b) {
  const kb *k = p->o->k;
  long cases = 0;
  for (int i = 0; i < CNT_CONCERNS; i++) cases += p->totals[i];
  sb_printf(b, "{\"summary\":{\"cases\":%ld,\"dispositions\":{", cases);
  for (int l = 0; l < LV_COUNT; l++)
    sb_printf(b, "%s\"%s\":%ld", l ? "," : "", level_name((enum level)l), p->totals[l]);
  sb_printf(b, "},\"invalid\":%ld,\"failed\":%ld,\"concerns\":{", p->totals[CNT_INVALID],
            p->totals[CNT_FAILED]);
  for (int c = 0, n = 0; c < k->nc; c++)
    if (p->totals[CNT_CONCERNS + c]) {
      if (n++) sb_add(b, ",", 1);
      out_json_string(b, k->c[c].id);
      sb_printf(b, ":%ld", p->totals[CNT_CONCERNS + c]);
    }
  sb_printf(b, "},\"program\":\"%s %s\",\"knowledge\":\"%s\"}}\n", PROGNAME, PSOAS_VERSION,
            k->knowledge);
}

/* Cases per chunk: few enough that a chunk's records stay near 1 MiB whatever the cases
 * hold, so that memory is bounded by the number of chunks in flight.  The largest record
 * per format (every finding yes, a 200-byte id of control characters; measured): JSON
 * Lines 7.6 KB, text 13 KB, CSV 1.1 KB, letter 19.5 KB, FHIR 33 KB (the id, escaped, six
 * times over). */
static int chunk_cases(enum format f) {
  switch (f) {
  case FMT_JSONL: return 128;
  case FMT_TEXT: return 64;
  case FMT_LETTER: return 48;
  case FMT_FHIR: return 32;
  default: return CHUNK_CASES;
  }
}

/* ---- driver ------------------------------------------------------------------------------- */

int batch_eval(const struct batch_opts *o, char **inputs, int ninputs) {
  const kb *k = o->k;
  int jobs = o->jobs < 1 ? 1 : o->jobs;
  struct worker *w = xcalloc((size_t)jobs, sizeof *w);
  struct pipeline p = {.o = o};
  int status = EXIT_OK;
  /* PSOAS_FASTPATH: unset or 1 = on, 0 = off, verify = on, and every record it settles
   * is read again by the reference reader and compared (see fastcase.h) */
  const char *fp = getenv("PSOAS_FASTPATH");
  int fast = !(fp && !strcmp(fp, "0")), verify = fp && !strcmp(fp, "verify");
  /* The first engine now, so that rules that fail to load stop eval before any output;
   * the others in their workers' threads, when the input turns out to need them. */
  if (!(w[0].engine = engine_open(k, o->rules_dir, ENGINE_EVAL))) {
    free(w);
    return EXIT_SOFTWARE;
  }
  p.workers = w;
  p.jobs = jobs;
  for (int i = 0; i < jobs; i++) {
    w[i].p = &p;
    result_init(&w[i].r, k);
    case_init(&w[i].c, k);
    w[i].fast = fast ? fastcase_new() : NULL;
    w[i].verify = verify;
    case_init(&w[i].check, k);
  }
  p.ncounts = CNT_CONCERNS + k->nc;
  p.totals = xcalloc((size_t)p.ncounts, sizeof *p.totals);
  p.chunk_cases = chunk_cases(o->format);
  p.nslots = jobs * SLOTS_PER_JOB + 1;
  p.slots = xcalloc((size_t)p.nslots, sizeof *p.slots);
  for (int i = 0; i < p.nslots; i++) {
    p.slots[i].items = xcalloc(CHUNK_CASES, sizeof *p.slots[i].items);
    p.slots[i].counts = xcalloc((size_t)p.ncounts, sizeof *p.slots[i].counts);
  }
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv, NULL);
  clock_gettime(CLOCK_MONOTONIC, &p.start);
  p.last_progress = -1;
  struct seen *seen = NULL;
  int nseen = 0;
  for (int i = 0; o->progress && i < ninputs; i++) {
    off_t n = input_size(inputs[i], &seen, &nseen);
    if (n < 0) { /* a pipe: rate only */
      p.total_bytes = 0;
      break;
    }
    p.total_bytes += n;
  }
  free(seen);
  strbuf edge = {0}; /* what comes before the first record and after the last */
  out_begin(&edge, o->format);
  fputs(edge.s ? edge.s : "", stdout);
  pthread_t writer;
  pthread_create(&writer, NULL, writer_main, &p);
  start_worker(&p);

  for (int i = 0; i < ninputs && !p.stop; i++) {
    /* An input named on the command line that holds no case at all (an empty directory,
     * one with no *.json or *.jsonl, an empty .jsonl file) is said in words and counts as
     * missing input; an empty stream on standard input is a stream that ended (exit 0). */
    long before = p.added;
    int was_missing = p.missing;
    p.missing = 0;
    read_input(&p, inputs[i]);
    if (p.added == before && !p.missing && strcmp(inputs[i], "-")) {
      report("%s: no case in it (case files are *.json, or *.jsonl with one case per line)", inputs[i]);
      p.missing = 1;
    }
    p.missing |= was_missing;
  }
  submit(&p);
  pthread_mutex_lock(&p.mu);
  p.closing = 1;
  pthread_cond_broadcast(&p.cv);
  pthread_mutex_unlock(&p.mu);
  for (int i = 0; i < p.started; i++) pthread_join(w[i].thread, NULL);
  pthread_join(writer, NULL);
  sb_clear(&edge);
  out_end(&edge, o->format);
  if (edge.len && !p.write_error && (fwrite(edge.s, 1, edge.len, stdout) != edge.len || fflush(stdout))) {
    p.write_errno = errno;
    p.write_error = 1;
  }
  sb_free(&edge);
  if (o->progress) show_progress(&p, 1);
  if (verify) {
    long settled = 0, disagreed = 0;
    for (int i = 0; i < jobs; i++) {
      settled += w[i].settled;
      disagreed += w[i].disagreed;
    }
    report("fast path: %ld records settled, %ld disagreed with the reference reader", settled,
           disagreed);
  }
  if (o->summary == SUMMARY_TEXT && !p.write_error) print_summary(&p); /* (not for records lost) */
  if (o->summary == SUMMARY_JSON && !p.write_error) {
    strbuf b = {0};
    summary_json(&p, &b);
    if (fwrite(b.s, 1, b.len, stdout) != b.len || fflush(stdout)) {
      p.write_errno = errno;
      p.write_error = 1;
    }
    sb_free(&b);
  }

  if (p.totals[CNT_INVALID]) status = EXIT_DATA;
  if (p.missing) status = EXIT_NOINPUT;
  if (p.totals[CNT_FAILED] || p.engine_failed) status = EXIT_SOFTWARE;
  if (p.write_error) {
    report("error writing the results to standard output: %s", strerror(p.write_errno));
    status = EXIT_IOERR;
  }
  for (int i = 0; i < jobs; i++) worker_free(&w[i]);
  for (int i = 0; i < p.nslots; i++) {
    free(p.slots[i].items);
    free(p.slots[i].counts);
    sb_free(&p.slots[i].text);
    sb_free(&p.slots[i].out);
  }
  free(p.slots);
  for (int i = 0; i < p.ndirs; i++) free(p.dirs[i].path);
  free(p.dirs);
  free(p.totals);
  free(w);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  return status;
}
