// Joining channels without the stock client's endless rejoin of refused joins.

// Refusals that no retry can turn into a join (DESIGN §4a). Other errors ("too many
// channels joined") may pass later, so the stock rejoin stays for them.
const REFUSED_FOR_GOOD = new Set(["unauthorized", "unmatched topic"])
const guarded = Symbol("sockguard.leavesWhenRefused")

export class JoinRefusedError extends Error {
  constructor(topic, response) {
    super(`join of ${topic} refused: ${response?.reason ?? "error"}`)
    this.name = "JoinRefusedError"
    this.topic = topic
    this.reason = response?.reason ?? null
    this.response = response
  }
}

export function isRefusedForGood(response) {
  return REFUSED_FOR_GOOD.has(response?.reason)
}

// The stock client schedules a rejoin when a join is refused; leaving cancels that timer
// and removes the channel from the socket, so it is not rejoined after a reconnect either.
export function leaveWhenRefusedForGood(channel) {
  if (channel[guarded]) return channel
  channel[guarded] = true
  channel.joinPush.receive("error", (response) => {
    if (isRefusedForGood(response) && !channel.isLeaving() && !channel.isClosed()) channel.leave()
  })
  return channel
}

// Resolves with the channel at the first ok reply, rejects with a JoinRefusedError at the
// first error reply. A join that times out is retried by the stock client; the promise
// waits for its answer.
export function joinChannel(socket, topic, params = {}) {
  const channel = leaveWhenRefusedForGood(socket.channel(topic, params))
  return new Promise((resolve, reject) => {
    channel.join()
      .receive("ok", () => resolve(channel))
      .receive("error", (response) => reject(new JoinRefusedError(topic, response)))
  })
}
