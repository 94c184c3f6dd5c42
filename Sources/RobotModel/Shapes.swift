import Foundation

/// A solid attached to a link, placed along the link's axis, from which mass properties are derived.
///
/// The formulas are MuJoCo's, so that a description written from an MJCF file gets the same
/// masses and inertias MuJoCo computes with `inertiafromgeom`.
public struct Shape: Sendable, Equatable {
    /// The kinds of solid a link can be built from.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A cylinder with hemispherical caps, its axis along the link from `from` to `to`.
        case capsule
        /// A cylinder along the link from `from` to `to`.
        case cylinder
        /// A ball centred at `at`.
        case sphere
        /// A box centred at `at`, `size` = [along the link, across it in the plane, out of the plane].
        case box
    }

    public var kind: Kind
    /// kg/m³
    public var density: Double
    /// Radius of capsule, cylinder and sphere, m.
    public var radius: Double
    /// Start and end along the link, m (capsule, cylinder).
    public var from: Double
    public var to: Double
    /// Centre along the link, m (sphere, box).
    public var at: Double
    /// Box extents, m: along the link, across it in the plane, out of the plane.
    public var boxSize: [Double]

    public init(
        kind: Kind, density: Double, radius: Double = 0, from: Double = 0, to: Double = 0, at: Double = 0,
        boxSize: [Double] = [0, 0, 0]
    ) {
        self.kind = kind
        self.density = density
        self.radius = radius
        self.from = from
        self.to = to
        self.at = at
        self.boxSize = boxSize
    }

    /// Position of the centre of mass along the link, m.
    public var center: Double {
        switch kind {
        case .capsule, .cylinder: return (from + to) / 2
        case .sphere, .box: return at
        }
    }

    /// Mass and inertia about the plane normal through the shape's own centre.
    public var massProperties: (mass: Double, inertia: Double) {
        switch kind {
        case .sphere:
            let mass = density * 4 / 3 * Double.pi * pow(radius, 3)
            return (mass, 2 * mass * radius * radius / 5)
        case .cylinder:
            let h = abs(to - from)
            let mass = density * Double.pi * radius * radius * h
            return (mass, mass * (3 * radius * radius + h * h) / 12)
        case .capsule:
            // MuJoCo: the cylinder part plus two hemispheres whose centres of mass sit
            // 3r/8 beyond the cylinder's ends.
            let h = abs(to - from)
            let r = radius
            let cylinderMass = density * Double.pi * r * r * h
            let sphereMass = density * 4 / 3 * Double.pi * r * r * r
            let cylinderInertia = cylinderMass * (3 * r * r + h * h) / 12
            let sphereInertia = sphereMass * (2 * r * r / 5 + h * h / 4 + 3 * h * r / 8)
            return (cylinderMass + sphereMass, cylinderInertia + sphereInertia)
        case .box:
            let (l, w, h) = (boxSize[0], boxSize[1], boxSize[2])
            let mass = density * l * w * h
            return (mass, mass * (l * l + w * w) / 12)
        }
    }
}

extension Inertial {
    /// The composite of several shapes: total mass, centre of mass, inertia about it (parallel axes).
    public init(composing shapes: [Shape]) {
        let parts = shapes.map { ($0.massProperties, $0.center) }
        let mass = parts.reduce(0) { $0 + $1.0.mass }
        let com = mass > 0 ? parts.reduce(0) { $0 + $1.0.mass * $1.1 } / mass : 0
        let inertia = parts.reduce(0) { sum, part in
            let offset = part.1 - com
            return sum + part.0.inertia + part.0.mass * offset * offset
        }
        self.init(mass: mass, com: com, inertia: inertia)
    }
}
