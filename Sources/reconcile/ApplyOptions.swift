import ArgumentParser
import Reconciler

/// apply's own flags, after the plan file and `--yes`.
struct ApplyOptions: ParsableArguments {
    @Flag(
        help:
            "Apply even when the plan exceeds a safety limit (deleting over 30% of the managed records, or over --max-zone-changes in one zone)."
    )
    var force = false

    @Option(help: ArgumentHelp("Most DNS changes to one zone without --force.", valueName: "count"))
    var maxZoneChanges = 1000

    @Option(
        help: ArgumentHelp(
            "Seconds to wait for another apply's lock before giving up (exit 3).", valueName: "seconds"))
    var lockTimeout: Double = 60

    @Option(
        help: ArgumentHelp("Seconds to wait for new nginx sockets to answer after a reload.", valueName: "seconds"))
    var verifyTimeout: Double = 10

    @Flag(
        help:
            "Write nginx files (and the zone file) through symlinks whose target lies outside the directory of nginx's main config (of the zone file) (refused by default, before anything is written)."
    )
    var allowSymlinksOutside = false

    @Option(
        help: ArgumentHelp(
            "Keep the backups of this many applies in <state-dir>/backups (this one included); older ones are removed and the journal says which.",
            valueName: "count"))
    var keepBackups = 20

    @Option(
        help: ArgumentHelp(
            "Seconds to wait after each DNS write until every authoritative server of the zone serves it (servers still behind are reported, and the next plan shows them).",
            valueName: "seconds"))
    var propagationTimeout: Double = 60

    func validate() throws {
        guard propagationTimeout >= 0 && propagationTimeout <= 3600 else {
            throw ValidationError("--propagation-timeout \(propagationTimeout): give 0 to 3600 seconds")
        }
        guard keepBackups >= 1 else {
            throw ValidationError("--keep-backups \(keepBackups): keep at least 1 (this apply's own backup)")
        }
    }

    /// The library's settings these flags give (the saved plan is read by the command).
    var settings: ApplyRun.Settings {
        var settings = ApplyRun.Settings()
        settings.force = force
        settings.maxZoneChanges = maxZoneChanges
        settings.lockTimeout = lockTimeout
        settings.verifyTimeout = verifyTimeout
        settings.keepBackups = keepBackups
        settings.propagationTimeout = propagationTimeout
        return settings
    }
}
