import Training
import DeterministicRandom
import XCTest

final class ReplayBufferTests: XCTestCase {
    func testATransitionIsOneContiguousRowOfNinetySixBytesForTheReacher() {
        let buffer = ReplayBuffer(capacity: 10, observationSize: 10, actionSize: 2)
        XCTAssertEqual(buffer.rowSize, 24)
        XCTAssertEqual(buffer.bytesPerTransition, 96)
    }

    func testInsertWrapsAroundOverwritingTheOldest() {
        let buffer = ReplayBuffer(capacity: 3, observationSize: 1, actionSize: 1)
        for i in 0..<5 {
            buffer.add(observation: [Float(i)], action: [Double(i) / 10], reward: Double(-i), terminated: i == 4, nextObservation: [Float(i + 1)])
        }
        XCTAssertEqual(buffer.count, 3)
        XCTAssertEqual(buffer.nextIndex, 2)
        // Rows: obs, action, reward, terminated, next obs. Slot 0 holds i = 3, slot 1 i = 4, slot 2 i = 2.
        XCTAssertEqual(buffer.rows, [3, 0.3, -3, 0, 4, 4, 0.4, -4, 1, 5, 2, 0.2, -2, 0, 3])
    }

    func testSamplesAreStoredTransitionsDrawnUniformly() {
        let buffer = ReplayBuffer(capacity: 100, observationSize: 2, actionSize: 1)
        for i in 0..<50 {
            buffer.add(observation: [Float(i), 0], action: [0.5], reward: Double(i), terminated: false, nextObservation: [Float(i) + 1, 0])
        }
        let batch = ReplayBatch(size: 1000, observationSize: 2, actionSize: 1)
        var random = Xoshiro256(seed: 1)
        buffer.sample(into: batch, using: &random)
        var seen = [Int](repeating: 0, count: 50)
        for b in 0..<1000 {
            let row = Array(UnsafeBufferPointer(start: batch.rows.pointer + b * 7, count: 7))
            let i = Int(row[0])
            XCTAssertEqual(row, [Float(i), 0, 0.5, Float(i), 0, Float(i) + 1, 0], "a sampled row is a stored transition")
            seen[i] += 1
        }
        XCTAssertEqual(seen.filter { $0 == 0 }.count, 0, "1000 draws over 50 rows leave none out")
        XCTAssertLessThan(seen.max()!, 50)
    }

    func testRestoreReproducesTheBuffer() {
        let a = ReplayBuffer(capacity: 4, observationSize: 1, actionSize: 1)
        for i in 0..<6 { a.add(observation: [Float(i)], action: [0], reward: 0, terminated: false, nextObservation: [0]) }
        let b = ReplayBuffer(capacity: 4, observationSize: 1, actionSize: 1)
        b.restore(rows: a.rows, count: a.count, nextIndex: a.nextIndex, savedCapacity: a.capacity)
        XCTAssertEqual(b.rows, a.rows)
        XCTAssertEqual(b.nextIndex, a.nextIndex)
    }

    /// A resumed run that asks for more steps grows its replay: the saved rows come back oldest
    /// first, so the buffer goes on as if it had been that large from the start.
    func testRestoringIntoALargerBufferKeepsTheRowsOldestFirst() {
        for added in [3, 4, 6] {
            let small = ReplayBuffer(capacity: 4, observationSize: 1, actionSize: 1)
            for i in 0..<added { small.add(observation: [Float(i)], action: [0], reward: 0, terminated: false, nextObservation: [0]) }
            let large = ReplayBuffer(capacity: 10, observationSize: 1, actionSize: 1)
            large.restore(rows: small.rows, count: small.count, nextIndex: small.nextIndex, savedCapacity: small.capacity)
            let kept = (max(0, added - 4)..<added).map(Float.init)
            XCTAssertEqual(stride(from: 0, to: large.rows.count, by: large.rowSize).map { large.rows[$0] }, kept, "\(added) added")
            XCTAssertEqual(large.count, kept.count)
            XCTAssertEqual(large.nextIndex, kept.count)
        }
    }
}

final class ExplorationNoiseTests: XCTestCase {
    func testGaussianNoiseHasTheConfiguredSpread() {
        var noise = ExplorationNoise(kind: .gaussian(sigma: 0.1), actionSize: 2, seed: 3)
        var sum = 0.0
        var squares = 0.0
        for _ in 0..<20_000 {
            var action = [0.0, 0.0]
            noise.perturb(&action)
            sum += action[0] + action[1]
            squares += action[0] * action[0] + action[1] * action[1]
        }
        XCTAssertEqual(sum / 40_000, 0, accuracy: 0.003)
        XCTAssertEqual((squares / 40_000).squareRoot(), 0.1, accuracy: 0.003)
    }

    func testOrnsteinUhlenbeckNoiseIsCorrelatedAndRevertsToZero() {
        var noise = ExplorationNoise(kind: .ornsteinUhlenbeck(theta: 0.15, sigma: 0.2), actionSize: 1, seed: 4)
        var previous = 0.0
        var products = 0.0
        var squares = 0.0
        for _ in 0..<50_000 {
            var action = [0.0]
            noise.perturb(&action)
            products += action[0] * previous
            squares += action[0] * action[0]
            previous = action[0]
        }
        XCTAssertGreaterThan(products / squares, 0.99, "consecutive samples are strongly correlated")
        // Stationary std of OU: σ/√(2θ) for small dt.
        XCTAssertEqual((squares / 50_000).squareRoot(), 0.2 / (2 * 0.15).squareRoot(), accuracy: 0.15)
        noise.reset()
        XCTAssertEqual(noise.state, [0])
    }
}
