// describeState: the sentences a page shows for the client's states.
import assert from "node:assert/strict"
import test from "node:test"

import {describeState} from "../src/state_words.js"

test("a revoked session reads as signed out, not reconnecting", () => {
  assert.equal(describeState("signed_out", {code: 4403, reason: "session_revoked", source: "socket"}),
               "Signed out: your session was ended (4403 session_revoked). Not reconnecting.")
})

test("a refused origin reads as refused", () => {
  assert.equal(describeState("forbidden", {code: 4403, reason: "forbidden_origin", source: "socket"}),
               "Refused: this page's origin may not connect (4403 forbidden_origin). Not reconnecting.")
})

test("ticket refusals name the HTTP status", () => {
  assert.equal(describeState("signed_out", {code: 401, reason: "missing_credentials", source: "ticket"}),
               "Signed out: you are not signed in (HTTP 401 missing_credentials). Not reconnecting.")
})

test("reconnecting names the delay", () => {
  assert.equal(describeState("reconnecting", {code: 1001, reason: "going_away", delay_ms: 1234, source: "socket"}),
               "The server is restarting (1001 going_away). Reconnecting in 1.2 s.")
})

test("unknown reasons still read as a sentence", () => {
  assert.equal(describeState("stopped", {code: 4999, reason: "new_thing"}),
               "Stopped: the connection closed (4999 new_thing). Not reconnecting.")
  assert.equal(describeState("connected"), "Connected.")
})
