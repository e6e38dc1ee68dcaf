#pragma once
// weft's networking in one include: namespace weft::net (docs/networking.md).

#include <weft/io/net/error.hpp>
#include <weft/io/net/resolve.hpp>
#include <weft/io/net/signal.hpp>
#include <weft/io/net/socket_address.hpp>
#include <weft/io/net/tcp_listener.hpp>
#include <weft/io/net/tcp_stream.hpp>
#include <weft/io/net/udp_socket.hpp>
#include <weft/io/net/unix_listener.hpp>
#include <weft/io/net/unix_stream.hpp>
