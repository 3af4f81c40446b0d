import NumberlineHTTP

// Routes without authentication: health, the OpenAPI document and its HTML rendering.
extension Application {
    func registerSystem(_ router: inout Router) {
        let health = HTTPResponse.json(200, Array(#"{"status":"ok"}"#.utf8), headers: [("cache-control", "no-store")])
        router.add(.get, "/v1/health") { _ in health }
    }
}
