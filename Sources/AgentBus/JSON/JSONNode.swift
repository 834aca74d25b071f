/// One value of a parsed JSON text, as the validator reads it: the parser writes a flat array of
/// these in document order, so validation walks memory front to back and allocates nothing.
///
/// An object is followed by its members as key node, value subtree, key node, value subtree...;
/// an array by its elements. Scalars point into the input bytes instead of copying them.
struct JSONNode {
    enum Kind: UInt8 {
        case null, `false`, `true`, number, string, array, object
    }

    var kind: Kind
    /// Strings: ``hasEscapes``. Numbers: ``isLexicalInteger``.
    var flags: UInt8
    /// Scalars: the offset of the first byte (after the opening quote for strings).
    var start: UInt32
    /// Scalars: the length in bytes (without quotes). Containers: the number of elements or members.
    var length: UInt32
    /// The index of the first node after this value's subtree, to skip over it.
    var end: UInt32

    static let hasEscapes: UInt8 = 1
    /// Written without a fraction or exponent, so certainly an integer.
    static let isLexicalInteger: UInt8 = 2
}
