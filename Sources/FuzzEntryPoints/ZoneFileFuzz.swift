import DNS

/// Entry point for the zone-file parser's fuzzer (`Fuzz/`) and its regression test: any bytes
/// must parse or throw a ``ZoneFileError``, never crash or hang; a zone that parses has its
/// SOA where ``ZoneFile/soaIndex`` says.
public enum ZoneFileFuzz {
    /// The origin the input is parsed under.
    public static let origin = DNSName(uncheckedLabels: [Array("example".utf8)])

    /// Parses `bytes`; returns a description of a broken invariant, or nil.
    public static func violation(in bytes: [UInt8]) -> String? {
        guard let zone = try? ZoneFile.parse(bytes, path: "fuzz.zone", origin: origin) else { return nil }
        guard zone.entries.indices.contains(zone.soaIndex) else {
            return "soaIndex \(zone.soaIndex) is outside the entries"
        }
        return zone.records.count == zone.entries.count ? nil : "records and entries differ in number"
    }
}
