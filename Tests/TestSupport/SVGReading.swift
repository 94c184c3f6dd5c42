import Foundation
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every element of an SVG with its attributes, in document order; fails the test if it does not parse.
public final class SVGElements: NSObject, XMLParserDelegate {
    public var all: [(name: String, attributes: [String: String])] = []
    public func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) { all.append((name, attributes)) }

    public static func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> SVGElements {
        let elements = SVGElements()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = elements
        XCTAssertTrue(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
        return elements
    }

    public func first(_ attribute: String, _ value: String) -> [String: String]? { all.first { $0.attributes[attribute] == value }?.attributes }
}

/// Maps pixels back to data with a plot group's `data-area`, `data-x-range` and `data-y-range`.
public struct SVGAxes {
    public var left, top, width, height, x0, x1, y0, y1: Double

    public init(_ group: [String: String]) throws {
        let area = try XCTUnwrap(group["data-area"]).split(separator: " ").compactMap { Double($0) }
        let xs = try XCTUnwrap(group["data-x-range"]).split(separator: " ").compactMap { Double($0) }
        let ys = try XCTUnwrap(group["data-y-range"]).split(separator: " ").compactMap { Double($0) }
        (left, top, width, height) = (area[0], area[1], area[2], area[3])
        (x0, x1, y0, y1) = (xs[0], xs[1], ys[0], ys[1])
    }

    public func x(_ px: Double) -> Double { x0 + (px - left) / width * (x1 - x0) }
    public func y(_ py: Double) -> Double { y0 + (top + height - py) / height * (y1 - y0) }
    /// A pixel in data units: the precision the picture's two decimals allow.
    public var yResolution: Double { (y1 - y0) / height * 0.01 }
    public var xResolution: Double { (x1 - x0) / width * 0.01 }

    public func points(_ text: String?) -> [(Double, Double)] {
        (text ?? "").split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (x(xy[0]), y(xy[1]))
        }
    }
}
