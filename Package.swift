// swift-tools-version:6.0
import PackageDescription

// Data flows through the targets in this order:
//   desired state (StrictYAML -> DesiredState)
//   + observed nginx (Nginx) + observed DNS (DNS)
//   -> findings -> plan -> apply (Reconciler)
// `reconcile` and `reconcile-bench` are thin executables over those libraries.
//
// Linux only (Glibc, /proc, network namespaces, posix_spawn extensions): no other platform
// is declared, since none would build.
let package = Package(
    name: "reconcile",
    products: [
        .executable(name: "reconcile", targets: ["reconcile"]),
        .executable(name: "reconcile-bench", targets: ["reconcile-bench"]),
        .library(name: "StrictYAML", targets: ["StrictYAML"]),
        .library(name: "DesiredState", targets: ["DesiredState"]),
        .library(name: "Nginx", targets: ["Nginx"]),
        .library(name: "DNS", targets: ["DNS"]),
        .library(name: "FuzzEntryPoints", targets: ["FuzzEntryPoints"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The system libyaml (pkg-config yaml-0.1, Debian libyaml-dev), never a vendored copy.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // gperftools' tcmalloc (pkg-config libtcmalloc_minimal, Debian libgoogle-perftools-dev),
        // the reconcile executable's malloc: glibc's arenas serialize a plan's two busy threads.
        .systemLibrary(
            name: "CTCMalloc",
            pkgConfig: "libtcmalloc_minimal",
            providers: [.apt(["libgoogle-perftools-dev"])]
        ),
        .target(name: "StrictYAML", dependencies: ["CYAML"]),
        .target(
            name: "DesiredState",
            dependencies: [
                "AddressFamilies", "StrictYAML", "DNS", "ProcessRunning", "Digests", "ContainedFiles",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Nginx", dependencies: ["AddressFamilies", "ContainedFiles"]),
        // The one contained, race-free way every file is written (DESIGN §13).
        .target(name: "ContainedFiles"),
        .target(
            name: "DNS",
            dependencies: [
                "ContainedFiles", "ProcessRunning", "Digests",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Connects to each vhost over each family: TCP, TLS with SNI, GET / (DESIGN §8).
        .target(
            name: "Probe",
            dependencies: [
                "AddressFamilies", "BoundedTasks", "Digests",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The fuzzers' entry points (Fuzz/ and the regression tests call them), kept out of the
        // shipped modules' API; `package` access reaches what they check.
        .target(name: "FuzzEntryPoints", dependencies: ["StrictYAML", "DesiredState", "Nginx", "DNS"]),
        // IPv4 and IPv6: one type for the desired state, nginx's model and the probe.
        .target(name: "AddressFamilies"),
        // Hexadecimal text of bytes and SHA-256 digests, one way everywhere.
        .target(name: "Digests", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // At most N tasks at once, results in order: probes, DNS queries, the nameserver survey.
        .target(name: "BoundedTasks"),
        // pipe2 and the two posix_spawn file actions glibc hides behind _GNU_SOURCE.
        .target(name: "CSpawn"),
        // Runs a program with a timeout and bounded output: apply's commands, the tests' tools.
        .target(name: "ProcessRunning", dependencies: ["CSpawn"]),
        .target(
            name: "Reconciler",
            dependencies: [
                "DesiredState", "Nginx", "DNS", "Probe", "ProcessRunning", "ContainedFiles", "Digests", "BoundedTasks",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "reconcile",
            dependencies: [
                "Reconciler", "DesiredState", "Probe", "ContainedFiles", "CTCMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "reconcile-bench",
            dependencies: [
                "StrictYAML", "DesiredState", "Nginx", "DNS", "Reconciler", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Start/stop of real nginx and named for tests and benchmarks; no mocks.
        .target(name: "TestSupport", dependencies: ["ProcessRunning", "Reconciler", "ContainedFiles", "DNS"]),
        .testTarget(name: "StrictYAMLTests", dependencies: ["StrictYAML"]),
        .testTarget(name: "ContainedFilesTests", dependencies: ["ContainedFiles", "TestSupport"]),
        .testTarget(name: "ProcessRunningTests", dependencies: ["ProcessRunning", "TestSupport"]),
        .testTarget(name: "DesiredStateTests", dependencies: ["DesiredState", "FuzzEntryPoints", "TestSupport"]),
        .testTarget(name: "NginxTests", dependencies: ["Nginx", "FuzzEntryPoints", "TestSupport"]),
        .testTarget(
            name: "DNSTests",
            dependencies: [
                "DNS", "FuzzEntryPoints", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: ["Reconciler", "Nginx", "DNS", "DesiredState", "Probe", "TestSupport"]
        ),
        .testTarget(name: "OperationsTests", dependencies: ["Reconciler", "Probe", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"], exclude: ["Fixtures"]),
    ]
)
