#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The one place for what every module that makes system calls needs: errno as a value, its text,
// retrying a call a signal interrupted, and open/read/write/close under names that a type's own
// `open`/`read`/`write`/`close` methods cannot shadow.

/// The current errno as a Swift value (errno itself is a macro on some platforms).
public var currentErrno: Int32 { errno }

/// What `code` means, for error messages ("No such file or directory").
public func errnoDescription(_ code: Int32 = currentErrno) -> String {
    String(cString: strerror(code))
}

/// Calls `call` again for as long as a signal interrupts it (-1 with errno EINTR): the stop signals
/// have handlers, and one arriving during a read, write or wait must not turn it into an error (the
/// caller checks its stop request and deadlines itself). Returns the result and, when it is
/// negative, the errno it left (0 otherwise).
@inline(__always)
public func retryingInterrupts<Value: SignedInteger>(_ call: () -> Value) -> (value: Value, errno: Int32) {
    while true {
        let value = call()
        if value >= 0 { return (value, 0) }
        let code = currentErrno
        if code != EINTR { return (value, code) }
    }
}

/// open(2); `mode` matters only with O_CREAT.
@inline(__always)
public func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    #if canImport(Glibc)
        Glibc.open(path, flags, mode)
    #else
        Darwin.open(path, flags, mode)
    #endif
}

/// read(2).
@inline(__always)
public func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}

/// write(2).
@inline(__always)
public func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
    #else
        Darwin.write(descriptor, buffer, count)
    #endif
}

/// close(2).
@inline(__always) @discardableResult
public func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
        Glibc.close(descriptor)
    #else
        Darwin.close(descriptor)
    #endif
}
