namespace Mesh.Testing;

/// <summary>
/// A fact that needs tools on PATH (or absolute paths) and optionally python modules for Debian's python3, but not
/// root: <c>[ToolFact("curl")]</c>, <c>[ToolFact(PythonModules = ["h2"])]</c>. Skipped with the reason when missing.
/// </summary>
public sealed class ToolFactAttribute(params string[] tools) : FactAttribute
{
    public string[] Tools { get; } = tools;

    public string[] PythonModules { get; set; } = [];

    public override string? Skip
    {
        get => base.Skip ?? Prerequisites.Check(root: false, Tools, PythonModules);
        set => base.Skip = value;
    }
}

/// <summary>The <see cref="ToolFactAttribute"/> of a theory.</summary>
public sealed class ToolTheoryAttribute(params string[] tools) : TheoryAttribute
{
    public string[] Tools { get; } = tools;

    public string[] PythonModules { get; set; } = [];

    public override string? Skip
    {
        get => base.Skip ?? Prerequisites.Check(root: false, Tools, PythonModules);
        set => base.Skip = value;
    }
}
