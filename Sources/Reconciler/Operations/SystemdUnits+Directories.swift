import DesiredState
import Foundation

extension SystemdUnits {
    /// The directories the service must be able to write: nginx's config's and the zone
    /// file's, from the desired state in `desiredDirectory`; /etc/nginx when there is none
    /// here yet (packaging, before the host has its desired state), said through `note`.
    public static func writableDirectories(
        desiredDirectory: String, shown: String, mode: Mode, note: (String) -> Void
    ) throws(UnitsError) -> (nginx: [String], zones: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: desiredDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            note(
                "note: --desired \(shown) does not exist here; the units assume it will on the host\(mode == .apply ? ", with nginx's configuration in /etc/nginx (writable)" : "")"
            )
            return (["/etc/nginx"], [])
        }
        let state: DesiredState
        do {
            state = try DesiredStateLoader().load(directory: desiredDirectory)
        } catch {
            for problem in error.problems { note(problem.description) }
            throw .invalidDesiredState(error.problems.count, desiredDirectory)
        }
        let nginx = [(state.nginx.config as NSString).deletingLastPathComponent]
        guard case .zonefile(let path, _) = state.dns.provider else { return (nginx, []) }
        return (nginx, [(path as NSString).deletingLastPathComponent])
    }
}

/// Why `units` cannot describe the service.
public enum UnitsError: Error, CustomStringConvertible {
    case invalidDesiredState(Int, String)

    public var description: String {
        switch self {
        case .invalidDesiredState(let count, let directory):
            "\(count) error\(count == 1 ? "" : "s") in \(directory): the units take nginx's and the zone's directories from the desired state; fix it first"
        }
    }
}
