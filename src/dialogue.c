/* dialogue.c -- see dialogue.h. */
#include "dialogue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const dlg_mode_names[] = {"eval", "intake", "screen"};

void dlg_init(struct dialogue *d, const kb *k, const screenkb *sk, struct engine *e,
              enum mode mode, int therapist) {
  memset(d, 0, sizeof *d);
  d->k = k;
  d->sk = mode == MODE_SCREEN ? sk : NULL;
  d->e = e;
  d->mode = mode;
  d->therapist = therapist;
  case_init(&d->c, k);
  result_init(&d->r, k);
  d->opened = xcalloc(d->sk ? (size_t)d->sk->ng + 1 : 1, 1);
  d->reask = xcalloc((size_t)k->nq + 1, 1);
}

void dlg_free(struct dialogue *d) {
  free(d->steps);
  free(d->opened);
  free(d->reask);
  case_free(&d->c);
  result_free(&d->r);
  json_decref(d->doc);
  memset(d, 0, sizeof *d);
}

/* ---- steps -------------------------------------------------------------------------------- */

static struct dlg_step *push_step(struct dialogue *d, int group) {
  if (d->nsteps == d->capsteps) {
    d->capsteps = d->capsteps ? 2 * d->capsteps : 32;
    d->steps = xrealloc(d->steps, sizeof *d->steps * (size_t)d->capsteps);
  }
  struct dlg_step *s = &d->steps[d->nsteps++];
  s->group = group;
  s->n = 0;
  return s;
}

/* The steps as strings: "age" (one question), "nerves: saddle_numbness bladder_change"
 * (a checklist answered no), "nerves:" (a checklist answered yes or don't know). */
static json_t *steps_json(const struct dialogue *d) {
  json_t *arr = json_array();
  strbuf b = {0};
  for (int i = 0; i < d->nsteps; i++) {
    const struct dlg_step *s = &d->steps[i];
    sb_clear(&b);
    if (s->group >= 0) sb_printf(&b, "%s:", d->sk->g[s->group].id);
    for (int j = 0; j < s->n; j++) sb_printf(&b, "%s%s", j || s->group >= 0 ? " " : "", d->k->q[s->q[j]].id);
    json_array_append_new(arr, json_string(b.s ? b.s : ""));
  }
  sb_free(&b);
  return arr;
}

/* Restores the steps saved with a case file, keeping only questions that are answered in
 * it; without them, each answer is a step in catalogue order. */
static void load_steps(struct dialogue *d, json_t *saved) {
  json_t *steps = json_object_get(json_object_get(saved, "dialogue"), "steps");
  unsigned char *seen = xcalloc((size_t)d->k->nq + 1, 1);
  size_t i;
  json_t *o;
  json_array_foreach(steps, i, o) {
    const char *text = json_string_value(o);
    if (!text) continue;
    char *copy = xstrdup(text), *words = copy, *colon = strchr(copy, ':'), *save = NULL;
    int g = -1;
    if (colon) {
      *colon = '\0';
      words = colon + 1;
      for (int x = 0; d->sk && x < d->sk->ng; x++)
        if (!strcmp(d->sk->g[x].id, copy)) g = x;
    }
    struct dlg_step *s = push_step(d, g);
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
      int qi = kb_question(d->k, w);
      if (qi >= 0 && d->c.a[qi].state != ANS_NONE && !seen[qi] && s->n < DLG_PROMPT_MAX) {
        seen[qi] = 1;
        s->q[s->n++] = qi;
      }
    }
    free(copy);
    if (s->n == 0 && g >= 0)
      d->opened[g] = 1;
    else if (s->n == 0)
      d->nsteps--;
  }
  for (int qi = 0; qi < d->k->nq; qi++)
    if (d->c.a[qi].state != ANS_NONE && !seen[qi]) {
      struct dlg_step *s = push_step(d, -1);
      s->q[s->n++] = qi;
    }
  free(seen);
}

int dlg_read(const kb *k, const char *name, const char *text, size_t len, struct tcase *c,
             json_t **doc, char *err, size_t n) {
  json_error_t je;
  *doc = NULL;
  json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!j) {
    snprintf(err, n, "%s:%d: %s", name, je.line, case_json_reason(&je));
    return -1;
  }
  char why[512];
  if (case_from_json(k, j, c, name, why, sizeof why) < 0) {
    snprintf(err, n, "%s: case %s: %s", name, c->id, why);
    json_decref(j);
    return -1;
  }
  c->unanswered_no = 0;
  *doc = j;
  return 0;
}

char *dlg_case_text(const kb *k, const struct tcase *c, const json_t *doc, json_t *dialogue) {
  /* a shallow copy: updating it replaces the values of keys it has in place, so the
   * keys keep their order (jansson keeps insertion order) and new ones come last */
  json_t *o = doc ? json_copy((json_t *)doc) : json_object(), *ours = case_to_json(k, c);
  if (dialogue) json_object_set_new(ours, "dialogue", dialogue);
  json_object_update(o, ours);
  json_decref(ours);
  char *text = json_dumps(o, JSON_INDENT(2));
  json_decref(o);
  if (!text) return NULL;
  char *out = xasprintf("%s\n", text);
  free(text);
  return out;
}

int dlg_load(struct dialogue *d, json_t *file, const char *name, int resumed, char *err, size_t n) {
  char why[512];
  if (case_from_json(d->k, file, &d->c, name, why, sizeof why) < 0) {
    snprintf(err, n, "%s: case %s: %s", name, d->c.id, why);
    return -1;
  }
  d->c.unanswered_no = 0; /* a questionnaire asks what nobody answered */
  json_decref(d->doc);
  d->doc = json_incref(file);
  load_steps(d, file);
  /* the "don't know" answers are asked once more (the rules ask the required ones first) */
  for (int i = 0; i < d->k->nq; i++) d->reask[i] = resumed && d->c.a[i].state == ANS_UNKNOWN;
  return 0;
}

char *dlg_text(const struct dialogue *d) {
  json_t *dl = json_object();
  json_object_set_new(dl, "mode", json_string(dlg_mode_names[d->mode]));
  json_object_set_new(dl, "steps", steps_json(d));
  return dlg_case_text(d->k, &d->c, d->doc, dl);
}

/* ---- what comes next ------------------------------------------------------------------------ */

int dlg_eval(struct dialogue *d) { return engine_eval(d->e, &d->c, d->mode, d->therapist, &d->r); }

static const struct rask *pending_ask(const struct dialogue *d, int qi) {
  if (d->c.a[qi].state != ANS_NONE && !(d->c.a[qi].state == ANS_UNKNOWN && d->reask[qi])) return NULL;
  for (int i = 0; i < d->r.nask; i++)
    if (d->r.ask[i].question == qi) return &d->r.ask[i];
  return NULL;
}

/* 1 if the rules ask a question before an emergency is final (reason "confirm": its
 * answer can withdraw the emergency, e.g. how a sudden pain began). */
static int confirm_pending(const struct dialogue *d) {
  for (int i = 0; i < d->r.nask; i++)
    if (!strcmp(d->r.ask[i].reason, "confirm") && pending_ask(d, d->r.ask[i].question)) return 1;
  return 0;
}

int dlg_emergency(const struct dialogue *d) {
  return d->r.disposition == LV_EMERGENCY && !confirm_pending(d);
}

/* The first question the rules ask for that has no answer yet (never one answered
 * "don't know" in this dialogue).  In screen mode: the members of an opened group come
 * first; otherwise two or more unanswered members of a group wanted by the rules are
 * asked as one checklist. */
int dlg_next(const struct dialogue *d, struct dlg_prompt *p) {
  const screenkb *sk = d->sk;
  p->group = -1;
  p->n = 0;
  p->ask = NULL;
  if (dlg_emergency(d)) return 0;
  if (sk) { /* an opened (or partly answered) group: its next member */
    for (int i = 0; i < d->r.nask && !p->ask; i++) {
      int qi = d->r.ask[i].question, g = sk->group_of[qi];
      if (g < 0 || !pending_ask(d, qi)) continue;
      int answered = 0;
      for (int m = 0; m < sk->g[g].nm; m++) answered |= d->c.a[sk->g[g].m[m].q].state != ANS_NONE;
      if (d->opened[g] || answered) p->ask = &d->r.ask[i];
    }
  }
  for (int i = 0; i < d->r.nask && !p->ask; i++)
    if (pending_ask(d, d->r.ask[i].question)) p->ask = &d->r.ask[i];
  if (!p->ask) return 0;
  int qi = p->ask->question, g = sk ? sk->group_of[qi] : -1;
  if (g >= 0 && !d->opened[g]) {
    for (int m = 0; m < sk->g[g].nm && p->n < DLG_PROMPT_MAX; m++)
      if (pending_ask(d, sk->g[g].m[m].q)) p->q[p->n++] = sk->g[g].m[m].q;
    if (p->n >= 2) {
      p->group = g;
      return 1;
    }
  }
  p->n = 1;
  p->q[0] = qi;
  return 1;
}

/* ---- answering ------------------------------------------------------------------------------ */

void dlg_answer(struct dialogue *d, const struct dlg_prompt *p, struct answer a) {
  struct dlg_step *s = push_step(d, p->group);
  if (p->group >= 0 && a.state != ANS_NO) {
    d->opened[p->group] = 1; /* yes or don't know: each member on its own */
    return;
  }
  for (int i = 0; i < p->n; i++) {
    d->c.a[p->q[i]] = a;
    d->reask[p->q[i]] = 0;
    s->q[s->n++] = p->q[i];
  }
}

const struct dlg_step *dlg_back(struct dialogue *d) {
  if (d->nsteps == 0) return NULL;
  const struct dlg_step *s = &d->steps[--d->nsteps];
  if (s->n == 0 && s->group >= 0) d->opened[s->group] = 0;
  for (int i = 0; i < s->n; i++) {
    d->c.a[s->q[i]].state = ANS_NONE;
    d->c.a[s->q[i]].value = 0;
  }
  return s;
}

const char *dlg_answer_text(const struct question *q, const struct answer *a, char *buf, size_t n) {
  switch (a->state) {
  case ANS_YES: return "yes";
  case ANS_NO: return "no";
  case ANS_UNKNOWN: return "don't know";
  case ANS_VALUE:
    if (q->type == Q_CHOICE) return q->choices[a->value];
    snprintf(buf, n, "%ld", a->value);
    return buf;
  default: return "no answer";
  }
}

/* ---- saving ----------------------------------------------------------------------------------- */

int dlg_write(const struct dialogue *d, const char *path) {
  char *text = dlg_text(d);
  if (!text) {
    errno = EINVAL;
    return -1;
  }
  int rc = replace_file(path, text, strlen(text), 0600);
  int err = errno;
  free(text);
  errno = err;
  return rc;
}
