import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

/// The one error type of the API layer; `response` turns it into the wire shape
/// `{"statusCode", "status", "detail", "errors"?}`.
public enum APIError: Error, Sendable {
    case badRequest(String, fields: [FieldError] = [])
    case unauthorized(String)
    /// `action` completes the reference's phrase "Forbidden not allowed to …".
    case forbidden(action: String, detail: String)
    case notFound(String)
    case conflict(String)
    case payloadTooLarge(String)
    case tooManyRequests(String, retryAfterSeconds: Int)
    case unavailable(String)

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .payloadTooLarge: 413
        case .tooManyRequests: 429
        case .unavailable: 503
        }
    }

    /// The response for this error.
    public var response: HTTPResponse {
        switch self {
        case .badRequest(let detail, let fields):
            return APIError.errorResponse(status: 400, detail: detail, fields: fields)
        case .unauthorized(let detail), .notFound(let detail), .conflict(let detail), .payloadTooLarge(let detail),
            .unavailable(let detail):
            return APIError.errorResponse(status: status, detail: detail)
        case .forbidden(let action, let detail):
            return APIError.errorResponse(status: 403, detail: detail, statusText: "Forbidden not allowed to " + action)
        case .tooManyRequests(let detail, let seconds):
            return APIError.errorResponse(status: 429, detail: detail, headers: [("retry-after", String(seconds))])
        }
    }

    /// The `status` text for each status code.
    static func statusText(_ status: Int) -> String {
        switch status {
        case 400: "Bad request please check your request and try again"
        case 401: "Not authorized"
        case 403: "Forbidden"
        case 404: "Not found"
        case 405: "Method not allowed"
        case 409: "Conflict"
        case 413: "Payload too large"
        case 415: "Unsupported media type"
        case 429: "Too many requests"
        case 503: "Service unavailable"
        default: "Error"
        }
    }

    /// Renders the error body; also used for the errors the HTTP layer raises itself.
    public static func errorResponse(
        status: Int, detail: String, fields: [FieldError] = [], statusText: String? = nil,
        headers: [(name: String, value: String)] = []
    ) -> HTTPResponse {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("statusCode")
        writer.string(String(status))
        writer.key("status")
        writer.string(statusText ?? APIError.statusText(status))
        writer.key("detail")
        writer.string(detail)
        if !fields.isEmpty {
            writer.key("errors")
            writer.beginArray()
            for problem in fields {
                writer.beginObject()
                writer.key("field")
                writer.string(problem.field)
                writer.key("message")
                writer.string(problem.message)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return .json(status, writer.bytes, headers: headers)
    }

    /// Maps a storage failure; `what` names the object for the messages.
    static func from(_ error: StoreError, what: String) -> APIError {
        switch error {
        case .duplicate(let field, let value):
            .conflict("The \(field) \"\(value)\" is already taken in this instance; choose another.")
        case .notFound:
            .notFound("The \(what) does not exist or is not visible to you.")
        case .conflict(let reason):
            .conflict(reason)
        case .unavailable:
            // The reason (a database address, a driver message) goes to the log, not to clients.
            .unavailable("The database is unavailable; retry the request later.")
        }
    }
}

/// Builds the status object every successful mutation returns.
func noErrorResponse(extra: (String, String)? = nil) -> HTTPResponse {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("statusCode")
    writer.string("200")
    writer.key("status")
    writer.string("No error")
    if let (key, value) = extra {
        writer.dynamicKey(key)
        writer.string(value)
    }
    writer.endObject()
    return .json(200, writer.bytes)
}
