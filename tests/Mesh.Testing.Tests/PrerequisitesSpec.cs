namespace Mesh.Testing.Tests;

public sealed class PrerequisitesSpec
{
    [Fact]
    public void A_missing_tool_is_named_in_the_skip_reason()
    {
        Assert.Null(Prerequisites.Tool("sh"));
        Assert.Equal("/bin/sh", Prerequisites.Find("/bin/sh"));
        Assert.Contains("'no-such-tool-4711'", Prerequisites.Tool("no-such-tool-4711"));
        Assert.Contains("'no-such-tool-4711'", new ToolFactAttribute("sh", "no-such-tool-4711").Skip);
        Assert.Null(new ToolFactAttribute("sh").Skip);
    }

    [Fact]
    public void Every_missing_prerequisite_is_listed_and_python_modules_are_checked_with_debians_python()
    {
        var reason = new ToolFactAttribute("no-such-tool-4711") { PythonModules = ["no_such_module_4711"] }.Skip;

        Assert.Contains("'no-such-tool-4711'", reason);
        Assert.Contains(File.Exists(Prerequisites.Python) ? "'no_such_module_4711'" : Prerequisites.Python, reason);
    }

    [Fact]
    public void Root_facts_skip_exactly_when_not_root()
    {
        Assert.Equal(Prerequisites.IsRoot, new RootFactAttribute().Skip is null);
        Assert.Equal(Prerequisites.IsRoot, new RootTheoryAttribute("sh").Skip is null);
        Assert.Contains("'no-such-tool-4711'", new RootFactAttribute("no-such-tool-4711").Skip);
    }

    [Fact]
    public void Benchmarks_skip_with_the_one_reason_scripts_test_sh_accepts_unless_asked_for()
    {
        var skip = new BenchmarkFactAttribute().Skip;
        Assert.Equal(BenchmarkFactAttribute.Enabled ? null : "benchmark: run with MESH_BENCH=1", skip);
        Assert.Equal([new("Category", "Benchmark")], new BenchmarkTraitDiscoverer().GetTraits(null!));
    }
}
