#include "numberline_h2o.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <h2o.h>
#include <h2o/http2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

// MARK: - Types

struct nl_loop;

/// Control messages a loop accepts from other threads.
enum nl_control_kind { NL_CONTROL_STOP_ACCEPTING, NL_CONTROL_EXIT, NL_CONTROL_WAKE };

typedef struct {
    h2o_multithread_message_t super;
    enum nl_control_kind kind;
} nl_control;

struct nl_loop {
    nl_server *server;
    int index;
    pthread_t thread;
    h2o_evloop_t *evloop;
    h2o_context_t context;
    h2o_accept_ctx_t accept_ctx;
    int listen_fd;
    h2o_socket_t *listener;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t answers;
    h2o_multithread_receiver_t controls;
    h2o_timeout_t request_timeout;
    int exit_requested; // touched on the loop thread only
    uint64_t request_count; // touched on the loop thread only
    _Atomic int wake_pending; // a wake message is on its way; later wakes can skip sending one
};

/// The loop running on this thread, so answers produced on it skip the queue.
static __thread struct nl_loop *current_loop;

struct nl_server {
    nl_server_config config;
    h2o_globalconf_t globalconf;
    SSL_CTX *ssl_ctx;
    struct nl_loop *loops;
    uint16_t port;
    int started;
    _Atomic size_t in_flight;
    _Atomic size_t connections;
    uint32_t run_id; // random, so request ids differ between runs
    pthread_mutex_t ready_lock;
    pthread_cond_t ready_signal;
    int ready_count; // loops whose H2O objects exist, guarded by ready_lock
};

typedef struct {
    h2o_handler_t super;
    nl_server *server;
} nl_h2o_handler;

/// The record that ties a request to its answer. Both the answer and the request's
/// disposal happen on the loop thread; whichever comes second frees the record.
struct nl_pending {
    h2o_req_t *req; // NULL once H2O has freed the request
    struct nl_loop *loop;
    h2o_timeout_entry_t deadline;
    int answered;
    int timed_out; // the client already got a 503; the handler's answer is dropped
    char request_id[17];
};

typedef struct {
    h2o_multithread_message_t super;
    nl_pending *pending;
    int status;
    size_t header_count;
    h2o_iovec_t *names;
    h2o_iovec_t *values;
    h2o_iovec_t body;
    char data[];
} nl_answer;

// MARK: - Helpers

static const char *reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

static struct nl_loop *loop_of_context(h2o_context_t *ctx) {
    return H2O_STRUCT_FROM_MEMBER(struct nl_loop, context, ctx);
}

// MARK: - Requests

static void on_request_disposed(void *slot) {
    nl_pending *pending = *(nl_pending **)slot;
    pending->req = NULL;
    if (h2o_timeout_is_linked(&pending->deadline))
        h2o_timeout_unlink(&pending->deadline);
    if (pending->answered)
        free(pending);
}

/// Writes 16 lower-case hex digits: 4 of the run id, 2 of the loop index, 10 of the loop's
/// request counter. Done by hand because snprintf showed up in profiles.
static void write_request_id(char *out, uint32_t run_id, int loop_index, uint64_t count) {
    static const char digits[] = "0123456789abcdef";
    uint64_t value = ((uint64_t)(run_id & 0xffff) << 48) | ((uint64_t)(loop_index & 0xff) << 40) | (count & 0xffffffffffULL);
    for (int i = 15; i >= 0; --i) {
        out[i] = digits[value & 0xf];
        value >>= 4;
    }
    out[16] = '\0';
}

static void add_request_id(nl_pending *pending, h2o_req_t *req) {
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, pending->request_id, 16);
}

static void on_deadline(h2o_timeout_entry_t *entry) {
    nl_pending *pending = H2O_STRUCT_FROM_MEMBER(nl_pending, deadline, entry);
    h2o_req_t *req = pending->req;
    if (req == NULL || pending->answered)
        return;
    const char *body = pending->loop->server->config.timeout_body;
    pending->timed_out = 1;
    req->res.status = 503;
    req->res.reason = reason_phrase(503);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    add_request_id(pending, req);
    req->res.content_length = strlen(body);
    h2o_send_inline(req, body, strlen(body));
}

static int on_request(h2o_handler_t *self, h2o_req_t *req) {
    nl_server *server = ((nl_h2o_handler *)self)->server;
    struct nl_loop *loop = loop_of_context(req->conn->ctx);

    nl_pending *pending = calloc(1, sizeof(*pending));
    if (pending == NULL)
        return -1;
    pending->req = req;
    pending->loop = loop;
    write_request_id(pending->request_id, server->run_id, loop->index, loop->request_count++);
    if (server->config.request_timeout_ms != 0) {
        pending->deadline.cb = on_deadline;
        h2o_timeout_link(loop->context.loop, &loop->request_timeout, &pending->deadline);
    }
    nl_pending **slot = h2o_mem_alloc_shared(&req->pool, sizeof(*slot), on_request_disposed);
    *slot = pending;

    size_t count = req->headers.size;
    nl_slice *names = h2o_mem_alloc_pool(&req->pool, sizeof(nl_slice) * (count + 1));
    nl_slice *values = h2o_mem_alloc_pool(&req->pool, sizeof(nl_slice) * (count + 1));
    size_t header_bytes = 0;
    for (size_t i = 0; i != count; ++i) {
        h2o_header_t *header = req->headers.entries + i;
        names[i] = (nl_slice){header->name->base, header->name->len};
        values[i] = (nl_slice){header->value.base, header->value.len};
        header_bytes += header->name->len + header->value.len;
    }

    char peer[NI_MAXHOST];
    size_t peer_len = 0;
    struct sockaddr_storage address;
    socklen_t address_len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&address);
    if (address_len != 0) {
        size_t written = h2o_socket_getnumerichost((struct sockaddr *)&address, address_len, peer);
        if (written != SIZE_MAX)
            peer_len = written;
    }

    nl_request request = {
        .method = {req->method.base, req->method.len},
        .path = {req->path.base, req->path.len},
        .query_at = req->query_at,
        .body = {req->entity.base, req->entity.base == NULL ? 0 : req->entity.len},
        .header_count = count,
        .header_names = names,
        .header_values = values,
        .peer = {peer, peer_len},
        .header_bytes = header_bytes,
        .request_id = {pending->request_id, 16},
        .loop_index = loop->index,
        .http_version = req->version,
    };
    atomic_fetch_add(&server->in_flight, 1);
    server->config.handler(server->config.handler_context, pending, &request);
    return 0;
}

static void deliver_answer(nl_answer *answer) {
    nl_pending *pending = answer->pending;
    nl_server *server = pending->loop->server;
    h2o_req_t *req = pending->req;

    pending->answered = 1;
    atomic_fetch_sub(&server->in_flight, 1);
    if (h2o_timeout_is_linked(&pending->deadline))
        h2o_timeout_unlink(&pending->deadline);
    if (req == NULL) {
        // The client went away first; H2O already ran the dispose callback.
        free(pending);
        return;
    }
    if (pending->timed_out)
        return; // the dispose callback frees the record

    // From here on `pending` belongs to the dispose callback, which may run inside h2o_send_inline.
    req->res.status = answer->status;
    req->res.reason = reason_phrase(answer->status);
    for (size_t i = 0; i != answer->header_count; ++i) {
        h2o_iovec_t name = h2o_strdup(&req->pool, answer->names[i].base, answer->names[i].len);
        h2o_iovec_t value = h2o_strdup(&req->pool, answer->values[i].base, answer->values[i].len);
        h2o_add_header_by_str(&req->pool, &req->res.headers, name.base, name.len, 1, NULL, value.base, value.len);
    }
    add_request_id(pending, req);
    req->res.content_length = answer->body.len;
    h2o_send_inline(req, answer->body.base, answer->body.len);
}

static void on_answers(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages) {
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        nl_answer *answer = H2O_STRUCT_FROM_MEMBER(nl_answer, super.link, messages->next);
        h2o_linklist_unlink(&answer->super.link);
        deliver_answer(answer);
        free(answer);
    }
}

static void run_after_events(struct nl_loop *loop) {
    nl_server *server = loop->server;
    if (server->config.after_events != NULL)
        server->config.after_events(server->config.handler_context, loop->index);
}

void nl_respond(nl_pending *pending, int status, const nl_slice *header_names, const nl_slice *header_values,
                size_t header_count, const char *body, size_t body_len) {
    size_t data_len = body_len;
    for (size_t i = 0; i != header_count; ++i)
        data_len += header_names[i].len + header_values[i].len;
    size_t table_len = sizeof(h2o_iovec_t) * header_count * 2;

    nl_answer *answer = malloc(sizeof(*answer) + table_len + data_len);
    if (answer == NULL)
        abort(); // an answer that cannot be delivered would leave the request hanging forever
    memset(&answer->super, 0, sizeof(answer->super));
    answer->pending = pending;
    answer->status = status;
    answer->header_count = header_count;
    answer->names = (h2o_iovec_t *)answer->data;
    answer->values = answer->names + header_count;

    char *cursor = answer->data + table_len;
    for (size_t i = 0; i != header_count; ++i) {
        memcpy(cursor, header_names[i].base, header_names[i].len);
        answer->names[i] = h2o_iovec_init(cursor, header_names[i].len);
        cursor += header_names[i].len;
        memcpy(cursor, header_values[i].base, header_values[i].len);
        answer->values[i] = h2o_iovec_init(cursor, header_values[i].len);
        cursor += header_values[i].len;
    }
    if (body_len != 0)
        memcpy(cursor, body, body_len);
    answer->body = h2o_iovec_init(cursor, body_len);

    if (current_loop == pending->loop) {
        deliver_answer(answer);
        free(answer);
        return;
    }
    h2o_multithread_send_message(&pending->loop->answers, &answer->super);
}

// MARK: - Connections

static void on_connection_closed(void *data) {
    struct nl_loop *loop = data;
    atomic_fetch_sub(&loop->server->connections, 1);
}

static void on_accept(h2o_socket_t *listener, const char *error) {
    struct nl_loop *loop = listener->data;
    nl_server *server = loop->server;
    if (error != NULL)
        return;

    // Accept a bounded batch per wake-up so one loop cannot take every pending connection.
    for (int i = 0; i != 16; ++i) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        size_t open = atomic_fetch_add(&server->connections, 1);
        sock->on_close.cb = on_connection_closed;
        sock->on_close.data = loop;
        if (server->config.max_connections > 0 && open >= (size_t)server->config.max_connections) {
            h2o_socket_close(sock);
            continue;
        }
        h2o_accept(&loop->accept_ctx, sock);
    }
}

// MARK: - Loops

static void close_listener(struct nl_loop *loop) {
    if (loop->listener != NULL) {
        h2o_socket_read_stop(loop->listener);
        h2o_socket_close(loop->listener);
        loop->listener = NULL;
        loop->listen_fd = -1;
    }
}

static void on_controls(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages) {
    struct nl_loop *loop = H2O_STRUCT_FROM_MEMBER(struct nl_loop, controls, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        nl_control *control = H2O_STRUCT_FROM_MEMBER(nl_control, super.link, messages->next);
        h2o_linklist_unlink(&control->super.link);
        switch (control->kind) {
        case NL_CONTROL_STOP_ACCEPTING:
            close_listener(loop);
            h2o_context_request_shutdown(&loop->context);
            break;
        case NL_CONTROL_EXIT:
            loop->exit_requested = 1;
            break;
        case NL_CONTROL_WAKE:
            atomic_store(&loop->wake_pending, 0);
            run_after_events(loop);
            break;
        }
        free(control);
    }
}

/// Creates the loop's H2O objects. This must run on the loop's own thread: H2O keeps
/// per-thread buffer recyclers, and a socket made on one thread returns its buffers there.
static void init_loop(struct nl_loop *loop) {
    nl_server *server = loop->server;
    loop->evloop = h2o_evloop_create();
    h2o_context_init(&loop->context, loop->evloop, &server->globalconf);
    loop->accept_ctx.ctx = &loop->context;
    loop->accept_ctx.hosts = server->globalconf.hosts;
    loop->accept_ctx.ssl_ctx = server->ssl_ctx;
    h2o_timeout_init(loop->context.loop, &loop->request_timeout, server->config.request_timeout_ms);
    loop->queue = h2o_multithread_create_queue(loop->evloop);
    h2o_multithread_register_receiver(loop->queue, &loop->answers, on_answers);
    h2o_multithread_register_receiver(loop->queue, &loop->controls, on_controls);
    loop->listener = h2o_evloop_socket_create(loop->evloop, loop->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    loop->listener->data = loop;
    h2o_socket_read_start(loop->listener, on_accept);
}

static void *run_loop(void *argument) {
    struct nl_loop *loop = argument;
    nl_server *server = loop->server;

    init_loop(loop);
    current_loop = loop;
    pthread_mutex_lock(&server->ready_lock);
    server->ready_count += 1;
    pthread_cond_broadcast(&server->ready_signal);
    pthread_mutex_unlock(&server->ready_lock);

    while (!loop->exit_requested) {
        h2o_evloop_run(loop->evloop, INT32_MAX);
        run_after_events(loop);
    }
    close_listener(loop);
    return NULL;
}

static void send_control(struct nl_loop *loop, enum nl_control_kind kind) {
    nl_control *control = calloc(1, sizeof(*control));
    if (control == NULL)
        abort();
    control->kind = kind;
    h2o_multithread_send_message(&loop->controls, &control->super);
}

static int open_listener(const char *host, uint16_t port, uint16_t *bound_port, char *error, size_t error_len) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *found = NULL;
    char service[8];
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    int status = getaddrinfo(host, service, &hints, &found);
    if (status != 0) {
        snprintf(error, error_len, "cannot resolve listen address %s: %s", host, gai_strerror(status));
        return -1;
    }

    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;
    if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0 ||
        bind(fd, found->ai_addr, found->ai_addrlen) != 0 || listen(fd, 1024) != 0 ||
        fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        snprintf(error, error_len, "cannot listen on %s port %u: %s", host, (unsigned)port, strerror(errno));
        if (fd != -1)
            close(fd);
        freeaddrinfo(found);
        return -1;
    }
    freeaddrinfo(found);

    struct sockaddr_storage local;
    socklen_t local_len = sizeof(local);
    getsockname(fd, (struct sockaddr *)&local, &local_len);
    *bound_port = ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
                                                    : ((struct sockaddr_in *)&local)->sin_port);
    return fd;
}

static SSL_CTX *create_tls_context(const char *certificate, const char *key, char *error, size_t error_len) {
    SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (ssl_ctx == NULL) {
        snprintf(error, error_len, "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(ssl_ctx, certificate) != 1) {
        snprintf(error, error_len, "cannot load TLS certificate %s: %s", certificate,
                 ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(ssl_ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ssl_ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ssl_ctx) != 1) {
        snprintf(error, error_len, "cannot load TLS key %s (or it does not match the certificate): %s", key,
                 ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(ssl_ctx);
        return NULL;
    }
    h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_http2_alpn_protocols);
    return ssl_ctx;
}

// MARK: - Server

nl_server *nl_server_create(const nl_server_config *config, char *error, size_t error_len) {
    if (config->loop_count < 1 || config->handler == NULL) {
        snprintf(error, error_len, "the server needs at least one loop and a handler");
        return NULL;
    }
    nl_server *server = calloc(1, sizeof(*server));
    server->config = *config;
    server->config.timeout_body = strdup(config->timeout_body != NULL ? config->timeout_body : "{}");
    server->run_id = arc4random();
    pthread_mutex_init(&server->ready_lock, NULL);
    pthread_cond_init(&server->ready_signal, NULL);
    server->loops = calloc((size_t)config->loop_count, sizeof(struct nl_loop));

    if (config->tls_certificate_path != NULL) {
        server->ssl_ctx = create_tls_context(config->tls_certificate_path, config->tls_key_path, error, error_len);
        if (server->ssl_ctx == NULL)
            goto fail;
    }

    h2o_config_init(&server->globalconf);
    server->globalconf.max_request_entity_size = config->max_body_bytes;
    server->globalconf.http1.req_timeout = config->idle_timeout_ms;
    server->globalconf.http2.idle_timeout = config->idle_timeout_ms;
    server->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("numberline"));
    h2o_hostconf_t *hostconf = h2o_config_register_host(&server->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(hostconf, "/", 0);
    nl_h2o_handler *handler = (nl_h2o_handler *)h2o_create_handler(pathconf, sizeof(*handler));
    handler->super.on_req = on_request;
    handler->server = server;

    uint16_t port = config->port;
    for (int i = 0; i != config->loop_count; ++i) {
        struct nl_loop *loop = server->loops + i;
        loop->server = server;
        loop->index = i;
        loop->listen_fd = open_listener(config->host, port, &server->port, error, error_len);
        if (loop->listen_fd == -1)
            goto fail;
        port = server->port; // later listeners share the port the first one got
    }

    return server;

fail:
    for (int i = 0; i != config->loop_count; ++i)
        if (server->loops[i].listen_fd > 0)
            close(server->loops[i].listen_fd);
    if (server->ssl_ctx != NULL)
        SSL_CTX_free(server->ssl_ctx);
    free(server->loops);
    free(server);
    return NULL;
}

uint16_t nl_server_port(const nl_server *server) { return server->port; }

int nl_server_start(nl_server *server) {
    for (int i = 0; i != server->config.loop_count; ++i) {
        struct nl_loop *loop = server->loops + i;
        if (pthread_create(&loop->thread, NULL, run_loop, loop) != 0)
            return -1;
    }
    server->started = 1;

    // Messages can be sent to a loop only once its queue exists.
    pthread_mutex_lock(&server->ready_lock);
    while (server->ready_count != server->config.loop_count)
        pthread_cond_wait(&server->ready_signal, &server->ready_lock);
    pthread_mutex_unlock(&server->ready_lock);
    return 0;
}

void nl_server_stop_accepting(nl_server *server) {
    for (int i = 0; i != server->config.loop_count; ++i)
        send_control(server->loops + i, NL_CONTROL_STOP_ACCEPTING);
}

void nl_server_wake(nl_server *server, int loop_index) {
    struct nl_loop *loop = server->loops + loop_index;
    if (atomic_exchange(&loop->wake_pending, 1) == 0)
        send_control(loop, NL_CONTROL_WAKE);
}

int nl_server_current_loop(const nl_server *server) {
    return current_loop != NULL && current_loop->server == server ? current_loop->index : -1;
}

size_t nl_server_in_flight(const nl_server *server) { return atomic_load(&server->in_flight); }

size_t nl_server_open_connections(const nl_server *server) { return atomic_load(&server->connections); }

void nl_server_destroy(nl_server *server) {
    for (int i = 0; i != server->config.loop_count; ++i)
        send_control(server->loops + i, NL_CONTROL_EXIT);
    if (server->started)
        for (int i = 0; i != server->config.loop_count; ++i)
            pthread_join(server->loops[i].thread, NULL);

    // A handler still running would post its answer into a freed queue, so keep the
    // loops' memory in that case; the process is about to exit anyway.
    if (atomic_load(&server->in_flight) != 0)
        return;
    for (int i = 0; i != server->config.loop_count; ++i) {
        struct nl_loop *loop = server->loops + i;
        h2o_multithread_unregister_receiver(loop->queue, &loop->answers);
        h2o_multithread_unregister_receiver(loop->queue, &loop->controls);
        h2o_multithread_destroy_queue(loop->queue);
    }
}
