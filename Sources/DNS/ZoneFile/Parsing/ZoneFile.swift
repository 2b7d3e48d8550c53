/// A zone in RFC 1035 master-file form: the file's bytes and the records they hold, each with
/// where its entry is, so that an edit can change exactly the lines it means to.
///
/// Supported: `$ORIGIN`, `$TTL`, `@`, relative and absolute names, owner/TTL/class carried
/// forward, parentheses across lines, `;` comments, quoted strings with escapes, TTL units,
/// class IN, types A, AAAA, CNAME, NS, SOA, TXT (typed in ``RData``), MX, PTR, SRV, CAA, TLSA,
/// SSHFP, DS, HINFO, SPF (kept as uncompressed wire bytes in `RData.opaque`) and any type in
/// RFC 3597 form (`TYPE65534 \# 3 abcdef`). `$INCLUDE` and `$GENERATE` are reported as unsupported.
public struct ZoneFile: Sendable {
    /// The path the file was read from, used in errors and record locations.
    public let path: String
    /// The zone's origin (its apex), as given to ``parse(_:path:origin:)``.
    public let origin: DNSName
    /// The file exactly as read.
    public let bytes: [UInt8]
    /// Every record in file order, with its location.
    public let entries: [ZoneFileRecord]
    /// Every record in file order.
    public let records: [ResourceRecord]
    /// The zone's SOA.
    public let soa: SOA
    /// Index in ``entries`` of the SOA record.
    public let soaIndex: Int

    let layouts: [ZoneFileRecordLayout]

    /// Parses a master file. Pure: `bytes` is the file, `path` is only used in messages.
    ///
    /// Relative names are completed with `origin` until a `$ORIGIN` changes it. The zone must
    /// have exactly one SOA, at `origin`.
    public static func parse(_ bytes: [UInt8], path: String, origin: DNSName) throws(ZoneFileError) -> ZoneFile {
        var parser = ZoneFileParser(bytes: bytes, path: path, origin: origin)
        try parser.parseAll()
        var soaIndex: Int? = nil
        for entry in parser.records where !entry.record.name.isSubdomain(of: origin) {
            // BIND ignores such records with a warning; here they are an error, since a record
            // that is silently not served is exactly the drift this tool exists to catch.
            throw ZoneFileError(
                path: path, line: entry.location.line, column: entry.location.column,
                reason: .outsideZone(name: entry.record.name, origin: origin))
        }
        for (index, entry) in parser.records.enumerated() where entry.record.type == .soa {
            let location = entry.location
            if let first = soaIndex {
                throw ZoneFileError(
                    path: path, line: location.line, column: location.column,
                    reason: .duplicateSOA(firstLine: parser.records[first].location.line))
            }
            guard entry.record.name == origin else {
                throw ZoneFileError(
                    path: path, line: location.line, column: location.column,
                    reason: .soaNotAtOrigin(owner: entry.record.name, origin: origin))
            }
            soaIndex = index
        }
        guard let soaIndex, case .soa(let soa) = parser.records[soaIndex].record.data else {
            throw ZoneFileError(path: path, line: 1, column: 1, reason: .missingSOA(origin: origin))
        }
        return ZoneFile(
            path: path, origin: origin, bytes: bytes, entries: parser.records,
            records: parser.records.map(\.record), soa: soa, soaIndex: soaIndex, layouts: parser.layouts)
    }
}
