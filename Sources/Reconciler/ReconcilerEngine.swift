/// Observe, diff, plan, apply (DESIGN §6, §7).
public enum ReconcilerEngine {}
