#!/usr/bin/env node
// fhir-validate.js -- validates FHIR R4 resources (JSON) with the npm package `fhir`
// (FHIR.js: structure, cardinality, data types and required code bindings of the core
// specification; properties it does not know are errors too).
//
//   node tests/fhir-validate.js FILE...     (or - for standard input)
//
// A FILE holds one resource (a .json document) or one per line (JSON Lines).  Prints each
// message as "FILE[:LINE]: severity location: message" and exits 1 if any has error
// severity, 2 if an input cannot be read or parsed, 0 otherwise.  tests/test_fhir.py runs
// it; `npm ci` installs the package from the repository's package-lock.json.
'use strict';
const fs = require('fs');
const path = require('path');

let Fhir;
try {
  ({ Fhir } = require(path.join(__dirname, '..', 'node_modules', 'fhir')));
} catch (e) {
  console.error('fhir-validate.js: the npm package fhir is not installed (run npm ci)');
  process.exit(3);
}

const fhir = new Fhir();
let errors = 0;
let broken = 0;

// The resources in text: the whole text as one JSON document, else one per non-blank line.
function resources(name, text) {
  try {
    return [[name, JSON.parse(text)]];
  } catch (e) {
    const out = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push([`${name}:${i + 1}`, JSON.parse(line)]);
      } catch (err) {
        console.log(`${name}:${i + 1}: error: not JSON: ${err.message}`);
        broken++;
      }
    });
    return out;
  }
}

// Prints the validator's messages on resource; locate(location) rewrites a location.
function report(where, resource, locate) {
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  for (const m of result.messages || []) {
    console.log(`${where}: ${m.severity} ${locate(m.location)}: ${m.message}`);
    if (m.severity === 'error') errors++;
  }
  if (!result.valid && !(result.messages || []).some((m) => m.severity === 'error')) {
    console.log(`${where}: error: not valid (no message given)`);
    errors++;
  }
}

// Every item below the top level of a Questionnaire or QuestionnaireResponse (item.item,
// answer.item), each with its path, e.g. "item[67].item[0]".
function nestedItems(items, prefix, out) {
  (Array.isArray(items) ? items : []).forEach((it, i) => {
    const at = `${prefix}[${i}]`;
    if (prefix !== 'item') out.push([at, it]);
    if (!it || typeof it !== 'object') return;
    nestedItems(it.item, `${at}.item`, out);
    (Array.isArray(it.answer) ? it.answer : []).forEach((a, j) => {
      if (a && typeof a === 'object') nestedItems(a.item, `${at}.answer[${j}].item`, out);
    });
  });
  return out;
}

// FHIR.js does not descend into nested items (their definition is a content reference
// to Questionnaire.item), so each nested item is validated again as a top-level item of
// a copy of its resource, and its messages are given its real path.
function validateNested(where, resource) {
  if (resource.resourceType !== 'Questionnaire' && resource.resourceType !== 'QuestionnaireResponse') return;
  const nested = nestedItems(resource.item, 'item', []);
  if (nested.length === 0) return;
  const copy = Object.assign({}, resource, { item: nested.map(([, it]) => it) });
  report(where, copy, (loc) => loc.replace(/^(\w+)\.item\[(\d+)\]/, (m, type, i) => `${type}.${nested[i][0]}`));
}

function validate(where, resource) {
  report(where, resource, (loc) => loc);
  if (resource && resource.resourceType === 'Bundle' && Array.isArray(resource.entry))
    resource.entry.forEach((e, i) => e && e.resource && validateNested(`${where} entry[${i}]`, e.resource));
  else if (resource) validateNested(where, resource);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/fhir-validate.js FILE... (- for standard input)');
  process.exit(2);
}
for (const f of files) {
  let text;
  try {
    text = fs.readFileSync(f === '-' ? 0 : f, 'utf8');
  } catch (e) {
    console.log(`${f}: error: cannot read: ${e.message}`);
    broken++;
    continue;
  }
  for (const [where, r] of resources(f === '-' ? 'stdin' : f, text)) validate(where, r);
}
process.exit(broken ? 2 : errors ? 1 : 0);
