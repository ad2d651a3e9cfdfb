/* screenkb.c -- loading and validating kb/screen.json (see screenkb.h). */
#include "screenkb.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fastcase.h"
#include "util.h"

static void load_group(struct kb_diag *L, const kb *k, screenkb *s, json_t *o, size_t gi) {
  struct screen_group *g = &s->g[s->ng];
  char fallback[32];
  snprintf(fallback, sizeof fallback, "groups[%zu]", gi);
  g->id = json_string_value(json_object_get(o, "id"));
  if (!g->id || !*g->id) {
    kb_problem(L, fallback, "\"id\" must be a non-empty string");
    g->id = "?";
  }
  for (int i = 0; i < s->ng; i++)
    if (!strcmp(s->g[i].id, g->id)) kb_problem(L, g->id, "a second group with this id");
  g->text = kb_need_str(L, o, g->id, "text");
  g->why = kb_need_str(L, o, g->id, "why");
  json_t *members = json_object_get(o, "members");
  if (!json_is_array(members) || json_array_size(members) < 2 ||
      json_array_size(members) > SCREEN_GROUP_MAX) {
    kb_problem(L, g->id, "\"members\" must be an array of 2 to %d {\"id\", \"phrase\"}",
            SCREEN_GROUP_MAX);
    s->ng++;
    return;
  }
  g->m = xcalloc(json_array_size(members), sizeof *g->m);
  size_t i;
  json_t *m;
  json_array_foreach(members, i, m) {
    const char *qid = json_string_value(json_object_get(m, "id"));
    int qi = qid ? kb_question(k, qid) : -1;
    if (qi < 0) {
      const char *hint = qid ? kb_suggest_question(k, qid) : NULL;
      kb_problem(L, g->id, "member %s is not a finding%s%s%s", qid ? qid : "(no id)",
              hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
      continue;
    }
    if (k->q[qi].type != Q_BOOL || k->q[qi].therapist)
      kb_problem(L, g->id, "member %s must be a yes/no question asked of the patient", qid);
    if (s->group_of[qi] >= 0)
      kb_problem(L, g->id, "member %s is already in group %s", qid, s->g[s->group_of[qi]].id);
    s->group_of[qi] = s->ng;
    g->m[g->nm].q = qi;
    g->m[g->nm].phrase = kb_need_str(L, m, g->id, "phrase");
    g->nm++;
  }
  s->ng++;
}

screenkb *screenkb_load(const kb *k, const char *dir) {
  struct kb_diag L = {NULL, 0};
  char *path = xasprintf("%s/screen.json", dir);
  L.file = path;
  screenkb *s = xcalloc(1, sizeof *s);
  s->group_of = xmalloc(sizeof *s->group_of * ((size_t)k->nq + 1));
  for (int i = 0; i < k->nq; i++) s->group_of[i] = -1;
  json_error_t e;
  json_t *doc = fastjson_load_file(path, JSON_REJECT_DUPLICATES, &e);
  if (!doc) {
    if (e.line > 0)
      report("%s:%d: %s", path, e.line, e.text);
    else
      report("%s: %s", path, e.text);
    L.errors++;
    goto done;
  }
  s->doc = doc;
  json_t *groups = json_object_get(doc, "groups");
  if (!json_is_array(groups)) {
    kb_problem(&L, "groups", "expected an array of groups");
  } else {
    s->g = xcalloc(json_array_size(groups) + 1, sizeof *s->g);
    size_t i;
    json_t *o;
    json_array_foreach(groups, i, o) load_group(&L, k, s, o, i);
  }
  json_t *verdicts = json_object_get(doc, "verdicts");
  for (int l = 0; l < LV_COUNT; l++) {
    s->verdict[l] = json_string_value(json_object_get(verdicts, level_name((enum level)l)));
    if (!s->verdict[l] || !*s->verdict[l])
      kb_problem(&L, "verdicts", "needs a non-empty text for level \"%s\"", level_name((enum level)l));
  }
done:
  free(path);
  if (L.errors) {
    screenkb_free(s);
    return NULL;
  }
  return s;
}

void screenkb_free(screenkb *s) {
  if (!s) return;
  for (int i = 0; i < s->ng; i++) free(s->g[i].m);
  free(s->g);
  free(s->group_of);
  json_decref(s->doc);
  free(s);
}
