/// Foxglove's well-known `foxglove.SceneUpdate` as a JSON Schema, written after the published one
/// (github.com/foxglove/schemas, schemas/jsonschema/SceneUpdate.json): the same titles, field names
/// and types, so Foxglove and Lichtblick recognise the topic by its schema name and draw it in their
/// 3D panel. The primitives the recorder draws with (spheres and lines) are described field by field;
/// the kinds it never sends (arrows, cubes, cylinders, triangles, texts, models — always empty arrays)
/// are named by their titles only.
enum FoxgloveSchemas {
    private static func number(_ description: String) -> String {
        #"{"type":"number","description":\#(JSONText.quoted(description))}"#
    }

    private static let time =
        #"{"type":"object","title":"time","properties":{"sec":{"type":"integer","minimum":0},"nsec":{"type":"integer","minimum":0,"maximum":999999999}},"description":"Timestamp of the entity"}"#
    private static let duration =
        #"{"type":"object","title":"duration","properties":{"sec":{"type":"integer"},"nsec":{"type":"integer","minimum":0,"maximum":999999999}},"description":"Length of time (relative to `timestamp`) after which the entity should be automatically removed. Zero value indicates the entity should remain visible until it is replaced or deleted."}"#

    private static func xyz(_ title: String, _ description: String, _ noun: String) -> String {
        #"{"title":"\#(title)","description":\#(JSONText.quoted(description)),"type":"object","properties":{"x":\#(number("x coordinate \(noun)")),"y":\#(number("y coordinate \(noun)")),"z":\#(number("z coordinate \(noun)"))}}"#
    }

    private static let quaternion =
        #"{"title":"foxglove.Quaternion","description":"Quaternion denoting orientation in 3D space","type":"object","properties":{"x":\#(number("x value")),"y":\#(number("y value")),"z":\#(number("z value")),"w":\#(number("w value"))}}"#

    private static func pose(_ description: String) -> String {
        #"{"title":"foxglove.Pose","description":\#(JSONText.quoted(description)),"type":"object","properties":{"position":\#(xyz("foxglove.Vector3", "Point denoting position in 3D space", "length")),"orientation":\#(quaternion)}}"#
    }

    private static func color(_ description: String) -> String {
        #"{"title":"foxglove.Color","description":\#(JSONText.quoted(description)),"type":"object","properties":{"r":\#(number("Red value between 0 and 1")),"g":\#(number("Green value between 0 and 1")),"b":\#(number("Blue value between 0 and 1")),"a":\#(number("Alpha value between 0 and 1"))}}"#
    }

    private static let sphere =
        #"{"title":"foxglove.SpherePrimitive","description":"A primitive representing a sphere or ellipsoid","type":"object","properties":{"pose":\#(pose("Position of the center of the sphere and orientation of the sphere")),"size":\#(xyz("foxglove.Vector3", "Size (diameter) of the sphere along each axis", "length")),"color":\#(color("Color of the sphere"))}}"#

    private static let line =
        #"{"title":"foxglove.LinePrimitive","description":"A primitive representing a series of points connected by lines","type":"object","properties":{"type":{"title":"foxglove.LineType","description":"Drawing primitive to use for lines","oneOf":[{"title":"LINE_STRIP","const":0,"description":"Connected line segments: 0-1, 1-2, ..., (n-1)-n"},{"title":"LINE_LOOP","const":1,"description":"Closed polygon: 0-1, 1-2, ..., (n-1)-n, n-0"},{"title":"LINE_LIST","const":2,"description":"Individual line segments: 0-1, 2-3, 4-5, ..."}]},"pose":\#(pose("Origin of lines relative to reference frame")),"thickness":\#(number("Line thickness")),"scale_invariant":{"type":"boolean","description":"Indicates whether `thickness` is a fixed size in screen pixels (true), or specified in world coordinates and scales with distance from the camera (false)"},"points":{"type":"array","items":\#(xyz("foxglove.Point3", "A point representing a position in 3D space", "position")),"description":"Points along the line"},"color":\#(color("Solid color to use for the whole line. One of `color` or `colors` must be provided.")),"colors":{"type":"array","items":\#(color("A color in RGBA format")),"description":"Per-point colors (if specified, must have the same length as `points`). One of `color` or `colors` must be provided."},"indices":{"type":"array","items":{"type":"integer","minimum":0},"description":"Indices into the `points` and `colors` attribute arrays, which can be used to avoid duplicating attribute data."}}}"#

    private static func unused(_ title: String, _ description: String) -> String {
        #"{"type":"array","items":{"title":"\#(title)","type":"object"},"description":"\#(description)"}"#
    }

    private static let entity =
        #"{"title":"foxglove.SceneEntity","description":"A visual element in a 3D scene. An entity may be composed of multiple primitives which all share the same frame of reference.","type":"object","properties":{"timestamp":\#(time),"frame_id":{"type":"string","description":"Frame of reference"},"id":{"type":"string","description":"Identifier for the entity. A entity will replace any prior entity on the same topic with the same `id`."},"lifetime":\#(duration),"frame_locked":{"type":"boolean","description":"Whether the entity should keep its location in the fixed frame (false) or follow the frame specified in `frame_id` as it moves relative to the fixed frame (true)"},"metadata":{"type":"array","items":{"title":"foxglove.KeyValuePair","description":"A key with its associated value","type":"object","properties":{"key":{"type":"string","description":"Key"},"value":{"type":"string","description":"Value"}}},"description":"Additional user-provided metadata associated with the entity. Keys must be unique."},"arrows":\#(unused("foxglove.ArrowPrimitive", "Arrow primitives")),"cubes":\#(unused("foxglove.CubePrimitive", "Cube primitives")),"spheres":{"type":"array","items":\#(sphere),"description":"Sphere primitives"},"cylinders":\#(unused("foxglove.CylinderPrimitive", "Cylinder primitives")),"lines":{"type":"array","items":\#(line),"description":"Line primitives"},"triangles":\#(unused("foxglove.TriangleListPrimitive", "Triangle list primitives")),"texts":\#(unused("foxglove.TextPrimitive", "Text primitives")),"models":\#(unused("foxglove.ModelPrimitive", "Model primitives"))}}"#

    private static let deletion =
        #"{"title":"foxglove.SceneEntityDeletion","description":"Command to remove previously published entities","type":"object","properties":{"timestamp":\#(time),"type":{"title":"foxglove.SceneEntityDeletionType","description":"Type of deletion action to perform","oneOf":[{"title":"MATCHING_ID","const":0,"description":"Delete the existing entity on the same topic that has the provided `id`"},{"title":"ALL","const":1,"description":"Delete all existing entities on the same topic"}]},"id":{"type":"string","description":"Identifier which must match if `type` is `MATCHING_ID`."}}}"#

    static let sceneUpdate =
        #"{"title":"foxglove.SceneUpdate","description":"An update to the entities displayed in a 3D scene","type":"object","properties":{"deletions":{"type":"array","items":\#(deletion),"description":"Scene entities to delete"},"entities":{"type":"array","items":\#(entity),"description":"Scene entities to add or replace"}}}"#
}
