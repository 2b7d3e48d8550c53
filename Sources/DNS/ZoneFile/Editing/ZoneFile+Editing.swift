import Foundation

extension ZoneFile {
    /// The file's bytes with `deletions` removed, `additions` added and the SOA serial bumped;
    /// every other byte stays as it was. Pure: nothing is written.
    ///
    /// - A deleted record's entry goes as whole lines (with its trailing comment). A record
    ///   matches when name, type, class and data are equal; the TTL is not compared, as in an
    ///   RFC 2136 delete. Deleting a record the zone does not hold is an error.
    /// - When an entry that stays relied on a deleted one for its owner (its line starts with a
    ///   blank) or, without `$TTL`, for its TTL, that field is written into it.
    /// - An added record goes on a new line after the last entry of the same owner, else at the
    ///   end of the file, in ``ResourceRecord/presentation`` form and the file's line endings.
    /// - The SOA serial is replaced in place by ``SOA/nextSerial(after:now:)``.
    ///
    /// The result is parsed again and must hold exactly the intended records in the intended
    /// order, else nothing is returned (``ZoneFileError/Reason/editNotVerified(_:)``).
    public func edited(
        adding additions: [ResourceRecord], deleting deletions: [ResourceRecord], now: Date
    ) throws(ZoneFileError) -> [UInt8] {
        for record in additions { try checkAddition(record) }
        let deleted = try entriesToDelete(deletions)
        try checkNotPresent(additions, deleted: deleted)

        // Additions go after the last entry of their owner, in the order given.
        var lastEntryOfOwner: [ZoneFileNameKey: Int] = [:]
        if !additions.isEmpty {
            for record in additions { lastEntryOfOwner[ZoneFileNameKey(record.name)] = -1 }
            for (index, record) in records.enumerated() {
                let key = ZoneFileNameKey(record.name)
                if lastEntryOfOwner[key] != nil { lastEntryOfOwner[key] = index }
            }
        }
        var additionsAfter: [Int: [ResourceRecord]] = [:]
        var additionsAtEnd: [ResourceRecord] = []
        for record in additions {
            if let index = lastEntryOfOwner[ZoneFileNameKey(record.name)], index >= 0 {
                additionsAfter[index, default: []].append(record)
            } else {
                additionsAtEnd.append(record)
            }
        }

        // Walk the entries in their new order, tracking what a reader carries forward, and
        // write a field into an entry that would otherwise inherit the wrong value.
        var edits: [ZoneFileByteEdit] = []
        // The records the result must hold, in file order.
        var expected: [ResourceRecord] = []
        expected.reserveCapacity(records.count + additions.count)
        let newSerial = SOA.nextSerial(after: soa.serial, now: now)
        var lastOwner: DNSName? = nil
        var lastTTL: UInt32? = nil
        for index in entries.indices {
            let record = records[index]
            let layout = layouts[index]
            let span = entries[index].location.byteRange
            if deleted[index] {
                edits.append(ZoneFileByteEdit(replacing: span, with: []))
            } else {
                expected.append(index == soaIndex ? withSerial(newSerial) : record)
                let ownerCarries = lastOwner.map { ZoneFileNameKey.sameName($0, record.name) } ?? false
                if layout.ownerOmitted && !ownerCarries {
                    let owner = record.name.relativePresentation(to: layout.origin)
                    edits.append(ZoneFileByteEdit(inserting: Array(owner.utf8), at: span.lowerBound, order: 1))
                }
                if layout.inheritsPreviousTTL && lastTTL != record.ttl {
                    edits.append(ZoneFileByteEdit(inserting: Array("\(record.ttl) ".utf8), at: layout.fieldsStart))
                }
                lastOwner = record.name
                lastTTL = record.ttl
            }
            if let added = additionsAfter[index], span.upperBound == bytes.count {
                // The last entry ends the file: its additions join those at the end.
                additionsAtEnd.insert(contentsOf: added, at: 0)
            } else if let added = additionsAfter[index] {
                expected += added
                edits.append(ZoneFileByteEdit(inserting: addedLines(added, at: span.upperBound), at: span.upperBound))
                lastOwner = added.last?.name
                lastTTL = added.last?.ttl
            }
        }
        expected += additionsAtEnd
        if !additionsAtEnd.isEmpty {
            edits.append(
                ZoneFileByteEdit(inserting: addedLines(additionsAtEnd, at: bytes.count), at: bytes.count))
        }

        guard let serialRange = layouts[soaIndex].serialRange else {
            throw ZoneFileError(path: path, reason: .editNotVerified("the SOA serial was not found in the file"))
        }
        edits.append(ZoneFileByteEdit(replacing: serialRange, with: Array(String(newSerial).utf8)))

        guard let output = ZoneFileByteEdit.apply(edits, to: bytes) else {
            throw ZoneFileError(path: path, reason: .editNotVerified("two changes overlap"))
        }
        try verify(output, holds: expected)
        return output
    }

    /// The entries that `deletions` remove; every identical entry of a record goes.
    func entriesToDelete(_ deletions: [ResourceRecord]) throws(ZoneFileError) -> [Bool] {
        var deleted = [Bool](repeating: false, count: entries.count)
        guard !deletions.isEmpty else { return deleted }
        var found: [ZoneFileRecordIdentity: Bool] = [:]
        for record in deletions {
            guard record.type != .soa else { throw ZoneFileError(path: path, reason: .soaNotEditable) }
            found[ZoneFileRecordIdentity(record)] = false
        }
        for (index, record) in records.enumerated() {
            let identity = ZoneFileRecordIdentity(record)
            if found[identity] != nil {
                found[identity] = true
                deleted[index] = true
            }
        }
        if let missing = deletions.first(where: { found[ZoneFileRecordIdentity($0)] == false }) {
            throw ZoneFileError(path: path, reason: .recordNotFound(missing.presentation))
        }
        return deleted
    }

    /// Refuses to add a record the zone already holds (and keeps): a second line would change
    /// nothing BIND serves, and the plan that asked for it was made on another view of the zone.
    func checkNotPresent(_ additions: [ResourceRecord], deleted: [Bool]) throws(ZoneFileError) {
        guard !additions.isEmpty else { return }
        let added = Set(additions.map(ZoneFileRecordIdentity.init))
        for (index, record) in records.enumerated() where !deleted[index] {
            if added.contains(ZoneFileRecordIdentity(record)) {
                let location = entries[index].location
                throw ZoneFileError(
                    path: path, line: location.line, column: location.column,
                    reason: .recordAlreadyPresent(record.presentation))
            }
        }
    }

    /// Refuses an addition the file could not hold as intended.
    func checkAddition(_ record: ResourceRecord) throws(ZoneFileError) {
        guard record.type != .soa else { throw ZoneFileError(path: path, reason: .soaNotEditable) }
        guard record.name.isSubdomain(of: origin) else {
            throw ZoneFileError(path: path, reason: .outsideZone(name: record.name, origin: origin))
        }
        guard record.rclass == .in else {
            throw ZoneFileError(path: path, reason: .unsupportedClass(record.rclass.description))
        }
        guard record.ttl <= ZoneFileTTL.maximum else {
            throw ZoneFileError(path: path, reason: .badTTL(String(record.ttl)))
        }
        let matches: Bool =
            switch (record.type, record.data) {
            case (.a, .a), (.aaaa, .aaaa), (.cname, .cname), (.ns, .ns): true
            case (.txt, .txt(let strings)): !strings.isEmpty && strings.allSatisfy { $0.count <= 255 }
            case (let type, .opaque(let bytes)) where ZoneFileOpaqueTypes.shapes[type] != nil:
                ZoneFileOpaqueTypes.presentation(type, bytes) != nil
            case (let type, .opaque): !ZoneFileTypes.hasTypedForm(type)
            default: false
            }
        guard matches else {
            throw ZoneFileError(path: path, reason: .dataDoesNotMatchType(record.presentation))
        }
    }

    /// Added records as lines, with a line break first when the file does not end in one.
    func addedLines(_ records: [ResourceRecord], at offset: Int) -> [UInt8] {
        let newline: [UInt8] = usesCRLF ? [13, 10] : [10]
        var out: [UInt8] = []
        if offset == bytes.count, let last = bytes.last, last != 10 { out += newline }
        for record in records {
            out += Array(record.presentation.utf8)
            out += newline
        }
        return out
    }

    /// Whether the file's first line ends in CRLF; added lines follow suit.
    var usesCRLF: Bool {
        guard let newline = bytes.firstIndex(of: 10) else { return false }
        return newline > 0 && bytes[newline - 1] == 13
    }

    /// The SOA record with `serial`.
    func withSerial(_ serial: UInt32) -> ResourceRecord {
        var record = records[soaIndex]
        var newSOA = soa
        newSOA.serial = serial
        record.data = .soa(newSOA)
        return record
    }

    /// Parses `output` and checks it holds exactly `expected`, in that order.
    func verify(_ output: [UInt8], holds expected: [ResourceRecord]) throws(ZoneFileError) {
        let reparsed: ZoneFile
        do {
            reparsed = try ZoneFile.parse(output, path: path, origin: origin)
        } catch {
            throw ZoneFileError(path: path, reason: .editNotVerified("the result does not parse: \(error)"))
        }
        let found = reparsed.records
        let common = min(found.count, expected.count)
        if let index = (0..<common).first(where: { !ZoneFileRecordIdentity.identical(found[$0], expected[$0]) }) {
            throw ZoneFileError(
                path: path,
                reason: .editNotVerified(
                    "expected \(expected[index].presentation), found \(found[index].presentation)"))
        }
        guard found.count == expected.count else {
            throw ZoneFileError(
                path: path, reason: .editNotVerified("expected \(expected.count) records, found \(found.count)"))
        }
    }
}
