namespace Mesh.Cli.Local;

/// <summary>
/// Finds the mesh executables local mode runs: <c>--bin-dir</c> / <c>MESHACTORS_BIN_DIR</c>; else, inside a checkout,
/// <c>src/&lt;Project&gt;/bin/&lt;Configuration&gt;/net10.0/</c> with meshctl's own configuration; else next to
/// meshctl.dll (an installed layout).
/// </summary>
public sealed class Binaries(string? binDir, string meshctlDir)
{
    public const string EnvironmentVariable = "MESHACTORS_BIN_DIR";

    public string Control => Find("Mesh.Control", "mesh-control.dll");
    public string Node => Find("Mesh.Node", "mesh-node.dll");
    public string Echo => Find("Mesh.Echo", "mesh-echo.dll");

    /// <summary>The dotnet host to run .dll files with (the one running meshctl when it runs under dotnet).</summary>
    public static string DotnetHost
    {
        get
        {
            var self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            if (root is not null && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
            return "dotnet";
        }
    }

    public static Binaries ForThisProcess(string? binDir) =>
        new(binDir ?? Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory);

    public string Find(string project, string file)
    {
        foreach (var candidate in Candidates(project, file))
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        throw new LocalModeException($"{file} not found (looked in {string.Join(", ", Candidates(project, file).Select(Path.GetDirectoryName).Distinct())}); build the solution or pass --bin-dir");
    }

    private IEnumerable<string> Candidates(string project, string file)
    {
        if (!string.IsNullOrEmpty(binDir))
        {
            yield return Path.Combine(binDir, file);
            yield break; // an explicit choice is not second-guessed
        }
        // In a checkout the project's own output wins: meshctl references Mesh.Control (offline authz check), so a
        // copy of mesh-control.dll also lands next to meshctl.dll and would go stale when only Mesh.Control is rebuilt.
        var own = new DirectoryInfo(meshctlDir.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = own.Parent?.Name; // .../bin/<Configuration>/net10.0
        for (var dir = own; dir is not null && configuration is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "MeshActors.sln"))) continue;
            yield return Path.Combine(dir.FullName, "src", project, "bin", configuration, own.Name, file);
            break;
        }
        yield return Path.Combine(meshctlDir, file);
    }
}
