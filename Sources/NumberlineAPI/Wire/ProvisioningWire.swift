import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineNumbers

/// The fields of a Teams user body; each is `.none` when the member was left out.
struct TeamsUserFields: Sendable {
    var upn: String??
    var firstName: String??
    var lastName: String??
    var note: String??
    var telephoneNumber: String??
    var siteID: Int64??
}

/// Wire mapping of the Microsoft Teams and Zoom sections.
enum ProvisioningWire {
    /// Members a Teams user body may carry.
    static let userBodyKeys: Set<String> = ["upn", "firstName", "lastName", "note", "telephoneNumber", "siteId"]

    // MARK: - Teams user bodies

    /// Decodes a Teams user body and checks the format of each member that is present.
    /// Throws `APIError.badRequest` listing every invalid member.
    static func decodeUser(_ json: JSONValue) throws -> TeamsUserFields {
        var reader = WireReader()
        guard let object = reader.object(json, at: "body") else {
            throw APIError.badRequest("The user body must be a JSON object.", fields: reader.errors)
        }
        reader.rejectUnknownKeys(object, allowed: userBodyKeys, at: "")

        var fields = TeamsUserFields()
        fields.upn = reader.string(object, "upn", at: "")
        fields.firstName = reader.string(object, "firstName", at: "")
        fields.lastName = reader.string(object, "lastName", at: "")
        fields.note = reader.string(object, "note", at: "")
        fields.telephoneNumber = reader.string(object, "telephoneNumber", at: "")
        fields.siteID = readSiteID(object, reader: &reader)

        if case .some(.some(let upn)) = fields.upn {
            reader.errors += FieldRules.validateUserPrincipalName(upn, field: "upn")
        }
        for (name, value) in [("firstName", fields.firstName), ("lastName", fields.lastName), ("note", fields.note)] {
            if case .some(.some(let text)) = value {
                reader.errors += FieldRules.validateFreeText(text, field: name)
            }
        }
        guard reader.errors.isEmpty else {
            throw APIError.badRequest("The user body has invalid fields; see errors.", fields: reader.errors)
        }
        return fields
    }

    /// Reads `siteId` as a decimal string or a JSON integer; null clears it.
    private static func readSiteID(_ object: JSONObject, reader: inout WireReader) -> Int64?? {
        guard let value = object["siteId"] else {
            return .none
        }
        switch value {
        case .null:
            return .some(nil)
        case .string(let text):
            guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy(FieldRules.isDigit), let id = Int64(text), id > 0 else {
                reader.errors.append(
                    FieldError(field: "siteId", message: "\"\(text.prefix(40))\" is not a site id; ids are 1 to 18 decimal digits"))
                return .none
            }
            return .some(id)
        case .number:
            guard let id = value.int64, id > 0 else {
                reader.errors.append(FieldError(field: "siteId", message: "siteId must be a positive whole number"))
                return .none
            }
            return .some(id)
        default:
            reader.errors.append(
                FieldError(field: "siteId", message: "siteId must be a string of digits, an integer or null, not \(value.typeName)"))
            return .none
        }
    }

    /// Parses one telephone number of a user body: E.164 with or without `+`, normalized by libphonenumber.
    static func parseNumber(_ input: String) throws -> String {
        switch TelephoneNumbers.parse(input, defaultRegion: nil, mode: .possible) {
        case .success(let number):
            return number.digits
        case .failure(let problem):
            throw APIError.badRequest(
                "The telephoneNumber is invalid; see errors.", fields: [FieldError(field: "telephoneNumber", message: problem.message)])
        }
    }

    // MARK: - Objects out

    /// Writes a user in the reference's shape, plus `siteId` (a decimal string or null).
    static func write(_ user: TeamsUser, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(String(user.id))
        writer.key("upn")
        writer.string(user.upn)
        writer.key("firstName")
        writer.optionalString(user.firstName)
        writer.key("lastName")
        writer.optionalString(user.lastName)
        writer.key("note")
        writer.optionalString(user.note)
        writer.key("status")
        writer.string(TeamsUser.configuredStatus)
        writer.key("telephoneNumber")
        writer.string(user.telephoneNumber)
        writer.key("siteId")
        writer.optionalString(user.siteID.map { String($0) })
        writer.endObject()
    }

    /// Writes a number of the Teams numbers listing, with the reference's `activatatedDate` spelling.
    ///
    /// `status` is `available` for a number free for provisioning and `assigned` for one
    /// provisioned to a Teams user.
    static func write(_ number: TeamsNumber, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("tn")
        writer.string(number.telephoneNumber)
        writer.key("orderType")
        writer.optionalString(number.attributes.orderType)
        writer.key("type")
        writer.optionalString(number.attributes.type)
        writer.key("subType")
        writer.optionalString(number.attributes.subType)
        writer.key("routeLabel")
        writer.optionalString(number.attributes.routeLabel)

        writer.key("provisionUser")
        if let user = number.user {
            write(user, into: &writer)
        } else {
            writer.null()
        }
        // The reference gives both members as strings: cnam is the number's callingName and
        // e911 the locationId of its emergency address, each null when the number has none.
        writer.key("tnFeatures")
        writer.beginObject()
        writer.key("cnam")
        writer.optionalString(number.callingName)
        writer.key("e911")
        writer.optionalString(number.emergencyAddressID.map { String($0) })
        writer.endObject()

        writer.key("activatatedDate")
        writer.optionalString(number.activatedAt.map { String($0) })
        writer.key("status")
        writer.string(number.user == nil ? TeamsNumberFilter.available.rawValue : TeamsNumberFilter.assigned.rawValue)
        writer.endObject()
    }

    /// Writes a Zoom peering in the user shape of the reference's Zoom listing: `id` is the
    /// peering id, `status` is `peered`, and the user fields are null.
    static func write(_ peering: ZoomPeering, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(String(peering.id))
        for key in ["upn", "firstName", "lastName", "note"] {
            writer.dynamicKey(key)
            writer.null()
        }
        writer.key("status")
        writer.string("peered")
        writer.key("telephoneNumber")
        writer.string(peering.telephoneNumber)
        writer.endObject()
    }

    /// Renders a rejected bulk Zoom call in the `BulkError` shape of the numbers section.
    static func rejectionResponse(detail: String, rejections: [ProvisioningRejection], total: Int) -> HTTPResponse {
        var writer = JSONWriter(capacity: 256 + rejections.count * 128)
        writer.beginObject()
        writer.key("statusCode")
        writer.string("409")
        writer.key("status")
        writer.string(APIError.statusText(409))
        writer.key("detail")
        writer.string(detail)
        writer.key("errors")
        writer.beginArray()
        for rejection in rejections {
            writer.beginObject()
            writer.key("telephoneNumber")
            writer.string(rejection.telephoneNumber)
            writer.key("reason")
            writer.string(rejection.blocker.message)
            writer.endObject()
        }
        writer.endArray()
        writer.key("errorCount")
        writer.int(total)
        writer.endObject()
        return .json(409, writer.bytes)
    }

    // MARK: - Cursors

    /// Encodes the last user id of a page as an opaque cursor: hex of `"u1:" + id`.
    static func cursor(afterUserID id: Int64) -> String {
        Crypto.hex(Array("u1:\(id)".utf8))
    }

    /// Decodes a cursor from `cursor(afterUserID:)`; nil when it is not one.
    static func userID(fromCursor cursor: String) -> Int64? {
        let hex = Array(cursor.utf8)
        let isLowerHex = hex.allSatisfy { FieldRules.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        guard hex.count.isMultiple(of: 2), hex.count <= 64, isLowerHex else {
            return nil
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let byte = UInt8(String(decoding: hex[index..<(index + 2)], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("u1:"), let id = Int64(text.dropFirst(3)), id > 0 else {
            return nil
        }
        return id
    }
}
