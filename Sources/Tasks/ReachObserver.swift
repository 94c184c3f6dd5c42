/// Sees a `ReachEnvironment` at each episode start and after each step, on the thread that steps it —
/// how a flight recorder watches evaluation, training and deployment alike without a hook in each loop.
/// Called inside the control loop: it must copy what it needs and return, never wait.
public protocol ReachObserver: AnyObject {
    /// The episode has started: goal and initial state are in place.
    func episodeStarted(_ environment: ReachEnvironment)
    /// A step finished: the arm's state, command and guard report are the environment's now.
    func stepped(_ environment: ReachEnvironment, action: [Double], outcome: StepOutcome)
}
