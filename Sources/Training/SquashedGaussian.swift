import Foundation

/// SAC's policy, one action component at a time: the actor's head gives a mean and a raw log-std;
/// the action is a = tanh(x), x = mean + σ·ε, ε ~ N(0, 1). Written once for the update and for
/// the trainers' exploring actions, with CleanRL's bounds and PyTorch's order of operations.
public enum SquashedGaussian {
    public static let logStdMinimum: Float = -5
    public static let logStdMaximum: Float = 2
    static let halfLogTwoPi = Float(log((2 * Double.pi).squareRoot()))

    /// log σ from the head's raw output: tanh, then scaled into [−5, 2].
    @inline(__always)
    public static func logStd(raw: Float) -> Float {
        logStdMinimum + 0.5 * (logStdMaximum - logStdMinimum) * (tanh(raw) + 1)
    }

    /// The sampled action and its term of log π(a | s): the Gaussian's log density at x less the
    /// log-Jacobian of tanh, log(1 − a² + 10⁻⁶).
    @inline(__always)
    public static func sample(mean: Float, raw: Float, epsilon: Float) -> (action: Float, logProbability: Float) {
        let std = exp(logStd(raw: raw))
        let x = mean + std * epsilon
        let action = tanh(x)
        let deviation = x - mean
        let logDensity = -(deviation * deviation) / (2 * (std * std)) - log(std) - halfLogTwoPi
        return (action, logDensity - log(1 - action * action + 1e-6))
    }

    /// dL/d(mean) and dL/d(raw) of one component, given dL/da from the critics and dL/d(log π) of
    /// its row. x − mean is σ·ε, so the Gaussian's density term depends on σ alone, through
    /// −log σ; its quadratic part is −ε²/2 whatever the mean and σ.
    @inline(__always)
    public static func gradients(mean: Float, raw: Float, epsilon: Float, actionGradient: Float, logProbabilityGradient: Float)
        -> (mean: Float, raw: Float)
    {
        let squashedRaw = tanh(raw)
        let std = exp(logStdMinimum + 0.5 * (logStdMaximum - logStdMinimum) * (squashedRaw + 1))
        let action = tanh(mean + std * epsilon)
        let dAction = actionGradient + logProbabilityGradient * (2 * action / (1 - action * action + 1e-6))
        let dx = dAction * (1 - action * action)
        let dStd = dx * epsilon - logProbabilityGradient / std
        let dLogStd = dStd * std
        return (dx, dLogStd * 0.5 * (logStdMaximum - logStdMinimum) * (1 - squashedRaw * squashedRaw))
    }
}
