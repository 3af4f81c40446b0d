// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Numberline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "numberline", targets: ["numberline"]),
        .executable(name: "phone-check", targets: ["phone-check"]),
    ],
    targets: [
        // MARK: - C shims: the only targets that include C headers

        .target(
            name: "CH2O",
            cSettings: [.define("H2O_USE_LIBUV", to: "0")],
            linkerSettings: [.linkedLibrary("h2o-evloop"), .linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium"),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"),
        // libpq, the PostgreSQL client library; Debian's libpq-dev puts its headers in
        // /usr/include/postgresql, which pkg-config reports.
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq"),
        // libphonenumber is a C++ library; the shim exposes a C API, so no Swift target
        // needs C++ interoperability. libphonenumber.so brings in protobuf, ICU and absl, and
        // the shim links protobuf itself because it parses the metadata collection.
        .target(name: "CPhoneNumber", linkerSettings: [.linkedLibrary("phonenumber"), .linkedLibrary("protobuf")]),

        // MARK: - Swift layers

        .target(name: "NumberlineJSON"),
        .target(name: "NumberlineCore"),
        .target(name: "NumberlineHTTP", dependencies: ["CH2O"]),
        .target(name: "NumberlineStore", dependencies: ["NumberlineCore", "NumberlineJSON", "CSQLite", "CPostgres"]),
        .target(name: "NumberlineNumbers", dependencies: ["NumberlineCore", "CPhoneNumber"]),
        .target(
            name: "NumberlineAPI",
            dependencies: ["NumberlineCore", "NumberlineStore", "NumberlineHTTP", "NumberlineJSON", "NumberlineNumbers", "CSodium"],
            // Generates `PackageResources.openapi_json: [UInt8]`, so the binary needs no bundle at run time.
            resources: [.embedInCode("Resources/openapi.json")]
        ),
        .executableTarget(name: "numberline", dependencies: ["NumberlineAPI"]),
        // Reads numbers on stdin and prints the parse results as JSON lines, so that
        // tests/phonenumbers_differential.py can compare them with Python phonenumbers.
        .executableTarget(name: "phone-check", dependencies: ["NumberlineNumbers"]),

        // MARK: - Tests

        .testTarget(name: "NumberlineCoreTests", dependencies: ["NumberlineCore", "NumberlineJSON"]),
        .testTarget(name: "NumberlineStoreTests", dependencies: ["NumberlineStore"]),
        .testTarget(name: "NumberlineAPITests", dependencies: ["NumberlineAPI"]),
        .testTarget(name: "NumberlineNumbersTests", dependencies: ["NumberlineNumbers"]),
        // NumberlineAPI gives the authorization matrix the router's route table.
        .testTarget(name: "NumberlineEndToEndTests", dependencies: ["numberline", "NumberlineJSON", "NumberlineAPI"]),
    ],
    cxxLanguageStandard: .cxx17
)
