namespace Mesh.Hbone.Http2;

/// <summary>
/// A header block could not be decoded (RFC 7541 decoding error). In HTTP/2 this is a connection error of type
/// COMPRESSION_ERROR: the decoder's dynamic table is no longer in sync with the peer's encoder.
/// </summary>
public sealed class HpackException(string message) : Exception(message);
