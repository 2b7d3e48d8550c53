import DNS
import DesiredState

/// What apply checks before touching anything (DESIGN §7 step 2).
public enum ApplyChecks {
    /// Why a saved plan no longer holds, compared with a plan made now; empty when it holds.
    public static func staleness(saved: Plan, fresh: Plan) -> [String] {
        var reasons: [String] = []
        if saved.desired.digest != fresh.desired.digest {
            reasons.append("the desired state changed since the plan was made")
        }
        reasons += saved.preconditions.differences(from: fresh.preconditions)
        if reasons.isEmpty && saved.actions != fresh.actions {
            reasons.append("the actions computed now differ from the saved ones")
        }
        return reasons
    }

    /// Why the plan is too destructive to run without `--force`, or nil: it deletes more
    /// than `maxDeletePercent` of the managed A/AAAA records (and more than `minimum`, so a
    /// small zone can still lose one record).
    public static func safetyLimit(
        _ plan: Plan, managedRecords: Int, maxDeletePercent: Double = 30, minimum: Int = 3
    ) -> String? {
        let deletions = plan.actions.filter { $0.kind == .dnsDelete }.count
        guard deletions > minimum, Double(deletions) > Double(managedRecords) * maxDeletePercent / 100 else {
            return nil
        }
        return
            "the plan deletes \(deletions) of \(managedRecords) managed records (more than \(Int(maxDeletePercent))%)"
    }

    /// Why the plan changes too much of one zone to run without `--force`, or nil.
    public static func zoneChangeLimit(_ plan: Plan, maxChangesPerZone: Int) -> String? {
        var counts: [String: Int] = [:]
        for action in plan.actions { if let zone = action.zone { counts[zone, default: 0] += 1 } }
        guard let (zone, count) = counts.max(by: { $0.value < $1.value }), count > maxChangesPerZone else { return nil }
        return
            "the plan changes \(count) records of zone \(zone) (more than \(maxChangesPerZone), see --max-zone-changes)"
    }

    /// The A/AAAA records the desired state's vhosts own, as observed.
    public static func managedRecordCount(_ desired: DesiredState, _ observation: Observation) -> Int {
        // A fleet host (DESIGN §15) counts every vhost's records: the zone is the fleet's.
        (desired.fleet?.allVhosts ?? desired.vhosts).reduce(0) { total, vhost in
            guard let zone = observation.dns.zone(containing: vhost.dnsName) else { return total }
            return total + zone.records(vhost.dnsName, .a).count + zone.records(vhost.dnsName, .aaaa).count
        }
    }
}
