#pragma once
// GET /ws upgraded to a WebSocket (the websockets lesson): the connection stays open, the server
// sends every open WebSocket a tick every 100 ms from one loop, and a client's "wait MS" message
// makes its handler wait MS the mode's way (Handlers::wait, as /delay waits) and then answer
// "waited MS" (harness/tick_message.hpp). In a loop mode that
// blocks, the wait holds the one loop that sends every tick: every connection's tick is late.
#include "lab/asio.hpp"
#include "lab/server/answer.hpp"
#include "lab/server/handlers.hpp"

namespace lab {

// Whether an HTTP request asks for the lesson's WebSocket: GET /ws with Upgrade: websocket.
bool is_websocket_upgrade(const Request& req);

// Takes the connection over: accepts the upgrade, joins the ticks, and serves the client's
// messages until it closes. Runs on the loop that accepted it, as every session does.
asio::awaitable<void> websocket_session(tcp::socket socket, Request req, Handlers handlers);

}  // namespace lab
