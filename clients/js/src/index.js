// @sockguard/client: the official phoenix client, connected the way sockguard wants.
import {Socket} from "phoenix"

import {createConnectSocket} from "./connect_socket.js"

export const connectSocket = createConnectSocket(Socket)
export {createConnectSocket}
export {joinChannel, JoinRefusedError, leaveWhenRefusedForGood} from "./join_channel.js"
export {nextStep, nextStepAfterTicketError, FRESH_HISTORY} from "./policy.js"
export {describeState} from "./state_words.js"
export {CLOSE_REASONS} from "./close_reasons.js"
