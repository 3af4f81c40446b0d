/// The authenticated principal of a request: who acts, in which instance, and over which subtree.
public struct Caller: Sendable, Equatable {
    public var instanceID: Int64
    public var loginID: Int64
    /// The account the login belongs to; `nil` for a platform admin.
    public var accountID: Int64?
    /// The kind of the login's own account; `nil` for a platform admin.
    public var accountKind: AccountKind?
    /// Path of the account whose subtree the caller acts in: its own account's path, or the
    /// parent's path for a User login, or `/` for a platform admin.
    public var scopePath: String
    /// The id of the account at `scopePath`; `nil` for a platform admin.
    public var scopeAccountID: Int64?
    /// The kind of the account at `scopePath`; `nil` for a platform admin.
    public var scopeKind: AccountKind?
    /// Modules the caller may use: the login's own account's modules, or all of them for an admin.
    public var modules: Modules

    /// Creates a platform admin, whose scope is the whole instance and who has every module.
    public static func platformAdmin(instanceID: Int64, loginID: Int64) -> Caller {
        Caller(
            instanceID: instanceID, loginID: loginID, accountID: nil, accountKind: nil,
            scopePath: "/", scopeAccountID: nil, scopeKind: nil, modules: .all
        )
    }

    /// Creates a caller for a login of `account`.
    /// - Parameter parent: the account's parent, required when `account` is a User account
    ///   because a User login acts in its parent's scope; ignored otherwise.
    public init(instanceID: Int64, loginID: Int64, account: Account, parent: Account?) {
        precondition(account.instanceID == instanceID, "a login acts only inside its own instance")
        var scope = account
        if account.kind == .user {
            guard let parent else {
                preconditionFailure("a User account's caller needs its parent account")
            }
            precondition(parent.id == account.parentID, "parent must be the User account's parent")
            scope = parent
        }
        self.init(
            instanceID: instanceID, loginID: loginID, accountID: account.id, accountKind: account.kind,
            scopePath: scope.path, scopeAccountID: scope.id, scopeKind: scope.kind, modules: account.modules
        )
    }

    /// Creates a caller from its parts; prefer ``platformAdmin(instanceID:loginID:)`` or
    /// ``init(instanceID:loginID:account:parent:)``, which keep the parts consistent.
    public init(
        instanceID: Int64, loginID: Int64, accountID: Int64?, accountKind: AccountKind?,
        scopePath: String, scopeAccountID: Int64?, scopeKind: AccountKind?, modules: Modules
    ) {
        self.instanceID = instanceID
        self.loginID = loginID
        self.accountID = accountID
        self.accountKind = accountKind
        self.scopePath = scopePath
        self.scopeAccountID = scopeAccountID
        self.scopeKind = scopeKind
        self.modules = modules
    }

    /// Whether the login belongs to no account and so administers the whole instance.
    public var isPlatformAdmin: Bool { accountID == nil }

    /// Whether the login belongs to a User account and so acts read-only in its parent's scope.
    public var isUserLogin: Bool { accountKind == .user }
}
