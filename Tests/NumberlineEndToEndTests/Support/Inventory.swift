import Foundation
import NumberlineJSON

/// Calls for the carrier and number tests: carriers, uploads and listings over HTTP.
extension TestServer {
    /// Defines a carrier with the CLI and returns its id.
    func makeCarrier(_ name: String) throws -> Int64 {
        let result = try cli(["carrier", "create", "--instance", instance, name])
        guard result.status == 0, let range = result.output.range(of: #"id [0-9]+"#, options: .regularExpression),
            let id = Int64(result.output[range].dropFirst(3))
        else {
            throw TestError("numberline carrier create failed with \(result.status): \(result.error)")
        }
        return id
    }

    /// Uploads numbers as JSON; `extra` is spliced into the body after the list (start it with a comma).
    func uploadJSON(carrier: Int64, token: String, numbers: [String], extra: String = "") throws -> TestResponse {
        let list = numbers.map { "\"\($0)\"" }.joined(separator: ",")
        return try call("POST", "/v1/carriers/\(carrier)/numbers", token: token, json: #"{"telephoneNumbers":[\#(list)]\#(extra)}"#)
    }

    /// Uploads a CSV body; `query` is appended to the path (start it with `?`).
    func uploadCSV(carrier: Int64, token: String, csv: String, query: String = "") throws -> TestResponse {
        try request(
            "POST", "/v1/carriers/\(carrier)/numbers\(query)",
            headers: [("x-api-key", apiKey), ("x-access-token", token), ("content-type", "text/csv")],
            body: Array(csv.utf8))
    }

    /// Walks every page of a listing and returns the telephone numbers in order.
    func listAll(_ path: String, token: String, limit: Int = 1000) throws -> [String] {
        var numbers: [String] = []
        var cursor: String?
        let separator = path.contains("?") ? "&" : "?"
        repeat {
            var target = "\(path)\(separator)limit=\(limit)"
            if let cursor {
                target += "&cursor=\(cursor)"
            }
            let response = try call("GET", target, token: token)
            guard response.status == 200 else {
                throw TestError("GET \(target) answered \(response.status): \(response.text)")
            }
            let page = try response.json()
            numbers += page["numbers"]?.array?.compactMap { $0["telephoneNumber"]?.string } ?? []
            cursor = page["nextCursor"]?.string
        } while cursor != nil
        return numbers
    }
}

extension TestResponse {
    /// Returns the `telephoneNumber` of each entry of a bulk error's `errors`.
    func rejectedNumbers() -> [String] {
        (try? json())?["errors"]?.array?.compactMap { $0["telephoneNumber"]?.string } ?? []
    }

    /// Returns the `reason` of each entry of a bulk error's `errors`.
    func rejectionReasons() -> [String] {
        (try? json())?["errors"]?.array?.compactMap { $0["reason"]?.string } ?? []
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        object?[key]
    }
}

/// `count` consecutive numbers from `first`, as E.164 digits.
func numberRange(from first: Int64, count: Int) -> [String] {
    (0..<Int64(count)).map { String(first + $0) }
}
