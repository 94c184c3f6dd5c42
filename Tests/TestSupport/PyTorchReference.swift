import Foundation

/// reference/pytorch/nn_reference.json, made by make_nn_reference.py with PyTorch.
public enum PyTorchReference {
    public static func load() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: RepositoryFiles.path("reference/pytorch/nn_reference.json")))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// A nested list of numbers flattened row-major into float32.
    public static func floats(_ value: Any?) -> [Float] {
        if let number = value as? NSNumber { return [number.floatValue] }
        if let list = value as? [Any] { return list.flatMap { floats($0) } }
        return []
    }

    /// The reference's deterministic parameters for layer index k.
    public static func weight(_ i: Int, _ j: Int, layer k: Int) -> Float {
        Float(0.5 * sin(0.37 * Double(i + 1) + 0.71 * Double(j + 1) + Double(k)))
    }

    public static func bias(_ i: Int, layer k: Int) -> Float { Float(0.1 * cos(0.53 * Double(i + 1) + Double(k))) }
}
