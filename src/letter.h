/* letter.h -- the letter to the patient's doctor (`eval --format letter`): one HTML
 * document with print CSS, each case on its own printed page (A4 or US Letter).
 *
 * The page's skeleton, its style and the body chart are the files of web/, embedded at
 * build time (web.h); they hold {{name}} placeholders that letter.c fills.  Every value
 * put into a page -- case ids, answers, kb texts, the clinic's details -- goes through
 * letter_escape(), so no input can add markup.  The clinic heading the letters is read
 * from the kb directory's clinic.json (which the kb loader does not read, and which is
 * not part of the knowledge version: the clinic's address is not knowledge). */
#ifndef PSOAS_LETTER_H
#define PSOAS_LETTER_H

#include "engine.h"
#include "kb.h"
#include "tcase.h"
#include "util.h"

/* What heads every letter of a run: the clinic and the date. */
struct letterhead;

/* Reads kb_dir/clinic.json: {"name": S, "address": S or [S...], "phone": S, "email": S
 * (optional)}.  The date is today's (local time), or that of SOURCE_DATE_EPOCH when it is
 * set (for reproducible letters).  On error reports "FILE:LINE: problem" and returns NULL.
 * The caller frees the result with letter_close(); letter_close(NULL) is a no-op. */
struct letterhead *letter_open(const char *kb_dir);
void letter_close(struct letterhead *h);

/* Appends the start of the document (doctype, head with the style, <body>) / its end. */
void letter_begin(strbuf *b);
void letter_end(strbuf *b);

/* Appends the letter for case id with result r.  c is the case (its answers fill the
 * patient line, the answers table and the body chart; NULL leaves them out); h heads it
 * (NULL: no clinic, today's date). */
void letter_case(strbuf *b, const kb *k, const struct letterhead *h, const char *id,
                 const struct tcase *c, const struct result *r);
/* Appends a page saying that no recommendation was made for case id, and why (err). */
void letter_error(strbuf *b, const kb *k, const struct letterhead *h, const char *id,
                  const char *err);

/* Appends s to b as HTML text or attribute value: & < > " ' as entities, and every
 * character a person is not shown as it is (shown_len: bytes that are not UTF-8, control
 * characters, tab and newline too, line separators, bidi marks) as U+FFFD.  The one
 * escaping function of every value in a letter (the disclaimer and the clinic's address
 * keep their line breaks: each line is escaped). */
void letter_escape(strbuf *b, const char *s);

#endif
