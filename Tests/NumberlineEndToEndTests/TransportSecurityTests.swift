import Foundation
import Testing

/// HTTPS with HTTP/2 by ALPN, driven by curl against a certificate the test makes.
@Suite("Transport security")
struct TransportSecurityTests {
    /// Runs a program and returns its exit status and standard output.
    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Writes a self-signed certificate for 127.0.0.1 and its key into `directory`.
    private func makeCertificate(in directory: URL) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let result = try run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        guard result.status == 0 else { throw TestError("openssl could not make a certificate") }
        return (certificate, key)
    }

    @Test("HTTP/2 over TLS answers")
    func http2OverTLS() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numberline-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = try makeCertificate(in: directory)
        let server = try TestServer(arguments: ["--tls-certificate", certificate, "--tls-key", key])
        let base = "https://127.0.0.1:\(server.port)"

        let health = try run(
            "/usr/bin/curl",
            [
                "-s", "--http2", "--cacert", certificate, "-w", "\n%{http_version} %{http_code}", "\(base)/v1/health",
            ])
        #expect(health.status == 0)
        #expect(health.output == "{\"status\":\"ok\"}\n2 200")

        // The token call and an authenticated call over HTTP/2 as well.
        let token = try run(
            "/usr/bin/curl",
            [
                "-s", "--http2", "--cacert", certificate, "-X", "POST", "\(base)/v1/oauth2/authorize",
                "-H", "x-api-key: \(server.apiKey)", "-d", "username=\(TestServer.adminUsername)", "-d", "password=\(TestServer.password)",
            ])
        let accessToken = token.output.split(separator: "\"").dropFirst(3).first.map(String.init) ?? ""
        #expect(accessToken.count == 32)
        let accounts = try run(
            "/usr/bin/curl",
            [
                "-s", "--http2", "--cacert", certificate, "-w", "\n%{http_version} %{http_code}",
                "-H", "x-api-key: \(server.apiKey)", "-H", "x-access-token: \(accessToken)", "\(base)/v1/accounts",
            ])
        #expect(accounts.output.hasSuffix("\n2 200"))
        #expect(accounts.output.contains("\"accountType\":\"Admin\""))

        // Plain HTTP to the TLS port gets no answer.
        let plain = try run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "http://127.0.0.1:\(server.port)/v1/health"])
        #expect(plain.output == "000")
    }

    @Test("mismatched key fails start")
    func mismatchedKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numberline-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try makeCertificate(in: directory)
        let other = directory.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        let second = try makeCertificate(in: other)

        let server = try TestServer()
        server.stop()
        let result = try server.cli(["serve", "--port", "0", "--tls-certificate", first.certificate, "--tls-key", second.key])
        #expect(result.status == 1)
        #expect(result.error.contains("does not match the certificate"))
    }
}
