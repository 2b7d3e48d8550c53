import Foundation
import TestSupport
import Testing

@testable import Nginx

/// Copies of configuration trees in temporary directories, with self-signed certificates
/// under the names the corpus uses, so `nginx -t` can judge an edit.
enum EditHarness {
    static let certificateNames = [("cert.pem", "cert.key"), ("snakeoil.cert", "snakeoil.key")]

    /// Writes a throwaway self-signed certificate and key under every name the trees use.
    static func writeCertificates(into directory: String) throws {
        let (certificate, key) = (directory + "/cert.pem", directory + "/cert.key")
        try SelfSignedCertificate.write(name: "reconcile.test", keyPath: key, certificatePath: certificate)
        for (otherCertificate, otherKey) in certificateNames.dropFirst() {
            try FileManager.default.copyItem(atPath: certificate, toPath: directory + "/" + otherCertificate)
            try FileManager.default.copyItem(atPath: key, toPath: directory + "/" + otherKey)
        }
    }

    /// `nginx -t` of `config` with everything nginx writes kept in `directory`.
    static func nginxTest(directory: String, config: String) throws -> ChildProcess.Result {
        let nginx = try ServerBinary.require("nginx")
        return try ChildProcess.run([
            nginx, "-t", "-q", "-p", directory + "/", "-c", config, "-e", directory + "/error.log",
        ])
    }

    /// Copies every file of `source` into `destination`.
    static func copyTree(_ source: URL, into destination: String) throws {
        for relative in Corpus.files(under: source) {
            let target = destination + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source.appendingPathComponent(relative).path, toPath: target)
        }
    }

    /// What `diff old new` prints, checked to be only added lines: returns the added lines
    /// (without `> `), or records an issue and returns nil when anything else changed.
    static func addedLinesByDiff(_ edit: FileEdit, in directory: String) throws -> [String]? {
        let old = directory + "/diff-old"
        let new = directory + "/diff-new"
        try Data(edit.originalBytes).write(to: URL(fileURLWithPath: old))
        try Data(edit.newBytes).write(to: URL(fileURLWithPath: new))
        let diff = try ChildProcess.run([try ServerBinary.require("diff"), old, new])
        let lines = diff.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard diff.status == 1, let header = lines.first, header.contains("a"), !header.contains("c"),
            !header.contains("d")
        else {
            Issue.record("diff shows more than added lines for \(edit.path):\n\(diff.stdout)")
            return nil
        }
        let added = lines.dropFirst()
        guard added.allSatisfy({ $0.hasPrefix("> ") }) else {
            Issue.record("diff shows more than added lines for \(edit.path):\n\(diff.stdout)")
            return nil
        }
        return added.map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
    }

    /// Every (block, family, port) where the block listens on the port in one family only
    /// (counting nginx's implicit `*:80`): the gaps an operator would close.
    static func missingFamilies(_ tree: NginxConfigTree) -> [(block: Int, family: AddressFamily, port: Int)] {
        var gaps: [(Int, AddressFamily, Int)] = []
        for block in tree.serverBlocks {
            for family in AddressFamily.allCases {
                let ports = Set(block.effectiveListens.filter { $0.family == family.other }.compactMap(\.port))
                for port in ports.sorted()
                where !block.effectiveListens.contains(where: {
                    $0.port == port && ($0.family == family || (family == .ipv4 && $0.acceptsIPv4OnIPv6Socket))
                }) {
                    gaps.append((block.index, family, port))
                }
            }
        }
        return gaps
    }
}
