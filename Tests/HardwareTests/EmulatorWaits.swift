import Foundation
import Hardware

extension DeviceEmulator {
    /// The device's state once `condition` holds, or after two seconds (the caller's assertions
    /// then fail on it): the device thread acts on its own clock, so tests wait rather than sleep.
    func eventually(_ condition: (Snapshot) -> Bool) -> Snapshot {
        let deadline = Date().addingTimeInterval(2)
        var snapshot = snapshot()
        while !condition(snapshot) && Date() < deadline {
            usleep(1000)
            snapshot = self.snapshot()
        }
        return snapshot
    }
}
