import RobotModel

extension SimulatedArm {
    /// The longest physics step a real-time emulator integrates, s.
    public static let realTimeTimestep = 0.001

    /// The plant of an emulator whose physics follows the wall clock: the robot's own, integrated in
    /// steps of at most a millisecond that divide its control period evenly.
    ///
    /// A real arm moves continuously and its encoders are read when asked. The emulator advances
    /// its physics in whole steps under the torque in force, so with the description's steps (the
    /// reacher's are MuJoCo's 10 ms, half a control period) a torque took effect anywhere up to
    /// 10 ms before or after it arrived and a reading was up to 10 ms old, depending on how the
    /// host's commands fell against the physics grid. That is latency a real arm does not have, and
    /// it varies with the phase. Lockstep emulation keeps the description's steps: there every
    /// command is a whole period, and the trajectory matches the simulator's exactly.
    public convenience init(realTimeEmulationOf robot: RobotDescription) {
        var fine = robot
        let period = robot.control.period
        if robot.physics.timestep > Self.realTimeTimestep {
            fine.physics.timestep = period / (period / Self.realTimeTimestep).rounded(.up)
        }
        self.init(robot: fine)
    }
}
