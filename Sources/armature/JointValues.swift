/// Per-joint values given on the command line (`--initial-q 0.3,-0.5`, `--pose 0,0`): exactly one
/// finite number per joint, comma-separated, or an error that shows the expected form.
func parseJointValues(_ text: String, option: String, jointCount n: Int, unit: String = "rad") throws -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap { Double($0) }.filter(\.isFinite)
    guard parts.count == n, values.count == n else {
        let example = (0..<n).map { $0 % 2 == 0 ? "0.3" : "-0.5" }.joined(separator: ",")
        throw UserFacingError("\(option) '\(text)' must be \(n) finite numbers in \(unit), comma-separated (e.g. \(example))")
    }
    return values
}
