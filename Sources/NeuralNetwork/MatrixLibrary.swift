import CBLAS

/// The BLAS this process multiplies with, and how this module was compiled: results to the last
/// bit and speed depend on both, so benchmarks and reports name them.
public enum MatrixLibrary {
    /// OpenBLAS's build line, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The kernel family OpenBLAS runs, chosen from the CPU or forced by OPENBLAS_CORETYPE
    /// (e.g. "Haswell", "Zen", "SkylakeX", "Cooperlake", "Prescott").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// Threads OpenBLAS uses for one product.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The x86-64 level the network's own loops (ReLU, bias sums, Adam, Polyak) were compiled for.
    public static var compiledVectorLevel: String {
        #if X86_64_V4
        return "x86-64-v4 (AVX-512)"
        #elseif X86_64_V3
        return "x86-64-v3 (AVX2, FMA)"
        #elseif arch(x86_64)
        return "x86-64 baseline (SSE2)"
        #else
        return "the target's baseline"
        #endif
    }
}

/// Sets the number of threads OpenBLAS uses for every matrix product in the process.
public func setMatrixThreads(_ count: Int) {
    openblas_set_num_threads(Int32(count))
}
