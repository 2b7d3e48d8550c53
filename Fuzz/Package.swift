// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses, kept out of the main package so `swift build`/`swift test` never see
// them. Build and run them with `Fuzz/run.sh` (it adds -sanitize=fuzzer,address and lld).
// Each executable is a thin shell over an entry point the main package's regression tests
// call too (YAMLFuzz, DesiredStateFuzz, NginxFuzz, DNSFuzz, ZoneFileFuzz).
let fuzzTargets: [(name: String, product: String)] = [
    ("fuzz-yaml", "StrictYAML"),
    ("fuzz-desired-state", "DesiredState"),
    ("fuzz-nginx-parse", "Nginx"),
    ("fuzz-nginx-edit", "Nginx"),
    ("fuzz-dns-message", "DNS"),
    ("fuzz-zone-file", "DNS"),
]

let package = Package(
    name: "reconcile-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "reconcile", path: "..")],
    targets: [.target(name: "FuzzDriver")]
        + fuzzTargets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzDriver", .product(name: target.product, package: "reconcile")]
            )
        }
)
