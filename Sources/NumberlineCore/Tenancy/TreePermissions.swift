/// The outcome of a permission check on the account tree.
public enum TreeDecision: Sendable, Equatable {
    /// The caller may go ahead.
    case allowed
    /// The caller may never do this (HTTP 403), and the message gives the reason.
    case forbidden(String)
    /// The request itself is invalid (HTTP 400), and the message names what to change.
    case invalid(String)
    /// The target lies outside the caller's subtree and must be reported exactly like a
    /// missing one (HTTP 404), so that ids cannot be probed.
    case notVisible
}

extension Caller {
    /// Whether `account` lies in the caller's subtree: same instance and a path that starts
    /// with the caller's scope path. A platform admin's scope is `/`, which every path starts with.
    public func canSee(_ account: Account) -> Bool {
        account.instanceID == instanceID && account.path.hasPrefix(scopePath)
    }

    /// Whether the caller may create, update or delete accounts at all; User logins may not.
    public var canManageAccounts: Bool { !isUserLogin }

    /// The kinds of account the caller may create somewhere in its subtree.
    public var allowedChildKinds: Set<AccountKind> {
        if isPlatformAdmin {
            return [.reseller, .customer, .user]
        }
        switch accountKind {
        case .reseller, .customer:
            return [.customer, .user]
        case .user, nil:
            return []
        }
    }

    /// Decides whether the caller may create an account of `kind` under `parent`.
    ///
    /// A Reseller is created only by a platform admin and has no parent. A Customer or User
    /// needs a visible Reseller or Customer parent, and a User account never has children.
    /// A parent outside the caller's subtree yields ``TreeDecision/notVisible`` before any
    /// check that would reveal its kind.
    /// - Parameter parent: the parent the request names; the API layer fills in the caller's
    ///   own account when the request names none.
    public func checkPlacement(kind: AccountKind, parent: Account?) -> TreeDecision {
        guard canManageAccounts else {
            return .forbidden("a User login cannot create accounts; sign in with the parent account's login")
        }
        guard allowedChildKinds.contains(kind) else {
            return .forbidden("only a platform admin can create a \(kind.rawValue) account")
        }

        if kind == .reseller {
            if parent != nil {
                return .invalid("a Reseller account has no parent; leave out resellerId and parentId")
            }
            return .allowed
        }

        guard let parent else {
            return .invalid("a \(kind.rawValue) account needs a parent; set resellerId or parentId to a Reseller or Customer account")
        }
        guard canSee(parent) else {
            return .notVisible
        }
        guard parent.kind != .user else {
            return .invalid(
                "account \(parent.id) is a User account, which cannot have child accounts; choose a Reseller or Customer parent")
        }
        return .allowed
    }

    /// Decides whether the caller may update `account`.
    public func checkUpdate(of account: Account) -> TreeDecision {
        guard canSee(account) else {
            return .notVisible
        }
        guard canManageAccounts else {
            return .forbidden("a User login cannot update accounts; sign in with the parent account's login")
        }
        return .allowed
    }

    /// Decides whether the caller may delete `account`. No caller deletes the account it acts
    /// as, so an account cannot cut off its own access.
    public func checkDeletion(of account: Account) -> TreeDecision {
        guard canSee(account) else {
            return .notVisible
        }
        guard canManageAccounts else {
            return .forbidden("a User login cannot delete accounts; sign in with the parent account's login")
        }
        guard account.id != accountID else {
            return .forbidden("an account cannot delete itself; ask the account above it to delete it")
        }
        return .allowed
    }
}
