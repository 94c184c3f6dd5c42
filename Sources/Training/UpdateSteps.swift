import NeuralNetwork

// The steps every learner's update is made of: loading a batch into a network's input, and
// back-propagation laid out for two threads. Each algorithm's file is its update in these terms.

extension ReplayBatch {
    /// Observations s (or the next observations s′) of `rows` into `workspace`'s input.
    func loadObservations(into workspace: MLPWorkspace, next: Bool, rows: Range<Int>) {
        let o = observationSize
        for b in rows { (workspace.input.pointer + b * o).update(from: next ? nextObservation(b) : observation(b), count: o) }
    }

    /// Rows [s, a] (or [s′, a]) of a critic's input for `rows`: the batch's own actions, or row b
    /// of `actions` (batch × action size) when given.
    func loadCriticInput(into workspace: MLPWorkspace, next: Bool, actions: UnsafePointer<Float>?, rows: Range<Int>) {
        let o = observationSize
        let a = actionSize
        for b in rows {
            let row = workspace.input.pointer + b * (o + a)
            row.update(from: next ? nextObservation(b) : observation(b), count: o)
            (row + o).update(from: actions.map { $0 + b * a } ?? UnsafePointer(action(b)), count: a)
        }
    }

    /// Replaces the action columns of a critic's input rows (the observation columns stay).
    func replaceCriticActions(in workspace: MLPWorkspace, with actions: UnsafePointer<Float>, rows: Range<Int>) {
        let o = observationSize
        let a = actionSize
        for b in rows { (workspace.input.pointer + b * (o + a) + o).update(from: actions + b * a, count: a) }
    }
}

/// The output layer's dL/d(pre-activation) and its way down to the last hidden layer's, for `rows`.
func beginBackward(_ network: MLP, _ workspace: MLPWorkspace, rows: Range<Int>) {
    network.beginBackward(workspace, rows: rows)
    let top = network.layers.count - 1
    if top >= 1 { network.propagate(workspace, rows: rows, from: top, through: top) }
}

/// The rest of back-propagation after `beginBackward` covered every row, and every weight
/// gradient: the top two layers' weight gradients on one thread while the other carries the
/// input gradient down the remaining layers and takes their weight gradients (with two hidden
/// layers: one 256×256×256 product each).
func finishBackward(_ network: MLP, _ workspace: MLPWorkspace, batch n: Int, parallelism: Parallelism) {
    let top = network.layers.count - 1
    parallelism.pair(
        {
            if top - 1 >= 1 { network.propagate(workspace, rows: 0..<n, from: top - 1, through: 1) }
            if top - 2 >= 0 { network.parameterGradients(workspace, batch: n, layers: 0...(top - 2)) }
        },
        { network.parameterGradients(workspace, batch: n, layers: max(0, top - 1)...top) })
}

/// Mean squared error of a critic's outputs against `targets`, its dL/dQ = 2(Q − y)/n written
/// into the workspace, and the mean Q: a critic step's loss, as `F.mse_loss`.
func squaredError(_ workspace: MLPWorkspace, targets: FloatBuffer, batch n: Int) -> (loss: Float, meanQ: Float) {
    var loss: Float = 0
    var meanQ: Float = 0
    for b in 0..<n {
        let q = workspace.output[b]
        let error = q - targets[b]
        loss += error * error
        meanQ += q
        workspace.outputGradient[b] = 2 * (q - targets[b]) / Float(n)
    }
    return (loss / Float(n), meanQ / Float(n))
}
