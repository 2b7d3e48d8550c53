// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses, kept out of the main package so `swift build`/`swift test` never see
// them. Build and run them with `Fuzz/run.sh` (it adds -sanitize=fuzzer,address and lld).
// Each executable is a thin shell over an entry point the main package's regression tests
// call too (YAMLFuzz, DesiredStateFuzz, NginxFuzz, DNSFuzz, ZoneFileFuzz).
let fuzzTargets: [(name: String, product: String)] = [
    ("fuzz-yaml", "FuzzEntryPoints"),
    ("fuzz-desired-state", "FuzzEntryPoints"),
    ("fuzz-nginx-parse", "FuzzEntryPoints"),
    ("fuzz-nginx-edit", "FuzzEntryPoints"),
    ("fuzz-dns-message", "FuzzEntryPoints"),
    ("fuzz-zone-file", "FuzzEntryPoints"),
]

let package = Package(
    name: "reconcile-fuzz",
    dependencies: [.package(name: "reconcile", path: "..")],
    targets: [.target(name: "FuzzDriver")]
        + fuzzTargets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzDriver", .product(name: target.product, package: "reconcile")]
            )
        }
)
