/* fhir.h -- HL7 FHIR R4: the question catalogue as a Questionnaire.
 *
 * fhir_questionnaire() builds the catalogue as one Questionnaire (with the SDC help and
 * min/max extensions that LHC-Forms and other SDC renderers read).
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

/* The question catalogue of k as a FHIR R4 Questionnaire.  Never NULL. */
json_t *fhir_questionnaire(const kb *k);

/* Why question qi's `when` condition has no enableWhen, so that the Questionnaire leaves
 * it always enabled: a static phrase ("puts 'any' inside 'all'"); NULL when it maps, or
 * when the question has no condition.  FHIR's enableWhen is one flat list of conditions
 * joined by a single enableBehavior (all or any), so a condition that mixes the two
 * cannot be said. */
const char *fhir_when_unsaid(const kb *k, int qi);

#endif
