import Foundation
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test("token limit answers 429")
    func tokenLimit() throws {
        let server = try TestServer(arguments: ["--rate-limit-token", "5"])
        let token = try server.token(username: TestServer.adminUsername)
        let connection = try server.connection()
        var statuses: [Int] = []
        var retryAfter: [String] = []
        // A burst of 2 × 5 is allowed; the rest of 20 quick requests must be refused.
        for _ in 0..<20 {
            let response = try connection.request(
                "GET", "/v1/accounts", headers: [("x-api-key", server.apiKey), ("x-access-token", token)])
            statuses.append(response.status)
            if response.status == 429 {
                retryAfter.append(response.headers["retry-after"] ?? "")
                #expect(response.field("statusCode") == "429")
                #expect(response.field("detail")?.hasPrefix("This access token sent more than 5 requests per second") == true)
            }
        }
        let allowed = statuses.filter { $0 == 200 }.count
        #expect(allowed >= 10)
        #expect(allowed <= 12)
        #expect(statuses.filter { $0 == 429 }.count == 20 - allowed)
        #expect(retryAfter.allSatisfy { $0 == "1" })

        // Another token of the same login has its own bucket.
        let other = try server.token(username: TestServer.adminUsername)
        #expect(try server.call("GET", "/v1/accounts", token: other).status == 200)

        // The bucket refills at 5 per second.
        usleep(1_100_000)
        #expect(try server.call("GET", "/v1/accounts", token: token).status == 200)
    }

    @Test("address limit answers 429")
    func addressLimit() throws {
        let server = try TestServer(arguments: ["--rate-limit-address", "5"])
        let connection = try server.connection()
        var statuses: [Int] = []
        for _ in 0..<20 {
            statuses.append(try connection.request("GET", "/v1/health").status)
        }
        let refused = statuses.filter { $0 == 429 }.count
        #expect(refused >= 8)
        #expect(statuses.prefix(10).allSatisfy { $0 == 200 })
    }

    @Test("no limits by default")
    func noLimitsByDefault() throws {
        let server = try TestServer()
        let connection = try server.connection()
        for _ in 0..<50 {
            #expect(try connection.request("GET", "/v1/health").status == 200)
        }
    }
}
