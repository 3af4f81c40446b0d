/// A strict RFC 8259 JSON parser with limits on size and nesting, for untrusted request bodies.
///
/// Beyond the grammar it rejects what RFC 8259 leaves to the implementation: invalid UTF-8
/// (overlong forms, UTF-16 surrogates encoded in UTF-8, code points above U+10FFFF), escapes
/// that leave a lone surrogate, and duplicate keys in one object.
public enum JSONParser {
    /// Default maximum document size in bytes (1 MiB). Bulk endpoints pass a larger limit.
    public static let defaultMaxLength = 1 << 20

    /// Default maximum nesting of arrays and objects.
    public static let defaultMaxDepth = 32

    /// Parses one JSON document, which may be any value, surrounded by optional whitespace.
    /// - Parameters:
    ///   - maxDepth: the maximum number of nested arrays and objects; `[[1]]` has depth 2.
    ///   - maxLength: the maximum size of `bytes` in bytes.
    public static func parse(
        _ bytes: [UInt8],
        maxDepth: Int = defaultMaxDepth,
        maxLength: Int = defaultMaxLength
    ) throws(JSONError) -> JSONValue {
        let result: Result<JSONValue, JSONError> = bytes.withUnsafeBufferPointer { buffer in
            parseBuffer(buffer, maxDepth: maxDepth, maxLength: maxLength)
        }
        return try result.get()
    }

    /// Parses one JSON document from any byte collection; contiguous storage is read in place
    /// and anything else is copied once.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        maxDepth: Int = defaultMaxDepth,
        maxLength: Int = defaultMaxLength
    ) throws(JSONError) -> JSONValue {
        let direct = bytes.withContiguousStorageIfAvailable { buffer in
            parseBuffer(buffer, maxDepth: maxDepth, maxLength: maxLength)
        }
        if let direct {
            return try direct.get()
        }
        return try parse(Array(bytes), maxDepth: maxDepth, maxLength: maxLength)
    }

    /// Parses one JSON document from the UTF-8 form of `text`.
    public static func parse(
        _ text: String,
        maxDepth: Int = defaultMaxDepth,
        maxLength: Int = defaultMaxLength
    ) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth, maxLength: maxLength)
    }

    private static func parseBuffer(
        _ buffer: UnsafeBufferPointer<UInt8>,
        maxDepth: Int,
        maxLength: Int
    ) -> Result<JSONValue, JSONError> {
        if buffer.count > maxLength {
            let message = "document is \(buffer.count) bytes, over the limit of \(maxLength) bytes"
            return .failure(JSONError(message: message, offset: maxLength))
        }
        var reader = JSONReader(buffer: buffer, maxDepth: maxDepth)
        do {
            return .success(try reader.readDocument())
        } catch {
            return .failure(error)
        }
    }
}
