/// A request as the handlers see it: copied out of the event loop, safe to use on any thread.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The path without the query string, still percent-encoded.
    public var path: String
    /// The raw query string without `?`, empty when absent.
    public var queryString: String
    /// Header fields with lower-cased names, in the order received.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The client's numeric IP address.
    public var remoteAddress: String
    /// The id the server sends back as `x-request-id`.
    public var requestID: String
    /// Values of the `{name}` segments of the matched route, percent-decoded.
    public var pathParameters: [String: String] = [:]
    /// The pattern of the matched route, e.g. `/v1/accounts/{accountId}`; empty before routing.
    public var route: String = ""
    /// Total bytes of header names and values.
    public var headerBytes: Int

    public init(
        method: HTTPMethod, path: String, queryString: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1", requestID: String = "", headerBytes: Int = 0
    ) {
        self.method = method
        self.path = path
        self.queryString = queryString
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.headerBytes = headerBytes
    }

    /// Returns the first value of a header; `name` must be lower case.
    public func header(_ name: String) -> String? {
        for header in headers where header.name == name {
            return header.value
        }
        return nil
    }

    /// Returns how many times a header occurs; `name` must be lower case.
    public func headerCount(_ name: String) -> Int {
        headers.reduce(0) { $0 + ($1.name == name ? 1 : 0) }
    }

    /// The decoded query parameters in order, or nil when the query string is malformed.
    public var queryParameters: [(name: String, value: String)]? {
        queryString.isEmpty ? [] : URLEncoding.decodeForm(Array(queryString.utf8))
    }

    /// The media type of the body without parameters, lower-cased (`application/json`).
    public var mediaType: String? {
        guard let value = header("content-type") else { return nil }
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return type.trimmingSpaces().lowercased()
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
