import Foundation
import ProcessRunning

/// Locates the real server programs (nginx, named, named-checkzone, ...) that integration
/// tests run.
///
/// Rule of the project: a missing server binary is a failure, never a skip: tests call
/// ``ServerBinary/require(_:)``, which throws a sentence saying what to install.
public enum ServerBinary {
    static let searchPath: [String] = {
        let env = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return env.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"]
    }()

    /// True when running under CI (the `CI` environment variable is set and not "false"/"0").
    public static var isCI: Bool {
        guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
        return !value.isEmpty && value != "false" && value != "0"
    }

    /// Absolute path of `name`, or nil when it is not installed.
    public static func find(_ name: String) -> String? {
        ProgramSearch.resolve(name, in: searchPath)
    }

    /// Absolute path of `name`; throws a clear error when it is missing.
    public static func require(_ name: String) throws -> String {
        guard let path = find(name) else { throw MissingServerBinary(name: name) }
        return path
    }
}

public struct MissingServerBinary: Error, CustomStringConvertible {
    public let name: String
    public var description: String {
        "\(name) is not installed; run .ci/run (apt-get install -y nginx-light bind9 bind9-dnsutils) first"
    }
}
