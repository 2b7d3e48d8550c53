import Crypto
import DNS
import DesiredState
import Foundation
import Nginx

/// Compares the desired state with what was observed and produces the plan: findings, and
/// the ordered actions that fix what can be fixed safely. Pure: no I/O.
public struct Planner: Sendable {
    public let desired: DesiredState
    public let observation: Observation
    public let fingerprint: DesiredFingerprint
    /// Paths under this directory are shown relative to it.
    public let displayBase: String
    public let now: Date
    /// Set for one host of a fleet (DESIGN §15): only what it may withdraw is withdrawn.
    public var fleet: FleetView?

    public init(
        desired: DesiredState, observation: Observation, fingerprint: DesiredFingerprint, displayBase: String,
        now: Date = Date()
    ) {
        self.desired = desired
        self.observation = observation
        self.fingerprint = fingerprint
        self.displayBase = displayBase
        self.now = now
    }

    /// One vhost/family/port as nginx treats it.
    enum ServingStatus: Equatable {
        case served
        /// No own block answers; `answeredBy` is the block that does, if any.
        case notServed(answeredBy: Int?)
        /// The own block listens, but nginx hands the name, reaching `address`, to another block.
        case answeredByOther(Int, address: String)
        case undecidable(String)
    }

    public func plan() -> Plan {
        var findings: [Finding] = []
        var actions: [Action] = []
        var notes: [String] = []
        // Listen removals, one edit each (additions go through the batch below).
        var removals: [FileEdit] = []
        var removalKeys: Set<String> = []
        var dnsChanges: [Action.Phase: [String: [RecordSetChange]]] = [:]
        var recordSets: [Preconditions.RecordSetState] = []

        let tree = observation.nginx
        let selector = NginxServerSelector(tree: tree)
        // A fleet host's other vhosts are the desired state's too, not unmanaged.
        let vhostNames = Set((desired.fleet?.allVhosts ?? desired.vhosts).map(\.name))
        let familiesByName = Dictionary(
            desired.vhosts.map { ($0.name, Set($0.families)) }, uniquingKeysWith: { a, _ in a })

        // Files the running nginx has not loaded: what follows is judged on the files.
        if let runtime = observation.nginxRuntime, !runtime.unloadedFiles.isEmpty {
            let iso = ISO8601DateFormatter()
            findings.append(
                Finding(
                    kind: .configNotLoaded, vhost: display(tree.mainConfigPath),
                    message:
                        "nginx (master \(runtime.masterPID)) last loaded its configuration at \(iso.string(from: runtime.loadedAt)); \(runtime.unloadedFiles.count == 1 ? "a file has" : "\(runtime.unloadedFiles.count) files have") changed since, so what this plan reads may not be what nginx serves: check with nginx -t and reload nginx",
                    evidence: runtime.unloadedFiles.map { "\(display($0.path)): modified \(iso.string(from: $0.modified))" }))
        }

        // A stopped nginx serves nothing, whatever its files say.
        if case .notRunning(let reason) = observation.nginxMaster {
            findings.append(
                Finding(
                    kind: .nginxNotRunning, vhost: display(tree.mainConfigPath),
                    message:
                        "nginx is not running this configuration (\(reason)): a stopped nginx serves none of the vhosts"
                ))
        }

        // Listens nginx accepts in `nginx -t` but cannot bind: the model's sockets are not real.
        findings += listenConflictFindings(tree)

        // The host's addresses on this machine.
        if let interfaces = observation.interfaces {
            for family in AddressFamily.allCases {
                for address in desired.host.addresses(family) where !interfaces.addresses.contains(address) {
                    findings.append(
                        Finding(
                            kind: .addressNotOnHost, vhost: address, family: family,
                            message:
                                "host.\(family.rawValue) lists \(address), but no interface of this machine has it",
                            evidence: [
                                "addresses on this machine: "
                                    + interfaces.addresses.filter { !$0.hasPrefix("fe80:") }.sorted().joined(
                                        separator: ", ")
                            ]))
                }
            }
        }

        let claims = NginxNameClaims(tree: tree)
        // Text forms computed once per run, not once per vhost and family.
        let hostIPv4 = desired.host.addresses(.ipv4)
        let hostIPv6 = desired.host.addresses(.ipv6)
        let localIPv4 = hostIPv4.map { NginxListenAddress.literal($0) }
        let localIPv6 = hostIPv6.map { NginxListenAddress.literal($0) }
        // All listen additions go through one batch, so each is judged against the ones
        // before it and the whole plan stays linear in the number of blocks.
        var batch = NginxListenBatch(tree: tree)
        var handles: [String: Int] = [:]
        var actionOfHandle: [Int: Int] = [:]
        for vhost in desired.vhosts {
            let probeHost = Self.probeHost(vhost)
            // Every block whose server_name matches, best first (nginx's order): whichever of
            // them nginx picks on a socket is the vhost's own block there.
            let claimants = claims.claimants(of: probeHost)
            let own = Self.flatten(claimants)
            let preferred = claimants.first ?? []
            if own.isEmpty {
                findings.append(
                    Finding(
                        kind: .missingServerBlock, vhost: vhost.name,
                        message:
                            "no server block has a server_name matching \(vhost.name) (exact, wildcard or regex); add one (reconcile does not write server blocks)",
                        evidence: [
                            "searched \(Self.count(tree.serverBlocks.count, "server block")) in \(Self.count(tree.files.count, "file"))"
                        ]))
            }

            // DNS as published, unless the name is a CNAME.
            var dnsManaged = true
            var published: [AddressFamily: [ResourceRecord]] = [.ipv4: [], .ipv6: []]
            var viaCNAME: String?
            // The published values per family in text form, when they are the name's own
            // records (no CNAME): computed once for both the preconditions and the diff.
            var publishedText: [AddressFamily: [String]] = [:]
            let dnsNameText = vhost.dnsName.description
            if let snapshot = observation.dns.zone(containing: vhost.dnsName) {
                let resolved = observation.dns.resolve(vhost.dnsName)
                switch resolved {
                case .records(let v4, let v6, let chain):
                    published[.ipv4] = v4
                    published[.ipv6] = v6
                    if let chain {
                        viaCNAME = chain
                        dnsManaged = false
                    }
                case .external(let chain):
                    dnsManaged = false
                    findings.append(
                        Finding(
                            kind: .externalCNAME, vhost: vhost.name,
                            message:
                                "\(vhost.name) is a CNAME to a name outside the managed zones; its DNS is not managed here",
                            evidence: chain))
                    published = [.ipv4: [], .ipv6: []]
                }
                let direct = dnsManaged && viaCNAME == nil
                for family in AddressFamily.allCases {
                    // Without a CNAME, what resolve found are the name's own records.
                    let own = direct ? published[family] ?? [] : snapshot.records(vhost.dnsName, family == .ipv4 ? .a : .aaaa)
                    let values = own.map { $0.data.presentation(as: $0.type) }
                    if direct { publishedText[family] = values }
                    recordSets.append(.init(name: dnsNameText, type: family.recordTypeName, values: values.sorted()))
                }
            } else {
                dnsManaged = false
                notes.append("\(vhost.name): its zone \(vhost.zone) was not observed")
            }

            for family in AddressFamily.allCases {
                let wanted = vhost.families.contains(family)
                let records = published[family] ?? []
                let publishedValues = publishedText[family] ?? records.map { $0.data.presentation(as: $0.type) }
                // Only a finding shows the records.
                lazy var recordEvidence = records.map(\.presentation)
                let hostAddresses = family == .ipv4 ? hostIPv4 : hostIPv6
                let nginxFamily: NginxAddressFamily = family == .ipv4 ? .ipv4 : .ipv6
                var status: [UInt16: ServingStatus] = [:]
                for port in vhost.ports {
                    status[port] = servingStatus(
                        selector: selector, own: own, family: nginxFamily, port: port, host: probeHost,
                        addresses: hostAddresses, locals: family == .ipv4 ? localIPv4 : localIPv6, tree: tree)
                }

                if wanted {
                    var willServe = !own.isEmpty
                    for port in vhost.ports {
                        guard let portStatus = status[port] else { continue }
                        switch portStatus {
                        case .served:
                            continue
                        case .answeredByOther(let other, let address):
                            willServe = false
                            var message =
                                "\(vhost.name)'s own block listens on \(family.rawValue) port \(port), but nginx gives the requests to another block"
                            var capture: [String] = []
                            if let listen = capturingListen(other, family: nginxFamily, address: address, port: port),
                                let source = listen.source
                            {
                                message +=
                                    ": its listen \(listen.socketDescription) is matched first for connections to \(family == .ipv6 ? "[\(address)]" : address):\(port) (nginx picks the address:port before the name)"
                                capture = [
                                    "captured by: \(display(source.file)):\(source.location.line): \(source.text)"
                                ]
                            }
                            findings.append(
                                Finding(
                                    kind: .answeredByOtherBlock, vhost: vhost.name, family: family, port: port,
                                    message: message,
                                    evidence: listenEvidence(own, family: nginxFamily, port: port, tree: tree)
                                        + ["answered by: " + blockEvidence(other, tree: tree)] + capture
                                        + recordEvidence,
                                    answeredBy: blockReference(other, tree: tree)))
                        case .undecidable(let reason):
                            willServe = false
                            notes.append(
                                "\(vhost.name) \(family.rawValue) port \(port): cannot tell which block answers: \(reason)"
                            )
                        case .notServed(let answeredBy):
                            let advertised = !records.isEmpty
                            let kind: FindingKind = advertised ? .advertisedNotServed : .missingListen
                            var evidence = listenEvidence(own, family: nginxFamily.other, port: port, tree: tree)
                            if let answeredBy {
                                evidence.append("answered instead by: " + blockEvidence(answeredBy, tree: tree))
                            }
                            let answeredByReference = answeredBy.map { blockReference($0, tree: tree) }
                            evidence += recordEvidence
                            var message =
                                advertised
                                ? "DNS publishes \(family.recordTypeName) for \(vhost.name), but nginx does not serve it over \(family.rawValue) on port \(port)"
                                : "nginx does not serve \(vhost.name) over \(family.rawValue) on port \(port)"
                            if let block = editTarget(own, family: nginxFamily, port: port) {
                                let key = "add \(block) \(family) \(port)"
                                if handles[key] == nil {
                                    do {
                                        let handle = try batch.add(
                                            NginxListenRequest(block: block, family: nginxFamily, port: Int(port)),
                                            hostAddresses: hostAddresses)
                                        handles[key] = handle
                                        actionOfHandle[handle] = actions.count
                                        // File, line and text are filled in once the batch is rendered.
                                        actions.append(
                                            .nginx(
                                                .nginxAddListen, phase: .serve, vhost: vhost.name, family: family,
                                                port: port,
                                                file: tree.serverBlocks[block].file, line: 0, text: ""))
                                    } catch {
                                        willServe = false
                                        message += "; not fixed automatically: \(error)"
                                    }
                                }
                            } else {
                                willServe = false
                            }
                            findings.append(
                                Finding(
                                    kind: kind, vhost: vhost.name, family: family, port: port, message: message,
                                    evidence: evidence, answeredBy: answeredByReference))
                        }
                    }
                    guard dnsManaged else {
                        if let viaCNAME, Set(publishedValues) != Set(hostAddresses) {
                            notes.append(
                                "\(vhost.name) \(family.recordTypeName): published via \(viaCNAME); fix the records at the CNAME target"
                            )
                        }
                        continue
                    }
                    let others = publishedValues.filter { !hostAddresses.contains($0) }
                    let extra =
                        fleet?.withdrawable(vhost, family, candidates: others, published: publishedValues) ?? others
                    let missing = hostAddresses.filter { !publishedValues.contains($0) }
                    if extra.isEmpty && missing.isEmpty { continue }
                    var change = RecordSetChange(
                        name: vhost.dnsName.description, family: family, expected: publishedValues.sorted(), adding: [],
                        deleting: [], ttl: desired.dns.ttl)
                    if !extra.isEmpty {
                        findings.append(
                            Finding(
                                kind: .wrongAddress, vhost: vhost.name, family: family,
                                message:
                                    "DNS publishes \(extra.joined(separator: ", ")) for \(vhost.name), which is not an address of this host (host.\(family.rawValue): \(hostAddresses.joined(separator: ", ")))",
                                evidence: recordEvidence))
                        change.deleting = extra
                    }
                    if !missing.isEmpty {
                        var message =
                            "DNS does not publish \(missing.joined(separator: ", ")) (\(family.recordTypeName)) for \(vhost.name)"
                        if willServe {
                            change.adding = missing
                        } else {
                            message += "; it will be published once nginx serves \(vhost.name) over \(family.rawValue)"
                        }
                        findings.append(
                            Finding(
                                kind: .missingRecord, vhost: vhost.name, family: family, message: message,
                                evidence: recordEvidence.isEmpty
                                    ? ["no \(family.recordTypeName) record at \(vhost.dnsName)"] : recordEvidence
                            ))
                    }
                    if !change.adding.isEmpty || !change.deleting.isEmpty {
                        dnsChanges[.advertise, default: [:]][vhost.zone.description, default: []].append(change)
                        for value in change.deleting {
                            actions.append(
                                .dns(
                                    .dnsDelete, phase: .advertise, vhost: vhost.name, family: family,
                                    zone: vhost.zone.description,
                                    name: vhost.dnsName.description,
                                    ttl: records.first { $0.data.presentation(as: $0.type) == value }?.ttl
                                        ?? desired.dns.ttl, value: value))
                        }
                        for value in change.adding {
                            actions.append(
                                .dns(
                                    .dnsAdd, phase: .advertise, vhost: vhost.name, family: family,
                                    zone: vhost.zone.description,
                                    name: vhost.dnsName.description, ttl: desired.dns.ttl, value: value))
                        }
                    }
                } else {
                    // The family is not wanted: DNS must not publish it, and the own block
                    // should stop listening on it once nothing advertises it.
                    let withdrawn =
                        fleet?.withdrawable(vhost, family, candidates: publishedValues, published: publishedValues)
                        ?? publishedValues
                    if dnsManaged && !records.isEmpty {
                        let unserved = vhost.ports.filter { status[$0] != .served }
                        if unserved.isEmpty {
                            findings.append(
                                Finding(
                                    kind: .undesiredRecord, vhost: vhost.name, family: family,
                                    message:
                                        "DNS publishes \(family.recordTypeName) for \(vhost.name), but the desired state does not list \(family.rawValue)",
                                    evidence: recordEvidence))
                        } else {
                            for port in unserved {
                                findings.append(
                                    Finding(
                                        kind: .advertisedNotServed, vhost: vhost.name, family: family, port: port,
                                        message:
                                            "DNS publishes \(family.recordTypeName) for \(vhost.name), but nginx does not serve it over \(family.rawValue) on port \(port) (the desired state does not list \(family.rawValue): the records will be withdrawn)",
                                        evidence: listenEvidence(own, family: nginxFamily.other, port: port, tree: tree)
                                            + recordEvidence))
                            }
                        }
                        let change = RecordSetChange(
                            name: vhost.dnsName.description, family: family, expected: publishedValues.sorted(),
                            adding: [],
                            deleting: withdrawn, ttl: desired.dns.ttl)
                        if !withdrawn.isEmpty {
                            dnsChanges[.withdraw, default: [:]][vhost.zone.description, default: []].append(change)
                        }
                        for record in records where withdrawn.contains(record.data.presentation(as: record.type)) {
                            actions.append(
                                .dns(
                                    .dnsDelete, phase: .withdraw, vhost: vhost.name, family: family,
                                    zone: vhost.zone.description,
                                    name: vhost.dnsName.description, ttl: record.ttl,
                                    value: record.data.presentation(as: record.type)))
                        }
                    } else if !dnsManaged, let viaCNAME, !records.isEmpty {
                        notes.append(
                            "\(vhost.name) \(family.recordTypeName): published via \(viaCNAME) although \(family.rawValue) is not wanted; fix the CNAME target"
                        )
                    }
                    for blockIndex in preferred {
                        let block = tree.serverBlocks[blockIndex]
                        for listen in block.listens
                        where listen.family == nginxFamily && vhost.ports.contains(UInt16(clamping: listen.port ?? 0)) {
                            guard let source = listen.source else { continue }
                            var message =
                                "\(vhost.name)'s block listens on \(family.rawValue) port \(listen.port ?? 0), which the desired state does not list"
                            let othersWant = blockNames(block).filter { name in
                                !vhostNames.contains(name) || familiesByName[name]?.contains(family) == true
                            }
                            if !othersWant.isEmpty {
                                message +=
                                    "; left in place because the block also serves \(othersWant.sorted().joined(separator: ", "))"
                            } else {
                                do {
                                    let edit = try tree.removeListen(listen, fromBlock: blockIndex)
                                    let key = "remove \(blockIndex) \(source.byteRange)"
                                    if removalKeys.insert(key).inserted {
                                        removals.append(edit)
                                        actions.append(
                                            .nginx(
                                                .nginxRemoveListen, phase: .unserve, vhost: vhost.name, family: family,
                                                port: UInt16(clamping: listen.port ?? 0), file: edit.path,
                                                line: edit.line,
                                                text: source.text))
                                    }
                                } catch {
                                    message += "; not removed automatically: \(error)"
                                }
                            }
                            findings.append(
                                Finding(
                                    kind: .undesiredListen, vhost: vhost.name, family: family,
                                    port: UInt16(clamping: listen.port ?? 0), message: message,
                                    evidence: ["\(display(source.file)):\(source.location.line): \(source.text)"]))
                        }
                    }
                }
            }
        }

        // Names nginx serves inside managed zones that the desired state does not list.
        var reported: Set<String> = []
        for block in tree.serverBlocks {
            for name in block.serverNames where name.kind == .exact && !name.name.isEmpty {
                guard !vhostNames.contains(name.name), !reported.contains(name.name),
                    let dnsName = try? DNSName(name.name + "."), desired.dns.zone(containing: dnsName) != nil
                else { continue }
                reported.insert(name.name)
                findings.append(
                    Finding(
                        kind: .unmanagedVhost, vhost: name.name,
                        message:
                            "nginx serves \(name.name) inside a managed zone, but the desired state does not list it",
                        evidence: ["\(display(name.location.file)):\(name.location.line): server_name \(name.text)"]))
            }
        }

        // Every authoritative server of each zone (DESIGN §14).
        findings += nameserverFindings()

        // Probe results.
        for probe in observation.probes ?? [] where probe.failure != nil {
            findings.append(
                Finding(
                    kind: .unreachable, vhost: probe.vhost, family: AddressFamily(rawValue: probe.family),
                    port: probe.port,
                    message:
                        "\(probe.vhost) is unreachable over \(probe.family) on port \(probe.port): \(probe.failure ?? "")",
                    // The reason is in the message once; the evidence is what was connected to.
                    evidence: [
                        "probed \(probe.address.contains(":") ? "[\(probe.address)]" : probe.address):\(probe.port)"
                    ]))
        }

        findings += familiesDifferFindings(observation.probes ?? [])

        // The additions, rendered one edit per file, with each action's line.
        let (serveEdits, placements) = batch.editsAndPlacements()
        for (handle, placement) in placements {
            guard let index = actionOfHandle[handle] else { continue }
            actions[index].file = placement.path
            actions[index].line = placement.line
            actions[index].text = placement.directive
        }
        let serveByFile = Dictionary(serveEdits.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        // Removals combine per file; on a file that also gets additions they land on top of them.
        var fileChanges: [NginxFileChange] = []
        let removalsByFile = Dictionary(grouping: removals, by: \.path)
        for path in Set(serveByFile.keys).union(removalsByFile.keys).sorted() {
            let serve = serveByFile[path]
            let removals = removalsByFile[path] ?? []
            guard let original = serve?.originalBytes ?? removals.first?.originalBytes else { continue }
            let afterServe = serve?.newBytes ?? original
            var afterUnserve: [UInt8]?
            if !removals.isEmpty {
                let splices = removals.map { Splice(from: $0.originalBytes, to: $0.newBytes) }
                let onOriginal = Splice.apply(splices, to: original)
                if serve == nil {
                    afterUnserve = onOriginal
                } else if let onOriginal {
                    // Both kinds in one file: the removals are byte ranges of the original;
                    // replay them on the added-to text by diffing against it.
                    afterUnserve = Splice.apply(
                        [Splice(from: original, to: onOriginal)] + [Splice(from: original, to: afterServe)],
                        to: original)
                }
                if afterUnserve == nil {
                    notes.append(
                        "\(display(path)): additions and removals overlap; apply, then run plan again for the rest")
                    actions.removeAll { $0.file == path && $0.kind == .nginxRemoveListen }
                }
            }
            fileChanges.append(
                NginxFileChange(path: path, original: original, afterServe: serve?.newBytes, afterUnserve: afterUnserve)
            )
        }

        // A listen whose record was withdrawn by an earlier apply waits out the record's TTL.
        let iso = ISO8601DateFormatter()
        for index in actions.indices where actions[index].kind == .nginxRemoveListen {
            let action = actions[index]
            let waits = observation.withdrawals.filter { $0.vhost == action.vhost && $0.family == action.family }
            if let latest = waits.map(\.safeAfter).max(), latest > now {
                actions[index].notBefore = iso.string(from: latest)
            }
        }

        let order: [Action.Kind: Int] = [.nginxAddListen: 0, .dnsDelete: 1, .dnsAdd: 2, .nginxRemoveListen: 3]
        actions = actions.enumerated().sorted {
            ($0.element.phase.rawValue, order[$0.element.kind] ?? 0, $0.offset) < (
                $1.element.phase.rawValue, order[$1.element.kind] ?? 0, $1.offset
            )
        }.map(\.element)
        findings.sort {
            ($0.vhost, $0.severity, $0.family?.rawValue ?? "", $0.port ?? 0) < (
                $1.vhost, $1.severity, $1.family?.rawValue ?? "", $1.port ?? 0
            )
        }

        let preconditions = Preconditions(
            nginxFiles: tree.files.map { .init(path: $0.path, sha256: Self.sha256($0.bytes)) }.sorted {
                $0.path < $1.path
            },
            recordSets: recordSets.sorted { ($0.name, $0.type) < ($1.name, $1.type) })
        var plan = Plan(
            createdAt: ISO8601DateFormatter().string(from: now), desired: fingerprint, findings: findings,
            actions: actions,
            notes: notes, preconditions: preconditions, dnsSource: observation.dnsSource,
            nginxConfig: tree.mainConfigPath, pendingReloads: observation.pendingReloads)
        plan.nginxFileChanges = fileChanges
        plan.checksNotRun = observation.checksNotRun.isEmpty ? nil : observation.checksNotRun
        plan.dnsChanges = dnsChanges.keys.sorted().flatMap { phase in
            (dnsChanges[phase] ?? [:]).keys.sorted().map { zone in
                DNSPhaseChange(phase: phase, zone: zone, changes: dnsChanges[phase]?[zone] ?? [])
            }
        }
        return plan
    }

    // MARK: nginx

    /// The Host a request for the vhost carries: the name itself, or for a wildcard vhost a
    /// name it covers.
    static func probeHost(_ vhost: Vhost) -> String {
        vhost.isWildcard ? "reconcile-check" + vhost.name.dropFirst(1) : vhost.name
    }

    /// The claimant groups as one list, best first, each block once.
    static func flatten(_ groups: [[Int]]) -> [Int] {
        var seen: Set<Int> = []
        return groups.joined().filter { seen.insert($0).inserted }
    }

    /// `1 server block`, `2 server blocks`.
    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

    /// Every name the block serves as written (wildcards and regexes too): a block that also
    /// serves names beyond the vhost keeps its listens.
    func blockNames(_ block: NginxServerBlock) -> [String] {
        block.serverNames.map { $0.kind == .exact || $0.kind == .leadingWildcard ? $0.name : $0.text }.filter {
            !$0.isEmpty
        }
    }

    func servingStatus(
        selector: NginxServerSelector, own: [Int], family: NginxAddressFamily, port: UInt16, host: String,
        addresses: [String], locals: [NginxListenAddress?], tree: NginxConfigTree
    ) -> ServingStatus {
        guard !addresses.isEmpty else { return .notServed(answeredBy: nil) }
        for (address, local) in zip(addresses, locals) {
            let selection =
                local.map { selector.select(family: family, local: $0, port: Int(port), host: host) }
                ?? selector.select(family: family, address: address, port: Int(port), host: host)
            switch selection {
            case .answered(let block, _):
                // One of the vhost's own blocks (a regex one too, which `own` lists only when
                // nothing better names the vhost).
                if own.contains(block) || tree.serverBlocks[block].matches(host: host) { continue }
                let ownListens = own.contains { index in
                    tree.serverBlocks[index].effectiveListens.contains { listen in
                        listen.port == Int(port)
                            && (listen.family == family || (family == .ipv4 && listen.acceptsIPv4OnIPv6Socket))
                    }
                }
                return ownListens ? .answeredByOther(block, address: address) : .notServed(answeredBy: block)
            case .nothingListens:
                return .notServed(answeredBy: nil)
            case .badRequest(let reason), .undecidable(let reason):
                return .undecidable(reason)
            }
        }
        return .served
    }

    /// The own block to add a listen to: the one serving the port on the other family, else
    /// any own block on the port, else the first.
    func editTarget(_ own: [Int], family: NginxAddressFamily, port: UInt16) -> Int? {
        let tree = observation.nginx
        return own.first { index in
            tree.serverBlocks[index].effectiveListens.contains { $0.family == family.other && $0.port == Int(port) }
        } ?? own.first { index in tree.serverBlocks[index].effectiveListens.contains { $0.port == Int(port) } }
            ?? own.first
    }

    func listenEvidence(_ own: [Int], family: NginxAddressFamily, port: UInt16, tree: NginxConfigTree) -> [String] {
        var out: [String] = []
        for index in own {
            let block = tree.serverBlocks[index]
            let listens = block.listens.filter { $0.port == Int(port) }
            if block.listens.isEmpty {
                out.append("\(display(block.file)):\(block.location.line): server { (no listen: nginx listens on *:80)")
            }
            for listen in listens {
                if let source = listen.source {
                    out.append("\(display(source.file)):\(source.location.line): \(source.text)")
                }
            }
        }
        if out.isEmpty, let index = own.first {
            out.append(blockEvidence(index, tree: tree) + " (no listen on port \(port))")
        }
        return out
    }

    /// One `listen-conflict` per pair of listens nginx cannot bind together, both as evidence.
    func listenConflictFindings(_ tree: NginxConfigTree) -> [Finding] {
        let conflicts = tree.listenConflicts()
        guard !conflicts.isEmpty else { return [] }
        var listenText: [NginxSourceLocation: String] = [:]
        for block in tree.serverBlocks {
            for listen in block.listens {
                if let source = listen.source { listenText[source.location] = source.text }
            }
        }
        func evidence(_ location: NginxSourceLocation) -> String {
            "\(display(location.file)):\(location.line): \(listenText[location] ?? "listen")"
        }
        return conflicts.compactMap { conflict in
            guard case .listenConflict(let message, let at, let earlier) = conflict else { return nil }
            return Finding(
                kind: .listenConflict, vhost: display(tree.mainConfigPath),
                message: "nginx cannot start with these listens: \(message)",
                evidence: [evidence(earlier), evidence(at)])
        }
    }

    /// The other block's listen that a connection to `address`:`port` reaches: the one on that
    /// very address, else its wildcard of the family (a dual-stack one for IPv4 too).
    func capturingListen(_ index: Int, family: NginxAddressFamily, address: String, port: UInt16)
        -> NginxListen?
    {
        let listens = observation.nginx.serverBlocks[index].effectiveListens.filter { $0.port == Int(port) }
        let local = NginxListenAddress.literal(address)
        return listens.first { $0.address == local }
            ?? listens.first { $0.family == family && $0.address.isWildcard }
            ?? listens.first { family == .ipv4 && $0.acceptsIPv4OnIPv6Socket }
    }

    /// The block for JSON's `answered_by`: absolute file, line, names as written.
    func blockReference(_ index: Int, tree: NginxConfigTree) -> Finding.BlockReference {
        let block = tree.serverBlocks[index]
        return Finding.BlockReference(
            file: block.file, line: block.location.line, serverNames: block.serverNames.map(\.text))
    }

    /// One `families-differ` per vhost and port where the first answering IPv4 and IPv6
    /// addresses got different answers; both sides as evidence.
    func familiesDifferFindings(_ probes: [ProbeOutcome]) -> [Finding] {
        var order: [String] = []
        var sides: [String: [String: ProbeOutcome]] = [:]
        for probe in probes where probe.response != nil {
            let key = "\(probe.vhost) \(probe.port)"
            if sides[key] == nil { order.append(key) }
            if sides[key]?[probe.family] == nil { sides[key, default: [:]][probe.family] = probe }
        }
        return order.compactMap { key in
            guard let v4 = sides[key]?["ipv4"], let v6 = sides[key]?["ipv6"], let a = v4.response, let b = v6.response
            else { return nil }
            var differences: [String] = []
            if a.status != b.status { differences.append("status") }
            if a.location != b.location { differences.append("redirect target") }
            if a.certificateSubject != b.certificateSubject || a.certificateIssuer != b.certificateIssuer {
                differences.append("certificate")
            }
            if a.bodyDigest != b.bodyDigest { differences.append("body") }
            guard !differences.isEmpty else { return nil }
            return Finding(
                kind: .familiesDiffer, vhost: v4.vhost, port: v4.port,
                message:
                    "ipv4 and ipv6 clients get different answers from \(v4.vhost) on port \(v4.port) (\(differences.joined(separator: ", "))): one family reaches another block or backend",
                evidence: [Self.describe(v4), Self.describe(v6)])
        }
    }

    /// `ipv6 [::1]: HTTP 301 to https://…, certificate CN=a (issuer CN=a), body sha256 3f2a…(12 bytes)`.
    static func describe(_ probe: ProbeOutcome) -> String {
        guard let response = probe.response else { return "\(probe.family) \(probe.address): no response" }
        let address = probe.address.contains(":") ? "[\(probe.address)]" : probe.address
        var text = "\(probe.family) \(address): HTTP \(response.status)"
        if let location = response.location { text += " to \(location)" }
        if let subject = response.certificateSubject {
            text += ", certificate \(subject) (issuer \(response.certificateIssuer ?? "unknown"))"
        }
        return text + ", body sha256 \(response.bodyDigest.prefix(16)) (\(response.bodyBytes) bytes)"
    }

    func blockEvidence(_ index: Int, tree: NginxConfigTree) -> String {
        let block = tree.serverBlocks[index]
        let names = block.serverNames.map(\.text).joined(separator: " ")
        return
            "\(display(block.file)):\(block.location.line): server { server_name \(names.isEmpty ? "\"\"" : names); }"
    }

    func display(_ path: String) -> String { Paths.display(path, from: displayBase) }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
