import CKernels

/// Elementwise loops written with explicit SIMD: the compiler cannot prove that the pointers of
/// these in-place updates do not alias, so it leaves the plain loops scalar.
enum VectorKernels {
    typealias Vector = SIMD16<Float>
    static let width = Vector.scalarCount

    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always) static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self)
    }

    /// x ← max(x, 0)
    static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + width <= count {
            let v = load(x, i)
            store(v.replacing(with: 0, where: v .< 0), x, i)
            i += width
        }
        while i < count {
            x[i] = max(x[i], 0)
            i += 1
        }
    }

    /// g ← g where y > 0, else 0 (ReLU's derivative from its output).
    static func reluGradient(_ g: UnsafeMutablePointer<Float>, output y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + width <= count {
            store(load(g, i).replacing(with: 0, where: load(y, i) .<= 0), g, i)
            i += width
        }
        while i < count {
            g[i] = y[i] > 0 ? g[i] : 0
            i += 1
        }
    }

    /// sums[j] = Σ_rows x[row, j] for a rows × columns matrix: the bias gradient.
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        sums.update(repeating: 0, count: columns)
        for row in 0..<rows {
            let source = UnsafeMutablePointer(mutating: x + row * columns)
            var j = 0
            while j + width <= columns {
                store(load(sums, j) + load(source, j), sums, j)
                j += width
            }
            while j < columns {
                sums[j] += source[j]
                j += 1
            }
        }
    }

    /// d ← τ·s + (1 − τ)·d (Polyak averaging).
    static func blend(_ s: UnsafeMutablePointer<Float>, into d: UnsafeMutablePointer<Float>, count: Int, tau: Float) {
        let keep = 1 - tau
        var i = 0
        while i + width <= count {
            store(tau * load(s, i) + keep * load(d, i), d, i)
            i += width
        }
        while i < count {
            d[i] = tau * s[i] + keep * d[i]
            i += 1
        }
    }

    /// One Adam update of `count` parameters, PyTorch's arithmetic in float32 (in C: see ckernels.h).
    static func adam(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafeMutablePointer<Float>, first m: UnsafeMutablePointer<Float>,
        second v: UnsafeMutablePointer<Float>, count: Int, beta2: Float, weight1: Float, weight2: Float, stepSize: Float,
        correction2Root: Float, epsilon: Float
    ) {
        armature_adam_f32(p, g, m, v, count, beta2, weight1, weight2, stepSize, correction2Root, epsilon)
    }

    /// y[0..<outputs] = bias + Σⱼ x[j]·w[j, :] for w stored [inputs, outputs] row-major, outputs a
    /// multiple of the vector width. Eight independent fused multiply-add chains per pass keep the
    /// vector units busy instead of waiting on one accumulator.
    static func affineTransposed(
        _ x: UnsafeMutablePointer<Float>, inputs: Int, weights w: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>,
        outputs: Int, into y: UnsafeMutablePointer<Float>
    ) {
        var o = 0
        // 256 outputs (the hidden width we ship) in one pass: rows of w stream sequentially.
        while o + 16 * width <= outputs {
            var a = (
                load(bias, o), load(bias, o + width), load(bias, o + 2 * width), load(bias, o + 3 * width),
                load(bias, o + 4 * width), load(bias, o + 5 * width), load(bias, o + 6 * width), load(bias, o + 7 * width),
                load(bias, o + 8 * width), load(bias, o + 9 * width), load(bias, o + 10 * width), load(bias, o + 11 * width),
                load(bias, o + 12 * width), load(bias, o + 13 * width), load(bias, o + 14 * width), load(bias, o + 15 * width)
            )
            var row = w + o
            for j in 0..<inputs {
                let xj = Vector(repeating: x[j])
                a.0.addProduct(xj, load(row, 0))
                a.1.addProduct(xj, load(row, width))
                a.2.addProduct(xj, load(row, 2 * width))
                a.3.addProduct(xj, load(row, 3 * width))
                a.4.addProduct(xj, load(row, 4 * width))
                a.5.addProduct(xj, load(row, 5 * width))
                a.6.addProduct(xj, load(row, 6 * width))
                a.7.addProduct(xj, load(row, 7 * width))
                a.8.addProduct(xj, load(row, 8 * width))
                a.9.addProduct(xj, load(row, 9 * width))
                a.10.addProduct(xj, load(row, 10 * width))
                a.11.addProduct(xj, load(row, 11 * width))
                a.12.addProduct(xj, load(row, 12 * width))
                a.13.addProduct(xj, load(row, 13 * width))
                a.14.addProduct(xj, load(row, 14 * width))
                a.15.addProduct(xj, load(row, 15 * width))
                row += outputs
            }
            store(a.0, y, o)
            store(a.1, y, o + width)
            store(a.2, y, o + 2 * width)
            store(a.3, y, o + 3 * width)
            store(a.4, y, o + 4 * width)
            store(a.5, y, o + 5 * width)
            store(a.6, y, o + 6 * width)
            store(a.7, y, o + 7 * width)
            store(a.8, y, o + 8 * width)
            store(a.9, y, o + 9 * width)
            store(a.10, y, o + 10 * width)
            store(a.11, y, o + 11 * width)
            store(a.12, y, o + 12 * width)
            store(a.13, y, o + 13 * width)
            store(a.14, y, o + 14 * width)
            store(a.15, y, o + 15 * width)
            o += 16 * width
        }
        while o + 8 * width <= outputs {
            var a0 = load(bias, o)
            var a1 = load(bias, o + width)
            var a2 = load(bias, o + 2 * width)
            var a3 = load(bias, o + 3 * width)
            var a4 = load(bias, o + 4 * width)
            var a5 = load(bias, o + 5 * width)
            var a6 = load(bias, o + 6 * width)
            var a7 = load(bias, o + 7 * width)
            var row = w + o
            for j in 0..<inputs {
                let xj = Vector(repeating: x[j])
                a0.addProduct(xj, load(row, 0))
                a1.addProduct(xj, load(row, width))
                a2.addProduct(xj, load(row, 2 * width))
                a3.addProduct(xj, load(row, 3 * width))
                a4.addProduct(xj, load(row, 4 * width))
                a5.addProduct(xj, load(row, 5 * width))
                a6.addProduct(xj, load(row, 6 * width))
                a7.addProduct(xj, load(row, 7 * width))
                row += outputs
            }
            store(a0, y, o)
            store(a1, y, o + width)
            store(a2, y, o + 2 * width)
            store(a3, y, o + 3 * width)
            store(a4, y, o + 4 * width)
            store(a5, y, o + 5 * width)
            store(a6, y, o + 6 * width)
            store(a7, y, o + 7 * width)
            o += 8 * width
        }
        while o < outputs {
            var a = load(bias, o)
            var row = w + o
            for j in 0..<inputs {
                a.addProduct(Vector(repeating: x[j]), load(row, 0))
                row += outputs
            }
            store(a, y, o)
            o += width
        }
    }
}

// Row reductions and elementwise steps of layer normalization and dropout. Every sum runs in the
// same order whatever the thread or the rows around it, so a row's result never depends on how a
// batch is cut.
extension VectorKernels {
    /// Σ x[i]: sixteen lanes summed, then the lanes, then the tail.
    static func sum(_ x: UnsafeMutablePointer<Float>, count: Int) -> Float {
        var lanes = Vector(repeating: 0)
        var i = 0
        while i + width <= count {
            lanes += load(x, i)
            i += width
        }
        var total = lanes.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// Σ (x[i] − mean)².
    static func squaredDeviations(_ x: UnsafeMutablePointer<Float>, from mean: Float, count: Int) -> Float {
        var lanes = Vector(repeating: 0)
        let m = Vector(repeating: mean)
        var i = 0
        while i + width <= count {
            let d = load(x, i) - m
            lanes += d * d
            i += width
        }
        var total = lanes.sum()
        while i < count {
            let d = x[i] - mean
            total += d * d
            i += 1
        }
        return total
    }

    /// x ← x·m elementwise (dropout's mask, and its gradient).
    static func multiply(_ x: UnsafeMutablePointer<Float>, by m: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + width <= count {
            store(load(x, i) * load(m, i), x, i)
            i += width
        }
        while i < count {
            x[i] *= m[i]
            i += 1
        }
    }

    /// x̂ = (x − mean)·scale into `normalized`, and x ← x̂·γ + β, or max(x̂·γ + β, 0) with `relu`
    /// (the layer's ReLU in the same pass).
    static func normalize(
        _ x: UnsafeMutablePointer<Float>, mean: Float, scale: Float, gain: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>,
        normalized: UnsafeMutablePointer<Float>, relu: Bool, count: Int
    ) {
        let m = Vector(repeating: mean)
        let s = Vector(repeating: scale)
        var i = 0
        while i + width <= count {
            let xHat = (load(x, i) - m) * s
            store(xHat, normalized, i)
            let y = xHat * load(gain, i) + load(bias, i)
            store(relu ? y.replacing(with: 0, where: y .< 0) : y, x, i)
            i += width
        }
        while i < count {
            let xHat = (x[i] - mean) * scale
            normalized[i] = xHat
            x[i] = xHat * gain[i] + bias[i]
            if relu { x[i] = max(x[i], 0) }
            i += 1
        }
    }

    /// g ← (g − mean − x̂·meanProduct)·scale: layer normalization's input gradient from ĝ = dL/dy·γ;
    /// then ·mask when given (dropout before the normalization).
    static func normalizeGradient(
        _ g: UnsafeMutablePointer<Float>, normalized xHat: UnsafeMutablePointer<Float>, mean: Float, meanProduct: Float, scale: Float,
        mask: UnsafeMutablePointer<Float>?, count: Int
    ) {
        let m = Vector(repeating: mean)
        let p = Vector(repeating: meanProduct)
        let s = Vector(repeating: scale)
        var i = 0
        if let mask {
            while i + width <= count {
                store(((load(g, i) - m - load(xHat, i) * p) * s) * load(mask, i), g, i)
                i += width
            }
            while i < count {
                g[i] = ((g[i] - mean - xHat[i] * meanProduct) * scale) * mask[i]
                i += 1
            }
            return
        }
        while i + width <= count {
            store((load(g, i) - m - load(xHat, i) * p) * s, g, i)
            i += width
        }
        while i < count {
            g[i] = (g[i] - mean - xHat[i] * meanProduct) * scale
            i += 1
        }
    }

    /// x ← x·m, returning Σ x (after the product): dropout's mask in the normalization's first pass.
    static func multiplyAndSum(_ x: UnsafeMutablePointer<Float>, by m: UnsafeMutablePointer<Float>, count: Int) -> Float {
        var lanes = Vector(repeating: 0)
        var i = 0
        while i + width <= count {
            let v = load(x, i) * load(m, i)
            store(v, x, i)
            lanes += v
            i += width
        }
        var total = lanes.sum()
        while i < count {
            x[i] *= m[i]
            total += x[i]
            i += 1
        }
        return total
    }

    /// The first pass of layer normalization's backward step over one row: with `reluOutput`, takes
    /// g through the ReLU that follows the normalization (0 where its output is not positive); keeps
    /// g (dL/dy) in `saving`, makes it ĝ = g·γ in place, and returns Σ ĝ and Σ ĝ·x̂.
    static func gainProductSums(
        _ g: UnsafeMutablePointer<Float>, reluOutput y: UnsafeMutablePointer<Float>?, saving saved: UnsafeMutablePointer<Float>,
        gain: UnsafeMutablePointer<Float>, normalized xHat: UnsafeMutablePointer<Float>, count: Int
    ) -> (sum: Float, product: Float) {
        var sumLanes = Vector(repeating: 0)
        var productLanes = Vector(repeating: 0)
        var i = 0
        while i + width <= count {
            var v = load(g, i)
            if let y { v = v.replacing(with: 0, where: load(y, i) .<= 0) }
            store(v, saved, i)
            let scaled = v * load(gain, i)
            store(scaled, g, i)
            sumLanes += scaled
            productLanes += scaled * load(xHat, i)
            i += width
        }
        var sum = sumLanes.sum()
        var product = productLanes.sum()
        while i < count {
            if let y { g[i] = y[i] > 0 ? g[i] : 0 }
            saved[i] = g[i]
            g[i] *= gain[i]
            sum += g[i]
            product += g[i] * xHat[i]
            i += 1
        }
        return (sum, product)
    }

    /// x ← max(x·m, 0): dropout's mask and the ReLU in one pass.
    static func relu(_ x: UnsafeMutablePointer<Float>, mask m: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + width <= count {
            let v = load(x, i) * load(m, i)
            store(v.replacing(with: 0, where: v .< 0), x, i)
            i += width
        }
        while i < count {
            x[i] *= m[i]
            x[i] = max(x[i], 0)
            i += 1
        }
    }

    /// g ← (g where y > 0, else 0)·m: the ReLU's derivative and dropout's mask in one pass.
    static func reluGradient(_ g: UnsafeMutablePointer<Float>, output y: UnsafeMutablePointer<Float>, mask m: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + width <= count {
            store(load(g, i).replacing(with: 0, where: load(y, i) .<= 0) * load(m, i), g, i)
            i += width
        }
        while i < count {
            g[i] = y[i] > 0 ? g[i] : 0
            g[i] *= m[i]
            i += 1
        }
    }

    /// sums[j] = Σ_rows a[row, j]·b[row, j]: layer normalization's gain gradient.
    static func columnProductSums(
        _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        sums.update(repeating: 0, count: columns)
        for row in 0..<rows {
            let x = a + row * columns
            let y = b + row * columns
            var j = 0
            while j + width <= columns {
                store(load(sums, j) + load(x, j) * load(y, j), sums, j)
                j += width
            }
            while j < columns {
                sums[j] += x[j] * y[j]
                j += 1
            }
        }
    }
}
