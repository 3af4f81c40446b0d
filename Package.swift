// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Numberline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "numberline", targets: ["numberline"])
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

        // MARK: - Swift layers

        .target(name: "NumberlineJSON"),
        .target(name: "NumberlineCore"),
        .target(name: "NumberlineHTTP", dependencies: ["CH2O"]),
        .target(name: "NumberlineStore", dependencies: ["NumberlineCore", "CSQLite"]),
        .target(
            name: "NumberlineAPI",
            dependencies: ["NumberlineCore", "NumberlineStore", "NumberlineHTTP", "NumberlineJSON", "CSodium"],
            // Generates `PackageResources.openapi_json: [UInt8]`, so the binary needs no bundle at run time.
            resources: [.embedInCode("Resources/openapi.json")]
        ),
        .executableTarget(name: "numberline", dependencies: ["NumberlineAPI"]),

        // MARK: - Tests

        .testTarget(name: "NumberlineCoreTests", dependencies: ["NumberlineCore", "NumberlineJSON"]),
        .testTarget(name: "NumberlineStoreTests", dependencies: ["NumberlineStore"]),
        .testTarget(name: "NumberlineAPITests", dependencies: ["NumberlineAPI"]),
        .testTarget(name: "NumberlineEndToEndTests", dependencies: ["numberline", "NumberlineJSON"]),
    ]
)
