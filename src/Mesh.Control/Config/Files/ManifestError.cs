namespace Mesh.Control.Config.Files;

/// <summary>
/// A problem with one manifest file. <see cref="Message"/> is complete on its own (it names the file, the document,
/// the object and the field); <see cref="Document"/> (0-based) and <see cref="Line"/> (1-based, in the file) are
/// there for tools that want to point at the spot.
/// </summary>
public sealed record ManifestError(string File, int? Document, string Message, int? Line = null)
{
    public override string ToString() => Message;
}
