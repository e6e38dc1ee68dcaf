# Sources of the networking part of weft::io (sockets, addresses, resolve, signals): none yet.
