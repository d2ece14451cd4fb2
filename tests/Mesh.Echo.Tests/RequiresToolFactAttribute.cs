namespace Mesh.Echo.Tests;

/// <summary>A fact that is skipped, visibly, when an external tool is not on PATH (xunit 2 has no dynamic skip).</summary>
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        if (Tools.Find(tool) is null)
        {
            Skip = $"'{tool}' is not on PATH";
        }
    }
}
