import NumberlineCore
import NumberlineJSON

// libFuzzer entry point over request decoding and validation. The first byte picks the
// decoder, the rest is the input: 0 strict JSON, 1 form and percent-decoding, 2 a whole
// account body through the wire reader and the account rules.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let selector = data[0] % 3
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
    default:
        guard let value = try? JSONParser.parse(input, maxDepth: 16, maxLength: 1 << 16) else { return 0 }
        var reader = WireReader()
        guard let body = AccountWire.decodeBody(value, reader: &reader) else { return 0 }
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
    return 0
}
