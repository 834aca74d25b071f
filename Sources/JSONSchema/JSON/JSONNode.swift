/// One value of a parsed JSON text, as the validator reads it: the parser writes a flat array of
/// these in document order, so validation walks memory front to back and allocates nothing.
///
/// An object is followed by its members as key node, value subtree, key node, value subtree...;
/// an array by its elements. Scalars point into the input bytes instead of copying them.
package struct JSONNode {
    package enum Kind: UInt8 {
        case null, `false`, `true`, number, string, array, object
    }

    package var kind: Kind
    /// Strings: ``hasEscapes``. Numbers: ``isLexicalInteger``.
    package var flags: UInt8
    /// Scalars: the offset of the first byte (after the opening quote for strings).
    package var start: UInt32
    /// Scalars: the length in bytes (without quotes). Containers: the number of elements or members.
    package var length: UInt32
    /// The index of the first node after this value's subtree, to skip over it.
    package var end: UInt32

    package static let hasEscapes: UInt8 = 1
    /// Written without a fraction or exponent, so certainly an integer.
    package static let isLexicalInteger: UInt8 = 2
}
