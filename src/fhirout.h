/* fhirout.h -- `eval --format fhir`: each result as FHIR R4 resources that a records
 * system can file.
 *
 * One JSON Lines record per case: a Bundle of type collection holding
 *   - a RiskAssessment (status final): the subject a reference by identifier only (the
 *     case id: no patient data), the method (program and knowledge version), one
 *     prediction per concern (its title, its level as qualitativeRisk, the findings
 *     behind it in words as rationale), the precautions as mitigation, and notes: the
 *     level and its action, the questions still open, the indications, the disclaimer;
 *   - a ServiceRequest (status active, intent proposal) when the level refers the person
 *     to a physician: priority stat (emergency), urgent (urgent) or routine (refer);
 *   - or, for an invalid case, an OperationOutcome (severity error) with eval's message.
 * Nothing in a record depends on the time or on the run: the resources' ids and the
 * entries' fullUrls are UUIDs derived from the case id (fhir_uuid), so that the same
 * case gives the same resources, and a records system files a re-evaluation over the
 * earlier one.  The case id itself is the Bundle's and each resource's identifier. */
#ifndef PSOAS_FHIROUT_H
#define PSOAS_FHIROUT_H

#include "engine.h"
#include "kb.h"
#include "util.h"

#include "fhir.h" /* FHIR_BASE: the program's own code systems and identifier system */

/* Appends the Bundle (one line) for case id: its result r (err == NULL), or the
 * OperationOutcome saying err. */
void fhir_record(strbuf *b, const kb *k, const char *id, const struct result *r, const char *err);

/* The UUID (RFC 9562 version 8: the first 16 bytes of a SHA-256, version and variant
 * set) of the resource of type rtype ("Bundle", "RiskAssessment"...) for case id, as 36
 * lower-case characters and a NUL: the resource's id and, after "urn:uuid:", its
 * fullUrl. */
void fhir_uuid(char out[37], const char *rtype, const char *id);

#endif
