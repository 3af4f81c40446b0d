/// Handles one request; runs as a task on Swift's cooperative pool.
public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

/// A route as registered: for route-table checks and the docs.
public struct RouteDescription: Hashable, Sendable {
    public var method: HTTPMethod
    /// The pattern with `{name}` parameters, e.g. `/v1/accounts/{accountId}`.
    public var pattern: String
}

/// Maps a method and path to a handler; paths use literal segments and `{name}` parameters.
public struct Router: Sendable {
    /// The outcome of looking a request up.
    public enum Match: Sendable {
        case found(Handler, parameters: [String: String], maxBodyBytes: Int?)
        /// The path exists but not for this method; `allowed` lists the methods it has.
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private struct Endpoint: Sendable {
        var handler: Handler
        var maxBodyBytes: Int?
        /// The route's parameter names in path order. Routes that share a parameter position
        /// may name it differently (`/plans/{number}` and `/plans/{planId}/activate`).
        var parameterNames: [String]
    }

    private final class Node: @unchecked Sendable {
        // Built once before the server starts and only read afterwards, which is why
        // sharing it across loops needs no lock.
        var literals: [Substring: Node] = [:]
        var parameter: Node?
        var endpoints: [HTTPMethod: Endpoint] = [:]
        var methodOrder: [HTTPMethod] = []
    }

    private let root = Node()
    public private(set) var routes: [RouteDescription] = []

    public init() {}

    /// Registers a handler; `maxBodyBytes` overrides the server's default body limit for this route.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, maxBodyBytes: Int? = nil, _ handler: @escaping Handler) {
        precondition(pattern.hasPrefix("/"), "route patterns start with /")
        var node = root
        var parameterNames: [String] = []
        for segment in pattern.split(separator: "/", omittingEmptySubsequences: true) {
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                parameterNames.append(String(segment.dropFirst().dropLast()))
                if let existing = node.parameter {
                    node = existing
                } else {
                    let child = Node()
                    node.parameter = child
                    node = child
                }
            } else if let child = node.literals[segment] {
                node = child
            } else {
                let child = Node()
                node.literals[segment] = child
                node = child
            }
        }
        precondition(node.endpoints[method] == nil, "route \(method) \(pattern) registered twice")
        precondition(Set(parameterNames).count == parameterNames.count, "route \(pattern) repeats a parameter name")
        let routed: Handler = { request in
            var request = request
            request.route = pattern
            return await handler(request)
        }
        node.endpoints[method] = Endpoint(handler: routed, maxBodyBytes: maxBodyBytes, parameterNames: parameterNames)
        node.methodOrder.append(method)
        routes.append(RouteDescription(method: method, pattern: pattern))
    }

    /// Finds the handler for a percent-encoded path; literal segments win over parameters.
    public func match(_ method: HTTPMethod, path: String) -> Match {
        var node = root
        var values: [String] = []
        for segment in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let text = Substring(segment)
            if let child = node.literals[text] {
                node = child
            } else if let child = node.parameter {
                guard let value = URLEncoding.percentDecode(segment, plusIsSpace: false) else { return .notFound }
                values.append(value)
                node = child
            } else {
                return .notFound
            }
        }
        if let endpoint = node.endpoints[method] {
            let parameters = Dictionary(uniqueKeysWithValues: zip(endpoint.parameterNames, values))
            return .found(endpoint.handler, parameters: parameters, maxBodyBytes: endpoint.maxBodyBytes)
        }
        if node.endpoints.isEmpty {
            return .notFound
        }
        return .methodNotAllowed(allowed: node.methodOrder)
    }
}
