// The accounts API of the built-in application (src/app/accounts_api.hpp), for the page.
// Same-origin requests: the browser adds the session cookie and the Origin header itself.

async function call(path, {method = "GET", body, csrfToken} = {}) {
  const headers = {Accept: "application/json"}
  if (body) headers["Content-Type"] = "application/json"
  if (csrfToken) headers["X-CSRF-Token"] = csrfToken
  const response = await fetch(path, {
    method, headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined,
  })
  const data = await response.json().catch(() => ({}))
  return {ok: response.ok, status: response.status, data}
}

// Each resolves to {ok, status, data}; data of a success is {id, email, csrf_token}, of a
// failure {error, message}.
export const me = () => call("/api/accounts/me")
export const register = (email, password) => call("/api/accounts/register", {method: "POST", body: {email, password}})
export const login = (email, password) => call("/api/accounts/login", {method: "POST", body: {email, password}})
export const logout = (csrfToken) => call("/api/accounts/logout", {method: "POST", csrfToken})
