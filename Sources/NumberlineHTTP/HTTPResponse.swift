/// A response a handler returns; the server adds `x-request-id` and the length.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The account the request acted for, written to the access log line only.
    public var logAccountID: String?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], logAccountID: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.logAccountID = logAccountID
    }

    /// A response with a JSON body.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("content-type", "application/json")] + headers, body: body)
    }
}

/// Builds the error responses the HTTP layer itself sends (404, 405, 413, 503), so the
/// API layer decides their body shape.
public typealias ErrorResponder = @Sendable (_ status: Int, _ detail: String, _ headers: [(name: String, value: String)]) -> HTTPResponse
