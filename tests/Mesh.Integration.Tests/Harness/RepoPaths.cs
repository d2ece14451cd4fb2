namespace Mesh.Integration.Tests.Harness;

/// <summary>Finds the built executables of this checkout (same configuration as the running tests).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>"Debug" or "Release", read off the test assembly's own output folder.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Dll(string project, string assembly)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is not built; run the tests through 'dotnet test' on the solution.", path);
        return path;
    }

    public static string Control => Dll("Mesh.Control", "mesh-control");
    public static string Node => Dll("Mesh.Node", "mesh-node");
    public static string Meshctl => Dll("Mesh.Cli", "meshctl");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MeshActors.sln"))) return dir.FullName;
        throw new InvalidOperationException("MeshActors.sln not found above " + AppContext.BaseDirectory);
    }
}
