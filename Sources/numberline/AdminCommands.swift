import NumberlineAPI
import NumberlineCore
import NumberlineStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command that failed for a reason other than its usage: printed as one line, exit status 1.
struct CommandError: Error {
    var message: String
}

/// Opens the database named by `--database` (or the default) and applies migrations.
func openStore(_ options: ParsedOptions) async throws -> SQLStore {
    let database = options.string("database") ?? "./numberline.db"
    do {
        return try await SQLStore.open(database: database, poolSize: 1)
    } catch {
        throw CommandError(message: "numberline: cannot open database \(SQLStore.redactedLocation(database)): \(error)")
    }
}

/// `migrate`, `instance`, `admin` and `apikey`: operator commands that work on the database directly.
enum AdminCommands {
    static func migrate(_ arguments: [String]) async throws {
        let command = "numberline migrate"
        let specs = [databaseOption]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) [--database PATH|URL]", summary: "Applies every pending migration, each in its own transaction.",
                    specs: specs), terminator: "")
            return
        }
        _ = try options.requirePositionals([], command: command)
        let database = options.string("database") ?? "./numberline.db"
        let location = SQLStore.redactedLocation(database)
        do {
            let store = try await SQLStore.open(database: database, poolSize: 1)
            await store.close()
            print("database \(location) is at schema version \(store.schemaVersion)")
        } catch {
            throw CommandError(message: "numberline migrate: cannot migrate \(location): \(error)")
        }
    }

    static func run(group: String, subcommand: String, _ arguments: [String]) async throws {
        switch (group, subcommand) {
        case ("instance", "create"): try await createInstance(arguments)
        case ("instance", "list"): try await listInstances(arguments)
        case ("admin", "create"): try await createAdmin(arguments)
        case ("apikey", "create"): try await createAPIKey(arguments)
        case ("apikey", "list"): try await listAPIKeys(arguments)
        case ("apikey", "revoke"): try await revokeAPIKey(arguments)
        default:
            throw UsageError(message: "numberline \(group): unknown subcommand \(subcommand); see 'numberline --help'")
        }
    }

    // MARK: - Instances

    private static func createInstance(_ arguments: [String]) async throws {
        let command = "numberline instance create"
        let specs = [databaseOption]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) NAME [--database PATH|URL]",
                    summary: "Creates an instance: lower-case letters, digits and hyphens, 1 to 63 characters.", specs: specs),
                terminator: "")
            return
        }
        let name = try options.requirePositionals(["name"], command: command)[0]
        guard InstanceName.isValid(name) else {
            throw UsageError(message: "\(command): \"\(name)\" is not a valid instance name; use lower-case letters, digits and hyphens")
        }
        let store = try await openStore(options)
        do {
            let instance = try await store.createInstance(name: name)
            print("created instance \(instance.name) (id \(instance.id))")
        } catch StoreError.duplicate {
            await store.close()
            throw CommandError(message: "\(command): instance \(name) already exists")
        }
        await store.close()
    }

    private static func listInstances(_ arguments: [String]) async throws {
        let command = "numberline instance list"
        let specs = [databaseOption]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(usage: "\(command) [--database PATH|URL]", summary: "Lists instances, one per line: id and name.", specs: specs),
                terminator: "")
            return
        }
        _ = try options.requirePositionals([], command: command)
        let store = try await openStore(options)
        for instance in try await store.instances() {
            print("\(instance.id)\t\(instance.name)")
        }
        await store.close()
    }

    private static func requireInstance(_ options: ParsedOptions, _ store: SQLStore, command: String) async throws -> Instance {
        guard let name = options.string("instance") else {
            throw UsageError(message: "\(command): --instance NAME is required")
        }
        guard let instance = try await store.instance(named: name) else {
            throw CommandError(message: "\(command): instance \(name) does not exist; create it with 'numberline instance create \(name)'")
        }
        return instance
    }

    // MARK: - Admins

    private static func createAdmin(_ arguments: [String]) async throws {
        let command = "numberline admin create"
        let specs = [
            databaseOption,
            OptionSpec(name: "instance", valueName: "NAME", help: "Instance the admin administers."),
            OptionSpec(name: "username", valueName: "USER", help: "Login name, 3 to 64 characters."),
            OptionSpec(name: "password-stdin", valueName: nil, help: "Read the password from the first line of standard input (required)."),
        ]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) --instance NAME --username USER --password-stdin",
                    summary: "Creates a platform admin login, which sees the whole instance.", specs: specs), terminator: "")
            return
        }
        _ = try options.requirePositionals([], command: command)
        guard let username = options.string("username") else {
            throw UsageError(message: "\(command): --username USER is required")
        }
        guard options.flag("password-stdin") else {
            throw UsageError(message: "\(command): --password-stdin is required; pipe the password in so it stays out of the process list")
        }
        let usernameProblems = FieldRules.validateUsername(username, field: "username")
        if let problem = usernameProblems.first {
            throw UsageError(message: "\(command): \(problem.message)")
        }
        let password = readLine(strippingNewline: true) ?? ""
        if let problem = FieldRules.validatePassword(password, field: "password").first {
            throw CommandError(message: "\(command): \(problem.message)")
        }

        let store = try await openStore(options)
        let instance = try await requireInstance(options, store, command: command)
        Crypto.initialize()
        do {
            let login = try await store.createAdminLogin(
                instanceID: instance.id, login: NewLogin(username: username, passwordHash: Crypto.hashPassword(password)))
            print("created admin \(login.username) (login id \(login.id)) in instance \(instance.name)")
        } catch StoreError.duplicate {
            await store.close()
            throw CommandError(message: "\(command): username \(username) is already taken in instance \(instance.name)")
        }
        await store.close()
    }

    // MARK: - API keys

    private static func createAPIKey(_ arguments: [String]) async throws {
        let command = "numberline apikey create"
        let specs = [
            databaseOption,
            OptionSpec(name: "instance", valueName: "NAME", help: "Instance the key is valid for."),
            OptionSpec(name: "label", valueName: "TEXT", help: "Note to tell keys apart, e.g. the integrator's name."),
        ]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) --instance NAME [--label TEXT]",
                    summary:
                        "Issues an API key and prints it alone on standard output; only its hash is stored, so it cannot be shown again.",
                    specs: specs), terminator: "")
            return
        }
        _ = try options.requirePositionals([], command: command)
        if let label = options.string("label"), let problem = FieldRules.validateFreeText(label, field: "label").first {
            throw UsageError(message: "\(command): \(problem.message)")
        }
        let store = try await openStore(options)
        let instance = try await requireInstance(options, store, command: command)
        Crypto.initialize()
        let key = Crypto.randomHex(byteCount: 16)
        let record = try await store.createAPIKey(
            instanceID: instance.id, label: options.string("label"), keyHash: Crypto.secretHash(key),
            createdAt: unixSeconds())
        await store.close()
        print(key)
        writeStandardError("issued API key id \(record.id) for instance \(instance.name)\n")
    }

    private static func listAPIKeys(_ arguments: [String]) async throws {
        let command = "numberline apikey list"
        let specs = [databaseOption, OptionSpec(name: "instance", valueName: "NAME", help: "Instance whose keys to list.")]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) --instance NAME", summary: "Lists the instance's API keys: id, created, revoked or active, label.",
                    specs: specs), terminator: "")
            return
        }
        _ = try options.requirePositionals([], command: command)
        let store = try await openStore(options)
        let instance = try await requireInstance(options, store, command: command)
        for key in try await store.apiKeys(instanceID: instance.id) {
            let created = utcTimestamp(key.createdAt)
            let state = key.revokedAt.map { "revoked " + utcTimestamp($0) } ?? "active"
            print("\(key.id)\t\(created)\t\(state)\t\(key.label ?? "")")
        }
        await store.close()
    }

    private static func revokeAPIKey(_ arguments: [String]) async throws {
        let command = "numberline apikey revoke"
        let specs = [databaseOption]
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(
                    usage: "\(command) ID [--database PATH|URL]",
                    summary: "Revokes an API key by the id 'apikey list' shows; requests with it get 401 at once.", specs: specs),
                terminator: "")
            return
        }
        let text = try options.requirePositionals(["id"], command: command)[0]
        guard let id = Int64(text), id > 0 else {
            throw UsageError(message: "\(command): \"\(text)\" is not a key id; use the number 'numberline apikey list' shows")
        }
        let store = try await openStore(options)
        do {
            try await store.revokeAPIKey(id: id, at: unixSeconds())
            print("revoked API key \(id)")
        } catch StoreError.notFound {
            await store.close()
            throw CommandError(message: "\(command): no API key has id \(id)")
        }
        await store.close()
    }
}
