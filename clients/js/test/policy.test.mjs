// nextStep / nextStepAfterTicketError: the reconnect decisions of DESIGN §4, in isolation.
import assert from "node:assert/strict"
import test from "node:test"

import {FRESH_HISTORY, nextStep, nextStepAfterTicketError} from "../src/policy.js"

const lowest = () => 0
const highest = () => 0.999999
const close = (code, reason, reconnect, retry_after_ms = null) => ({code, reason, reconnect, retry_after_ms})

test("reconnect 'never' stops: session_revoked signs out, forbidden_origin forbids, bad_request stops", () => {
  assert.deepEqual(pick(nextStep(close(4403, "session_revoked", "never"))), {action: "stop", state: "signed_out"})
  assert.deepEqual(pick(nextStep(close(4403, "forbidden_origin", "never"))), {action: "stop", state: "forbidden"})
  assert.deepEqual(pick(nextStep(close(4400, "bad_request", "never"))), {action: "stop", state: "stopped"})
})

test("after_sign_in (missing_credentials) stops as signed out at the first 4401", () => {
  const step = nextStep(close(4401, "missing_credentials", "after_sign_in"))
  assert.deepEqual(pick(step), {action: "stop", state: "signed_out"})
  assert.equal(step.code, 4401)
  assert.equal(step.reason, "missing_credentials")
})

test("token_invalid, token_expired, binding_mismatch retry soon with a new ticket, once", () => {
  for (const reason of ["token_invalid", "token_expired", "binding_mismatch"]) {
    const first = nextStep(close(4401, reason, "with_new_credentials"), FRESH_HISTORY, highest)
    assert.equal(first.action, "retry", reason)
    assert.ok(first.delay_ms <= 250, `${reason}: ${first.delay_ms}`)
    assert.equal(first.history.unauthorized_in_a_row, 1)
    const second = nextStep(close(4401, reason, "with_new_credentials"), first.history)
    assert.deepEqual(pick(second), {action: "stop", state: "signed_out"}, reason)
  }
})

test("two 4401 in a row stop even when the reasons differ", () => {
  const first = nextStep(close(4401, "token_expired", "with_new_credentials"))
  assert.equal(first.action, "retry")
  assert.deepEqual(pick(nextStep(close(4401, "token_invalid", "with_new_credentials"), first.history)),
                   {action: "stop", state: "signed_out"})
})

test("a close with another code between two 4401 resets the count", () => {
  const first = nextStep(close(4401, "token_invalid", "with_new_credentials"))
  const between = nextStep(close(1001, "going_away", "jitter"), first.history)
  assert.equal(between.history.unauthorized_in_a_row, 0)
  assert.equal(nextStep(close(4401, "token_invalid", "with_new_credentials"), between.history).action, "retry")
})

test("rate_limited waits retry_after_ms plus jitter", () => {
  const early = nextStep(close(4429, "rate_limited", "after_retry_after", 2000), FRESH_HISTORY, lowest)
  const late = nextStep(close(4429, "rate_limited", "after_retry_after", 2000), FRESH_HISTORY, highest)
  assert.equal(early.action, "retry")
  assert.equal(early.delay_ms, 2000)
  assert.ok(late.delay_ms > 2000 && late.delay_ms <= 2500, String(late.delay_ms))
})

test("server_busy waits retry_after_ms plus jitter; without it, backs off", () => {
  const told = nextStep(close(4503, "server_busy", "jitter", 5000), FRESH_HISTORY, highest)
  assert.ok(told.delay_ms >= 5000 && told.delay_ms <= 6250, String(told.delay_ms))
  const untold = nextStep(close(4503, "server_busy", "jitter", null), FRESH_HISTORY, lowest)
  assert.equal(untold.delay_ms, 250)
})

test("going_away, slow_consumer, policy_violation, heartbeat_timeout, auth_timeout back off with jitter", () => {
  const cases = [[1001, "going_away"], [4509, "slow_consumer"], [1008, "policy_violation"],
                 [4408, "heartbeat_timeout"], [4408, "auth_timeout"], [1009, "message_too_big"]]
  for (const [code, reason] of cases) {
    // Only the close frame: no connect_error, no advice; the reason decides.
    const step = nextStep({code, reason}, FRESH_HISTORY, lowest)
    assert.equal(step.action, "retry", reason)
    assert.equal(step.delay_ms, 250, reason)
  }
})

test("backoff grows with every failed attempt and stops growing at 30 s", () => {
  let history = FRESH_HISTORY
  const delays = []
  for (let i = 0; i < 10; i++) {
    const step = nextStep({code: 1006, reason: "connection_lost"}, history, highest)
    delays.push(step.delay_ms)
    history = step.history
  }
  for (let i = 1; i < delays.length; i++) assert.ok(delays[i] >= delays[i - 1], delays.join(","))
  assert.equal(delays[0], 500)
  assert.equal(delays.at(-1), 30000)
  // Equal jitter: never below half the step.
  assert.equal(nextStep({code: 1006}, {attempt: 20, unauthorized_in_a_row: 0}, lowest).delay_ms, 15000)
})

test("an unknown close backs off", () => {
  assert.equal(nextStep({code: 1000, reason: ""}, FRESH_HISTORY).action, "retry")
  assert.equal(nextStep({code: 4999, reason: "something_new", reconnect: "something_new"}).action, "retry")
})

test("ticket endpoint: 401 signs out, 403 forbids", () => {
  assert.deepEqual(pick(nextStepAfterTicketError({status: 401, error: "token_invalid"})),
                   {action: "stop", state: "signed_out"})
  assert.deepEqual(pick(nextStepAfterTicketError({status: 403, error: "csrf_invalid"})),
                   {action: "stop", state: "forbidden"})
})

test("ticket endpoint: 429 and 503 wait Retry-After plus jitter", () => {
  for (const status of [429, 503]) {
    const step = nextStepAfterTicketError({status, error: "rate_limited", retry_after_ms: 3000}, FRESH_HISTORY, lowest)
    assert.equal(step.action, "retry")
    assert.equal(step.delay_ms, 3000)
    assert.equal(step.code, status)
  }
})

test("ticket endpoint: network errors and 5xx back off", () => {
  const network = nextStepAfterTicketError({status: null, error: "network_error"}, FRESH_HISTORY, lowest)
  assert.deepEqual([network.action, network.delay_ms, network.reason], ["retry", 250, "network_error"])
  const second = nextStepAfterTicketError({status: 500, error: null}, network.history, lowest)
  assert.deepEqual([second.action, second.delay_ms, second.reason], ["retry", 500, "http_500"])
})

function pick(step) {
  return {action: step.action, state: step.state}
}
