import RobotModel

/// The last line before the motors: clamps torque to each joint's effort range, cuts torque that
/// pushes a joint further past a position limit or accelerates it past its velocity limit (as
/// ros2_control's effort limits do), zeroes everything on a non-finite torque or a command of the
/// wrong size, and counts each.
public struct SafetyGuard: Sendable {
    /// How often each kind of intervention happened, per joint and in total.
    public struct Interventions: Sendable, Equatable {
        /// Torque outside the effort range, clamped.
        public var effortClamps: Int = 0
        /// Torque pushing outward at or past a position limit, cut to zero.
        public var positionCuts: Int = 0
        /// Torque accelerating a joint already past its velocity limit, cut to zero.
        public var velocityCuts: Int = 0
        /// Commands with a non-finite torque, all torques zeroed.
        public var nonFiniteRejections: Int = 0
        /// Commands whose torques or state do not have one value per joint, all torques zeroed: a
        /// caller's mistake, not the policy's, so counted apart from non-finite torques.
        public var wrongSizeRejections: Int = 0
        /// Commands the action low-pass changed (`ActuationFilter`; counted by `ActuatedArm`).
        public var smoothedCommands: Int = 0
        /// Torque components the torque-rate limit cut (`ActuationFilter`; counted by `ActuatedArm`).
        public var rateLimitedTorques: Int = 0

        public init() {}

        /// The guard's own interventions. The filters' counts stay apart: a low-pass changes nearly
        /// every command by design, which says nothing about how often safety had to step in.
        public var total: Int { effortClamps + positionCuts + velocityCuts + nonFiniteRejections + wrongSizeRejections }
    }

    public let joints: [Joint]
    public private(set) var interventions = Interventions()

    public init(joints: [Joint]) { self.joints = joints }

    public init(robot: RobotDescription) { self.init(joints: robot.joints) }

    /// Makes `torques` safe to send for an arm in `state`, in place.
    public mutating func apply(torques: inout [Double], state: JointState) {
        let n = joints.count
        if torques.count != n || state.position.count != n || state.velocity.count != n {
            for i in torques.indices { torques[i] = 0 }
            interventions.wrongSizeRejections += 1
            return
        }
        if torques.contains(where: { !$0.isFinite }) {
            for i in torques.indices { torques[i] = 0 }
            interventions.nonFiniteRejections += 1
            return
        }
        for (i, joint) in joints.enumerated() {
            var tau = torques[i]
            if tau < joint.torque.low || tau > joint.torque.high {
                tau = min(joint.torque.high, max(joint.torque.low, tau))
                interventions.effortClamps += 1
            }
            if let limit = joint.position {
                let q = state.position[i]
                if (q >= limit.high && tau > 0) || (q <= limit.low && tau < 0) {
                    tau = 0
                    interventions.positionCuts += 1
                }
            }
            if let vmax = joint.velocityLimit {
                let v = state.velocity[i]
                if (v > vmax && tau > 0) || (v < -vmax && tau < 0) {
                    tau = 0
                    interventions.velocityCuts += 1
                }
            }
            torques[i] = tau
        }
    }

    /// Forgets the counts (e.g. between episodes).
    public mutating func resetCounts() { interventions = Interventions() }
}

extension SafetyGuard.Interventions {
    /// Counts accumulated since `earlier`.
    public static func - (later: Self, earlier: Self) -> Self {
        var difference = Self()
        difference.effortClamps = later.effortClamps - earlier.effortClamps
        difference.positionCuts = later.positionCuts - earlier.positionCuts
        difference.velocityCuts = later.velocityCuts - earlier.velocityCuts
        difference.nonFiniteRejections = later.nonFiniteRejections - earlier.nonFiniteRejections
        difference.wrongSizeRejections = later.wrongSizeRejections - earlier.wrongSizeRejections
        difference.smoothedCommands = later.smoothedCommands - earlier.smoothedCommands
        difference.rateLimitedTorques = later.rateLimitedTorques - earlier.rateLimitedTorques
        return difference
    }
}
