// Asio's TLS stream, compiled once for the bench tools (the server does TLS on its own
// engine in src/net/, so src/net/asio_impl.cpp leaves this part of Asio out).
#include <boost/asio/ssl/impl/src.hpp>
