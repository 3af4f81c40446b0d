import Foundation
import NumberlineJSON
import Testing

/// The `status` texts of the error shape, by HTTP status.
enum StatusText {
    static let badRequest = "Bad request please check your request and try again"
    static let unauthorized = "Not authorized"
    static let notFound = "Not found"
    static let methodNotAllowed = "Method not allowed"
    static let conflict = "Conflict"
    static let payloadTooLarge = "Payload too large"
    static let tooManyRequests = "Too many requests"
    static let serviceUnavailable = "Service unavailable"
}

extension TestResponse {
    /// The body as a JSON object, or nil when it is not one.
    var object: JSONObject? {
        guard case .object(let object)? = try? json() else { return nil }
        return object
    }

    /// The `field` of each element of `errors`, in order; empty when the body has none.
    var errorFields: [String] {
        guard let items = object?["errors"]?.array else { return [] }
        return items.map { $0.object?["field"]?.string ?? "<no field>" }
    }
}

/// Checks an error response: HTTP status, `statusCode`, `status`, and optionally the exact
/// `detail` and the exact list of `errors[].field`. Each condition is its own expectation.
func expectError(
    _ response: TestResponse, _ status: Int, _ statusText: String, detail: String? = nil, fields: [String]? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.field("statusCode") == String(status), sourceLocation: sourceLocation)
    #expect(response.field("status") == statusText, sourceLocation: sourceLocation)
    if let detail {
        #expect(response.field("detail") == detail, sourceLocation: sourceLocation)
    } else {
        #expect(response.field("detail") != nil, "every error carries a detail", sourceLocation: sourceLocation)
    }
    if let fields {
        #expect(response.errorFields == fields, sourceLocation: sourceLocation)
    }
}

/// Checks the `{"statusCode": "200", "status": "No error"}` response of a mutation.
func expectNoError(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == 200, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.field("statusCode") == "200", sourceLocation: sourceLocation)
    #expect(response.field("status") == "No error", sourceLocation: sourceLocation)
}

/// Returns whether `text` is exactly 32 lower-case hex digits, the form of tokens and API keys.
func isLowerHex32(_ text: String) -> Bool {
    text.utf8.count == 32
        && text.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
}

/// Returns whether any object in `value`, at any depth, has a member named `key`.
func containsKey(_ value: JSONValue, _ key: String) -> Bool {
    switch value {
    case .object(let object):
        return object.members.contains { $0.key == key || containsKey($0.value, key) }
    case .array(let items):
        return items.contains { containsKey($0, key) }
    default:
        return false
    }
}

extension TestServer {
    /// Posts raw form data to the token call with exactly the given headers.
    func postToken(_ form: String, headers: [(String, String)]) throws -> TestResponse {
        try request("POST", "/v1/oauth2/authorize", headers: headers, body: Array(form.utf8))
    }

    /// The form headers with this server's API key.
    var formHeaders: [(String, String)] {
        [("x-api-key", apiKey), ("content-type", "application/x-www-form-urlencoded")]
    }

    /// Creates a second instance with an admin and an API key, returning the key.
    func createOtherInstance(_ name: String, admin: String = "other-admin") throws -> String {
        let created = try cli(["instance", "create", name])
        guard created.status == 0 else { throw TestError("instance create \(name) failed: \(created.error)") }
        let adminResult = try cli(
            ["admin", "create", "--instance", name, "--username", admin, "--password-stdin"], input: TestServer.password + "\n")
        guard adminResult.status == 0 else { throw TestError("admin create failed: \(adminResult.error)") }
        let key = try cli(["apikey", "create", "--instance", name, "--label", "other"])
        guard key.status == 0 else { throw TestError("apikey create failed: \(key.error)") }
        return key.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL on this server's database and returns its rows as `TestDatabase.query` does.
    @discardableResult
    func sql(_ statement: String) throws -> String {
        try database.query(statement)
    }
}
