/// One value of a parsed JSON text, as the validator reads it: the parser writes a flat array of
/// these in document order, so validation walks memory front to back and allocates nothing.
///
/// An object is followed by its members as key node, value subtree, key node, value subtree...;
/// an array by its elements. Scalars point into the input bytes instead of copying them.
@_spi(ParsedDocument) public struct JSONNode {
    public enum Kind: UInt8 {
        case null, `false`, `true`, number, string, array, object
    }

    public var kind: Kind
    /// Strings: ``hasEscapes``. Numbers: ``isLexicalInteger``.
    public var flags: UInt8
    /// Scalars: the offset of the first byte (after the opening quote for strings).
    public var start: UInt32
    /// Scalars: the length in bytes (without quotes). Containers: the number of elements or members.
    public var length: UInt32
    /// The index of the first node after this value's subtree, to skip over it.
    public var end: UInt32

    public static let hasEscapes: UInt8 = 1
    /// Written without a fraction or exponent, so certainly an integer.
    public static let isLexicalInteger: UInt8 = 2
}
