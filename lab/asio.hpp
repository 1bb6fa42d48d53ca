#pragma once
// The one place the lab includes Asio and Beast (precompiled once: they cost seconds per file).
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility> itself.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
