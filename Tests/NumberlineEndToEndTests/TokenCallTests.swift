import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `POST /v1/oauth2/authorize`: form decoding, API key checks, credentials and the login throttle.
@Suite("Token call")
struct TokenCallTests {
    static let path = "/v1/oauth2/authorize"

    @Test("token call issues token")
    func issuesToken() throws {
        let server = try TestServer()
        let before = Int64(Date().timeIntervalSince1970)
        let response = try server.authorize(username: TestServer.adminUsername, password: TestServer.password)
        let after = Int64(Date().timeIntervalSince1970)

        #expect(response.status == 200)
        #expect(response.object?.keys == ["access_token", "expires_at"])
        let token = response.field("access_token") ?? ""
        #expect(isLowerHex32(token), "token: \(token)")
        let expiresText = response.field("expires_at") ?? ""
        #expect(!expiresText.isEmpty)
        #expect(expiresText.allSatisfy { ("0"..."9").contains($0) }, "expires_at: \(expiresText)")
        let expiresAt = Int64(expiresText) ?? 0
        #expect(expiresAt >= before + 86_400)
        #expect(expiresAt <= after + 86_400)
        #expect(response.headers["cache-control"] == "no-store")
    }

    @Test("token works on accounts")
    func tokenWorks() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let response = try server.call("GET", "/v1/accounts", token: token)
        #expect(response.status == 200)
        #expect(response.field("accountType") == "Admin")
    }

    @Test("missing username is 400")
    func missingUsername() throws {
        let server = try TestServer()
        let response = try server.postToken("password=\(TestServer.password)", headers: server.formHeaders)
        expectError(response, 400, StatusText.badRequest, detail: "The form must carry username and password.", fields: ["username"])
    }

    @Test("missing password is 400")
    func missingPassword() throws {
        let server = try TestServer()
        let response = try server.postToken("username=\(TestServer.adminUsername)", headers: server.formHeaders)
        expectError(response, 400, StatusText.badRequest, detail: "The form must carry username and password.", fields: ["password"])
    }

    @Test("empty form names both fields")
    func emptyForm() throws {
        let server = try TestServer()
        let response = try server.postToken("", headers: server.formHeaders)
        expectError(
            response, 400, StatusText.badRequest, detail: "The form must carry username and password.", fields: ["username", "password"])
    }

    @Test("JSON body is 400")
    func jsonBody() throws {
        let server = try TestServer()
        let json = #"{"username":"\#(TestServer.adminUsername)","password":"\#(TestServer.password)"}"#
        let response = try server.postToken(json, headers: [("x-api-key", server.apiKey), ("content-type", "application/json")])
        expectError(
            response, 400, StatusText.badRequest,
            detail: "Send username, password and instance as application/x-www-form-urlencoded; the body was application/json.")
    }

    @Test("malformed percent-encoding is 400")
    func malformedPercentEncoding() throws {
        let server = try TestServer()
        for form in [
            "username=root%zzadmin&password=\(TestServer.password)", "username=root-admin&password=abc%4", "username=%FF%FE&password=x",
        ] {
            let response = try server.postToken(form, headers: server.formHeaders)
            expectError(
                response, 400, StatusText.badRequest,
                detail: "The form body is not valid percent-encoded UTF-8; encode it as application/x-www-form-urlencoded.")
        }
    }

    @Test("duplicate form field is 400")
    func duplicateField() throws {
        let server = try TestServer()
        let form = "username=\(TestServer.adminUsername)&password=\(TestServer.password)&username=someone-else"
        let response = try server.postToken(form, headers: server.formHeaders)
        expectError(response, 400, StatusText.badRequest, detail: "The form field username is given more than once; give it once.")
    }

    @Test("missing API key is 401")
    func missingKey() throws {
        let server = try TestServer()
        let form = "username=\(TestServer.adminUsername)&password=\(TestServer.password)"
        let response = try server.postToken(form, headers: [("content-type", "application/x-www-form-urlencoded")])
        expectError(response, 401, StatusText.unauthorized, detail: "The x-api-key header is missing; ask the operator for an API key.")
    }

    @Test("wrong API key is 401")
    func wrongKey() throws {
        let server = try TestServer()
        let response = try server.authorize(
            username: TestServer.adminUsername, password: TestServer.password, apiKey: "0123456789abcdef0123456789abcdef")
        expectError(response, 401, StatusText.unauthorized, detail: "The API key is not valid for instance acme; check x-api-key.")
        #expect(response.field("access_token") == nil)
    }

    @Test("other instance's key is 401")
    func otherInstanceKey() throws {
        let server = try TestServer()
        let otherKey = try server.createOtherInstance("other")

        let wrongInstance = try server.authorize(username: TestServer.adminUsername, password: TestServer.password, apiKey: otherKey)
        expectError(wrongInstance, 401, StatusText.unauthorized, detail: "The API key is not valid for instance acme; check x-api-key.")

        let ownKeyForOther = try server.authorize(username: "other-admin", password: TestServer.password, instance: "other")
        expectError(ownKeyForOther, 401, StatusText.unauthorized, detail: "The API key is not valid for instance other; check x-api-key.")

        let matching = try server.authorize(username: "other-admin", password: TestServer.password, apiKey: otherKey, instance: "other")
        #expect(matching.status == 200)
    }

    @Test("unknown user equals wrong password")
    func unknownUserEqualsWrongPassword() throws {
        let server = try TestServer()
        let unknown = try server.authorize(username: "nobody-here", password: TestServer.password)
        let wrong = try server.authorize(username: TestServer.adminUsername, password: "not-the-right-password")
        expectError(unknown, 401, StatusText.unauthorized, detail: "The username or password is wrong.")
        expectError(wrong, 401, StatusText.unauthorized, detail: "The username or password is wrong.")
        #expect(unknown.body == wrong.body)
    }

    @Test("unknown instance is 404")
    func unknownInstance() throws {
        let server = try TestServer()
        let inForm = try server.authorize(username: TestServer.adminUsername, password: TestServer.password, instance: "nowhere")
        expectError(inForm, 404, StatusText.notFound, detail: "The instance nowhere does not exist; check the instance parameter.")

        let form = "username=\(TestServer.adminUsername)&password=\(TestServer.password)"
        let inQuery = try server.request("POST", Self.path + "?instance=nowhere", headers: server.formHeaders, body: Array(form.utf8))
        expectError(inQuery, 404, StatusText.notFound, detail: "The instance nowhere does not exist; check the instance parameter.")
    }

    @Test("form and query instance differ")
    func instanceMismatch() throws {
        let server = try TestServer()
        let form = "username=\(TestServer.adminUsername)&password=\(TestServer.password)&instance=other"
        let response = try server.request("POST", Self.path + "?instance=acme", headers: server.formHeaders, body: Array(form.utf8))
        expectError(
            response, 400, StatusText.badRequest,
            detail: "The instance in the form (other) differs from the instance query parameter (acme); give one.")
    }

    @Test("oversized form is 413")
    func oversizedForm() throws {
        let server = try TestServer()
        let form = "username=\(TestServer.adminUsername)&password=" + String(repeating: "a", count: 17_000)
        let response = try server.postToken(form, headers: server.formHeaders)
        expectError(
            response, 413, StatusText.payloadTooLarge,
            detail: "The request body has \(form.utf8.count) bytes; this route accepts at most 16384 bytes.")
    }

    @Test("lockout answers 429 then expires")
    func lockoutExpires() throws {
        let server = try TestServer(arguments: ["--login-lock-after", "3", "--login-lock-seconds", "2"])
        let second = try server.cli(
            ["admin", "create", "--instance", "acme", "--username", "second-admin", "--password-stdin"], input: TestServer.password + "\n")
        #expect(second.status == 0)

        for attempt in 1...3 {
            let response = try server.authorize(username: TestServer.adminUsername, password: "wrong-password-\(attempt)")
            expectError(response, 401, StatusText.unauthorized, detail: "The username or password is wrong.")
        }

        let locked = try server.authorize(username: TestServer.adminUsername, password: TestServer.password)
        #expect(locked.status == 429)
        #expect(locked.field("statusCode") == "429")
        #expect(locked.field("status") == StatusText.tooManyRequests)
        let retryAfter = locked.headers["retry-after"] ?? ""
        #expect(retryAfter == "1" || retryAfter == "2", "Retry-After: \(retryAfter)")
        #expect(locked.field("detail") == "Too many failed logins for this username or address; retry after \(retryAfter) seconds.")
        #expect(locked.field("access_token") == nil)

        // Another user signs in while the first one is locked.
        let other = try server.authorize(username: "second-admin", password: TestServer.password)
        #expect(other.status == 200)

        // The lock ends at a whole second at most 2 s after it began.
        usleep(2_600_000)
        let unlocked = try server.authorize(username: TestServer.adminUsername, password: TestServer.password)
        #expect(unlocked.status == 200, "body: \(unlocked.text)")
        #expect(isLowerHex32(unlocked.field("access_token") ?? ""))
    }

    @Test("expired lock starts fresh count")
    func expiredLockStartsFresh() throws {
        let server = try TestServer(arguments: ["--login-lock-after", "3", "--login-lock-seconds", "2"])
        for attempt in 1...3 {
            #expect(try server.authorize(username: TestServer.adminUsername, password: "wrong-\(attempt)-password").status == 401)
        }
        #expect(try server.authorize(username: TestServer.adminUsername, password: "wrong-4-password").status == 429)

        usleep(3_100_000)
        // One more wrong guess after the lock is an ordinary failure, not a new lock.
        let afterLock = try server.authorize(username: TestServer.adminUsername, password: "wrong-5-password")
        #expect(afterLock.status == 401)
        let correct = try server.authorize(username: TestServer.adminUsername, password: TestServer.password)
        #expect(correct.status == 200)
    }

    @Test("parallel guesses stop at limit")
    func parallelGuesses() throws {
        let server = try TestServer(arguments: ["--login-lock-after", "5", "--login-lock-seconds", "60"])
        let form = "username=\(TestServer.adminUsername)&password=wrong-password-guess"

        // Every request is on the wire before any response is read, so the server sees them together.
        var connections: [TestConnection] = []
        for _ in 0..<20 {
            connections.append(try server.connection())
        }
        var head = "POST \(Self.path) HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: \(server.apiKey)\r\n"
        head += "content-type: application/x-www-form-urlencoded\r\ncontent-length: \(form.utf8.count)\r\n\r\n"
        for connection in connections {
            try connection.send(Array((head + form).utf8))
        }
        var statuses: [Int] = []
        for connection in connections {
            statuses.append(try connection.readResponse().status)
        }

        #expect(statuses.filter { $0 == 401 }.count == 5, "statuses: \(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 15, "statuses: \(statuses)")
        let correct = try server.authorize(username: TestServer.adminUsername, password: TestServer.password)
        #expect(correct.status == 429)
    }
}
