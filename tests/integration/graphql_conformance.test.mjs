// GraphQL conformance: every document of tests/graphql/conformance/cases/ runs through
// sockguard's engine (the graphql_conformance_runner executable beside SOCKGUARD_BIN, or
// GRAPHQL_CONFORMANCE_RUNNER) and through graphql-js (reference_runner.mjs, in-process),
// and the two answers must agree as tests/graphql/conformance/README.md says. Nothing
// expected is written down: graphql-js's answer, computed here, is the expectation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  introspectionTypes,
  isEnumType,
  printSchema,
  specifiedDirectives,
  specifiedScalarTypes,
} from 'graphql';

import { checkValidity, runCase, schemaSource } from '../graphql/conformance/reference_runner.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const contractDir = path.resolve(here, '../graphql/conformance');
const casesDir = path.join(contractDir, 'cases');
// The runner's arguments, as README.md says: the schema and the root value.
const runnerArgs = [path.join(contractDir, 'schema.graphql'), path.join(contractDir, 'root.json')];

// The corpus must stay at least this large (issue 12 asks for 300 documents).
const MIN_CASES = 300;
// A whole batch under AddressSanitizer on a loaded machine: generous, it only bounds a hang.
const RUNNER_TIMEOUT_MS = 180_000;
// Outputs shown in a failure message are cut here (the full introspection is ~100 KB).
const SHOW_CHARS = 6000;

const runnerPath = process.env.GRAPHQL_CONFORMANCE_RUNNER
  || (process.env.SOCKGUARD_BIN ? path.join(path.dirname(process.env.SOCKGUARD_BIN), 'graphql_conformance_runner') : null);

// ---- the corpus -------------------------------------------------------------------

const areas = readdirSync(casesDir).filter((f) => f.endsWith('.json')).sort().map((file) => {
  const { about, cases } = JSON.parse(readFileSync(path.join(casesDir, file), 'utf8'));
  return { file, about, cases: cases.map((c) => ({ ...c, file })) };
});
const allCases = areas.flatMap(({ cases }) => cases);

// What a runner receives: the request, nothing of the corpus' annotations.
const request = ({ query, variables, operationName }) => ({
  query,
  ...(variables !== undefined ? { variables } : {}),
  ...(operationName !== undefined ? { operationName } : {}),
});

// ---- running sockguard's runner ---------------------------------------------------

function spawnRunner(requests) {
  if (!runnerPath) throw new Error('set SOCKGUARD_BIN (or GRAPHQL_CONFORMANCE_RUNNER) to find graphql_conformance_runner');
  if (!existsSync(runnerPath)) throw new Error(`the conformance runner is missing: ${runnerPath} (build the graphql_conformance_runner target)`);
  const out = spawnSync(runnerPath, runnerArgs, {
    cwd: repoRoot,
    input: JSON.stringify(requests),
    maxBuffer: 1 << 30,
    timeout: RUNNER_TIMEOUT_MS,
  });
  if (out.error) throw new Error(`runner failed to run: ${out.error.message}`);
  if (out.status !== 0) {
    throw new Error(`runner exited with ${out.status ?? out.signal}: ${out.stderr.toString().slice(0, SHOW_CHARS)}`);
  }
  let results;
  try {
    results = JSON.parse(out.stdout.toString('utf8'));
  } catch (error) {
    throw new Error(`runner output is not JSON (${error.message}): ${out.stdout.toString('utf8').slice(0, SHOW_CHARS)}`);
  }
  if (!Array.isArray(results) || results.length !== requests.length) {
    throw new Error(`runner answered ${Array.isArray(results) ? results.length : typeof results} results for ${requests.length} cases`);
  }
  return results;
}

// One batch for the whole corpus; when the batch fails (a crash, broken output), each
// case runs alone so that the failure lands on the cases that cause it.
let batch;
function runnerResults() {
  if (batch) return batch;
  try {
    batch = spawnRunner(allCases.map(request)).map((result) => ({ result }));
  } catch (batchError) {
    if (!runnerPath || !existsSync(runnerPath)) {
      batch = allCases.map(() => ({ error: batchError }));
    } else {
      batch = allCases.map((c) => {
        try {
          return { result: spawnRunner([request(c)])[0] };
        } catch (error) {
          return { error };
        }
      });
    }
  }
  return batch;
}

// ---- comparing per README.md --------------------------------------------------------

const show = (value) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOW_CHARS ? `${text.slice(0, SHOW_CHARS)}… (${text.length} chars)` : text;
};

const isPosInt = (n) => Number.isInteger(n) && n > 0;

// The shape GraphQL's response format requires (spec §7), whatever the case.
function formatProblems(result) {
  const problems = [];
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return ['the result is not an object'];
  for (const key of Object.keys(result)) {
    if (!['data', 'errors', 'extensions'].includes(key)) problems.push(`unexpected top-level key "${key}"`);
  }
  if ('errors' in result) {
    if (!Array.isArray(result.errors) || result.errors.length === 0) {
      problems.push('"errors" must be a non-empty list when present');
    } else {
      result.errors.forEach((e, i) => {
        if (typeof e?.message !== 'string') problems.push(`errors[${i}].message is not a string`);
        if (e?.locations !== undefined && !(Array.isArray(e.locations) && e.locations.every((l) => isPosInt(l?.line) && isPosInt(l?.column)))) {
          problems.push(`errors[${i}].locations is not a list of {line, column}`);
        }
        if (e?.path !== undefined && !(Array.isArray(e.path) && e.path.every((p) => typeof p === 'string' || Number.isInteger(p)))) {
          problems.push(`errors[${i}].path is not a list of names and indexes`);
        }
      });
    }
  }
  if (!('data' in result) && !('errors' in result)) problems.push('a result without "data" needs "errors"');
  return problems;
}

// Descriptions graphql-js gives to what the specification defines (built-in scalars and
// directives, the introspection types): each engine words its own (README.md), so where
// graphql-js answers one of these, any string or null is accepted.
const builtinDescriptions = new Set();
for (const type of [...specifiedScalarTypes, ...introspectionTypes]) {
  builtinDescriptions.add(type.description);
  if ('getFields' in type) {
    for (const field of Object.values(type.getFields())) {
      builtinDescriptions.add(field.description);
      for (const arg of field.args ?? []) builtinDescriptions.add(arg.description);
    }
  }
  if (isEnumType(type)) for (const value of type.getValues()) builtinDescriptions.add(value.description);
}
for (const directive of specifiedDirectives) {
  builtinDescriptions.add(directive.description);
  for (const arg of directive.args) builtinDescriptions.add(arg.description);
}
builtinDescriptions.delete(undefined);
builtinDescriptions.delete(null);

// Equal JSON, key order included, but for built-in descriptions (see above). Answers
// where the first difference is, or null.
function dataDifference(expected, actual, at = '') {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return at || '(top)';
    for (let i = 0; i < expected.length; i += 1) {
      const found = dataDifference(expected[i], actual[i], `${at}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return at || '(top)';
    const keys = Object.keys(expected);
    if (JSON.stringify(keys) !== JSON.stringify(Object.keys(actual))) return `${at || '(top)'} (keys or their order)`;
    for (const key of keys) {
      if (key === 'description' && builtinDescriptions.has(expected[key]) && (actual[key] === null || typeof actual[key] === 'string')) continue;
      const found = dataDifference(expected[key], actual[key], `${at}.${key}`);
      if (found) return found;
    }
    return null;
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? null : at || '(top)';
}

// The set of error paths, a path-less error counted as "(no path)".
const pathSet = (result) => [...new Set((result.errors ?? []).map((e) => (e.path ? JSON.stringify(e.path) : '(no path)')))].sort();

function differences(reference, actual) {
  const found = formatProblems(actual);
  if (found.length > 0) return found;
  if (('data' in reference) !== ('data' in actual)) {
    found.push('data' in reference
      ? 'sockguard rejected the request (no "data"); graphql-js executed it'
      : 'sockguard executed the request ("data" present); graphql-js rejected it');
    return found;
  }
  const where = 'data' in reference ? dataDifference(reference.data, actual.data) : null;
  if (where) found.push(`"data" differs, first at data${where.startsWith('(') ? ` ${where}` : where}`);
  const refPaths = pathSet(reference);
  const actPaths = pathSet(actual);
  if (JSON.stringify(refPaths) !== JSON.stringify(actPaths)) {
    found.push(`error paths differ: graphql-js ${refPaths.join(' ') || '(none)'}; sockguard ${actPaths.join(' ') || '(none)'}`);
  }
  return found;
}

function report(c, found, reference, actual) {
  return [
    `${c.file} › ${c.name} (${c.rule ?? 'no rule given'})`,
    ...found.map((f) => `  - ${f}`),
    `  query: ${JSON.stringify(c.query).slice(0, SHOW_CHARS)}`,
    ...(c.variables !== undefined ? [`  variables: ${show(c.variables)}`] : []),
    ...(c.operationName !== undefined ? [`  operationName: ${JSON.stringify(c.operationName)}`] : []),
    `  graphql-js: ${show(reference)}`,
    `  sockguard:  ${show(actual)}`,
  ].join('\n');
}

// ---- the tests ------------------------------------------------------------------------

describe('GraphQL conformance corpus', () => {
  test(`has at least ${MIN_CASES} documents, each well-formed and uniquely named`, () => {
    assert.ok(allCases.length >= MIN_CASES, `only ${allCases.length} cases`);
    const problems = [];
    for (const { file, about, cases } of areas) {
      if (typeof about !== 'string' || about === '') problems.push(`${file}: no "about"`);
      const names = new Set();
      for (const c of cases) {
        if (typeof c.name !== 'string' || c.name === '') problems.push(`${file}: a case without a name`);
        if (names.has(c.name)) problems.push(`${file}: duplicate name "${c.name}"`);
        names.add(c.name);
        if (typeof c.query !== 'string') problems.push(`${file} › ${c.name}: query is not a string`);
        if (typeof c.valid !== 'boolean') problems.push(`${file} › ${c.name}: "valid" must be true or false`);
        if (typeof c.rule !== 'string' || c.rule === '') problems.push(`${file} › ${c.name}: no "rule"`);
        if (c.variables !== undefined && (c.variables === null || typeof c.variables !== 'object' || Array.isArray(c.variables))) {
          problems.push(`${file} › ${c.name}: variables must be an object`);
        }
        if (c.operationName !== undefined && typeof c.operationName !== 'string') problems.push(`${file} › ${c.name}: operationName must be a string`);
      }
    }
    assert.deepEqual(problems, []);
  });

  // The corpus cannot rot: a case marked valid must pass graphql-js's parse and
  // validation, a case marked invalid must fail one of them.
  for (const { file, cases } of areas) {
    test(`${file}: "valid" marks agree with graphql-js`, () => {
      const wrong = cases.flatMap((c) => {
        const verdict = checkValidity(c.query);
        if (verdict.valid === c.valid) return [];
        return [`${c.name}: marked ${c.valid ? 'valid' : 'invalid'}, graphql-js says ${verdict.valid ? 'valid' : verdict.errors.map((e) => e.message).join(' | ')}`];
      });
      assert.deepEqual(wrong, []);
    });
  }

  test('both sides and invalid documents are represented in every validation area', () => {
    for (const { file, cases } of areas.filter((a) => a.file.startsWith('validation_'))) {
      assert.ok(cases.some((c) => c.valid) && cases.some((c) => !c.valid), `${file} needs valid and invalid cases`);
    }
  });
});

for (const { file, cases } of areas) {
  describe(`conformance: ${file}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const reference = runCase(request(c));
        const { result, error } = runnerResults()[allCases.indexOf(c)];
        if (error) assert.fail(`${file} › ${c.name}: ${error.message}`);
        const found = differences(reference, result);
        if (found.length > 0) assert.fail(report(c, found, reference, result));
      });
    }
  });
}

describe('introspection rebuilds the schema', () => {
  const expected = printSchema(buildSchema(schemaSource));
  const variants = {
    'getIntrospectionQuery()': getIntrospectionQuery(),
    'getIntrospectionQuery() with every option': getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    }),
  };
  for (const [label, query] of Object.entries(variants)) {
    test(`${label}: buildClientSchema + printSchema equals the SDL's`, () => {
      const [result] = spawnRunner([{ query }]);
      assert.equal(result.errors, undefined, `introspection errors: ${show(result.errors)}`);
      const rebuilt = buildClientSchema(result.data);
      assert.equal(printSchema(rebuilt), expected);
    });
  }
});
