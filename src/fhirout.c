/* fhirout.c -- see fhirout.h.
 *
 * The resources are built as jansson values and written by out_json (output.h), so every
 * string goes through the one escaping rule of JSON records (out_json_string: bytes that
 * are not UTF-8 become U+FFFD, control characters, line separators and bidi marks are
 * escaped) and a Bundle is always one line of valid JSON.  Strings from outside (the case
 * id, a message quoting the input) are taken as bytes (json_string_nocheck) for that
 * reason: the tree is never given to json_dumps. */
#include "fhirout.h"

#include <nettle/sha2.h>
#include <string.h>

#include "output.h"

#define SYS_CASE FHIR_BASE "/case-id"
#define SYS_LEVEL FHIR_BASE "/CodeSystem/level"
#define SYS_CONCERN FHIR_BASE "/CodeSystem/concern"
#define SYS_METHOD FHIR_BASE "/CodeSystem/method"

void fhir_uuid(char out[37], const char *rtype, const char *id) {
  static const char hex[] = "0123456789abcdef";
  static const char salt[] = PROGNAME " fhir"; /* its NUL separates it from the type */
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, sizeof salt, (const uint8_t *)salt);
  sha256_update(&ctx, strlen(rtype) + 1, (const uint8_t *)rtype);
  sha256_update(&ctx, strlen(id), (const uint8_t *)id);
  sha256_digest(&ctx, sizeof d, d);
  d[6] = (uint8_t)((d[6] & 0x0f) | 0x80); /* version 8: custom (a SHA-256 of a name) */
  d[8] = (uint8_t)((d[8] & 0x3f) | 0x80); /* variant 10 (RFC 9562) */
  char *o = out;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
    *o++ = hex[d[i] >> 4];
    *o++ = hex[d[i] & 15];
  }
  *o = '\0';
}

/* ---- data types ---------------------------------------------------------------------- */

static json_t *str(const char *s) { return json_string_nocheck(s); }

/* {"system": SYS_CASE, "value": id}: the case id as the clinic gave it. */
static json_t *case_identifier(const char *id) {
  json_t *o = json_object();
  json_object_set_new(o, "system", str(SYS_CASE));
  json_object_set_new(o, "value", str(id));
  return o;
}

/* The subject: a reference by the case's identifier only (no patient data), its display
 * "Case ID" as a person is shown it (sb_add_shown: no control characters). */
static json_t *subject(const char *id) {
  json_t *o = json_object();
  strbuf d = {0};
  sb_puts(&d, "Case ");
  sb_add_shown(&d, id);
  json_object_set_new(o, "identifier", case_identifier(id));
  json_object_set_new(o, "display", str(d.s));
  sb_free(&d);
  return o;
}

/* A CodeableConcept: one coding (system, code, display) when system is set, and text. */
static json_t *concept(const char *system, const char *code, const char *display, const char *text) {
  json_t *o = json_object();
  if (system) {
    json_t *c = json_object(), *codings = json_array();
    json_object_set_new(c, "system", str(system));
    json_object_set_new(c, "code", str(code));
    json_object_set_new(c, "display", str(display));
    json_array_append_new(codings, c);
    json_object_set_new(o, "coding", codings);
  }
  json_object_set_new(o, "text", str(text));
  return o;
}

static json_t *level_concept(const kb *k, enum level l) {
  return concept(SYS_LEVEL, level_name(l), k->levels[l].label, k->levels[l].label);
}

static json_t *concern_concept(const kb *k, int concern) {
  const struct concern_def *cd = &k->c[concern];
  return concept(SYS_CONCERN, cd->id, cd->title, cd->title);
}

/* Appends an Annotation {"text": text} (markdown) to the array notes. */
static void add_note(json_t *notes, const char *text) {
  json_t *o = json_object();
  json_object_set_new(o, "text", str(text));
  json_array_append_new(notes, o);
}

/* "LABEL: action": the level and what to do. */
static void level_note(json_t *notes, const kb *k, enum level l) {
  strbuf t = {0};
  sb_printf(&t, "%s: %s", k->levels[l].label, k->levels[l].action);
  add_note(notes, t.s);
  sb_free(&t);
}

/* A new resource {"resourceType": rtype, "id": its UUID for case id}, added to the
 * Bundle's entries with its fullUrl; the caller sets its other members. */
static json_t *add_entry(json_t *entries, const char *rtype, const char *id, char uuid[37]) {
  json_t *e = json_object(), *res = json_object();
  strbuf url = {0};
  fhir_uuid(uuid, rtype, id);
  sb_printf(&url, "urn:uuid:%s", uuid);
  json_object_set_new(res, "resourceType", str(rtype));
  json_object_set_new(res, "id", str(uuid));
  json_object_set_new(e, "fullUrl", str(url.s));
  json_object_set_new(e, "resource", res);
  json_array_append_new(entries, e);
  sb_free(&url);
  return res;
}

/* ---- resources ----------------------------------------------------------------------- */

static void risk_assessment(json_t *entries, const kb *k, const char *id, const struct result *r,
                            char uuid[37]) {
  json_t *ra = add_entry(entries, "RiskAssessment", id, uuid), *ids = json_array(), *notes = json_array();
  strbuf t = {0};
  json_array_append_new(ids, case_identifier(id));
  json_object_set_new(ra, "identifier", ids);
  json_object_set_new(ra, "status", str("final"));
  json_object_set_new(ra, "code", concept(NULL, NULL, NULL,
                                          "Triage for psoas syndrome and the serious conditions "
                                          "that mimic it: a referral recommendation"));
  json_object_set_new(ra, "subject", subject(id));
  sb_printf(&t, "%s %s, knowledge %s", PROGNAME, PSOAS_VERSION, k->knowledge);
  json_object_set_new(ra, "method", concept(SYS_METHOD, PROGNAME, PROGNAME " " PSOAS_VERSION, t.s));
  if (r->nconcerns) {
    json_t *preds = json_array();
    for (int i = 0; i < r->nconcerns; i++) {
      const struct rconcern *rc = &r->concerns[i];
      json_t *p = json_object();
      json_object_set_new(p, "outcome", concern_concept(k, rc->concern));
      json_object_set_new(p, "qualitativeRisk", level_concept(k, k->c[rc->concern].level));
      if (rc->nbecause) {
        sb_clear(&t);
        for (int j = 0; j < rc->nbecause; j++) {
          if (j) sb_puts(&t, "; ");
          out_because_words(&t, k, result_because(r, rc, j), 0);
        }
        json_object_set_new(p, "rationale", str(t.s));
      }
      json_array_append_new(preds, p);
    }
    json_object_set_new(ra, "prediction", preds);
  }
  sb_clear(&t);
  for (int i = 0, n = 0; i < k->nprec; i++)
    if (r->prec[i]) sb_printf(&t, "%s%s", n++ ? "\n" : "", k->prec[i].text);
  if (t.len) json_object_set_new(ra, "mitigation", str(t.s));
  level_note(notes, k, r->disposition);
  if (r->nask) {
    sb_clear(&t);
    sb_puts(&t, r->disposition == LV_EMERGENCY
                    ? "Red-flag or treatment-safety questions not answered (the emergency comes first):\n"
                    : "Questions still to answer before anyone is cleared (red flags, treatment safety):\n");
    for (int i = 0; i < r->nask; i++) sb_printf(&t, "\n- %s", k->q[r->ask[i].question].text);
    add_note(notes, t.s);
  }
  sb_clear(&t);
  for (int i = 0; i < k->nind; i++)
    if (r->ind[i]) sb_printf(&t, "%s\n- %s", t.len ? "" : "Psoas release is indicated for:\n", k->ind[i].text);
  if (t.len) add_note(notes, t.s);
  add_note(notes, k->disclaimer);
  json_object_set_new(ra, "note", notes);
  sb_free(&t);
}

/* The referral the level asks for: emergency, urgent or refer. */
static void service_request(json_t *entries, const kb *k, const char *id, const struct result *r,
                            const char *ra_uuid) {
  static const char *const priority[] = {[LV_EMERGENCY] = "stat", [LV_URGENT] = "urgent", [LV_REFER] = "routine"};
  char uuid[37];
  json_t *sr = add_entry(entries, "ServiceRequest", id, uuid), *ids = json_array();
  json_t *reasons = json_array(), *info = json_array(), *ref = json_object(), *notes = json_array();
  strbuf t = {0};
  json_array_append_new(ids, case_identifier(id));
  json_object_set_new(sr, "identifier", ids);
  json_object_set_new(sr, "status", str("active"));
  json_object_set_new(sr, "intent", str("proposal"));
  json_object_set_new(sr, "priority", str(priority[r->disposition]));
  json_object_set_new(sr, "code", concept(NULL, NULL, NULL, "Medical assessment by a physician"));
  json_object_set_new(sr, "subject", subject(id));
  /* the reasons: the concerns that refer (most severe first); every concern if none does */
  for (int pass = 0; pass < 2 && !json_array_size(reasons); pass++)
    for (int i = 0; i < r->nconcerns; i++)
      if (pass || k->c[r->concerns[i].concern].level <= LV_REFER)
        json_array_append_new(reasons, concern_concept(k, r->concerns[i].concern));
  if (json_array_size(reasons))
    json_object_set_new(sr, "reasonCode", reasons);
  else
    json_decref(reasons);
  sb_printf(&t, "urn:uuid:%s", ra_uuid);
  json_object_set_new(ref, "reference", str(t.s));
  json_object_set_new(ref, "display", str("Triage risk assessment"));
  json_array_append_new(info, ref);
  json_object_set_new(sr, "supportingInfo", info);
  level_note(notes, k, r->disposition);
  json_object_set_new(sr, "note", notes);
  sb_free(&t);
}

/* In place of the resources of a case that could not be evaluated: eval's message. */
static void operation_outcome(json_t *entries, const char *id, const char *err) {
  char uuid[37];
  json_t *oo = add_entry(entries, "OperationOutcome", id, uuid), *issues = json_array(), *issue = json_object();
  json_object_set_new(issue, "severity", str("error"));
  json_object_set_new(issue, "code", str("invalid"));
  json_object_set_new(issue, "details", concept(NULL, NULL, NULL, "No recommendation was made for this case."));
  json_object_set_new(issue, "diagnostics", str(err));
  json_array_append_new(issues, issue);
  json_object_set_new(oo, "issue", issues);
}

void fhir_record(strbuf *b, const kb *k, const char *id, const struct result *r, const char *err) {
  char uuid[37];
  json_t *bundle = json_object(), *entries = json_array();
  if (!id) id = "?";
  fhir_uuid(uuid, "Bundle", id);
  json_object_set_new(bundle, "resourceType", str("Bundle"));
  json_object_set_new(bundle, "id", str(uuid));
  json_object_set_new(bundle, "identifier", case_identifier(id));
  json_object_set_new(bundle, "type", str("collection"));
  if (err || !r) {
    operation_outcome(entries, id, err ? err : "no result");
  } else {
    risk_assessment(entries, k, id, r, uuid);
    if (r->disposition <= LV_REFER) service_request(entries, k, id, r, uuid);
  }
  json_object_set_new(bundle, "entry", entries);
  out_json(b, bundle);
  sb_add(b, "\n", 1);
  json_decref(bundle);
}
