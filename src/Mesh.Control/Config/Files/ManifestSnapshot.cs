namespace Mesh.Control.Config.Files;

/// <summary>
/// The manifest directory at one moment: the objects in force (last good content of each file), the problems
/// found (a file with errors keeps contributing its last good content), and skipped-kind warnings.
/// </summary>
/// <param name="Files">Number of manifest files seen.</param>
public sealed record ManifestSnapshot(
    ManifestSet Set,
    IReadOnlyList<ManifestError> Errors,
    IReadOnlyList<string> Warnings,
    int Files,
    DateTimeOffset LoadedAt)
{
    public static ManifestSnapshot Empty { get; } = new(ManifestSet.Empty, [], [], 0, DateTimeOffset.MinValue);
}
