import DNS

extension Planner {
    /// Names nginx serves inside managed zones that the desired state does not list.
    func unmanagedNameFindings(_ context: PlanContext) -> [Finding] {
        var findings: [Finding] = []
        var reported: Set<String> = []
        // Made at its final size: most of a large tree's names may be unlisted aliases.
        reported.reserveCapacity(context.tree.serverBlocks.reduce(0) { $0 + $1.serverNames.count })
        let zones = ZoneSuffixes(desired.dns.zones)
        // Names of a block are mostly in one file: its displayed path is made once.
        var shown: (file: String, display: String) = ("", "")
        for block in context.tree.serverBlocks {
            for name in block.serverNames where name.kind == .exact && !name.name.isEmpty {
                // Each name is judged once: a name that fails the checks fails them every time.
                guard !context.isVhost(name.name), reported.insert(name.name).inserted,
                    zones?.contains(name.name) ?? parsedIsInManagedZone(name.name)
                else { continue }
                if shown.file != name.location.file { shown = (name.location.file, display(name.location.file)) }
                findings.append(
                    Finding(
                        kind: .unmanagedVhost, vhost: name.name,
                        message:
                            "nginx serves \(name.name) inside a managed zone, but the desired state does not list it",
                        evidence: ["\(shown.display):\(name.location.line): server_name \(name.text)"]))
            }
        }
        return findings
    }

    /// Whether `name`, as a DNS name, is inside a managed zone (false when it is not a DNS name).
    func parsedIsInManagedZone(_ name: String) -> Bool {
        guard let dnsName = try? DNSName(name + ".") else { return false }
        return desired.dns.zone(containing: dnsName) != nil
    }
}

/// The managed zones as lowercase text without the trailing dot, so that whether a name is
/// inside one is found on the name's bytes, with nothing parsed or allocated: a large tree
/// has a name of its own per alias. Gives what ``Planner/parsedIsInManagedZone(_:)`` gives.
struct ZoneSuffixes {
    private let zones: [[UInt8]]

    /// nil when a zone has a dot inside a label (text would not tell its labels apart).
    init?(_ zones: [DNSName]) {
        var texts: [[UInt8]] = []
        for zone in zones {
            var text: [UInt8] = []
            for label in zone.labels {
                if label.contains(UInt8(ascii: ".")) { return nil }
                if !text.isEmpty { text.append(UInt8(ascii: ".")) }
                text += label.map(Self.lower)
            }
            texts.append(text)
        }
        self.zones = texts
    }

    /// Whether `name` (a server_name without a trailing dot) is a valid DNS name inside one
    /// of the zones; nil when it has a backslash, which DNS reads as an escape (the name is
    /// then parsed).
    func contains(_ name: String) -> Bool? {
        var name = name
        return name.withUTF8 { bytes -> Bool? in
            // What DNSName(name + ".") checks: no empty label, labels of at most 63 bytes, at
            // most 255 bytes on the wire.
            var label = 0
            var wire = 1
            for byte in bytes {
                if byte == UInt8(ascii: "\\") { return nil }
                if byte == UInt8(ascii: ".") {
                    guard label > 0 else { return false }
                    wire += 1 + label
                    label = 0
                } else {
                    label += 1
                    guard label <= DNSName.maxLabelLength else { return false }
                }
            }
            guard label > 0 else { return false }
            wire += 1 + label
            guard wire <= DNSName.maxWireLength else { return false }
            return zones.contains { Self.isSuffix($0, of: bytes) }
        }
    }

    /// `zone` is all of `name` or its labels after a dot, ASCII letters in either case.
    private static func isSuffix(_ zone: [UInt8], of name: UnsafeBufferPointer<UInt8>) -> Bool {
        if zone.isEmpty { return true }
        let offset = name.count - zone.count
        guard offset == 0 || (offset > 0 && name[offset - 1] == UInt8(ascii: ".")) else { return false }
        for (index, byte) in zone.enumerated() where lower(name[offset + index]) != byte { return false }
        return true
    }

    private static func lower(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte | 0x20 : byte }
}
