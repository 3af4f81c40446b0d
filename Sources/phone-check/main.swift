// Reads lines `input<TAB>region<TAB>mode` on stdin and prints one JSON object per line:
// {"ok":true,"digits":"19195550100","region":"US"} or
// {"ok":false,"error":"tooShort","region":"US"}, where "error" is the NumberProblem case
// name and "region" is present only for the cases that carry one. An empty region
// field means no default region; mode is "possible" or "strict".
// tests/phonenumbers_differential.py compares this output with Python phonenumbers.

import NumberlineNumbers

#if canImport(Glibc)
    import Glibc
#endif

/// Returns the NumberProblem case name and its region, if the case has one.
func describe(_ problem: NumberProblem) -> (name: String, region: String?) {
    switch problem {
    case .empty: return ("empty", nil)
    case .inputTooLong: return ("inputTooLong", nil)
    case .containsLetters: return ("containsLetters", nil)
    case .invalidCharacter: return ("invalidCharacter", nil)
    case .hasExtension: return ("hasExtension", nil)
    case .missingCountryCode: return ("missingCountryCode", nil)
    case .unsupportedRegion: return ("unsupportedRegion", nil)
    case .invalidCountryCode: return ("invalidCountryCode", nil)
    case .notANumber: return ("notANumber", nil)
    case .tooShortAfterIDD: return ("tooShortAfterIDD", nil)
    case .tooShortNationalNumber: return ("tooShortNationalNumber", nil)
    case .tooLongNationalNumber: return ("tooLongNationalNumber", nil)
    case .tooShort(_, let region): return ("tooShort", region)
    case .tooLong(_, let region): return ("tooLong", region)
    case .invalidLength(_, let region): return ("invalidLength", region)
    case .localOnly(_, let region): return ("localOnly", region)
    case .longerThanE164(_, let region): return ("longerThanE164", region)
    case .notValid(_, let region): return ("notValid", region)
    case .internalError: return ("internalError", nil)
    }
}

/// Encodes a string as a JSON string literal.
func jsonString(_ value: String) -> String {
    var output = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
    }
    return output + "\""
}

// `phone-check --self-check COUNT [SEED]` compares the shim's region and validity checks
// with libphonenumber's own on COUNT generated numbers, prints one summary line, and exits
// 1 when they disagree on any.
let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--self-check" {
    let values = arguments.dropFirst()
    guard let count = values.first.flatMap({ Int($0) }), count > 0,
        values.count <= 2, let seed = values.count == 2 ? UInt32(values.last!) : 1
    else {
        print("usage: phone-check --self-check COUNT [SEED]")
        exit(2)
    }
    let check = TelephoneNumbers.selfCheck(count: count, seed: seed)
    print("self-check: \(check.compared) of \(count) generated numbers compared, \(check.disagreements) disagreements")
    if check.disagreements > 0 {
        print("first disagreement: \(check.firstDisagreement)")
        exit(1)
    }
    exit(0)
}

var lineNumber = 0
while let line = readLine(strippingNewline: true) {
    lineNumber += 1
    let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    guard fields.count == 3, let mode = ValidationMode(rawValue: fields[2]) else {
        print("{\"ok\":false,\"error\":\"badLine\",\"line\":\(lineNumber)}")
        continue
    }
    let region = fields[1].isEmpty ? nil : fields[1]

    switch TelephoneNumbers.parse(fields[0], defaultRegion: region, mode: mode) {
    case .success(let number):
        print("{\"ok\":true,\"digits\":\(jsonString(number.digits)),\"region\":\(jsonString(number.region))}")
    case .failure(let problem):
        let (name, problemRegion) = describe(problem)
        let regionField = problemRegion.map { ",\"region\":\(jsonString($0))" } ?? ""
        print("{\"ok\":false,\"error\":\(jsonString(name))\(regionField)}")
    }
}
