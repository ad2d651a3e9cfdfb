#!/usr/bin/env node
// fhir_validate_bundles.js -- validates the FHIR R4 Bundles of `eval --format fhir`.
//
//   node tests/fhir_validate_bundles.js [FILE...]      (no FILE, or -: standard input)
//
// Each non-blank line must be one Bundle.  It is validated with the npm package `fhir`
// (package.json; `npm ci`): new Fhir().validate(bundle, {errorOnUnexpected: true}), which
// checks the structure of the Bundle and of each resource in it against the R4
// definitions (required elements, cardinality, types, codes of required bindings) and,
// with that option, calls a member R4 does not define an error.  The package's checks of
// primitive values are not anchored regular expressions, it takes any JSON value where a
// string belongs and an array where one value belongs, and it checks no invariant, so
// these are checked here as well:
//   - each element's JSON shape: an array exactly where R4 allows many values; a string,
//     number or boolean for a primitive type as R4 writes it in JSON; an object otherwise;
//   - ele-1: no element is empty (no "", [], {} or null anywhere);
//   - every id is an R4 id ([A-Za-z0-9\-.]{1,64}, the whole value);
//   - bdl-7: fullUrls are unique; each is urn:uuid:<lower-case UUID> of the resource's id;
//   - every reference starting urn:uuid: is the fullUrl of an entry of the Bundle.
// Every message of severity error or fatal is printed (line, location, message) and the
// exit status is 1; otherwise it prints "N bundles valid" and exits 0.  Warnings (codes
// of example bindings the program defines itself, such as its level codes) are printed
// with -v.
'use strict';

const fs = require('fs');
const { Fhir } = require('fhir');
const { Constants } = require('fhir/constants');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

// Calls visit(path, value) for every value below v.
function walk(v, path, visit) {
  visit(path, v);
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, visit));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k], `${path}.${k}`, visit);
}

// The JSON type R4 writes a value of FHIR type t as.
function jsonType(t) {
  if (t === 'boolean') return 'boolean';
  if (Constants.PrimitiveNumberTypes.includes(t)) return 'number';
  if (Constants.PrimitiveTypes.includes(t) && t !== 'Element') return 'string';
  return 'object';
}

// Messages for a value of the wrong JSON shape (the package's onBeforeValidateProperty).
function shape(obj, property, location, value) {
  const bad = (message) => [{ severity: 'error', location, message }];
  if (Array.isArray(value) !== !!property._multiple)
    return bad(property._multiple ? 'not an array (R4 allows many)' : 'an array (R4 allows one)');
  const want = jsonType(property._type);
  for (const v of Array.isArray(value) ? value : [value]) {
    const got = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
    if (got !== want) return bad(`a JSON ${got} where R4 writes ${property._type} as ${want === "object" ? "an" : "a"} ${want}`);
  }
  return [];
}

// The messages (severity, location, message) for one Bundle.
function check(fhir, bundle) {
  const out = [];
  const err = (location, message) => out.push({ severity: 'error', location, message });
  const res = fhir.validate(bundle, { errorOnUnexpected: true, onBeforeValidateProperty: shape });
  for (const m of res.messages) out.push(m);
  if (!bundle || bundle.resourceType !== 'Bundle') {
    err('', 'not a Bundle');
    return out;
  }
  walk(bundle, 'Bundle', (path, v) => {
    if (v === null || v === '' || (Array.isArray(v) && !v.length) ||
        (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length))
      err(path, `empty element (ele-1): ${JSON.stringify(v)}`);
  });
  const urls = new Set();
  const refs = [];
  walk(bundle, 'Bundle', (path, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if ('resourceType' in v && 'id' in v && !(typeof v.id === 'string' && ID.test(v.id)))
        err(`${path}.id`, `not an R4 id: ${JSON.stringify(v.id)}`);
      if (typeof v.reference === 'string' && v.reference.startsWith('urn:uuid:'))
        refs.push([`${path}.reference`, v.reference]);
    }
  });
  (bundle.entry || []).forEach((e, i) => {
    const where = `Bundle.entry[${i}]`;
    const url = e && e.fullUrl;
    if (typeof url !== 'string' || !url.startsWith('urn:uuid:') || !UUID.test(url.slice(9)))
      err(`${where}.fullUrl`, `not a urn:uuid: ${JSON.stringify(url)}`);
    else if (!e.resource || e.resource.id !== url.slice(9))
      err(`${where}.fullUrl`, `${url} is not the resource's id ${JSON.stringify(e.resource && e.resource.id)}`);
    if (urls.has(url)) err(`${where}.fullUrl`, `a second entry with fullUrl ${url} (bdl-7)`);
    urls.add(url);
  });
  for (const [where, ref] of refs)
    if (!urls.has(ref)) err(where, `${ref} is no entry of the Bundle`);
  return out;
}

function main() {
  const args = process.argv.slice(2);
  const verbose = args[0] === '-v';
  if (verbose) args.shift();
  const files = args.length ? args : ['-'];
  const fhir = new Fhir();
  let bundles = 0;
  let errors = 0;
  for (const file of files) {
    const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const at = `${file === '-' ? 'stdin' : file}:${i + 1}`;
      bundles++;
      let bundle;
      try {
        bundle = JSON.parse(line);
      } catch (e) {
        errors++;
        console.log(`${at}: not JSON: ${e.message}`);
        return;
      }
      for (const m of check(fhir, bundle)) {
        const bad = m.severity === 'error' || m.severity === 'fatal';
        if (bad) errors++;
        if (bad || verbose) console.log(`${at}: ${m.severity}: ${m.location || '(resource)'}: ${m.message}`);
      }
    });
  }
  if (errors) {
    console.log(`${errors} error${errors === 1 ? '' : 's'} in ${bundles} bundles`);
    process.exit(1);
  }
  console.log(`${bundles} bundles valid`);
}

main();
