namespace Mesh.Cli.Local.Supervisor;

/// <summary>How to start one supervised process (a mesh member or a pod's container).</summary>
public sealed record ChildSpec(
    string Name,
    string Program,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    string LogFile,
    bool InheritEnvironment);
