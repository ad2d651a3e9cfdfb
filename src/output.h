/* output.h -- writing results: JSON Lines (the default), readable text, CSV, the letter
 * to the patient's doctor (HTML, letter.h) and FHIR R4 Bundles (fhirout.h).
 *
 * Each writer prints one complete record for one case (or one error record) to f. */
#ifndef PSOAS_OUTPUT_H
#define PSOAS_OUTPUT_H

#include <stdio.h>

#include "engine.h"
#include "kb.h"
#include "letter.h"

enum format { FMT_JSONL, FMT_TEXT, FMT_CSV, FMT_LETTER, FMT_FHIR };

/* The result as a JSON object (caller owns the reference). */
json_t *result_json(const kb *k, const char *id, const struct result *r);

/* How a readable (text) record looks: OUT_COLOR for a terminal, OUT_SHOW_IDS to name
 * findings and precautions by id (plain words otherwise), OUT_WIDTH(w) to wrap at w
 * columns (0: 88).  Other formats ignore it. */
#define OUT_COLOR 1
#define OUT_SHOW_IDS 2
#define OUT_WIDTH(w) ((w) << 8)

/* Appends one record to b: a result (err == NULL) or an error record.  A letter written
 * here has neither the case's answers nor the clinic: see out_case. */
void out_record(strbuf *b, enum format fmt, const kb *k, const char *id,
                const struct result *r, const char *err, int style);
/* Appends the record of case c, evaluated into r: out_record's, except that a letter
 * (FMT_LETTER) also shows the case's answers under letterhead h (NULL: no clinic). */
void out_case(strbuf *b, enum format fmt, const kb *k, const struct letterhead *h,
              const struct tcase *c, const struct result *r, int style);
/* The front-desk screen's result: its desk verdict (never a treatment level), then the
 * concerns, precautions and the questions the first visit must still ask, as text. */
void out_desk_record(strbuf *b, const kb *k, const char *id, const struct result *r,
                     enum level desk, const char *verdict, int style);
/* The width to wrap readable text at for output fd: COLUMNS, else the terminal's width,
 * within 40..100; 0 when fd is no terminal and COLUMNS is unset. */
int out_term_width(int fd);
/* Appends str as a JSON string literal, escaped as jansson's json_dumps does (quote,
 * backslash and control characters; all other UTF-8 as is).  Bytes that are not valid
 * UTF-8 become U+FFFD, so the output is always valid JSON. */
void out_json_string(strbuf *b, const char *str);
/* Escapes the constant parts of a JSON Lines record once (k stamped: kb_stamp); the
 * records written after it copy them.  Call before any thread writes records. */
void out_prepare(kb *k);
/* Appends j as compact JSON, its members in the order they were set and every string
 * (keys too) written by out_json_string: jansson's values, written by the one escaping
 * rule. */
void out_json(strbuf *b, const json_t *j);
/* Appends one item of a concern's `because` in plain words -- a finding's label (kb
 * questions.json), "age 50 or over", "not: pain began with a lift or twist"... -- or as
 * it is when ids is set (OUT_SHOW_IDS). */
void out_because_words(strbuf *b, const kb *k, const char *item, int ids);
/* The CSV header line, or "" for other formats. */
const char *out_header(enum format fmt);
/* Appends what comes before the first record (the CSV header line, the start of the
 * letters' HTML document) / after the last (the end of that document). */
void out_begin(strbuf *b, enum format fmt);
void out_end(strbuf *b, enum format fmt);

/* Appends text to b, word-wrapped at width columns, each line starting with indent. */
void out_wrap(strbuf *b, const char *text, const char *indent, int width);
/* The same with a hanging indent: the first line starts with first, the others with rest. */
void out_wrap_hang(strbuf *b, const char *text, const char *first, const char *rest, int width);

/* ANSI colour for a level banner ("" if none). */
const char *level_color(enum level l);

#endif
