namespace Mesh.Cli.Local.Tls;

/// <summary>Writes secrets so that they are never readable by others, not even for a moment.</summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, OwnerOnly | UnixFileMode.UserExecute);
    }

    /// <summary>Writes a temp file created 0600, then renames it over <paramref name="path"/> (atomic; no world-readable window).</summary>
    public static void Write(string path, string contents)
    {
        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        using (var writer = new StreamWriter(temp, System.Text.Encoding.ASCII, options)) writer.Write(contents);
        File.Move(temp, path, overwrite: true);
    }
}
