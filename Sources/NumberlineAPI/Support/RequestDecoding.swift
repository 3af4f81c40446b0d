import NumberlineCore
import NumberlineHTTP
import NumberlineJSON

extension HTTPRequest {
    /// Parses the body as strict JSON; wrong media type or malformed JSON is a 400 that says why.
    func jsonBody(maxDepth: Int = 16) throws -> JSONValue {
        guard mediaType == "application/json" else {
            throw APIError.badRequest(
                "Send the body as application/json; the content type was \(mediaType.map { "\($0.prefix(80))" } ?? "missing").")
        }
        do {
            return try JSONParser.parse(body, maxDepth: maxDepth, maxLength: body.count)
        } catch {
            throw APIError.badRequest("The body is not valid JSON: \(error.description).")
        }
    }

    /// Reads a decimal id path parameter; anything else is a 400 naming the parameter.
    func idParameter(_ name: String) throws -> Int64 {
        let text = pathParameters[name] ?? ""
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let id = Int64(text)
        else {
            throw APIError.badRequest("The \(name) \"\(text.prefix(40))\" is not an id; ids are 1 to 18 decimal digits.")
        }
        return id
    }
}

/// Parses a decimal id sent in a body field; nil (with an error recorded) when it is not one.
func parseID(_ text: String, field: String, reader: inout WireReader) -> Int64? {
    guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
        let id = Int64(text)
    else {
        reader.errors.append(
            FieldError(field: field, message: "\"\(text.prefix(40))\" is not an account id; ids are 1 to 18 decimal digits"))
        return nil
    }
    return id
}
