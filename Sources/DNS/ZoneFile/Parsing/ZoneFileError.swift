/// Everything that can go wrong reading, editing, writing or reloading a zone file.
///
/// Prints as `path:line:column: message` when the problem is at one place in the file, else as
/// `path: message`.
public struct ZoneFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The zone file the problem is in (as given to the parser or provider).
    public let path: String
    /// 1-based line, or 0 when the problem is not at one place in the file.
    public let line: Int
    /// 1-based byte column, or 0 when the problem is not at one place in the file.
    public let column: Int
    /// What went wrong, with the offending value.
    public let reason: Reason

    /// An error at `line`:`column` of `path`, or about the whole file when `line` is 0.
    public init(path: String, line: Int = 0, column: Int = 0, reason: Reason) {
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `path:line:column: message`, or `path: message` when not at one place.
    public var description: String {
        line > 0 ? "\(path):\(line):\(column): \(reason)" : "\(path): \(reason)"
    }

    /// The problem itself; each case carries the value that caused it.
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        case unexpectedCloseParenthesis
        case unclosedParenthesis
        case unterminatedString
        case unsupportedDirective(String)
        case unknownDirective(String)
        case missingDirectiveArgument(String)
        case extraToken(String)
        case notOneRecord(Int)
        case noPreviousOwner
        case badName(String, DNSNameError)
        case illegalByteInName(String, UInt8)
        case quotedName(String)
        case badEscape(String)
        case badTTL(String)
        case noTTL
        case unsupportedClass(String)
        case missingType
        case unknownType(String)
        case missingRData(type: String, expected: String)
        case badIPv4(String)
        case badIPv6(String)
        case badNumber(field: String, text: String, maximum: UInt32)
        case stringTooLong(Int)
        case badGenericData(String)
        case badRData(String)
        case genericDataRequired(String)
        case soaNotAtOrigin(owner: DNSName, origin: DNSName)
        case duplicateSOA(firstLine: Int)
        case missingSOA(origin: DNSName)
        case recordNotFound(String)
        case recordAlreadyPresent(String)
        case soaNotEditable
        case outsideZone(name: DNSName, origin: DNSName)
        case dataDoesNotMatchType(String)
        case editNotVerified(String)
        case changedSinceRead
        case readFailed(String)
        case writeFailed(String)
        case reloadNotStarted(command: String, reason: String)
        case reloadFailed(command: String, status: Int32, output: String)
        case reloadTimedOut(command: String, seconds: Double)
        /// The reload after an edit failed (the reason's words); the file was put back.
        case reloadFailedRestored(String)
        /// The reload after an edit failed, and putting the file back failed too.
        case reloadFailedNotRestored(String, restoreError: String)

        /// The message, a sentence saying what is wrong and, where it helps, what to do.
        public var description: String {
            switch self {
            case .unexpectedCloseParenthesis:
                return "')' without a matching '('"
            case .unclosedParenthesis:
                return "'(' is never closed"
            case .unterminatedString:
                return "quoted string is not closed before the end of the line"
            case .unsupportedDirective(let name):
                return "\(name) is not supported; put the records it would read into this file"
            case .unknownDirective(let name):
                return "unknown directive \(name) (expected $ORIGIN or $TTL)"
            case .missingDirectiveArgument(let name):
                return name == "$TTL" ? "$TTL needs a TTL value" : "\(name) needs a domain name"
            case .extraToken(let text):
                return "unexpected \"\(text)\" after the end of the record"
            case .notOneRecord(let count):
                return "expected exactly one record, found \(count)"
            case .noPreviousOwner:
                return "record has no owner name: the line starts with a blank and no record precedes it"
            case .badName(let text, let error):
                return "bad domain name \"\(text)\": \(error)"
            case .illegalByteInName(let text, let byte):
                return "domain name \"\(text)\" contains the byte 0x\(String(byte, radix: 16)); "
                    + "write it as \(ZoneFileText.decimalEscape(byte))"
            case .quotedName(let text):
                return "expected a domain name, found the quoted string \"\(text)\""
            case .badEscape(let text):
                return "bad escape in \"\(text)\" (\\DDD must be 000 to 255)"
            case .badTTL(let text):
                return "bad TTL \"\(text)\" (expected seconds or units like 1h30m, at most 2147483647)"
            case .noTTL:
                return "record has no TTL: give one or put a $TTL line before it"
            case .unsupportedClass(let text):
                return "class \(text) is not supported (only IN)"
            case .missingType:
                return "record has no type"
            case .unknownType(let text):
                return "unknown record type \"\(text)\" (supported: \(ZoneFileTypes.supportedList), "
                    + "or TYPEnnn with \\# data)"
            case .missingRData(let type, let expected):
                return "\(type) record needs \(expected)"
            case .badIPv4(let text):
                return "bad IPv4 address \"\(text)\""
            case .badIPv6(let text):
                return "bad IPv6 address \"\(text)\""
            case .badNumber(let field, let text, let maximum):
                return "bad \(field) \"\(text)\" (expected a number from 0 to \(maximum))"
            case .stringTooLong(let count):
                return "character string of \(count) bytes (at most 255 allowed)"
            case .badGenericData(let message):
                return "bad \\# data: \(message)"
            case .badRData(let message):
                return message
            case .genericDataRequired(let type):
                return "\(type) data must be written as \\# length hex (RFC 3597)"
            case .soaNotAtOrigin(let owner, let origin):
                return "SOA record for \(owner) is not at the zone origin \(origin)"
            case .duplicateSOA(let firstLine):
                return "second SOA record (the first is on line \(firstLine))"
            case .missingSOA(let origin):
                return "zone \(origin) has no SOA record"
            case .recordNotFound(let text):
                return "cannot delete \"\(text)\": no such record in the zone"
            case .recordAlreadyPresent(let text):
                return "cannot add \"\(text)\": the zone already holds it here"
            case .soaNotEditable:
                return "SOA records are not added or deleted by an edit; the serial is bumped automatically"
            case .outsideZone(let name, let origin):
                return "\(name) is outside the zone \(origin)"
            case .dataDoesNotMatchType(let text):
                return "record data does not match its type: \(text)"
            case .editNotVerified(let message):
                return "edit not written: the edited file would not hold the intended records (\(message))"
            case .changedSinceRead:
                return "the file changed since it was read for the plan; nothing written, plan again"
            case .readFailed(let message):
                return "cannot read the zone file: \(message)"
            case .writeFailed(let message):
                return "cannot write the zone file: \(message)"
            case .reloadNotStarted(let command, let reason):
                return "reload command `\(command)` could not be started: \(reason)"
            case .reloadFailed(let command, let status, let output):
                let shown = output.isEmpty ? "no output" : "output: \(output)"
                return "reload command `\(command)` exited with status \(status); \(shown)"
            case .reloadTimedOut(let command, let seconds):
                return "reload command `\(command)` did not finish within \(seconds) seconds and was killed"
            case .reloadFailedRestored(let reason):
                return
                    "\(reason); the zone file was put back byte for byte, so it says what the server publishes: fix the reload and apply again"
            case .reloadFailedNotRestored(let reason, let restoreError):
                return
                    "\(reason); putting the old zone file back failed too (\(restoreError)): the file holds the new records but the server may not publish them; fix the reload and run it by hand"
            }
        }
    }
}
