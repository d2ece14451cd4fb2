namespace Mesh.Testing;

/// <summary>
/// A fact that needs root, and optionally tools on PATH (<c>[RootFact("tcpdump")]</c>) or python modules
/// (<c>PythonModules = ["h2"]</c>). xunit 2 has no dynamic skip, so the decision is made here: without them the test
/// shows up as skipped with the reason, never as a silent pass (and scripts/test.sh fails such a run as root).
/// </summary>
public sealed class RootFactAttribute(params string[] tools) : FactAttribute
{
    public string[] Tools { get; } = tools;

    public string[] PythonModules { get; set; } = [];

    // Computed on read: named arguments (PythonModules) are set after the constructor ran.
    public override string? Skip
    {
        get => base.Skip ?? Prerequisites.Check(root: true, Tools, PythonModules);
        set => base.Skip = value;
    }
}

/// <summary>The <see cref="RootFactAttribute"/> of a theory.</summary>
public sealed class RootTheoryAttribute(params string[] tools) : TheoryAttribute
{
    public string[] Tools { get; } = tools;

    public string[] PythonModules { get; set; } = [];

    public override string? Skip
    {
        get => base.Skip ?? Prerequisites.Check(root: true, Tools, PythonModules);
        set => base.Skip = value;
    }
}
