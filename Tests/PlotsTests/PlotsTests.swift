import XCTest

@testable import Plots
