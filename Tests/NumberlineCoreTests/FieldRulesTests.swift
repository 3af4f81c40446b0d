import Testing

@testable import NumberlineCore

@Suite("Field rules")
struct FieldRulesTests {
    // MARK: - Email

    @Test(
        "email accepts common forms",
        arguments: [
            "a@example.com",
            "first.last+tag@sub.example.co.uk",
            "o'neil_99@xn--bcher-kva.example",
            "x@a-b.io",
            String(repeating: "l", count: 64) + "@example.com",
        ])
    func emailAccepts(address: String) {
        #expect(FieldRules.validateEmail(address, field: "email").isEmpty)
    }

    @Test(
        "email rejects malformed forms",
        arguments: [
            "",
            "plain",
            "@example.com",
            "a@b@example.com",
            "a@localhost",
            "a b@example.com",
            "a@exa mple.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example-.com",
            "a@example..com",
            "a@example.com.",
            "a@example.123",
            "a@exämple.com",
            "ä@example.com",
            "a@" + String(repeating: "x", count: 64) + ".com",
        ])
    func emailRejects(address: String) {
        let errors = FieldRules.validateEmail(address, field: "billingInfo.email")
        #expect(errors.count == 1)
        #expect(errors.first?.field == "billingInfo.email")
    }

    @Test("email message names value")
    func emailMessage() {
        let errors = FieldRules.validateEmail("nobody", field: "email")
        #expect(errors == [FieldError(field: "email", message: "\"nobody\" is not a valid email address; use the form name@example.com")])
    }

    @Test("email length limits")
    func emailLengthLimits() {
        let longLocal = String(repeating: "l", count: 65) + "@example.com"
        #expect(FieldRules.validateEmail(longLocal, field: "email").first?.message.contains("longer than 64 bytes") == true)

        let labels = Array(repeating: String(repeating: "d", count: 60), count: 4).joined(separator: ".")
        let tooLong = "a@" + labels + ".abcdefghi"
        #expect(tooLong.utf8.count == 255)
        #expect(FieldRules.validateEmail(tooLong, field: "email").first?.message == "email address is 255 bytes long; the maximum is 254")

        let justFits = "a@" + labels + ".abcdefgh"
        #expect(justFits.utf8.count == 254)
        #expect(FieldRules.validateEmail(justFits, field: "email").isEmpty)
    }

    // MARK: - Free text

    @Test("free text accepts normal values")
    func freeTextAccepts() {
        #expect(FieldRules.validateFreeText("Acme Telecom, Inc. – Zürich 😀", field: "companyName").isEmpty)
        #expect(FieldRules.validateFreeText(String(repeating: "x", count: 255), field: "companyName").isEmpty)
        #expect(FieldRules.validateFreeText("", field: "companyName").isEmpty)
    }

    @Test("free text rejects long values")
    func freeTextTooLong() {
        let errors = FieldRules.validateFreeText(String(repeating: "x", count: 256), field: "companyName")
        #expect(errors == [FieldError(field: "companyName", message: "value is 256 characters long; shorten it to at most 255")])
    }

    @Test("free text counts scalars")
    func freeTextCountsScalars() {
        // One grapheme cluster made of a letter and 300 combining accents.
        let cluster = "e" + String(repeating: "\u{0301}", count: 300)
        #expect(cluster.count == 1)
        #expect(FieldRules.validateFreeText(cluster, field: "city").count == 1)
    }

    @Test("free text rejects controls", arguments: ["a\nb", "tab\there", "nul\u{0}", "del\u{7F}", "c1\u{85}"])
    func freeTextRejectsControls(value: String) {
        let errors = FieldRules.validateFreeText(value, field: "city")
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("control character") == true)
    }

    @Test("free text control message")
    func freeTextControlMessage() {
        let errors = FieldRules.validateFreeText("a\nb", field: "city")
        #expect(
            errors.first?.message == "\"a\nb\" contains the control character U+000A; remove line breaks, tabs and other control characters"
        )
    }

    // MARK: - Usernames

    @Test(
        "username accepts allowed forms",
        arguments: ["abc", "j.doe", "user_1", "a@b.com", "x+y-z", "9lives", String(repeating: "u", count: 64)])
    func usernameAccepts(name: String) {
        #expect(FieldRules.validateUsername(name, field: "userName").isEmpty)
    }

    @Test("username rejects short and long")
    func usernameLength() {
        #expect(FieldRules.validateUsername("ab", field: "userName").first?.message == "username \"ab\" is 2 characters long; use 3 to 64")
        #expect(FieldRules.validateUsername(String(repeating: "u", count: 65), field: "userName").count == 1)
        #expect(FieldRules.validateUsername("", field: "userName").count == 1)
    }

    @Test("username rejects bad characters", arguments: ["john doe", "j!ohn", "jöhn", "name/x", "a\u{0}bc"])
    func usernameCharacters(name: String) {
        let errors = FieldRules.validateUsername(name, field: "userName")
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("contains a character other than") == true)
    }

    @Test("username must start alphanumeric", arguments: [".abc", "_abc", "@abc", "+abc", "-abc"])
    func usernameStart(name: String) {
        let errors = FieldRules.validateUsername(name, field: "userName")
        #expect(errors == [FieldError(field: "userName", message: "username \(quoted(name)) must start with a letter or digit")])
    }

    // MARK: - Passwords

    @Test("password accepts long enough")
    func passwordAccepts() {
        #expect(FieldRules.validatePassword("correct horse battery", field: "password").isEmpty)
        #expect(FieldRules.validatePassword(String(repeating: "p", count: 12), field: "password").isEmpty)
        #expect(FieldRules.validatePassword(String(repeating: "p", count: 1024), field: "password").isEmpty)
    }

    @Test("password rejects short")
    func passwordShort() {
        let errors = FieldRules.validatePassword("elevenchars", field: "password")
        #expect(errors == [FieldError(field: "password", message: "password is shorter than 12 characters; choose a longer one")])
    }

    @Test("password rejects over 1024 scalars")
    func passwordLong() {
        let errors = FieldRules.validatePassword(String(repeating: "€", count: 1025), field: "password")
        #expect(errors == [FieldError(field: "password", message: "password is longer than 1024 characters; choose a shorter one")])
    }

    @Test("password counts scalars, not bytes")
    func passwordCountsScalars() {
        // 1024 three-byte characters make 3072 bytes and are within the limit.
        #expect(FieldRules.validatePassword(String(repeating: "€", count: 1024), field: "password").isEmpty)
        // "e" plus a combining acute accent is one character but two scalars, so 6 of them are 12 scalars.
        #expect(FieldRules.validatePassword(String(repeating: "e\u{301}", count: 6), field: "password").isEmpty)
    }

    @Test("password rejects whitespace only")
    func passwordWhitespace() {
        let errors = FieldRules.validatePassword(String(repeating: " \t", count: 8), field: "password")
        #expect(
            errors == [FieldError(field: "password", message: "password consists only of whitespace; choose one with visible characters")])
    }

    @Test("password message hides value")
    func passwordMessageHidesValue() {
        let secret = "hunter2"
        let errors = FieldRules.validatePassword(secret, field: "password")
        #expect(errors.count == 1)
        #expect(errors.allSatisfy { !$0.message.contains(secret) })
    }

    // MARK: - Tenant ids

    @Test(
        "tenant id accepts GUIDs",
        arguments: ["0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5B-D9CB-469F-A165-70867728950E", "00000000-0000-0000-0000-000000000000"])
    func tenantAccepts(value: String) {
        #expect(FieldRules.validateTenantID(value, field: "msTeamsTenantId").isEmpty)
    }

    @Test(
        "tenant id rejects non-GUIDs",
        arguments: [
            "", "0f8fad5bd9cb469fa16570867728950e", "{0f8fad5b-d9cb-469f-a165-70867728950e}",
            "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5b-d9cb-469f-a165-70867728950e0",
            "0g8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a16570867728950e-",
        ])
    func tenantRejects(value: String) {
        let errors = FieldRules.validateTenantID(value, field: "msTeamsTenantId")
        #expect(errors.count == 1)
        #expect(errors.first?.message.hasSuffix("use the GUID form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") == true)
    }

    // MARK: - Messages

    @Test("quoted values are cut")
    func quotedValuesCut() {
        #expect(quoted("abc") == "\"abc\"")
        #expect(quoted(String(repeating: "x", count: 100)) == "\"" + String(repeating: "x", count: 64) + "…\"")
    }
}
