extension NginxServerBlock {
    /// Whether one of the block's `server_name`s matches `host` (exact, wildcard or regex,
    /// compared as nginx compares a Host header). This says the block *claims* the name;
    /// which block *answers* it on a socket is ``NginxServerSelector``'s question. A regex
    /// the engine cannot evaluate does not count as a match; `$hostname` matches only
    /// `machineHostname`.
    public func matches(host: String, machineHostname: String? = nil) -> Bool {
        let normalized = NginxServerSelector.normalize(host)
        let names = serverNames.isEmpty ? [NginxServerName.emptyName] : serverNames
        for name in names {
            switch name.kind {
            case .exact:
                if name.name == normalized { return true }
            case .leadingWildcard:
                let dotForm = name.name.hasPrefix(".")
                let suffix = String(name.name.dropFirst(dotForm ? 1 : 2))
                if normalized.hasSuffix("." + suffix) || (dotForm && normalized == suffix) { return true }
            case .trailingWildcard:
                let prefix = String(name.name.dropLast(1))
                if normalized.hasPrefix(prefix) && normalized.count > prefix.count { return true }
            case .regex:
                if NginxRegex.firstMatch(pattern: name.name, in: normalized) == .matched { return true }
            case .hostnameVariable:
                if let machineHostname, machineHostname.lowercased() == normalized { return true }
            }
        }
        return false
    }
}
