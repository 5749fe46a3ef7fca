// GraphiQL wired to sockguard's GraphQL API:
// - queries and mutations: POST /api/graphql with the session cookie, and the session's
//   CSRF token in X-CSRF-Token (mutations need it; sign-in and registration need only
//   this page's Origin, which the browser sends);
// - subscriptions: graphql-transport-ws at /api/graphql; the handshake carries the cookie
//   and connection_init carries the CSRF token, which is what the server asks of a cookie
//   session on a WebSocket (Cross-Site WebSocket Hijacking).
/* global React, ReactDOM, GraphiQL, graphqlWs */

const GRAPHQL_PATH = "/api/graphql"

// The session's CSRF token, read from GET /api/accounts/me when first needed and
// forgotten whenever a mutation may have changed the session (sign-in, registration,
// logout), so the next operation reads the new one.
let csrfToken = null
async function currentCsrfToken() {
  if (csrfToken !== null) return csrfToken
  const response = await fetch("/api/accounts/me", {credentials: "same-origin"})
  if (!response.ok) return undefined
  csrfToken = (await response.json()).csrf_token ?? null
  return csrfToken ?? undefined
}

function operationOf(params) {
  try {
    const {parse, getOperationAST} = GraphiQL.GraphQL
    return getOperationAST(parse(params.query), params.operationName)?.operation ?? "query"
  } catch {
    return "query"  // the server answers the syntax error
  }
}

async function overHttp(params, operation) {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  }
  const token = await currentCsrfToken()
  if (token) headers["X-CSRF-Token"] = token
  const response = await fetch(GRAPHQL_PATH, {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: JSON.stringify(params),
  })
  if (operation === "mutation") csrfToken = null
  return response.json()
}

const socketUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${GRAPHQL_PATH}`
const subscriptions = graphqlWs.createClient({
  url: socketUrl,
  lazy: true,
  connectionParams: async () => ({csrfToken: await currentCsrfToken()}),
})

// A subscription's results; when the server ends the socket (a logout: 4401
// session_revoked), the close code and reason, which GraphiQL shows as the error.
async function* overSocket(params) {
  try {
    yield* subscriptions.iterate(params)
  } catch (error) {
    // A plain object: GraphiQL shows its fields, and a stack would say nothing useful.
    if (typeof error?.code === "number") throw {message: `the socket closed: ${error.code} ${error.reason}`}
    throw error
  }
}

function fetcher(params) {
  const operation = operationOf(params)
  if (operation === "subscription") return overSocket(params)
  return overHttp(params, operation)
}

const defaultQuery = `# Sign in (or register), then ask who you are and watch your live count.
mutation SignIn {
  accountsLogin(email: "you@example.com", password: "a long passphrase") {
    account { id email }
  }
}

query Me {
  accountsMe { id email }
}

subscription MyCount {
  accountsUserCount { userId count }
}
`

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {fetcher, defaultQuery}),
)
