/* output.h -- writing results: JSON Lines (the default), readable text, CSV.
 *
 * Each writer prints one complete record for one case (or one error record) to f. */
#ifndef PSOAS_OUTPUT_H
#define PSOAS_OUTPUT_H

#include <stdio.h>

#include "engine.h"
#include "kb.h"

enum format { FMT_JSONL, FMT_TEXT, FMT_CSV };

/* The result as a JSON object (caller owns the reference). */
json_t *result_json(const kb *k, const char *id, const struct result *r);

/* Appends one record to b: a result (err == NULL) or an error record. */
void out_record(strbuf *b, enum format fmt, const kb *k, const char *id,
                const struct result *r, const char *err, int color);
/* Appends str as a JSON string literal, escaped as jansson's json_dumps does (quote,
 * backslash and control characters; all other UTF-8 as is).  Bytes that are not valid
 * UTF-8 become U+FFFD, so the output is always valid JSON. */
void out_json_string(strbuf *b, const char *str);
/* The CSV header line, or "" for other formats. */
const char *out_header(enum format fmt);

/* Appends text to b, word-wrapped at width columns, each line starting with indent. */
void out_wrap(strbuf *b, const char *text, const char *indent, int width);

/* ANSI colour for a level banner ("" if none). */
const char *level_color(enum level l);

#endif
