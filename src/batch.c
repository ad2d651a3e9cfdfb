/* batch.c -- see batch.h.
 *
 * Threads: the caller's thread reads the inputs and fills chunks of cases; `jobs`
 * workers evaluate chunks, each with its own engine; one writer writes finished chunks
 * strictly in sequence.  A fixed ring of chunk slots bounds memory: the reader waits
 * for a free slot, so a stream of any length runs in constant space. */
#include "batch.h"

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
#include "tcase.h"
#include "util.h"

#define CHUNK_CASES 256           /* cases per chunk */
#define CHUNK_BYTES (1u << 20)    /* input text per chunk (bounds memory with long lines) */
#define SLOTS_PER_JOB 3           /* chunks in flight per worker */
#define LINE_MAX_BYTES (1u << 20) /* longest JSON Lines record */
#define FILE_MAX_BYTES (64u << 20) /* largest .json case file (JSON Lines: no limit) */
#define FILE_TEXT_MAX (1u << 20)   /* .json files up to this are parsed by the workers;
                                      larger ones by the reader, into items per case */

/* ---- chunks ---------------------------------------------------------------------------- */

struct item {
  size_t text, len;   /* offsets into chunk.text: the raw JSON (when json is NULL) */
  size_t where;       /* offset of the default id, e.g. "cases.jsonl:12" */
  size_t error;       /* offset of a reader error message, or NO_ERROR */
  json_t *json;       /* an already parsed case (from a large .json file), or NULL */
  int file;           /* the text is a whole .json file (errors give line and column) */
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
};

enum { CNT_INVALID = LV_COUNT, CNT_FAILED = LV_COUNT + 1, CNT_CONCERNS = LV_COUNT + 2 };

static struct chunk *fill_slot(struct pipeline *p) { return &p->slots[p->next_fill % p->nslots]; }

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

/* Adds one item to the chunk being filled: raw JSON text (a JSON Lines record, or a whole
 * .json file when file is set), or parsed json (reference taken), or a reader's error
 * message.  bytes: how much input it stands for (progress). */
static void add_item_of(struct pipeline *p, const char *where, const char *text, size_t len,
                        json_t *json, const char *error, size_t bytes, int file) {
  struct chunk *c = open_chunk(p);
  c->bytes += bytes;
  struct item *it = &c->items[c->n++];
  it->where = add_text(c, where, strlen(where));
  it->text = text ? add_text(c, text, len) : 0;
  it->len = text ? len : 0;
  it->error = error ? add_text(c, error, strlen(error)) : NO_ERROR;
  it->json = json;
  it->file = file;
  p->added++;
  p->filling = c->n;
  if (c->n == CHUNK_CASES || c->text.len >= CHUNK_BYTES) submit(p);
}

static void add_item(struct pipeline *p, const char *where, const char *text, size_t len,
                     json_t *json, const char *error, size_t bytes) {
  add_item_of(p, where, text, len, json, error, bytes, 0);
}

/* The error record's text for JSON jansson could not parse: a whole file's by line and
 * column, a JSON Lines record's (one line) by column. */
static void malformed(char *msg, size_t n, const json_error_t *e, int file) {
  if (file)
    snprintf(msg, n, "malformed JSON at line %d, column %d: %s", e->line, e->column,
             case_json_reason(e));
  else
    snprintf(msg, n, "malformed JSON at column %d: %s", e->column, case_json_reason(e));
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
  engine_close(w->engine);
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
  json_t *j = it->json;
  if (!j && w->fast &&
      fastcase_read(w->fast, w->p->o->k, c->text.s + it->text, it->len, &w->c, where)) {
    w->settled++;
    if (w->verify && !agrees(w, c->text.s + it->text, it->len, where)) {
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
  if (!j) {
    json_error_t e;
    const char *text = c->text.s + it->text;
    size_t len = it->len;
    if (it->file && len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) /* a .json file's BOM is skipped */
      text += 3, len -= 3;
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
      char msg[300];
      malformed(msg, sizeof msg, &e, it->file);
      error_record(w, c, where, msg);
      return;
    }
  }
  if (json_is_array(j)) { /* a JSON Lines record may hold an array of cases */
    size_t i;
    json_t *x;
    json_array_foreach(j, i, x) {
      char *sub = xasprintf("%s[%zu]", where, i + 1);
      eval_one(w, c, x, sub);
      free(sub);
    }
    if (json_array_size(j) == 0) error_record(w, c, where, "an empty array holds no case");
  } else {
    eval_one(w, c, j, where);
  }
  json_decref(j);
  it->json = NULL;
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  struct pipeline *p = w->p;
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

/* ---- readers ----------------------------------------------------------------------------- */

/* JSON Lines from fd: one case (or array of cases) per line; blank lines are skipped.
 * Before blocking on a slow stream, the cases read so far are handed on, so results
 * flow as input arrives. */
static void read_jsonl(struct pipeline *p, int fd, const char *name) {
  size_t cap = 1u << 16, len = 0, start = 0;
  char *buf = xmalloc(cap);
  long line = 0;
  int eof = 0, skipping = 0; /* skipping: inside an over-long line */
  char where[300], msg[300];
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
          snprintf(where, sizeof where, "%s:%ld", name, line + 1);
          snprintf(msg, sizeof msg, "line longer than %u bytes", LINE_MAX_BYTES);
          add_item(p, where, NULL, 0, NULL, msg, len);
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
        snprintf(where, sizeof where, "%s:%ld", name, line + 1);
        snprintf(msg, sizeof msg, "read error after line %ld: %s", line, strerror(errno));
        add_item(p, where, NULL, 0, NULL, msg, 0);
        p->missing = 1;
        break;
      }
      if (n == 0) eof = 1;
      len += (size_t)n;
      continue;
    }
    size_t end = nl ? (size_t)(nl - buf) : len;
    line++;
    if (skipping) {
      skipping = 0;
    } else if (end - start > LINE_MAX_BYTES) { /* whole, but too long all the same */
      snprintf(where, sizeof where, "%s:%ld", name, line);
      snprintf(msg, sizeof msg, "line longer than %u bytes", LINE_MAX_BYTES);
      add_item(p, where, NULL, 0, NULL, msg, end - start + 1);
    } else {
      size_t s = start, e = end;
      while (s < e && (buf[s] == ' ' || buf[s] == '\t' || buf[s] == '\r')) s++;
      while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\t' || buf[e - 1] == '\r')) e--;
      if (e > s) {
        snprintf(where, sizeof where, "%s:%ld", name, line);
        if (!nl) { /* last line without a newline: evaluate it, but say so if it is broken */
          json_error_t je;
          json_t *j = json_loadb(buf + s, e - s, JSON_REJECT_DUPLICATES, &je);
          if (!j) {
            snprintf(msg, sizeof msg,
                     "incomplete last line (no newline at end of input): %s", case_json_reason(&je));
            add_item(p, where, NULL, 0, NULL, msg, end - start);
          } else {
            add_item(p, where, NULL, 0, j, NULL, end - start);
          }
        } else {
          add_item(p, where, buf + s, e - s, NULL, NULL, end - start + 1);
        }
      }
    }
    start = nl ? end + 1 : len;
  }
  free(buf);
}

/* A .json file: one case object or an array of them. */
static void read_json_file(struct pipeline *p, const char *path) {
  struct stat st;
  char msg[400];
  size_t bytes = stat(path, &st) == 0 ? (size_t)st.st_size : 0; /* for the first item */
  if (bytes > FILE_MAX_BYTES) {
    snprintf(msg, sizeof msg, "file larger than %u MiB (use JSON Lines for big sets)",
             FILE_MAX_BYTES >> 20);
    add_item(p, path, NULL, 0, NULL, msg, bytes);
    return;
  }
  if (bytes <= FILE_TEXT_MAX) { /* the usual case file: read here, parsed by a worker */
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
      report("%s: %s", path, strerror(errno));
      snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
      add_item(p, path, NULL, 0, NULL, msg, bytes);
      p->missing = 1;
      return;
    }
    add_item_of(p, path, text, len, NULL, NULL, bytes, 1);
    free(text);
    return;
  }
  json_error_t e;
  json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
  if (!doc) {
    malformed(msg, sizeof msg, &e, 1);
    add_item(p, path, NULL, 0, NULL, msg, bytes);
    return;
  }
  if (json_is_array(doc)) {
    size_t i;
    json_t *x;
    json_array_foreach(doc, i, x) {
      if (p->stop) break;
      char *where = xasprintf("%s[%zu]", path, i + 1);
      add_item(p, where, NULL, 0, json_incref(x), NULL, bytes);
      bytes = 0;
      free(where);
    }
    if (json_array_size(doc) == 0)
      add_item(p, path, NULL, 0, NULL, "an empty array holds no case", bytes);
    json_decref(doc);
  } else {
    add_item(p, path, NULL, 0, doc, NULL, bytes);
  }
}

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && !strcmp(s + n - m, suf);
}

static int not_hidden(const struct dirent *d) { return d->d_name[0] != '.'; }

static void read_input(struct pipeline *p, const char *path, int top);

static void read_dir(struct pipeline *p, const char *dir) {
  struct dirent **list;
  int n = scandir(dir, &list, not_hidden, alphasort);
  if (n < 0) {
    report("%s: %s", dir, strerror(errno));
    p->missing = 1;
    return;
  }
  for (int i = 0; i < n; i++) {
    char *path = xasprintf("%s/%s", dir, list[i]->d_name);
    if (!p->stop) read_input(p, path, 0);
    free(path);
    free(list[i]);
  }
  free(list);
}

/* top: named on the command line (read whatever it is) rather than found in a directory
 * (read only *.json and *.jsonl). */
static void read_input(struct pipeline *p, const char *path, int top) {
  if (!strcmp(path, "-") && top) {
    read_jsonl(p, 0, "stdin");
    return;
  }
  struct stat st;
  if (stat(path, &st) < 0) {
    report("%s: %s", path, strerror(errno));
    p->missing = 1;
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    read_dir(p, path);
    return;
  }
  if (!top && !has_suffix(path, ".json") && !has_suffix(path, ".jsonl")) return;
  if (has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson")) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      report("%s: %s", path, strerror(errno));
      p->missing = 1;
      return;
    }
    read_jsonl(p, fd, path);
    close(fd);
  } else {
    FILE *f = fopen(path, "rb");
    if (!f) {
      report("%s: %s", path, strerror(errno));
      p->missing = 1;
      return;
    }
    fclose(f);
    read_json_file(p, path);
  }
}

/* Bytes of input that read_input(path, top) will read, for the ETA; -1 if unknown
 * (standard input from a pipe or terminal). */
static off_t input_size(const char *path, int top) {
  struct stat st;
  if (!strcmp(path, "-") && top)
    return fstat(0, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size - lseek(0, 0, SEEK_CUR) : -1;
  if (stat(path, &st) < 0) return 0;
  if (S_ISDIR(st.st_mode)) {
    struct dirent **list;
    int n = scandir(path, &list, not_hidden, NULL);
    off_t sum = 0;
    for (int i = 0; i < n; i++) {
      char *sub = xasprintf("%s/%s", path, list[i]->d_name);
      off_t one = sum < 0 ? 0 : input_size(sub, 0);
      sum = one < 0 ? -1 : sum + one;
      free(sub);
      free(list[i]);
    }
    if (n >= 0) free(list);
    return sum;
  }
  if (!top && !has_suffix(path, ".json") && !has_suffix(path, ".jsonl")) return 0;
  return S_ISREG(st.st_mode) ? st.st_size : -1;
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
  for (int i = 0; i < jobs; i++) {
    w[i].p = &p;
    if (!(w[i].engine = engine_open(k, o->rules_dir))) {
      for (int j = 0; j < i; j++) worker_free(&w[j]);
      free(w);
      return EXIT_SOFTWARE;
    }
    result_init(&w[i].r, k);
    case_init(&w[i].c, k);
    w[i].fast = fast ? fastcase_new() : NULL;
    w[i].verify = verify;
    case_init(&w[i].check, k);
  }
  p.ncounts = CNT_CONCERNS + k->nc;
  p.totals = xcalloc((size_t)p.ncounts, sizeof *p.totals);
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
  for (int i = 0; o->progress && i < ninputs; i++) {
    off_t n = input_size(inputs[i], 1);
    if (n < 0) { /* a pipe: rate only */
      p.total_bytes = 0;
      break;
    }
    p.total_bytes += n;
  }
  strbuf edge = {0}; /* what comes before the first record and after the last */
  out_begin(&edge, o->format);
  fputs(edge.s ? edge.s : "", stdout);
  pthread_t writer;
  pthread_create(&writer, NULL, writer_main, &p);
  for (int i = 0; i < jobs; i++) pthread_create(&w[i].thread, NULL, worker_main, &w[i]);

  for (int i = 0; i < ninputs && !p.stop; i++) {
    /* An input named on the command line that holds no case at all (an empty directory,
     * one with no *.json or *.jsonl, an empty .jsonl file) is said in words and counts as
     * missing input; an empty stream on standard input is a stream that ended (exit 0). */
    long before = p.added;
    int was_missing = p.missing;
    p.missing = 0;
    read_input(&p, inputs[i], 1);
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
  for (int i = 0; i < jobs; i++) pthread_join(w[i].thread, NULL);
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
  if (o->summary == SUMMARY_TEXT) print_summary(&p);
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
  if (p.totals[CNT_FAILED]) status = EXIT_SOFTWARE;
  if (p.write_error) {
    report("error writing the results: %s", strerror(p.write_errno));
    status = EXIT_IOERR;
  }
  for (int i = 0; i < jobs; i++) worker_free(&w[i]);
  for (int i = 0; i < p.nslots; i++) {
    for (int j = 0; j < p.slots[i].n; j++) json_decref(p.slots[i].items[j].json);
    free(p.slots[i].items);
    free(p.slots[i].counts);
    sb_free(&p.slots[i].text);
    sb_free(&p.slots[i].out);
  }
  free(p.slots);
  free(p.totals);
  free(w);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  return status;
}
