using System.Collections.Immutable;

namespace Mesh.Control.Config.Files;

/// <summary>What one manifest file holds. A file with any error is rejected as a whole (like a failed apply).</summary>
public sealed record ManifestParseResult(
    string File,
    ImmutableArray<ManifestObject> Objects,
    ImmutableArray<ManifestError> Errors,
    ImmutableArray<string> Warnings)
{
    public bool IsValid => Errors.IsEmpty;
}
