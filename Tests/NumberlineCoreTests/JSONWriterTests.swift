import NumberlineJSON
import Testing

private func text(_ writer: JSONWriter) -> String {
    String(decoding: writer.bytes, as: UTF8.self)
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("object members in call order")
    func objectMembersInOrder() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("statusCode")
        writer.string("200")
        writer.key("status")
        writer.string("No error")
        writer.key("accountId")
        writer.int(42)
        writer.endObject()
        #expect(text(writer) == #"{"statusCode":"200","status":"No error","accountId":42}"#)
    }

    @Test("nested containers get commas")
    func nestedCommas() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.endArray()
        writer.key("b")
        writer.beginObject()
        writer.endObject()
        writer.endObject()
        writer.beginArray()
        writer.null()
        writer.bool(true)
        writer.bool(false)
        writer.endArray()
        writer.int(-7)
        writer.endArray()
        #expect(text(writer) == #"[{"a":[],"b":{}},[null,true,false],-7]"#)
    }

    @Test("optional string writes null")
    func optionalString() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("present")
        writer.optionalString("x")
        writer.key("absent")
        writer.optionalString(nil)
        writer.endObject()
        #expect(text(writer) == #"{"present":"x","absent":null}"#)
    }

    @Test("integer extremes")
    func integerExtremes() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.int(0)
        writer.int(Int64.max)
        writer.int(Int64.min)
        writer.int(Int(10))
        writer.endArray()
        #expect(text(writer) == "[0,9223372036854775807,-9223372036854775808,10]")
    }

    @Test("string escaping")
    func stringEscaping() {
        var writer = JSONWriter()
        writer.string("q\"b\\s/n\nr\rt\tb\u{08}f\u{0C}z\u{00}e\u{1B}u\u{1F}d\u{7F}")
        #expect(text(writer) == #""q\"b\\s/n\nr\rt\tb\bf\fz\u0000e\u001bu\u001fd"# + "\u{7F}\"")
    }

    @Test("keys from data are escaped")
    func keyEscaping() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.dynamicKey("a\"b")
        writer.int(1)
        writer.endObject()
        #expect(text(writer) == #"{"a\"b":1}"#)
    }

    @Test("source keys and data keys agree")
    func staticKeysMatchDynamicKeys() {
        var fromSource = JSONWriter()
        fromSource.beginObject()
        fromSource.key("companyName")
        fromSource.string("x")
        fromSource.key("zipCode")
        fromSource.int(1)
        fromSource.endObject()
        var fromData = JSONWriter()
        fromData.beginObject()
        fromData.dynamicKey("companyName")
        fromData.string("x")
        fromData.dynamicKey("zipCode")
        fromData.int(1)
        fromData.endObject()
        #expect(text(fromSource) == #"{"companyName":"x","zipCode":1}"#)
        #expect(fromSource.bytes == fromData.bytes)
    }

    @Test("Unicode kept as UTF-8")
    func unicodeKept() {
        var writer = JSONWriter()
        writer.string("Zürich 東京 😀 \u{2028}")
        #expect(writer.bytes == Array("\"Zürich 東京 😀 \u{2028}\"".utf8))
    }

    @Test("reset keeps writer usable")
    func resetWriter() {
        var writer = JSONWriter()
        writer.string("first")
        writer.reset()
        writer.string("second")
        #expect(text(writer) == #""second""#)
    }

    @Test("value writes lexemes verbatim")
    func valueLexemes() {
        let value = JSONValue.array([.number("123456789012345678901234567890"), .number("-1.50e+3")])
        #expect(String(decoding: JSONWriter.encode(value), as: UTF8.self) == "[123456789012345678901234567890,-1.50e+3]")
    }

    @Test("round trip keeps bytes")
    func roundTrip() throws {
        let documents = [
            #"{"accountType":"Reseller","resellerAccount":{"companyName":"Acme \"Tel\"","zipCode":"02134","modulesAccess":{"did":true,"stats":false}}}"#,
            #"[null,true,false,0,-0,1.5e-7,"",[],{},"\u0001\u001f"]"#,
            #"{"emoji":"😀","astral":"𝄞","cjk":"東京"}"#,
        ]
        for document in documents {
            let parsed = try JSONParser.parse(document)
            #expect(String(decoding: JSONWriter.encode(parsed), as: UTF8.self) == document)
        }
    }

    @Test("round trip of escaped input")
    func roundTripEscaped() throws {
        let parsed = try JSONParser.parse(#"{"s":"\ud83d\ude00\/\u00e9\u0007"}"#)
        let written = JSONWriter.encode(parsed)
        #expect(String(decoding: written, as: UTF8.self) == "{\"s\":\"😀/é\\u0007\"}")
        #expect(try JSONParser.parse(written) == parsed)
    }

    @Test("object subscript setter")
    func objectSubscriptSetter() {
        var object = JSONObject(["a": .number("1"), "b": .null])
        object["a"] = .bool(true)
        object["c"] = .string("x")
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == .bool(true))
    }
}
