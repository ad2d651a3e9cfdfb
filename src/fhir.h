/* fhir.h -- HL7 FHIR R4: the question catalogue as a Questionnaire, and the
 * QuestionnaireResponses `eval` reads as cases.
 *
 * fhir_questionnaire() builds the catalogue as one Questionnaire (with the SDC help and
 * min/max extensions that LHC-Forms and other SDC renderers read).  fhir_responses() and
 * fhir_case_from() turn QuestionnaireResponses, alone or in a Bundle, into case file
 * objects for case_from_json (tcase.h), so that every answer is judged, and every error
 * worded, as in a case file.
 *
 * Ownership: every json_t returned is a new reference the caller owns; every json_t
 * passed in is only borrowed. */
#ifndef PSOAS_FHIR_H
#define PSOAS_FHIR_H

#include <jansson.h>
#include <stddef.h>

#include "kb.h"

/* Where the Questionnaire and the code systems of its choices live (an example domain:
 * a clinic that publishes them replaces it).  Its `version` is the knowledge version. */
#define FHIR_BASE "http://psoas-triage.example/fhir"
#define FHIR_QUESTIONNAIRE_URL FHIR_BASE "/Questionnaire/psoas-intake"

/* linkIds of the Questionnaire's items that are not findings (a finding id has no '-'):
 * the disclaimer, the therapist's group, and each finding's help texts, ID-help (how to
 * answer) and ID-why (why it is asked). */
#define FHIR_LINK_DISCLAIMER "disclaimer-text"
#define FHIR_LINK_THERAPIST "therapist-findings"

/* Question qi as a Questionnaire item (linkId = its id; type, text, required, answer
 * options, help items, and its enableWhen).  Never NULL. */
json_t *fhir_item(const kb *k, int qi);

/* The question catalogue of k as a FHIR R4 Questionnaire.  Never NULL. */
json_t *fhir_questionnaire(const kb *k);

/* Why question qi's `when` condition has no enableWhen, so that the Questionnaire leaves
 * it always enabled: a static phrase ("puts 'any' inside 'all'"); NULL when it maps, or
 * when the question has no condition.  FHIR's enableWhen is one flat list of conditions
 * joined by a single enableBehavior (all or any), so a condition that mixes the two
 * cannot be said. */
const char *fhir_when_unsaid(const kb *k, int qi);

/* 1 if j is a FHIR resource: an object with a "resourceType" (never a case file). */
int fhir_is_resource(json_t *j);
/* 1 if j is a QuestionnaireResponse. */
int fhir_is_response(json_t *j);
/* 0 if the JSON text of len bytes cannot be a Bundle: it holds neither the word Bundle nor
 * a backslash (an escape could spell it).  Lets the reader parse only what may be one. */
int fhir_maybe_bundle(const char *text, size_t len);

/* Calls fn(arg, qr, entry) for each QuestionnaireResponse of resource r, in order: r
 * itself (entry 0), or each entry.resource of a Bundle of type collection, batch,
 * transaction or searchset that is one (entry: its position in Bundle.entry, from 1;
 * other resources in it are passed over).  Returns 0; or -1 with a message in err, fn
 * never called, for any other resource, another type of Bundle, or a Bundle without a
 * QuestionnaireResponse. */
typedef void fhir_response_fn(void *arg, json_t *qr, size_t entry);
int fhir_responses(json_t *r, fhir_response_fn *fn, void *arg, char *err, size_t n);

/* 0 if eval reads a Bundle whose "type" member is type (NULL: none) and which holds that
 * many QuestionnaireResponses; else -1 with the Bundle's error message in err.  For a
 * reader that walks a Bundle's text entry by entry rather than call fhir_responses (batch.c). */
int fhir_bundle_readable(json_t *type, size_t responses, char *err, size_t n);

/* The case file object {"id", "answers"} of QuestionnaireResponse qr, for case_from_json:
 * "id" is qr's id, else its identifier's value (absent if it has neither: the reader's
 * default names the case); each item whose linkId is a finding, nested ones too (item.item,
 * answer.item), gives its answer: value[x] as it is, valueCoding as its code; an item
 * without an answer is unanswered.  Returns NULL with a message in err for what the case
 * format cannot hold: a linkId that is no finding (named, with a "did you mean"), a
 * finding answered twice or with several answers, a malformed item. */
json_t *fhir_case_from(const kb *k, json_t *qr, char *err, size_t n);

/* The id that names qr's record: its id, else its identifier's value, if that is a string
 * a case id can be (1 to CASE_ID_MAX bytes); else NULL.  Points into qr. */
const char *fhir_case_id(json_t *qr);

#endif
