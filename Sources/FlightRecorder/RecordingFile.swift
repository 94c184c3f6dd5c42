import FileAccess

/// The file a recording streams into, written in place under its final name.
///
/// Every other output of Armature is replaced whole (`AtomicFile`), so a crash leaves the old file or the
/// new one. A flight recorder is the exception on purpose: it exists for the run that crashes, so the
/// data must already be in the file when the process dies. MCAP is made for that: the writer appends
/// whole chunks (each with its CRC and its message indexes) one `write` at a time, so a file cut short
/// by a crash, SIGKILL or power cut ends after its last complete chunk, and a streaming reader reads
/// every one of them. Only a clean close adds the summary and footer that seeking readers use; a file
/// without them is recognisably unfinished (no trailing magic), never a complete-looking torn file.
/// The path follows `FileAccess`'s rule: a regular file (or a link to one) is replaced, anything else
/// (a directory, FIFO, device) is refused before anything is written.
final class RecordingFile {
    let path: String
    private let file: AppendingFile
    /// Bytes written so far: the offset of the next record, which MCAP's indexes refer to.
    private(set) var offset: UInt64 = 0

    init(path: String) throws(FileError) {
        self.path = path
        file = try AppendingFile.open(path: path)
        // An earlier recording under the same name is replaced, from its first byte.
        try AppendingFile.truncate(path: path, to: 0)
    }

    func write(_ bytes: [UInt8]) throws(FileError) {
        var written = 0
        defer { offset += UInt64(written) }
        try file.append(bytes, written: &written)
    }

    /// Puts the file on the disk (at close: a power cut after it loses nothing).
    func sync() throws(FileError) { try file.sync() }

    func close() { file.close() }
}
