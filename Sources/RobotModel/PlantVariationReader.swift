import Foundation
import Yams

extension Bounds {
    /// What each `PlantVariation` field may be, in a perturbation grid and in a `randomize` range.
    static let plantVariation: [String: Bound] = [
        "mass_scale": Bound(0.01, 100, "×"), "rotor_inertia_scale": Bound(0.01, 100, "×"),
        "damping_scale": Bound(0, 100, "×"), "torque_gain_scale": Bound(0.01, 100, "×"),
        "friction_fraction": Bound(0, 1, "of the torque range"), "latency_periods": Bound(0, 100, "control periods"),
        "position_noise": Bound(0, 10, "rad"), "velocity_noise": Bound(0, 1000, "rad/s"),
    ]
}

extension PlantVariation {
    /// Reads a perturbation grid: a YAML list of plants, each a `name` and any of the
    /// `PlantRandomization.fields` (absent: nominal), every problem with its file, line and field.
    public static func load(path: String) throws(DescriptionError) -> [PlantVariation] {
        let data = try readYAMLFile(path)
        return try readYAML(data: data, file: path) { $0.readVariations($1) }
    }
}

extension DescriptionReader {
    func readVariations(_ root: Node) -> [PlantVariation]? {
        guard case .sequence(let items) = root, !items.isEmpty else {
            log.report(
                .invalid("a perturbation grid is a list of plants, e.g. `- {name: heavy, rotor_inertia_scale: 1.5}`"),
                at: root, field: "")
            return nil
        }
        let keys = ["name"] + PlantRandomization.fields.map(\.name)
        var variations: [PlantVariation] = []
        var names: [String?] = []
        var complete = true
        for (index, node) in items.enumerated() {
            guard let reader = MappingReader(node, path: "[\(index)]", allowed: keys, log: log), let name = reader.string("name")
            else {
                names.append(nil)
                complete = false
                continue
            }
            names.append(name)
            var variation = PlantVariation(name: name)
            for field in PlantRandomization.fields where reader.has(field.name) {
                if let value = reader.number(field.name, within: Bounds.plantVariation[field.name]!) {
                    variation[keyPath: field.value] = value
                } else {
                    complete = false
                }
            }
            variations.append(variation)
        }
        checkUnique(names: names, items: items.enumerated().map { ($1, "[\($0)]") }, what: "name")
        return complete ? variations : nil
    }

    /// The `randomize` section: for each field a `{low, high, distribution}` range (distribution
    /// `uniform`, the default, or `log_uniform`, which needs low > 0).
    func readRandomization(_ top: MappingReader) -> PlantRandomization?? {
        guard let node = top.node("randomize", required: false) else { return .some(nil) }
        let keys = PlantRandomization.fields.map(\.name)
        guard let reader = MappingReader(node, path: "randomize", allowed: keys, log: log) else { return nil }
        var randomization = PlantRandomization()
        var complete = true
        for field in PlantRandomization.fields where reader.has(field.name) {
            guard let rangeNode = reader.node(field.name, required: true),
                let range = MappingReader(rangeNode, path: reader.child(field.name), allowed: ["low", "high", "distribution"], log: log)
            else {
                complete = false
                continue
            }
            let bound = Bounds.plantVariation[field.name]!
            let low = range.number("low", within: bound)
            let high = range.number("high", within: bound)
            let distribution = range.choice("distribution", as: PlantRandomization.Distribution.self, default: .uniform)
            guard let low, let high, let distribution else {
                complete = false
                continue
            }
            if low > high {
                log.report(.emptyRange(low: low, high: high), at: rangeNode, field: reader.child(field.name))
                complete = false
            } else if distribution == .logUniform && low <= 0 {
                log.report(.invalid("a log_uniform range needs low > 0"), at: rangeNode, field: reader.child(field.name))
                complete = false
            } else {
                setRange(&randomization, field.range, PlantRandomization.Range(low, high, distribution))
            }
        }
        return complete ? .some(randomization) : nil
    }

    private func setRange(
        _ randomization: inout PlantRandomization, _ path: KeyPath<PlantRandomization, PlantRandomization.Range?>,
        _ range: PlantRandomization.Range
    ) {
        guard let writable = path as? WritableKeyPath<PlantRandomization, PlantRandomization.Range?> else { return }
        randomization[keyPath: writable] = range
    }
}
