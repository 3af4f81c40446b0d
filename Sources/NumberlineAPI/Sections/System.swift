import NumberlineHTTP

// Routes without authentication: health, the OpenAPI document and its HTML rendering.
extension Application {
    func registerSystem(_ router: inout Router) {
        let health = HTTPResponse.json(200, Array(#"{"status":"ok"}"#.utf8), headers: [("cache-control", "no-store")])
        router.add(
            .get, "/v1/health",
            handler { request in
                _ = try self.instanceName(request)
                return health
            })

        let document = HTTPResponse.json(200, OpenAPIDocument.bytes, headers: [("cache-control", "no-cache")])
        router.add(
            .get, "/v1/openapi.json",
            handler { request in
                _ = try self.instanceName(request)
                return document
            })

        router.add(
            .get, "/docs",
            handler { request in
                _ = try self.instanceName(request)
                // The first request renders the page, which takes a noticeable time, so the
                // read runs on the blocking pool instead of holding up an event loop.
                return await withTaskExecutorPreference(self.pool) { DocsPageResponse.page }
            })
    }
}

/// The docs page, rendered from the embedded document on the first request and kept.
///
/// Rendering builds a large tree of temporary values, so it waits for the first request of
/// the page instead of raising the server's memory and start-up time for every run.
private enum DocsPageResponse {
    static let page = HTTPResponse(
        status: 200,
        headers: [("content-type", "text/html; charset=utf-8"), ("cache-control", "no-cache")],
        body: Array(renderDocsPage(openAPIDocument: OpenAPIDocument.bytes).utf8))
}
