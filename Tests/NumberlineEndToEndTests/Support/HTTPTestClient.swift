import Foundation
import NumberlineJSON

#if canImport(Glibc)
    import Glibc
#endif

/// A response as read off the socket.
struct TestResponse {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON; fails the caller's expectation by throwing when it is not JSON.
    func json() throws -> JSONValue {
        try JSONParser.parse(body, maxDepth: 64, maxLength: body.count + 1)
    }

    /// A top-level string member of a JSON object body.
    func field(_ name: String) -> String? {
        guard case .object(let object)? = try? json() else { return nil }
        return object[name]?.string
    }
}

/// A minimal HTTP/1.1 client over a blocking loopback socket, so tests control every byte sent
/// (oversized headers, half-sent bodies, hang-ups) and see exactly what the server answers.
final class TestConnection {
    let socket: Int32

    /// Connects to the port on 127.0.0.1. A read that waits longer than `receiveTimeout` seconds fails.
    init(port: UInt16, receiveTimeout: Int = 20) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(socket)
            throw TestError("connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit {
        close(socket)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestError("send failed: errno \(errno)") }
            offset += written
        }
    }

    /// Reads one response; a closed connection before a full response throws.
    func readResponse() throws -> TestResponse {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() throws {
            let count = recv(socket, &chunk, chunk.count, 0)
            guard count > 0 else { throw TestError(count == 0 ? "connection closed by the server" : "recv failed: errno \(errno)") }
            buffer.append(contentsOf: chunk[0..<count])
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            try fill()
            if buffer.count >= 4 {
                headerEnd = (0...(buffer.count - 4)).first { Array(buffer[$0..<($0 + 4)]) == separator }
            }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestError("bad status line in \(head)") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        let bodyStart = headerEnd! + 4
        var body: [UInt8]
        if let lengthText = headers["content-length"], let length = Int(lengthText) {
            while buffer.count < bodyStart + length { try fill() }
            body = Array(buffer[bodyStart..<(bodyStart + length)])
        } else {
            // The server always sends a length; without one, the body runs to the end of the connection.
            while (try? fill()) != nil {}
            body = Array(buffer[bodyStart...])
        }
        return TestResponse(status: status, headers: headers, body: body)
    }

    /// Sends one request and reads its response.
    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> TestResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || method == "POST" || method == "PUT" {
            head += "content-length: \(body.count)\r\n"
        }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse()
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
