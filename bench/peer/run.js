#!/usr/bin/env node
// run.js -- the bench's peer: evaluates a JSON Lines case file (or "-", stdin) with npm's
// json-rules-engine 7.3.1 and the port in rules.json (every emergency and urgent concern
// rule of rules/10-emergency.clp, 15-beyond-table.clp and 20-urgent.clp, the pain-course
// facts of 05-course.clp they read, the disposition on that subset), and writes one JSON
// line per case, in input order:
//
//   {"id": ..., "disposition": "emergency"|"urgent"|"below", "concerns": [sorted ids]}
//   {"id": ..., "error": "..."}                        a case eval would reject
//
//   node bench/peer/run.js [--rules FILE] [--kb DIR] [--why] CASES.jsonl|-
//
// --why adds "rules": the names of the concern rules that fired (tests/test_peer.py).
// A case's answers become facts as src/tcase.c reads them and src/engine.c asserts them
// (kb/questions.json: the keys, types, ranges, choices, "unknown"/null): a finding answered
// yes is the fact ID = true, a number or a choice its value; no, "unknown" and unanswered
// are no fact at all (allowUndefinedFacts), so "unanswered_means" changes nothing here.
// One Engine is built once and run once per case, one case at a time (an Engine's status
// is shared by its runs, so overlapping runs would cut each other short).  On stderr: the
// cases and the time of the evaluation loop alone (each line parsed, its answers read, the
// engine run, its record made; node's start-up, reading the file and writing the output
// excluded); the bench times the whole process, as it does eval.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const rulesPath = opt('--rules', path.join(__dirname, 'rules.json'));
const kbDir = opt('--kb', path.join(ROOT, 'kb'));
const why = args.includes('--why');
if (why) args.splice(args.indexOf('--why'), 1);
if (args.length !== 1) {
  process.stderr.write('usage: node bench/peer/run.js [--rules FILE] [--kb DIR] [--why] CASES.jsonl|-\n');
  process.exit(2);
}
let Engine;
try {
  ({ Engine } = require('json-rules-engine'));
} catch (e) {
  process.stderr.write('run.js: json-rules-engine is not installed (npm ci): ' + e.message + '\n');
  process.exit(3);
}

// ---- the questions: how an answer is read (src/tcase.c read_answer) --------------------
const CASE_ID_MAX = 200, CASE_DEPTH_MAX = 64, CASE_VALUE_MAX = 64; // src/tcase.h
const questions = JSON.parse(fs.readFileSync(path.join(kbDir, 'questions.json'), 'utf8')).questions;
const byId = new Map(questions.map((q) => [q.id, q]));
const bytes = (s) => (s.length * 3 <= CASE_VALUE_MAX ? s.length : Buffer.byteLength(s, 'utf8'));

function fail(msg) {
  const e = new Error(msg);
  e.invalid = true;
  throw e;
}

function tooDeep(v, max) {
  if (v === null || typeof v !== 'object') return false;
  if (max === 0) return true;
  for (const k in v) if (tooDeep(v[k], max - 1)) return true;
  return false;
}

// The fact a valid answer makes, or undefined (no, unknown); throws on an invalid one.
function readAnswer(q, v) {
  const s = typeof v === 'string' ? v : null;
  if (s !== null && bytes(s) > CASE_VALUE_MAX) fail(`key '${q.id}' has a string of more than ${CASE_VALUE_MAX} bytes`);
  if (v === null || (s !== null && s.toLowerCase() === 'unknown')) return undefined;
  switch (q.type) {
    case 'bool':
      if (v === true || (s !== null && s.toLowerCase() === 'yes')) return true;
      if (v === false || (s !== null && s.toLowerCase() === 'no')) return undefined;
      return fail(`key '${q.id}' expects true, false, "yes", "no" or "unknown"`);
    case 'int':
      if (!Number.isInteger(v)) return fail(`key '${q.id}' expects a whole number`);
      if (v < q.min || v > q.max) return fail(`key '${q.id}' must be from ${q.min} to ${q.max}, got ${v}`);
      return v;
    case 'choice': {
      if (s) { // any case, or the first letters of one choice
        const low = s.toLowerCase();
        let found = -1;
        for (let i = 0; i < q.choices.length; i++) {
          if (low === q.choices[i].toLowerCase()) { found = i; break; }
          if (q.choices[i].toLowerCase().startsWith(low)) found = found === -1 ? i : -2;
        }
        if (found >= 0) return q.choices[found];
      }
      return fail(`key '${q.id}' expects one of ${q.choices.join(', ')}`);
    }
    default:
      return fail(`key '${q.id}' has an unknown type ${q.type}`);
  }
}

// case object -> {id, facts}; throws (e.invalid) for a case eval rejects, with e.caseId.
function readCase(c, defaultId) {
  let id = defaultId;
  try {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) fail('a case must be a JSON object');
    if ('id' in c) {
      if (Number.isInteger(c.id)) id = String(c.id);
      else if (typeof c.id !== 'string') fail("key 'id' expects a string or a whole number");
      else if (c.id.length === 0 || Buffer.byteLength(c.id) > CASE_ID_MAX || c.id.includes('\0'))
        fail(`key 'id' must be 1 to ${CASE_ID_MAX} bytes with no NUL byte`);
      else id = c.id;
    }
    if (tooDeep(c, CASE_DEPTH_MAX)) fail(`objects and arrays nested more than ${CASE_DEPTH_MAX} levels deep`);
    if ('unanswered_means' in c && c.unanswered_means !== 'no' && c.unanswered_means !== 'unknown')
      fail("key 'unanswered_means' expects \"unknown\" or \"no\"");
    const a = c.answers;
    if (a === undefined) fail("no 'answers' object");
    if (a === null || typeof a !== 'object' || Array.isArray(a)) fail("key 'answers' expects an object");
    const facts = {};
    let n = 0;
    for (const key in a) {
      if (++n > questions.length) fail(`more answers than the catalogue has findings`);
      if (bytes(key) > CASE_VALUE_MAX) fail(`answers: a key of more than ${CASE_VALUE_MAX} bytes`);
      const q = byId.get(key);
      if (!q) fail(`answers: key "${key}" is not a finding`);
      const f = readAnswer(q, a[key]);
      if (f !== undefined) facts[key] = f;
    }
    return { id, facts };
  } catch (e) {
    if (e.invalid) e.caseId = id;
    throw e;
  }
}

// ---- the engine: built once ------------------------------------------------------------
const doc = JSON.parse(fs.readFileSync(rulesPath, 'utf8'));
const engine = new Engine([], { allowUndefinedFacts: true });
for (const r of doc.rules) engine.addRule(r);
// Rule chaining (the library's way): a rule's event adds runtime facts that the rules of
// lower priority read -- the pain-course facts, concern:ID and level:LEVEL.
engine.on('success', (event, almanac) => {
  if (event.type === 'derive') {
    for (const f of event.params.facts) almanac.addRuntimeFact(f, true);
  } else if (event.type === 'concern') {
    almanac.addRuntimeFact('concern:' + event.params.id, true);
    almanac.addRuntimeFact('level:' + event.params.level, true);
  }
});

async function evaluate(facts) {
  const { events, results } = await engine.run(facts);
  const concerns = new Set();
  let disposition = null;
  for (const ev of events) {
    if (ev.type === 'concern') concerns.add(ev.params.id);
    else if (ev.type === 'disposition') {
      if (disposition !== null) throw new Error('two dispositions');
      disposition = ev.params.level;
    }
  }
  if (disposition === null) throw new Error('no disposition');
  const rec = { disposition, concerns: [...concerns].sort() };
  if (why) rec.rules = results.filter((r) => r.event.type === 'concern').map((r) => r.name).sort();
  return rec;
}

// ---- the cases -------------------------------------------------------------------------
async function main() {
  const text = fs.readFileSync(args[0] === '-' ? 0 : args[0], 'utf8');
  const lines = text.split('\n');
  const out = [];
  let cases = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    let items;
    try {
      const v = JSON.parse(line);
      items = Array.isArray(v) ? v : [v];
    } catch (e) {
      out.push(JSON.stringify({ id: String(i + 1), error: 'not JSON: ' + e.message }));
      cases++;
      continue;
    }
    for (const c of items) {
      cases++;
      let rec;
      try {
        const { id, facts } = readCase(c, String(i + 1));
        rec = { id, ...(await evaluate(facts)) };
      } catch (e) {
        if (!e.invalid) throw e;
        rec = { id: e.caseId, error: e.message };
      }
      out.push(JSON.stringify(rec));
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(`peer json-rules-engine: ${cases} cases, evaluation loop ${secs.toFixed(3)} s ` +
                       `(${(cases / secs).toFixed(0)} cases/s: parsing, reading the answers, the engine, the records; ` +
                       `node's start-up, reading the file and writing the output not counted)\n`);
  out.push('');
  process.stdout.write(out.join('\n'));
}

main().catch((e) => {
  process.stderr.write('run.js: ' + (e.stack || e) + '\n');
  process.exit(1);
});
