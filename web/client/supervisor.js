// Takes over the reconnect decisions of a stock phoenix Socket:
//   - every connect and reconnect first fetches a fresh one-time ticket;
//   - after a close it did not start, it reads the server's connect_error message and the
//     close code and follows DESIGN §4 (policy.js) instead of reconnecting blindly.
// The stock client keeps doing everything else (heartbeats, channels, rejoins, buffering).

import {DEFAULT_BACKOFF} from "./backoff.js"
import {leaveWhenRefusedForGood} from "./join_channel.js"
import {FRESH_HISTORY, nextStep, nextStepAfterTicketError} from "./policy.js"

export class Supervisor {
  // getTicket(signal) resolves to {ticket} or {status, error, retry_after_ms} (ticket.js).
  // useTicket(ticket) makes the socket's params carry it on the next transport connect.
  constructor(socket, {getTicket, useTicket, onState, random = Math.random, backoff = DEFAULT_BACKOFF,
                       ticketTimeoutMs = 10000}) {
    Object.assign(this, {socket, getTicket, useTicket, random, backoff, ticketTimeoutMs})
    // A throwing state callback must not leave the socket half-way; rethrow it on its own.
    this.onState = (state, detail) => {
      try { onState(state, detail) } catch (error) { queueMicrotask(() => { throw error }) }
    }
    // idle | fetching | opening | connected | waiting | stopped
    this.phase = "idle"
    this.history = FRESH_HISTORY
    // Bumped by every attempt and every stop: async work of an older one sees it is stale.
    this.generation = 0
    this.retryTimer = null
    this.abort = null
    this.lostGeneration = -1
    // What the server told about the current connection's end.
    this.connectError = null
    this.lastClose = null
  }

  install() {
    const socket = this.socket
    this.stockConnect = socket.connect.bind(socket)
    this.stockDisconnect = socket.disconnect.bind(socket)
    const stockChannel = socket.channel.bind(socket)
    // Instance properties shadow the prototype's methods, so the stock client's own calls
    // (page show, visibility change) go through these too.
    socket.connect = () => this.connect()
    socket.disconnect = (callback, code, reason) => this.disconnect(callback, code, reason)
    socket.channel = (topic, params) => leaveWhenRefusedForGood(stockChannel(topic, params))
    // The stock client reschedules a connect after any close it did not start, on this
    // timer. Ours only reports the loss; the policy decides whether and when to come back.
    socket.reconnectTimer = {timer: null, tries: 0, reset() {}, scheduleTimeout: () => this.connectionLost()}
    socket.onMessage((message) => {
      if (message.topic === "phoenix" && message.event === "connect_error") this.connectError = message.payload
    })
    socket.onClose((event) => { this.lastClose = event })
    socket.onOpen(() => this.opened())
    return socket
  }

  connect() {
    if (this.phase === "fetching") return
    // Already on a live connection. (The stock client may have torn it down itself, e.g.
    // when a page becomes visible again, and calls connect right after: then go on.)
    const connection = this.socket.connection
    const live = connection && !connection.ended && !connection.closing
    if ((this.phase === "opening" || this.phase === "connected") && live) return
    // Connecting again after a stop is a new start (e.g. the user signed in again).
    if (this.phase === "idle" || this.phase === "stopped") this.history = FRESH_HISTORY
    this.attempt()
  }

  disconnect(callback, code, reason) {
    const wasRunning = this.phase !== "idle" && this.phase !== "stopped"
    this.halt()
    this.stockDisconnect(callback, code, reason)
    if (wasRunning) this.onState("stopped", {code: code ?? null, reason: reason || "disconnected", source: "client"})
  }

  async attempt() {
    this.halt()
    const generation = this.generation
    const abort = this.abort = new AbortController()
    const timeout = setTimeout(() => abort.abort(), this.ticketTimeoutMs)
    this.phase = "fetching"
    this.onState("connecting", {attempt: this.history.attempt + 1})
    let result
    try {
      result = await this.getTicket(abort.signal)
    } catch {
      // A credential callback of the caller failed; treat it like an unreachable server.
      result = {status: null, error: "credential_error", retry_after_ms: null}
    } finally {
      clearTimeout(timeout)
    }
    if (generation !== this.generation) return  // stopped or superseded meanwhile
    if (!result.ticket) return this.follow(nextStepAfterTicketError(result, this.history, this.random, this.backoff), "ticket")
    this.useTicket(result.ticket)
    this.connectError = null
    this.lastClose = null
    this.phase = "opening"
    const previous = this.socket.connection
    // A connection the server closed is still the socket's until it is torn down; the
    // stock connect would keep it. Tear it down first, as the stock reconnect does.
    if (previous && !previous.ended) {
      this.socket.teardownAndReconnect(() => { if (generation === this.generation) this.stockConnect() })
    } else {
      this.stockConnect()
    }
  }

  // A refused handshake opens too (then comes connect_error and the close), so an open
  // socket is not yet a good one. The server answers a heartbeat only on a socket it
  // accepted: that reply is the proof.
  opened() {
    const generation = this.generation
    this.socket.ping(() => {
      if (generation !== this.generation || this.phase !== "opening") return
      this.phase = "connected"
      this.history = FRESH_HISTORY
      this.onState("connected", {})
    })
  }

  connectionLost() {
    // The stock client calls this inside its close handling, before its close callbacks
    // ran; decide once they have recorded the close code.
    const generation = this.generation
    if (this.lostGeneration === generation) return
    this.lostGeneration = generation
    queueMicrotask(() => {
      if (generation !== this.generation || this.phase === "stopped") return
      this.follow(nextStep(this.closeInfo(), this.history, this.random, this.backoff), "socket")
    })
  }

  // The connect_error payload when there was one, else what the close frame says.
  closeInfo() {
    const said = this.connectError ?? {}
    const close = this.lastClose ?? {}
    return {
      code: said.code ?? close.code ?? null,
      reason: said.reason || close.reason || "connection_lost",
      reconnect: said.reconnect,
      retry_after_ms: said.retry_after_ms ?? null,
    }
  }

  follow(step, source) {
    this.history = step.history
    const detail = {code: step.code, reason: step.reason, source}
    if (step.action === "stop") return this.stop(step.state, detail)
    this.phase = "waiting"
    this.onState("reconnecting", {...detail, delay_ms: step.delay_ms})
    const generation = this.generation
    this.retryTimer = setTimeout(() => { if (generation === this.generation) this.attempt() }, step.delay_ms)
  }

  stop(state, detail) {
    this.halt()
    // Marks the close as ours, so the stock client schedules nothing either.
    this.stockDisconnect()
    this.onState(state, detail)
  }

  // Cancels whatever is pending: a retry timer, a ticket request.
  halt() {
    this.generation++
    clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.abort?.abort()
    this.abort = null
    this.phase = "stopped"
  }
}
