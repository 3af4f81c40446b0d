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

    @Test("behind a balancer, lockouts follow X-Forwarded-For")
    func forwardedAddresses() throws {
        func login(_ server: TestServer, password: String, from address: String) throws -> Int {
            let form = "username=\(TestServer.adminUsername)&password=\(password)"
            return try server.request(
                "POST", "/v1/oauth2/authorize",
                headers: [
                    ("x-api-key", server.apiKey), ("content-type", "application/x-www-form-urlencoded"),
                    ("x-forwarded-for", "198.51.100.7, \(address)"),
                ],
                body: Array(form.utf8)
            ).status
        }

        // Trusted: two failures lock the address the balancer named, and another client's
        // address (behind the same balancer, so the same peer) still logs in.
        let trusting = try TestServer(arguments: ["--trust-forwarded-for", "--login-lock-address-after", "2", "--login-lock-after", "100"])
        #expect(try login(trusting, password: "wrong-1", from: "203.0.113.1") == 401)
        #expect(try login(trusting, password: "wrong-2", from: "203.0.113.1") == 401)
        #expect(try login(trusting, password: TestServer.password, from: "203.0.113.1") == 429)
        #expect(try login(trusting, password: TestServer.password, from: "203.0.113.2") == 200)

        // An entry that is not an IP address is ignored: the peer's counter takes the failure,
        // and the made-up value appears nowhere in the log.
        #expect(try login(trusting, password: "wrong-3", from: "not-an-ip level=error") == 401)
        #expect(try login(trusting, password: "wrong-4", from: "") == 401)
        #expect(try login(trusting, password: TestServer.password, from: "not-an-ip") == 429)
        #expect(try login(trusting, password: TestServer.password, from: "2001:db8::1") == 200)
        // The access log line follows the response, so wait for the last request's line.
        let deadline = Date().addingTimeInterval(5)
        while !trusting.log().contains("remote=2001:db8::1") && Date() < deadline {
            usleep(20_000)
        }
        #expect(trusting.log().contains("remote=2001:db8::1"))
        #expect(!trusting.log().contains("not-an-ip"), "a made-up X-Forwarded-For entry reached the log")

        // Not trusted by default: the header is ignored and every attempt counts against the peer.
        let plain = try TestServer(arguments: ["--login-lock-address-after", "2", "--login-lock-after", "100"])
        #expect(try login(plain, password: "wrong-1", from: "203.0.113.1") == 401)
        #expect(try login(plain, password: "wrong-2", from: "203.0.113.1") == 401)
        #expect(try login(plain, password: TestServer.password, from: "203.0.113.2") == 429)
    }
}
