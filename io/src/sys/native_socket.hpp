#pragma once
// The system headers that declare sockets, addresses and name resolution (sockaddr_in,
// sockaddr_un, inet_pton, getaddrinfo, if_nametoindex): the one place that knows where each
// platform keeps them. Include it only in .cpp files of io/src.

#if defined(_WIN32)
#include <winsock2.h>
// winsock2.h first: the others need its declarations.
#include <afunix.h>
#include <iphlpapi.h>
#include <ws2tcpip.h>

// IF_NAMESIZE (netioapi.h) is NDIS_IF_MAX_STRING_SIZE, which ntddndis.h defines.
#include <ntddndis.h>
#else
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#endif
