import Foundation

/// A plant other than the described one: the arm's physical parameters scaled and a reality gap
/// added on top of the description's own. What a robustness report evaluates a policy on, and
/// what domain randomization draws every episode.
public struct PlantVariation: Sendable, Equatable, Codable {
    /// Short label for tables (`rotor_inertia+50%`).
    public var name: String
    /// Link masses and inertias ×.
    public var massScale = 1.0
    /// Joint rotor inertias (armature) ×.
    public var rotorInertiaScale = 1.0
    /// Joint viscous damping ×.
    public var dampingScale = 1.0
    /// Delivered torque × (the reality gap's torque gain).
    public var torqueGainScale = 1.0
    /// Coulomb friction added to each joint, as a fraction of the joint's largest torque magnitude.
    public var frictionFraction = 0.0
    /// Latency added, control periods (fractions allowed).
    public var latencyPeriods = 0.0
    /// Position-reading noise added (in quadrature), rad.
    public var positionNoise = 0.0
    /// Velocity-reading noise added (in quadrature), rad/s.
    public var velocityNoise = 0.0

    public init(name: String) { self.name = name }

    /// The described plant itself.
    public static let nominal = PlantVariation(name: "nominal")

    /// `robot` with this variation applied: its masses, rotor inertias and damping scaled and its
    /// reality gap widened. Its control settings, limits and torque ranges — what the controller
    /// knows of the arm — stay the description's.
    public func applied(to robot: RobotDescription) -> RobotDescription {
        var varied = robot
        for i in varied.links.indices {
            varied.links[i].inertial.mass *= massScale
            varied.links[i].inertial.inertia *= massScale
        }
        for i in varied.joints.indices {
            varied.joints[i].armature *= rotorInertiaScale
            varied.joints[i].damping *= dampingScale
        }
        var gap = robot.realityGap
        for i in robot.joints.indices {
            let torque = robot.joints[i].torque
            gap.coulombFriction[i] += frictionFraction * max(abs(torque.low), abs(torque.high))
            gap.torqueGain[i] *= torqueGainScale
            gap.positionNoise[i] = (gap.positionNoise[i] * gap.positionNoise[i] + positionNoise * positionNoise).squareRoot()
            gap.velocityNoise[i] = (gap.velocityNoise[i] * gap.velocityNoise[i] + velocityNoise * velocityNoise).squareRoot()
        }
        gap.latency += latencyPeriods * robot.control.period
        varied.realityGap = gap
        return varied
    }

    /// The robustness report's default grid: the nominal plant, each change alone at two or three
    /// strengths (the six target conditions among them), and all six targets at once.
    public static let standardGrid: [PlantVariation] = {
        func variation(_ name: String, _ change: (inout PlantVariation) -> Void) -> PlantVariation {
            var v = PlantVariation(name: name)
            change(&v)
            return v
        }
        return [
            .nominal,
            variation("rotor_inertia+25%") { $0.rotorInertiaScale = 1.25 },
            variation("rotor_inertia+50%") { $0.rotorInertiaScale = 1.5 },
            variation("rotor_inertia+100%") { $0.rotorInertiaScale = 2 },
            variation("link_mass+50%") { $0.massScale = 1.5 },
            variation("damping×2") { $0.dampingScale = 2 },
            variation("damping×3") { $0.dampingScale = 3 },
            variation("torque_gain×0.8") { $0.torqueGainScale = 0.8 },
            variation("torque_gain×0.6") { $0.torqueGainScale = 0.6 },
            variation("friction 5%") { $0.frictionFraction = 0.05 },
            variation("friction 10%") { $0.frictionFraction = 0.10 },
            variation("latency 0.5 period") { $0.latencyPeriods = 0.5 },
            variation("latency 1 period") { $0.latencyPeriods = 1 },
            variation("latency 2 periods") { $0.latencyPeriods = 2 },
            variation("position noise 0.01 rad") { $0.positionNoise = 0.01 },
            variation("position noise 0.02 rad") { $0.positionNoise = 0.02 },
            variation("velocity noise 0.1 rad/s") { $0.velocityNoise = 0.1 },
            variation("all six targets") {
                $0.rotorInertiaScale = 1.5
                $0.dampingScale = 3
                $0.torqueGainScale = 0.6
                $0.frictionFraction = 0.10
                $0.latencyPeriods = 1
                $0.positionNoise = 0.02
            },
        ]
    }()
}

/// Ranges to draw a `PlantVariation` from, one draw per episode (domain randomization): each
/// field uniform or log-uniform between its bounds, absent fields fixed at the nominal value.
public struct PlantRandomization: Sendable, Equatable {
    public enum Distribution: String, Sendable, Equatable, CaseIterable {
        case uniform
        /// Uniform in the logarithm: as likely to halve as to double (scales).
        case logUniform = "log_uniform"
    }

    public struct Range: Sendable, Equatable {
        public var low: Double
        public var high: Double
        public var distribution: Distribution

        public init(_ low: Double, _ high: Double, _ distribution: Distribution = .uniform) {
            self.low = low
            self.high = high
            self.distribution = distribution
        }

        /// A value for `unit` uniform in [0, 1).
        public func value(at unit: Double) -> Double {
            switch distribution {
            case .uniform: return low + (high - low) * unit
            case .logUniform: return low * exp(log(high / low) * unit)
            }
        }
    }

    public var massScale: Range?
    public var rotorInertiaScale: Range?
    public var dampingScale: Range?
    public var torqueGainScale: Range?
    public var frictionFraction: Range?
    public var latencyPeriods: Range?
    public var positionNoise: Range?
    public var velocityNoise: Range?

    public init() {}

    /// What `train --randomize` uses when the description has no `randomize` section: the plant's
    /// mechanics and motors, over ranges that reach the robustness report's target conditions.
    /// Latency and sensor noise are left out, as measured on the reacher (BENCHMARKS.md): an actor
    /// trained without them already loses little to them, and randomizing latency cost far more
    /// nominal return than it bought. A `randomize` section can still draw both.
    public static let standard: PlantRandomization = {
        var r = PlantRandomization()
        r.massScale = Range(0.8, 1.25, .logUniform)
        r.rotorInertiaScale = Range(0.9, 1.6, .logUniform)
        r.dampingScale = Range(0.7, 3.2, .logUniform)
        r.torqueGainScale = Range(0.6, 1.05)
        r.frictionFraction = Range(0, 0.11)
        return r
    }()

    /// The fields in a fixed order: names as in the description (and in logs), key paths.
    public static var fields: [(name: String, range: KeyPath<PlantRandomization, Range?>, value: WritableKeyPath<PlantVariation, Double>)] {
        [
        ("mass_scale", \.massScale, \.massScale), ("rotor_inertia_scale", \.rotorInertiaScale, \.rotorInertiaScale),
        ("damping_scale", \.dampingScale, \.dampingScale), ("torque_gain_scale", \.torqueGainScale, \.torqueGainScale),
        ("friction_fraction", \.frictionFraction, \.frictionFraction), ("latency_periods", \.latencyPeriods, \.latencyPeriods),
        ("position_noise", \.positionNoise, \.positionNoise), ("velocity_noise", \.velocityNoise, \.velocityNoise),
        ]
    }

    /// The ranges as one line (`damping_scale 0.5…3.5 log_uniform; …`): how checkpoints and
    /// reports name them.
    public var summary: String {
        let parts = Self.fields.compactMap { field -> String? in
            guard let range = self[keyPath: field.range] else { return nil }
            return "\(field.name) \(range.low)…\(range.high) \(range.distribution.rawValue)"
        }
        return parts.isEmpty ? "none" : parts.joined(separator: "; ")
    }

    /// One plant: each ranged field drawn, in the fixed order of `fields`, from `unit` (a source of
    /// uniform numbers in [0, 1)); fields without a range stay nominal and draw nothing.
    public func draw(_ unit: () -> Double) -> PlantVariation {
        var variation = PlantVariation(name: "randomized")
        for field in Self.fields {
            if let range = self[keyPath: field.range] { variation[keyPath: field.value] = range.value(at: unit()) }
        }
        return variation
    }
}
