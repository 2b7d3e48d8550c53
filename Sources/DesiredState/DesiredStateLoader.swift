import Crypto
import DNS
import Digests
import Foundation
import StrictYAML

/// Reads every `*.yaml`/`*.yml` file under a directory (sorted, recursively), merges them and
/// checks the result against the schema of DESIGN §3.
public struct DesiredStateLoader: Sendable {
    public let fileSystem: any DesiredStateFileSystem
    public var limits: YAMLParser.Limits

    public init(fileSystem: any DesiredStateFileSystem = DiskFileSystem(), limits: YAMLParser.Limits = .init()) {
        self.fileSystem = fileSystem
        self.limits = limits
    }

    /// An IPv6 address written unquoted on `line` (1-based) of `bytes`, such as `[::1]`:
    /// YAML reads a plain `:` as a mapping indicator, so the address must be quoted. Only hex
    /// digits, `:` and `.` are returned, so the hint never echoes anything else.
    static func unquotedIPv6(in bytes: [UInt8], line: Int) -> String? {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        let text = String(decoding: lines[line - 1], as: UTF8.self)
        let code = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let words = code.split(whereSeparator: { " \t[]{},-\"'".contains($0) })
        return words.map(String.init).first { word in
            word.filter { $0 == ":" }.count >= 2
                && word.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
    }

    static let topLevelKeys = ["host", "hosts", "nginx", "dns", "vhosts"]
    static let familyNames = AddressFamily.allCases.map(\.rawValue)

    /// A vhost entry before zones and host addresses are checked against it.
    private struct VhostEntry {
        let name: String
        let keyNode: YAMLNode
        let families: [AddressFamily]
        let familiesNode: YAMLNode?
        let ports: [UInt16]
        /// `hosts:` of the vhost, with its node; nil: every host.
        let hosts: [(name: String, node: YAMLNode)]?
        let hostsNode: YAMLNode?
    }

    /// Loads and validates `directory`; throws every problem found.
    public func load(directory: String) throws(DesiredStateError) -> DesiredState {
        var reader = SchemaReader()
        let files: [String]
        do {
            files = try fileSystem.yamlFiles(in: directory)
        } catch {
            throw DesiredStateError([.init(file: directory, line: nil, column: nil, message: "\(error)")])
        }
        guard !files.isEmpty else {
            throw DesiredStateError([
                .init(
                    file: directory, line: nil, column: nil,
                    message: "no *.yaml or *.yml files here (expected at least host, nginx, dns and vhosts)")
            ])
        }
        let cwd = fileSystem.currentDirectory
        var host: (HostAddresses, YAMLNode)?
        var fleetHosts: ([Fleet.Host], YAMLNode)?
        var nginx: (NginxSettings, YAMLNode)?
        var dns: (DNSSettings, YAMLNode)?
        var sectionsSeen: [String: YAMLMark] = [:]
        // Files that could not be read or parsed as a mapping.
        var unreadFiles = 0
        var vhosts: [VhostEntry] = []
        var vhostsSeen: [String: YAMLMark] = [:]
        var paths: [String] = []
        // Of exactly the bytes loaded, so a plan names the state it was made from.
        var digest = SHA256()

        for relative in files {
            let path = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
            paths.append(path)
            let bytes: [UInt8]
            do {
                bytes = try fileSystem.contents(of: path, maxBytes: limits.maxBytes)
                digest.update(data: Array(path.utf8) + [0])
                digest.update(data: bytes)
                digest.update(data: [0])
            } catch {
                reader.problems.append(.init(file: path, line: nil, column: nil, message: "\(error)"))
                unreadFiles += 1
                continue
            }
            let document: YAMLNode?
            do {
                document = try YAMLParser.parse(bytes, file: path, limits: limits)
            } catch {
                var message = error.message
                if let address = Self.unquotedIPv6(in: bytes, line: error.mark.line) {
                    message += "; quote IPv6 addresses: \"\(address)\""
                }
                reader.problems.append(.init(message, at: error.mark))
                unreadFiles += 1
                continue
            }
            guard let root = document else {
                reader.problems.append(
                    .init(
                        file: path, line: 1, column: 1,
                        message: "file is empty (expected a mapping with any of host, nginx, dns, vhosts)"))
                continue
            }
            guard let sections = reader.mapping(root, allowed: Self.topLevelKeys, what: "the top level") else {
                unreadFiles += 1
                continue
            }
            for key in Self.topLevelKeys {
                guard let pair = sections[key] else { continue }
                if key != "vhosts" {
                    if let first = sectionsSeen[key] {
                        reader.fail("\(key) is already defined at \(first)", at: pair.key)
                        continue
                    }
                    sectionsSeen[key] = pair.key.mark
                }
                switch key {
                case "host":
                    if let value = readHost(pair.value, &reader) { host = (value, pair.key) }
                case "hosts":
                    if let value = readFleetHosts(pair.value, &reader) { fleetHosts = (value, pair.key) }
                case "nginx":
                    if let value = readNginx(pair.value, &reader, cwd: cwd) { nginx = (value, pair.key) }
                case "dns":
                    if let value = readDNS(pair.value, &reader, cwd: cwd) { dns = (value, pair.key) }
                default:
                    readVhosts(pair.value, &reader, into: &vhosts, seen: &vhostsSeen)
                }
            }
        }

        // A file that could not be read may well define the missing section: saying it is
        // missing would send the user after the wrong problem.
        if let (_, node) = fleetHosts, let first = sectionsSeen["host"] {
            reader.fail(
                "hosts (several hosts) and host (one host, at \(first)) cannot both be given; keep one", at: node)
        }
        for key in ["host", "nginx", "dns"]
        where sectionsSeen[key] == nil && unreadFiles == 0 && !(key == "host" && sectionsSeen["hosts"] != nil) {
            let example =
                switch key {
                case "host": "host: {ipv4: [203.0.113.10], ipv6: [2001:db8::10]}"
                case "nginx": "nginx: {config: /etc/nginx/nginx.conf}"
                default: "dns: {provider: rfc2136, server: \"[::1]:53\", zones: [example.social]}"
                }
            reader.problems.append(
                .init(file: directory, line: nil, column: nil, message: "no file defines \(key) (expected \(example))"))
        }

        var result: [Vhost] = []
        result.reserveCapacity(vhosts.count)
        var assignments: [String: [String]] = [:]
        // Read once, not per vhost; entries by index, so none is copied.
        let fleet = fleetHosts?.0
        let noAddress = host.map { (ipv4: $0.0.ipv4.isEmpty, ipv6: $0.0.ipv6.isEmpty) }
        let zones = dns?.0.zones
        var labels = DNSLabels()
        for index in vhosts.indices {
            let name = vhosts[index].name
            if let fleet {
                assignments[name] = assignHosts(vhosts[index], fleet: fleet, &reader)
            } else if let hostsNode = vhosts[index].hostsNode {
                reader.fail(
                    "vhost \(YAMLScalar.quote(name)) names hosts, but the desired state has one host (host:); list the hosts under hosts: to assign vhosts to them",
                    at: hostsNode)
            }
            if let noAddress {
                for family in vhosts[index].families where family == .ipv4 ? noAddress.ipv4 : noAddress.ipv6 {
                    reader.fail(
                        "vhost \(YAMLScalar.quote(name)) wants \(family.rawValue) but host.\(family.rawValue) lists no address",
                        at: vhosts[index].familiesNode ?? vhosts[index].keyNode)
                }
            }
            guard let dnsName = labels.dnsName(name) else {
                reader.fail("vhost \(YAMLScalar.quote(name)) is not a valid DNS name", at: vhosts[index].keyNode)
                continue
            }
            var zone = DNSName.root
            if let zones {
                guard let found = DNSSettings.zone(in: zones, containing: dnsName) else {
                    let list = zones.map { String($0.description.dropLast()) }.joined(separator: ", ")
                    reader.fail(
                        "vhost \(YAMLScalar.quote(name)) is not inside any managed zone (dns.zones: \(list))",
                        at: vhosts[index].keyNode)
                    continue
                }
                zone = found
            }
            result.append(
                Vhost(
                    name: name, dnsName: dnsName, families: vhosts[index].families, ports: vhosts[index].ports,
                    zone: zone, declaredAt: vhosts[index].keyNode.mark))
        }

        // With hosts:, `host` stays empty until the run knows which host it is (scoped(to:)).
        let hostValue = host?.0 ?? fleetHosts.map { _ in HostAddresses(ipv4: [], ipv6: []) }
        guard reader.problems.isEmpty, let hostValue, let (nginxValue, _) = nginx, let (dnsValue, _) = dns
        else {
            throw DesiredStateError(reader.problems)
        }
        result.sort { $0.name < $1.name }
        var state = DesiredState(
            host: hostValue, nginx: nginxValue, dns: dnsValue, vhosts: result, files: paths,
            digest: HexDigest.hex(digest.finalize()))
        state.paths = reader.namedPaths
        if let (hosts, _) = fleetHosts {
            state.fleet = Fleet(hosts: hosts, assignments: assignments, allVhosts: result)
        }
        return state
    }

    /// The `nginx` and `dns` sections, read ahead of the whole state.
    public struct SettingsAhead: Sendable {
        public var nginx: NginxSettings?
        public var dns: DNSSettings?
    }

    /// The `nginx` and `dns` sections alone, read ahead of the whole state from its small files
    /// (the vhost lists are the large ones), each small file read and parsed once for both, so
    /// that nginx's tree and the zones can be read while the rest loads. A section is nil
    /// unless exactly one such file defines it without a problem; ``load(directory:)`` still
    /// decides, and a caller uses a section only when the two agree.
    public func settingsAhead(directory: String, smallFileBytes: Int = 64 * 1024) -> SettingsAhead {
        guard let files = try? fileSystem.yamlFiles(in: directory) else { return SettingsAhead() }
        var nginx = SectionAhead<NginxSettings>()
        var dns = SectionAhead<DNSSettings>()
        for relative in files {
            let path = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
            guard let bytes = try? fileSystem.contents(of: path, maxBytes: min(smallFileBytes, limits.maxBytes)),
                let root = try? YAMLParser.parse(bytes, file: path, limits: limits)
            else { continue }
            var reader = SchemaReader()
            guard let sections = reader.mapping(root, allowed: Self.topLevelKeys, what: "the top level") else {
                continue
            }
            // Each section is read on its own copy of the file's reader: a problem of the file's
            // top level, or of the section, keeps the section from being read ahead.
            let cwd = fileSystem.currentDirectory
            nginx.note(sections["nginx"]) { node in
                var sectionReader = reader
                let section = readNginx(node, &sectionReader, cwd: cwd)
                return sectionReader.problems.isEmpty ? section : nil
            }
            dns.note(sections["dns"]) { node in
                var sectionReader = reader
                let section = readDNS(node, &sectionReader, cwd: cwd)
                return sectionReader.problems.isEmpty ? section : nil
            }
        }
        return SettingsAhead(nginx: nginx.value, dns: dns.value)
    }

    /// The `nginx` section read ahead (see ``settingsAhead(directory:smallFileBytes:)``).
    public func nginxSettingsAhead(directory: String, smallFileBytes: Int = 64 * 1024) -> NginxSettings? {
        settingsAhead(directory: directory, smallFileBytes: smallFileBytes).nginx
    }

    /// The `dns` section read ahead (see ``settingsAhead(directory:smallFileBytes:)``).
    public func dnsSettingsAhead(directory: String, smallFileBytes: Int = 64 * 1024) -> DNSSettings? {
        settingsAhead(directory: directory, smallFileBytes: smallFileBytes).dns
    }

    /// One section as the small files define it: every definition found, or that one had a
    /// problem (then it is not read ahead at all).
    private struct SectionAhead<Section> {
        var found: [Section] = []
        var failed = false

        mutating func note(_ pair: YAMLPair?, read: (YAMLNode) -> Section?) {
            guard !failed, let pair else { return }
            if let section = read(pair.value) { found.append(section) } else { failed = true }
        }

        var value: Section? { !failed && found.count == 1 ? found.first : nil }
    }

    // MARK: sections

    private func readHost(_ node: YAMLNode, _ reader: inout SchemaReader, what: String = "host") -> HostAddresses? {
        guard let keys = reader.mapping(node, allowed: ["ipv4", "ipv6"], what: what) else { return nil }
        if keys["ipv4"] == nil && keys["ipv6"] == nil {
            reader.fail("\(what) must list at least one address under ipv4 or ipv6", at: node)
            return nil
        }
        let ipv4 = readAddresses(
            keys["ipv4"], family: .ipv4, example: "203.0.113.10", parse: IPv4Bytes.init, &reader, what: what)
        let ipv6 = readAddresses(
            keys["ipv6"], family: .ipv6, example: "2001:db8::10", parse: IPv6Bytes.init, &reader, what: what)
        guard let ipv4, let ipv6 else { return nil }
        return HostAddresses(ipv4: ipv4, ipv6: ipv6)
    }

    /// The addresses of one family under `host`; nil when any is wrong (each reported).
    private func readAddresses<Address: Equatable>(
        _ pair: YAMLPair?, family: AddressFamily, example: String, parse: (String) -> Address?,
        _ reader: inout SchemaReader, what: String
    ) -> [Address]? {
        guard let pair else { return [] }
        let key = "\(what).\(family.rawValue)"
        guard let items = reader.list(pair.value, what: key, example: "[\(example)]") else { return nil }
        let other: AddressFamily = family == .ipv4 ? .ipv6 : .ipv4
        let isOtherFamily: (String) -> Bool = family == .ipv4 ? { IPv6Bytes($0) != nil } : { IPv4Bytes($0) != nil }
        var addresses: [Address] = []
        var ok = true
        for item in items {
            guard let text = reader.string(item, what: "an address in \(key)") else {
                ok = false
                continue
            }
            if let address = parse(text) {
                if addresses.contains(address) {
                    reader.fail("address \(text) is listed twice in \(key)", at: item)
                    ok = false
                }
                addresses.append(address)
            } else if isOtherFamily(text) {
                reader.fail(
                    "\(YAMLScalar.quote(text)) is an \(other == .ipv6 ? "IPv6" : "IPv4") address; \(key) takes \(family == .ipv4 ? "IPv4" : "IPv6") addresses like \(example)",
                    at: item)
                ok = false
            } else {
                let form = family == .ipv4 ? "dotted decimal like \(example)" : "a form like \(example), no brackets"
                reader.fail(
                    "\(YAMLScalar.quote(text)) is not an \(family == .ipv4 ? "IPv4" : "IPv6") address (expected \(form))",
                    at: item)
                ok = false
            }
        }
        return ok ? addresses : nil
    }

    private func readNginx(_ node: YAMLNode, _ reader: inout SchemaReader, cwd: String) -> NginxSettings? {
        guard let keys = reader.mapping(node, allowed: ["config", "test", "reload", "limits"], what: "nginx") else {
            return nil
        }
        guard let configPair = keys["config"] else {
            reader.fail("nginx needs config: the path of nginx's main configuration file", at: node)
            return nil
        }
        guard let config = reader.path(configPair.value, what: "nginx.config", currentDirectory: cwd) else {
            return nil
        }
        let test = keys["test"].map { reader.command($0.value, what: "nginx.test", currentDirectory: cwd) }
        let reload = keys["reload"].map { reader.command($0.value, what: "nginx.reload", currentDirectory: cwd) }
        if test == .some(nil) || reload == .some(nil) { return nil }
        var limits = NginxReadLimits()
        if let pair = keys["limits"] {
            guard
                let values = readLimits(
                    pair.value, &reader, what: "nginx.limits",
                    ranges: ["depth": 1...4_000, "file-bytes": 1...8_589_934_592, "tree-bytes": 1...8_589_934_592])
            else { return nil }
            limits = NginxReadLimits(
                depth: values["depth"], fileBytes: values["file-bytes"], treeBytes: values["tree-bytes"])
        }
        return NginxSettings(config: config, test: test ?? nil, reload: reload ?? nil, limits: limits)
    }

    /// A mapping of limits: each key one of `ranges`, each value a plain integer in its range.
    private func readLimits(
        _ node: YAMLNode, _ reader: inout SchemaReader, what: String, ranges: [String: ClosedRange<Int>]
    ) -> [String: Int]? {
        guard let keys = reader.mapping(node, allowed: ranges.keys.sorted(), what: what) else { return nil }
        var values: [String: Int] = [:]
        var ok = true
        for pair in keys.pairs.sorted(by: { $0.keyText < $1.keyText }) {
            let key = pair.keyText
            guard let range = ranges[key], let value = reader.integer(pair.value, what: "\(what).\(key)", range: range)
            else {
                ok = false
                continue
            }
            values[key] = value
        }
        return ok ? values : nil
    }

    private func readDNS(_ node: YAMLNode, _ reader: inout SchemaReader, cwd: String) -> DNSSettings? {
        let allowed = [
            "provider", "server", "zones", "ttl", "tsig", "zonefile", "nameservers", "resolver", "transfer", "limits",
        ]
        guard let keys = reader.mapping(node, allowed: allowed, what: "dns") else { return nil }
        var ok = true
        var providerName = "rfc2136"
        if let pair = keys["provider"], let text = reader.string(pair.value, what: "dns.provider") {
            if ["rfc2136", "zonefile", "authoritative"].contains(text) {
                providerName = text
            } else {
                reader.fail(
                    "unknown DNS provider \(YAMLScalar.quote(text)) (expected rfc2136, zonefile or authoritative)",
                    at: pair.value)
                ok = false
            }
        }
        var zones: [DNSName] = []
        if let pair = keys["zones"] {
            if let items = reader.list(pair.value, what: "dns.zones", example: "[example.social]") {
                if items.isEmpty {
                    reader.fail("dns.zones must list at least one zone", at: pair.value)
                    ok = false
                }
                for item in items {
                    guard let text = reader.string(item, what: "a zone in dns.zones") else {
                        ok = false
                        continue
                    }
                    switch HostName.validate(text, allowWildcard: false) {
                    case .success(let name):
                        if let zone = try? DNSName(name + ".") {
                            if zones.contains(zone) {
                                reader.fail("zone \(name) is listed twice in dns.zones", at: item)
                                ok = false
                            }
                            zones.append(zone)
                        }
                    case .failure(let error):
                        reader.fail(error.message, at: item)
                        ok = false
                    }
                }
            } else {
                ok = false
            }
        } else {
            reader.fail("dns needs zones: the zones reconcile manages, like [example.social]", at: node)
            ok = false
        }
        var ttl: UInt32 = 300
        if let pair = keys["ttl"] {
            if let value = reader.integer(pair.value, what: "dns.ttl", range: 1...2_147_483_647) {
                ttl = UInt32(value)
            } else {
                ok = false
            }
        }
        let provider: DNSProviderSettings?
        if providerName == "rfc2136" {
            if let pair = keys["zonefile"] {
                reader.fail("dns.zonefile applies only with provider: zonefile", at: pair.key)
                ok = false
            }
            provider = readRFC2136(node, keys, &reader, cwd: cwd)
        } else if providerName == "authoritative" {
            for key in ["tsig", "zonefile"] {
                if let pair = keys[key] {
                    reader.fail(
                        "dns.\(key) does not apply with provider: authoritative, which only reads (use rfc2136 to write)",
                        at: pair.key)
                    ok = false
                }
            }
            var server: DNSServerAddress?
            if let pair = keys["server"] {
                server = readServer(pair, &reader, what: "dns.server")
                if server == nil { ok = false }
            }
            provider = .authoritative(server: server)
        } else {
            for key in ["server", "tsig"] {
                if let pair = keys[key] {
                    reader.fail("dns.\(key) applies only with provider: rfc2136", at: pair.key)
                    ok = false
                }
            }
            provider = readZoneFile(node, keys, &reader, cwd: cwd, zoneCount: zones.count)
        }
        var transferLimits = ZoneTransferLimits()
        if let pair = keys["limits"] {
            let ranges = [
                "transfer-records": 1...1_000_000_000, "transfer-bytes": 1...8_589_934_592,
                "transfer-seconds": 1...86_400,
            ]
            if let values = readLimits(pair.value, &reader, what: "dns.limits", ranges: ranges) {
                transferLimits = ZoneTransferLimits(
                    maxRecords: values["transfer-records"] ?? ZoneTransferLimits.defaultMaxRecords,
                    maxBytes: values["transfer-bytes"] ?? ZoneTransferLimits.defaultMaxBytes,
                    deadline: values["transfer-seconds"].map { .seconds($0) } ?? ZoneTransferLimits.defaultDeadline)
            } else {
                ok = false
            }
        }
        var nameservers: DNSSettings.Nameservers?
        if let pair = keys["nameservers"] {
            nameservers = readNameservers(pair, &reader)
            if nameservers == nil { ok = false }
        }
        var resolver: DNSServerAddress?
        if let pair = keys["resolver"] {
            resolver = readServer(pair, &reader, what: "dns.resolver")
            if resolver == nil { ok = false }
        }
        var transfer = DNSSettings.ZoneRead.axfr
        if let pair = keys["transfer"], let text = reader.string(pair.value, what: "dns.transfer") {
            if let read = DNSSettings.ZoneRead(rawValue: text) {
                transfer = read
            } else {
                reader.fail("dns.transfer \(YAMLScalar.quote(text)) is not axfr or queries", at: pair.value)
                ok = false
            }
        }
        guard ok, let provider else { return nil }
        if case .authoritative(nil) = provider, nameservers == .listed([]) {
            reader.fail(
                "provider authoritative needs the zone's servers: dns.nameservers: auto (the default), a list, or a dns.server",
                at: node)
            return nil
        }
        return DNSSettings(
            provider: provider, zones: zones, ttl: ttl, nameservers: nameservers, resolver: resolver,
            transfer: transfer,
            transferLimits: transferLimits)
    }

    /// `dns.nameservers`: `auto`, or a list of IP addresses with optional ports.
    private func readNameservers(_ pair: YAMLPair, _ reader: inout SchemaReader) -> DNSSettings.Nameservers? {
        if case .scalar = pair.value.content, let text = reader.string(pair.value, what: "dns.nameservers") {
            guard text == "auto" else {
                reader.fail(
                    "dns.nameservers \(YAMLScalar.quote(text)) is neither auto nor a list of addresses (like [\"192.0.2.53\", \"[2001:db8::53]:53\"])",
                    at: pair.value)
                return nil
            }
            return .auto
        }
        guard let items = reader.list(pair.value, what: "dns.nameservers", example: "[192.0.2.53, \"[2001:db8::53]\"]")
        else { return nil }
        var servers: [DNSServerAddress] = []
        for item in items {
            guard let text = reader.string(item, what: "an address in dns.nameservers") else { return nil }
            guard let server = DNSServerAddress.parse(text) else {
                reader.fail(
                    "\(YAMLScalar.quote(text)) in dns.nameservers is not an IP address with optional port (expected 192.0.2.53, 192.0.2.53:5353 or \"[2001:db8::53]:53\")",
                    at: item)
                return nil
            }
            servers.append(server)
        }
        return .listed(servers)
    }

    /// An IP address with optional port (`dns.server`, `dns.resolver`).
    private func readServer(_ pair: YAMLPair, _ reader: inout SchemaReader, what: String) -> DNSServerAddress? {
        guard let text = reader.string(pair.value, what: what) else { return nil }
        guard let server = DNSServerAddress.parse(text) else {
            reader.fail(
                "\(what) \(YAMLScalar.quote(text)) is not an IP address with optional port "
                    + "(expected 192.0.2.53, 192.0.2.53:5353 or \"[2001:db8::53]:53\")",
                at: pair.value)
            return nil
        }
        return server
    }

    private func readRFC2136(
        _ node: YAMLNode, _ keys: MappingKeys, _ reader: inout SchemaReader, cwd: String
    ) -> DNSProviderSettings? {
        guard let serverPair = keys["server"] else {
            reader.fail("dns needs server: the address of the authoritative server, like \"[::1]:53\"", at: node)
            return nil
        }
        guard let server = readServer(serverPair, &reader, what: "dns.server") else { return nil }
        guard let tsigPair = keys["tsig"] else { return .rfc2136(server: server, tsig: nil) }
        guard
            let tsig = reader.mapping(
                tsigPair.value, allowed: ["name", "algorithm", "secret-file", "secret"], what: "dns.tsig")
        else { return nil }
        var ok = true
        if let secret = tsig["secret"] {
            reader.fail(
                "dns.tsig.secret is not allowed: keep the secret out of the repository and name a file with secret-file",
                at: secret.key)
            ok = false
        }
        var name: DNSName?
        if let pair = tsig["name"] {
            if let text = reader.string(pair.value, what: "dns.tsig.name") {
                let plain = text.unicodeScalars.allSatisfy {
                    ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9")
                        || $0 == "-" || $0 == "_" || $0 == "."
                }
                if plain, let parsed = try? DNSName(text.hasSuffix(".") ? text : text + ".") {
                    name = parsed
                } else {
                    reader.fail(
                        "dns.tsig.name \(YAMLScalar.quote(text)) is not a key name (letters, digits, \"-\", \"_\" and \".\")",
                        at: pair.value)
                    ok = false
                }
            }
        } else {
            reader.fail("dns.tsig needs name: the key's name as the server knows it", at: tsigPair.value)
            ok = false
        }
        var algorithm = TSIGSettings.Algorithm.hmacSHA256
        if let pair = tsig["algorithm"], let text = reader.string(pair.value, what: "dns.tsig.algorithm") {
            if let value = TSIGSettings.Algorithm(rawValue: text.lowercased()) {
                algorithm = value
            } else {
                reader.fail(
                    "unknown TSIG algorithm \(YAMLScalar.quote(text)) (expected hmac-sha256 or hmac-sha512)",
                    at: pair.value)
                ok = false
            }
        }
        var secretFile: String?
        if let pair = tsig["secret-file"] {
            secretFile = reader.path(pair.value, what: "dns.tsig.secret-file", currentDirectory: cwd)
        } else if tsig["secret"] == nil {
            reader.fail("dns.tsig needs secret-file: a file holding the key's secret", at: tsigPair.value)
            ok = false
        }
        guard ok, let name, let secretFile else { return nil }
        return .rfc2136(
            server: server,
            tsig: TSIGSettings(
                name: name, algorithm: algorithm, secretFile: secretFile,
                nameSource: tsig["name"]?.value.mark.description,
                algorithmSource: tsig["algorithm"]?.value.mark.description))
    }

    private func readZoneFile(
        _ node: YAMLNode, _ keys: MappingKeys, _ reader: inout SchemaReader, cwd: String, zoneCount: Int
    ) -> DNSProviderSettings? {
        guard let pair = keys["zonefile"] else {
            reader.fail("dns needs zonefile: {path: ...} with provider: zonefile", at: node)
            return nil
        }
        guard let settings = reader.mapping(pair.value, allowed: ["path", "reload"], what: "dns.zonefile") else {
            return nil
        }
        if zoneCount > 1 {
            reader.fail("provider zonefile manages one zone; dns.zones lists \(zoneCount)", at: pair.key)
            return nil
        }
        guard let pathPair = settings["path"] else {
            reader.fail("dns.zonefile needs path: the zone's master file", at: pair.value)
            return nil
        }
        guard let path = reader.path(pathPair.value, what: "dns.zonefile.path", currentDirectory: cwd) else {
            return nil
        }
        var reload: [String]?
        if let reloadPair = settings["reload"] {
            guard let argv = reader.command(reloadPair.value, what: "dns.zonefile.reload", currentDirectory: cwd) else {
                return nil
            }
            reload = argv
        }
        return .zonefile(path: path, reload: reload)
    }

    /// The mark already in `slot`, or nil after putting `mark` there.
    private static func firstDeclaration(_ slot: inout YAMLMark?, _ mark: YAMLMark) -> YAMLMark? {
        if let first = slot { return first }
        slot = mark
        return nil
    }

    /// Family lists as a vhost can have them: equal lists share one array.
    private static let bothFamilies: [AddressFamily] = [.ipv4, .ipv6]
    private static let onlyIPv4: [AddressFamily] = [.ipv4]
    private static let onlyIPv6: [AddressFamily] = [.ipv6]
    private static let defaultPorts: [UInt16] = [80, 443]

    private func readVhosts(
        _ node: YAMLNode, _ reader: inout SchemaReader, into vhosts: inout [VhostEntry], seen: inout [String: YAMLMark]
    ) {
        guard case .mapping(let pairs) = node.content else {
            reader.fail(
                "vhosts must be a mapping of host names to {families, ports}, found \(node.kindDescription)", at: node)
            return
        }
        // Room for this file's vhosts, grown at least twofold: reserving exactly what each of a
        // thousand files adds copied every vhost read so far once per file (1,000,000 vhosts in
        // files of 1,000 took a minute, mostly the kernel handing out the copies' pages).
        let needed = vhosts.count + pairs.count
        if vhosts.capacity < needed { vhosts.reserveCapacity(max(needed, 2 * vhosts.capacity)) }
        let seenNeeded = seen.count + pairs.count
        if seen.capacity < seenNeeded { seen.reserveCapacity(max(seenNeeded, 2 * seen.capacity)) }
        // The ports of the vhost being read, and the last list kept (most vhosts repeat it).
        var chosenPorts: [UInt16] = []
        var lastPorts = Self.defaultPorts
        for pair in pairs {
            let name: String
            switch HostName.validate(pair.keyText) {
            case .success(let valid): name = valid
            case .failure(let error):
                reader.fail(error.message, at: pair.key)
                continue
            }
            // One lookup: the slot is filled when the name is new.
            if let first = Self.firstDeclaration(&seen[name], pair.key.mark) {
                reader.fail("vhost \(YAMLScalar.quote(name)) is declared twice: here and at \(first)", at: pair.key)
                continue
            }
            guard
                let keys = reader.mapping(
                    pair.value, allowed: ["families", "ports", "hosts"], what: "vhost \(YAMLScalar.quote(name))")
            else { continue }
            // One scan for the three keys (each is there at most once).
            var familiesPair: YAMLPair?
            var portsPair: YAMLPair?
            var hostsPair: YAMLPair?
            for entry in keys.pairs {
                switch entry.keyText {
                case "families": familiesPair = entry
                case "ports": portsPair = entry
                default: hostsPair = entry
                }
            }
            var families = Self.bothFamilies
            var ok = true
            if let familiesPair {
                if let items = reader.list(familiesPair.value, what: "families", example: "[ipv4, ipv6]") {
                    var hasIPv4 = false
                    var hasIPv6 = false
                    for item in items {
                        guard let text = reader.string(item, what: "a family") else {
                            ok = false
                            continue
                        }
                        guard let family = AddressFamily(rawValue: text) else {
                            var message = "unknown family \(YAMLScalar.quote(text)) (expected ipv4 or ipv6)"
                            if let guess = Suggestion.closest(to: text, among: Self.familyNames), guess != text {
                                message += "; did you mean \"\(guess)\"?"
                            }
                            reader.fail(message, at: item)
                            ok = false
                            continue
                        }
                        if family == .ipv4 ? hasIPv4 : hasIPv6 {
                            reader.fail("family \(text) is listed twice", at: item)
                            ok = false
                        }
                        if family == .ipv4 { hasIPv4 = true } else { hasIPv6 = true }
                    }
                    if items.isEmpty {
                        reader.fail("families must list at least one of ipv4, ipv6", at: familiesPair.value)
                        ok = false
                    }
                    families = hasIPv4 ? (hasIPv6 ? Self.bothFamilies : Self.onlyIPv4) : (hasIPv6 ? Self.onlyIPv6 : [])
                } else {
                    ok = false
                }
            }
            var ports = Self.defaultPorts
            if let portsPair {
                if let items = reader.list(portsPair.value, what: "ports", example: "[80, 443]") {
                    chosenPorts.removeAll(keepingCapacity: true)
                    // A scan for the short lists of a vhost; a set keeps a long one linear.
                    var long: Set<UInt16> = []
                    for item in items {
                        guard let value = reader.integer(item, what: "port", range: 1...65535) else {
                            ok = false
                            continue
                        }
                        let port = UInt16(value)
                        let listed: Bool
                        if chosenPorts.count < 16 {
                            listed = chosenPorts.contains(port)
                        } else {
                            if long.isEmpty { long = Set(chosenPorts) }
                            listed = !long.insert(port).inserted
                        }
                        if listed {
                            reader.fail("port \(port) is listed twice", at: item)
                            ok = false
                        }
                        chosenPorts.append(port)
                    }
                    if items.isEmpty {
                        reader.fail("ports must list at least one port", at: portsPair.value)
                        ok = false
                    }
                    if ok {
                        chosenPorts.sort()
                        if chosenPorts != lastPorts { lastPorts = chosenPorts }
                        ports = lastPorts
                    }
                } else {
                    ok = false
                }
            }
            var hosts: [(name: String, node: YAMLNode)]?
            if let hostsPair {
                if let items = reader.list(hostsPair.value, what: "hosts", example: "[web1, web2]") {
                    var chosen: [(name: String, node: YAMLNode)] = []
                    for item in items {
                        guard let text = reader.string(item, what: "a host in hosts") else {
                            ok = false
                            continue
                        }
                        if chosen.contains(where: { $0.name == text }) {
                            reader.fail("host \(YAMLScalar.quote(text)) is listed twice", at: item)
                            ok = false
                        }
                        chosen.append((text, item))
                    }
                    if items.isEmpty {
                        reader.fail(
                            "hosts must list at least one host (leave it out for every host)", at: hostsPair.value)
                        ok = false
                    }
                    hosts = chosen
                } else {
                    ok = false
                }
            }
            guard ok else { continue }
            vhosts.append(
                VhostEntry(
                    name: name, keyNode: pair.key, families: families, familiesNode: familiesPair?.value,
                    ports: ports, hosts: hosts, hostsNode: hostsPair?.value))
        }
    }

    // MARK: fleet

    /// `hosts:`: a mapping of host names to their addresses (DESIGN §15).
    private func readFleetHosts(_ node: YAMLNode, _ reader: inout SchemaReader) -> [Fleet.Host]? {
        guard case .mapping(let pairs) = node.content else {
            reader.fail(
                "hosts must be a mapping of host names to {ipv4, ipv6}, like web1: {ipv4: [203.0.113.10]}, found \(node.kindDescription)",
                at: node)
            return nil
        }
        if pairs.isEmpty {
            reader.fail("hosts must name at least one host", at: node)
            return nil
        }
        var hosts: [Fleet.Host] = []
        var ok = true
        var addressOwner: [String: String] = [:]
        for pair in pairs {
            let name = pair.keyText
            guard Fleet.isValidHostName(name) else {
                reader.fail(
                    "host name \(YAMLScalar.quote(name)) must be 1 to 63 lowercase letters, digits and \"-\" (it is written into DNS)",
                    at: pair.key)
                ok = false
                continue
            }
            if let first = hosts.first(where: { $0.name == name }) {
                reader.fail(
                    "host \(YAMLScalar.quote(name)) is declared twice: here and at \(first.declaredAt)", at: pair.key)
                ok = false
                continue
            }
            guard let addresses = readHost(pair.value, &reader, what: "hosts.\(name)") else {
                ok = false
                continue
            }
            for address in addresses.addresses(.ipv4) + addresses.addresses(.ipv6) {
                // One owner per address: the DNS registry attributes each address to one host.
                if let other = addressOwner[address] {
                    reader.fail(
                        "address \(address) of host \(name) is also host \(other)'s; every address belongs to one host",
                        at: pair.value)
                    ok = false
                }
                addressOwner[address] = name
            }
            hosts.append(Fleet.Host(name: name, addresses: addresses, declaredAt: pair.key.mark))
        }
        return ok ? hosts : nil
    }

    /// The hosts serving a vhost: its `hosts:` (each a declared host that has every family the
    /// vhost wants), else every host.
    private func assignHosts(_ entry: VhostEntry, fleet: [Fleet.Host], _ reader: inout SchemaReader) -> [String] {
        let known = fleet.map(\.name)
        var names: [String] = []
        for (name, node) in entry.hosts ?? fleet.map({ ($0.name, entry.keyNode) }) {
            guard let host = fleet.first(where: { $0.name == name }) else {
                var message =
                    "vhost \(YAMLScalar.quote(entry.name)) names host \(YAMLScalar.quote(name)), which hosts does not declare (\(known.joined(separator: ", ")))"
                if let guess = Suggestion.closest(to: name, among: known) { message += "; did you mean \"\(guess)\"?" }
                reader.fail(message, at: node)
                continue
            }
            for family in entry.families where host.addresses.addresses(family).isEmpty {
                reader.fail(
                    "vhost \(YAMLScalar.quote(entry.name)) wants \(family.rawValue) but hosts.\(name).\(family.rawValue) lists no address",
                    at: entry.hosts == nil ? (entry.familiesNode ?? entry.keyNode) : node)
            }
            names.append(name)
        }
        return names.sorted()
    }
}
