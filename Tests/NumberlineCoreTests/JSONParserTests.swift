import NumberlineJSON
import Testing

/// Parses `text` and returns the error it raises, or `nil` when it parses.
private func parseError(_ text: String, maxDepth: Int = 32, maxLength: Int = 1 << 20) -> JSONError? {
    parseError(Array(text.utf8), maxDepth: maxDepth, maxLength: maxLength)
}

private func parseError(_ bytes: [UInt8], maxDepth: Int = 32, maxLength: Int = 1 << 20) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth, maxLength: maxLength)
        return nil
    } catch {
        return error
    }
}

/// Wraps raw bytes in quotes, making a JSON string literal whose body is exactly `body`.
private func quoted(_ body: [UInt8]) -> [UInt8] {
    [0x22] + body + [0x22]
}

@Suite("JSON parser")
struct JSONParserTests {
    // MARK: - Accepted documents

    @Test("scalars at top level")
    func scalarsAtTopLevel() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse(" false\n") == .bool(false))
        #expect(try JSONParser.parse("\"hi\"") == .string("hi"))
        #expect(try JSONParser.parse("-0") == .number("-0"))
        #expect(try JSONParser.parse("\t12.5e-3\r\n") == .number("12.5e-3"))
    }

    @Test("object keeps member order")
    func objectKeepsOrder() throws {
        let value = try JSONParser.parse(#"{"zeta": 1, "alpha": [true, null], "mid": {"x": "y"}}"#)
        let object = try #require(value.object)
        #expect(object.keys == ["zeta", "alpha", "mid"])
        #expect(object["zeta"] == .number("1"))
        #expect(object["alpha"] == .array([.bool(true), .null]))
        #expect(object["mid"]?.object?["x"] == .string("y"))
        #expect(object["missing"] == nil)
    }

    @Test("empty containers")
    func emptyContainers() throws {
        #expect(try JSONParser.parse("[]") == .array([]))
        #expect(try JSONParser.parse("{ }") == .object(JSONObject()))
        #expect(try JSONParser.parse("[ [ ] , { } ]") == .array([.array([]), .object(JSONObject())]))
    }

    @Test("big numbers keep their lexeme")
    func bigNumbersKeepLexeme() throws {
        let big = "123456789012345678901234567890"
        let value = try JSONParser.parse(big)
        #expect(value == .number(big))
        #expect(value.int64 == nil)
        #expect(value.double == 1.2345678901234568e29)

        let precise = "0.10000000000000000000000001"
        #expect(try JSONParser.parse(precise) == .number(precise))
    }

    @Test("number accessors")
    func numberAccessors() throws {
        #expect(try JSONParser.parse("9223372036854775807").int64 == Int64.max)
        #expect(try JSONParser.parse("-9223372036854775808").int64 == Int64.min)
        #expect(try JSONParser.parse("9223372036854775808").int64 == nil)
        #expect(try JSONParser.parse("1.5").int64 == nil)
        #expect(try JSONParser.parse("1e3").int64 == nil)
        #expect(try JSONParser.parse("1E3").double == 1000)
        #expect(try JSONParser.parse("-2.5").double == -2.5)
        #expect(try JSONParser.parse("\"3\"").int64 == nil)
    }

    @Test("escapes decode")
    func escapesDecode() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20AC\u0000""#)
        #expect(value == .string("a\"b\\c/d\u{08}\u{0C}\n\r\tAé€\u{00}"))
    }

    @Test("astral plane escape pairs")
    func astralPlaneEscapes() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""\uD800\uDC00""#) == .string("\u{10000}"))
        #expect(try JSONParser.parse(#""\uDBFF\uDFFF""#) == .string("\u{10FFFF}"))
    }

    @Test("raw UTF-8 passes through")
    func rawUTF8() throws {
        #expect(try JSONParser.parse("\"Zürich 東京 😀\"") == .string("Zürich 東京 😀"))
        #expect(try JSONParser.parse(quoted([0xF4, 0x8F, 0xBF, 0xBF])) == .string("\u{10FFFF}"))
        #expect(try JSONParser.parse(quoted([0xEE, 0x80, 0x80])) == .string("\u{E000}"))
    }

    @Test("non-array collections parse")
    func otherCollections() throws {
        let bytes = Array("[1,2]".utf8)
        #expect(try JSONParser.parse(bytes[...]) == .array([.number("1"), .number("2")]))
        #expect(try JSONParser.parse("[1,2]".utf8) == .array([.number("1"), .number("2")]))
    }

    @Test("depth limit allows exactly maxDepth")
    func depthLimitBoundary() throws {
        let atLimit = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(parseError(atLimit) == nil)
        let objects = String(repeating: #"{"a":"#, count: 3) + "1" + String(repeating: "}", count: 3)
        #expect(parseError(objects, maxDepth: 3) == nil)
    }

    // MARK: - Rejected documents

    @Test("trailing commas rejected")
    func trailingCommas() {
        #expect(parseError("[1,2,]") == JSONError(message: "trailing comma before \"]\"", offset: 5))
        #expect(parseError(#"{"a":1,}"#) == JSONError(message: "trailing comma before \"}\"", offset: 7))
        #expect(parseError("[,]") == JSONError(message: "unexpected character \",\"; expected a value", offset: 1))
    }

    @Test("comments rejected")
    func comments() {
        #expect(parseError("// hi\n1") == JSONError(message: "unexpected character \"/\"; expected a value", offset: 0))
        #expect(parseError("[1 /* x */]") == JSONError(message: "unexpected character \"/\"; expected \",\" or \"]\"", offset: 3))
    }

    @Test("leading zeros rejected")
    func leadingZeros() {
        #expect(parseError("012") == JSONError(message: "invalid number; leading zeros are not allowed", offset: 1))
        #expect(parseError("-00") == JSONError(message: "invalid number; leading zeros are not allowed", offset: 2))
    }

    @Test("malformed numbers rejected")
    func malformedNumbers() {
        #expect(parseError("-") == JSONError(message: "invalid number; expected a digit", offset: 1))
        #expect(parseError("1.") == JSONError(message: "invalid number; expected a digit after the decimal point", offset: 2))
        #expect(parseError(".5") == JSONError(message: "unexpected character \".\"; expected a value", offset: 0))
        #expect(parseError("1e+") == JSONError(message: "invalid number; expected a digit in the exponent", offset: 3))
        #expect(parseError("+1") == JSONError(message: "unexpected character \"+\"; expected a value", offset: 0))
    }

    @Test("NaN and Infinity rejected")
    func nanAndInfinity() {
        #expect(parseError("NaN") == JSONError(message: "unexpected character \"N\"; expected a value", offset: 0))
        #expect(parseError("[Infinity]") == JSONError(message: "unexpected character \"I\"; expected a value", offset: 1))
        #expect(parseError("-Infinity") == JSONError(message: "invalid number; expected a digit", offset: 1))
    }

    @Test("bad literals rejected")
    func badLiterals() {
        #expect(parseError("tru") == JSONError(message: "invalid literal; expected true", offset: 0))
        #expect(parseError("[nul]") == JSONError(message: "invalid literal; expected null", offset: 1))
        #expect(parseError("True") == JSONError(message: "unexpected character \"T\"; expected a value", offset: 0))
    }

    @Test("bare control characters rejected")
    func controlCharacters() {
        #expect(
            parseError("\"a\tb\"") == JSONError(message: "unescaped control character 0x09 in a string; write it as \\u00XX", offset: 2))
        #expect(
            parseError("\"a\nb\"") == JSONError(message: "unescaped control character 0x0A in a string; write it as \\u00XX", offset: 2))
        #expect(
            parseError(quoted([0x41, 0x00]))
                == JSONError(message: "unescaped control character 0x00 in a string; write it as \\u00XX", offset: 2))
    }

    @Test("invalid UTF-8 rejected")
    func invalidUTF8() {
        // Overlong encodings of "/" and of U+0000.
        #expect(parseError(quoted([0xC0, 0xAF])) == JSONError(message: "invalid UTF-8 lead byte 0xC0", offset: 1))
        #expect(parseError(quoted([0xC1, 0xBF])) == JSONError(message: "invalid UTF-8 lead byte 0xC1", offset: 1))
        #expect(parseError(quoted([0xE0, 0x80, 0xAF])) == JSONError(message: "invalid UTF-8 sequence starting with 0xE0", offset: 1))
        #expect(parseError(quoted([0xF0, 0x80, 0x80, 0xAF])) == JSONError(message: "invalid UTF-8 sequence starting with 0xF0", offset: 1))
        // U+D800, a surrogate, encoded as UTF-8.
        #expect(parseError(quoted([0x61, 0xED, 0xA0, 0x80])) == JSONError(message: "invalid UTF-8 sequence starting with 0xED", offset: 2))
        // Above U+10FFFF.
        #expect(parseError(quoted([0xF4, 0x90, 0x80, 0x80])) == JSONError(message: "invalid UTF-8 sequence starting with 0xF4", offset: 1))
        #expect(parseError(quoted([0xF5, 0x80, 0x80, 0x80])) == JSONError(message: "invalid UTF-8 lead byte 0xF5", offset: 1))
        // A continuation byte with no lead, and a lead with a bad continuation.
        #expect(parseError(quoted([0x80])) == JSONError(message: "invalid UTF-8 lead byte 0x80", offset: 1))
        #expect(parseError(quoted([0xC3, 0x28])) == JSONError(message: "invalid UTF-8 sequence starting with 0xC3", offset: 1))
        #expect(parseError(quoted([0xE2, 0x82, 0x28])) == JSONError(message: "invalid UTF-8 sequence starting with 0xE2", offset: 1))
        #expect(parseError([0x22, 0xE2, 0x82]) == JSONError(message: "truncated UTF-8 sequence", offset: 1))
    }

    @Test("non-ASCII outside strings rejected")
    func nonASCIIOutsideStrings() {
        #expect(parseError([0xEF, 0xBB, 0xBF, 0x31]) == JSONError(message: "unexpected byte 0xEF; expected a value", offset: 0))
    }

    @Test("lone surrogate escapes rejected")
    func loneSurrogates() {
        #expect(parseError(#""\ud800""#) == JSONError(message: "lone high surrogate \\uD800 without a low surrogate after it", offset: 1))
        #expect(parseError(#""x\uDBFFy""#) == JSONError(message: "lone high surrogate \\uDBFF without a low surrogate after it", offset: 2))
        #expect(
            parseError(#""\ud800\u0041""#) == JSONError(message: "lone high surrogate \\uD800 without a low surrogate after it", offset: 1))
        #expect(
            parseError(#""\ud800\ud800""#) == JSONError(message: "lone high surrogate \\uD800 without a low surrogate after it", offset: 1))
        #expect(parseError(#""\udc00""#) == JSONError(message: "lone low surrogate \\uDC00 without a high surrogate before it", offset: 1))
    }

    @Test("bad escapes rejected")
    func badEscapes() {
        #expect(parseError(#""\x41""#) == JSONError(message: "invalid escape \\x", offset: 1))
        #expect(parseError(#""\u12G4""#) == JSONError(message: "invalid hex digit character \"G\" in a \\u escape", offset: 5))
        #expect(parseError(#""\u12"#) == JSONError(message: "unexpected end of input inside a \\u escape", offset: 3))
        #expect(parseError(#""abc"#) == JSONError(message: "unexpected end of input inside a string", offset: 4))
    }

    @Test("duplicate keys rejected")
    func duplicateKeys() {
        let text = #"{"companyName":"A","companyName":"B"}"#
        let error = parseError(text)
        #expect(error == JSONError(message: "duplicate key \"companyName\"", offset: 19))
        #expect(error?.description == "invalid JSON at byte 19: duplicate key \"companyName\"")
        #expect(parseError(#"{"a":{"a":1}}"#) == nil)
        #expect(parseError(#"{"\u0061":1,"a":2}"#) == JSONError(message: "duplicate key \"a\"", offset: 12))
    }

    @Test("duplicate keys in large objects rejected")
    func duplicateKeysLargeObject() {
        let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(parseError("{" + members + "}") == nil)
        let text = "{" + members + ",\"k7\":0}"
        #expect(parseError(text)?.message == "duplicate key \"k7\"")
        #expect(parseError(text)?.offset == text.utf8.count - 7)
    }

    @Test("depth limit rejected")
    func depthLimit() {
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(parseError(deep) == JSONError(message: "nesting is deeper than the limit of 32 levels", offset: 32))
        #expect(
            parseError(#"{"a":{"b":[1]}}"#, maxDepth: 2) == JSONError(message: "nesting is deeper than the limit of 2 levels", offset: 10))
        // A hostile body far deeper than any stack tolerates fails fast instead of crashing.
        let hostile = String(repeating: "[", count: 100_000)
        #expect(parseError(hostile)?.offset == 32)
    }

    @Test("length limit rejected")
    func lengthLimit() {
        #expect(parseError("[1, 2]", maxLength: 5) == JSONError(message: "document is 6 bytes, over the limit of 5 bytes", offset: 5))
        #expect(parseError("[1, 2]", maxLength: 6) == nil)
    }

    @Test("trailing garbage rejected")
    func trailingGarbage() {
        #expect(parseError("{} x") == JSONError(message: "unexpected character \"x\" after the end of the document", offset: 3))
        #expect(parseError("1 2") == JSONError(message: "unexpected character \"2\" after the end of the document", offset: 2))
        #expect(parseError("[1]]") == JSONError(message: "unexpected character \"]\" after the end of the document", offset: 3))
        #expect(parseError([0x31, 0x00]) == JSONError(message: "unexpected byte 0x00 after the end of the document", offset: 1))
    }

    @Test("structural errors rejected")
    func structuralErrors() {
        #expect(parseError("") == JSONError(message: "unexpected end of input; expected a value", offset: 0))
        #expect(parseError("   ") == JSONError(message: "unexpected end of input; expected a value", offset: 3))
        #expect(parseError("[1") == JSONError(message: "unexpected end of input; expected \",\" or \"]\"", offset: 2))
        #expect(parseError("[1 2]") == JSONError(message: "unexpected character \"2\"; expected \",\" or \"]\"", offset: 3))
        #expect(parseError("{1:2}") == JSONError(message: "unexpected character \"1\"; expected a string key", offset: 1))
        #expect(parseError(#"{'a':1}"#) == JSONError(message: "unexpected character \"'\"; expected a string key", offset: 1))
        #expect(parseError(#"{"a" 1}"#) == JSONError(message: "unexpected character \"1\"; expected \":\" after the key", offset: 5))
        #expect(parseError(#"{"a":1 "b":2}"#) == JSONError(message: "unexpected character \"\"\"; expected \",\" or \"}\"", offset: 7))
        #expect(parseError(#"{"a":"#) == JSONError(message: "unexpected end of input; expected a value", offset: 5))
        #expect(parseError("{") == JSONError(message: "unexpected end of input; expected a string key", offset: 1))
    }

    @Test("error description format")
    func errorDescription() {
        let error = JSONError(message: "duplicate key \"companyName\"", offset: 17)
        #expect(error.description == "invalid JSON at byte 17: duplicate key \"companyName\"")
    }
}
