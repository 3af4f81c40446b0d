import NumberlineCore
import Testing

/// A small tree in instance 1, with one reseller in instance 2:
///
///     /10/            reseller A
///     /10/20/         customer A1
///     /10/20/21/      sub-customer A1a
///     /10/20/22/      user under A1
///     /10/23/         user under A
///     /11/            reseller B
///     /11/30/         customer B1
///     /90/            reseller in instance 2
private enum Tree {
    static let resellerA = account(10, .reseller, parent: nil, reseller: 10, path: "/10/")
    static let customerA1 = account(20, .customer, parent: 10, reseller: 10, path: "/10/20/")
    static let subCustomerA1a = account(21, .customer, parent: 20, reseller: 10, path: "/10/20/21/")
    static let userA1 = account(22, .user, parent: 20, reseller: 10, path: "/10/20/22/")
    static let userA = account(23, .user, parent: 10, reseller: 10, path: "/10/23/")
    static let resellerB = account(11, .reseller, parent: nil, reseller: 11, path: "/11/")
    static let customerB1 = account(30, .customer, parent: 11, reseller: 11, path: "/11/30/")
    static let otherInstanceReseller = account(90, .reseller, parent: nil, reseller: 90, path: "/90/", instance: 2)

    static let all = [resellerA, customerA1, subCustomerA1a, userA1, userA, resellerB, customerB1]

    static func account(_ id: Int64, _ kind: AccountKind, parent: Int64?, reseller: Int64, path: String, instance: Int64 = 1) -> Account {
        Account(
            id: id, instanceID: instance, kind: kind, parentID: parent, resellerID: reseller, path: path, modules: .all,
            profile: AccountProfile())
    }

    static let admin = Caller.platformAdmin(instanceID: 1, loginID: 1)
    static let resellerCaller = Caller(instanceID: 1, loginID: 2, account: resellerA, parent: nil)
    static let customerCaller = Caller(instanceID: 1, loginID: 3, account: customerA1, parent: resellerA)
    static let userCaller = Caller(instanceID: 1, loginID: 4, account: userA1, parent: customerA1)
}

@Suite("Tree permissions")
struct TreePermissionsTests {
    // MARK: - Caller

    @Test("user login takes parent scope")
    func userLoginScope() {
        let caller = Tree.userCaller
        #expect(caller.scopePath == "/10/20/")
        #expect(caller.scopeAccountID == 20)
        #expect(caller.scopeKind == .customer)
        #expect(caller.accountID == 22)
        #expect(caller.isUserLogin)
        #expect(!caller.isPlatformAdmin)
    }

    @Test("admin caller shape")
    func adminShape() {
        #expect(Tree.admin.isPlatformAdmin)
        #expect(!Tree.admin.isUserLogin)
        #expect(Tree.admin.scopePath == "/")
        #expect(Tree.admin.modules == .all)
    }

    // MARK: - Visibility

    @Test("admin sees whole instance")
    func adminSeesInstance() {
        for account in Tree.all {
            #expect(Tree.admin.canSee(account), "admin should see account \(account.id)")
        }
        #expect(!Tree.admin.canSee(Tree.otherInstanceReseller))
    }

    @Test("reseller sees its subtree")
    func resellerVisibility() {
        let caller = Tree.resellerCaller
        #expect(caller.canSee(Tree.resellerA))
        #expect(caller.canSee(Tree.customerA1))
        #expect(caller.canSee(Tree.subCustomerA1a))
        #expect(caller.canSee(Tree.userA1))
        #expect(caller.canSee(Tree.userA))
        #expect(!caller.canSee(Tree.resellerB))
        #expect(!caller.canSee(Tree.customerB1))
        #expect(!caller.canSee(Tree.otherInstanceReseller))
    }

    @Test("customer sees down not up")
    func customerVisibility() {
        let caller = Tree.customerCaller
        #expect(caller.canSee(Tree.customerA1))
        #expect(caller.canSee(Tree.subCustomerA1a))
        #expect(caller.canSee(Tree.userA1))
        #expect(!caller.canSee(Tree.resellerA))
        #expect(!caller.canSee(Tree.userA))
        #expect(!caller.canSee(Tree.customerB1))
    }

    @Test("user login sees parent scope")
    func userVisibility() {
        let caller = Tree.userCaller
        #expect(caller.canSee(Tree.customerA1))
        #expect(caller.canSee(Tree.subCustomerA1a))
        #expect(caller.canSee(Tree.userA1))
        #expect(!caller.canSee(Tree.resellerA))
        #expect(!caller.canSee(Tree.customerB1))
    }

    @Test("path prefix needs whole segment")
    func pathSegmentBoundary() {
        // Account 1 must not see account 10 just because "/10/" starts with "/1".
        let reseller1 = Tree.account(1, .reseller, parent: nil, reseller: 1, path: "/1/")
        let caller = Caller(instanceID: 1, loginID: 5, account: reseller1, parent: nil)
        #expect(!caller.canSee(Tree.resellerA))
        #expect(caller.canSee(reseller1))
    }

    // MARK: - Managing accounts

    @Test("management rights per caller")
    func managementRights() {
        #expect(Tree.admin.canManageAccounts)
        #expect(Tree.resellerCaller.canManageAccounts)
        #expect(Tree.customerCaller.canManageAccounts)
        #expect(!Tree.userCaller.canManageAccounts)
    }

    @Test("allowed child kinds per caller")
    func allowedKinds() {
        #expect(Tree.admin.allowedChildKinds == [.reseller, .customer, .user])
        #expect(Tree.resellerCaller.allowedChildKinds == [.customer, .user])
        #expect(Tree.customerCaller.allowedChildKinds == [.customer, .user])
        #expect(Tree.userCaller.allowedChildKinds.isEmpty)
    }

    // MARK: - Placement

    @Test("admin places resellers at top")
    func adminPlacesReseller() {
        #expect(Tree.admin.checkPlacement(kind: .reseller, parent: nil) == .allowed)
        #expect(
            Tree.admin.checkPlacement(kind: .reseller, parent: Tree.resellerA)
                == .invalid("a Reseller account has no parent; leave out resellerId and parentId"))
    }

    @Test("only admin creates resellers")
    func onlyAdminCreatesResellers() {
        let expected = TreeDecision.forbidden("only a platform admin can create a Reseller account")
        #expect(Tree.resellerCaller.checkPlacement(kind: .reseller, parent: nil) == expected)
        #expect(Tree.customerCaller.checkPlacement(kind: .reseller, parent: nil) == expected)
    }

    @Test("admin places customers and users")
    func adminPlacesChildren() {
        #expect(Tree.admin.checkPlacement(kind: .customer, parent: Tree.resellerA) == .allowed)
        #expect(Tree.admin.checkPlacement(kind: .customer, parent: Tree.customerB1) == .allowed)
        #expect(Tree.admin.checkPlacement(kind: .user, parent: Tree.resellerB) == .allowed)
        #expect(Tree.admin.checkPlacement(kind: .customer, parent: Tree.otherInstanceReseller) == .notVisible)
    }

    @Test("children need a parent")
    func childrenNeedParent() {
        #expect(
            Tree.admin.checkPlacement(kind: .customer, parent: nil)
                == .invalid("a Customer account needs a parent; set resellerId or parentId to a Reseller or Customer account"))
        #expect(
            Tree.resellerCaller.checkPlacement(kind: .user, parent: nil)
                == .invalid("a User account needs a parent; set resellerId or parentId to a Reseller or Customer account"))
    }

    @Test("reseller places in subtree")
    func resellerPlacement() {
        let caller = Tree.resellerCaller
        #expect(caller.checkPlacement(kind: .customer, parent: Tree.resellerA) == .allowed)
        #expect(caller.checkPlacement(kind: .customer, parent: Tree.subCustomerA1a) == .allowed)
        #expect(caller.checkPlacement(kind: .user, parent: Tree.customerA1) == .allowed)
        #expect(caller.checkPlacement(kind: .customer, parent: Tree.resellerB) == .notVisible)
        #expect(caller.checkPlacement(kind: .user, parent: Tree.customerB1) == .notVisible)
    }

    @Test("customer places under itself")
    func customerPlacement() {
        let caller = Tree.customerCaller
        #expect(caller.checkPlacement(kind: .customer, parent: Tree.customerA1) == .allowed)
        #expect(caller.checkPlacement(kind: .customer, parent: Tree.subCustomerA1a) == .allowed)
        #expect(caller.checkPlacement(kind: .user, parent: Tree.customerA1) == .allowed)
        #expect(caller.checkPlacement(kind: .customer, parent: Tree.resellerA) == .notVisible)
        #expect(caller.checkPlacement(kind: .customer, parent: Tree.customerB1) == .notVisible)
    }

    @Test("user accounts have no children")
    func userHasNoChildren() {
        let expected = TreeDecision.invalid(
            "account 22 is a User account, which cannot have child accounts; choose a Reseller or Customer parent")
        #expect(Tree.admin.checkPlacement(kind: .user, parent: Tree.userA1) == expected)
        #expect(Tree.customerCaller.checkPlacement(kind: .customer, parent: Tree.userA1) == expected)
    }

    @Test("hidden user parent not revealed")
    func hiddenUserParent() {
        #expect(Tree.customerCaller.checkPlacement(kind: .user, parent: Tree.userA) == .notVisible)
    }

    @Test("user login cannot create")
    func userLoginCannotCreate() {
        let expected = TreeDecision.forbidden("a User login cannot create accounts; sign in with the parent account's login")
        #expect(Tree.userCaller.checkPlacement(kind: .user, parent: Tree.customerA1) == expected)
        #expect(Tree.userCaller.checkPlacement(kind: .customer, parent: Tree.customerA1) == expected)
        #expect(Tree.userCaller.checkPlacement(kind: .reseller, parent: nil) == expected)
    }

    // MARK: - Update and delete

    @Test("update checks")
    func updateChecks() {
        #expect(Tree.resellerCaller.checkUpdate(of: Tree.resellerA) == .allowed)
        #expect(Tree.resellerCaller.checkUpdate(of: Tree.customerA1) == .allowed)
        #expect(Tree.resellerCaller.checkUpdate(of: Tree.customerB1) == .notVisible)
        #expect(Tree.customerCaller.checkUpdate(of: Tree.resellerA) == .notVisible)
        #expect(
            Tree.userCaller.checkUpdate(of: Tree.customerA1)
                == .forbidden("a User login cannot update accounts; sign in with the parent account's login"))
        #expect(Tree.userCaller.checkUpdate(of: Tree.customerB1) == .notVisible)
    }

    @Test("delete checks")
    func deleteChecks() {
        #expect(Tree.resellerCaller.checkDeletion(of: Tree.customerA1) == .allowed)
        #expect(Tree.admin.checkDeletion(of: Tree.resellerA) == .allowed)
        #expect(
            Tree.resellerCaller.checkDeletion(of: Tree.resellerA)
                == .forbidden("an account cannot delete itself; ask the account above it to delete it"))
        #expect(Tree.customerCaller.checkDeletion(of: Tree.customerB1) == .notVisible)
        #expect(Tree.admin.checkDeletion(of: Tree.otherInstanceReseller) == .notVisible)
        #expect(
            Tree.userCaller.checkDeletion(of: Tree.subCustomerA1a)
                == .forbidden("a User login cannot delete accounts; sign in with the parent account's login"))
    }
}
