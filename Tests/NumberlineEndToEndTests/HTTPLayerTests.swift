import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Routing errors, size limits, request ids and connection handling of the HTTP layer.
@Suite("HTTP layer")
struct HTTPLayerTests {
    @Test("unknown path is 404")
    func unknownPath() throws {
        let server = try TestServer()
        for path in ["/v1/nothing", "/", "/v1/accounts/1/extra"] {
            let response = try server.request("GET", path)
            expectError(
                response, 404, StatusText.notFound, detail: "No route matches \(path); see /v1/openapi.json for the available paths.")
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        }
    }

    @Test("wrong method is 405")
    func wrongMethod() throws {
        let server = try TestServer()
        let health = try server.request("DELETE", "/v1/health")
        expectError(health, 405, StatusText.methodNotAllowed, detail: "DELETE is not allowed on /v1/health; use GET.")
        #expect(health.headers["allow"] == "GET")

        let accounts = try server.request("PATCH", "/v1/accounts")
        expectError(accounts, 405, StatusText.methodNotAllowed, detail: "PATCH is not allowed on /v1/accounts; use GET, POST.")
        #expect(accounts.headers["allow"] == "GET, POST")

        let byID = try server.request("POST", "/v1/accounts/12")
        #expect(byID.status == 405)
        #expect(byID.headers["allow"] == "GET, PUT, DELETE")
    }

    @Test("oversized headers are 413")
    func oversizedHeaders() throws {
        let server = try TestServer(arguments: ["--max-header-bytes", "1024"])
        let response = try server.request("GET", "/v1/health", headers: [("x-filler", String(repeating: "f", count: 2000))])
        expectError(response, 413, StatusText.payloadTooLarge)
        let detail = response.field("detail") ?? ""
        #expect(detail.hasPrefix("The request headers total "), "\(detail)")
        #expect(detail.hasSuffix(" bytes; the limit is 1024 bytes."), "\(detail)")
        let total = Int(detail.split(separator: " ").dropFirst(4).first ?? "") ?? 0
        #expect(total >= 2008, "\(detail)")

        // Just under the limit passes.
        let small = try server.request("GET", "/v1/health", headers: [("x-filler", String(repeating: "f", count: 500))])
        #expect(small.status == 200)
    }

    @Test("oversized body is 413")
    func oversizedBody() throws {
        let server = try TestServer()
        let body = [UInt8](repeating: UInt8(ascii: " "), count: 70_000)
        let accounts = try server.request("POST", "/v1/accounts", headers: [("content-type", "application/json")], body: body)
        expectError(
            accounts, 413, StatusText.payloadTooLarge, detail: "The request body has 70000 bytes; this route accepts at most 65536 bytes.")

        let small = try TestServer(arguments: ["--max-body-bytes", "1024"])
        let health = try small.request("GET", "/v1/health", body: [UInt8](repeating: 0x41, count: 2000))
        expectError(
            health, 413, StatusText.payloadTooLarge, detail: "The request body has 2000 bytes; this route accepts at most 1024 bytes.")
    }

    @Test("every response has a request id")
    func requestIDs() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        var responses: [TestResponse] = []
        responses.append(try server.request("GET", "/v1/health"))
        responses.append(try server.request("GET", "/v1/missing"))
        responses.append(try server.request("DELETE", "/v1/health"))
        responses.append(try server.request("GET", "/v1/accounts"))
        responses.append(try server.call("GET", "/v1/accounts", token: token))
        responses.append(try server.call("GET", "/v1/accounts/abc", token: token))
        responses.append(try server.postToken("", headers: server.formHeaders))
        for _ in 0..<10 {
            responses.append(try server.request("GET", "/v1/health"))
        }

        let ids = responses.map { $0.headers["x-request-id"] ?? "" }
        for (index, id) in ids.enumerated() {
            #expect(id.count == 16, "response \(index): \(id)")
            #expect(id.allSatisfy { $0.isHexDigit }, "response \(index): \(id)")
            #expect(id == id.lowercased(), "response \(index): \(id)")
        }
        #expect(Set(ids).count == ids.count, "ids: \(ids)")
    }

    @Test("half-sent body leaves server serving")
    func halfSentBody() throws {
        let server = try TestServer()
        do {
            let connection = try server.connection()
            let head =
                "POST /v1/oauth2/authorize HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\n"
            try connection.send(Array((head + "username=ro").utf8))
        }
        usleep(200_000)
        #expect(server.isRunning)
        let health = try server.request("GET", "/v1/health")
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"ok"}"#)
        #expect(try server.token(username: TestServer.adminUsername).count == 32)
    }

    @Test("fifty hang-ups leave server serving")
    func fiftyHangUps() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        var connections: [TestConnection] = []
        for index in 0..<50 {
            let connection = try server.connection()
            let target = index % 2 == 0 ? "/v1/health" : "/v1/accounts"
            let request = "GET \(target) HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: \(server.apiKey)\r\nx-access-token: \(token)\r\n\r\n"
            try connection.send(Array(request.utf8))
            connections.append(connection)
        }
        // Dropping the connections closes every socket without reading a response.
        connections.removeAll()
        usleep(300_000)

        #expect(server.isRunning)
        let health = try server.request("GET", "/v1/health")
        #expect(health.status == 200)
        let accounts = try server.call("GET", "/v1/accounts", token: token)
        #expect(accounts.status == 200)
    }

    @Test("keep-alive serves two requests")
    func keepAlive() throws {
        let server = try TestServer()
        let connection = try server.connection()
        let first = try connection.request("GET", "/v1/health")
        #expect(first.status == 200)
        #expect(first.headers["connection"]?.lowercased() != "close")
        let second = try connection.request("GET", "/v1/missing")
        #expect(second.status == 404)
        let third = try connection.request("GET", "/v1/health")
        #expect(third.status == 200)
        #expect(first.headers["x-request-id"] != third.headers["x-request-id"])
    }
}
