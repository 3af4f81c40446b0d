import NumberlineCore
import NumberlineJSON
import NumberlineNumbers

// libFuzzer entry point over request decoding and validation. The first byte picks the
// decoder, the rest is the input: 0 strict JSON, 1 form and percent-decoding, 2 a whole
// account body through the wire reader and the account rules, 3 a feature body (the members
// of call forwarding, CNAM, sites, emergency addresses and Teams users) through the feature
// rules and number parsing, 4 one telephone number through libphonenumber.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let selector = data[0] % 5
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    switch selector {
    case 0:
        if let value = try? JSONParser.parse(input, maxDepth: 32, maxLength: 1 << 20) {
            // What the writer emits must parse back to the same value.
            let again = try? JSONParser.parse(JSONWriter.encode(value), maxDepth: 33, maxLength: 1 << 22)
            precondition(again == value, "writer output does not round-trip")
        }
    case 1:
        _ = URLEncoding.decodeForm(input)
        _ = URLEncoding.percentDecode(input, plusIsSpace: false)
    case 2:
        fuzzAccountBody(input)
    case 3:
        fuzzFeatureBody(input)
    default:
        fuzzTelephoneNumber(input)
    }
    return 0
}

private func fuzzAccountBody(_ input: [UInt8]) {
    guard let value = try? JSONParser.parse(input, maxDepth: 16, maxLength: 1 << 16) else { return }
    var reader = WireReader()
    guard let body = AccountWire.decodeBody(value, reader: &reader) else { return }
    var profile = AccountProfile()
    AccountWire.applyProfile(body.fields, prefix: body.prefix, to: &profile, reader: &reader)
    let logins = AccountWire.decodeLogins(body.fields, prefix: body.prefix, reader: &reader) ?? []
    let modules = AccountWire.decodeModules(body.fields, prefix: body.prefix, reader: &reader).applied(to: .none)
    _ = AccountRules.validate(profile: profile, kind: body.kind, fieldPrefix: body.prefix)
    _ = AccountRules.validate(modules: modules, parentModules: .all, fieldPrefix: body.prefix)
    for (index, login) in logins.enumerated() {
        _ = AccountRules.validate(login: login, fieldPrefix: "\(body.prefix).loginInformation[\(index)]", requirePassword: true)
    }
}

/// Reads the string members the feature sections accept and runs each through the rule the
/// server applies to it. Every number of `telephoneNumbers` is parsed in the `countryCode` region.
private func fuzzFeatureBody(_ input: [UInt8]) {
    guard let value = try? JSONParser.parse(input, maxDepth: 16, maxLength: 1 << 16) else { return }
    var reader = WireReader()
    guard let object = reader.object(value, at: "body") else { return }
    func text(_ key: String) -> String? {
        if case .some(.some(let value)) = reader.string(object, key, at: "") { return value }
        return nil
    }

    let region = text("countryCode")?.uppercased()
    if let items = reader.array(object, "telephoneNumbers", at: "") {
        for item in items.prefix(64) {
            if let number = item.string {
                checkParse(number, region: region, mode: .possible)
            }
        }
    }
    for key in ["callForwardNumber", "cpnNumber", "telephoneNumber"] {
        if let number = text(key) {
            checkParse(number, region: region, mode: .strict)
        }
    }
    if let name = text("callingName") {
        _ = FeatureRules.callingNameProblem(name)
    }
    if let name = text("departmentName") {
        _ = FeatureRules.departmentNameProblem(name)
    }
    if let upn = text("upn") {
        _ = FieldRules.validateUserPrincipalName(upn, field: "upn")
    }
    let address = CivicAddress(
        name: text("name") ?? "", streetNumber: text("streetNumber") ?? "", streetName: text("streetName") ?? "",
        addressType: text("addressType").flatMap(EmergencyAddressType.init(rawValue:)), addressDescription: text("addressDescription"),
        countryCode: region ?? "", postalCode: text("postalCode") ?? "", stateCode: text("stateCode") ?? "", city: text("city") ?? "")
    _ = FeatureRules.validate(address)
}

/// Splits the input into a region (its first two bytes), a mode (the third) and the number text.
private func fuzzTelephoneNumber(_ input: [UInt8]) {
    guard input.count >= 3 else { return }
    let regionBytes = input[0..<2]
    let region = regionBytes.allSatisfy { $0 == 0 } ? nil : String(decoding: regionBytes, as: UTF8.self)
    let mode: ValidationMode = input[2] & 1 == 0 ? .possible : .strict
    checkParse(String(decoding: input[3...], as: UTF8.self), region: region, mode: mode)
}

/// Parses a number and checks what a success promises: at most 15 digits of E.164, which
/// read back with a `+` and no region to the same number.
private func checkParse(_ text: String, region: String?, mode: ValidationMode) {
    guard case .success(let number) = TelephoneNumbers.parse(text, defaultRegion: region, mode: mode) else { return }
    precondition(!number.digits.isEmpty && number.digits.utf8.count <= 15, "parsed digits \(number.digits) are not E.164")
    precondition(number.digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, "parsed digits are not digits")
    guard case .success(let again) = TelephoneNumbers.parse("+" + number.digits, defaultRegion: nil, mode: mode) else {
        preconditionFailure("\(text) parsed to \(number.digits), which does not parse back")
    }
    precondition(again.digits == number.digits, "\(text) parsed to \(number.digits) but +\(number.digits) to \(again.digits)")
}
