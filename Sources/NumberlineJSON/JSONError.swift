/// A rejected JSON document: what is wrong and the zero-based byte offset where it was found.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Zero-based offset of the first byte that made the document invalid.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The error in the form `invalid JSON at byte 17: duplicate key "companyName"`.
    public var description: String {
        "invalid JSON at byte \(offset): \(message)"
    }
}
