// Every secret the security suite hands to a server or gets from one: JWTs and their
// signatures, tickets, session cookies, CSRF tokens, passwords, API keys, the JWT secret.
// The suite's servers log at debug level, and stopServer() fails the test that stopped a
// server whose output holds any of them (DESIGN §5: no secret reaches a log line, at any
// level). Short values (forged "x" tokens and the like) are not secrets and not kept.
const secrets = new Set();

const MIN_LENGTH = 12;

export function remember(value) {
  if (typeof value === 'string' && value.length >= MIN_LENGTH) secrets.add(value);
  return value;
}

// The first remembered secret that `text` contains, or null.
export function leakedIn(text) {
  for (const s of secrets) if (text.includes(s)) return s;
  return null;
}

// Credentials in a request or its answer, by where they travel.
const SECRET_FIELDS = ['password', 'token', 'ticket', 'csrf_token', '_csrf_token', 'csrfToken'];

export function rememberFields(object) {
  if (!object || typeof object !== 'object') return;
  for (const field of SECRET_FIELDS) remember(object[field]);
}

export function rememberHeaders(headers) {
  for (const [name, value] of Object.entries(headers ?? {})) {
    const n = name.toLowerCase();
    if (n === 'authorization') remember(String(value).replace(/^Bearer\s+/i, ''));
    if (n === 'x-csrf-token') remember(String(value));
    if (n === 'cookie' || n === 'set-cookie') {
      for (const c of [value].flat()) {
        for (const pair of String(c).split(';')) remember(pair.split('=').slice(1).join('=').trim());
      }
    }
  }
}
