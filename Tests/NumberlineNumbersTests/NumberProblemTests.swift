import Testing

@testable import NumberlineNumbers

@Suite("NumberProblem cases and messages")
struct NumberProblemTests {
    @Test(
        "Each problem from a real input",
        arguments: [
            ("", "US", NumberProblem.empty),
            ("   ", nil, .empty),
            (String(repeating: "1", count: 65), nil, .inputTooLong(input: String(repeating: "1", count: 65))),
            ("1-800-FLOWERS", "US", .containsLetters(input: "1-800-FLOWERS")),
            ("+1 800 FLOWERS", nil, .containsLetters(input: "+1 800 FLOWERS")),
            ("+1 919 555 0100*", nil, .invalidCharacter(input: "+1 919 555 0100*", character: "*")),
            ("+1 919 555 0100 ext. 12", nil, .hasExtension(input: "+1 919 555 0100 ext. 12")),
            ("+1 919 555 0100 x12", nil, .hasExtension(input: "+1 919 555 0100 x12")),
            ("919 555 0100 #12", "US", .hasExtension(input: "919 555 0100 #12")),
            ("(919) 555-0100", nil, .missingCountryCode(input: "(919) 555-0100")),
            ("9195550100", "XX", .unsupportedRegion(input: "9195550100", region: "XX")),
            ("+999 123 4567", nil, .invalidCountryCode(input: "+999 123 4567")),
            ("+1 5", nil, .notANumber(input: "+1 5")),
            ("--", "US", .notANumber(input: "--")),
            ("011 1", "US", .tooShortAfterIDD(input: "011 1")),
            ("+44 1", nil, .tooShortNationalNumber(input: "+44 1")),
            ("+1 234567890123456789", nil, .tooLongNationalNumber(input: "+1 234567890123456789")),
            ("+1 555", nil, .tooShort(input: "+1 555", region: "US")),
            ("+1 919 555 01001", nil, .tooLong(input: "+1 919 555 01001", region: "US")),
            ("+46 12345678901", nil, .invalidLength(input: "+46 12345678901", region: "SE")),
            ("555 0100", "US", .localOnly(input: "555 0100", region: "US")),
            ("+1 200 555 0100", nil, .notValid(input: "+1 200 555 0100", region: "US")),
            ("+49 30 123456789012", nil, .longerThanE164(input: "+49 30 123456789012", region: "DE")),
        ] as [(String, String?, NumberProblem)])
    func problemFromInput(input: String, region: String?, expected: NumberProblem) {
        #expect(problem(input, region, .strict) == expected)
    }

    @Test("Messages name the input")
    func messagesNameInput() {
        let inputs: [(String, String?)] = [
            ("1-800-FLOWERS", "US"), ("+1 919 555 0100*", nil), ("+1 919 555 0100 x12", nil),
            ("(919) 555-0100", nil), ("+999 123 4567", nil), ("--", "US"), ("011 1", "US"),
            ("+44 1", nil), ("+1 234567890123456789", nil), ("+1 555", nil),
            ("+1 919 555 01001", nil), ("+46 12345678901", nil), ("555 0100", "US"),
            ("+1 200 555 0100", nil), ("9195550100", "XX"),
        ]
        for (input, region) in inputs {
            let message = problem(input, region)?.message ?? ""
            #expect(message.contains("\"\(input)\""), "\(message)")
        }
    }

    @Test("Too short message")
    func tooShortMessage() {
        #expect(
            problem("+1 555", nil)?.message
                == "\"+1 555\" is too short for a US number; give the full national number, such as +1 201-555-0123.")
    }

    @Test("Missing country code message")
    func missingCountryCodeMessage() {
        #expect(problem("(919) 555-0100", nil)?.message == "\"(919) 555-0100\" has no country code; give countryCode or a leading +.")
    }

    @Test("Letters message mentions vanity numbers")
    func lettersMessage() {
        let message = problem("1-800-FLOWERS", "US")?.message ?? ""
        #expect(message.contains("contains letters"))
        #expect(message.contains("vanity"))
    }

    @Test("Invalid character message names it")
    func invalidCharacterMessage() {
        #expect(problem("+1 919 555 0100*", nil)?.message.contains("contains \"*\"") == true)
    }

    @Test("Long input is shortened in message")
    func longInputMessage() {
        let input = String(repeating: "9", count: 100)
        let message = problem(input, nil)?.message ?? ""
        #expect(message.contains("is 100 bytes long"))
        #expect(message.contains("at most 64"))
        #expect(message.count < 200)
    }

    @Test("More than 15 digits in possible mode")
    func longerThanE164InPossibleMode() {
        // libphonenumber 8.12.57 calls this 13-digit Nigerian national number possible,
        // which gives 16 digits with the country code.
        let input = "23420331 2345 6"
        #expect(problem(input, "NG", .possible) == .longerThanE164(input: input, region: "NG"))
        #expect(problem(input, "NG", .possible)?.message.contains("15 digits") == true)
        #expect(parsed("+49 30 12345678901", nil, .possible)?.digits.count == 15)
    }

    @Test("Input of exactly 64 bytes is read")
    func sixtyFourBytes() {
        let input = String(repeating: "1", count: 64)
        #expect(problem(input, nil) == .tooLongNationalNumber(input: input))
        #expect(problem(input, "US") == .tooLongNationalNumber(input: input))
    }

    @Test("Unicode letters are letters")
    func unicodeLetters() {
        #expect(problem("+1 919 555 010é", nil) == .containsLetters(input: "+1 919 555 010é"))
    }
}
