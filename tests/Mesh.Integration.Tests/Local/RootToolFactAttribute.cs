namespace Mesh.Integration.Tests.Local;

/// <summary>A <see cref="RootFactAttribute"/> that also needs a tool on PATH (skipped, naming it, when it is missing).</summary>
public sealed class RootToolFactAttribute : FactAttribute
{
    public RootToolFactAttribute(string tool)
    {
        Skip = new RootFactAttribute().Skip
            ?? (Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)))
                ? null
                : $"requires {tool} on PATH (scripts/prereqs.sh installs it)");
    }
}
