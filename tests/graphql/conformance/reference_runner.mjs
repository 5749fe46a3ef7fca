// The reference side of the conformance contract (README.md beside this file): graphql-js
// with schema.graphql, root.json and the resolvers the README describes.
//
// As a program (`node reference_runner.mjs [schema.graphql root.json]`; it always uses the
// two files beside it): reads a JSON array of cases on stdin, writes the JSON array of results.
// As a module: runCase / runCases answer the same results in-process, and checkValidity
// tells whether graphql-js accepts a document (parse + specifiedRules), which the
// conformance test uses to keep the corpus honest.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import {
  buildSchema,
  defaultFieldResolver,
  execute,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  specifiedRules,
  validate,
} from 'graphql';

const here = path.dirname(fileURLToPath(import.meta.url));

export const schemaSource = readFileSync(path.join(here, 'schema.graphql'), 'utf8');
export const schema = buildSchema(schemaSource);
const rootSource = readFileSync(path.join(here, 'root.json'), 'utf8');

// A fresh root value per operation, so no resolver can leak state into the next case.
const freshRoot = () => JSON.parse(rootSource);

// node(id): depth-first, pre-order, in document order over the whole root value.
function findById(value, id) {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findById(item, id);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (value.id === id) return value;
  for (const child of Object.values(value)) {
    const found = findById(child, id);
    if (found !== undefined) return found;
  }
  return undefined;
}

// The coerced value of an argument, rebuilt in the order the schema declares things:
// input object fields in declaration order (graphql-js already applied defaults), enum
// values as their names (buildSchema gives every enum value its name as internal value).
function inDeclarationOrder(type, value) {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return inDeclarationOrder(type.ofType, value);
  if (isListType(type)) return value.map((item) => inDeclarationOrder(type.ofType, item));
  if (isInputObjectType(type)) {
    const out = {};
    for (const field of Object.values(type.getFields())) {
      if (Object.hasOwn(value, field.name)) out[field.name] = inDeclarationOrder(field.type, value[field.name]);
    }
    return out;
  }
  if (isEnumType(type)) return type.getValue(value)?.name ?? value;
  return value;
}

const failing = (field) => () => {
  throw new Error(`${field} failed`);
};

const session = (_parent, { email }) => ({ account: { id: 'u1', email }, csrfToken: `csrf-${email}` });

const resolvers = {
  Query: {
    node: (root, { id }) => {
      const found = findById(root, id);
      if (found === undefined) return null;
      if (id.startsWith('u') && found.__typename === undefined) return { ...found, __typename: 'Account' };
      return found;
    },
    echo: (_root, args, _context, info) => {
      const out = {};
      for (const arg of info.parentType.getFields()[info.fieldName].args) {
        if (Object.hasOwn(args, arg.name)) out[arg.name] = inDeclarationOrder(arg.type, args[arg.name]);
      }
      return JSON.stringify(out);
    },
    fail: failing('fail'),
    failNonNull: failing('failNonNull'),
  },
  Nested: {
    failing: failing('failing'),
    failingNonNull: failing('failingNonNull'),
  },
  Dog: {
    nickname: (dog, { upper }) => {
      if (dog.name === null || dog.name === undefined) return null;
      return upper ? dog.name.toUpperCase() : dog.name;
    },
  },
  Mutation: {
    increment: (_root, { by }, context) => {
      context.counter += by;
      return context.counter;
    },
    accountsLogout: () => true,
    accountsRegister: session,
    accountsLogin: session,
    socketTicket: () => ({ ticket: 't1', expiresIn: 10, socketUrl: 'ws://127.0.0.1:4000/socket/websocket' }),
  },
};

function fieldResolver(source, args, context, info) {
  const own = resolvers[info.parentType.name]?.[info.fieldName];
  return own ? own(source, args, context, info) : defaultFieldResolver(source, args, context, info);
}

const typeResolver = (value) => value?.__typename;

// Plain JSON, as a runner prints it (GraphQLError serializes through its toJSON).
const plain = (result) => JSON.parse(JSON.stringify(result));

/**
 * Whether graphql-js accepts the document: it parses and passes specifiedRules.
 * @returns {{ valid: boolean, stage: 'parse' | 'validate' | null, errors: object[] }}
 */
export function checkValidity(query) {
  let document;
  try {
    document = parse(query);
  } catch (error) {
    return { valid: false, stage: 'parse', errors: [plain(error)] };
  }
  const errors = validate(schema, document, specifiedRules);
  if (errors.length > 0) return { valid: false, stage: 'validate', errors: plain(errors) };
  return { valid: true, stage: null, errors: [] };
}

/** One case `{ query, variables?, operationName? }` → `{ data?, errors? }`. */
export function runCase({ query, variables, operationName }) {
  let document;
  try {
    document = parse(query);
  } catch (error) {
    return { errors: [plain(error)] };
  }
  const validationErrors = validate(schema, document, specifiedRules);
  if (validationErrors.length > 0) return { errors: plain(validationErrors) };
  const result = execute({
    schema,
    document,
    rootValue: freshRoot(),
    contextValue: { counter: 0 },
    variableValues: variables ?? undefined,
    operationName: operationName ?? undefined,
    fieldResolver,
    typeResolver,
  });
  if (typeof result?.then === 'function') throw new Error('a resolver returned a promise; the contract is synchronous');
  return plain(result);
}

export const runCases = (cases) => cases.map(runCase);

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!Array.isArray(cases)) throw new Error('stdin must hold a JSON array of cases');
  process.stdout.write(`${JSON.stringify(runCases(cases))}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}
