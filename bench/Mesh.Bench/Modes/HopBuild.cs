namespace Mesh.Bench.Modes;

/// <summary>
/// Which <c>mesh-bench</c> build runs our <c>--serve</c> hops. <see cref="Current"/> is this one; <c>--before DLL</c>
/// names an earlier build (same <c>--serve MODE LISTEN NEXT FINAL PKI_DIR</c> protocol), whose rows run next to
/// ours in the same run, so a change is judged against the code it replaces on the same box at the same moment.
/// </summary>
internal sealed record HopBuild(string Dll, bool IsBefore)
{
    public static HopBuild Current { get; } = new(typeof(HopBuild).Assembly.Location, IsBefore: false);

    public static HopBuild Before(string dll)
    {
        var path = Path.GetFullPath(dll);
        if (!File.Exists(path)) throw new ArgumentException($"--before {dll}: no such file (give the mesh-bench.dll of the earlier build)");
        return new HopBuild(path, IsBefore: true);
    }
}

/// <summary>
/// The garbage collector our hops run with. mesh-node ships with Server GC (an ASP.NET Core app: System.GC.Server in
/// its runtimeconfig), so that is the default: the row measures what ships. <c>--hop-gc workstation</c> isolates the
/// code path from the collector.
/// </summary>
internal enum HopGc
{
    Server,
    Workstation,
}
