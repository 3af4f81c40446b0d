#pragma once

// A small C surface over H2O's event loop for the Swift HTTP layer.
//
// The shim owns everything that touches H2O types: listeners, accept, the per-request
// pending record and the hop of an answer from any thread back to the loop that owns
// the request. Swift sees only the plain structs and functions below.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A borrowed byte range; valid only for the duration of the callback that passes it.
typedef struct {
    const char *base;
    size_t len;
} nl_slice;

/// One request in flight, owned by the shim until `nl_respond` is called for it.
typedef struct nl_pending nl_pending;

/// A server: one listener and one event loop per thread.
typedef struct nl_server nl_server;

/// The parts of one request as the loop read them, lent to the handler callback.
typedef struct {
    nl_slice method;
    /// The request target as sent, including the query string.
    nl_slice path;
    /// Offset of `?` in `path`, or SIZE_MAX when there is none.
    size_t query_at;
    nl_slice body;
    size_t header_count;
    /// Lower-cased header names, `header_count` entries.
    const nl_slice *header_names;
    const nl_slice *header_values;
    /// The client's numeric address, e.g. "127.0.0.1".
    nl_slice peer;
    /// Total bytes of all header names and values.
    size_t header_bytes;
    /// The id sent back as `x-request-id`, 16 hex digits, unique within this process run.
    nl_slice request_id;
    int loop_index;
    /// 0x0101 for HTTP/1.1, 0x0200 for HTTP/2.
    int http_version;
} nl_request;

/// Called on the loop thread for every request; must eventually lead to one `nl_respond`.
typedef void (*nl_handler)(void *context, nl_pending *pending, const nl_request *request);

/// Called on a loop thread after each batch of events and after `nl_server_wake`: the place
/// where work queued for that loop runs.
typedef void (*nl_loop_hook)(void *context, int loop_index);

typedef struct {
    const char *host;
    /// 0 picks a free port (read it back with `nl_server_port`).
    uint16_t port;
    int loop_count;
    /// Bodies above this many bytes get H2O's own 413 before the handler runs.
    size_t max_body_bytes;
    /// Milliseconds a connection may sit idle or take to send one request.
    uint64_t idle_timeout_ms;
    /// Milliseconds a handler may take; past that the client gets `timeout_body` with 503
    /// and the handler's late answer is dropped. 0 disables the limit.
    uint64_t request_timeout_ms;
    /// JSON body sent with the 503 of a timed-out request.
    const char *timeout_body;
    /// Connections accepted beyond this count are closed at once.
    int max_connections;
    /// PEM files; both NULL for plain HTTP. With TLS, ALPN offers h2 and http/1.1.
    const char *tls_certificate_path;
    const char *tls_key_path;
    nl_handler handler;
    /// Optional; see `nl_loop_hook`.
    nl_loop_hook after_events;
    void *handler_context;
} nl_server_config;

/// Creates the server and binds one SO_REUSEPORT listener per loop.
/// Returns NULL and writes a message to `error` when that fails.
nl_server *nl_server_create(const nl_server_config *config, char *error, size_t error_len);

/// The bound port (useful with port 0).
uint16_t nl_server_port(const nl_server *server);

/// Starts one thread per loop; returns 0 on success.
int nl_server_start(nl_server *server);

/// Closes the listeners and tells every loop to close idle connections. Thread-safe.
void nl_server_stop_accepting(nl_server *server);

/// Makes loop `loop_index` run its `after_events` hook soon. Thread-safe.
void nl_server_wake(nl_server *server, int loop_index);

/// The index of the loop running on the calling thread, or -1 on any other thread.
int nl_server_current_loop(const nl_server *server);

/// Requests accepted but not yet answered or abandoned, across all loops.
size_t nl_server_in_flight(const nl_server *server);

/// Connections open across all loops.
size_t nl_server_open_connections(const nl_server *server);

/// Stops every loop, joins the threads and frees the server. Call after `nl_server_start`.
void nl_server_destroy(nl_server *server);

/// Sends the answer for `pending` from any thread; call exactly once per pending request.
/// The shim copies everything it needs before returning. On the request's own loop thread
/// the answer goes out at once; from other threads it travels through the loop's queue. If
/// the client has gone, the answer is dropped and the record freed on the loop thread.
void nl_respond(nl_pending *pending, int status, const nl_slice *header_names, const nl_slice *header_values,
                size_t header_count, const char *body, size_t body_len);

#ifdef __cplusplus
}
#endif
