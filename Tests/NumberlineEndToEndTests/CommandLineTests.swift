import Foundation
import Testing

/// The operator commands of the `numberline` binary: help, usage errors and exit statuses.
@Suite("Command line")
struct CommandLineTests {
    static let commands: [[String]] = [
        ["serve"], ["migrate"], ["instance", "create"], ["instance", "list"], ["admin", "create"],
        ["apikey", "create"], ["apikey", "list"], ["apikey", "revoke"],
    ]

    @Test("every --help exits 0")
    func helpExitsZero() throws {
        let server = try TestServer()
        let top = try server.cli(["--help"], database: false)
        #expect(top.status == 0)
        #expect(top.output.hasPrefix("Usage: numberline COMMAND [OPTIONS]\n"))
        #expect(top.error == "")
        for command in Self.commands {
            let result = try server.cli(command + ["--help"], database: false)
            let name = command.joined(separator: " ")
            #expect(result.status == 0, "\(name): \(result.error)")
            #expect(result.output.hasPrefix("Usage: numberline \(name)"), "\(name): \(result.output)")
            #expect(result.output.contains("  --help"), "\(name)")
            #expect(result.error == "", "\(name): \(result.error)")
        }
    }

    @Test("unknown flag exits 2")
    func unknownFlag() throws {
        let server = try TestServer()
        for command in Self.commands {
            let name = command.joined(separator: " ")
            let result = try server.cli(command + ["--bogus"])
            #expect(result.status == 2, "\(name)")
            #expect(result.error == "numberline \(name): unknown option --bogus; see 'numberline \(name) --help'\n", "\(name)")
            #expect(result.output == "", "\(name)")
        }
        let unknownCommand = try server.cli(["frobnicate"], database: false)
        #expect(unknownCommand.status == 2)
        #expect(unknownCommand.error == "numberline: unknown command frobnicate; see 'numberline --help'\n")
    }

    @Test("missing value exits 2")
    func missingValue() throws {
        let server = try TestServer()
        let instance = try server.cli(["apikey", "create", "--database", server.database.location, "--instance"], database: false)
        #expect(instance.status == 2)
        #expect(instance.error == "numberline apikey create: option --instance needs a value (NAME)\n")
        #expect(instance.output == "")

        let database = try server.cli(["instance", "list", "--database"], database: false)
        #expect(database.status == 2)
        #expect(database.error == "numberline instance list: option --database needs a value (PATH|URL)\n")

        let port = try server.cli(["serve", "--port", "--threads", "1"], database: false)
        #expect(port.status == 2)
        #expect(port.error == "numberline serve: option --port needs a value (PORT)\n")
    }

    @Test("apikey create prints key alone")
    func apikeyCreate() throws {
        let server = try TestServer()
        let result = try server.cli(["apikey", "create", "--instance", "acme", "--label", "second"])
        #expect(result.status == 0)
        #expect(result.output.hasSuffix("\n"))
        let key = String(result.output.dropLast())
        #expect(isLowerHex32(key), "stdout: \(result.output)")
        #expect(result.error.hasPrefix("issued API key id "))
        #expect(!result.error.contains(key))

        let signIn = try server.authorize(username: TestServer.adminUsername, password: TestServer.password, apiKey: key)
        #expect(signIn.status == 200)

        let missing = try server.cli(["apikey", "create", "--instance", "nowhere"])
        #expect(missing.status == 1)
        #expect(missing.output == "")
        #expect(
            missing.error
                == "numberline apikey create: instance nowhere does not exist; create it with 'numberline instance create nowhere'\n")
    }

    @Test("admin create needs password-stdin")
    func adminCreateNeedsStdin() throws {
        let server = try TestServer()
        let result = try server.cli(
            ["admin", "create", "--instance", "acme", "--username", "no-stdin-admin"], input: TestServer.password + "\n")
        #expect(result.status == 2)
        #expect(
            result.error
                == "numberline admin create: --password-stdin is required; pipe the password in so it stays out of the process list\n")
        #expect(result.output == "")
        let signIn = try server.authorize(username: "no-stdin-admin", password: TestServer.password)
        #expect(signIn.status == 401)

        let short = try server.cli(
            ["admin", "create", "--instance", "acme", "--username", "short-admin", "--password-stdin"], input: "short\n")
        #expect(short.status == 1)
        #expect(short.error.split(separator: "\n").count == 1)
    }

    @Test("existing instance exits 1")
    func existingInstance() throws {
        let server = try TestServer()
        let result = try server.cli(["instance", "create", "acme"])
        #expect(result.status == 1)
        #expect(result.error == "numberline instance create: instance acme already exists\n")
        #expect(result.output == "")

        let invalid = try server.cli(["instance", "create", "Bad_Name"])
        #expect(invalid.status == 2)
        #expect(invalid.error.split(separator: "\n").count == 1)

        let fresh = try server.cli(["instance", "create", "second"])
        #expect(fresh.status == 0)
        #expect(fresh.output.hasPrefix("created instance second (id "))
    }
}
