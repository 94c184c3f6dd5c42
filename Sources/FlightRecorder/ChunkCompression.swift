import CZstd

/// How a recording's chunks are stored (MCAP's well-known compression names). Zstandard shrinks the
/// JSON of a recording about tenfold at a millisecond per chunk on the writer thread; every MCAP reader
/// and viewer reads it.
public enum ChunkCompression: String, Sendable, CaseIterable {
    case zstd
    case none = ""

    /// zstd's default level: most of the gain of the higher ones at a fraction of their time.
    static let zstdLevel: Int32 = 3

    /// The chunk's records as stored, and the compression to name in the chunk.
    func compress(_ records: [UInt8]) -> (stored: [UInt8], compression: ChunkCompression) {
        switch self {
        case .none:
            return (records, .none)
        case .zstd:
            let bound = ZSTD_compressBound(records.count)
            var out = [UInt8](repeating: 0, count: bound)
            let written = records.withUnsafeBytes { source in
                out.withUnsafeMutableBytes { target in
                    ZSTD_compress(target.baseAddress, bound, source.baseAddress, source.count, Self.zstdLevel)
                }
            }
            // Compressing into a buffer of the bound cannot fail; were it to, the chunk is stored as it is.
            guard ZSTD_isError(written) == 0 else { return (records, .none) }
            out.removeSubrange(written...)
            return (out, .zstd)
        }
    }

    /// The records of a stored chunk, nil if they do not decompress to `size` bytes.
    func decompress(_ stored: ArraySlice<UInt8>, size: Int) -> [UInt8]? {
        switch self {
        case .none:
            return stored.count == size ? Array(stored) : nil
        case .zstd:
            var out = [UInt8](repeating: 0, count: size)
            let written = stored.withUnsafeBytes { source in
                out.withUnsafeMutableBytes { target in ZSTD_decompress(target.baseAddress, size, source.baseAddress, source.count) }
            }
            return ZSTD_isError(written) == 0 && written == size ? out : nil
        }
    }
}
